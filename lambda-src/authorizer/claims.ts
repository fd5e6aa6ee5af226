/**
 * Verification of a parsed HS256 token: the signature against the ring's keys, then the
 * registered claims (exp, nbf, iat, iss, aud, sub) and the role claim. The registered-claims
 * check is shared with the JWKS path (asymmetric.ts).
 */
import type { AuthorizerConfig } from './config';
import type { DenyReason } from './deny-reason';
import type { ParsedToken } from './token';
import { hs256SignatureMatches } from '../jwt/hs256';

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
