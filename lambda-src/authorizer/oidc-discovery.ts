/**
 * OIDC discovery for JWKS mode: the JWK Set's URL is the `jwks_uri` of the issuer's
 * `/.well-known/openid-configuration`, fetched under the key fetch deadline with a small size
 * cap, over HTTPS only. The rules on what the document may say, and why its jwks_uri must stay
 * on the issuer's origin, are in src/authorizer/authorizer-contract.ts ("OIDC discovery"). Every
 * bad document fails closed (no key set, so every token is denied `keys_unavailable`) with one
 * of the reason codes below, reported to `onProblem` for the log. The discovered URL is cached
 * for the JWKS cache's TTL and forgotten when the key set cannot be fetched from it, so a
 * provider that moves its keys is followed at the next fetch. Pure: fetch and clock injected.
 */
import { DocumentFetchError, FetchProblem } from './jwks-cache';
import { discoveryUrlOf, isOnIssuerOrigin } from '../../src/authorizer/authorizer-contract';

export type DiscoveryProblem =
  | 'discovery_timeout'
  | 'discovery_http_status'
  | 'discovery_too_large'
  | 'discovery_unreachable'
  | 'discovery_not_json'
  | 'discovery_issuer_mismatch'
  | 'discovery_no_jwks_uri'
  | 'discovery_jwks_uri_not_https'
  | 'discovery_jwks_uri_off_origin';

/** Real documents are 1 to 5 KB (Cognito, Auth0, Okta, Entra ID); anything far larger is not one. */
export const MAX_DISCOVERY_DOCUMENT_BYTES = 64 * 1024;

const FETCH_PROBLEMS: Readonly<Record<FetchProblem, DiscoveryProblem>> = {
  timeout: 'discovery_timeout',
  http_status: 'discovery_http_status',
  too_large: 'discovery_too_large',
  unreachable: 'discovery_unreachable',
};

/** The jwks_uri a discovery document names for `issuer`, or why it must not be used. */
export function jwksUriOf(body: string, issuer: string): URL | DiscoveryProblem {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return 'discovery_not_json';
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'discovery_not_json';
  const { issuer: claimed, jwks_uri: jwksUri } = doc as Record<string, unknown>;
  // OIDC Discovery 4.3: identical to the URL the document was fetched under. No normalising.
  if (claimed !== issuer) return 'discovery_issuer_mismatch';
  if (typeof jwksUri !== 'string' || jwksUri.length === 0 || jwksUri.length > 2048) return 'discovery_no_jwks_uri';
  let url: URL;
  try {
    url = new URL(jwksUri);
  } catch {
    return 'discovery_no_jwks_uri';
  }
  if (url.protocol !== 'https:') return 'discovery_jwks_uri_not_https';
  if (url.username || url.password || !isOnIssuerOrigin(url, new URL(issuer))) return 'discovery_jwks_uri_off_origin';
  return url;
}

export class DiscoveryFailed extends Error {
  constructor(readonly problem: DiscoveryProblem) {
    super(problem);
  }
}

export interface DiscoveringFetcherOptions {
  readonly issuerUrl: string;
  /** How long a discovered jwks_uri is used before the document is read again (the JWKS cache's TTL). */
  readonly ttlSeconds: number;
  /** The deadline for discovery and key set together. */
  readonly timeoutMs: number;
  /** GET with a deadline and a size cap; rejects with a DocumentFetchError (jwks-cache.ts's fetchJwksDocument). */
  readonly fetchDocument: (url: URL, timeoutMs: number, maxResponseBytes?: number) => Promise<string>;
  readonly now: () => number;
  readonly onProblem?: (problem: DiscoveryProblem) => void;
}

/** The JwksCache's fetchJwks for discovery mode, with the discovered URL cached. */
export class DiscoveringJwksFetcher {
  private discovered: { readonly url: URL; readonly atMs: number } | undefined;
  private readonly documentUrl: URL;
  /** Discovery documents fetched, for tests and the benchmark. */
  discoveries = 0;

  constructor(private readonly options: DiscoveringFetcherOptions) {
    this.documentUrl = new URL(discoveryUrlOf(options.issuerUrl));
  }

  /** Resolves with the key set's body; both requests share one deadline. */
  readonly fetchJwks = async (): Promise<string> => {
    const started = this.options.now();
    const jwksUrl = await this.jwksUrl(started);
    const left = this.options.timeoutMs - (this.options.now() - started);
    if (left <= 0) throw new DocumentFetchError('timeout');
    try {
      return await this.options.fetchDocument(jwksUrl, left);
    } catch (e) {
      // The provider may have moved its keys: read the document again next time.
      this.discovered = undefined;
      throw e;
    }
  };

  private async jwksUrl(nowMs: number): Promise<URL> {
    const d = this.discovered;
    if (d && nowMs - d.atMs < this.options.ttlSeconds * 1000) return d.url;
    this.discovered = undefined;
    this.discoveries++;
    let result: URL | DiscoveryProblem;
    try {
      const body = await this.options.fetchDocument(this.documentUrl, this.options.timeoutMs, MAX_DISCOVERY_DOCUMENT_BYTES);
      result = jwksUriOf(body, this.options.issuerUrl);
    } catch (e) {
      result = e instanceof DocumentFetchError ? FETCH_PROBLEMS[e.problem] : 'discovery_unreachable';
    }
    if (typeof result === 'string') {
      this.options.onProblem?.(result);
      throw new DiscoveryFailed(result);
    }
    this.discovered = { url: result, atMs: nowMs };
    return result;
  }
}
