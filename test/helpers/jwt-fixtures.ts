/**
 * Tokens for the authorizer tests: the claims of a valid token, and tokens with any header and
 * payload signed with a real key, so that only the rule under test can reject them.
 */
import { hmacSha256 } from '../../lambda-src/jwt/hs256';

export const ISSUER = 'https://issuer.example';
export const AUDIENCE = 'orders-api';

/**
 * The claims of a valid token for `user-1` with role `user` at `nowSeconds`: issued
 * `ageSeconds` earlier, expiring 10 minutes later. `overrides` replace or add claims.
 */
export function validClaims(nowSeconds: number, overrides: Record<string, unknown> = {}, ageSeconds = 5): Record<string, unknown> {
  return { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', role: 'user', iat: nowSeconds - ageSeconds, exp: nowSeconds + 600, ...overrides };
}

/** `claims` without the claim `name`. */
export function withoutClaim(claims: Record<string, unknown>, name: string): Record<string, unknown> {
  const copy = { ...claims };
  delete copy[name];
  return copy;
}

/** base64url of a string as it is, or of any other value as JSON. */
export function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/**
 * A token of any header and payload (a string is used as the segment's text as it is, so a
 * malformed segment can be signed), HMAC-SHA-256-signed with `key`.
 */
export function signRaw(header: unknown, payload: unknown, key: Buffer): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${hmacSha256(input, key).toString('base64url')}`;
}

/** The authorizer's answer that lets `sub` with `role` call exactly `resources` (execute-api ARNs). */
export function allowPolicy(sub: string, role: string, resources: readonly string[]): Record<string, unknown> {
  return {
    principalId: sub,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resources }],
    },
    context: { sub, role },
  };
}
