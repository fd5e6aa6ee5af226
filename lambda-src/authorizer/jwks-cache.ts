/**
 * The JWKS cache: the key ring's rules (gated-key-cache.ts: TTL, unknown-kid refetch window, one
 * fetch in flight, back-off, no expired set served on failure) for a JWK Set read over HTTPS or
 * from S3, and each ignored key reported once. Also the GET of a JWKS or discovery document.
 * Pure: the fetch and the time are injected.
 */
import { sendBeforeDeadline } from './deadline';
import { GatedKeyCache, KeyCacheTiming } from './gated-key-cache';
import { ResponseTooLarge } from './http-transport';
import { ParsedJwks, parseJwks } from './jwks';
import type { Transport } from './transport';

export interface CachedJwks {
  readonly jwks: ParsedJwks;
  readonly fetchedAtMs: number;
}

export interface JwksCacheOptions extends KeyCacheTiming {
  /** Resolves with the JWKS document's body; rejects when it cannot. `nowMs` signs an S3 GetObject. */
  readonly fetchJwks: (nowMs: number) => Promise<string>;
  readonly algorithms: readonly string[];
  /** Told once about each key a fetched set holds but this verifier ignores (kid and reason code only). */
  readonly onIgnoredKeys?: (ignored: ParsedJwks['ignored']) => void;
}

export class JwksCache extends GatedKeyCache<CachedJwks> {
  /** The ignored keys already reported, so a set refetched every TTL does not repeat its warning. */
  private readonly reported = new Set<string>();

  constructor(private readonly options: JwksCacheOptions) {
    super(options, 'JWKS');
  }

  protected async load(nowMs: number): Promise<CachedJwks> {
    const jwks = parseJwks(await this.options.fetchJwks(nowMs), this.options.algorithms);
    this.report(jwks.ignored);
    return { jwks, fetchedAtMs: nowMs };
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
