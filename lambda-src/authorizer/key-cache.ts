/**
 * The authorizer's key ring cache: the rules it shares with the JwksCache (TTL, unknown-kid
 * refetch window, one fetch in flight, back-off) are gated-key-cache.ts's; here, reading the ring
 * and its verification keys at a given time. Pure: the secret is read through an injected
 * function, and every method takes the time as an argument.
 */
import { GatedKeyCache, KeyCacheTiming } from './gated-key-cache';
import { isBootstrapValue, KeyRing, parseKeyRing, verificationKeys } from '../key-ring';

export { FETCH_FAILURE_BACKOFF_MS, KeysUnavailable } from './fetch-gate';

const KEY_SET_MAX_AGE_MS = 1000;

export interface CachedRing {
  /** undefined while the secret still holds its bootstrap value (no keys yet). */
  readonly ring: KeyRing | undefined;
  readonly fetchedAtMs: number;
}

interface Entry extends CachedRing {
  /**
   * `verificationKeys(ring, t)` for every t in [keysFromMs, keysUntilMs): the set only changes
   * when a previous key expires. Lives on this entry, so a new ring never sees old keys.
   */
  keys?: ReadonlyMap<string, Buffer>;
  keysFromMs: number;
  keysUntilMs: number;
}

export interface KeyCacheOptions extends KeyCacheTiming {
  /** Reads the secret's AWSCURRENT value; rejects when it cannot. */
  readonly fetchSecret: (nowMs: number) => Promise<string>;
}

export class KeyCache extends GatedKeyCache<CachedRing> {
  constructor(private readonly options: KeyCacheOptions) {
    super(options, 'key ring');
  }

  protected async load(nowMs: number): Promise<CachedRing> {
    const value = await this.options.fetchSecret(nowMs);
    const entry: Entry = { ring: isBootstrapValue(value) ? undefined : parseKeyRing(value), fetchedAtMs: nowMs, keysFromMs: 0, keysUntilMs: 0 };
    return entry;
  }

  /** The verification keys of `entry` at `nowMs`; recomputed only when a previous key expires. */
  keysOf(entry: CachedRing, nowMs: number): ReadonlyMap<string, Buffer> | undefined {
    const e = entry as Entry;
    const ring = e.ring;
    if (!ring) return undefined;
    if (!e.keys || nowMs < e.keysFromMs || nowMs >= e.keysUntilMs) {
      e.keys = verificationKeys(ring, new Date(nowMs));
      e.keysFromMs = nowMs;
      // The set changes when a previous key expires; any other time-dependent rule of the ring
      // format is picked up within a second, as the set is recomputed at least that often.
      let until = nowMs + KEY_SET_MAX_AGE_MS;
      for (const k of ring.previous) {
        const expiresMs = Date.parse(k.expiresAt);
        if (expiresMs > nowMs && expiresMs < until) until = expiresMs;
      }
      e.keysUntilMs = until;
    }
    return e.keys;
  }
}
