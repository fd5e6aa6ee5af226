/**
 * JWKS mode: RS256, PS256, ES256 and EdDSA (Ed25519) tokens verified with node:crypto against
 * the public keys of a JWK Set (jwks.ts). Pure apart from node:crypto; the keys arrive as an
 * argument. Rules beyond the HS256 path's (core.ts), each with its reason code:
 *
 * - `alg` must be in the configured allow-list (never `none`, never HS*: an HMAC "signed" with
 *   the public key's PEM or JWK bytes is refused before any key is looked up) and among the
 *   algorithms of the key its kid names (`key_alg_mismatch`): an RSA key never verifies ES256.
 * - header parameters are an allow-list: `alg`, `typ`, `kid` and the certificate thumbprint hints
 *   (`x5t`, `x5t#S256`, ignored) that Entra ID sends. `crit`, `jwk`, `jku`, `x5u`, `x5c` and
 *   anything else are `forbidden_header`: a key or key location named by the token is never
 *   trusted, only the configured JWKS.
 * - ES256 signatures are the 64-byte JOSE r||s form with 0 < r, s < n (CVE-2022-21449 class:
 *   r = s = 0 must never verify), checked before node:crypto sees them.
 * - the role claim may be a string, space-separated values (`scope`) or a list of strings
 *   (`cognito:groups`); the values the role map knows are granted together (the union of
 *   their methods), unknown values are ignored, and none known is `unknown_role`.
 */
import { constants, verify as cryptoVerify } from 'crypto';
import { ApiMethod, AuthorizerConfig, B64URL_TOKEN, checkRegisteredClaims, DenyReason, decodeJsonObject, isCanonicalB64url, VerifiedIdentity } from './core';
import { JWKS_KID_PATTERN, JwsAlgorithm, VerificationKey } from './jwks';
import { algorithmsProblem, ASYMMETRIC_ALGORITHMS, ENV, httpsUrlProblem, issuerUrlProblem, MAX_METHODS_PER_ROLE, MAX_ROLE_VALUES } from '../../src/authorizer/authorizer-contract';

/** Where the JWK Set is: a configured URL, or the `jwks_uri` of the issuer's discovery document. */
export type JwksLocation = { readonly url: string } | { readonly issuerUrl: string };

export type JwksSettings = JwksLocation & {
  readonly algorithms: readonly JwsAlgorithm[];
};

/**
 * The JWKS part of the configuration: undefined when neither JWT_JWKS_URL nor
 * JWT_OIDC_ISSUER_URL is set (HS256 mode), a problem string when it is unusable.
 */
export function parseJwksSettings(env: Readonly<Record<string, string | undefined>>): JwksSettings | undefined | { problem: string } {
  const url = env[ENV.jwksUrl] || undefined;
  const issuerUrl = env[ENV.oidcIssuerUrl] || undefined;
  if (url === undefined && issuerUrl === undefined) return undefined;
  if (url !== undefined && issuerUrl !== undefined) return { problem: `${ENV.jwksUrl} and ${ENV.oidcIssuerUrl} are exclusive` };
  let location: JwksLocation;
  if (url !== undefined) {
    const urlProblem = httpsUrlProblem(url);
    if (urlProblem) return { problem: `${ENV.jwksUrl} ${urlProblem}` };
    location = { url };
  } else {
    const issuerProblem = issuerUrlProblem(issuerUrl!);
    if (issuerProblem) return { problem: `${ENV.oidcIssuerUrl} ${issuerProblem}` };
    // Discovery vouches for one issuer: the one whose tokens are accepted.
    if (issuerUrl !== env[ENV.issuer]) return { problem: `${ENV.oidcIssuerUrl} must equal ${ENV.issuer}` };
    location = { issuerUrl: issuerUrl! };
  }
  const raw = env[ENV.algorithms];
  const algorithms = raw === undefined || raw === '' ? [...ASYMMETRIC_ALGORITHMS] : raw.split(',');
  const algProblem = algorithmsProblem(algorithms);
  if (algProblem) return { problem: `${ENV.algorithms} ${algProblem}` };
  return { ...location, algorithms: algorithms as JwsAlgorithm[] };
}

const HEADER_PARAMS = new Set(['alg', 'typ', 'kid', 'x5t', 'x5t#S256']);
const TYPES = new Set(['jwt', 'at+jwt', 'application/jwt', 'application/at+jwt']);
// Pure (no side effect) for esbuild: the HS256 asset imports this module through key-sources.ts
// but never verifies an ES256 signature, and must not build these at load (~60 us cold).
/** The order of the P-256 group, big-endian. */
const P256_N = /* @__PURE__ */ Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
const ZERO32 = /* @__PURE__ */ Buffer.alloc(32);

export interface AsymmetricToken {
  readonly alg: JwsAlgorithm;
  readonly kid: string;
  readonly signingInput: string;
  readonly signature: Buffer;
  readonly payload: Readonly<Record<string, unknown>>;
}

export type AsymmetricParse = { readonly ok: true; readonly token: AsymmetricToken } | { readonly ok: false; readonly reason: DenyReason };

const fail = (reason: DenyReason): { ok: false; reason: DenyReason } => ({ ok: false, reason });

interface CheckedHeader {
  readonly alg: JwsAlgorithm;
  readonly kid: string;
}

/**
 * Headers that passed every header check, by their exact base64url text, per allow-list: an
 * identity provider signs with a handful of keys, so the same few header segments recur on
 * every request and need decoding and checking once. Only accepted headers are kept (a refused
 * one is checked again each time), the text is the whole key (the same bytes always give the
 * same answer), and the map is bounded: a flood of invented kids empties it, nothing more.
 */
const checkedHeaders = new WeakMap<readonly string[], Map<string, CheckedHeader>>();
const MAX_CHECKED_HEADERS = 64;

function checkHeader(segment: string, algorithms: readonly string[]): CheckedHeader | DenyReason {
  const header = decodeJsonObject(segment);
  if (!header) return 'bad_header';
  if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) return 'bad_alg';
  for (const name of Object.keys(header)) {
    if (!HEADER_PARAMS.has(name)) return 'forbidden_header';
  }
  if ('typ' in header && (typeof header.typ !== 'string' || !TYPES.has(header.typ.toLowerCase()))) return 'bad_typ';
  if (typeof header.kid !== 'string' || !JWKS_KID_PATTERN.test(header.kid)) return 'bad_kid';
  return { alg: header.alg as JwsAlgorithm, kid: header.kid };
}

function cachedHeader(segment: string, algorithms: readonly string[]): CheckedHeader | DenyReason {
  let byText = checkedHeaders.get(algorithms);
  if (!byText) {
    byText = new Map();
    checkedHeaders.set(algorithms, byText);
  }
  const hit = byText.get(segment);
  if (hit) return hit;
  const checked = checkHeader(segment, algorithms);
  if (typeof checked === 'string') return checked;
  if (byText.size >= MAX_CHECKED_HEADERS) byText.clear();
  byText.set(segment, checked);
  return checked;
}

export function parseAsymmetricToken(token: string, maxTokenBytes: number, algorithms: readonly string[]): AsymmetricParse {
  if (token.length === 0) return fail('no_token');
  if (token.length > maxTokenBytes) return fail('token_too_large');
  const dot1 = token.indexOf('.');
  const dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
  if (dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) return fail('malformed_token');
  if (!B64URL_TOKEN.test(token) || !isCanonicalB64url(token, 0, dot1) || !isCanonicalB64url(token, dot1 + 1, dot2)
    || !isCanonicalB64url(token, dot2 + 1, token.length)) {
    return fail('bad_encoding');
  }
  const header = cachedHeader(token.slice(0, dot1), algorithms);
  if (typeof header === 'string') return fail(header);
  const payload = decodeJsonObject(token.slice(dot1 + 1, dot2));
  if (!payload) return fail('bad_payload');
  const signature = Buffer.from(token.slice(dot2 + 1), 'base64url');
  if (signature.length === 0) return fail('bad_signature');
  return { ok: true, token: { alg: header.alg, kid: header.kid, signingInput: token.slice(0, dot2), signature, payload } };
}

/** ES256 in JOSE form: exactly r||s, each in [1, n-1]. Range compares, so no slice is allocated. */
function isValidEs256Signature(sig: Buffer): boolean {
  return sig.length === 64
    && sig.compare(ZERO32, 0, 32, 0, 32) !== 0 && sig.compare(ZERO32, 0, 32, 32, 64) !== 0
    && sig.compare(P256_N, 0, 32, 0, 32) < 0 && sig.compare(P256_N, 0, 32, 32, 64) < 0;
}

/**
 * A JOSE r||s signature, already range-checked, as the DER SEQUENCE { INTEGER r, INTEGER s }
 * OpenSSL verifies natively: minimal big-endian integers, a 0x00 before a high bit. node:crypto's
 * own `dsaEncoding: 'ieee-p1363'` does this conversion too, but on Node 24 (OpenSSL 3.5) it costs
 * about a third of the verification (it reads the curve order out of the key on every call);
 * here it is a few byte copies.
 */
export function joseToDer(sig: Buffer): Buffer {
  let r = 0;
  while (r < 31 && sig[r] === 0) r++;
  let s = 32;
  while (s < 63 && sig[s] === 0) s++;
  const rPad = sig[r] >= 0x80 ? 1 : 0;
  const sPad = sig[s] >= 0x80 ? 1 : 0;
  const rLen = 32 - r + rPad;
  const sLen = 64 - s + sPad;
  const der = Buffer.alloc(6 + rLen + sLen);
  der[0] = 0x30;
  der[1] = 4 + rLen + sLen;
  der[2] = 0x02;
  der[3] = rLen;
  sig.copy(der, 4 + rPad, r, 32);
  der[4 + rLen] = 0x02;
  der[5 + rLen] = sLen;
  sig.copy(der, 6 + rLen + sPad, s, 64);
  return der;
}

export function signatureMatches(token: AsymmetricToken, key: VerificationKey): boolean {
  const data = Buffer.from(token.signingInput, 'latin1');
  switch (token.alg) {
    case 'RS256': return cryptoVerify('sha256', data, key.key, token.signature);
    case 'PS256': return cryptoVerify('sha256', data, { key: key.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, token.signature);
    case 'ES256': return isValidEs256Signature(token.signature) && cryptoVerify('sha256', data, key.key, joseToDer(token.signature));
    case 'EdDSA': return token.signature.length === 64 && cryptoVerify(null, data, key.key, token.signature);
    default: return false;
  }
}

export type AsymmetricVerify =
  | { readonly ok: true; readonly identity: VerifiedIdentity; readonly kid: string }
  | { readonly ok: false; readonly reason: DenyReason; readonly kid?: string };

/**
 * The role map extended on demand with unions of roles: a token holding several known roles is
 * granted the role named by their sorted, space-joined names (a space never occurs in a role
 * name), whose methods are the union. Bounded, like the policy cache.
 */
export class RoleUnions {
  private readonly methods: Map<string, readonly ApiMethod[]>;
  private readonly baseSize: number;
  readonly config: AuthorizerConfig;

  constructor(base: AuthorizerConfig) {
    this.methods = new Map(base.roleMethods);
    this.baseSize = this.methods.size;
    this.config = { ...base, roleMethods: this.methods };
  }

  /** The role to put in the identity, or a reason to deny. */
  roleOf(claim: unknown): { readonly role: string } | { readonly reason: DenyReason } {
    // The common case, one known role as a plain string, is answered without building a list.
    if (typeof claim === 'string' && !claim.includes(' ') && this.methods.has(claim)) return { role: claim };
    let values: unknown[];
    if (typeof claim === 'string') values = claim.split(' ');
    else if (Array.isArray(claim)) values = claim;
    else return { reason: 'bad_role' };
    if (values.length > MAX_ROLE_VALUES || !values.every((v) => typeof v === 'string')) return { reason: 'bad_role' };
    const known = [...new Set(values as string[])].filter((v) => !v.includes(' ') && this.methods.has(v)).sort();
    if (known.length === 0) return { reason: 'unknown_role' };
    if (known.length === 1) return { role: known[0] };
    const role = known.join(' ');
    if (this.methods.has(role)) return { role };
    const union = new Map<string, ApiMethod>();
    for (const r of known) for (const m of this.methods.get(r)!) union.set(`${m.method} ${m.path}`, m);
    if (union.size > MAX_METHODS_PER_ROLE) return { reason: 'too_many_roles' };
    if (this.methods.size >= this.baseSize + MAX_ROLE_UNIONS) {
      for (const k of [...this.methods.keys()]) if (k.includes(' ')) this.methods.delete(k);
    }
    this.methods.set(role, [...union.keys()].sort().map((k) => union.get(k)!));
    return { role };
  }
}

const MAX_ROLE_UNIONS = 256;

/** Signature, then claims, then role: never a claim looked at before the signature verified. */
export function verifyAsymmetric(
  token: AsymmetricToken, keys: ReadonlyMap<string, VerificationKey> | undefined, nowMs: number, roles: RoleUnions,
  refused?: ReadonlyMap<string, DenyReason>,
): AsymmetricVerify {
  const kid = token.kid;
  // A key the set holds but the verifier refuses (jwks.ts) is named as such, not as unknown.
  const refusal = refused?.get(kid);
  if (refusal) return { ok: false, reason: refusal, kid };
  if (!keys || keys.size === 0) return { ok: false, reason: 'no_keys', kid };
  const key = keys.get(kid);
  // A key past its `exp` is as gone as one the set no longer lists.
  if (!key || (key.expiresAtMs !== undefined && nowMs >= key.expiresAtMs)) return { ok: false, reason: 'unknown_kid', kid };
  if (!key.algorithms.has(token.alg)) return { ok: false, reason: 'key_alg_mismatch', kid };
  if (!signatureMatches(token, key)) return { ok: false, reason: 'bad_signature', kid };
  const config = roles.config;
  const claims = checkRegisteredClaims(token.payload, nowMs / 1000, config);
  if (!claims.ok) return { ok: false, reason: claims.reason, kid };
  const claim = Object.prototype.hasOwnProperty.call(token.payload, config.roleClaim) ? token.payload[config.roleClaim] : undefined;
  const role = roles.roleOf(claim);
  if ('reason' in role) return { ok: false, reason: role.reason, kid };
  return { ok: true, identity: { sub: claims.sub, role: role.role }, kid };
}
