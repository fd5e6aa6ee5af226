/**
 * The key fetch back-off of the SHIPPED assets (fetch-gate.ts), in one warm process each, against
 * a key endpoint that hangs (accepts TCP, never answers) or answers 500, for every key source:
 * the Secrets Manager key ring (assets/authorizer), an asymmetric ring's JWKS in S3 and an
 * identity provider's JWKS URL (assets/authorizer-jwks). Three back-to-back requests open ONE
 * connection: the first is denied at the fetch deadline, the next two at once, during the
 * back-off counted from that deadline. Once the endpoint answers again, the first request after
 * the back-off fetches and is allowed.
 */
import { signAsymmetric } from '../../../lambda-src/jwt/asymmetric';
import { signHs256 } from '../../../lambda-src/jwt/hs256';
import { newKeyRing, privateKeyOf, publicJwks, serializeKeyRing } from '../../../lambda-src/key-ring';
import { LOOPBACK_AUTHORIZER_ENV, METHOD_ARN, ringJwksEnv } from '../../helpers/authorizer-env';
import { FaultServer, startFaultServer } from '../../helpers/fault-server';
import { AssetProcess, Invocation, startAsset } from '../../helpers/invoke-asset';
import { validClaims } from '../../helpers/jwt-fixtures';

const DEADLINE_MS = 1500;
const SOURCES = ['authorizer', 'authorizer-jwks', 'jwt', 'key-ring'];
const COMMON = { ...LOOPBACK_AUTHORIZER_ENV, KEY_FETCH_TIMEOUT_MS: String(DEADLINE_MS) };

const nowS = (): number => Math.floor(Date.now() / 1000);
const hsRing = newKeyRing(new Date(Date.now() - 60_000));
const esRing = newKeyRing(new Date(Date.now() - 60_000), 3600, 32, 'ES256');

interface Source {
  readonly name: string;
  readonly asset: string;
  readonly env: (server: FaultServer) => Record<string, string>;
  readonly token: () => string;
  /** What the endpoint answers once it is back. */
  readonly body: string;
}

const KEY_SOURCES: Source[] = [
  {
    name: 'Secrets Manager key ring (assets/authorizer)',
    asset: 'authorizer',
    env: (s) => ({ JWT_SECRET_ID: 'jwt-keys', AWS_ENDPOINT_URL_SECRETS_MANAGER: s.endpoint }),
    token: () => signHs256(validClaims(nowS()), Buffer.from(hsRing.current.key, 'base64url'), hsRing.current.kid),
    body: JSON.stringify({ SecretString: serializeKeyRing(hsRing) }),
  },
  {
    name: 'asymmetric ring\'s JWKS in S3 (assets/authorizer-jwks)',
    asset: 'authorizer-jwks',
    env: (s) => ringJwksEnv(s.endpoint, 'ES256'),
    token: () => signAsymmetric(validClaims(nowS()), 'ES256', privateKeyOf('ES256', esRing.current.key), esRing.current.kid),
    body: JSON.stringify(publicJwks(esRing, new Date())),
  },
];

function reasonOf(out: Invocation): string {
  const line = out.logs.split('\n').find((l) => l.startsWith('{"source":"jwt-authorizer"') && l.includes('"decision"'));
  return JSON.parse(line!).reason;
}

async function timed(proc: AssetProcess, token: string): Promise<{ reason: string; ms: number }> {
  const start = performance.now();
  const out = await proc.invoke({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN });
  return { reason: reasonOf(out), ms: performance.now() - start };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.each(KEY_SOURCES)('$name', ({ asset, env, token, body }) => {
  let server: FaultServer;
  let proc: AssetProcess;
  beforeEach(async () => {
    server = await startFaultServer();
    proc = await startAsset(asset, { ...COMMON, ...env(server) }, SOURCES);
  });
  afterEach(async () => {
    await proc?.stop();
    await server?.stop();
  });

  test('a hanging endpoint: 3 back-to-back requests open 1 connection; the 2nd and 3rd are denied at once, not at the deadline', async () => {
    const first = await timed(proc, token());
    expect(first.reason).toBe('keys_unavailable');
    expect(first.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    const rest = [await timed(proc, token()), await timed(proc, token())];
    for (const r of rest) {
      expect(r.reason).toBe('keys_unavailable');
      expect(r.ms).toBeLessThan(DEADLINE_MS / 3);
    }
    expect(server.connections).toBe(1);
  }, 30_000);

  test('HTTP 500s back off the same way, and the first request after the back-off recovers once the endpoint answers', async () => {
    server.mode = { kind: 'status', status: 500 };
    const denied = [await timed(proc, token()), await timed(proc, token()), await timed(proc, token())];
    expect(denied.map((d) => d.reason)).toEqual(['keys_unavailable', 'keys_unavailable', 'keys_unavailable']);
    expect(server.connections).toBe(1);
    server.mode = { kind: 'answer', body };
    // Still backing off: no connection yet.
    expect((await timed(proc, token())).reason).toBe('keys_unavailable');
    expect(server.connections).toBe(1);
    await sleep(1100);
    expect((await timed(proc, token())).reason).toBe('ok');
    expect(server.connections).toBe(2);
  }, 30_000);
});

describe('identity provider JWKS URL (assets/authorizer-jwks)', () => {
  test('a hanging HTTPS endpoint (no TLS handshake): 3 back-to-back requests open 1 connection, the 2nd and 3rd denied at once', async () => {
    const server = await startFaultServer();
    const idp = newKeyRing(new Date(Date.now() - 60_000), 3600, 32, 'ES256');
    const proc = await startAsset('authorizer-jwks', { ...COMMON, JWT_JWKS_URL: `https://127.0.0.1:${server.port}/jwks.json` }, SOURCES);
    try {
      const t = signAsymmetric(validClaims(nowS()), 'ES256', privateKeyOf('ES256', idp.current.key), idp.current.kid);
      const first = await timed(proc, t);
      const rest = [await timed(proc, t), await timed(proc, t)];
      expect([first, ...rest].map((r) => r.reason)).toEqual(['keys_unavailable', 'keys_unavailable', 'keys_unavailable']);
      expect(first.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
      for (const r of rest) expect(r.ms).toBeLessThan(DEADLINE_MS / 3);
      expect(server.connections).toBe(1);
    } finally {
      await proc.stop();
      await server.stop();
    }
  }, 30_000);
});
