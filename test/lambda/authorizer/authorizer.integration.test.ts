/**
 * Real peers: the bundled authorizer, warm in one process, reads its key ring from moto (Secrets
 * Manager on loopback) through a counting HTTP proxy, and verifies tokens minted by jose (Node)
 * and PyJWT (Python). Rotations are emulated with PutSecretValue, as the rotation function does.
 */
import * as http from 'http';
import * as net from 'net';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { signHs256 } from '../../../lambda-src/jwt/hs256';
import { issueToken } from '../../../lambda-src/jwt/issue-token';
import { KeyRing, newKeyRing, rotateKeyRing, serializeKeyRing } from '../../../lambda-src/key-ring';
import { AssetProcess, Invocation, mintWithJose, mintWithPyJwt, startAsset } from '../../helpers/invoke-asset';
import { AUDIENCE, ISSUER, validClaims } from '../../helpers/jwt-fixtures';
import { motoEnv, motoSecretsManager, MotoServer, startMoto } from '../../helpers/moto';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123def4/prod/GET/users/me';
const SOURCES = ['authorizer', 'jwt', 'key-ring'];
const AUTHORIZER_ENV = {
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: AUDIENCE,
  ROLE_PERMISSIONS: JSON.stringify({ admin: ['read:any'], user: ['read:own'] }),
  PERMISSION_METHODS: JSON.stringify({ 'read:own': ['GET /users/me'], 'read:any': ['GET /users/*'] }),
};

/**
 * A pass-through HTTP proxy on 127.0.0.1 in front of moto that counts GetSecretValue calls, so
 * tests assert how often the authorizer really reached Secrets Manager.
 */
interface CountingProxy {
  readonly endpoint: string;
  getSecretValueCalls(): number;
  close(): Promise<void>;
}

async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  let calls = 0;
  const server = http.createServer((req, res) => {
    if (String(req.headers['x-amz-target'] ?? '').endsWith('.GetSecretValue')) calls++;
    const forward = http.request({
      host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers,
    }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    getSecretValueCalls: () => calls,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const nowS = (): number => Math.floor(Date.now() / 1000);

const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => validClaims(nowS(), overrides);

function signWith(ring: KeyRing, which: 'current' | number = 'current'): string {
  const k = which === 'current' ? ring.current : ring.previous[which];
  return signHs256(claims(), Buffer.from(k.key, 'base64url'), k.kid);
}

const event = (token: string): Record<string, unknown> => ({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN });

function reasonOf(out: Invocation): string | undefined {
  const line = out.logs.split('\n').find((l) => l.startsWith('{"source":"jwt-authorizer"'));
  return line ? JSON.parse(line).reason : undefined;
}

const UNAUTHORIZED = { ok: false, error: { name: 'Error', message: 'Unauthorized' } };

let moto: MotoServer;
let proxy: CountingProxy;
let sm: SecretsManagerClient;
const started: AssetProcess[] = [];
let secretCounter = 0;

/** A fresh secret holding `value`, and a warm authorizer (its own process) reading it via the proxy. */
async function authorizerFor(value: string, env: Record<string, string> = {}): Promise<{ secretId: string; authorizer: AssetProcess }> {
  const secretId = `jwt-keys-${++secretCounter}`;
  await sm.send(new CreateSecretCommand({ Name: secretId, SecretString: value }));
  const authorizer = await startAsset('authorizer', { ...motoEnv(proxy.endpoint), ...AUTHORIZER_ENV, JWT_SECRET_ID: secretId, ...env }, SOURCES);
  started.push(authorizer);
  return { secretId, authorizer };
}

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startCountingProxy(moto.endpoint);
  sm = motoSecretsManager(moto.endpoint);
});

afterAll(async () => {
  await Promise.all(started.map((a) => a.stop()));
  sm?.destroy();
  await proxy?.close();
  await moto?.stop();
});

describe('tokens from independent issuers', () => {
  test('accepts an HS256 token minted by jose (Node)', async () => {
    const ring = newKeyRing(new Date());
    const { authorizer } = await authorizerFor(serializeKeyRing(ring));
    const [token] = mintWithJose([{ alg: 'HS256', header: { typ: 'JWT', kid: ring.current.kid }, claims: claims(), key: ring.current.key }]);
    expect(await authorizer.invoke(event(token))).toMatchObject({ ok: true, result: { principalId: 'user-1', context: { sub: 'user-1', role: 'user' } } });
  });

  test('accepts an HS256 token minted by PyJWT (Python)', async () => {
    const ring = newKeyRing(new Date());
    const { authorizer } = await authorizerFor(serializeKeyRing(ring));
    const token = mintWithPyJwt(claims({ role: 'admin', aud: [AUDIENCE, 'other-api'] }), ring.current.key, ring.current.kid);
    expect(await authorizer.invoke(event(token))).toMatchObject({ ok: true, result: { context: { role: 'admin' } } });
  });

  test('accepts a token from the library\'s own issueToken helper', async () => {
    const ring = newKeyRing(new Date());
    const { authorizer } = await authorizerFor(serializeKeyRing(ring));
    const token = issueToken(serializeKeyRing(ring), { iss: ISSUER, aud: AUDIENCE, sub: 'svc', role: 'user' }, { ttlSeconds: 300 });
    expect((await authorizer.invoke(event(token))).ok).toBe(true);
  });
});

describe('rotation', () => {
  test('keeps accepting the previous key during its grace period after a rotation', async () => {
    const ring = newKeyRing(new Date());
    const { secretId, authorizer } = await authorizerFor(serializeKeyRing(ring));
    expect((await authorizer.invoke(event(signWith(ring)))).ok).toBe(true);

    const rotated = rotateKeyRing(ring, new Date(), 3600);
    await sm.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: serializeKeyRing(rotated) }));

    // The new current key was published as `next` in the ring the warm cache holds: it
    // verifies without any refetch (key ring v2)...
    const before = proxy.getSecretValueCalls();
    expect(rotated.current).toEqual(ring.next);
    expect((await authorizer.invoke(event(signWith(rotated)))).ok).toBe(true);
    expect(proxy.getSecretValueCalls() - before).toBe(0);
    // ...and the old key, now in `previous`, still verifies.
    expect(rotated.previous[0].kid).toBe(ring.current.kid);
    expect((await authorizer.invoke(event(signWith(ring)))).ok).toBe(true);
    expect(proxy.getSecretValueCalls() - before).toBe(0);
  });

  test('rejects the previous key once its grace period has ended', async () => {
    const ring = newKeyRing(new Date(Date.now() - 7200_000));
    const rotated = rotateKeyRing(ring, new Date(Date.now() - 3600_000), 1800); // grace ended 30 minutes ago
    expect(Date.parse(rotated.previous[0].expiresAt)).toBeLessThan(Date.now());
    const { authorizer } = await authorizerFor(serializeKeyRing(rotated));
    const out = await authorizer.invoke(event(signWith(ring)));
    expect(out).toMatchObject(UNAUTHORIZED);
    expect(reasonOf(out)).toBe('unknown_kid');
    expect((await authorizer.invoke(event(signWith(rotated)))).ok).toBe(true);
  });

  test('never trusts a version staged AWSPENDING', async () => {
    const ring = newKeyRing(new Date());
    const next = rotateKeyRing(ring, new Date(), 3600);
    const { secretId, authorizer } = await authorizerFor(serializeKeyRing(ring));
    await sm.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: serializeKeyRing(next), VersionStages: ['AWSPENDING'] }));
    // The key only the pending version holds (its `next`; its current was published already).
    const out = await authorizer.invoke(event(signWith({ ...next, current: next.next })));
    expect(out).toMatchObject(UNAUTHORIZED);
    expect(reasonOf(out)).toBe('unknown_kid');
  });

  test('denies everything while the secret holds its bootstrap value, and accepts after the first rotation', async () => {
    const { secretId, authorizer } = await authorizerFor(JSON.stringify({ bootstrap: 'f3a9c0d1e2b4' }));
    const ring = newKeyRing(new Date());
    const first = await authorizer.invoke(event(signWith(ring)));
    expect(first).toMatchObject(UNAUTHORIZED);
    expect(reasonOf(first)).toBe('no_keys');
    await sm.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: serializeKeyRing(ring) }));
    expect((await authorizer.invoke(event(signWith(ring)))).ok).toBe(true);
  });
});

describe('Secrets Manager load', () => {
  test('serves repeated requests from the cache', async () => {
    const ring = newKeyRing(new Date());
    const { authorizer } = await authorizerFor(serializeKeyRing(ring));
    const before = proxy.getSecretValueCalls();
    for (let i = 0; i < 20; i++) expect((await authorizer.invoke(event(signWith(ring)))).ok).toBe(true);
    expect(proxy.getSecretValueCalls() - before).toBe(1);
  });

  test('a flood of 100 unknown kids causes at most 2 Secrets Manager calls', async () => {
    const ring = newKeyRing(new Date());
    const { authorizer } = await authorizerFor(serializeKeyRing(ring));
    const before = proxy.getSecretValueCalls();
    for (let i = 0; i < 100; i++) {
      const bogus = newKeyRing(new Date());
      expect(await authorizer.invoke(event(signWith(bogus)))).toMatchObject(UNAUTHORIZED);
    }
    const calls = proxy.getSecretValueCalls() - before;
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(2);
    // The rate limit does not lock out legitimate tokens.
    expect((await authorizer.invoke(event(signWith(ring)))).ok).toBe(true);
  });

  test('does not call Secrets Manager at all for malformed tokens', async () => {
    const ring = newKeyRing(new Date());
    const { authorizer } = await authorizerFor(serializeKeyRing(ring));
    const before = proxy.getSecretValueCalls();
    for (const junk of ['x', 'a.b.c', `${signWith(ring)}.extra`, 'eyJhbGciOiJub25lIn0.e30.']) {
      expect(await authorizer.invoke(event(junk))).toMatchObject(UNAUTHORIZED);
    }
    expect(proxy.getSecretValueCalls() - before).toBe(0);
  });
});

describe('Secrets Manager unreachable', () => {
  let lonely: MotoServer;
  let ring: KeyRing;
  let cold: AssetProcess;
  let warm: AssetProcess;
  let noCache: AssetProcess;

  beforeAll(async () => {
    lonely = await startMoto();
    ring = newKeyRing(new Date());
    const client = motoSecretsManager(lonely.endpoint);
    await client.send(new CreateSecretCommand({ Name: 'jwt-keys', SecretString: serializeKeyRing(ring) }));
    client.destroy();
    const env = { ...motoEnv(lonely.endpoint), ...AUTHORIZER_ENV, JWT_SECRET_ID: 'jwt-keys' };
    cold = await startAsset('authorizer', env, SOURCES);
    warm = await startAsset('authorizer', env, SOURCES);
    noCache = await startAsset('authorizer', { ...env, KEY_CACHE_TTL_SECONDS: '0' }, SOURCES);
    started.push(cold, warm, noCache);
    expect((await warm.invoke(event(signWith(ring)))).ok).toBe(true);
    expect((await noCache.invoke(event(signWith(ring)))).ok).toBe(true);
    await lonely.stop();
  });

  afterAll(async () => {
    await lonely?.stop();
  });

  test('denies a valid token when the key ring cannot be fetched', async () => {
    const out = await cold.invoke(event(signWith(ring)));
    expect(out).toMatchObject(UNAUTHORIZED);
    expect(reasonOf(out)).toBe('keys_unavailable');
  });

  test('keeps verifying from a warm cache, and denies an unknown kid whose refetch fails', async () => {
    expect((await warm.invoke(event(signWith(ring)))).ok).toBe(true);
    const out = await warm.invoke(event(signWith(newKeyRing(new Date()))));
    expect(out).toMatchObject(UNAUTHORIZED);
    expect(reasonOf(out)).toBe('keys_unavailable');
  });

  test('does not serve an expired cache when the refresh fails (KEY_CACHE_TTL_SECONDS=0)', async () => {
    const out = await noCache.invoke(event(signWith(ring)));
    expect(out).toMatchObject(UNAUTHORIZED);
    expect(reasonOf(out)).toBe('keys_unavailable');
  });
});
