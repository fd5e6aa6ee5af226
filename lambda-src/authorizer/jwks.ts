/**
 * A JWK Set (RFC 7517) reduced to the public verification keys this authorizer accepts, by kid.
 * Pure except for node:crypto's key import. A key that is not acceptable is left out with a
 * reason code (logged at fetch time, never its material), so one odd key in an identity
 * provider's set does not take down the others, and no odd key is ever half-used:
 *
 * - kty RSA with a modulus of at least 2048 bits (RS256 or PS256), EC on P-256 (ES256), OKP
 *   Ed25519 (EdDSA); any other kty or curve is ignored;
 * - `use` absent or `sig`; `alg`, when present, names the one algorithm the key may verify;
 * - a kid is required and must be unique in the set (two keys under one kid are both ignored:
 *   which one a token meant is not ours to guess);
 * - a key carrying private members (`d`, `p`, ...) is ignored: a set that publishes private
 *   material is broken, and the key has to be considered compromised;
 * - an `exp` member (a retired key of an asymmetric RotatingJwtSecret, as OpenID Federation's
 *   historical keys) is the instant the key stops verifying; one that is not a number is ignored.
 * Only the public members are handed to node:crypto, so nothing else in the JWK is ever read.
 */
import { createPublicKey, KeyObject } from 'crypto';

export type JwsAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

export type IgnoredKeyReason =
  | 'not_an_object' | 'no_kid' | 'duplicate_kid' | 'bad_use' | 'bad_kty' | 'bad_curve'
  | 'alg_mismatch' | 'private_material' | 'rsa_too_small' | 'bad_key' | 'no_allowed_alg' | 'bad_exp';

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

function importKey(jwk: Jwk, allowed: ReadonlySet<string>): Omit<VerificationKey, 'kid'> | IgnoredKeyReason {
  if (jwk.use !== undefined && jwk.use !== 'sig') return 'bad_use';
  if (PRIVATE_MEMBERS.some((m) => m in jwk)) return 'private_material';
  const members = publicMembers(jwk);
  if (typeof members === 'string') return members;
  const typeAlgs = ALGS_BY_KTY[jwk.kty as string];
  if (jwk.alg !== undefined && !typeAlgs.includes(jwk.alg as JwsAlgorithm)) return 'alg_mismatch';
  const algorithms = new Set((jwk.alg !== undefined ? [jwk.alg as JwsAlgorithm] : typeAlgs).filter((a) => allowed.has(a)));
  if (algorithms.size === 0) return 'no_allowed_alg';
  let key: KeyObject;
  try {
    // node:crypto checks the encoding and, for EC, that the point lies on the curve.
    key = createPublicKey({ key: members as import('crypto').JsonWebKey, format: 'jwk' });
  } catch {
    return 'bad_key';
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
    if (duplicates.has(kid) || keys.has(kid)) {
      keys.delete(kid);
      duplicates.add(kid);
      ignored.push({ kid, reason: 'duplicate_kid' });
      continue;
    }
    const imported = importKey(jwk as Jwk, allowed);
    if (typeof imported === 'string') ignored.push({ kid, reason: imported });
    else keys.set(kid, { kid, ...imported });
  }
  return { keys, ignored };
}
