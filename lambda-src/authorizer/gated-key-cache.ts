/**
 * What the Secrets Manager key ring's KeyCache and the JwksCache share, in one place: a TTL, an
 * unknown-kid refetch at most once per window across all requests (a flood of invented kids
 * costs the key source one fetch per window, and every refetch reads the latest keys, so an
 * attacker can cause refetches but never prevent the next one), never an expired entry served on
 * failure (a key pulled in an emergency rotation, or withdrawn by an identity provider, stops
 * working within one TTL), and every fetch through fetch-gate.ts (one in flight, the back-off).
 * Pure: each subclass only loads its document; every method takes the time as an argument.
 */
import { FetchGate } from './fetch-gate';

export interface KeyCacheTiming {
  readonly ttlSeconds: number;
  readonly refetchMinIntervalSeconds: number;
  /** A monotonic millisecond clock, to time a failed fetch (fetch-gate.ts). @default performance.now */
  readonly elapsedClock?: () => number;
}

export abstract class GatedKeyCache<E extends { readonly fetchedAtMs: number }> {
  private cached: E | undefined;
  private lastForcedRefetchMs = -Infinity;
  private readonly gate: FetchGate<E>;

  /** `what` names the document in a KeysUnavailable message. */
  protected constructor(private readonly timing: KeyCacheTiming, private readonly what: string) {
    this.gate = new FetchGate(timing.elapsedClock);
  }

  /** Fetches and parses the document at `nowMs`; rejects when it cannot. */
  protected abstract load(nowMs: number): Promise<E>;

  /** The cached entry if it is still within its TTL (the synchronous warm path). */
  fresh(nowMs: number): E | undefined {
    const c = this.cached;
    return c && nowMs - c.fetchedAtMs < this.timing.ttlSeconds * 1000 ? c : undefined;
  }

  /** The fresh entry, or a newly fetched one; an expired one is forgotten first, never served. */
  async current(nowMs: number): Promise<E> {
    const fresh = this.fresh(nowMs);
    if (fresh) return fresh;
    this.cached = undefined;
    return this.fetch(nowMs);
  }

  /**
   * Whether a token whose kid `entry` does not know may trigger a refetch now: not if the entry
   * was fetched for this very request, and at most once per window across all requests. Claims
   * the window when it says yes; a refused claim leaves it where it was (a window that slid with
   * every refused claim would let an attacker keep it closed until the TTL).
   */
  claimForcedRefetch(entry: E, nowMs: number): boolean {
    if (entry.fetchedAtMs === nowMs) return false;
    if (nowMs - this.lastForcedRefetchMs < this.timing.refetchMinIntervalSeconds * 1000) return false;
    this.lastForcedRefetchMs = nowMs;
    return true;
  }

  /** Fetches now, whatever the cache holds; shares a fetch in flight, rejects at once during the back-off. */
  fetch(nowMs: number): Promise<E> {
    return this.gate.run(nowMs, this.what, async (atMs) => {
      const entry = await this.load(atMs);
      this.cached = entry;
      return entry;
    });
  }

  /** The fetch in flight, if any: a request whose kid the cached keys lack waits for it (decide.ts). */
  pending(): Promise<E> | undefined {
    return this.gate.pending();
  }

  /** Fetches started, for the benchmark and tests. */
  get fetches(): number {
    return this.gate.attempts;
  }
}
