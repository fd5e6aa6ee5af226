/**
 * The tokens of the rotation integration tests: a ClientRequestToken as Secrets Manager makes one
 * (a UUID), an HS256 JWT signed with a ring's current key, and a verifier's check of a JWT
 * against a ring done with its own HMAC, so that a broken hs256 module cannot vouch for itself.
 */
import { createHmac, randomBytes } from 'crypto';
import { signHs256 } from '../../lambda-src/jwt/hs256';
import { KeyRing, verificationKeys } from '../../lambda-src/key-ring';

/** A fresh ClientRequestToken, in the UUID shape Secrets Manager gives it. */
export function newRequestToken(): string {
  return [8, 4, 4, 4, 12].map((n) => randomBytes(n).toString('hex').slice(0, n)).join('-');
}

/** Whether a verifier holding `ring` at `at` accepts `jwt`: HS256, a known kid, the right HMAC. */
export function verifies(ring: KeyRing, jwt: string, at: Date): boolean {
  const [h, p, s] = jwt.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg: string; kid: string };
  const key = verificationKeys(ring, at).get(header.kid);
  return header.alg === 'HS256' && key !== undefined && createHmac('sha256', key).update(`${h}.${p}`).digest('base64url') === s;
}

/** A JWT issued at `at` for five minutes, signed by `ring`'s current key. */
export function signWith(ring: KeyRing, at: Date): string {
  const iat = Math.floor(at.getTime() / 1000);
  return signHs256({ sub: 'user-1', iat, exp: iat + 300 }, Buffer.from(ring.current.key, 'base64url'), ring.current.kid);
}
