/**
 * The Node signing helper as it ships (assets/issuer): tokens it issues are accepted by the
 * authorizer's verification, and it refuses a ring that holds no key.
 */
import * as path from 'path';
import { parseConfig } from '../../../lambda-src/authorizer/core';
import { newKeyRing, serializeKeyRing, verificationKeys } from '../../../lambda-src/key-ring';
import { verifyToken } from '../../helpers/verify-token';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const issuer = require(path.join(__dirname, '..', '..', '..', 'assets', 'issuer', 'index.js')) as typeof import('../../../lambda-src/issuer');

const NOW = new Date('2026-11-24T12:00:00Z');
const ENV = {
  JWT_ISSUER: 'https://auth.example.com',
  JWT_AUDIENCE: 'orders-api',
  ROLE_PERMISSIONS: JSON.stringify({ user: ['read'] }),
  PERMISSION_METHODS: JSON.stringify({ read: ['GET /items'] }),
};

describe('the shipped issuer helper', () => {
  const ring = newKeyRing(NOW);
  const config = parseConfig(ENV);
  if (!config.ok) throw new Error('test config invalid');

  test('issues a token the authorizer accepts, signed with the current key', () => {
    const token = issuer.issueToken(serializeKeyRing(ring), { iss: ENV.JWT_ISSUER, aud: ENV.JWT_AUDIENCE, sub: 'user-42', role: 'user' }, { ttlSeconds: 900, now: NOW });
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: ring.current.kid });
    expect(verifyToken(token, verificationKeys(ring, NOW), NOW, config.config)).toEqual(expect.objectContaining({ ok: true }));
  });

  test('sets iat and exp itself, overriding any the caller passed', () => {
    const token = issuer.issueToken(serializeKeyRing(ring), { iat: 1, exp: 9999999999, sub: 's' }, { ttlSeconds: 60, now: NOW });
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims.iat).toBe(NOW.getTime() / 1000);
    expect(claims.exp).toBe(NOW.getTime() / 1000 + 60);
  });

  test('refuses the bootstrap value, saying the secret has not rotated yet', () => {
    expect(() => issuer.issueToken('{"bootstrap":"abc"}', { sub: 's' }, { ttlSeconds: 60 }))
      .toThrow(expect.objectContaining({ name: 'KeyRingError', message: expect.stringMatching(/the secret has not rotated yet/) }));
  });

  test('refuses a ttlSeconds above the ring\'s token lifetime, accepts exactly it', () => {
    const short = serializeKeyRing(newKeyRing(NOW, 600));
    expect(() => issuer.issueToken(short, { sub: 's' }, { ttlSeconds: 601, now: NOW })).toThrow(/at most the ring's maxTokenLifetimeSeconds \(600\), got 601/);
    expect(() => issuer.issueToken(serializeKeyRing(ring), { sub: 's' }, { ttlSeconds: 999999, now: NOW })).toThrow(RangeError);
    expect(issuer.issueToken(short, { sub: 's' }, { ttlSeconds: 600, now: NOW }).split('.')).toHaveLength(3);
  });

  test('signs with current, never with the published next key, and still reads a version 1 ring', () => {
    const token = issuer.issueToken(serializeKeyRing(ring), { sub: 's' }, { ttlSeconds: 60, now: NOW });
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid).not.toBe(ring.next.kid);
    const v1 = JSON.stringify({ version: 1, algorithm: 'HS256', current: ring.current, previous: [] });
    const fromV1 = issuer.issueToken(v1, { sub: 's' }, { ttlSeconds: 999999, now: NOW });
    expect(JSON.parse(Buffer.from(fromV1.split('.')[0], 'base64url').toString()).kid).toBe(ring.current.kid);
  });

  test('refuses a non-positive lifetime', () => {
    expect(() => issuer.issueToken(serializeKeyRing(ring), { sub: 's' }, { ttlSeconds: 0 })).toThrow(/ttlSeconds must be a positive integer/);
  });
});
