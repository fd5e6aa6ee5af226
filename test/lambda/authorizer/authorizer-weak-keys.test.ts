/**
 * Weak public keys (weak-keys.ts) and the JWK constraints (jwks.ts), at the JWK Set parser: each
 * refused key is ignored with its reason code, the rest of the set still verifies, and a token
 * naming a refused kid gets the deny reason that says why. The same rules on the shipped assets,
 * beside jose's behaviour, are in authorizer-jwk-rules.test.ts.
 */
import { generateKeyPairSync } from 'crypto';
import { parseJwks } from '../../../lambda-src/authorizer/jwks';
import { ed25519Problem, rsaExponentProblem } from '../../../lambda-src/authorizer/weak-keys';

/* eslint-disable no-bitwise */ // Ed25519 point encodings are built bit by bit.

const ALL = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const P = (1n << 255n) - 19n;
/** 32 little-endian bytes of y, with the sign bit of x. */
function edPoint(y: bigint, sign = 0): string {
  const hex = y.toString(16).padStart(64, '0');
  const le = Buffer.from(hex, 'hex').reverse();
  le[31] |= sign << 7;
  return le.toString('base64url');
}
const Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n;
const b64int = (n: bigint): string => Buffer.from(n.toString(16).padStart(2 * Math.ceil(n.toString(16).length / 2), '0'), 'hex').toString('base64url');

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });

describe('rsaExponentProblem: an odd number >= 3 only', () => {
  test.each([
    ['65537', 'AQAB', undefined],
    ['3', 'Aw', undefined],
    ['1', 'AQ', 'rsa_bad_exponent'],
    ['0', 'AA', 'rsa_bad_exponent'],
    ['empty', '', 'rsa_bad_exponent'],
    ['2 (even)', 'Ag', 'rsa_bad_exponent'],
    ['65536 (even)', 'AQAA', 'rsa_bad_exponent'],
    ['1 with a leading zero byte', 'AAE', 'rsa_bad_exponent'],
  ])('e = %s', (_what, e, expected) => {
    expect(rsaExponentProblem(e)).toBe(expected);
  });
});

describe('ed25519Problem: small-order, non-canonical and off-curve points', () => {
  test('fresh keys are sound', () => {
    for (let i = 0; i < 20; i++) expect(ed25519Problem(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x)).toBeUndefined();
  });
  test.each([
    ['the identity (0, 1)', edPoint(1n), 'ed25519_small_order'],
    ['(0, -1), order 2', edPoint(P - 1n), 'ed25519_small_order'],
    ['y = 0, order 4', edPoint(0n), 'ed25519_small_order'],
    ['y = 0 with the sign bit, order 4', edPoint(0n, 1), 'ed25519_small_order'],
    ['an order-8 point', edPoint(Y8), 'ed25519_small_order'],
    ['the other order-8 point', edPoint(P - Y8, 1), 'ed25519_small_order'],
    ['the identity spelt y = p + 1', edPoint(P + 1n), 'ed25519_non_canonical'],
    ['y = p', edPoint(P), 'ed25519_non_canonical'],
    ['y = 2^255 - 1', edPoint((1n << 255n) - 1n), 'ed25519_non_canonical'],
    ['y = 2, not on the curve', edPoint(2n), 'ed25519_not_on_curve'],
  ])('%s', (_what, x, expected) => {
    expect(ed25519Problem(x)).toBe(expected);
  });
});

describe('parseJwks refuses weak keys and keys not for verification; the rest of the set works', () => {
  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
  test.each([
    ['RSA e = 1', { ...rsa, e: 'AQ' }, 'rsa_bad_exponent', 'weak_key'],
    ['RSA e = 65536', { ...rsa, e: b64int(65536n) }, 'rsa_bad_exponent', 'weak_key'],
    ['RSA 1024 bits', rsa1024, 'rsa_too_small', 'weak_key'],
    ['the Ed25519 identity point', { ...ed, x: edPoint(1n) }, 'ed25519_small_order', 'weak_key'],
    ['a non-canonical Ed25519 point', { ...ed, x: edPoint(P + 1n) }, 'ed25519_non_canonical', 'weak_key'],
    ['an EC point off P-256', { ...ec, x: ec.y }, 'ec_not_on_curve', 'weak_key'],
    ['use enc', { ...ec, use: 'enc' }, 'bad_use', 'key_use_not_sig'],
    ['key_ops [encrypt]', { ...rsa, key_ops: ['encrypt'] }, 'bad_key_ops', 'key_ops_not_verify'],
    ['key_ops [sign]', { ...ed, key_ops: ['sign'] }, 'bad_key_ops', 'key_ops_not_verify'],
    ['an alg of another key type', { ...ec, alg: 'RS256' }, 'alg_mismatch', 'key_alg_mismatch'],
  ])('%s', (_what, jwk, ignoredAs, deniedAs) => {
    const parsed = parseJwks(JSON.stringify({ keys: [{ ...jwk, kid: 'refused' }, { ...ec, kid: 'good' }, { ...ed, kid: 'good-ed' }] }), ALL);
    expect(parsed.ignored).toEqual([{ kid: 'refused', reason: ignoredAs }]);
    expect(parsed.refused.get('refused')).toBe(deniedAs);
    expect([...parsed.keys.keys()].sort()).toEqual(['good', 'good-ed']);
  });

  test('key_ops with verify, use sig, and a matching alg are accepted', () => {
    const parsed = parseJwks(JSON.stringify({
      keys: [
        { ...rsa, kid: 'a', key_ops: ['verify'], use: 'sig', alg: 'RS256' },
        { ...ec, kid: 'b', key_ops: ['sign', 'verify'] },
      ],
    }), ALL);
    expect(parsed.ignored).toEqual([]);
    expect([...parsed.keys.get('a')!.algorithms]).toEqual(['RS256']);
  });

  test('a refused key and a sound one under the same kid are both ignored: which one a token meant is not ours to guess', () => {
    const parsed = parseJwks(JSON.stringify({ keys: [{ ...rsa, e: 'AQ', kid: 'twin' }, { ...rsa, kid: 'twin' }] }), ALL);
    expect(parsed.keys.size).toBe(0);
    expect(parsed.refused.size).toBe(0);
  });
});
