/**
 * The shipped rotation asset (assets/rotation/index.js), one child `node` process per step,
 * with the bundled SDK talking to moto's Secrets Manager over HTTP.
 *
 * moto cannot invoke a rotation Lambda (that needs Docker), so these tests play Secrets
 * Manager's part: they put the secret into the state RotateSecret leaves it in before it invokes
 * the function, then invoke the four steps in order, as the service does.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { signHs256 } from '../../../lambda-src/jwt/hs256';
import { KeyRing, newKeyRing, parseKeyRing, serializeKeyRing } from '../../../lambda-src/key-ring';
import { buildSuccessor, CANDIDATE_STAGE, candidateVersionId, liveVersionId, proposalFor } from '../../../lambda-src/rotation/successor';
import { motoEnv, motoSecretsManager, MotoServer, startMoto } from '../../helpers/moto';
import { newRequestToken, signWith, verifies } from '../../helpers/rotation-tokens';
import { assetPath, HandlerRun, runHandler } from '../../helpers/run-handler';

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
type Step = typeof STEPS[number];
const GRACE_PERIOD_SECONDS = 3600;
const MAX_TOKEN_LIFETIME_SECONDS = 1800;
/** Needs no Lambda to exist: see startRotation. */
const ROTATION_LAMBDA_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:jwt-key-rotation';

let moto: MotoServer;
let sm: SecretsManagerClient;
const allLogs: string[] = [];
const allSecrets: string[] = [];

beforeAll(async () => {
  assertAssetIsFresh();
  moto = await startMoto();
  sm = motoSecretsManager(moto.endpoint);
});

afterAll(async () => {
  sm?.destroy();
  await moto?.stop();
});

/** A test of a stale bundle would pass or fail for code that is no longer in lambda-src. */
function assertAssetIsFresh(): void {
  const asset = assetPath('rotation');
  if (!fs.existsSync(asset)) {
    throw new Error(`${asset} is missing: run npx ts-node --project tsconfig.dev.json build-tools/bundle-handlers.ts`);
  }
  const srcRoot = path.join(__dirname, '..', '..', '..', 'lambda-src');
  const sources = ['rotation', 'key-ring', 'jwt'].flatMap((dir) =>
    fs.readdirSync(path.join(srcRoot, dir)).filter((f) => f.endsWith('.ts')).map((f) => path.join(srcRoot, dir, f)));
  const stale = sources.filter((f) => fs.statSync(f).mtimeMs > fs.statSync(asset).mtimeMs);
  if (stale.length > 0) {
    throw new Error(`${asset} is older than ${stale.join(', ')}: bundle again before running these tests`);
  }
}

async function createSecret(value: string): Promise<{ secretId: string; initialVersion: string }> {
  const name = `jwt-keys-${randomBytes(6).toString('hex')}`;
  const out = await sm.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  allSecrets.push(out.ARN!);
  return { secretId: out.ARN!, initialVersion: out.VersionId! };
}

function bootstrapValue(): string {
  return JSON.stringify({ bootstrap: randomBytes(24).toString('base64url') });
}

/** The version that was AWSCURRENT when each rotation started, by token. */
const currentAtStart = new Map<string, string>();

/**
 * Puts the secret into the state Secrets Manager creates before invoking createSecret: rotation
 * enabled, and a version with id `token` labelled AWSPENDING that holds no value yet.
 *
 * moto's RotateSecret does exactly that first and only then looks the Lambda up; with no such
 * Lambda it answers ResourceNotFoundException but keeps the state it already wrote. The asserts
 * below make a moto that changes this fail here, loudly, instead of in some later step.
 */
async function startRotation(secretId: string, token: string): Promise<void> {
  const before = (await sm.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
  currentAtStart.set(token, Object.keys(before).find((id) => before[id].includes('AWSCURRENT'))!);
  await expect(sm.send(new RotateSecretCommand({
    SecretId: secretId,
    ClientRequestToken: token,
    RotationLambdaARN: ROTATION_LAMBDA_ARN,
    RotationRules: { AutomaticallyAfterDays: 30 },
  }))).rejects.toThrow(expect.objectContaining({ name: 'ResourceNotFoundException' }));
  const d = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  expect(d.RotationEnabled).toBe(true);
  expect(d.VersionIdsToStages?.[token]).toEqual(['AWSPENDING']);
  await expect(sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token })))
    .rejects.toThrow(expect.objectContaining({ name: 'ResourceNotFoundException' }));
}

async function invoke(step: Step, secretId: string, token: string, env: Record<string, string> = {}): Promise<HandlerRun> {
  const run = await runHandler('rotation', { SecretId: secretId, ClientRequestToken: token, Step: step }, {
    env: {
      ...motoEnv(moto.endpoint),
      GRACE_PERIOD_SECONDS: String(GRACE_PERIOD_SECONDS),
      MAX_TOKEN_LIFETIME_SECONDS: String(MAX_TOKEN_LIFETIME_SECONDS),
      ...env,
    },
  });
  allLogs.push(run.logs);
  return run;
}

async function succeed(step: Step, secretId: string, token: string, env: Record<string, string> = {}): Promise<HandlerRun> {
  const run = await invoke(step, secretId, token, env);
  if (!run.ok) throw new Error(`${step} failed: ${JSON.stringify(run.error)}\n${run.logs}`);
  return run;
}

async function rotateFully(secretId: string, token: string, env: Record<string, string> = {}): Promise<void> {
  for (const step of STEPS) await succeed(step, secretId, token, env);
}

async function valueOf(secretId: string, versionId: string): Promise<string | undefined> {
  try {
    return (await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }))).SecretString;
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/** Everything rotation could change: the rotation flag, every version's labels and value. */
async function snapshot(secretId: string): Promise<unknown> {
  const d = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  const versions = Object.keys(d.VersionIdsToStages ?? {}).sort();
  return {
    rotationEnabled: d.RotationEnabled,
    versions: await Promise.all(versions.map(async (id) => ({
      id,
      stages: [...d.VersionIdsToStages![id]].sort(),
      value: await valueOf(secretId, id),
    }))),
  };
}

/**
 * The state every completed rotation must leave: where AWS's rotation template ends (the token's
 * version AWSCURRENT, the version current before AWSPREVIOUS, no AWSPENDING, no candidate label
 * left), or, for a token version that already held a value, the same with the derived version
 * current; a current key that verifies a fresh token, a next key that verifies before it is
 * current, and, when the secret held a ring before, a changed kid, the published next key
 * promoted, and every token signed before the rotation still verifying.
 */
async function expectRotated(
  secretId: string, token: string, before?: { ring: KeyRing; signedBefore: string | string[] }, end: 'token' | 'derived' = 'token',
): Promise<KeyRing> {
  const d = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  const stages = d.VersionIdsToStages ?? {};
  const holders = (stage: string): string[] => Object.keys(stages).filter((id) => stages[id].includes(stage));
  const current = holders('AWSCURRENT');
  expect(current).toEqual([end === 'token' ? token : liveVersionId(token)]);
  expect(holders('AWSPREVIOUS')).toEqual([currentAtStart.get(token)]);
  expect(holders('AWSPENDING')).toEqual([]);
  expect(holders(CANDIDATE_STAGE)).toEqual([]);

  const ring = parseKeyRing((await valueOf(secretId, current[0]))!);
  const now = new Date();
  expect(ring.version).toBe(2);
  expect(verifies(ring, signWith(ring, now), now)).toBe(true);
  expect(verifies(ring, signWith({ ...ring, current: ring.next! }, now), now)).toBe(true);
  if (before) {
    expect(ring.current.kid).not.toBe(before.ring.current.kid);
    expect(ring.current.key).not.toBe(before.ring.current.key);
    if (before.ring.next) expect(ring.current).toEqual(before.ring.next);
    for (const jwt of [before.signedBefore].flat()) expect(verifies(ring, jwt, now)).toBe(true);
  } else {
    expect(ring.previous).toEqual([]);
  }
  return ring;
}

interface RingSecretInRotation {
  readonly secretId: string;
  readonly token: string;
  readonly initialVersion: string;
  readonly before: { ring: KeyRing; signedBefore: string };
}

/** A secret that already holds a ring, a pending rotation, and a token signed just before it. */
async function ringSecretInRotation(): Promise<RingSecretInRotation> {
  const ring = newKeyRing(new Date(Date.now() - 86_400_000));
  const { secretId, initialVersion } = await createSecret(serializeKeyRing(ring));
  const signedBefore = signWith(ring, new Date());
  const token = newRequestToken();
  await startRotation(secretId, token);
  return { secretId, token, initialVersion, before: { ring, signedBefore } };
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('rotation handler against Secrets Manager (moto)', () => {
  test('the peer fills the version RotateSecret created once, and never overwrites it (as PutSecretValue is documented)', async () => {
    const { secretId } = await createSecret(bootstrapValue());
    const token = newRequestToken();
    await startRotation(secretId, token);
    const put = (value: string) => sm.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: value, VersionStages: ['AWSPENDING'] }));
    const [first, second] = [bootstrapValue(), bootstrapValue()];
    await put(first);
    await put(first);
    await expect(put(second)).rejects.toThrow(expect.objectContaining({ name: 'ResourceExistsException' }));
    expect(await valueOf(secretId, token)).toBe(first);
  });

  test('the first rotation replaces the bootstrap value with a fresh ring', async () => {
    const { secretId, initialVersion } = await createSecret(bootstrapValue());
    const token = newRequestToken();
    await startRotation(secretId, token);
    await rotateFully(secretId, token);
    await expectRotated(secretId, token);
    expect((await snapshot(secretId) as { versions: Array<{ id: string; stages: string[] }> }).versions)
      .toContainEqual(expect.objectContaining({ id: initialVersion, stages: ['AWSPREVIOUS'] }));
  });

  test('rotating an existing ring keeps tokens signed with the old key verifying for the grace period', async () => {
    const { secretId, token, before } = await ringSecretInRotation();
    await rotateFully(secretId, token);
    const ring = await expectRotated(secretId, token, before);
    expect(ring.previous).toHaveLength(1);
    expect(ring.previous[0].kid).toBe(before.ring.current.kid);
    const expiresAt = Date.parse(ring.previous[0].expiresAt);
    expect(verifies(ring, before.signedBefore, new Date(expiresAt - 1000))).toBe(true);
    expect(verifies(ring, before.signedBefore, new Date(expiresAt))).toBe(false);
  });

  test('two rotations in a row chain: bootstrap, then ring, then ring', async () => {
    const { secretId } = await createSecret(bootstrapValue());
    const first = newRequestToken();
    await startRotation(secretId, first);
    await rotateFully(secretId, first);
    const ring1 = await expectRotated(secretId, first);
    const signedBefore = signWith(ring1, new Date());
    const second = newRequestToken();
    await startRotation(secretId, second);
    await rotateFully(secretId, second);
    await expectRotated(secretId, second, { ring: ring1, signedBefore });
  });

  test('every step run twice in a row still completes one clean rotation', async () => {
    const { secretId, token, before } = await ringSecretInRotation();
    for (const step of STEPS) {
      await succeed(step, secretId, token);
      await succeed(step, secretId, token);
    }
    await expectRotated(secretId, token, before);
  });

  // Secrets Manager does not start a new rotation over an unfinished one: it re-runs the
  // rotation with the same ClientRequestToken, so each step must pick up where a crash left off.
  test.each(['createSecret', 'setSecret', 'testSecret'] as const)(
    'a rotation that crashed after %s completes when run again, keeping the pending proposal', async (crashedAfter) => {
      const { secretId, token, before } = await ringSecretInRotation();
      for (const step of STEPS.slice(0, STEPS.indexOf(crashedAfter) + 1)) await succeed(step, secretId, token);
      const candidate = await valueOf(secretId, candidateVersionId(token, before.ring, 'HS256'));
      expect(await valueOf(secretId, token)).toBeUndefined();
      await rotateFully(secretId, token);
      const ring = await expectRotated(secretId, token, before);
      expect(await valueOf(secretId, candidateVersionId(token, before.ring, 'HS256'))).toBe(candidate);
      expect(ring.next).toEqual(JSON.parse(candidate!).keys[0]);
    });

  test('a rotation that crashed inside finishSecret, after promoting but before removing its labels, is cleaned up when run again', async () => {
    const { secretId, token, before } = await ringSecretInRotation();
    await rotateFully(secretId, token);
    // The state a crash right after moving AWSCURRENT leaves.
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', MoveToVersionId: token }));
    const candidate = candidateVersionId(token, before.ring, 'HS256');
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: CANDIDATE_STAGE, MoveToVersionId: candidate }));
    await succeed('finishSecret', secretId, token);
    await expectRotated(secretId, token, before);
  });

  test('a rotation that crashed between filling the token version and promoting it promotes that ring when run again', async () => {
    const { secretId, token, before } = await ringSecretInRotation();
    for (const step of STEPS.slice(0, 3)) await succeed(step, secretId, token);
    // The state a crash right after finishSecret's PutSecretValue leaves: the ring it built, in
    // the token's version, still AWSPENDING only.
    const proposal = proposalFor(await valueOf(secretId, candidateVersionId(token, before.ring, 'HS256')), before.ring);
    expect(proposal).toBeDefined();
    const written = serializeKeyRing(buildSuccessor(before.ring, proposal, new Date(), {
      gracePeriodSeconds: GRACE_PERIOD_SECONDS, maxTokenLifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS,
    }));
    await sm.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: written, VersionStages: ['AWSPENDING'] }));
    await succeed('finishSecret', secretId, token);
    await expectRotated(secretId, token, before);
    expect(await valueOf(secretId, token)).toBe(written);
  });

  test('a rotation that crashed after finishSecret changes nothing when run again', async () => {
    const { secretId, token, before } = await ringSecretInRotation();
    await rotateFully(secretId, token);
    const after = await snapshot(secretId);
    await rotateFully(secretId, token);
    expect(await snapshot(secretId)).toEqual(after);
    await expectRotated(secretId, token, before);
  });

  test('two concurrent invocations of every step both succeed and rotate once', async () => {
    const { secretId, token, before } = await ringSecretInRotation();
    for (const step of STEPS) {
      const runs = await Promise.all([invoke(step, secretId, token), invoke(step, secretId, token)]);
      expect(runs.map((r) => [r.ok, r.error])).toEqual([[true, undefined], [true, undefined]]);
    }
    await expectRotated(secretId, token, before);
  });

  test('a pause longer than the grace period between createSecret and finishSecret cuts no token short', async () => {
    const env = { GRACE_PERIOD_SECONDS: '3', MAX_TOKEN_LIFETIME_SECONDS: '2' };
    const { secretId, token, before } = await ringSecretInRotation();
    for (const step of STEPS.slice(0, 3)) await succeed(step, secretId, token, env);
    await new Promise((r) => setTimeout(r, 4000));
    const iat = Math.floor(Date.now() / 1000);
    const lastOld = signHs256({ sub: 'u', iat, exp: iat + 2 }, Buffer.from(before.ring.current.key, 'base64url'), before.ring.current.kid);
    const promotedAt = Date.now();
    await succeed('finishSecret', secretId, token, env);
    const ring = await expectRotated(secretId, token, { ring: before.ring, signedBefore: lastOld });
    // Expiry counted from promotion: the old key lives a whole grace period after finishSecret.
    expect(Date.parse(ring.previous[0].expiresAt)).toBeGreaterThanOrEqual(promotedAt + 3000);
    expect(verifies(ring, lastOld, new Date(promotedAt + 1999))).toBe(true);
  });

  test('12 rotations inside one grace period keep every key whose tokens can still be valid', async () => {
    const { secretId, token, before } = await ringSecretInRotation();
    const signed: string[] = [before.signedBefore];
    let prev = before.ring;
    let t = token;
    for (let i = 0; i < 12; i++) {
      if (i > 0) {
        t = newRequestToken();
        await startRotation(secretId, t);
      }
      await rotateFully(secretId, t);
      const ring = await expectRotated(secretId, t, { ring: prev, signedBefore: signed });
      signed.push(signWith(ring, new Date()));
      prev = ring;
    }
    expect(prev.previous).toHaveLength(12);
  });

  test.each([
    ['a copy of AWSCURRENT', (ring: KeyRing) => serializeKeyRing(ring)],
    ['a ring whose previous key is about to expire', (ring: KeyRing) => serializeKeyRing({
      ...ring,
      current: ring.next!,
      next: newKeyRing(new Date()).next,
      previous: [{ ...ring.current, expiresAt: new Date(Date.now() + 5000).toISOString() }],
    })],
  ])('AWSPENDING pre-filled with %s: the rotation still ends with fresh keys and no token cut short, under the derived version', async (_name, fill) => {
    const { secretId, token, before } = await ringSecretInRotation();
    const planted = fill(before.ring);
    await sm.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: planted, VersionStages: ['AWSPENDING'] }));
    const run = await succeed('createSecret', secretId, token);
    expect(jsonLines(run.stdout)).toContainEqual(expect.objectContaining({ reason: 'TOKEN_VERSION_PREFILLED' }));
    for (const step of STEPS.slice(1)) await succeed(step, secretId, token);
    const ring = await expectRotated(secretId, token, before, 'derived');
    expect(await valueOf(secretId, token)).toBe(planted);
    expect(planted).not.toContain(ring.next!.key);
    expect(Date.parse(ring.previous[0].expiresAt)).toBeGreaterThan(Date.now() + (GRACE_PERIOD_SECONDS - 60) * 1000);
  });

  test('a secret replicated to another Region rotates, and the replica serves the new ring', async () => {
    const ring = newKeyRing(new Date(Date.now() - 86_400_000));
    const name = `jwt-keys-${randomBytes(6).toString('hex')}`;
    const out = await sm.send(new CreateSecretCommand({ Name: name, SecretString: serializeKeyRing(ring), AddReplicaRegions: [{ Region: 'eu-west-1' }] }));
    allSecrets.push(out.ARN!);
    const d = await sm.send(new DescribeSecretCommand({ SecretId: out.ARN! }));
    expect(d.ReplicationStatus).toEqual([expect.objectContaining({ Region: 'eu-west-1', Status: 'InSync' })]);
    const token = newRequestToken();
    await startRotation(out.ARN!, token);
    await rotateFully(out.ARN!, token);
    const live = await expectRotated(out.ARN!, token, { ring, signedBefore: signWith(ring, new Date()) });
    const replica = motoSecretsManager(moto.endpoint, 'eu-west-1');
    try {
      // By label, as the authorizer reads it : moto answers an unlabelled read with the version PutSecretValue last made current.
      const value = await replica.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSCURRENT' }));
      expect(parseKeyRing(value.SecretString!)).toEqual(live);
    } finally {
      replica.destroy();
    }
  });

  test('a version 1 ring migrates to version 2 on its next rotation', async () => {
    const v2 = newKeyRing(new Date(Date.now() - 86_400_000));
    const v1 = { version: 1 as const, algorithm: 'HS256' as const, current: v2.current, previous: [] };
    const { secretId } = await createSecret(JSON.stringify(v1));
    const signedBefore = signWith(v1, new Date());
    const token = newRequestToken();
    await startRotation(secretId, token);
    await rotateFully(secretId, token);
    const ring = await expectRotated(secretId, token, { ring: v1, signedBefore });
    expect(ring).toMatchObject({ version: 2, maxTokenLifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS });
    expect(ring.previous.map((k) => k.kid)).toEqual([v1.current.kid]);
  });

  test.each(STEPS)('%s fails with ROTATION_NOT_ENABLED once rotation is disabled, changing nothing', async (step) => {
    const { secretId, token } = await ringSecretInRotation();
    await sm.send(new CancelRotateSecretCommand({ SecretId: secretId }));
    const before = await snapshot(secretId);
    expect(before).toMatchObject({ rotationEnabled: false });
    const run = await invoke(step, secretId, token);
    expect(run.ok).toBe(false);
    expect(run.error).toMatchObject({ name: 'RotationError', code: 'ROTATION_NOT_ENABLED' });
    expect(await snapshot(secretId)).toEqual(before);
  });

  test.each(STEPS)('%s fails with UNKNOWN_VERSION for a token the secret does not know, changing nothing', async (step) => {
    const { secretId } = await ringSecretInRotation();
    const before = await snapshot(secretId);
    const run = await invoke(step, secretId, newRequestToken());
    expect(run.error).toMatchObject({ name: 'RotationError', code: 'UNKNOWN_VERSION' });
    expect(await snapshot(secretId)).toEqual(before);
  });

  test.each([
    ['plain text', 'hunter2-plain-text-secret-value-7f3a9c'],
    ['a ring with a key too short for HS256', JSON.stringify({
      version: 1,
      algorithm: 'HS256',
      previous: [],
      current: { kid: 'kid-short-1', key: randomBytes(16).toString('base64url'), createdAt: new Date().toISOString() },
    })],
  ])('a malformed current value (%s) fails with CURRENT_MALFORMED, changes nothing and is never logged', async (_name, value) => {
    const { secretId } = await createSecret(value);
    const token = newRequestToken();
    await startRotation(secretId, token);
    const before = await snapshot(secretId);
    const run = await invoke('createSecret', secretId, token);
    expect(run.error).toMatchObject({ name: 'RotationError', code: 'CURRENT_MALFORMED' });
    expect(run.error!.message).toMatch(/neither a bootstrap value nor a key ring/);
    expect(await snapshot(secretId)).toEqual(before);
    expect(jsonLines(run.stdout + run.stderr)).toContainEqual(expect.objectContaining({
      level: 'ERROR', code: 'CURRENT_MALFORMED', step: 'createSecret', secretId, versionId: token,
    }));
    const key = (JSON.parse(value.startsWith('{') ? value : '{}') as { current?: { key?: string } }).current?.key;
    for (const material of [value, key].filter((m): m is string => m !== undefined)) {
      expect(run.logs).not.toContain(material);
      expect(run.error!.message).not.toContain(material);
    }
  });

  test('a bad GRACE_PERIOD_SECONDS fails closed with INVALID_CONFIG, changing nothing', async () => {
    const { secretId, token } = await ringSecretInRotation();
    const before = await snapshot(secretId);
    const run = await invoke('createSecret', secretId, token, { GRACE_PERIOD_SECONDS: 'one hour' });
    expect(run.error).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(await snapshot(secretId)).toEqual(before);
  });

  // Last on purpose: it checks what every invocation above logged against every value stored.
  test('no invocation logged a secret value or key bytes', async () => {
    expect(allLogs.length).toBeGreaterThan(50);
    const material = new Set<string>();
    for (const secretId of allSecrets) {
      const d = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
      for (const id of Object.keys(d.VersionIdsToStages ?? {})) {
        const value = await valueOf(secretId, id);
        if (value === undefined) continue;
        material.add(value);
        try {
          type Key = { key?: string };
          const parsed = JSON.parse(value) as { bootstrap?: string; current?: Key; next?: Key; previous?: Key[]; keys?: Key[] };
          const listed = [...(parsed.previous ?? []), ...(parsed.keys ?? [])].map((p) => p.key);
          for (const k of [parsed.bootstrap, parsed.current?.key, parsed.next?.key, ...listed]) {
            if (typeof k === 'string') material.add(k);
          }
        } catch {
          // not JSON: the whole value, already added, is the material
        }
      }
    }
    expect(material.size).toBeGreaterThan(20);
    const logs = allLogs.join('\n');
    for (const m of material) expect(logs).not.toContain(m);
  });
});
