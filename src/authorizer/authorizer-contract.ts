/**
 * The contract between the JwtAuthorizer construct (synth time) and its bundled handler (run
 * time): environment variable names, limits, defaults and the role-map grammar. Pure TypeScript
 * with no aws-cdk-lib import, so the construct imports it and esbuild bundles the same file into
 * `assets/authorizer` and `assets/authorizer-jwks` (lambda-src/authorizer/core.ts imports it): one rule, enforced on both sides
 * by one function, can never disagree.
 *
 * ## Role map
 *
 * `rolePermissions` (env `ROLE_PERMISSIONS`) maps a role, the value of the role claim, to a
 * non-empty list of permission names; `permissionMethods` (env `PERMISSION_METHODS`) maps each
 * permission to a non-empty list of `"<METHOD> <path>"` strings.
 *
 * - role and permission names: `NAME_PATTERN`.
 * - METHOD: one of `HTTP_METHODS`, or `*`, which is expanded to every one of `HTTP_METHODS`
 *   before a policy is built: the policy never holds a `*` in the verb position, so its meaning
 *   does not depend on whether a matcher lets that `*` cross the `/` into the path.
 * - path: `/`, or `/seg/seg...` where each segment is URL-safe characters (`PATH_SEGMENT`) or
 *   exactly `*`. A `*` segment matches any characters including `/` (IAM-style), so
 *   `/users/*` also covers `/users/1/orders`. Path parameters are written as `*`, never `{id}`:
 *   the policy resource holds the concrete request path.
 * - every permission a role names must be defined (a dangling name is almost always a typo);
 *   a role may resolve to at most `MAX_METHODS_PER_ROLE` explicit methods (policy size).
 */

/** Environment variables the construct sets and the handler reads. */
export const ENV = {
  secretId: 'JWT_SECRET_ID',
  issuer: 'JWT_ISSUER',
  audience: 'JWT_AUDIENCE',
  rolePermissions: 'ROLE_PERMISSIONS',
  permissionMethods: 'PERMISSION_METHODS',
  roleClaim: 'JWT_ROLE_CLAIM',
  headerName: 'JWT_HEADER_NAME',
  maxTokenLifetimeSeconds: 'JWT_MAX_TOKEN_LIFETIME_SECONDS',
  maxTokenAgeSeconds: 'JWT_MAX_TOKEN_AGE_SECONDS',
  clockSkewSeconds: 'JWT_CLOCK_SKEW_SECONDS',
  maxTokenBytes: 'JWT_MAX_TOKEN_BYTES',
  keyCacheTtlSeconds: 'KEY_CACHE_TTL_SECONDS',
  keyRefetchMinIntervalSeconds: 'KEY_REFETCH_MIN_INTERVAL_SECONDS',
  keyFetchTimeoutMs: 'KEY_FETCH_TIMEOUT_MS',
  /** Set instead of `secretId`: verify asymmetric tokens against this JWKS (see "JWKS mode"). */
  jwksUrl: 'JWT_JWKS_URL',
  /**
   * Set instead of `jwksUrl`: find the JWKS through this issuer's OpenID Connect discovery
   * document (see "OIDC discovery"). Equal to `issuer`, byte for byte.
   */
  oidcIssuerUrl: 'JWT_OIDC_ISSUER_URL',
  /** Comma-separated subset of ASYMMETRIC_ALGORITHMS; JWKS mode only. */
  algorithms: 'JWT_ALGORITHMS',
  /**
   * Set instead of `secretId` and `jwksUrl`: verify an asymmetric RotatingJwtSecret's tokens
   * against the JWKS its rotation publishes, read with a SigV4-signed S3 GetObject (ring JWKS
   * mode). `JWT_ALGORITHMS` then names the ring's one algorithm.
   */
  jwksBucket: 'JWT_JWKS_BUCKET',
  /** The JWKS object's key in `jwksBucket`. */
  jwksObjectKey: 'JWT_JWKS_OBJECT_KEY',
  /** The Region of `jwksBucket` (signs the GetObject; picks the endpoint's partition). */
  jwksBucketRegion: 'JWT_JWKS_BUCKET_REGION',
} as const;

export interface IntegerLimit {
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/** Integer settings: allowed range and default, in the unit their env name says. */
export const LIMITS = {
  maxTokenLifetimeSeconds: { min: 60, max: 86_400, default: 3600 },
  maxTokenAgeSeconds: { min: 60, max: 604_800, default: 3600 },
  clockSkewSeconds: { min: 0, max: 300, default: 60 },
  maxTokenBytes: { min: 256, max: 65_536, default: 8192 },
  keyCacheTtlSeconds: { min: 0, max: 3600, default: 300 },
  keyRefetchMinIntervalSeconds: { min: 1, max: 3600, default: 30 },
  /**
   * The whole Secrets Manager call (connect, TLS, request, body), not one socket timeout:
   * API Gateway waits 10 s at most for an authorizer, and a slow key fetch is a deny anyway.
   */
  keyFetchTimeoutMs: { min: 100, max: 5000, default: 2000 },
} as const satisfies Record<string, IntegerLimit>;

export const DEFAULT_ROLE_CLAIM = 'role';
export const DEFAULT_HEADER_NAME = 'Authorization';

export const NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
export const CLAIM_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
/** The role claim cannot reuse a registered claim: `sub` as a role would make every subject a role. */
export const REGISTERED_CLAIMS: readonly string[] = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];
/** An HTTP field name (RFC 9110 token), at most 64 characters. */
export const HEADER_NAME_PATTERN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
/** The explicit methods a `*` stands for. */
export const HTTP_METHODS: readonly string[] = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];
export const PATH_SEGMENT = /^(?:[A-Za-z0-9._~:@!$&'()+,;=%-]+|\*)$/;
/** Keeps the Allow policy well under API Gateway's authorizer response size limit. */
export const MAX_METHODS_PER_ROLE = 200;

export interface ApiMethod {
  /** An explicit HTTP method, never `*`. */
  readonly method: string;
  readonly path: string;
}

/** Which of the two role-map inputs a problem is in: the construct prop name. */
export type RoleMapInput = 'rolePermissions' | 'permissionMethods';

export type RoleMapResult =
  | {
    readonly ok: true;
    /** role → explicit methods, deduplicated and sorted. A Map so `__proto__` is just a string. */
    readonly roleMethods: ReadonlyMap<string, readonly ApiMethod[]>;
  }
  /**
   * `problem` names the rule broken and quotes the offending name (for a synth-time error);
   * `rule` states the same rule without quoting anything (for the handler's log).
   */
  | { readonly ok: false; readonly input: RoleMapInput; readonly problem: string; readonly rule: string };

const METHOD_SPEC = /^([A-Z]+|\*) (\/\S*)$/;
const METHOD_SYNTAX = `use "<${HTTP_METHODS.join('|')}|*> /path", with * for path parameters (a whole segment)`;

function isPath(path: string): boolean {
  if (path === '/') return true;
  const segments = path.split('/');
  return segments[0] === '' && segments.slice(1).every((s) => PATH_SEGMENT.test(s));
}

/** `"GET /users/*"` → its explicit methods (`*` expanded), or undefined if it breaks the grammar. */
export function parseMethodSpec(spec: string): ApiMethod[] | undefined {
  const match = METHOD_SPEC.exec(spec);
  if (!match || !isPath(match[2])) return undefined;
  const [, verb, path] = match;
  if (verb === '*') return HTTP_METHODS.map((method) => ({ method, path }));
  return HTTP_METHODS.includes(verb) ? [{ method: verb, path }] : undefined;
}

function quote(name: string): string {
  return `'${name.length > 64 ? `${name.slice(0, 64)}...` : name}'`;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a role map and resolves every role to its explicit methods. The construct throws the
 * problem as a ValidationError at synth; the handler denies every request (fail closed) with it.
 */
export function checkRoleMap(roles: unknown, permissions: unknown): RoleMapResult {
  const fail = (input: RoleMapInput, problem: string, rule: string = problem): RoleMapResult => ({ ok: false, input, problem, rule });
  if (!isObject(permissions)) return fail('permissionMethods', 'must be an object of permission to methods');
  if (!isObject(roles)) return fail('rolePermissions', 'must be an object of role to permissions');

  const methodsByPermission = new Map<string, ApiMethod[]>();
  for (const [permission, specs] of Object.entries(permissions)) {
    if (!NAME_PATTERN.test(permission)) return fail('permissionMethods', `has an invalid permission name ${quote(permission)} (allowed: ${NAME_PATTERN.source})`, `permission names must match ${NAME_PATTERN.source}`);
    if (!isStringList(specs) || specs.length === 0) return fail('permissionMethods', `${quote(permission)} must list at least one method, as strings`, 'every permission must list at least one method, as strings');
    const methods: ApiMethod[] = [];
    for (const spec of specs) {
      const parsed = parseMethodSpec(spec);
      if (!parsed) return fail('permissionMethods', `${quote(permission)} has ${quote(spec)}: ${METHOD_SYNTAX}`, `methods: ${METHOD_SYNTAX}`);
      methods.push(...parsed);
    }
    methodsByPermission.set(permission, methods);
  }

  const roleMethods = new Map<string, ApiMethod[]>();
  for (const [role, granted] of Object.entries(roles)) {
    if (!NAME_PATTERN.test(role)) return fail('rolePermissions', `has an invalid role name ${quote(role)} (allowed: ${NAME_PATTERN.source})`, `role names must match ${NAME_PATTERN.source}`);
    if (!isStringList(granted) || granted.length === 0) return fail('rolePermissions', `${quote(role)} must grant at least one permission, as strings`, 'every role must grant at least one permission, as strings');
    const unique = new Map<string, ApiMethod>();
    for (const name of granted) {
      const methods = methodsByPermission.get(name);
      if (!methods) return fail('rolePermissions', `${quote(role)} grants ${quote(name)}, which permissionMethods does not define`, 'names a permission that PERMISSION_METHODS does not define');
      for (const m of methods) unique.set(`${m.method} ${m.path}`, m);
    }
    if (unique.size > MAX_METHODS_PER_ROLE) {
      return fail('rolePermissions', `${quote(role)} resolves to ${unique.size} methods; at most ${MAX_METHODS_PER_ROLE} fit one authorizer policy (a * method counts ${HTTP_METHODS.length})`,
        `a role may resolve to at most ${MAX_METHODS_PER_ROLE} methods (a * method counts ${HTTP_METHODS.length})`);
    }
    roleMethods.set(role, [...unique.keys()].sort().map((k) => unique.get(k)!));
  }
  if (roleMethods.size === 0) return fail('rolePermissions', 'must define at least one role');
  return { ok: true, roleMethods };
}

/** The problem with a role claim name, or undefined when it is usable. */
export function roleClaimProblem(claim: string): string | undefined {
  if (!CLAIM_NAME_PATTERN.test(claim) || REGISTERED_CLAIMS.includes(claim)) {
    return `must match ${CLAIM_NAME_PATTERN.source} and not be a registered claim (${REGISTERED_CLAIMS.join(', ')})`;
  }
  return undefined;
}

/** The problem with a header name, or undefined when it is usable. */
export function headerNameProblem(name: string): string | undefined {
  return HEADER_NAME_PATTERN.test(name) ? undefined : `must be an HTTP header name matching ${HEADER_NAME_PATTERN.source}`;
}

// ---------------------------------------------------------------------------------------------
// JWKS mode: tokens from an identity provider (or an asymmetric key ring) verified against a
// published JWK Set. The handler reads only public keys: it needs no secret and no IAM grant.

/** The only algorithms JWKS mode verifies. Never `none`, never an HS* (a public key is no MAC key). */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];
/** A JWKS URL is fetched from Lambda on the public internet: HTTPS only, no credentials, bounded. */
export const MAX_JWKS_URL_LENGTH = 2048;
/** A role claim may hold a list (`cognito:groups`) or space-separated values (`scope`): at most this many. */
export const MAX_ROLE_VALUES = 64;

/** The problem with a JWKS (or issuer) URL, or undefined when it is usable. Never echoes the URL. */
export function httpsUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.protocol !== 'https:') return 'must be an https:// URL';
  if (parsed.username || parsed.password) return 'must not carry credentials';
  if (parsed.hash) return 'must not have a fragment';
  if (url.length > MAX_JWKS_URL_LENGTH) return `must be at most ${MAX_JWKS_URL_LENGTH} characters`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// OIDC discovery: the JWKS found through `<issuer>/.well-known/openid-configuration` (OpenID
// Connect Discovery 1.0, section 4). The document is fetched at run time, so what it may say is
// narrowed: its `issuer` must be the configured issuer byte for byte, and its `jwks_uri` an
// https:// URL on the issuer's own origin (scheme, host and port). Why the origin: the discovery
// document is the one input that decides which keys verify tokens, and it is fetched long after
// synth. Were an off-origin jwks_uri followed, whoever can alter that document (a compromised
// or misconfigured path on the issuer's host, a tenant-controlled page on a shared host, a
// poisoned cache in front of it) could point the verifier at a key set of their own and mint
// any token, and the function would talk to hosts nobody reviewed. On the issuer's origin the
// trust root stays the one TLS origin named at synth, which is also the one host an egress
// filter has to allow. Providers that publish keys elsewhere (Google: accounts.google.com
// issues, www.googleapis.com serves keys; Entra ID v1 tokens from sts.windows.net) are
// configured with an explicit JWKS URL, which a reviewer sees in the template.

/** The discovery document of `issuer`: one trailing slash dropped, the well-known path appended. */
export function discoveryUrlOf(issuer: string): string {
  return `${issuer.endsWith('/') ? issuer.slice(0, -1) : issuer}/.well-known/openid-configuration`;
}

/** The problem with an OIDC issuer URL (https, no query, no fragment, no credentials), or undefined. */
export function issuerUrlProblem(url: string): string | undefined {
  const problem = httpsUrlProblem(url);
  if (problem) return problem;
  const parsed = new URL(url);
  if (parsed.search || url.includes('?')) return 'must not have a query';
  return url.includes('#') ? 'must not have a fragment' : undefined;
}

/** Whether `jwksUri` is on the same origin (https, host, port) as `issuer`. Both already parsed. */
export function isOnIssuerOrigin(jwksUri: URL, issuer: URL): boolean {
  return jwksUri.protocol === 'https:' && jwksUri.origin === issuer.origin;
}

/** The problem with an algorithm allow-list, or undefined when it is usable. */
export function algorithmsProblem(algorithms: readonly string[]): string | undefined {
  if (algorithms.length === 0) return `must list at least one of ${ASYMMETRIC_ALGORITHMS.join(', ')}`;
  for (const alg of algorithms) {
    if (!ASYMMETRIC_ALGORITHMS.includes(alg)) return `may only list ${ASYMMETRIC_ALGORITHMS.join(', ')} (never none or HS*)`;
  }
  return new Set(algorithms).size === algorithms.length ? undefined : 'must not repeat an algorithm';
}
