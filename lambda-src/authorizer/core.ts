/**
 * Pure core of the JWT authorizer: configuration, token verification and IAM policy building.
 * No AWS SDK, no clock, no I/O: everything arrives as arguments, so every rule here is unit
 * tested and fuzzed without a network.
 *
 * Environment variable names, their ranges and defaults, and the role-map grammar are the
 * contract in src/private/authorizer-contract.ts, shared with the construct (which validates the
 * same values with the same functions at synth time). Any variable that is present but
 * malformed, or a required one that is missing, makes the configuration invalid, and an invalid
 * configuration denies every request (fail closed): a typo in a role map must never widen
 * access, so it is never "repaired" or partly applied.
 *
 * ## What the construct must grant and configure
 *
 * - IAM: `secretsmanager:GetSecretValue` on the secret (the handler only ever asks for
 *   VersionStage AWSCURRENT); `kms:Decrypt` on the secret's key (via Secrets Manager only); the
 *   usual CloudWatch Logs permissions. Nothing else: the handler calls no other API.
 * - Handler `index.handler`, code `assets/authorizer` (HS256 ring; `assets/authorizer-jwks` for the asymmetric key sources). TOKEN authorizer (identity source the
 *   configured header) or REQUEST authorizer with that header as identity source and
 *   `JWT_HEADER_NAME` naming it. A cached Allow outlives the token's `exp` by up to the cache
 *   TTL, so keep that TTL short (e.g. 300 s or less).
 * - Logs: one JSON line per request, `{"source":"jwt-authorizer","level","decision":"allow"|
 *   "deny","reason":<DenyReason|"ok">,"eventType","kid"?,"role"?}`, and one `level:"error"` line
 *   at cold start when the configuration is invalid.
 *
 * A successful check returns an Allow policy listing every method the role may call (not only
 * the requested one, each with an explicit verb: a `*` method is expanded), built on the
 * incoming methodArn's `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/` prefix,
 * so API Gateway's authorizer cache returns a correct answer for any method later called with
 * the same token. A method outside the role's list gets 403; a bad token gets 401.
 */
import { isUtf8 } from 'buffer';
import { ApiMethod, checkRoleMap, DEFAULT_HEADER_NAME, DEFAULT_ROLE_CLAIM, ENV, headerNameProblem, IntegerLimit, LIMITS, roleClaimProblem } from '../../src/private/authorizer-contract';
import { hs256SignatureMatches } from '../jwt/hs256';

export type { ApiMethod } from '../../src/private/authorizer-contract';

// ---------------------------------------------------------------------------------------------
// Reason codes: the only thing logged about a rejected request.

export type DenyReason =
  | 'config_invalid'
  | 'no_token'
  | 'bad_method_arn'
  | 'token_too_large'
  | 'malformed_token'
  | 'bad_encoding'
  | 'bad_header'
  | 'bad_alg'
  | 'bad_typ'
  | 'bad_kid'
  | 'forbidden_header'
  | 'bad_payload'
  | 'no_keys'
  | 'keys_unavailable'
  | 'unknown_kid'
  | 'bad_signature'
  | 'bad_exp'
  | 'expired'
  | 'bad_nbf'
  | 'not_yet_valid'
  | 'bad_iat'
  | 'iat_in_future'
  | 'token_too_old'
  | 'lifetime_too_long'
  | 'bad_iss'
  | 'bad_aud'
  | 'bad_sub'
  | 'bad_role'
  | 'unknown_role'
  | 'internal_error'
  // Asymmetric (JWKS) verification only: see asymmetric.ts.
  | 'key_alg_mismatch'
  | 'too_many_roles';

// ---------------------------------------------------------------------------------------------
// Configuration

export interface AuthorizerConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly roleClaim: string;
  /** The header a REQUEST event carries the token in (TOKEN events carry it as authorizationToken). */
  readonly headerName: string;
  readonly maxTokenLifetimeSeconds: number;
  readonly maxTokenAgeSeconds: number;
  readonly clockSkewSeconds: number;
  readonly maxTokenBytes: number;
  readonly keyCacheTtlSeconds: number;
  readonly keyRefetchMinIntervalSeconds: number;
  readonly keyFetchTimeoutMs: number;
  /** role → deduplicated, sorted explicit methods. A Map so `__proto__` is just a string. */
  readonly roleMethods: ReadonlyMap<string, readonly ApiMethod[]>;
}

export type ConfigResult =
  | { readonly ok: true; readonly config: AuthorizerConfig }
  /** `problem` names the variable and rule; it never echoes a value. */
  | { readonly ok: false; readonly problem: string };

type Env = Readonly<Record<string, string | undefined>>;

class ConfigError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requiredString(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '' || value !== value.trim()) {
    throw new ConfigError(`${name} is required and must not have surrounding whitespace`);
  }
  return value;
}

function optionalString(env: Env, name: string, fallback: string, problemOf: (v: string) => string | undefined): string {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? fallback : raw;
  const problem = problemOf(value);
  if (problem) throw new ConfigError(`${name} ${problem}`);
  return value;
}

function integer(env: Env, key: keyof typeof LIMITS): number {
  const name = ENV[key];
  const limit: IntegerLimit = LIMITS[key];
  const raw = env[name];
  if (raw === undefined || raw === '') return limit.default;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= limit.min && value <= limit.max)) throw new ConfigError(`${name} must be an integer from ${limit.min} to ${limit.max}`);
  return value;
}

function jsonObject(env: Env, name: string): Record<string, unknown> {
  const raw = requiredString(env, name);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError(`${name} must be JSON`);
  }
  if (!isRecord(value)) throw new ConfigError(`${name} must be a JSON object`);
  return value;
}

/** Reads the configuration from the environment. Never throws: an invalid one is a value. */
export function parseConfig(env: Env): ConfigResult {
  try {
    const roles = jsonObject(env, ENV.rolePermissions);
    const permissions = jsonObject(env, ENV.permissionMethods);
    const roleMap = checkRoleMap(roles, permissions);
    if (!roleMap.ok) throw new ConfigError(`${ENV[roleMap.input]}: ${roleMap.rule}`);
    const config: AuthorizerConfig = {
      issuer: requiredString(env, ENV.issuer),
      audience: requiredString(env, ENV.audience),
      roleClaim: optionalString(env, ENV.roleClaim, DEFAULT_ROLE_CLAIM, roleClaimProblem),
      headerName: optionalString(env, ENV.headerName, DEFAULT_HEADER_NAME, headerNameProblem),
      maxTokenLifetimeSeconds: integer(env, 'maxTokenLifetimeSeconds'),
      maxTokenAgeSeconds: integer(env, 'maxTokenAgeSeconds'),
      clockSkewSeconds: integer(env, 'clockSkewSeconds'),
      maxTokenBytes: integer(env, 'maxTokenBytes'),
      keyCacheTtlSeconds: integer(env, 'keyCacheTtlSeconds'),
      keyRefetchMinIntervalSeconds: integer(env, 'keyRefetchMinIntervalSeconds'),
      keyFetchTimeoutMs: integer(env, 'keyFetchTimeoutMs'),
      roleMethods: roleMap.roleMethods,
    };
    return { ok: true, config };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, problem: e.message };
    return { ok: false, problem: 'unexpected error while reading the configuration' };
  }
}

// ---------------------------------------------------------------------------------------------
// Token structure (everything checked before any key is looked up or any HMAC computed)

const KID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/**
 * Alphabet check of the whole compact token in one pass: header and payload non-empty, the
 * signature possibly empty (its length is judged later, with its own reason code). The dot count
 * is checked before this, so the two dots here are the only two.
 */
export const B64URL_TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** 32 HMAC-SHA-256 bytes as unpadded base64url. */
const HS256_SIGNATURE_CHARS = 43;
/**
 * The only header parameters a token may carry. An allow-list rather than a deny-list: crit,
 * jku, x5u, jwk, x5c, x5t, zip, enc, b64 and any parameter invented later are all refused,
 * since this verifier honours none of them and a token that relies on one is not for us.
 */
const ALLOWED_HEADER_PARAMS = new Set(['alg', 'typ', 'kid']);

export interface ParsedToken {
  readonly kid: string;
  readonly signingInput: string;
  readonly signature: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

export type ParseResult =
  | { readonly ok: true; readonly token: ParsedToken }
  | { readonly ok: false; readonly reason: DenyReason };


/** The 6-bit value of a base64url character already known to be in the alphabet. */
function b64urlValue(c: number): number {
  if (c >= 97) return c - 71; // a-z: 26..51
  if (c === 95) return 63; // _
  if (c >= 65) return c - 65; // A-Z: 0..25
  if (c >= 48) return c + 4; // 0-9: 52..61
  return 62; // -
}

/**
 * Canonical unpadded base64url, for `segment[start, end)` already known to be in the alphabet:
 * a length that is 1 mod 4 is never valid, and the unused low bits of the last character must
 * be zero (otherwise several texts decode to the same bytes, and the text would not be the
 * re-encoding of its bytes). Equivalent to "decodes, and re-encodes to the same text".
 */
export function isCanonicalB64url(text: string, start: number, end: number): boolean {
  const rest = (end - start) % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  // rest 2: 12 bits carry 8, the low 4 are unused; rest 3: 18 bits carry 16, the low 2 are unused.
  return (b64urlValue(text.charCodeAt(end - 1)) & (rest === 2 ? 0x0f : 0x03)) === 0; // eslint-disable-line no-bitwise
}

export function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    // Strict UTF-8: invalid byte sequences are refused, never replaced with U+FFFD. Exactly a
    // fatal TextDecoder (a leading byte-order mark is dropped), whose first use costs ~0.1 ms more
    // on the cold path (Node 20).
    const bytes = Buffer.from(segment, 'base64url');
    if (!isUtf8(bytes)) return undefined;
    const text = bytes.toString('utf8');
    const value: unknown = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function fail(reason: DenyReason): { ok: false; reason: DenyReason } {
  return { ok: false, reason };
}

/** Structural checks. Cheap, and they run before the key ring is even fetched. */
export function parseToken(token: string, config: Pick<AuthorizerConfig, 'maxTokenBytes'>): ParseResult {
  if (token.length === 0) return fail('no_token');
  if (token.length > config.maxTokenBytes) return fail('token_too_large');
  const dot1 = token.indexOf('.');
  const dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
  // Exactly three segments (two dots): JWE (five), unsigned two-part tokens and the like stop here.
  if (dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) return fail('malformed_token');
  // Strict base64url: alphabet only, no padding, canonical. The signature's canonical form is
  // judged after the header and payload checks, as its length is (a short one is bad_signature).
  if (!B64URL_TOKEN.test(token) || !isCanonicalB64url(token, 0, dot1) || !isCanonicalB64url(token, dot1 + 1, dot2)) {
    return fail('bad_encoding');
  }

  const header = decodeJsonObject(token.slice(0, dot1));
  if (!header) return fail('bad_header');
  // Exact, case-sensitive match: `none`, `None`, `HS384`, `RS256`, ... all stop here.
  if (header.alg !== 'HS256') return fail('bad_alg');
  const names = Object.keys(header);
  for (let i = 0; i < names.length; i++) {
    if (!ALLOWED_HEADER_PARAMS.has(names[i])) return fail('forbidden_header');
  }
  if ('typ' in header && header.typ !== 'JWT') return fail('bad_typ');
  if (typeof header.kid !== 'string' || !KID_PATTERN.test(header.kid)) return fail('bad_kid');

  const payload = decodeJsonObject(token.slice(dot1 + 1, dot2));
  if (!payload) return fail('bad_payload');
  // Empty, truncated or padded signatures end here; the comparison re-checks the length anyway.
  if (token.length - dot2 - 1 !== HS256_SIGNATURE_CHARS) return fail('bad_signature');
  if (!isCanonicalB64url(token, dot2 + 1, token.length)) return fail('bad_encoding');
  return { ok: true, token: { kid: header.kid, signingInput: token.slice(0, dot2), signature: token.slice(dot2 + 1), payload } };
}

// ---------------------------------------------------------------------------------------------
// Signature and claims

export interface VerifiedIdentity {
  readonly sub: string;
  readonly role: string;
}

export type VerifyResult =
  | { readonly ok: true; readonly identity: VerifiedIdentity; readonly kid: string }
  /** `kid` is set once it passed the kid pattern, so the adapter may log it and refetch on unknown_kid. */
  | { readonly ok: false; readonly reason: DenyReason; readonly kid?: string };

const MAX_SUB_LENGTH = 256;

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function checkClaims(payload: Readonly<Record<string, unknown>>, nowSeconds: number, config: AuthorizerConfig): DenyReason | VerifiedIdentity {
  const problem = registeredClaimsProblem(payload, nowSeconds, config);
  if (problem) return problem;
  const role = Object.prototype.hasOwnProperty.call(payload, config.roleClaim) ? payload[config.roleClaim] : undefined;
  if (typeof role !== 'string') return 'bad_role';
  if (!config.roleMethods.has(role)) return 'unknown_role';
  // registeredClaimsProblem checked sub is a non-empty string.
  return { sub: payload.sub as string, role };
}

/** exp, nbf, iat (with skew, age and lifetime bounds), iss, aud and sub: shared by the HS256 and JWKS paths. */
export function checkRegisteredClaims(
  payload: Readonly<Record<string, unknown>>, nowSeconds: number, config: AuthorizerConfig,
): { readonly ok: true; readonly sub: string } | { readonly ok: false; readonly reason: DenyReason } {
  const reason = registeredClaimsProblem(payload, nowSeconds, config);
  return reason ? { ok: false, reason } : { ok: true, sub: payload.sub as string };
}

function registeredClaimsProblem(payload: Readonly<Record<string, unknown>>, nowSeconds: number, config: AuthorizerConfig): DenyReason | undefined {
  const skew = config.clockSkewSeconds;
  const { exp, nbf, iat, iss, aud, sub } = payload;

  if (!isNumericDate(exp)) return 'bad_exp';
  if (nowSeconds >= exp + skew) return 'expired';
  if (nbf !== undefined) {
    if (!isNumericDate(nbf)) return 'bad_nbf';
    if (nbf > nowSeconds + skew) return 'not_yet_valid';
  }
  // iat is required: without it neither the age nor the lifetime bound can be enforced.
  if (!isNumericDate(iat)) return 'bad_iat';
  if (iat > nowSeconds + skew) return 'iat_in_future';
  if (nowSeconds - iat > config.maxTokenAgeSeconds) return 'token_too_old';
  if (exp - iat > config.maxTokenLifetimeSeconds) return 'lifetime_too_long';

  if (typeof iss !== 'string' || iss !== config.issuer) return 'bad_iss';
  if (typeof aud === 'string') {
    if (aud !== config.audience) return 'bad_aud';
  } else if (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string')) {
    if (!aud.includes(config.audience)) return 'bad_aud';
  } else {
    return 'bad_aud';
  }
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUB_LENGTH) return 'bad_sub';
  return undefined;
}

/** Checks signature and claims of an already-parsed token against the verification keys. */
export function verifyParsedToken(
  token: ParsedToken,
  keys: ReadonlyMap<string, Buffer> | undefined,
  now: Date,
  config: AuthorizerConfig,
): VerifyResult {
  const kid = token.kid;
  // No keys = the secret still holds its bootstrap value: nothing can be valid yet.
  if (!keys || keys.size === 0) return { ok: false, reason: 'no_keys', kid };
  const key = keys.get(kid);
  if (!key) return { ok: false, reason: 'unknown_kid', kid };
  if (!hs256SignatureMatches(token.signingInput, token.signature, key)) return { ok: false, reason: 'bad_signature', kid };
  const claims = checkClaims(token.payload, now.getTime() / 1000, config);
  if (typeof claims === 'string') return { ok: false, reason: claims, kid };
  return { ok: true, identity: claims, kid };
}

// ---------------------------------------------------------------------------------------------
// Request plumbing shared by TOKEN and REQUEST events

/**
 * Strips an optional `Bearer ` prefix (any case, exactly one space). Whatever remains must
 * still pass parseToken, so `Bearer  x` (two spaces) fails there as a malformed token.
 */
export function extractToken(headerValue: unknown): string | undefined {
  if (typeof headerValue !== 'string' || headerValue.length === 0) return undefined;
  return /^bearer /i.test(headerValue) ? headerValue.slice(7) : headerValue;
}

export interface MethodArnPrefix {
  /** `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/` */
  readonly prefix: string;
}

const METHOD_ARN = /^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+\/[A-Za-z0-9_-]+\/)[A-Z]+\/[^\s]*$/;

export function parseMethodArn(methodArn: unknown): MethodArnPrefix | undefined {
  if (typeof methodArn !== 'string' || methodArn.length > 2048) return undefined;
  const match = METHOD_ARN.exec(methodArn);
  return match ? { prefix: match[1] } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Policy

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: ReadonlyArray<{
    readonly Action: 'execute-api:Invoke';
    readonly Effect: 'Allow';
    readonly Resource: readonly string[];
  }>;
}

export interface AllowResponse {
  readonly principalId: string;
  readonly policyDocument: PolicyDocument;
  readonly context: { readonly sub: string; readonly role: string };
}

/**
 * Policy documents by config, then stage prefix, then role. A role's document on a stage is
 * the same for every request, so it is built once and shared, deeply frozen. Only roles of the
 * configuration get one; the prefix level is bounded, and only matters if something is off.
 */
const policyCache = new WeakMap<AuthorizerConfig, Map<string, Map<string, PolicyDocument>>>();
const MAX_CACHED_PREFIXES = 1024;

function policyFor(role: string, prefix: string, config: AuthorizerConfig): PolicyDocument | undefined {
  let byPrefix = policyCache.get(config);
  if (!byPrefix) {
    byPrefix = new Map();
    policyCache.set(config, byPrefix);
  }
  let byRole = byPrefix.get(prefix);
  if (!byRole) {
    if (byPrefix.size >= MAX_CACHED_PREFIXES) byPrefix.clear();
    byRole = new Map();
    byPrefix.set(prefix, byRole);
  }
  const hit = byRole.get(role);
  if (hit) return hit;
  const methods = config.roleMethods.get(role);
  if (!methods || methods.length === 0) return undefined;
  // The ARN path omits the leading slash: `.../GET/users/me`; the root resource is `.../GET/`.
  const resources = Object.freeze(methods.map((m) => `${prefix}${m.method}/${m.path.slice(1)}`));
  const statement = Object.freeze({ Action: 'execute-api:Invoke' as const, Effect: 'Allow' as const, Resource: resources });
  const doc: PolicyDocument = Object.freeze({ Version: '2012-10-17' as const, Statement: Object.freeze([statement]) });
  byRole.set(role, doc);
  return doc;
}

/**
 * The Allow response for a verified identity on the stage of an already-parsed methodArn
 * (`parseMethodArn(...).prefix`). Returns undefined (deny) if the role has no methods.
 */
export function allowResponse(identity: VerifiedIdentity, arn: MethodArnPrefix, config: AuthorizerConfig): AllowResponse | undefined {
  const policyDocument = policyFor(identity.role, arn.prefix, config);
  if (!policyDocument) return undefined;
  return { principalId: identity.sub, policyDocument, context: { sub: identity.sub, role: identity.role } };
}
