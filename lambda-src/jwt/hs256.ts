/**
 * HS256 primitives shared by the rotation handler's testSecret step, the authorizer and the
 * Node signing helper. Only HS256 exists here on purpose: no algorithm is chosen from input.
 */
import { createHmac, timingSafeEqual } from 'crypto';

export const JWT_TYPE = 'JWT';

export interface JwtHeader {
  readonly alg: 'HS256';
  readonly typ: typeof JWT_TYPE;
  readonly kid: string;
}

function b64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function hmacSha256(signingInput: string, key: Buffer): Buffer {
  return createHmac('sha256', key).update(signingInput, 'ascii').digest();
}

/** Signs `claims` with `key` under `kid`. The caller owns the claims (exp, iss, aud, ...). */
export function signHs256(claims: Record<string, unknown>, key: Buffer, kid: string): string {
  const header: JwtHeader = { alg: 'HS256', typ: JWT_TYPE, kid };
  const signingInput = `${b64urlJson(header)}.${b64urlJson(claims)}`;
  return `${signingInput}.${hmacSha256(signingInput, key).toString('base64url')}`;
}

/**
 * Constant-time check of an HS256 signature (base64url text) over `signingInput`. The expected
 * MAC is compared as canonical base64url text with crypto.timingSafeEqual: equal texts are
 * equal bytes, and a non-canonical encoding of the right bytes (padding, stray low bits) never
 * matches. Only the length, which is public, is checked before the comparison.
 */
export function hs256SignatureMatches(signingInput: string, signature: string, key: Buffer): boolean {
  const expected = Buffer.from(createHmac('sha256', key).update(signingInput, 'ascii').digest('base64url'), 'ascii');
  const given = Buffer.from(signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
