/**
 * The shipped rotation asset (assets/rotation/index.js) on a secret replicated to another Region,
 * against moto behind a loopback proxy. moto replicates at once and always reports the replica
 * `InSync`; the proxy rewrites `ReplicationStatus[].Status` in the DescribeSecret answers the
 * handler gets, so finishSecret sees a replica that is still `InProgress`, or `Failed`.
 *
 * finishSecret makes the new ring live first, as AWS's rotation template does (PutSecretValue into
 * the token's version, then UpdateSecretVersionStage moves AWSCURRENT onto it; Secrets Manager
 * replicates a version once it exists), and then waits for the replicas before it removes the
 * candidate label and, last, AWSPENDING, which is what tells a re-run that the rotation is complete. So a replica that lags or fails leaves the rotation
 * open (retried), never a lost key: a Region still serving the old ring accepts tokens of the new
 * current key, which that ring published as its next key, and the new ring still accepts every
 * token signed before.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { KeyRing, newKeyRing, parseKeyRing, serializeKeyRing } from '../../../lambda-src/key-ring';
import { REPLICA_CHECK_INTERVAL_MS, REPLICA_CHECKS } from '../../../lambda-src/rotation/core';
import { CANDIDATE_STAGE } from '../../../lambda-src/rotation/successor';
import { LoopbackProxy, startLoopbackProxy } from '../../helpers/loopback-proxy';
import { motoEnv, motoSecretsManager, MotoServer, startMoto } from '../../helpers/moto';
import { newRequestToken, signWith, verifies } from '../../helpers/rotation-tokens';
import { assetPath, HandlerRun, runHandler } from '../../helpers/run-handler';
import { readCurrentSecret, versionsLabelled } from '../../helpers/secret-versions';

const REPLICA_REGION = 'eu-west-1';
/** The rotation function's timeout (src/jwt-keys/rotation-function.ts): the wait must end before it. */
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

async function stages(secretId: string): Promise<Record<string, string[]>> {
  return (await sm.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
}

async function currentRing(secretId: string): Promise<{ versionId: string; ring: KeyRing }> {
  const { versionId, secretString } = await readCurrentSecret(sm, secretId);
  return { versionId, ring: parseKeyRing(secretString) };
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
  /** The version current before the rotation. */
  readonly beforeVersionId: string;
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
  const token = newRequestToken();
  await expect(sm.send(new RotateSecretCommand({
    SecretId: secretId, ClientRequestToken: token, RotationLambdaARN: ROTATION_LAMBDA_ARN, RotationRules: { AutomaticallyAfterDays: 30 },
  }))).rejects.toThrow(expect.objectContaining({ name: 'ResourceNotFoundException' }));
  expect((await stages(secretId))[token]).toEqual(['AWSPENDING']);
  replicaStatus = () => undefined;
  for (const step of STEPS_BEFORE_FINISH) {
    const run = await invoke(step, secretId, token);
    if (!run.ok) throw new Error(`${step} failed: ${JSON.stringify(run.error)}\n${run.logs}`);
  }
  return { secretId, token, beforeVersionId: created.VersionId!, before, signedBefore: signWith(before, new Date()) };
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

/**
 * Where the live ring went live: the index of the AWSCURRENT move, which immediately follows the
 * write into the token's version (AWS's template's two calls). The replica wait starts after it.
 */
function wentLive(stepCalls: string[]): number {
  const written = stepCalls.indexOf('PutSecretValue');
  expect(written).toBeGreaterThanOrEqual(0);
  expect(stepCalls.lastIndexOf('PutSecretValue')).toBe(written);
  expect(stepCalls[written + 1]).toBe('UpdateSecretVersionStage');
  return written + 1;
}

/** The checks of the replica wait: the DescribeSecret answers from `from` on, up to the first that is not InProgress. */
function waitChecks(stepCalls: string[], from: number): string[] {
  const answers = stepCalls.slice(from).filter((c) => c.startsWith('DescribeSecret:'));
  const end = answers.findIndex((c) => c !== 'DescribeSecret:InProgress');
  return end < 0 ? answers : answers.slice(0, end + 1);
}

/**
 * The wait ends the step only after the InSync answer: no label moves between `from` and that
 * answer, then exactly the two removals (candidate label, AWSPENDING).
 */
function expectLabelsRemovedOnlyAfterInSync(stepCalls: string[], from: number): void {
  const inSync = stepCalls.indexOf('DescribeSecret:InSync', from);
  expect(inSync).toBeGreaterThan(from);
  expect(stepCalls.slice(from, inSync)).not.toContain('UpdateSecretVersionStage');
  expect(stepCalls.slice(inSync).filter((c) => c === 'UpdateSecretVersionStage')).toHaveLength(2);
}

/** The key-material guarantees a lagging or failed replica must not break. */
async function expectNothingLost(r: ReplicatedRotation): Promise<KeyRing> {
  const { versionId, ring } = await currentRing(r.secretId);
  const now = new Date();
  // The token's version holds the new ring and is current; the old one is AWSPREVIOUS.
  expect(versionId).toBe(r.token);
  expect(await versionsLabelled(sm, r.secretId, 'AWSCURRENT')).toEqual([r.token]);
  expect(await versionsLabelled(sm, r.secretId, 'AWSPREVIOUS')).toEqual([r.beforeVersionId]);
  expect(ring.current.kid).not.toBe(r.before.current.kid);
  // A Region still serving the old ring already accepts tokens of the new current key...
  expect(ring.current).toEqual(r.before.next);
  expect(verifies(r.before, signWith(ring, now), now)).toBe(true);
  // ...and the new ring still accepts every token signed before the rotation.
  expect(verifies(ring, r.signedBefore, now)).toBe(true);
  return ring;
}

/**
 * The rotation is not finished: AWSPENDING and the candidate label stay. The new ring is already
 * live, so AWSPENDING sits on the AWSCURRENT version; RotateSecret's reference counts that label
 * state as one a successful rotation may leave, so it blocks no later rotation. What marks the
 * rotation failed is the step's error: Secrets Manager records the failure and invokes
 * finishSecret again with the same ClientRequestToken, which is the retry tested below.
 */
async function expectPendingKept(r: ReplicatedRotation): Promise<void> {
  expect([...(await stages(r.secretId))[r.token]].sort()).toEqual(['AWSCURRENT', 'AWSPENDING']);
  expect(await versionsLabelled(sm, r.secretId, CANDIDATE_STAGE)).toHaveLength(1);
}

function expectNoKeyMaterial(logs: string, rings: KeyRing[]): void {
  for (const ring of rings) {
    for (const key of [ring.current, ring.next, ...ring.previous]) if (key) expect(logs).not.toContain(key.key);
  }
}

/**
 * Secrets Manager retries finishSecret with the same token, now with the token's version already
 * AWSCURRENT: the retry waits for the replica again (InProgress first here) and only then ends
 * the rotation, without writing another version.
 */
async function expectRetryFinishes(r: ReplicatedRotation, ring: KeyRing): Promise<void> {
  // Answer 1 is the handler's first DescribeSecret (which version the token is), 2 and 3 the wait's.
  const retry = await finish(r, (n) => (n <= 3 ? 'InProgress' : undefined));
  expect(retry.run.error).toBeUndefined();
  expect(retry.calls).not.toContain('PutSecretValue');
  const firstDescribe = retry.calls.findIndex((c) => c.startsWith('DescribeSecret:'));
  expect(waitChecks(retry.calls, firstDescribe + 1)).toEqual(['DescribeSecret:InProgress', 'DescribeSecret:InProgress', 'DescribeSecret:InSync']);
  expectLabelsRemovedOnlyAfterInSync(retry.calls, firstDescribe + 1);
  expect(await versionsLabelled(sm, r.secretId, 'AWSPENDING')).toEqual([]);
  expect(await versionsLabelled(sm, r.secretId, CANDIDATE_STAGE)).toEqual([]);
  expect(await versionsLabelled(sm, r.secretId, 'AWSCURRENT')).toEqual([r.token]);
  expect(await versionsLabelled(sm, r.secretId, 'AWSPREVIOUS')).toEqual([r.beforeVersionId]);
  expect((await currentRing(r.secretId)).ring).toEqual(ring);
}

describe('rotation of a replicated secret (shipped asset, moto behind a rewriting proxy)', () => {
  test('waits while the replica is InProgress and finishes once it is InSync', async () => {
    const r = await replicatedSecretReadyToFinish();
    const IN_PROGRESS_ANSWERS = 4;
    const { run, calls: stepCalls, ms } = await finish(r, (n) => (n <= IN_PROGRESS_ANSWERS ? 'InProgress' : undefined));
    expect(run.error).toBeUndefined();

    const live = wentLive(stepCalls);
    const checks = waitChecks(stepCalls, live + 1);
    const waited = checks.filter((c) => c === 'DescribeSecret:InProgress').length;
    expect(waited).toBeGreaterThanOrEqual(2);
    expect(checks).toEqual([...Array(waited).fill('DescribeSecret:InProgress'), 'DescribeSecret:InSync']);
    // AWSPENDING is removed only after the replica answered InSync: the rotation did not end early.
    expectLabelsRemovedOnlyAfterInSync(stepCalls, live + 1);
    // It paused between checks rather than spinning through them.
    expect(ms).toBeGreaterThanOrEqual(waited * REPLICA_CHECK_INTERVAL_MS - 100);

    await expectNothingLost(r);
    expect(await versionsLabelled(sm, r.secretId, 'AWSPENDING')).toEqual([]);
    expect(await versionsLabelled(sm, r.secretId, CANDIDATE_STAGE)).toEqual([]);
  }, 60_000);

  test('fails with REPLICA_FAILED when the replica reports Failed, keeps the rotation open, and loses no key', async () => {
    const r = await replicatedSecretReadyToFinish();
    const { run, calls: stepCalls } = await finish(r, () => 'Failed');
    expect(run.ok).toBe(false);
    expect(run.error).toEqual(expect.objectContaining({ name: 'RotationError', code: 'REPLICA_FAILED', message: `REPLICA_FAILED: replication failed to ${REPLICA_REGION}` }));
    expect(run.logs).toContain('"code":"REPLICA_FAILED"');
    // A failed replica is not waited on: the first check after the write fails the step.
    const live = wentLive(stepCalls);
    expect(waitChecks(stepCalls, live + 1)).toEqual(['DescribeSecret:Failed']);
    // No label moves after the AWSCURRENT move: neither label of the unfinished rotation is removed.
    expect(stepCalls.slice(live + 1)).not.toContain('UpdateSecretVersionStage');

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
    const live = wentLive(stepCalls);
    expect(waitChecks(stepCalls, live + 1)).toEqual(Array(REPLICA_CHECKS).fill('DescribeSecret:InProgress'));
    expect(stepCalls.slice(live + 1)).not.toContain('UpdateSecretVersionStage');
    // It gave up by itself, with its reason logged, rather than being cut off by Lambda's timeout.
    expect(ms).toBeGreaterThanOrEqual((REPLICA_CHECKS - 1) * REPLICA_CHECK_INTERVAL_MS - 100);
    expect(ms).toBeLessThan(ROTATION_FUNCTION_TIMEOUT_MS);

    await expectPendingKept(r);
    const ring = await expectNothingLost(r);
    expectNoKeyMaterial(run.logs, [r.before, ring]);
    await expectRetryFinishes(r, ring);
  }, 90_000);
});
