/**
 * JWKS mode of the BUNDLED authorizer (assets/authorizer-jwks/index.js), warm in one process, against a
 * local OIDC-style issuer serving its JWK Set over HTTPS on loopback. Tokens from jose and PyJWT
 * (independent implementations) verify; the attack suite of the issue is refused, each attack
 * signed with a real key unless the attack is about the key, so only the rule under test can
 * reject it.
 */
import { createHmac, createPublicKey, generateKeyPairSync, JsonWebKey, KeyObject, sign } from 'crypto';
import { AssetProcess, Invocation, mintAsymmetricWithPyJwt, mintWithJose, startAsset } from '../../helpers/invoke-asset';
import { JwksServer, startJwksServer } from '../../helpers/jwks-server';

const ISSUER = 'https://idp.example/tenant';
const AUDIENCE = 'orders-api';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123def4/prod/GET/users/me';
const PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:abc123def4/prod/';
const SOURCES = ['authorizer', 'authorizer-jwks', 'jwt', 'key-ring'];
const P256_N = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey;
  readonly privateJwk: JsonWebKey;
}

function newKey(kid: string, type: 'rsa' | 'ec' | 'ed25519', options: Record<string, unknown> = {}): TestKey {
  const defaults = type === 'rsa' ? { modulusLength: 2048 } : type === 'ec' ? { namedCurve: 'P-256' } : {};
  const generate = generateKeyPairSync as (t: string, o: object) => { privateKey: KeyObject; publicKey: KeyObject };
  const { privateKey, publicKey } = generate(type, { ...defaults, ...options });
  return { kid, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid }, privateJwk: { ...privateKey.export({ format: 'jwk' }), kid } };
}

const rsa = newKey('rsa-2048-a', 'rsa');
const ec = newKey('Zm9vYmFy+/=ec', 'ec'); // a Cognito-style kid (base64 with + / =)
const ed = newKey('ed25519-a', 'ed25519');
const rsaSmall = newKey('rsa-1024-a', 'rsa', { modulusLength: 1024 });
const p384 = newKey('ec-p384-a', 'ec', { namedCurve: 'P-384' });
const encKey = newKey('rsa-enc-a', 'rsa');
const attacker = newKey('attacker-key', 'ec');

const JWKS = {
  keys: [
    { ...rsa.publicJwk, use: 'sig' },
    { ...ec.publicJwk, alg: 'ES256' },
    ed.publicJwk,
    rsaSmall.publicJwk,
    p384.publicJwk,
    { ...encKey.publicJwk, use: 'enc' },
  ],
};

const ENV = {
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: AUDIENCE,
  JWT_ROLE_CLAIM: 'cognito:groups',
  ROLE_PERMISSIONS: JSON.stringify({ admin: ['user:read:any'], user: ['user:read:own'] }),
  PERMISSION_METHODS: JSON.stringify({ 'user:read:own': ['GET /users/me'], 'user:read:any': ['GET /users/*'] }),
  KEY_REFETCH_MIN_INTERVAL_SECONDS: '1',
  KEY_FETCH_TIMEOUT_MS: '300',
};

let issuer: JwksServer;
let authorizer: AssetProcess;

const nowS = (): number => Math.floor(Date.now() / 1000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { 'iss': ISSUER, 'aud': AUDIENCE, 'sub': 'user-1', 'cognito:groups': ['user'], 'iat': nowS() - 5, 'exp': nowS() + 600, ...overrides };
}

/** Signs header.payload with node:crypto; `alg` decides the scheme, whatever the header says. */
function signWith(alg: string, header: Record<string, unknown>, payload: unknown, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const data = Buffer.from(input);
  let sig: Buffer;
  if (alg === 'RS256') sig = sign('sha256', data, key);
  else if (alg === 'PS256') sig = sign('sha256', data, { key, padding: 6, saltLength: 32 });
  else if (alg === 'ES256') sig = sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
  else sig = sign(null, data, key);
  return `${input}.${sig.toString('base64url')}`;
}

function token(k: TestKey, alg: string, payload: unknown = claims(), extraHeader: Record<string, unknown> = {}): string {
  return signWith(alg, { alg, kid: k.kid, typ: 'JWT', ...extraHeader }, payload, k.privateKey);
}

function event(t: string): Record<string, unknown> {
  return { type: 'TOKEN', authorizationToken: `Bearer ${t}`, methodArn: METHOD_ARN };
}

function decisionOf(out: Invocation): Record<string, unknown> {
  const lines = out.logs.split('\n').filter((l) => l.startsWith('{"source":"jwt-authorizer"') && l.includes('"decision"'));
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
}

async function expectDeny(t: string, reason: string, proc: AssetProcess = authorizer): Promise<void> {
  const out = await proc.invoke(event(t));
  expect(out).toMatchObject({ ok: false, error: { message: 'Unauthorized' } });
  expect(decisionOf(out)).toMatchObject({ decision: 'deny', reason });
}

async function expectAllow(t: string, role = 'user', proc: AssetProcess = authorizer): Promise<Invocation> {
  const out = await proc.invoke(event(t));
  expect(decisionOf(out)).toMatchObject({ decision: 'allow', reason: 'ok', role });
  expect(out.ok).toBe(true);
  return out;
}

function startAuthorizer(extra: Record<string, string> = {}): Promise<AssetProcess> {
  return startAsset('authorizer-jwks', { ...ENV, JWT_JWKS_URL: issuer.url, NODE_EXTRA_CA_CERTS: issuer.caFile, ...extra }, SOURCES);
}

beforeAll(async () => {
  issuer = await startJwksServer();
  issuer.body = JWKS;
  authorizer = await startAuthorizer();
});

afterAll(async () => {
  await authorizer?.stop();
  await issuer?.stop();
});

describe('tokens from an identity provider', () => {
  test('RS256, PS256, ES256 and EdDSA tokens signed with node:crypto verify, with the role policy', async () => {
    const out = await expectAllow(token(rsa, 'RS256'));
    expect(out.result).toMatchObject({
      principalId: 'user-1',
      policyDocument: { Statement: [{ Effect: 'Allow', Resource: [`${PREFIX}GET/users/me`] }] },
      context: { sub: 'user-1', role: 'user' },
    });
    await expectAllow(token(rsa, 'PS256'));
    await expectAllow(token(ec, 'ES256'));
    await expectAllow(token(ed, 'EdDSA'));
  });

  test('tokens signed by jose verify (RS256, PS256, ES256, EdDSA)', async () => {
    const minted = mintWithJose([
      { alg: 'RS256', header: { kid: rsa.kid }, claims: claims(), privateJwk: rsa.privateJwk as Record<string, unknown> },
      { alg: 'PS256', header: { kid: rsa.kid }, claims: claims(), privateJwk: rsa.privateJwk as Record<string, unknown> },
      { alg: 'ES256', header: { kid: ec.kid, typ: 'at+jwt' }, claims: claims(), privateJwk: ec.privateJwk as Record<string, unknown> },
      { alg: 'EdDSA', header: { kid: ed.kid }, claims: claims(), privateJwk: ed.privateJwk as Record<string, unknown> },
    ]);
    for (const t of minted) await expectAllow(t);
  });

  test('tokens signed by PyJWT verify (RS256, ES256, EdDSA)', async () => {
    await expectAllow(mintAsymmetricWithPyJwt('RS256', claims(), rsa.privateJwk as Record<string, unknown>, rsa.kid));
    await expectAllow(mintAsymmetricWithPyJwt('ES256', claims(), ec.privateJwk as Record<string, unknown>, ec.kid));
    await expectAllow(mintAsymmetricWithPyJwt('EdDSA', claims(), ed.privateJwk as Record<string, unknown>, ed.kid));
  });

  test('several known groups grant the union of their methods; unknown groups are ignored', async () => {
    const out = await expectAllow(token(ec, 'ES256', claims({ 'cognito:groups': ['guests', 'user', 'admin'] })), 'admin user');
    expect(out.result).toMatchObject({ policyDocument: { Statement: [{ Resource: [`${PREFIX}GET/users/*`, `${PREFIX}GET/users/me`] }] } });
    await expectDeny(token(ec, 'ES256', claims({ 'cognito:groups': ['guests'] })), 'unknown_role');
    await expectDeny(token(ec, 'ES256', claims({ 'cognito:groups': [1] })), 'bad_role');
  });

  test('the registered claims are checked as on the HS256 path', async () => {
    await expectDeny(token(rsa, 'RS256', claims({ exp: nowS() - 120 })), 'expired');
    await expectDeny(token(rsa, 'RS256', claims({ iss: 'https://evil.example' })), 'bad_iss');
    await expectDeny(token(rsa, 'RS256', claims({ aud: 'other-api' })), 'bad_aud');
    await expectDeny(token(rsa, 'RS256', claims({ nbf: nowS() + 600 })), 'not_yet_valid');
    await expectDeny(token(rsa, 'RS256', claims({ iat: nowS() + 600 })), 'iat_in_future');
  });

  test('keys the verifier does not accept are ignored and logged with a reason code, never their material', async () => {
    const proc = await startAuthorizer();
    try {
      await proc.invoke(event(token(rsa, 'RS256')));
      const log = proc.logs();
      expect(log).toContain('"msg":"JWKS keys ignored"');
      for (const [kid, reason] of [[rsaSmall.kid, 'rsa_too_small'], [p384.kid, 'bad_curve'], [encKey.kid, 'bad_use']]) {
        expect(log).toContain(JSON.stringify({ kid, reason }));
      }
      expect(log).not.toContain(String(rsa.publicJwk.n));
    } finally {
      await proc.stop();
    }
  });
});

describe('attacks', () => {
  test('alg none and HS256 signed with the public key PEM or JWK bytes (algorithm confusion) are refused', async () => {
    const payload = claims();
    await expectDeny(`${b64({ alg: 'none', kid: rsa.kid })}.${b64(payload)}.`, 'bad_alg');
    const pem = createPublicKey(rsa.privateKey).export({ type: 'spki', format: 'pem' });
    for (const macKey of [Buffer.from(pem), Buffer.from(JSON.stringify(rsa.publicJwk)), Buffer.from(JSON.stringify(ec.publicJwk))]) {
      for (const alg of ['HS256', 'HS384', 'HS512']) {
        const input = `${b64({ alg, kid: rsa.kid, typ: 'JWT' })}.${b64(payload)}`;
        const hash = `sha${alg.slice(2)}`;
        await expectDeny(`${input}.${createHmac(hash, macKey).update(input).digest('base64url')}`, 'bad_alg');
      }
    }
    // jose agrees: it refuses to make an HMAC key of what we would have to treat as a public key.
    await expectDeny(token(rsa, 'RS256', payload, { alg: 'RS512' }), 'bad_alg');
  });

  test('jwk, jku, x5u, x5c and crit headers are refused, even with a valid signature', async () => {
    const attackerJwk = { ...attacker.publicJwk };
    const injections: Array<[Record<string, unknown>, TestKey]> = [
      [{ jwk: attackerJwk }, attacker],
      [{ jku: 'https://evil.example/jwks.json' }, attacker],
      [{ x5u: 'https://evil.example/cert.pem' }, attacker],
      [{ x5c: ['MIIB'] }, attacker],
      [{ jwk: ec.publicJwk }, ec],
      [{ crit: ['exp'], exp: nowS() + 60 }, ec],
    ];
    for (const [extra, k] of injections) {
      await expectDeny(signWith('ES256', { alg: 'ES256', kid: k === attacker ? ec.kid : k.kid, ...extra }, claims(), k.privateKey), 'forbidden_header');
    }
    // Without the forbidden parameter, the attacker's signature under the real kid is just wrong.
    await expectDeny(signWith('ES256', { alg: 'ES256', kid: ec.kid }, claims(), attacker.privateKey), 'bad_signature');
  });

  test('kid injection: path, quote and oversized kids are refused; a kid naming a key of another type is a mismatch', async () => {
    // A kid is only ever a map lookup (never a path or a query): a path-like one is just unknown.
    await expectDeny(signWith('ES256', { alg: 'ES256', kid: '../../etc/passwd' }, claims(), ec.privateKey), 'unknown_kid');
    for (const kid of ["x' OR '1'='1", 'a'.repeat(129), '', 'kid with space', 'k\u0000id', 7]) {
      await expectDeny(signWith('ES256', { alg: 'ES256', kid }, claims(), ec.privateKey), 'bad_kid');
    }
    await expectDeny(signWith('ES256', { alg: 'ES256' }, claims(), ec.privateKey), 'bad_kid');
    await expectDeny(signWith('ES256', { alg: 'ES256', kid: rsa.kid }, claims(), ec.privateKey), 'key_alg_mismatch');
    await expectDeny(signWith('RS256', { alg: 'RS256', kid: ec.kid }, claims(), rsa.privateKey), 'key_alg_mismatch');
    await expectDeny(signWith('EdDSA', { alg: 'EdDSA', kid: rsa.kid }, claims(), ed.privateKey), 'key_alg_mismatch');
  });

  test('ECDSA signatures with r = 0, s = 0, or r, s >= n never verify (CVE-2022-21449 class)', async () => {
    const valid = token(ec, 'ES256');
    const input = valid.slice(0, valid.lastIndexOf('.'));
    const good = Buffer.from(valid.slice(valid.lastIndexOf('.') + 1), 'base64url');
    const zero = Buffer.alloc(32);
    const nPlus = Buffer.from(P256_N);
    nPlus[31] += 1;
    const cases = [
      Buffer.concat([zero, zero]),
      Buffer.concat([zero, good.subarray(32)]),
      Buffer.concat([good.subarray(0, 32), zero]),
      Buffer.concat([P256_N, good.subarray(32)]),
      Buffer.concat([good.subarray(0, 32), P256_N]),
      Buffer.concat([nPlus, nPlus]),
      Buffer.alloc(64, 0xff),
      sign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'der' }), // DER, not JOSE
      good.subarray(0, 63),
    ];
    for (const sig of cases) await expectDeny(`${input}.${sig.toString('base64url')}`, 'bad_signature');
    await expectAllow(valid);
  });

  test('keys the set holds but the verifier ignores (RSA < 2048 bits, P-384, use enc) verify nothing, denied with the reason why', async () => {
    await expectDeny(token(rsaSmall, 'RS256'), 'weak_key');
    await expectDeny(signWith('ES256', { alg: 'ES256', kid: p384.kid }, claims(), p384.privateKey), 'unknown_kid');
    await expectDeny(token(encKey, 'RS256'), 'key_use_not_sig');
  });

  test('an unknown-kid flood costs at most one JWKS fetch per rate-limit window', async () => {
    await expectAllow(token(ec, 'ES256'));
    const before = issuer.requests;
    for (let i = 0; i < 50; i++) await expectDeny(signWith('ES256', { alg: 'ES256', kid: `invented-${i}` }, claims(), attacker.privateKey), 'unknown_kid');
    expect(issuer.requests - before).toBeLessThanOrEqual(1);
  });

  test('a key added to the set is picked up on its first token; a withdrawn key stops working', async () => {
    const fresh = newKey('rsa-2048-b', 'rsa');
    issuer.body = { keys: [...JWKS.keys, fresh.publicJwk] };
    await sleep(1100); // past the refetch window the flood above claimed
    await expectAllow(token(fresh, 'RS256'));
    issuer.body = { keys: [...JWKS.keys, fresh.publicJwk].filter((k) => k.kid !== ed.kid) };
    await sleep(1100);
    // The cached set still holds ed25519-a until the TTL; a fresh container sees it withdrawn.
    const proc = await startAuthorizer();
    try {
      await expectDeny(token(ed, 'EdDSA'), 'unknown_kid', proc);
      await expectAllow(token(fresh, 'RS256'), 'user', proc);
    } finally {
      await proc.stop();
      issuer.body = JWKS;
    }
  });

  test.each<[string, { status?: number; delayMs?: number }, number]>([
    ['down: deny at once', { status: 503 }, 1000],
    ['slow: deny at the fetch deadline', { delayMs: 3000 }, 1500],
  ])('JWKS endpoint %s (keys_unavailable), then recover', async (_name, fault, denyWithinMs) => {
    const heal = (): void => { issuer.status = 200; issuer.delayMs = 0; };
    issuer.status = fault.status ?? 200;
    issuer.delayMs = fault.delayMs ?? 0;
    const proc = await startAuthorizer();
    try {
      const started = Date.now();
      await expectDeny(token(ec, 'ES256'), 'keys_unavailable', proc);
      expect(Date.now() - started).toBeLessThan(denyWithinMs);
      heal();
      await sleep(1100); // the back-off after a failed fetch
      await expectAllow(token(ec, 'ES256'), 'user', proc);
    } finally {
      heal();
      await proc.stop();
    }
  });

  test('a non-https JWKS URL or an HS* allow-list is an invalid configuration: every request is denied', async () => {
    const configs: Array<Record<string, string>> = [{ JWT_JWKS_URL: issuer.url.replace('https:', 'http:') }, { JWT_ALGORITHMS: 'ES256,HS256' }, { JWT_ALGORITHMS: 'none' }];
    for (const extra of configs) {
      const proc = await startAuthorizer(extra);
      try {
        await expectDeny(token(ec, 'ES256'), 'config_invalid', proc);
      } finally {
        await proc.stop();
      }
    }
  });

  test('an algorithm outside the configured allow-list is refused before any key is fetched', async () => {
    const proc = await startAuthorizer({ JWT_ALGORITHMS: 'ES256' });
    const before = issuer.requests;
    try {
      await expectDeny(token(rsa, 'RS256'), 'bad_alg', proc);
      expect(issuer.requests).toBe(before);
      await expectAllow(token(ec, 'ES256'), 'user', proc);
    } finally {
      await proc.stop();
    }
  });
});
