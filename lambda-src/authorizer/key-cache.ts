/**
 * The authorizer's key ring cache: TTL, the unknown-kid refetch rate limit and the back-off after
 * a failed fetch. Pure: the secret is read through an injected function, and every method takes
 * the time as an argument, so the rules are unit tested without a network or a real clock.
 */
import { isBootstrapValue, KeyRing, parseKeyRing, verificationKeys } from '../key-ring';

/** After a failed fetch, deny without calling again for this long, so an outage is not amplified. */
export const FETCH_FAILURE_BACKOFF_MS = 1000;

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

export interface KeyCacheOptions {
  /** Reads the secret's AWSCURRENT value; rejects when it cannot. */
  readonly fetchSecret: (nowMs: number) => Promise<string>;
  readonly ttlSeconds: number;
  readonly refetchMinIntervalSeconds: number;
}

/** Thrown (as a rejection) whenever no usable ring can be had: the caller denies `keys_unavailable`. */
export class KeysUnavailable extends Error {}

export class KeyCache {
  private cached: Entry | undefined;
  private lastFailureMs = -Infinity;
  private lastForcedRefetchMs = -Infinity;

  constructor(private readonly options: KeyCacheOptions) {}

  /** The cached ring if it is still within its TTL (the synchronous warm path). */
  fresh(nowMs: number): CachedRing | undefined {
    const c = this.cached;
    return c && nowMs - c.fetchedAtMs < this.options.ttlSeconds * 1000 ? c : undefined;
  }

  /**
   * The fresh ring, or a newly fetched one. An expired cache is never served on failure: a key
   * pulled in an emergency rotation must stop working within one TTL even if Secrets Manager is
   * unreachable.
   */
  async current(nowMs: number): Promise<CachedRing> {
    const fresh = this.fresh(nowMs);
    if (fresh) return fresh;
    this.cached = undefined;
    return this.fetch(nowMs);
  }

  /**
   * Whether a token whose kid `entry` does not know may trigger a refetch now: not if the ring
   * was fetched for this very request, and at most once per window across all requests, so a
   * flood of invented kids cannot hammer Secrets Manager. Claims the window when it says yes.
   */
  claimForcedRefetch(entry: CachedRing, nowMs: number): boolean {
    if (entry.fetchedAtMs === nowMs) return false;
    if (nowMs - this.lastForcedRefetchMs < this.options.refetchMinIntervalSeconds * 1000) return false;
    this.lastForcedRefetchMs = nowMs;
    return true;
  }

  /** Fetches the ring now, whatever the cache holds (after `claimForcedRefetch`, or when expired). */
  async fetch(nowMs: number): Promise<CachedRing> {
    if (nowMs - this.lastFailureMs < FETCH_FAILURE_BACKOFF_MS) throw new KeysUnavailable('backing off after a failed fetch');
    try {
      const value = await this.options.fetchSecret(nowMs);
      const entry: Entry = { ring: isBootstrapValue(value) ? undefined : parseKeyRing(value), fetchedAtMs: nowMs, keysFromMs: 0, keysUntilMs: 0 };
      this.cached = entry;
      return entry;
    } catch {
      this.lastFailureMs = nowMs;
      throw new KeysUnavailable('fetching or parsing the key ring failed');
    }
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
