/**
 * parseToken remembers header segments it accepted (lambda-src/authorizer/token.ts), so the warm
 * path decodes a key's header once. These tests hold that the memory never changes a verdict:
 * the same header text gets the same answer whatever was parsed before, refused headers stay
 * refused, alternating kids keep their own kid, and the memory stays bounded.
 */
import { parseConfig, parseToken } from '../../../lambda-src/authorizer/core';
import { signHs256 } from '../../../lambda-src/jwt/hs256';
import { AUDIENCE, b64url, ISSUER, signRaw, validClaims } from '../../helpers/jwt-fixtures';
import { prng } from '../../helpers/prng';

const config = (() => {
  const r = parseConfig({
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    ROLE_PERMISSIONS: JSON.stringify({ user: ['read'] }),
    PERMISSION_METHODS: JSON.stringify({ read: ['GET /users/me'] }),
  });
  if (!r.ok) throw new Error(r.problem);
  return r.config;
})();
const key = Buffer.alloc(32, 7);
const claims = validClaims(1_800_000_000);
const verdict = (token: string): string => {
  const r = parseToken(token, config);
  return r.ok ? `ok:${r.token.kid}` : r.reason;
};

/** Headers around one accepted header text: each differs from it in one rule. */
const HEADERS: Array<[string, unknown, string]> = [
  ['accepted', { alg: 'HS256', typ: 'JWT', kid: 'kid-aaaa-1' }, 'ok:kid-aaaa-1'],
  ['accepted without typ', { alg: 'HS256', kid: 'kid-aaaa-1' }, 'ok:kid-aaaa-1'],
  ['another kid', { alg: 'HS256', typ: 'JWT', kid: 'kid-bbbb-2' }, 'ok:kid-bbbb-2'],
  ['alg none', { alg: 'none', typ: 'JWT', kid: 'kid-aaaa-1' }, 'bad_alg'],
  ['alg hs256 in lower case', { alg: 'hs256', typ: 'JWT', kid: 'kid-aaaa-1' }, 'bad_alg'],
  ['a jku parameter', { alg: 'HS256', typ: 'JWT', kid: 'kid-aaaa-1', jku: 'https://evil.example/jwks' }, 'forbidden_header'],
  ['typ JWE', { alg: 'HS256', typ: 'JWE', kid: 'kid-aaaa-1' }, 'bad_typ'],
  ['a short kid', { alg: 'HS256', typ: 'JWT', kid: 'k' }, 'bad_kid'],
  ['not JSON', '{alg:HS256}', 'bad_header'],
];

describe('the accepted-header memory of parseToken', () => {
  test.each([1, 2, 3, 4, 5])('gives every header the verdict of a first parse, in shuffled order (seed %i)', (seed) => {
    const random = prng(seed);
    const order = [...HEADERS, ...HEADERS].map((h) => ({ h, r: random() })).sort((a, b) => a.r - b.r).map(({ h }) => h);
    for (const [name, header, expected] of order) {
      expect([name, verdict(signRaw(header, claims, key))]).toEqual([name, expected]);
    }
  });

  test('a remembered header does not vouch for the rest of the token', () => {
    const good = signHs256(claims, key, 'kid-aaaa-1');
    expect(verdict(good)).toBe('ok:kid-aaaa-1');
    const [h, p, s] = good.split('.');
    expect(verdict(`${h}.${b64url('not json')}.${s}`)).toBe('bad_payload');
    expect(verdict(`${h}.${p}.${s.slice(0, -1)}`)).toBe('bad_signature');
    expect(verdict(`${h}.${p}.${s}=`)).toBe('bad_encoding');
    expect(verdict(`${h}=.${p}.${s}`)).toBe('bad_encoding');
  });

  test('tokens of alternating kids keep their own kid', () => {
    const a = signHs256(claims, key, 'kid-aaaa-1');
    const b = signHs256(claims, key, 'kid-bbbb-2');
    for (let i = 0; i < 10; i++) {
      expect(verdict(i % 2 ? a : b)).toBe(i % 2 ? 'ok:kid-aaaa-1' : 'ok:kid-bbbb-2');
    }
  });

  test('stays bounded: 1,000 made-up kids empty it instead of growing it', () => {
    const clear = jest.spyOn(Map.prototype, 'clear');
    try {
      for (let i = 0; i < 1000; i++) expect(verdict(signHs256(claims, key, `made-up-kid-${i}`))).toBe(`ok:made-up-kid-${i}`);
      // 64 entries at most: emptied once per 64 new headers.
      expect(clear.mock.calls.length).toBeGreaterThanOrEqual(Math.floor(1000 / 64) - 1);
    } finally {
      clear.mockRestore();
    }
    expect(verdict(signHs256(claims, key, 'kid-aaaa-1'))).toBe('ok:kid-aaaa-1');
  });
});
