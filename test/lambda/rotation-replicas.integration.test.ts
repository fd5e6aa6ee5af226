/**
 * The shipped rotation asset (assets/rotation/index.js) on a secret replicated to another Region,
 * against moto behind a loopback proxy. moto replicates at once and always reports the replica
 * `InSync`; the proxy rewrites `ReplicationStatus[].Status` in the DescribeSecret answers the
 * handler gets, so finishSecret sees a replica that is still `InProgress`, or `Failed`.
 *
 * finishSecret writes the new ring as AWSCURRENT first (Secrets Manager replicates a version once
 * it exists) and then waits for the replicas before it removes AWSPENDING, which is what tells
 * Secrets Manager the rotation is complete. So a replica that lags or fails leaves the rotation
 * open (retried), never a lost key: a Region still serving the old ring accepts tokens of the new
 * current key, which that ring published as its next key, and the new ring still accepts every
 * token signed before.
 */
import { createHmac, randomBytes } from 'crypto';
import * as fs from 'fs';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { signHs256 } from '../../lambda-src/jwt/hs256';
import { KeyRing, newKeyRing, parseKeyRing, serializeKeyRing, verificationKeys } from '../../lambda-src/key-ring';
import { REPLICA_CHECK_INTERVAL_MS, REPLICA_CHECKS } from '../../lambda-src/rotation/core';
import { liveVersionId } from '../../lambda-src/rotation/successor';
import { LoopbackProxy, startLoopbackProxy } from '../helpers/loopback-proxy';
import { motoEnv, motoSecretsManager, MotoServer, startMoto } from '../helpers/moto';
import { assetPath, HandlerRun, runHandler } from '../helpers/run-handler';

const REPLICA_REGION = 'eu-west-1';
/** The rotation function's timeout (src/private/rotation-function.ts): the wait must end before it. */
const ROTATION_FUNCTION_TIMEOUT_MS = 30_000;
const ROTATION_LAMBDA_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:jwt-key-rotation';
const STEPS_BEFORE_FINISH = ['createSecret', 'setSecret', 'testSecret'] as const;

let moto: MotoServer;
let proxy: LoopbackProxy;
let sm: SecretsManagerClient;

/** What the proxy shows the handler as every replica's status on the n-th DescribeSecret; undefined: moto's own. */
let replicaStatus: (n: number) => string | undefined = () => undefined;
let describeCalls = 0;
/** Every operation the handler called, in order; DescribeSecret as `DescribeSecret:<status it saw>`. */
let calls: string[] = [];

beforeAll(async () => {
  const asset = assetPath('rotation');
  if (!fs.existsSync(asset)) throw new Error(`${asset} is missing: run npx projen bundle`);
  moto = await startMoto();
  sm = motoSecretsManager(moto.endpoint);
  proxy = await startLoopbackProxy(moto.endpoint, (operation, response) => {
    if (operation !== 'DescribeSecret' || response.statusCode !== 200) {
      calls.push(operation);
      return undefined;
    }
    const body = JSON.parse(response.body.toString('utf8')) as { ReplicationStatus?: Array<{ Region: string; Status: string }> };
    // A secret without replicas here would make every wait below pass vacuously.
    if (!Array.isArray(body.ReplicationStatus) || body.ReplicationStatus.length === 0) throw new Error('moto reported no replica');
    const status = replicaStatus(++describeCalls);
    if (status) body.ReplicationStatus = body.ReplicationStatus.map((r) => ({ ...r, Status: status }));
    calls.push(`DescribeSecret:${body.ReplicationStatus.map((r) => r.Status).join(',')}`);
    return Buffer.from(JSON.stringify(body));
  });
});

afterAll(async () => {
  sm?.destroy();
  await proxy?.close();
  await moto?.stop();
});

function newToken(): string {
  return [8, 4, 4, 4, 12].map((n) => randomBytes(n).toString('hex').slice(0, n)).join('-');
}

/** A verifier's check, with its own HMAC so that a broken hs256 module cannot vouch for itself. */
function verifies(ring: KeyRing, jwt: string, at: Date): boolean {
  const [h, p, s] = jwt.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg: string; kid: string };
  const key = verificationKeys(ring, at).get(header.kid);
  return header.alg === 'HS256' && key !== undefined && createHmac('sha256', key).update(`${h}.${p}`).digest('base64url') === s;
}

function signWith(ring: KeyRing, at: Date): string {
  const iat = Math.floor(at.getTime() / 1000);
  return signHs256({ sub: 'user-1', iat, exp: iat + 300 }, Buffer.from(ring.current.key, 'base64url'), ring.current.kid);
}

async function stages(secretId: string): Promise<Record<string, string[]>> {
  return (await sm.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
}

async function currentRing(secretId: string): Promise<{ versionId: string; ring: KeyRing }> {
  const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
  return { versionId: out.VersionId!, ring: parseKeyRing(out.SecretString!) };
}

function invoke(step: string, secretId: string, token: string): Promise<HandlerRun> {
  return runHandler('rotation', { SecretId: secretId, ClientRequestToken: token, Step: step }, {
    env: { ...motoEnv(proxy.endpoint), GRACE_PERIOD_SECONDS: '3600', MAX_TOKEN_LIFETIME_SECONDS: '1800' },
    killAfterMs: ROTATION_FUNCTION_TIMEOUT_MS + 10_000,
  });
}

interface ReplicatedRotation {
  readonly secretId: string;
  readonly token: string;
  readonly before: KeyRing;
  readonly signedBefore: string;
}

/**
 * A replicated secret holding a ring, a rotation started as Secrets Manager starts one (moto's
 * RotateSecret labels the pending version, then fails to find the Lambda), and its first three
 * steps done with the replica in sync.
 */
async function replicatedSecretReadyToFinish(): Promise<ReplicatedRotation> {
  const before = newKeyRing(new Date(Date.now() - 86_400_000));
  const created = await sm.send(new CreateSecretCommand({
    Name: `jwt-keys-${randomBytes(6).toString('hex')}`,
    SecretString: serializeKeyRing(before),
    AddReplicaRegions: [{ Region: REPLICA_REGION }],
  }));
  const secretId = created.ARN!;
  const token = newToken();
  await expect(sm.send(new RotateSecretCommand({
    SecretId: secretId, ClientRequestToken: token, RotationLambdaARN: ROTATION_LAMBDA_ARN, RotationRules: { AutomaticallyAfterDays: 30 },
  }))).rejects.toThrow(expect.objectContaining({ name: 'ResourceNotFoundException' }));
  expect((await stages(secretId))[token]).toEqual(['AWSPENDING']);
  replicaStatus = () => undefined;
  for (const step of STEPS_BEFORE_FINISH) {
    const run = await invoke(step, secretId, token);
    if (!run.ok) throw new Error(`${step} failed: ${JSON.stringify(run.error)}\n${run.logs}`);
  }
  return { secretId, token, before, signedBefore: signWith(before, new Date()) };
}

/** Runs finishSecret with the proxy showing `status` for DescribeSecret answers; returns the run, its calls and its duration. */
async function finish(r: ReplicatedRotation, status: (n: number) => string | undefined): Promise<{ run: HandlerRun; calls: string[]; ms: number }> {
  describeCalls = 0;
  calls = [];
  replicaStatus = status;
  const started = Date.now();
  const run = await invoke('finishSecret', r.secretId, r.token);
  const ms = Date.now() - started;
  replicaStatus = () => undefined;
  return { run, calls, ms };
}

/** The checks of the replica wait: the DescribeSecret answers after the live ring was written. */
function waitChecks(stepCalls: string[]): string[] {
  const written = stepCalls.indexOf('PutSecretValue');
  expect(written).toBeGreaterThanOrEqual(0);
  return stepCalls.slice(written + 1).filter((c) => c.startsWith('DescribeSecret:'));
}

/** The key-material guarantees a lagging or failed replica must not break. */
async function expectNothingLost(r: ReplicatedRotation): Promise<KeyRing> {
  const { versionId, ring } = await currentRing(r.secretId);
  const now = new Date();
  expect(versionId).toBe(liveVersionId(r.token));
  expect(ring.current.kid).not.toBe(r.before.current.kid);
  // A Region still serving the old ring already accepts tokens of the new current key...
  expect(ring.current).toEqual(r.before.next);
  expect(verifies(r.before, signWith(ring, now), now)).toBe(true);
  // ...and the new ring still accepts every token signed before the rotation.
  expect(verifies(ring, r.signedBefore, now)).toBe(true);
  return ring;
}

async function expectPendingKept(r: ReplicatedRotation): Promise<void> {
  expect((await stages(r.secretId))[r.token]).toEqual(['AWSPENDING']);
}

function expectNoKeyMaterial(logs: string, rings: KeyRing[]): void {
  for (const ring of rings) {
    for (const key of [ring.current, ring.next, ...ring.previous]) if (key) expect(logs).not.toContain(key.key);
  }
}

/** Secrets Manager retries finishSecret with the same token: once the replica is in sync it ends the rotation without a new version. */
async function expectRetryFinishes(r: ReplicatedRotation, ring: KeyRing): Promise<void> {
  const retry = await finish(r, () => undefined);
  expect(retry.run.error).toBeUndefined();
  expect(retry.calls).not.toContain('PutSecretValue');
  expect(retry.calls).toContain('UpdateSecretVersionStage');
  const after = await stages(r.secretId);
  expect(Object.keys(after).filter((id) => after[id].includes('AWSPENDING'))).toEqual([]);
  expect(Object.keys(after).filter((id) => after[id].includes('AWSCURRENT'))).toEqual([liveVersionId(r.token)]);
  expect((await currentRing(r.secretId)).ring).toEqual(ring);
}

describe('rotation of a replicated secret (shipped asset, moto behind a rewriting proxy)', () => {
  test('waits while the replica is InProgress and finishes once it is InSync', async () => {
    const r = await replicatedSecretReadyToFinish();
    const IN_PROGRESS_ANSWERS = 4;
    const { run, calls: stepCalls, ms } = await finish(r, (n) => (n <= IN_PROGRESS_ANSWERS ? 'InProgress' : undefined));
    expect(run.error).toBeUndefined();

    const checks = waitChecks(stepCalls);
    const waited = checks.filter((c) => c === 'DescribeSecret:InProgress').length;
    expect(waited).toBeGreaterThanOrEqual(2);
    expect(checks).toEqual([...Array(waited).fill('DescribeSecret:InProgress'), 'DescribeSecret:InSync']);
    // AWSPENDING is removed only after the replica answered InSync: the rotation did not end early.
    expect(stepCalls.lastIndexOf('UpdateSecretVersionStage')).toBeGreaterThan(stepCalls.lastIndexOf('DescribeSecret:InSync'));
    expect(stepCalls.slice(0, stepCalls.lastIndexOf('DescribeSecret:InProgress'))).not.toContain('UpdateSecretVersionStage');
    // It paused between checks rather than spinning through them.
    expect(ms).toBeGreaterThanOrEqual(waited * REPLICA_CHECK_INTERVAL_MS - 100);

    await expectNothingLost(r);
    const after = await stages(r.secretId);
    expect(Object.keys(after).filter((id) => after[id].includes('AWSPENDING'))).toEqual([]);
  }, 60_000);

  test('fails with REPLICA_FAILED when the replica reports Failed, keeps the rotation open, and loses no key', async () => {
    const r = await replicatedSecretReadyToFinish();
    const { run, calls: stepCalls } = await finish(r, () => 'Failed');
    expect(run.ok).toBe(false);
    expect(run.error).toEqual(expect.objectContaining({ name: 'RotationError', code: 'REPLICA_FAILED', message: `REPLICA_FAILED: replication failed to ${REPLICA_REGION}` }));
    expect(run.logs).toContain('"code":"REPLICA_FAILED"');
    // A failed replica is not waited on: the first check after the write fails the step.
    expect(waitChecks(stepCalls)).toEqual(['DescribeSecret:Failed']);
    expect(stepCalls.slice(stepCalls.indexOf('PutSecretValue'))).not.toContain('UpdateSecretVersionStage');

    await expectPendingKept(r);
    const ring = await expectNothingLost(r);
    expectNoKeyMaterial(run.logs, [r.before, ring]);
    await expectRetryFinishes(r, ring);
  }, 60_000);

  test(`fails with REPLICAS_NOT_IN_SYNC after ${REPLICA_CHECKS} checks, before the function times out, and loses no key`, async () => {
    const r = await replicatedSecretReadyToFinish();
    const { run, calls: stepCalls, ms } = await finish(r, () => 'InProgress');
    expect(run.ok).toBe(false);
    expect(run.error).toEqual(expect.objectContaining({
      name: 'RotationError',
      code: 'REPLICAS_NOT_IN_SYNC',
      message: `REPLICAS_NOT_IN_SYNC: replicas in ${REPLICA_REGION} not in sync after ${REPLICA_CHECKS} checks; the step is retried`,
    }));
    expect(run.logs).toContain('"code":"REPLICAS_NOT_IN_SYNC"');
    expect(waitChecks(stepCalls)).toEqual(Array(REPLICA_CHECKS).fill('DescribeSecret:InProgress'));
    expect(stepCalls.slice(stepCalls.indexOf('PutSecretValue'))).not.toContain('UpdateSecretVersionStage');
    // It gave up by itself, with its reason logged, rather than being cut off by Lambda's timeout.
    expect(ms).toBeGreaterThanOrEqual((REPLICA_CHECKS - 1) * REPLICA_CHECK_INTERVAL_MS - 100);
    expect(ms).toBeLessThan(ROTATION_FUNCTION_TIMEOUT_MS);

    await expectPendingKept(r);
    const ring = await expectNothingLost(r);
    expectNoKeyMaterial(run.logs, [r.before, ring]);
    await expectRetryFinishes(r, ring);
  }, 90_000);
});
