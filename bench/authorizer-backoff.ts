/**
 * Key fetch back-off benchmark (run: npx ts-node --project tsconfig.dev.json bench/authorizer-backoff.ts).
 * For the SHIPPED assets (assets/authorizer: Secrets Manager key ring; assets/authorizer-jwks: a
 * ring's JWKS in S3), each loaded as two fresh "containers" in this process, against one loopback
 * endpoint (test/helpers/fault-server.ts) prints, in the same run:
 * - the warm allow path: time per request of a container whose keys are cached (the baseline);
 * - the deny path during the back-off: time per request of a container whose key endpoint hangs
 *   (accepts TCP, never answers), right after its one fetch ran into the deadline: the requests
 *   that follow are refused at once (keys_unavailable), opening no connection;
 * - what the first request of each outage costs (the fetch deadline) and the connections opened.
 * Rounds alternate the two paths so load from other processes hits both alike; a figure is the
 * median over rounds.
 */
import * as path from 'path';
import { scaled, smokeBanner } from './smoke';
import { signAsymmetric } from '../lambda-src/jwt/asymmetric';
import { signHs256 } from '../lambda-src/jwt/hs256';
import { newKeyRing, privateKeyOf, publicJwks, serializeKeyRing } from '../lambda-src/key-ring';
import { LOOPBACK_AUTHORIZER_ENV, METHOD_ARN, ringJwksEnv } from '../test/helpers/authorizer-env';
import { startFaultServer } from '../test/helpers/fault-server';
import { AUDIENCE, ISSUER } from '../test/helpers/jwt-fixtures';

/** Round 0 warms the JIT up and is not counted. */
const ROUNDS = scaled(16, 1);
const ITER = scaled(1000, 5);
const DEADLINE_MS = 200;
const BACKOFF_MS = 1000;

type Handler = (e: unknown) => Promise<unknown>;
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const nowS = (): number => Math.floor(Date.now() / 1000);
const claims = (): Record<string, unknown> => ({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', role: 'user', iat: nowS() - 5, exp: nowS() + 3000 });

function loadAsset(asset: string, env: Record<string, string>): Handler {
  Object.assign(process.env, env);
  const file = path.join(__dirname, '..', 'assets', asset, 'index.js');
  delete require.cache[require.resolve(file)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(file) as { handler: Handler }).handler;
}

/** Calls the handler with the decision's log line captured: returns its reason code. */
async function reasonOf(handler: Handler, token: string): Promise<string> {
  const original = console.log;
  let line = '';
  console.log = (s: string) => { line = s; };
  try {
    await handler({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN }).catch(() => undefined);
  } finally {
    console.log = original;
  }
  return JSON.parse(line).reason;
}

async function perRequestMs(handler: Handler, token: string, expected: string): Promise<number> {
  const t = process.hrtime.bigint();
  for (let i = 0; i < ITER; i++) {
    const reason = await reasonOf(handler, token);
    if (reason !== expected) throw new Error(`expected ${expected}, got ${reason}`);
  }
  return Number(process.hrtime.bigint() - t) / 1e6 / ITER;
}

const hsRing = newKeyRing(new Date(Date.now() - 60_000));
const esRing = newKeyRing(new Date(Date.now() - 60_000), 3600, 32, 'ES256');
const SOURCES = [
  {
    name: 'Secrets Manager key ring (assets/authorizer)',
    asset: 'authorizer',
    env: (endpoint: string) => ({ JWT_SECRET_ID: 'jwt-keys', AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint }),
    body: JSON.stringify({ SecretString: serializeKeyRing(hsRing) }),
    token: () => signHs256(claims(), Buffer.from(hsRing.current.key, 'base64url'), hsRing.current.kid),
  },
  {
    name: 'ring JWKS in S3 (assets/authorizer-jwks, ES256)',
    asset: 'authorizer-jwks',
    env: (endpoint: string) => ringJwksEnv(endpoint, 'ES256'),
    body: JSON.stringify(publicJwks(esRing, new Date())),
    token: () => signAsymmetric(claims(), 'ES256', privateKeyOf('ES256', esRing.current.key), esRing.current.kid),
  },
];

async function main(): Promise<void> {
  smokeBanner();
  for (const source of SOURCES) {
    const server = await startFaultServer({ kind: 'answer', body: source.body });
    const env = { ...LOOPBACK_AUTHORIZER_ENV, KEY_FETCH_TIMEOUT_MS: String(DEADLINE_MS), ...source.env(server.endpoint) };
    const token = source.token();
    const warm = loadAsset(source.asset, env);
    if (await reasonOf(warm, token) !== 'ok') throw new Error(`${source.name}: the warm container does not allow its token`);
    const outage = loadAsset(source.asset, env);
    server.mode = { kind: 'blackhole' };
    const allowMs: number[] = [];
    const denyMs: number[] = [];
    const firstMs: number[] = [];
    let connectionsPerOutage = 0;
    for (let r = 0; r < ROUNDS; r++) {
      // Wait out the previous round's back-off, so this round starts a new outage.
      await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS + 20));
      const before = server.connections;
      const t = process.hrtime.bigint();
      if (await reasonOf(outage, token) !== 'keys_unavailable') throw new Error('the hanging endpoint did not deny');
      firstMs.push(Number(process.hrtime.bigint() - t) / 1e6);
      const start = performance.now();
      denyMs.push(await perRequestMs(outage, token, 'keys_unavailable'));
      if (performance.now() - start > BACKOFF_MS / 2) throw new Error('the deny loop outlasted half the back-off: lower ITER');
      allowMs.push(await perRequestMs(warm, token, 'ok'));
      connectionsPerOutage = Math.max(connectionsPerOutage, server.connections - before);
      if (r === 0 && ROUNDS > 1) [allowMs, denyMs, firstMs].forEach((xs) => xs.pop());
    }
    await server.stop();
    for (const k of Object.keys(env)) delete process.env[k];
    const deny = median(denyMs);
    const allow = median(allowMs);
    console.log(`\n${source.name}: ${denyMs.length} outages, ${ITER} requests each during the ${BACKOFF_MS} ms back-off`);
    console.log(`  warm allow path (baseline):          ${(allow * 1000).toFixed(1)} us/request`);
    console.log(`  deny during the back-off:            ${(deny * 1000).toFixed(1)} us/request (${(deny / allow).toFixed(2)}x the allow path)`);
    console.log(`  first request of an outage:          ${median(firstMs).toFixed(0)} ms (the ${DEADLINE_MS} ms fetch deadline)`);
    console.log(`  connections per outage:              ${connectionsPerOutage} (for 1 + ${ITER} requests)`);
    if (connectionsPerOutage !== 1) throw new Error(`expected 1 connection per outage, got ${connectionsPerOutage}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
