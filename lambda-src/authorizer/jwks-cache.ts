/**
 * The JWKS cache: the same rules as the key ring's KeyCache (key-cache.ts), for a JWK Set fetched
 * over HTTPS: a TTL, an unknown-kid refetch at most once per rate-limit window (a flood of
 * invented kids costs the identity provider one request per window), a back-off after a failed
 * fetch, and never an expired set served on failure (a key the provider withdrew stops working
 * within one TTL). Concurrent requests that need a fetch share the one in flight, so a burst at
 * cold start or at TTL expiry (a container serving several invocations at once) still costs one
 * request. Pure: the fetch and the time are injected.
 */
import { sendBeforeDeadline } from './deadline';
import { ResponseTooLarge } from './http-transport';
import { ParsedJwks, parseJwks } from './jwks';
import { FETCH_FAILURE_BACKOFF_MS, KeysUnavailable } from './key-cache';
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
  /** Told about every key a fetched set holds but this verifier ignores (reason codes only). */
  readonly onIgnoredKeys?: (ignored: ParsedJwks['ignored']) => void;
}

export class JwksCache {
  private cached: CachedJwks | undefined;
  private lastFailureMs = -Infinity;
  private lastForcedRefetchMs = -Infinity;
  private inFlight: Promise<CachedJwks> | undefined;
  /** Fetches started, for the benchmark and tests. */
  fetches = 0;

  constructor(private readonly options: JwksCacheOptions) {}

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

  fetch(nowMs: number): Promise<CachedJwks> {
    if (this.inFlight) return this.inFlight;
    if (nowMs - this.lastFailureMs < FETCH_FAILURE_BACKOFF_MS) return Promise.reject(new KeysUnavailable('backing off after a failed fetch'));
    this.fetches++;
    const pending = this.load(nowMs);
    this.inFlight = pending;
    const clear = (): void => { this.inFlight = undefined; };
    pending.then(clear, clear);
    return pending;
  }

  private async load(nowMs: number): Promise<CachedJwks> {
    try {
      const jwks = parseJwks(await this.options.fetchJwks(nowMs), this.options.algorithms);
      if (jwks.ignored.length > 0) this.options.onIgnoredKeys?.(jwks.ignored);
      const entry = { jwks, fetchedAtMs: nowMs };
      this.cached = entry;
      return entry;
    } catch {
      this.lastFailureMs = nowMs;
      throw new KeysUnavailable('fetching or parsing the JWKS failed');
    }
  }
}

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
