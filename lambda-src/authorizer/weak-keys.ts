/**
 * Public keys that verify forgeries, refused before node:crypto ever imports them. OpenSSL (and
 * so node:crypto and jose) accepts them all, and each lets whoever knows the rule sign any token
 * if a JWK Set ever serves one (a compromised or buggy identity provider, a misconfigured test
 * IdP); being stricter than jose here is the point:
 *
 * - RSA with a public exponent that is not an odd number >= 3: with e = 1 the "signature" of
 *   any message is its own padded digest; an even e is no RSA key at all.
 * - Ed25519 points of small order (the identity and the other seven torsion points): with the
 *   identity as public key, R = identity and S = 0 verify every message under the cofactorless
 *   equation; the others let a forger succeed with probability up to 1/2.
 * - Ed25519 encodings that are not canonical (y >= p, or the sign bit set on x = 0): the same
 *   point under a second spelling; RFC 8032 5.1.3 says decoding fails.
 * - Ed25519 encodings of no point on the curve (x^2 has no square root).
 *
 * EC points off the P-256 curve are refused by node:crypto's import itself (jwks.ts). Pure
 * BigInt arithmetic, run once per key at fetch time.
 */
/* eslint-disable no-bitwise */ // Field arithmetic and point encodings: bits are the subject here.

export type WeakKeyReason = 'rsa_bad_exponent' | 'ed25519_small_order' | 'ed25519_non_canonical' | 'ed25519_not_on_curve';

const P = (1n << 255n) - 19n;
/** Edwards d = -121665 / 121666 mod p. */
const D = /* @__PURE__ */ (() => (-121665n * modPow(121666n, P - 2n)) % P + P)() % P;
/** The y of the order-8 points (RFC 7748 / libsodium's blocklist); p - Y8 is the other. */
const Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n;

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = ((base % P) + P) % P;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

function bigEndian(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

/** Why an RSA JWK's `e` (base64url, big-endian) is unsafe, or undefined when it is an odd number >= 3. */
export function rsaExponentProblem(e: unknown): WeakKeyReason | undefined {
  if (typeof e !== 'string') return undefined; // not a key at all: node:crypto's import refuses it
  const value = bigEndian(Buffer.from(e, 'base64url'));
  return value >= 3n && (value & 1n) === 1n ? undefined : 'rsa_bad_exponent';
}

/** Why an Ed25519 JWK's `x` (base64url, 32 bytes little-endian) is unsafe, or undefined for a sound point. */
export function ed25519Problem(x: unknown): WeakKeyReason | undefined {
  if (typeof x !== 'string') return undefined;
  const bytes = Buffer.from(x, 'base64url');
  if (bytes.length !== 32) return undefined; // node:crypto's import refuses it
  const sign = bytes[31] >> 7;
  const le = Buffer.from(bytes);
  le[31] &= 0x7f;
  const y = bigEndian(Buffer.from(le).reverse());
  if (y >= P) return 'ed25519_non_canonical';
  if (y === 0n || y === 1n || y === P - 1n || y === Y8 || y === P - Y8) return 'ed25519_small_order';
  const y2 = (y * y) % P;
  const x2 = ((y2 - 1n + P) % P) * modPow((D * y2 + 1n) % P, P - 2n) % P;
  if (x2 === 0n) return sign === 1 ? 'ed25519_non_canonical' : undefined;
  // Euler's criterion: x^2 has a square root exactly when x2^((p-1)/2) = 1.
  return modPow(x2, (P - 1n) / 2n) === 1n ? undefined : 'ed25519_not_on_curve';
}
