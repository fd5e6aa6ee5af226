/**
 * A JWK Set (RFC 7517) reduced to the public verification keys this authorizer accepts, by kid.
 * Pure except for node:crypto's key import. A key that is not acceptable is left out with a
 * reason code (logged at fetch time, never its material), so one odd key in an identity
 * provider's set does not take down the others, and no odd key is ever half-used:
 *
 * - kty RSA with a modulus of at least 2048 bits (RS256 or PS256), EC on P-256 (ES256), OKP
 *   Ed25519 (EdDSA); any other kty or curve is ignored;
 * - weak keys are ignored (weak-keys.ts): an RSA public exponent that is not an odd number >= 3,
 *   an Ed25519 point of small order, not canonically encoded or not on the curve, an EC point
 *   not on P-256;
 * - RFC 7517 4.2-4.4 are constraints, as jose treats them: `use`, when present, must be `sig`;
 *   `key_ops`, when present, must be a list of strings that includes `verify`; `alg`, when
 *   present, names the one algorithm the key may verify;
 * - a kid is required and must be unique in the set (two keys under one kid are both ignored:
 *   which one a token meant is not ours to guess);
 * - a key carrying private members (`d`, `p`, ...) is ignored: a set that publishes private
 *   material is broken, and the key has to be considered compromised;
 * - an `exp` member (a retired key of an asymmetric RotatingJwtSecret, as OpenID Federation's
 *   historical keys) is the instant the key stops verifying; one that is not a number is ignored.
 * Only the public members are handed to node:crypto, so nothing else in the JWK is ever read.
 *
 * A token whose kid names a key ignored for a constraint or as weak is denied with a reason that
 * says which (REFUSED_KEY_DENY_REASONS), not as an unknown kid: the kid is known, and refetching
 * the set would not change the answer.
 */
import { createPublicKey, KeyObject } from 'crypto';
import type { DenyReason } from './deny-reason';
import { ed25519Problem, rsaExponentProblem, WeakKeyReason } from './weak-keys';

export type JwsAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

export type IgnoredKeyReason =
  | 'not_an_object' | 'no_kid' | 'duplicate_kid' | 'bad_use' | 'bad_kty' | 'bad_curve'
  | 'alg_mismatch' | 'private_material' | 'rsa_too_small' | 'bad_key' | 'no_allowed_alg' | 'bad_exp'
  | 'bad_key_ops' | 'ec_not_on_curve' | WeakKeyReason;

/** The deny reason of a token whose kid names a key ignored for one of these; any other is `unknown_kid`. */
export const REFUSED_KEY_DENY_REASONS: Readonly<Partial<Record<IgnoredKeyReason, DenyReason>>> = {
  bad_use: 'key_use_not_sig',
  bad_key_ops: 'key_ops_not_verify',
  alg_mismatch: 'key_alg_mismatch',
  no_allowed_alg: 'key_alg_mismatch',
  rsa_too_small: 'weak_key',
  rsa_bad_exponent: 'weak_key',
  ed25519_small_order: 'weak_key',
  ed25519_non_canonical: 'weak_key',
  ed25519_not_on_curve: 'weak_key',
  ec_not_on_curve: 'weak_key',
};

export interface VerificationKey {
  readonly kid: string;
  readonly key: KeyObject;
  /** The algorithms this key may verify: its `alg`, or those its type allows, within the allow-list. */
  readonly algorithms: ReadonlySet<JwsAlgorithm>;
  /** From the JWK's `exp`: the key verifies nothing at or after this instant. */
  readonly expiresAtMs?: number;
}

export interface ParsedJwks {
  readonly keys: ReadonlyMap<string, VerificationKey>;
  /** The deny reason for each kid whose key was ignored for a constraint or as weak. */
  readonly refused: ReadonlyMap<string, DenyReason>;
  readonly ignored: ReadonlyArray<{ readonly kid?: string; readonly reason: IgnoredKeyReason }>;
}

/** Bounds the work one response can cause; real sets hold a handful of keys. */
export const MAX_JWKS_KEYS = 100;
export const MIN_RSA_BITS = 2048;
/** Printable, no quotes or backslashes: covers Cognito (base64 with +/=), Entra, Auth0 and Okta kids. */
export const JWKS_KID_PATTERN = /^[A-Za-z0-9_+/=.:-]{1,128}$/;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const ALGS_BY_KTY: Readonly<Record<string, readonly JwsAlgorithm[]>> = { RSA: ['RS256', 'PS256'], EC: ['ES256'], OKP: ['EdDSA'] };

type Jwk = Record<string, unknown>;

function publicMembers(jwk: Jwk): Record<string, unknown> | IgnoredKeyReason {
  switch (jwk.kty) {
    case 'RSA': return { kty: 'RSA', n: jwk.n, e: jwk.e };
    case 'EC': return jwk.crv === 'P-256' ? { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } : 'bad_curve';
    case 'OKP': return jwk.crv === 'Ed25519' ? { kty: 'OKP', crv: 'Ed25519', x: jwk.x } : 'bad_curve';
    default: return 'bad_kty';
  }
}

function keyOpsAllowVerify(ops: unknown): boolean {
  return Array.isArray(ops) && ops.every((op) => typeof op === 'string') && ops.includes('verify');
}

function weakness(jwk: Jwk): WeakKeyReason | undefined {
  if (jwk.kty === 'RSA') return rsaExponentProblem(jwk.e);
  if (jwk.kty === 'OKP') return ed25519Problem(jwk.x);
  return undefined;
}

/** 32 bytes each: a P-256 coordinate node:crypto then refuses is off the curve, not misencoded. */
function isP256Sized(jwk: Jwk): boolean {
  return jwk.kty === 'EC' && [jwk.x, jwk.y].every((c) => typeof c === 'string' && Buffer.from(c, 'base64url').length === 32);
}

function importKey(jwk: Jwk, allowed: ReadonlySet<string>): Omit<VerificationKey, 'kid'> | IgnoredKeyReason {
  if (jwk.use !== undefined && jwk.use !== 'sig') return 'bad_use';
  if (jwk.key_ops !== undefined && !keyOpsAllowVerify(jwk.key_ops)) return 'bad_key_ops';
  if (PRIVATE_MEMBERS.some((m) => m in jwk)) return 'private_material';
  const members = publicMembers(jwk);
  if (typeof members === 'string') return members;
  const weak = weakness(jwk);
  if (weak) return weak;
  const typeAlgs = ALGS_BY_KTY[jwk.kty as string];
  if (jwk.alg !== undefined && !typeAlgs.includes(jwk.alg as JwsAlgorithm)) return 'alg_mismatch';
  const algorithms = new Set((jwk.alg !== undefined ? [jwk.alg as JwsAlgorithm] : typeAlgs).filter((a) => allowed.has(a)));
  if (algorithms.size === 0) return 'no_allowed_alg';
  let key: KeyObject;
  try {
    // node:crypto checks the encoding and, for EC, that the point lies on the curve.
    key = createPublicKey({ key: members as import('crypto').JsonWebKey, format: 'jwk' });
  } catch {
    return isP256Sized(jwk) ? 'ec_not_on_curve' : 'bad_key';
  }
  if (jwk.kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return 'rsa_too_small';
  if (jwk.exp === undefined) return { key, algorithms };
  if (typeof jwk.exp !== 'number' || !Number.isFinite(jwk.exp)) return 'bad_exp';
  return { key, algorithms, expiresAtMs: jwk.exp * 1000 };
}

/** Parses a JWKS document. Throws (the fetch fails closed) only when the document itself is unusable. */
export function parseJwks(body: string, allowedAlgorithms: readonly string[]): ParsedJwks {
  const doc: unknown = JSON.parse(body);
  const list = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).keys : undefined;
  if (!Array.isArray(list) || list.length > MAX_JWKS_KEYS) throw new Error('not a JWK Set');
  const allowed = new Set(allowedAlgorithms);
  const keys = new Map<string, VerificationKey>();
  const duplicates = new Set<string>();
  const ignored: Array<{ kid?: string; reason: IgnoredKeyReason }> = [];
  const refused = new Map<string, DenyReason>();
  for (const jwk of list) {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
      ignored.push({ reason: 'not_an_object' });
      continue;
    }
    const kid = (jwk as Jwk).kid;
    if (typeof kid !== 'string' || !JWKS_KID_PATTERN.test(kid)) {
      ignored.push({ reason: 'no_kid' });
      continue;
    }
    if (duplicates.has(kid) || keys.has(kid) || refused.has(kid)) {
      keys.delete(kid);
      refused.delete(kid);
      duplicates.add(kid);
      ignored.push({ kid, reason: 'duplicate_kid' });
      continue;
    }
    const imported = importKey(jwk as Jwk, allowed);
    if (typeof imported === 'string') {
      ignored.push({ kid, reason: imported });
      const denyAs = REFUSED_KEY_DENY_REASONS[imported];
      if (denyAs) refused.set(kid, denyAs);
    } else {
      keys.set(kid, { kid, ...imported });
    }
  }
  return { keys, refused, ignored };
}
