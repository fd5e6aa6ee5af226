/**
 * The JWKS cache: the same rules as the key ring's KeyCache (key-cache.ts), for a JWK Set fetched
 * over HTTPS: a TTL, an unknown-kid refetch at most once per rate-limit window (a flood of
 * invented kids costs the identity provider one request per window), and never an expired set
 * served on failure (a key the provider withdrew stops working within one TTL). One fetch in
 * flight, shared by every request that needs it, and the back-off after a failed one are
 * fetch-gate.ts's rule, the same as the key ring's. Pure: the fetch and the time are injected.
 */
import { sendBeforeDeadline } from './deadline';
import { FetchGate } from './fetch-gate';
import { ResponseTooLarge } from './http-transport';
import { ParsedJwks, parseJwks } from './jwks';
import type { Transport } from './transport';

export interface CachedJwks {
  readonly jwks: ParsedJwks;
  readonly fetchedAtMs: number;
}

export interface JwksCacheOptions {
  /** Resolves with the JWKS document's body; rejects when it cannot. `nowMs` signs an S3 GetObject. */
  readonly fetchJwks: (nowMs: number) => Promise<string>;
  readonly algorithms: readonly string[];
  readonly ttlSeconds: number;
  readonly refetchMinIntervalSeconds: number;
  /** Told once about each key a fetched set holds but this verifier ignores (kid and reason code only). */
  readonly onIgnoredKeys?: (ignored: ParsedJwks['ignored']) => void;
  /** A monotonic millisecond clock, to time a failed fetch (fetch-gate.ts). @default performance.now */
  readonly elapsedClock?: () => number;
}

export class JwksCache {
  private cached: CachedJwks | undefined;
  private lastForcedRefetchMs = -Infinity;
  private readonly gate: FetchGate<CachedJwks>;
  /** The ignored keys already reported, so a set refetched every TTL does not repeat its warning. */
  private readonly reported = new Set<string>();

  constructor(private readonly options: JwksCacheOptions) {
    this.gate = new FetchGate(options.elapsedClock);
  }

  /** The fetch in flight, if any: a request whose kid the cached keys lack waits for it (decide.ts). */
  pending(): Promise<CachedJwks> | undefined {
    return this.gate.pending();
  }

  /** Fetches started, for the benchmark and tests. */
  get fetches(): number {
    return this.gate.attempts;
  }

  fresh(nowMs: number): CachedJwks | undefined {
    const c = this.cached;
    return c && nowMs - c.fetchedAtMs < this.options.ttlSeconds * 1000 ? c : undefined;
  }

  async current(nowMs: number): Promise<CachedJwks> {
    const fresh = this.fresh(nowMs);
    if (fresh) return fresh;
    this.cached = undefined;
    return this.fetch(nowMs);
  }

  claimForcedRefetch(entry: CachedJwks, nowMs: number): boolean {
    if (entry.fetchedAtMs === nowMs) return false;
    if (nowMs - this.lastForcedRefetchMs < this.options.refetchMinIntervalSeconds * 1000) return false;
    this.lastForcedRefetchMs = nowMs;
    return true;
  }

  /** Fetches the set now; shares a fetch already in flight, and rejects at once during the back-off. */
  fetch(nowMs: number): Promise<CachedJwks> {
    return this.gate.run(nowMs, 'JWKS', async (atMs) => {
      const jwks = parseJwks(await this.options.fetchJwks(atMs), this.options.algorithms);
      this.report(jwks.ignored);
      const entry = { jwks, fetchedAtMs: atMs };
      this.cached = entry;
      return entry;
    });
  }

  private report(ignored: ParsedJwks['ignored']): void {
    const fresh = ignored.filter((i) => !this.reported.has(`${i.kid ?? ''} ${i.reason}`));
    if (fresh.length === 0) return;
    // Bounded: a provider that rotates through many bad kids gets reported again, nothing more.
    if (this.reported.size + fresh.length > MAX_REPORTED_KEYS) this.reported.clear();
    for (const i of fresh) this.reported.add(`${i.kid ?? ''} ${i.reason}`);
    this.options.onIgnoredKeys?.(fresh);
  }
}

const MAX_REPORTED_KEYS = 1024;

/** Why a document could not be fetched: a code for the log, never the body. */
export type FetchProblem = 'timeout' | 'http_status' | 'too_large' | 'unreachable';

export class DocumentFetchError extends Error {
  constructor(readonly problem: FetchProblem) {
    super(problem);
  }
}

/**
 * GET `url` under one deadline for the whole exchange; any status but 200 is a failure, and so is
 * a body over `maxResponseBytes` (the transport's own cap otherwise). Rejects with a DocumentFetchError.
 */
export async function fetchJwksDocument(url: URL, timeoutMs: number, transport: Transport, maxResponseBytes?: number): Promise<string> {
  const response = await sendBeforeDeadline(transport, { url, method: 'GET', headers: { accept: 'application/json' }, body: '', maxResponseBytes }, timeoutMs,
    (reason, cause) => new DocumentFetchError(cause instanceof ResponseTooLarge ? 'too_large' : reason === 'timeout' ? 'timeout' : 'unreachable'));
  if (response.status !== 200) throw new DocumentFetchError('http_status');
  return response.body;
}
