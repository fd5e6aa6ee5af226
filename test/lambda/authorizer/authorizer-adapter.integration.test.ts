/**
 * The shipped asset (assets/authorizer/index.js), warm in one process, against peers on loopback:
 * moto for Secrets Manager, and a "black hole" that accepts connections and never answers.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { signHs256 } from '../../../lambda-src/jwt/hs256';
import { newKeyRing, serializeKeyRing } from '../../../lambda-src/key-ring';
import { BlackHole, startBlackHole } from '../../helpers/black-hole';
import { AssetProcess, Invocation, startAsset } from '../../helpers/invoke-asset';
import { AUDIENCE, ISSUER, validClaims } from '../../helpers/jwt-fixtures';
import { motoEnv, motoSecretsManager, MotoServer, startMoto } from '../../helpers/moto';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123def4/prod/GET/users/me';
const SOURCES = ['authorizer', 'jwt', 'key-ring', '../src/authorizer'];
const ENV = {
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: AUDIENCE,
  ROLE_PERMISSIONS: JSON.stringify({ user: ['read:own'] }),
  PERMISSION_METHODS: JSON.stringify({ 'read:own': ['GET /users/me'] }),
};
const ring = newKeyRing(new Date());
const nowS = (): number => Math.floor(Date.now() / 1000);
const token = (): string => signHs256(validClaims(nowS()), Buffer.from(ring.current.key, 'base64url'), ring.current.kid);

function reasonOf(out: Invocation): string | undefined {
  const line = out.logs.split('\n').find((l) => l.startsWith('{"source":"jwt-authorizer"'));
  return line ? JSON.parse(line).reason : undefined;
}

let moto: MotoServer;
let sm: SecretsManagerClient;
const started: AssetProcess[] = [];

beforeAll(async () => {
  moto = await startMoto();
  sm = motoSecretsManager(moto.endpoint);
  await sm.send(new CreateSecretCommand({ Name: 'jwt-keys', SecretString: serializeKeyRing(ring) }));
});

afterAll(async () => {
  await Promise.all(started.map((a) => a.stop()));
  sm?.destroy();
  await moto?.stop();
});

async function authorizer(env: Record<string, string>): Promise<AssetProcess> {
  const a = await startAsset('authorizer', { ...motoEnv(moto.endpoint), ...ENV, JWT_SECRET_ID: 'jwt-keys', ...env }, SOURCES);
  started.push(a);
  return a;
}

describe('REQUEST authorizer with a custom header', () => {
  const request = (headers: Record<string, string>): Record<string, unknown> => ({ type: 'REQUEST', methodArn: METHOD_ARN, headers });

  test('reads the token from the configured header, in any case', async () => {
    const a = await authorizer({ JWT_HEADER_NAME: 'X-Api-Token' });
    expect(await a.invoke(request({ 'x-api-token': `Bearer ${token()}` }))).toMatchObject({ ok: true, result: { principalId: 'user-1' } });
    expect(await a.invoke(request({ 'X-API-TOKEN': token() }))).toMatchObject({ ok: true });
  });

  test('ignores a token in Authorization when another header is configured', async () => {
    const a = await authorizer({ JWT_HEADER_NAME: 'X-Api-Token' });
    const out = await a.invoke(request({ Authorization: `Bearer ${token()}` }));
    expect(out).toMatchObject({ ok: false, error: { message: 'Unauthorized' } });
    expect(reasonOf(out)).toBe('no_token');
  });

  test('refuses the header given twice in different case', async () => {
    const a = await authorizer({ JWT_HEADER_NAME: 'X-Api-Token' });
    const out = await a.invoke(request({ 'x-api-token': token(), 'X-Api-Token': token() }));
    expect(reasonOf(out)).toBe('no_token');
  });
});

describe('key fetch deadline', () => {
  let hole: BlackHole;
  beforeAll(async () => { hole = await startBlackHole(); });
  afterAll(async () => { await hole?.close(); });

  test('denies keys_unavailable within the deadline against a server that never answers, stays healthy, and retries on the next request', async () => {
    const a = await authorizer({ ...motoEnv(hole.endpoint), KEY_FETCH_TIMEOUT_MS: '300' });
    const event = { type: 'TOKEN', authorizationToken: `Bearer ${token()}`, methodArn: METHOD_ARN };

    const t0 = Date.now();
    const first = await a.invoke(event);
    const elapsed = Date.now() - t0;
    expect(first).toMatchObject({ ok: false, error: { message: 'Unauthorized' } });
    expect(reasonOf(first)).toBe('keys_unavailable');
    expect(hole.connections()).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1500);

    // Secrets Manager comes back: after the failure back-off (1 s) the same process fetches again.
    hole.forwardTo(new URL(moto.endpoint));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await a.invoke(event)).toMatchObject({ ok: true, result: { principalId: 'user-1' } });
    expect(hole.connections()).toBe(2);
  });

  test('uses the 2 s default deadline when none is configured', async () => {
    const other = await startBlackHole();
    try {
      const a = await authorizer({ ...motoEnv(other.endpoint) });
      const t0 = Date.now();
      const out = await a.invoke({ type: 'TOKEN', authorizationToken: `Bearer ${token()}`, methodArn: METHOD_ARN });
      const elapsed = Date.now() - t0;
      expect(reasonOf(out)).toBe('keys_unavailable');
      expect(elapsed).toBeGreaterThanOrEqual(1900);
      expect(elapsed).toBeLessThan(3500);
    } finally {
      await other.close();
    }
  });
});
