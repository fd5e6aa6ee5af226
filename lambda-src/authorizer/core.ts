/**
 * Pure core of the JWT authorizer: configuration, token verification and IAM policy building.
 * No AWS SDK, no clock, no I/O: everything arrives as arguments, so every rule here is unit
 * tested and fuzzed without a network. The adapter (index.ts) only fetches the key ring.
 *
 * ## Environment variables (the construct sets these on the function)
 *
 * | Name                               | Format                      | Default | Notes |
 * |------------------------------------|-----------------------------|---------|-------|
 * | `JWT_SECRET_ID`                    | secret name or ARN          | (required) | read by index.ts; AWSCURRENT only |
 * | `JWT_ISSUER`                       | string                      | (required) | `iss` must equal it exactly |
 * | `JWT_AUDIENCE`                     | string                      | (required) | `aud` (string, or array of strings) must contain it |
 * | `ROLE_PERMISSIONS`                 | JSON object, see below      | (required) | role → permissions |
 * | `PERMISSION_METHODS`               | JSON object, see below      | (required) | permission → API methods |
 * | `JWT_ROLE_CLAIM`                   | claim name                  | `role`  | `^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$`, not a registered claim |
 * | `JWT_MAX_TOKEN_LIFETIME_SECONDS`   | integer 1..86400            | `3600`  | `exp - iat` may not exceed it |
 * | `JWT_MAX_TOKEN_AGE_SECONDS`        | integer 1..604800           | `3600`  | `now - iat` may not exceed it |
 * | `JWT_CLOCK_SKEW_SECONDS`           | integer 0..300              | `60`    | tolerance for `exp`, `nbf`, `iat` |
 * | `JWT_MAX_TOKEN_BYTES`              | integer 256..65536          | `8192`  | longer tokens are rejected unparsed |
 * | `KEY_CACHE_TTL_SECONDS`            | integer 0..3600             | `300`   | read by index.ts; key ring cache lifetime (0 = fetch per request) |
 * | `KEY_REFETCH_MIN_INTERVAL_SECONDS` | integer 1..3600             | `30`    | read by index.ts; unknown-kid refetch rate limit |
 *
 * Any variable that is present but malformed, or a required one that is missing, makes the
 * configuration invalid, and an invalid configuration denies every request (fail closed):
 * a typo in a role map must never widen access, so it is never "repaired" or partly applied.
 *
 * ## Role map format
 *
 * `ROLE_PERMISSIONS` maps a role (the value of the role claim) to a non-empty list of
 * permission names; `PERMISSION_METHODS` maps every permission to a non-empty list of
 * `"<METHOD> <path>"` strings:
 *
 * ```json
 * ROLE_PERMISSIONS   = {"admin":["user:read:any","user:write:any"],"user":["user:read:own"]}
 * PERMISSION_METHODS = {"user:read:own":["GET /users/me"],
 *                       "user:read:any":["GET /users","GET /users/*"],
 *                       "user:write:any":["PUT /users/*","DELETE /users/*"]}
 * ```
 *
 * - role and permission names: `^[A-Za-z0-9_.:-]{1,128}$`.
 * - METHOD: `GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|*` (`*` = any method).
 * - path: `/` or `/seg/seg...`, each segment of `[A-Za-z0-9._~:@!$&'()+,;=%-]` or `*`. The path
 *   is copied into an execute-api ARN, where `*` matches any characters, including `/`
 *   (so `/users/*` also covers `/users/1/orders`). Path parameters are not named (`{id}`): the
 *   ARN holds the concrete request path, so use `*`.
 * - every permission a role names must be defined in `PERMISSION_METHODS` (a dangling name is
 *   almost always a typo, so it invalidates the configuration rather than being skipped).
 *
 * ## What the construct must grant and configure
 *
 * - IAM: `secretsmanager:GetSecretValue` on the secret (the handler only ever asks for
 *   VersionStage AWSCURRENT, so a `secretsmanager:VersionStage = AWSCURRENT` condition may be
 *   added); `kms:Decrypt` on the secret's key (via Secrets Manager only); the usual CloudWatch
 *   Logs permissions. Nothing else: the handler calls no other API.
 * - Handler `index.handler`, code `assets/authorizer`. TOKEN authorizer (identity source
 *   `method.request.header.Authorization`) or REQUEST authorizer with that header as identity
 *   source. Authorizer result caching is safe across methods (the policy covers all of the
 *   role's methods), but a cached Allow outlives the token's `exp` by up to the cache TTL, so
 *   keep that TTL short (e.g. 300 s or less).
 * - Logs: one JSON line per request, `{"source":"jwt-authorizer","level","decision":"allow"|
 *   "deny","reason":<DenyReason|"ok">,"eventType","kid"?,"role"?}`, and one `level:"error"` line
 *   at cold start when the configuration is invalid. A metric filter on `decision = "deny"`
 *   (or `reason = "config_invalid"` / `"keys_unavailable"`) gives alarms.
 *
 * A successful check returns an Allow policy listing every method the role may call (not only
 * the requested one), built on the incoming methodArn's `arn:<partition>:execute-api:<region>:
 * <account>:<apiId>/<stage>/` prefix, so API Gateway's authorizer cache returns a correct answer
 * for any method later called with the same token. A method outside the role's list gets 403
 * from API Gateway's policy evaluation; a bad token gets 401.
 */
import { hs256SignatureMatches } from '../jwt/hs256';

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
  | 'internal_error';

// ---------------------------------------------------------------------------------------------
// Configuration

export interface AuthorizerConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly roleClaim: string;
  readonly maxTokenLifetimeSeconds: number;
  readonly maxTokenAgeSeconds: number;
  readonly clockSkewSeconds: number;
  readonly maxTokenBytes: number;
  readonly keyCacheTtlSeconds: number;
  readonly keyRefetchMinIntervalSeconds: number;
  /** role → deduplicated, sorted `METHOD /path` list. A Map so `__proto__` is just a string. */
  readonly roleMethods: ReadonlyMap<string, readonly ApiMethod[]>;
}

export interface ApiMethod {
  readonly method: string;
  readonly path: string;
}

export type ConfigResult =
  | { readonly ok: true; readonly config: AuthorizerConfig }
  /** `problem` names the variable and rule; it never echoes a value. */
  | { readonly ok: false; readonly problem: string };

export const DEFAULTS = {
  roleClaim: 'role',
  maxTokenLifetimeSeconds: 3600,
  maxTokenAgeSeconds: 3600,
  clockSkewSeconds: 60,
  maxTokenBytes: 8192,
  keyCacheTtlSeconds: 300,
  keyRefetchMinIntervalSeconds: 30,
} as const;

const NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
const CLAIM_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
// The role claim cannot reuse a registered claim: `sub` as a role would make every subject a role.
const REGISTERED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti']);
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', '*']);
const PATH_PATTERN = /^\/(?:[A-Za-z0-9._~:@!$&'()+,;=%*-]+(?:\/[A-Za-z0-9._~:@!$&'()+,;=%*-]+)*)?$/;
const MAX_METHODS_PER_ROLE = 200;

class ConfigError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requiredString(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '' || value !== value.trim()) {
    throw new ConfigError(`${name} is required and must not have surrounding whitespace`);
  }
  return value;
}

function integer(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw new ConfigError(`${name} must be an integer from ${min} to ${max}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

function jsonObject(env: Readonly<Record<string, string | undefined>>, name: string): Record<string, unknown> {
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

function nonEmptyStringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    throw new ConfigError(`${where} must be a non-empty array of strings`);
  }
  return value as string[];
}

function parseMethod(spec: string, where: string): ApiMethod {
  const match = /^([A-Z]+|\*) (\/\S*)$/.exec(spec);
  if (!match || !METHODS.has(match[1]) || !PATH_PATTERN.test(match[2])) {
    throw new ConfigError(`${where} entries must look like "GET /users/*" (method ${[...METHODS].join('|')}, path of URL-safe segments or *)`);
  }
  return { method: match[1], path: match[2] };
}

function parseRoleMethods(env: Readonly<Record<string, string | undefined>>): Map<string, ApiMethod[]> {
  const roles = jsonObject(env, 'ROLE_PERMISSIONS');
  const permissions = jsonObject(env, 'PERMISSION_METHODS');

  const methodsByPermission = new Map<string, ApiMethod[]>();
  for (const [permission, specs] of Object.entries(permissions)) {
    if (!NAME_PATTERN.test(permission)) throw new ConfigError('PERMISSION_METHODS keys must match [A-Za-z0-9_.:-]{1,128}');
    const list = nonEmptyStringList(specs, 'PERMISSION_METHODS values');
    methodsByPermission.set(permission, list.map((s) => parseMethod(s, 'PERMISSION_METHODS values')));
  }

  const roleMethods = new Map<string, ApiMethod[]>();
  for (const [role, names] of Object.entries(roles)) {
    if (!NAME_PATTERN.test(role)) throw new ConfigError('ROLE_PERMISSIONS keys must match [A-Za-z0-9_.:-]{1,128}');
    const unique = new Map<string, ApiMethod>();
    for (const name of nonEmptyStringList(names, 'ROLE_PERMISSIONS values')) {
      const methods = methodsByPermission.get(name);
      if (!methods) throw new ConfigError('ROLE_PERMISSIONS names a permission that PERMISSION_METHODS does not define');
      for (const m of methods) unique.set(`${m.method} ${m.path}`, m);
    }
    if (unique.size > MAX_METHODS_PER_ROLE) {
      // Keeps the policy document well under API Gateway's authorizer response size limit.
      throw new ConfigError(`a role may grant at most ${MAX_METHODS_PER_ROLE} distinct methods`);
    }
    roleMethods.set(role, [...unique.keys()].sort().map((k) => unique.get(k)!));
  }
  if (roleMethods.size === 0) throw new ConfigError('ROLE_PERMISSIONS must define at least one role');
  return roleMethods;
}

/** Reads the configuration from the environment. Never throws: an invalid one is a value. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  try {
    const roleClaim = env.JWT_ROLE_CLAIM === undefined || env.JWT_ROLE_CLAIM === '' ? DEFAULTS.roleClaim : env.JWT_ROLE_CLAIM;
    if (!CLAIM_NAME_PATTERN.test(roleClaim) || REGISTERED_CLAIMS.has(roleClaim)) {
      throw new ConfigError('JWT_ROLE_CLAIM must match [A-Za-z_][A-Za-z0-9_.:-]{0,63} and not be a registered claim');
    }
    const config: AuthorizerConfig = {
      issuer: requiredString(env, 'JWT_ISSUER'),
      audience: requiredString(env, 'JWT_AUDIENCE'),
      roleClaim,
      maxTokenLifetimeSeconds: integer(env, 'JWT_MAX_TOKEN_LIFETIME_SECONDS', DEFAULTS.maxTokenLifetimeSeconds, 1, 86_400),
      maxTokenAgeSeconds: integer(env, 'JWT_MAX_TOKEN_AGE_SECONDS', DEFAULTS.maxTokenAgeSeconds, 1, 604_800),
      clockSkewSeconds: integer(env, 'JWT_CLOCK_SKEW_SECONDS', DEFAULTS.clockSkewSeconds, 0, 300),
      maxTokenBytes: integer(env, 'JWT_MAX_TOKEN_BYTES', DEFAULTS.maxTokenBytes, 256, 65_536),
      keyCacheTtlSeconds: integer(env, 'KEY_CACHE_TTL_SECONDS', DEFAULTS.keyCacheTtlSeconds, 0, 3600),
      keyRefetchMinIntervalSeconds: integer(env, 'KEY_REFETCH_MIN_INTERVAL_SECONDS', DEFAULTS.keyRefetchMinIntervalSeconds, 1, 3600),
      roleMethods: parseRoleMethods(env),
    };
    return { ok: true, config };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, problem: e.message };
    return { ok: false, problem: 'unexpected error while reading the configuration' };
  }
}

// ---------------------------------------------------------------------------------------------
// Token structure (everything checked before any key is looked up or any HMAC computed)

export const KID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/**
 * Alphabet check of the whole compact token in one pass: header and payload non-empty, the
 * signature possibly empty (its length is judged later, with its own reason code). The dot count
 * is checked before this, so the two dots here are the only two.
 */
const B64URL_TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
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

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

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
function isCanonicalB64url(text: string, start: number, end: number): boolean {
  const rest = (end - start) % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  // rest 2: 12 bits carry 8, the low 4 are unused; rest 3: 18 bits carry 16, the low 2 are unused.
  return (b64urlValue(text.charCodeAt(end - 1)) & (rest === 2 ? 0x0f : 0x03)) === 0; // eslint-disable-line no-bitwise
}

function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    // Fatal UTF-8 decoding: invalid byte sequences are refused, never replaced with U+FFFD.
    const value: unknown = JSON.parse(utf8.decode(Buffer.from(segment, 'base64url')));
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

  const role = Object.prototype.hasOwnProperty.call(payload, config.roleClaim) ? payload[config.roleClaim] : undefined;
  if (typeof role !== 'string') return 'bad_role';
  if (!config.roleMethods.has(role)) return 'unknown_role';
  return { sub, role };
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

/**
 * Verifies a compact HS256 JWS. `keys` is `verificationKeys(ring, now)` (current plus unexpired
 * previous keys, by kid), or undefined when the secret holds no ring yet.
 */
export function verifyToken(
  token: string,
  keys: ReadonlyMap<string, Buffer> | undefined,
  now: Date,
  config: AuthorizerConfig,
): VerifyResult {
  const parsed = parseToken(token, config);
  if (!parsed.ok) return parsed;
  return verifyParsedToken(parsed.token, keys, now, config);
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

export interface AllowResponse {
  readonly principalId: string;
  readonly policyDocument: {
    readonly Version: '2012-10-17';
    readonly Statement: ReadonlyArray<{
      readonly Action: 'execute-api:Invoke';
      readonly Effect: 'Allow';
      readonly Resource: readonly string[];
    }>;
  };
  readonly context: { readonly sub: string; readonly role: string };
}

/** Resource lists by config, then by `role prefix`; bounded, and only ever holds frozen arrays. */
const resourceCache = new WeakMap<AuthorizerConfig, Map<string, readonly string[]>>();
const MAX_CACHED_RESOURCE_LISTS = 1024;

function resourcesFor(role: string, prefix: string, config: AuthorizerConfig): readonly string[] | undefined {
  let byKey = resourceCache.get(config);
  if (!byKey) {
    byKey = new Map();
    resourceCache.set(config, byKey);
  }
  // Role names cannot contain a space (NAME_PATTERN), so the key is unambiguous.
  const cacheKey = `${role} ${prefix}`;
  const hit = byKey.get(cacheKey);
  if (hit) return hit;
  const methods = config.roleMethods.get(role);
  if (!methods || methods.length === 0) return undefined;
  // The ARN path omits the leading slash: `.../GET/users/me`; the root resource is `.../GET/`.
  // Frozen, as every response for this role and stage shares it.
  const resources = Object.freeze(methods.map((m) => `${prefix}${m.method}/${m.path.slice(1)}`));
  // A handful of (role, stage) pairs in practice; the bound only matters if something is off.
  if (byKey.size >= MAX_CACHED_RESOURCE_LISTS) byKey.clear();
  byKey.set(cacheKey, resources);
  return resources;
}

/**
 * The Allow response for a verified identity on the stage of an already-parsed methodArn
 * (`parseMethodArn(...).prefix`). Returns undefined (deny) if the role has no methods.
 */
export function allowResponse(identity: VerifiedIdentity, arn: MethodArnPrefix, config: AuthorizerConfig): AllowResponse | undefined {
  const resources = resourcesFor(identity.role, arn.prefix, config);
  if (!resources) return undefined;
  return {
    principalId: identity.sub,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resources }],
    },
    context: { sub: identity.sub, role: identity.role },
  };
}

/**
 * The Allow response for a verified identity: every method its role grants, on the stage the
 * request came from. Returns undefined (deny) if the role has no methods or the ARN is unusable.
 */
export function buildPolicy(identity: VerifiedIdentity, methodArn: string, config: AuthorizerConfig): AllowResponse | undefined {
  const arn = parseMethodArn(methodArn);
  return arn ? allowResponse(identity, arn, config) : undefined;
}
