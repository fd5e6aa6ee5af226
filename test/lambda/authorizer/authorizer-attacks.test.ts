/**
 * Attack suite against the BUNDLED authorizer (assets/authorizer/index.js, the file that ships),
 * warm in one process, reading its key ring from moto over loopback. Every hostile token is
 * signed with the real current key unless the attack is about the key, so the only thing that
 * can reject it is the rule under test; a valid token is accepted, so the suite can fail.
 */
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { signHs256 } from '../../../lambda-src/jwt/hs256';
import { KeyRing, newKeyRing, serializeKeyRing } from '../../../lambda-src/key-ring';
import { AssetProcess, Invocation, mintWithJose, startAsset } from '../../helpers/invoke-asset';
import { allowPolicy, AUDIENCE, b64url, ISSUER, signRaw as signJwtRaw, validClaims, withoutClaim } from '../../helpers/jwt-fixtures';
import { motoEnv, motoSecretsManager, MotoServer, startMoto } from '../../helpers/moto';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123def4/prod/GET/users/me';
const SOURCES = ['authorizer', 'jwt', 'key-ring'];

const AUTHORIZER_ENV = {
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: AUDIENCE,
  ROLE_PERMISSIONS: JSON.stringify({ admin: ['user:read:any', 'user:read:own'], user: ['user:read:own'] }),
  PERMISSION_METHODS: JSON.stringify({ 'user:read:own': ['GET /users/me'], 'user:read:any': ['GET /users/*'] }),
};

let moto: MotoServer;
let authorizer: AssetProcess;
let ring: KeyRing;
let pending: KeyRing;
let key: Buffer;
let kid: string;

const nowS = (): number => Math.floor(Date.now() / 1000);

const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => validClaims(nowS(), overrides);
const without = (name: string): Record<string, unknown> => withoutClaim(claims(), name);
/** Signed with the real current key unless the attack brings its own. */
const signRaw = (header: unknown, payload: unknown, signingKey: Buffer = key): string => signJwtRaw(header, payload, signingKey);

/** The single decision line the handler logged for one invocation. */
function decisionOf(out: Invocation): Record<string, unknown> {
  // Only the handler's own lines: the SDK may add a Node version warning on stderr.
  const lines = out.logs.split('\n').filter((l) => l.startsWith('{"source":"jwt-authorizer"'));
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
}

function tokenEvent(token: string): Record<string, unknown> {
  return { type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN };
}

beforeAll(async () => {
  moto = await startMoto();
  const sm = motoSecretsManager(moto.endpoint);
  ring = newKeyRing(new Date());
  pending = newKeyRing(new Date());
  key = Buffer.from(ring.current.key, 'base64url');
  kid = ring.current.kid;
  await sm.send(new CreateSecretCommand({ Name: 'jwt-keys', SecretString: serializeKeyRing(ring) }));
  // A rotation in progress: the next ring exists as AWSPENDING but must not be trusted yet.
  await sm.send(new PutSecretValueCommand({ SecretId: 'jwt-keys', SecretString: serializeKeyRing(pending), VersionStages: ['AWSPENDING'] }));
  sm.destroy();
  authorizer = await startAsset('authorizer', { ...motoEnv(moto.endpoint), ...AUTHORIZER_ENV, JWT_SECRET_ID: 'jwt-keys' }, SOURCES);
});

afterAll(async () => {
  await authorizer?.stop();
  await moto?.stop();
});

describe('the bundled authorizer', () => {
  test('accepts a valid token (TOKEN event) with a policy for every method of the role', async () => {
    const out = await authorizer.invoke(tokenEvent(signHs256(claims({ role: 'admin' }), key, kid)));
    expect(decisionOf(out)).toMatchObject({ decision: 'allow', reason: 'ok', kid, role: 'admin' });
    expect(out).toMatchObject({
      ok: true,
      result: allowPolicy('user-1', 'admin', [
        'arn:aws:execute-api:us-east-1:123456789012:abc123def4/prod/GET/users/*',
        'arn:aws:execute-api:us-east-1:123456789012:abc123def4/prod/GET/users/me',
      ]),
    });
  });

  test('accepts a valid token from the Authorization header of a REQUEST event', async () => {
    const token = signHs256(claims(), key, kid);
    const out = await authorizer.invoke({ type: 'REQUEST', methodArn: METHOD_ARN, headers: { authorization: `bearer ${token}` } });
    expect(out.ok).toBe(true);
  });

  test('accepts a token without the Bearer prefix', async () => {
    expect((await authorizer.invoke({ type: 'TOKEN', authorizationToken: signHs256(claims(), key, kid), methodArn: METHOD_ARN })).ok).toBe(true);
  });
});

describe('rejects with Unauthorized', () => {
  const cases: Array<[string, string, () => string]> = [
    // alg confusion
    ...['none', 'None', 'NONE', 'nOnE'].flatMap((alg): Array<[string, string, () => string]> => [
      [`alg ${alg} with an empty signature`, 'bad_alg', () => `${b64url({ alg, typ: 'JWT', kid })}.${b64url(claims())}.`],
      [`alg ${alg} with a valid HMAC signature`, 'bad_alg', () => signRaw({ alg, typ: 'JWT', kid }, claims())],
    ]),
    ['alg none without a kid', 'bad_alg', () => `${b64url({ alg: 'none' })}.${b64url(claims())}.`],
    ['a stripped signature (two segments)', 'malformed_token', () => signHs256(claims(), key, kid).split('.').slice(0, 2).join('.')],
    ['a stripped signature (trailing dot)', 'bad_signature', () => `${signHs256(claims(), key, kid).split('.').slice(0, 2).join('.')}.`],
    ['a truncated signature', 'bad_signature', () => signHs256(claims(), key, kid).slice(0, -4)],
    ['a signature truncated to 16 bytes', 'bad_signature', () => { const t = signHs256(claims(), key, kid); return t.slice(0, t.lastIndexOf('.') + 22); }],
    ['HS384 with the real key', 'bad_alg', () => mintWithJose([{ alg: 'HS384', header: { typ: 'JWT', kid }, claims: claims(), key: ring.current.key }])[0]],
    ['HS512 with the real key', 'bad_alg', () => mintWithJose([{ alg: 'HS512', header: { typ: 'JWT', kid }, claims: claims(), key: ring.current.key }])[0]],
    ['RS256 under the real kid', 'bad_alg', () => mintWithJose([{ alg: 'RS256', header: { typ: 'JWT', kid }, claims: claims() }])[0]],
    ['ES256 under the real kid', 'bad_alg', () => mintWithJose([{ alg: 'ES256', header: { typ: 'JWT', kid }, claims: claims() }])[0]],
    // weak or wrong keys
    ['HS256 signed with an empty key', 'bad_signature', () => signHs256(claims(), Buffer.alloc(0), kid)],
    ['HS256 signed with the key "secret" (jose)', 'bad_signature', () => mintWithJose([{ alg: 'HS256', header: { typ: 'JWT', kid }, claims: claims(), key: b64url('secret') }])[0]],
    ['HS256 signed with the key "password" (jose)', 'bad_signature', () => mintWithJose([{ alg: 'HS256', header: { typ: 'JWT', kid }, claims: claims(), key: b64url('password') }])[0]],
    ['HS256 signed with the kid as the key', 'bad_signature', () => signHs256(claims(), Buffer.from(kid), kid)],
    // kid injection
    ['kid ../../etc/passwd', 'bad_kid', () => signRaw({ alg: 'HS256', typ: 'JWT', kid: '../../etc/passwd' }, claims())],
    ["kid ' OR 1=1 --", 'bad_kid', () => signRaw({ alg: 'HS256', typ: 'JWT', kid: "' OR 1=1 --" }, claims())],
    ['a blank kid', 'bad_kid', () => signRaw({ alg: 'HS256', typ: 'JWT', kid: '' }, claims())],
    ['a whitespace kid', 'bad_kid', () => signRaw({ alg: 'HS256', typ: 'JWT', kid: '         ' }, claims())],
    ['no kid', 'bad_kid', () => signRaw({ alg: 'HS256', typ: 'JWT' }, claims())],
    ['a kid that is an array', 'bad_kid', () => signRaw({ alg: 'HS256', typ: 'JWT', kid: [kid] }, claims())],
    ['kid __proto__', 'unknown_kid', () => signRaw({ alg: 'HS256', typ: 'JWT', kid: '__proto__' }, claims())],
    ['a kid naming the pending version (signed with the pending key)', 'unknown_kid', () => signHs256(claims(), Buffer.from(pending.current.key, 'base64url'), pending.current.kid)],
    // header parameters that delegate trust
    ['an embedded jwk (signed with the attacker key it carries)', 'forbidden_header', () => {
      const attackerKey = Buffer.alloc(32, 7);
      return signRaw({ alg: 'HS256', typ: 'JWT', kid, jwk: { kty: 'oct', k: attackerKey.toString('base64url') } }, claims(), attackerKey);
    }],
    ['an embedded jwk (signed with the real key)', 'forbidden_header', () => signRaw({ alg: 'HS256', typ: 'JWT', kid, jwk: { kty: 'oct', k: 'AAAA' } }, claims())],
    ['a jku URL', 'forbidden_header', () => signRaw({ alg: 'HS256', typ: 'JWT', kid, jku: 'http://127.0.0.1:1/jwks.json' }, claims())],
    ['an x5u URL', 'forbidden_header', () => signRaw({ alg: 'HS256', typ: 'JWT', kid, x5u: 'http://127.0.0.1:1/cert.pem' }, claims())],
    ['an x5c chain', 'forbidden_header', () => signRaw({ alg: 'HS256', typ: 'JWT', kid, x5c: ['MIIBIjANBgkq'] }, claims())],
    ['an unknown crit extension', 'forbidden_header', () => signRaw({ 'alg': 'HS256', 'typ': 'JWT', kid, 'crit': ['x-bypass'], 'x-bypass': true }, claims())],
    ['a zip header', 'forbidden_header', () => signRaw({ alg: 'HS256', typ: 'JWT', kid, zip: 'DEF' }, claims())],
    // claims
    ['no exp', 'bad_exp', () => signHs256(without('exp'), key, kid)],
    ['an expired exp', 'expired', () => signHs256(claims({ iat: nowS() - 1200, exp: nowS() - 600 }), key, kid)],
    ['exp as a string', 'bad_exp', () => signHs256(claims({ exp: String(nowS() + 600) }), key, kid)],
    ['a future nbf', 'not_yet_valid', () => signHs256(claims({ nbf: nowS() + 600 }), key, kid)],
    ['a future iat', 'iat_in_future', () => signHs256(claims({ iat: nowS() + 600, exp: nowS() + 900 }), key, kid)],
    ['no iat', 'bad_iat', () => signHs256(without('iat'), key, kid)],
    ['a lifetime above the maximum', 'lifetime_too_long', () => signHs256(claims({ exp: nowS() + 86_400 }), key, kid)],
    ['a wrong iss', 'bad_iss', () => signHs256(claims({ iss: 'https://evil.example' }), key, kid)],
    ['a wrong aud', 'bad_aud', () => signHs256(claims({ aud: 'billing-api' }), key, kid)],
    ['typ JWE', 'bad_typ', () => signRaw({ alg: 'HS256', typ: 'JWE', kid }, claims())],
    ['typ at+jwt', 'bad_typ', () => signRaw({ alg: 'HS256', typ: 'at+jwt', kid }, claims())],
    ['iss as an array', 'bad_iss', () => signHs256(claims({ iss: [ISSUER] }), key, kid)],
    ['sub as an array', 'bad_sub', () => signHs256(claims({ sub: ['user-1'] }), key, kid)],
    ['role as an array', 'bad_role', () => signHs256(claims({ role: ['admin'] }), key, kid)],
    ['alg as an array', 'bad_alg', () => signRaw({ alg: ['HS256'], typ: 'JWT', kid }, claims())],
    ['aud as an array of non-strings', 'bad_aud', () => signHs256(claims({ aud: [[AUDIENCE]] }), key, kid)],
    ['an unknown role', 'unknown_role', () => signHs256(claims({ role: 'root' }), key, kid)],
    ['role constructor', 'unknown_role', () => signHs256(claims({ role: 'constructor' }), key, kid)],
    ['an empty sub', 'bad_sub', () => signHs256(claims({ sub: '' }), key, kid)],
    // shape and encoding
    ['an oversized token', 'token_too_large', () => signHs256(claims({ pad: 'x'.repeat(9000) }), key, kid)],
    ['a JWE-shaped token (5 segments)', 'malformed_token', () => `${b64url({ alg: 'dir', enc: 'A256GCM', kid })}..${b64url('iv')}.${b64url('ciphertext')}.${b64url('tag')}`],
    ['padding on the header', 'bad_encoding', () => signHs256(claims(), key, kid).replace('.', '==.')],
    ['a standard-base64 + in the payload', 'bad_encoding', () => {
      const [h, p, sig] = signHs256(claims(), key, kid).split('.');
      return `${h}.${p.slice(0, -1)}+.${sig}`;
    }],
    ['a space inside the token', 'bad_encoding', () => signHs256(claims(), key, kid).replace('.', ' .')],
    ['a header that is not JSON', 'bad_header', () => signRaw('{"alg":"HS256",', claims())],
    ['a header that is an array', 'bad_header', () => signRaw(['HS256', kid], claims())],
    ['a payload that is []', 'bad_payload', () => signRaw({ alg: 'HS256', typ: 'JWT', kid }, [])],
    ['a payload that is "x"', 'bad_payload', () => signRaw({ alg: 'HS256', typ: 'JWT', kid }, '"x"')],
    ['a payload that is 1', 'bad_payload', () => signRaw({ alg: 'HS256', typ: 'JWT', kid }, '1')],
    ['a payload that is null', 'bad_payload', () => signRaw({ alg: 'HS256', typ: 'JWT', kid }, 'null')],
    ['a payload that is not JSON', 'bad_payload', () => signRaw({ alg: 'HS256', typ: 'JWT', kid }, 'sub=admin')],
    ['an empty string', 'no_token', () => ''],
  ];

  // The reason code in the decision log proves each token is refused by the rule it targets,
  // not by some earlier accident (which would leave that rule untested).
  test.each(cases)('a token with %s (reason %s)', async (_name, reason, make) => {
    const out = await authorizer.invoke(tokenEvent(make()));
    expect(out).toMatchObject({ ok: false, error: { name: 'Error', message: 'Unauthorized' } });
    expect(decisionOf(out)).toMatchObject({ decision: 'deny', reason });
  });

  test.each<[string, string, Record<string, unknown>]>([
    ['Bearer with two spaces', 'bad_encoding', { type: 'TOKEN', authorizationToken: 'Bearer  <jwt>', methodArn: METHOD_ARN }],
    ['a REQUEST event without an Authorization header', 'no_token', { type: 'REQUEST', methodArn: METHOD_ARN, headers: { 'x-token': '<jwt>' } }],
    ['a REQUEST event with two spellings of Authorization', 'no_token', { type: 'REQUEST', methodArn: METHOD_ARN, headers: { Authorization: 'Bearer <jwt>', authorization: 'Bearer <jwt>' } }],
    ['a REQUEST event with a repeated Authorization header', 'no_token', {
      type: 'REQUEST', methodArn: METHOD_ARN, headers: { Authorization: 'Bearer <jwt>' }, multiValueHeaders: { Authorization: ['Bearer <jwt>', 'Bearer <jwt>'] },
    }],
    ['an unknown event type', 'no_token', { type: 'WEBSOCKET', authorizationToken: 'Bearer <jwt>', methodArn: METHOD_ARN }],
    ['a malformed methodArn', 'bad_method_arn', { type: 'TOKEN', authorizationToken: 'Bearer <jwt>', methodArn: 'arn:aws:execute-api:us-east-1:123456789012:*' }],
    ['no methodArn', 'bad_method_arn', { type: 'TOKEN', authorizationToken: 'Bearer <jwt>' }],
  ])('a valid token in %s (reason %s)', async (_name, reason, event) => {
    const token = signHs256(claims(), key, kid);
    const withToken = JSON.parse(JSON.stringify(event).replace(/<jwt>/g, token));
    const out = await authorizer.invoke(withToken);
    expect(out).toMatchObject({ ok: false, error: { name: 'Error', message: 'Unauthorized' } });
    expect(decisionOf(out)).toMatchObject({ decision: 'deny', reason });
  });

  test('a null event', async () => {
    expect((await authorizer.invoke(null)).error?.message).toBe('Unauthorized');
  });

  test('every request when the role map is invalid (fail closed)', async () => {
    const broken = await startAsset('authorizer', {
      ...motoEnv(moto.endpoint), ...AUTHORIZER_ENV, JWT_SECRET_ID: 'jwt-keys', ROLE_PERMISSIONS: '{"user":["user:read:typo"]}',
    }, SOURCES);
    try {
      const out = await broken.invoke(tokenEvent(signHs256(claims(), key, kid)));
      expect(out).toMatchObject({ ok: false, error: { name: 'Error', message: 'Unauthorized' } });
      expect(decisionOf(out)).toMatchObject({ decision: 'deny', reason: 'config_invalid' });
    } finally {
      await broken.stop();
    }
  });
});

describe('logging', () => {
  test('writes one JSON line per decision with a reason code, and never a token, signature or key', async () => {
    const token = signHs256(claims(), key, kid);
    const allowed = await authorizer.invoke(tokenEvent(token));
    // The first signature character uses all 6 bits, so changing it stays canonical base64url.
    const sigStart = token.lastIndexOf('.') + 1;
    const forged = `${token.slice(0, sigStart)}${token[sigStart] === 'A' ? 'B' : 'A'}${token.slice(sigStart + 1)}`;
    const denied = await authorizer.invoke(tokenEvent(forged));
    expect(decisionOf(allowed)).toMatchObject({ decision: 'allow', reason: 'ok', kid, role: 'user' });
    expect(decisionOf(denied)).toMatchObject({ decision: 'deny', reason: 'bad_signature', kid });
    const all = authorizer.logs();
    for (const secret of [token.split('.')[2], token.split('.')[1], ring.current.key, pending.current.key]) {
      expect(all).not.toContain(secret);
    }
  });
});
