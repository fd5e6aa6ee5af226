/**
 * Each shipped handler run the way Lambda runs a Node.js function image: the Runtime Interface
 * Emulator in front of the runtime interface client (aws-lambda-ric), under the Node that runs
 * this file (`npx projen test:runtime-client` runs it on Node 24 and on Node 26). The handler
 * string, memory, timeout, log format and environment are those of the integration apps'
 * synthesized templates (test/integ/*.snapshot); moto stands in for Secrets Manager and S3.
 *
 * Timings (the emulator's init and invoke durations) are printed at the end, never asserted.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { issueToken } from '../../../lambda-src/jwt/issue-token';
import { KeyRing, KeyRingAlgorithm, newKeyRing, parseKeyRing } from '../../../lambda-src/key-ring';
import { ROTATION_STEPS } from '../../../lambda-src/rotation/contract';
import { BlackHole, startBlackHole } from '../../helpers/black-hole';
import { snapshotAsset } from '../../helpers/invoke-asset';
import { EmulatedFunction, EmulatedInvocation, startEmulatedFunction } from '../../helpers/lambda-emulator';
import { beginRotation, createMotoBucket, motoEnv, motoSecretsManager, MotoServer, startMoto } from '../../helpers/moto';
import { readCurrentSecret, versionsLabelled } from '../../helpers/secret-versions';
import { isRefTo, ReferenceResolver, TemplateFunction, templateFunction } from '../../helpers/template-function';

const REGION = 'us-east-1';
const METHOD_ARN = (method: string): string => `arn:aws:execute-api:${REGION}:123456789012:abc123def4/prod/${method}/orders`;

let moto: MotoServer;
let sm: SecretsManagerClient;
const running: EmulatedFunction[] = [];
const scratch: string[] = [];

/**
 * What Lambda gives every function besides its template environment: the region, the execution
 * role's temporary credentials (always with a session token), and here moto's endpoints in place
 * of the services (the SDK's standard AWS_ENDPOINT_URL_* overrides; nothing else changes).
 */
function platformEnv(endpoints: Record<string, string> = {}): Record<string, string> {
  return { ...motoEnv(moto.endpoint), AWS_DEFAULT_REGION: REGION, AWS_SESSION_TOKEN: 'session-token', ...endpoints };
}

/** A task root holding the shipped asset as the function's zip does (index.js at its root). */
function shippedTaskRoot(asset: string): string {
  const dir = path.dirname(snapshotAsset(asset));
  scratch.push(dir);
  return dir;
}

/** The issuer function's task root: its index.js and the shipped helper beside it. */
function issuerTaskRoot(): string {
  const dir = path.dirname(snapshotAsset('issuer'));
  fs.renameSync(path.join(dir, 'index.js'), path.join(dir, 'issuer.js'));
  fs.copyFileSync(path.join(__dirname, 'issuer-function', 'index.js'), path.join(dir, 'index.js'));
  scratch.push(dir);
  return dir;
}

async function start(fn: TemplateFunction, taskRoot: string, env: Record<string, string> = platformEnv()): Promise<EmulatedFunction> {
  const f = await startEmulatedFunction(fn, taskRoot, env);
  running.push(f);
  return f;
}

// --- Timings: printed, never asserted -----------------------------------------------------------
const rows: string[][] = [];
function recordTimings(label: string, f: EmulatedFunction, invocations: readonly EmulatedInvocation[]): void {
  const ms = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(1));
  const warm = invocations.slice(1).map((i) => f.invokeMs(i.requestId)).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  rows.push([`node ${process.versions.node}`, label, `${f.fn.memorySize} MB / ${f.fn.timeoutSeconds} s`, ms(f.initMs()),
    ms(f.invokeMs(invocations[0].requestId)), ms(warm[Math.floor(warm.length / 2)]), String(invocations.length)]);
}
function printTimings(): void {
  const table = [['node', 'function', 'memory / timeout', 'init ms', 'first invoke ms', 'warm invoke ms (median)', 'invocations'], ...rows];
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  console.log(`runtime-client timings (aws-lambda-rie + aws-lambda-ric)\n${table.map((r) => r.map((v, c) => v.padEnd(widths[c])).join(' | ')).join('\n')}`);
}

// --- Reading the answers ------------------------------------------------------------------------
/** The authorizer's decision record (reason code) for this invocation, from its log. */
function reasonOf(inv: EmulatedInvocation): string | undefined {
  const record = inv.records.find((r): r is { reason: string } => (r as { source?: string }).source === 'jwt-authorizer' && typeof (r as { reason?: unknown }).reason === 'string');
  return record?.reason;
}

/** A function error as the invoke API returns it: API Gateway turns `Unauthorized` into a 401. */
const UNAUTHORIZED = { errorType: 'Error', errorMessage: 'Unauthorized' };

function expectAllowed(inv: EmulatedInvocation, method: string): void {
  expect(inv.status).toBe(200);
  expect(inv.body).toMatchObject({
    principalId: 'user-1',
    policyDocument: { Statement: [expect.objectContaining({ Effect: 'Allow', Resource: expect.arrayContaining([METHOD_ARN(method)]) })] },
  });
  expect(reasonOf(inv)).toBe('ok');
}

const tokenEvent = (token: string, method = 'GET'): Record<string, unknown> => ({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN(method) });

/** Runs the four rotation steps in one execution environment and checks where the rotation ends. */
async function rotateThroughEmulator(f: EmulatedFunction, secretArn: string): Promise<{ ring: KeyRing; invocations: EmulatedInvocation[] }> {
  const token = await beginRotation(sm, secretArn);
  const invocations: EmulatedInvocation[] = [];
  for (const Step of ROTATION_STEPS) {
    const inv = await f.invoke({ Step, SecretId: secretArn, ClientRequestToken: token });
    if (inv.status !== 200 || inv.body !== null) throw new Error(`${Step}: HTTP ${inv.status} ${JSON.stringify(inv.body)}\n${f.log()}`);
    invocations.push(inv);
  }
  expect(await versionsLabelled(sm, secretArn, 'AWSCURRENT')).toEqual([token]);
  expect(await versionsLabelled(sm, secretArn, 'AWSPENDING')).toEqual([]);
  return { ring: parseKeyRing((await readCurrentSecret(sm, secretArn)).secretString), invocations };
}

async function newBootstrapSecret(name: string): Promise<string> {
  // The value RotatingJwtSecret deploys before its first rotation (a bootstrap, no signing key).
  const out = await sm.send(new CreateSecretCommand({ Name: `${name}-${Date.now()}`, SecretString: JSON.stringify({ bootstrap: randomBytes(24).toString('base64url') }) }));
  return out.ARN!;
}

beforeAll(async () => {
  moto = await startMoto();
  sm = motoSecretsManager(moto.endpoint);
});

afterAll(async () => {
  await Promise.all(running.map((f) => f.stop()));
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
  sm?.destroy();
  await moto?.stop();
  if (rows.length > 0) printTimings();
});

/**
 * Each app's functions, configured from its template. `resolve` maps the template's references to
 * what this test created in moto; each mapping says why it is the same thing.
 */
interface AppFunctions {
  readonly rotation: TemplateFunction;
  readonly authorizer: TemplateFunction;
  readonly issuer: TemplateFunction;
}

function hs256App(secretArn: string): AppFunctions {
  const resolve: ReferenceResolver = (name, value) => {
    // `Ref` of an AWS::SecretsManager::Secret is its ARN; KeysSecret is the RotatingJwtSecret's
    // secret, which here is the moto secret the test created with the same bootstrap value.
    if (isRefTo(value, 'KeysSecret')) return secretArn;
    // The probe's API URL (a join of the deployed API's id and stage): the issuer function calls no API.
    if (name === 'API_URL') return undefined;
    throw new Error(`integ.jwt-authorizer: no mapping for ${name} = ${JSON.stringify(value)}`);
  };
  const fn = (prefix: string): TemplateFunction => templateFunction('integ.jwt-authorizer', 'IntegJwtAuthorizer', prefix, resolve);
  // The integration app's issuer is its probe function (it signs with the ring's current key);
  // the issuer function runs in its place, with its handler, memory, timeout and environment.
  return { rotation: fn('KeysRotationFunction'), authorizer: fn('AuthorizerFunction'), issuer: fn('Probe') };
}

function jwksApp(secretArn: string, bucket: string): AppFunctions {
  const resolve: ReferenceResolver = (name, value) => {
    if (isRefTo(value, 'JwtSecret') && !isRefTo(value, 'JwtSecretJwks')) return secretArn;
    // `Ref` of an AWS::S3::Bucket is its name: the JWKS bucket is the moto bucket the test created.
    if (isRefTo(value, 'JwtSecretJwksBucket')) return bucket;
    // `Ref AWS::Region`: the region the function runs in, which is moto's (platformEnv).
    if (isRefTo(value, 'AWS::Region')) return REGION;
    // https:// + the bucket's RegionalDomainName (<bucket>.s3.<region>.amazonaws.com) + the object
    // key: the public URL the rotation writes into the ring; the authorizer reads the bucket, not the URL.
    if (name === 'JWKS_URL') {
      const join = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      expect(join[1]).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^JwtSecretJwksBucket/), 'RegionalDomainName'] });
      return `https://${bucket}.s3.${REGION}.amazonaws.com${join[2] as string}`;
    }
    if (name === 'API_URL') return undefined;
    throw new Error(`integ.demo: no mapping for ${name} = ${JSON.stringify(value)}`);
  };
  const fn = (prefix: string): TemplateFunction => templateFunction('integ.demo', 'SecurityBlocksDemo', prefix, resolve);
  return { rotation: fn('JwtSecretRotationFunction'), authorizer: fn('OrdersApiAuthorizerFunction'), issuer: fn('Probe') };
}

describe.each([
  { ring: 'HS256 ring in Secrets Manager (integ.jwt-authorizer)', asset: 'authorizer', algorithm: 'HS256' as KeyRingAlgorithm, jwks: false },
  { ring: 'ES256 ring through its JWKS in S3 (integ.demo)', asset: 'authorizer-jwks', algorithm: 'ES256' as KeyRingAlgorithm, jwks: true },
])('$ring', ({ asset, algorithm, jwks }) => {
  let secretArn: string;
  let app: AppFunctions;
  let ring: KeyRing;
  let issued: string;

  beforeAll(async () => {
    secretArn = await newBootstrapSecret(`jwt-${algorithm}`);
    app = jwks ? jwksApp(secretArn, await createMotoBucket(moto.endpoint, 'jwks')) : hs256App(secretArn);
  });

  test('each function\'s key source in the template resolves to what the test created in moto', () => {
    // HS256: the authorizer reads the secret. ES256: it reads only the JWKS object, never the secret.
    if (jwks) {
      const bucket = app.rotation.environment.JWKS_BUCKET;
      expect(app.authorizer.environment).toEqual(expect.objectContaining({ JWT_JWKS_BUCKET: bucket, JWT_ALGORITHMS: algorithm }));
      expect(Object.keys(app.authorizer.environment).filter((k) => /SECRET/.test(k))).toEqual([]);
    } else {
      expect(app.authorizer.environment.JWT_SECRET_ID).toBe(secretArn);
    }
    expect(app.issuer.environment.SECRET_ID).toBe(secretArn);
    expect(app.rotation.environment.KEY_ALGORITHM ?? 'HS256').toBe(algorithm);
  });

  test('the rotation function runs createSecret, setSecret, testSecret and finishSecret against moto', async () => {
    const f = await start(app.rotation, shippedTaskRoot('rotation'));
    const first = await rotateThroughEmulator(f, secretArn);
    expect(first.ring.algorithm).toBe(algorithm);
    // A second rotation in the same (warm) execution environment moves `next` to `current`.
    const second = await rotateThroughEmulator(f, secretArn);
    expect(second.ring.current.kid).toBe(first.ring.next!.kid);
    expect(f.initCount()).toBe(1);
    recordTimings(`rotation (${algorithm})`, f, [...first.invocations, ...second.invocations]);
    ring = second.ring;
  });

  test('the issuer function signs with the ring\'s current key', async () => {
    const f = await start(app.issuer, issuerTaskRoot(), { ...platformEnv(), NODE_PATH: path.join(__dirname, '..', '..', '..', 'node_modules') });
    const invocations = [await f.invoke({ sub: 'user-1', role: 'user', ttlSeconds: 900 }), await f.invoke({ sub: 'user-1', role: 'user', ttlSeconds: 900 })];
    for (const inv of invocations) expect(inv).toMatchObject({ status: 200, body: { token: expect.any(String) } });
    issued = (invocations[0].body as { token: string }).token;
    const header = JSON.parse(Buffer.from(issued.split('.')[0], 'base64url').toString('utf8'));
    expect(header).toEqual(expect.objectContaining({ alg: algorithm, kid: ring.current.kid }));
    recordTimings(`issuer (${algorithm})`, f, invocations);
  });

  test('the authorizer allows the issued token and denies a forbidden method, a forged and an expired token', async () => {
    const f = await start(app.authorizer, shippedTaskRoot(asset));
    const allowed = await f.invoke(tokenEvent(issued));
    expectAllowed(allowed, 'GET');

    // The role `user` may read, not write: asked for POST, the policy still allows only the role's
    // methods (API Gateway caches it per token), so API Gateway answers POST /orders with 403.
    const forbidden = await f.invoke(tokenEvent(issued, 'POST'));
    const statements = (forbidden.body as { policyDocument: { Statement: Array<{ Effect: string; Resource: string[] }> } }).policyDocument.Statement;
    expect(statements.flatMap((st) => (st.Effect === 'Allow' ? st.Resource : []))).toEqual([METHOD_ARN('GET')]);

    const claims = { iss: app.issuer.environment.ISSUER, aud: app.issuer.environment.AUDIENCE, sub: 'user-1', role: 'user' };
    // Same kid, another key of the same algorithm: the signature does not verify.
    const other = newKeyRing(new Date(), 3600, 32, algorithm);
    const forged = issueToken(JSON.stringify({ ...other, current: { ...other.current, kid: ring.current.kid } }), claims, { ttlSeconds: 900 });
    const denied = await f.invoke(tokenEvent(forged));
    expect(denied.body).toEqual(expect.objectContaining(UNAUTHORIZED));
    expect(reasonOf(denied)).toBe('bad_signature');

    const expired = issueToken(JSON.stringify(ring), claims, { ttlSeconds: 60, now: new Date(Date.now() - 600_000) });
    const late = await f.invoke(tokenEvent(expired));
    expect(late.body).toEqual(expect.objectContaining(UNAUTHORIZED));
    expect(reasonOf(late)).toBe('expired');

    expectAllowed(await f.invoke(tokenEvent(issued)), 'GET');
    expect(f.initCount()).toBe(1);
    recordTimings(`${asset} (${algorithm})`, f, [allowed, forbidden, denied, late]);
  });

  describe('a key endpoint that accepts connections and never answers', () => {
    let hole: BlackHole;
    beforeAll(async () => { hole = await startBlackHole(); });
    afterAll(async () => { await hole?.close(); });

    test('denies within the function\'s timeout, and the next invocation in the same runtime is allowed', async () => {
      // The service the handler reads its keys from is the black hole; the other stays moto.
      const endpoint: Record<string, string> = { [jwks ? 'AWS_ENDPOINT_URL_S3' : 'AWS_ENDPOINT_URL_SECRETS_MANAGER']: hole.endpoint };
      const f = await start(app.authorizer, shippedTaskRoot(asset), platformEnv(endpoint));
      const token = issueToken(JSON.stringify(ring), { iss: app.issuer.environment.ISSUER, aud: app.issuer.environment.AUDIENCE, sub: 'user-1', role: 'user' }, { ttlSeconds: 900 });

      const hung = await f.invoke(tokenEvent(token));
      expect(hung.body).toEqual(expect.objectContaining(UNAUTHORIZED));
      expect(reasonOf(hung)).toBe('keys_unavailable');
      expect(hole.connections()).toBeGreaterThanOrEqual(1);
      // Inside the timeout: the handler's fetch deadline, not the emulator's timeout, ended it.
      expect(f.invokeMs(hung.requestId)).toBeLessThan(f.fn.timeoutSeconds * 1000);
      expect(f.log()).not.toContain('Task timed out');

      // The endpoint recovers; after the handler's failure back-off (1 s) the same runtime reads the keys.
      hole.forwardTo(new URL(moto.endpoint));
      await new Promise((r) => setTimeout(r, 1100));
      const next = await f.invoke(tokenEvent(token));
      expectAllowed(next, 'GET');
      expect(f.initCount()).toBe(1);
      expect(f.log()).not.toMatch(/exited|Reset initiated/);
      recordTimings(`${asset} (${algorithm}, black hole)`, f, [hung, next]);
    });
  });
});
