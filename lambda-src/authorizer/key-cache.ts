/**
 * The authorizer's key ring cache: TTL and the unknown-kid refetch rate limit; one fetch in
 * flight and the back-off after a failed one are fetch-gate.ts's, shared with the JwksCache.
 * Pure: the secret is read through an injected function, and every method takes the time as an
 * argument, so the rules are unit tested without a network or a real clock.
 */
import { FetchGate } from './fetch-gate';
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

export interface KeyCacheOptions {
  /** Reads the secret's AWSCURRENT value; rejects when it cannot. */
  readonly fetchSecret: (nowMs: number) => Promise<string>;
  readonly ttlSeconds: number;
  readonly refetchMinIntervalSeconds: number;
  /** A monotonic millisecond clock, to time a failed fetch (fetch-gate.ts). @default performance.now */
  readonly elapsedClock?: () => number;
}

export class KeyCache {
  private cached: Entry | undefined;
  private lastForcedRefetchMs = -Infinity;
  private readonly gate: FetchGate<Entry>;

  constructor(private readonly options: KeyCacheOptions) {
    this.gate = new FetchGate(options.elapsedClock);
  }

  /** The fetch in flight, if any: a request whose kid the cached keys lack waits for it (decide.ts). */
  pending(): Promise<CachedRing> | undefined {
    return this.gate.pending();
  }

  /** Fetches started, for the benchmark and tests. */
  get fetches(): number {
    return this.gate.attempts;
  }

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

  /**
   * Fetches the ring now, whatever the cache holds (after `claimForcedRefetch`, or when expired);
   * shares a fetch already in flight, and rejects at once during the back-off.
   */
  fetch(nowMs: number): Promise<CachedRing> {
    return this.gate.run(nowMs, 'key ring', async (atMs) => {
      const value = await this.options.fetchSecret(atMs);
      const entry: Entry = { ring: isBootstrapValue(value) ? undefined : parseKeyRing(value), fetchedAtMs: atMs, keysFromMs: 0, keysUntilMs: 0 };
      this.cached = entry;
      return entry;
    });
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
