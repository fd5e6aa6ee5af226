/**
 * Asymmetric key rings (ES256, EdDSA): private keys validated by type and curve, public keys
 * published with public members only, and no path that hands their bytes to an HMAC verifier.
 */
import { generateKeyPairSync } from 'crypto';
import {
  generateSigningKey, KeyRingError, newKeyRing, parseKeyRing, publicJwks, rotateKeyRing, serializeKeyRing, verificationKeys,
} from '../../../lambda-src/key-ring';

const NOW = new Date('2026-11-24T12:00:00Z');
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

function pkcs8(type: 'ec' | 'ed25519' | 'ed448' | 'rsa', curve?: string): string {
  const { privateKey } = type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: curve! })
    : type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync(type as 'ed25519');
  return privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url');
}

describe.each(['ES256', 'EdDSA'] as const)('%s ring', (algorithm) => {
  test('round-trips through the secret format and rotates keeping its algorithm', () => {
    const ring = newKeyRing(NOW, 3600, 32, algorithm);
    expect(parseKeyRing(serializeKeyRing(ring))).toEqual(ring);
    const rotated = rotateKeyRing(ring, NOW, 7200);
    expect(rotated.algorithm).toBe(algorithm);
    expect(rotated.current).toEqual(ring.next);
  });

  test('the JWKS holds current, next and unexpired previous keys, public members only', () => {
    const ring = rotateKeyRing(rotateKeyRing(newKeyRing(NOW, 3600, 32, algorithm), NOW, 60), new Date(NOW.getTime() + 30_000), 7200);
    const later = new Date(NOW.getTime() + 120_000);
    const jwks = publicJwks(ring, later);
    // previous[1] (grace 60 s) has expired by `later`; previous[0] has not.
    expect(jwks.keys.map((k) => k.kid)).toEqual([ring.current.kid, ring.next!.kid, ring.previous[0].kid]);
    const members = algorithm === 'ES256' ? ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'] : ['alg', 'crv', 'kid', 'kty', 'use', 'x'];
    for (const jwk of jwks.keys) {
      for (const m of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(m);
      expect(jwk).toEqual(expect.objectContaining({ alg: algorithm, use: 'sig', kty: algorithm === 'ES256' ? 'EC' : 'OKP' }));
    }
    // current and next never expire by themselves; a previous key carries its expiresAt as exp (seconds, rounded down).
    expect(jwks.keys.map((jwk) => Object.keys(jwk).sort())).toEqual([members, members, [...members, 'exp'].sort()]);
    expect(jwks.keys[2].exp).toBe(Math.floor(Date.parse(ring.previous[0].expiresAt) / 1000));
    expect(JSON.stringify(jwks)).not.toContain(ring.current.key.slice(-20));
  });

  test('never yields HMAC keys: verificationKeys refuses the ring', () => {
    expect(() => verificationKeys(newKeyRing(NOW, 3600, 32, algorithm), NOW)).toThrow(KeyRingError);
  });

  test.each([
    ['P-384', () => pkcs8('ec', 'secp384r1')],
    ['P-256 or Ed25519 key of the other algorithm', () => (algorithm === 'ES256' ? pkcs8('ed25519') : pkcs8('ec', 'prime256v1'))],
    ['secp256k1', () => pkcs8('ec', 'secp256k1')],
    ['Ed448', () => pkcs8('ed448')],
    ['RSA', () => pkcs8('rsa')],
    ['random bytes', () => Buffer.alloc(48, 7).toString('base64url')],
  ])('rejects a %s key in the ring', (_name, key) => {
    const ring = newKeyRing(NOW, 3600, 32, algorithm);
    expect(() => parseKeyRing(JSON.stringify({ ...ring, next: { ...ring.next, key: key() } }))).toThrow(/next must be/);
  });
});

test('HS256 rings publish nothing, and version 1 rings stay HS256 only', () => {
  expect(() => publicJwks(newKeyRing(NOW), NOW)).toThrow(KeyRingError);
  const v1 = { version: 1, algorithm: 'ES256', current: generateSigningKey(NOW, 32, 'ES256'), previous: [] };
  expect(() => parseKeyRing(JSON.stringify(v1))).toThrow(/algorithm must be HS256/);
  expect(() => parseKeyRing(JSON.stringify({ ...newKeyRing(NOW), algorithm: 'none' }))).toThrow(/algorithm must be one of/);
});
