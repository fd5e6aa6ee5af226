/**
 * JWK constraints (RFC 7517 4.2-4.4: use, key_ops, alg) and weak keys, on the SHIPPED asset
 * (assets/authorizer-jwks) in both key paths: an identity provider's JWKS URL and an asymmetric
 * ring's JWKS object in S3 (served by a loopback endpoint through AWS_ENDPOINT_URL_S3). Each row
 * records what jose (`jwtVerify` with `createLocalJWKSet`, the devDependency) does with the same
 * set and token, beside what we do; the jose column is checked, so a jose upgrade that changes
 * its behaviour shows up here. Being stricter than jose on weak keys is the point (issue 22 R3).
 */
import { createHash, createPublicKey, generateKeyPairSync, JsonWebKey, KeyObject, sign, verify } from 'crypto';
import { LOOPBACK_AUTHORIZER_ENV, METHOD_ARN, ringJwksEnv } from '../../helpers/authorizer-env';
import { FaultServer, startFaultServer } from '../../helpers/fault-server';
import { AssetProcess, Invocation, startAsset } from '../../helpers/invoke-asset';
import { verifyWithJose } from '../../helpers/jwks-peers';
import { JwksServer, startJwksServer } from '../../helpers/jwks-server';
import { validClaims } from '../../helpers/jwt-fixtures';

/* eslint-disable no-bitwise */ // Ed25519 point encodings are built bit by bit.

const SOURCES = ['authorizer', 'authorizer-jwks', 'jwt', 'key-ring'];
const ALL = ['RS256', 'PS256', 'ES256', 'EdDSA'];
// Every request refetches the set: the ignored keys must still be reported once.
const COMMON = { ...LOOPBACK_AUTHORIZER_ENV, KEY_CACHE_TTL_SECONDS: '0' };

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const nowS = (): number => Math.floor(Date.now() / 1000);

interface Pair { readonly privateKey: KeyObject; readonly jwk: JsonWebKey }
function pair(type: 'rsa' | 'ec' | 'ed25519', modulusLength = 2048): Pair {
  const gen = generateKeyPairSync as (t: string, o: object) => { privateKey: KeyObject; publicKey: KeyObject };
  const { privateKey, publicKey } = gen(type, type === 'rsa' ? { modulusLength } : type === 'ec' ? { namedCurve: 'P-256' } : {});
  return { privateKey, jwk: publicKey.export({ format: 'jwk' }) };
}

function signed(alg: string, kid: string, key: KeyObject): string {
  const input = `${b64({ alg, kid, typ: 'JWT' })}.${b64(validClaims(nowS()))}`;
  const data = Buffer.from(input);
  const sig = alg === 'RS256' ? sign('sha256', data, key)
    : alg === 'PS256' ? sign('sha256', data, { key, padding: 6, saltLength: 32 })
      : alg === 'ES256' ? sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }) : sign(null, data, key);
  return `${input}.${sig.toString('base64url')}`;
}

/** RS256 "signed" for a key with e = 1: the signature is the PKCS#1 v1.5 encoded digest itself. */
function forgedWithExponentOne(kid: string, modulusBytes: number): string {
  const input = `${b64({ alg: 'RS256', kid, typ: 'JWT' })}.${b64(validClaims(nowS()))}`;
  const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), createHash('sha256').update(input).digest()]);
  const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(modulusBytes - digestInfo.length - 3, 0xff), Buffer.from([0]), digestInfo]);
  return `${input}.${em.toString('base64url')}`;
}

/** EdDSA "signed" for the identity point: R = identity, S = 0 verifies any message (cofactorless). */
function forgedWithIdentity(kid: string): string {
  const identity = Buffer.alloc(32);
  identity[0] = 1;
  return `${b64({ alg: 'EdDSA', kid, typ: 'JWT' })}.${b64(validClaims(nowS()))}.${Buffer.concat([identity, Buffer.alloc(32)]).toString('base64url')}`;
}

const P = (1n << 255n) - 19n;
const edY = (y: bigint): string => Buffer.from(y.toString(16).padStart(64, '0'), 'hex').reverse().toString('base64url');

/**
 * Whether this Node's own Ed25519 verify (OpenSSL) accepts the identity-point forgery for a key
 * with this `x`: Node 20 does, Node 24 and 26 refuse small-order and non-canonical points. jose
 * verifies through node:crypto, so its column follows the platform on these rows; ours does not.
 */
function platformAcceptsIdentityForgery(x: string): boolean {
  const identity = Buffer.alloc(32);
  identity[0] = 1;
  try {
    const key = createPublicKey({ key: { ...ed.jwk, x } as JsonWebKey, format: 'jwk' });
    return verify(null, Buffer.from('any message'), key, Buffer.concat([identity, Buffer.alloc(32)]));
  } catch {
    return false;
  }
}

const rsa = pair('rsa');
const rsa1024 = pair('rsa', 1024);
const ec = pair('ec');
const ed = pair('ed25519');

interface Row {
  readonly name: string;
  readonly jwk: Record<string, unknown>;
  readonly token: (kid: string) => string;
  /** Our deny reason, or 'ok'. */
  readonly ours: string;
  /** Whether jose's jwtVerify accepts the token against the same set. */
  readonly jose: boolean;
  /** The key is kept in the set (only the token is refused); every other refused row's key is ignored. */
  readonly kept?: boolean;
  /** Also run in the ring's JWKS path (ES256 and EdDSA rings only). */
  readonly ringAlg?: 'ES256' | 'EdDSA';
}

const ROWS: Row[] = [
  { name: 'use sig', jwk: { ...ec.jwk, use: 'sig' }, token: (k) => signed('ES256', k, ec.privateKey), ours: 'ok', jose: true, ringAlg: 'ES256' },
  { name: 'use enc', jwk: { ...ec.jwk, use: 'enc' }, token: (k) => signed('ES256', k, ec.privateKey), ours: 'key_use_not_sig', jose: false, ringAlg: 'ES256' },
  { name: 'key_ops [verify]', jwk: { ...ed.jwk, key_ops: ['verify'] }, token: (k) => signed('EdDSA', k, ed.privateKey), ours: 'ok', jose: true, ringAlg: 'EdDSA' },
  { name: 'key_ops [encrypt]', jwk: { ...rsa.jwk, key_ops: ['encrypt'] }, token: (k) => signed('RS256', k, rsa.privateKey), ours: 'key_ops_not_verify', jose: false },
  { name: 'key_ops [sign]', jwk: { ...ed.jwk, key_ops: ['sign'] }, token: (k) => signed('EdDSA', k, ed.privateKey), ours: 'key_ops_not_verify', jose: false, ringAlg: 'EdDSA' },
  // The key itself is sound and kept (it verifies RS256): only this token is refused.
  { name: 'alg RS256, token PS256', jwk: { ...rsa.jwk, alg: 'RS256' }, token: (k) => signed('PS256', k, rsa.privateKey), ours: 'key_alg_mismatch', jose: false, kept: true },
  { name: 'alg EdDSA on a P-256 key', jwk: { ...ec.jwk, alg: 'EdDSA' }, token: (k) => signed('ES256', k, ec.privateKey), ours: 'key_alg_mismatch', jose: false, ringAlg: 'ES256' },
  { name: 'RSA e = 1 (forged token)', jwk: { ...rsa.jwk, e: 'AQ' }, token: (k) => forgedWithExponentOne(k, 256), ours: 'weak_key', jose: true },
  { name: 'RSA 1024 bits', jwk: rsa1024.jwk, token: (k) => signed('RS256', k, rsa1024.privateKey), ours: 'weak_key', jose: false },
  { name: 'Ed25519 identity point (forged token)', jwk: { ...ed.jwk, x: edY(1n) }, token: forgedWithIdentity, ours: 'weak_key', jose: platformAcceptsIdentityForgery(edY(1n)), ringAlg: 'EdDSA' },
  {
    name: 'Ed25519 identity spelt y = p + 1 (forged token)',
    jwk: { ...ed.jwk, x: edY(P + 1n) },
    token: forgedWithIdentity,
    ours: 'weak_key',
    jose: platformAcceptsIdentityForgery(edY(P + 1n)),
    ringAlg: 'EdDSA',
  },
  { name: 'P-256 point off the curve', jwk: { ...ec.jwk, x: ec.jwk.y }, token: (k) => signed('ES256', k, ec.privateKey), ours: 'weak_key', jose: false, ringAlg: 'ES256' },
];

const kidOf = (i: number): string => `row-${i}`;
const JWKS = { keys: ROWS.map((r, i) => ({ ...r.jwk, kid: kidOf(i) })) };
const TOKENS = ROWS.map((r, i) => r.token(kidOf(i)));

function decisionOf(out: Invocation): string {
  const line = out.logs.split('\n').find((l) => l.startsWith('{"source":"jwt-authorizer"') && l.includes('"decision"'));
  return JSON.parse(line!).reason;
}

const invoke = (proc: AssetProcess, token: string): Promise<Invocation> =>
  proc.invoke({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN });

test('the jose column is what jose does with the same set and tokens', () => {
  expect(verifyWithJose(JWKS, TOKENS, ALL)).toEqual(ROWS.map((r) => r.jose));
});

test('node:crypto imports the degenerate keys (so the refusal is ours, not the platform\'s)', () => {
  expect(createPublicKey({ key: { ...rsa.jwk, e: 'AQ' } as JsonWebKey, format: 'jwk' }).asymmetricKeyType).toBe('rsa');
  expect(createPublicKey({ key: { ...ed.jwk, x: edY(1n) } as JsonWebKey, format: 'jwk' }).asymmetricKeyType).toBe('ed25519');
});

describe('an identity provider\'s JWKS URL', () => {
  let idp: JwksServer;
  let proc: AssetProcess;
  beforeAll(async () => {
    idp = await startJwksServer();
    idp.body = JWKS;
    proc = await startAsset('authorizer-jwks', { ...COMMON, JWT_JWKS_URL: idp.url, NODE_EXTRA_CA_CERTS: idp.caFile }, SOURCES);
  });
  afterAll(async () => {
    await proc?.stop();
    await idp?.stop();
  });

  test.each(ROWS.map((r, i) => [r.name, i] as const))('%s', async (_name, i) => {
    expect(decisionOf(await invoke(proc, TOKENS[i]))).toBe(ROWS[i].ours);
  });

  test('each ignored key is logged once with its kid and reason, however often the set is fetched', async () => {
    for (const t of TOKENS) await invoke(proc, t);
    const warnings = proc.logs().split('\n').filter((l) => l.includes('"JWKS keys ignored"')).map((l) => JSON.parse(l).ignored as Array<{ kid: string }>);
    const kids = warnings.flat().map((w) => w.kid);
    const refusedKids = ROWS.map((r, i) => (r.ours === 'ok' || r.kept ? undefined : kidOf(i))).filter((k) => k !== undefined);
    expect([...kids].sort()).toEqual([...refusedKids].sort());
    expect(idp.requests).toBeGreaterThan(ROWS.length);
  });
});

describe.each(['ES256', 'EdDSA'] as const)('an asymmetric ring\'s JWKS object in S3 (%s)', (alg) => {
  const rows = ROWS.map((r, i) => ({ ...r, i })).filter((r) => r.ringAlg === alg);
  let s3: FaultServer;
  let proc: AssetProcess;
  beforeAll(async () => {
    s3 = await startFaultServer({ kind: 'answer', body: JSON.stringify({ keys: rows.map((r) => ({ ...r.jwk, kid: kidOf(r.i) })) }) });
    proc = await startAsset('authorizer-jwks', { ...COMMON, ...ringJwksEnv(s3.endpoint, alg) }, SOURCES);
  });
  afterAll(async () => {
    await proc?.stop();
    await s3?.stop();
  });

  test.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, r) => {
    expect(decisionOf(await invoke(proc, TOKENS[r.i]))).toBe(r.ours);
  });
});
