import { createHash } from 'crypto';
import { hs256SignatureMatches, signHs256 } from '../../../lambda-src/jwt/hs256';
import { KeyRing, MAX_PREVIOUS_KEYS, newKeyRing, parseKeyRing, serializeKeyRing, verificationKeys } from '../../../lambda-src/key-ring';
import {
  GRACE_PERIOD_ENV,
  MAX_TOKEN_LIFETIME_ENV,
  REPLICA_CHECKS,
  loadRotationConfig,
  Logger,
  parseRotationEvent,
  rotate,
  ROTATION_STEPS,
  RotationError,
  RotationStep,
  SecretDescription,
  SecretStore,
  SecretVersionValue,
  StageMove,
  VersionSelector,
} from '../../../lambda-src/rotation/core';
import { adoptable, ADOPT_WINDOW_SECONDS, buildSuccessor, CANDIDATE_STAGE, liveVersionId, newProposal } from '../../../lambda-src/rotation/successor';

const SECRET_ID = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-keys-AbCdEf';
const OLD_VERSION = '11111111-1111-4111-8111-111111111111';
const TOKEN = '22222222-2222-4222-8222-222222222222';
const GRACE = 7200;
const LIFETIME = 3600;
const ENV = { [GRACE_PERIOD_ENV]: String(GRACE), [MAX_TOKEN_LIFETIME_ENV]: String(LIFETIME) };
const LIVE = liveVersionId(TOKEN);
const BOOTSTRAP = JSON.stringify({ bootstrap: 'Zm9vYmFyYmF6cXV4cXV1eA-bootstrap-random' });

interface FakeVersion {
  secretString?: string;
  secretBinary?: boolean;
  stages: string[];
}

/**
 * In-memory Secrets Manager with the semantics rotation depends on: PutSecretValue fills the
 * empty version RotateSecret created but never changes an existing value, a label lives on one
 * version at a time, moving AWSCURRENT needs
 * RemoveFromVersionId and leaves AWSPREVIOUS behind, and GetSecretValue by id + stage checks both.
 */
class FakeSecretStore implements SecretStore {
  readonly versions = new Map<string, FakeVersion>();
  readonly writes: string[] = [];
  rotationEnabled = true;
  failOn?: keyof SecretStore;
  /** Replica statuses DescribeSecret reports, one entry per call (the last one repeats). */
  replicaStatuses: Array<Array<{ region: string; status: string }>> = [];

  constructor(currentValue: string) {
    this.versions.set(OLD_VERSION, { secretString: currentValue, stages: ['AWSCURRENT'] });
  }

  /** What RotateSecret does before it invokes the function: an empty version labelled AWSPENDING. */
  startRotation(token: string): this {
    this.moveLabelAway('AWSPENDING');
    this.versions.set(token, { stages: ['AWSPENDING'] });
    return this;
  }

  snapshot(): string {
    return JSON.stringify([...this.versions.entries()]);
  }

  valueOf(versionId: string): string {
    const v = this.versions.get(versionId)?.secretString;
    if (v === undefined) throw new Error(`no value in ${versionId}`);
    return v;
  }

  async describeSecret(secretId: string): Promise<SecretDescription> {
    this.maybeFail('describeSecret', secretId);
    const versionIdsToStages: Record<string, string[]> = {};
    // Like DescribeSecret, lists only versions that have a staging label.
    for (const [id, v] of this.versions) if (v.stages.length > 0) versionIdsToStages[id] = [...v.stages];
    const replicas = this.replicaStatuses.length > 1 ? this.replicaStatuses.shift() : this.replicaStatuses[0];
    return { rotationEnabled: this.rotationEnabled, versionIdsToStages, replicas };
  }

  async getSecretValue(secretId: string, selector: VersionSelector): Promise<SecretVersionValue | undefined> {
    this.maybeFail('getSecretValue', secretId);
    let id = selector.versionId;
    if (id === undefined) {
      id = [...this.versions].find(([, v]) => v.stages.includes(selector.versionStage ?? 'AWSCURRENT'))?.[0];
    } else if (selector.versionStage && this.versions.has(id) && !this.versions.get(id)!.stages.includes(selector.versionStage)) {
      throw new Error('InvalidRequestException: VersionStage not associated with VersionId');
    }
    const v = id === undefined ? undefined : this.versions.get(id);
    if (!v || (v.secretString === undefined && !v.secretBinary)) return undefined;
    return { versionId: id!, secretString: v.secretString };
  }

  async putSecretValue(secretId: string, token: string, secretString: string, stages: readonly string[]): Promise<void> {
    this.maybeFail('putSecretValue', secretId);
    const existing = this.versions.get(token);
    if (existing?.secretString !== undefined) {
      if (existing.secretString !== secretString) throw named('ResourceExistsException', 'a version with this token already exists');
      return;
    }
    if (stages.includes('AWSCURRENT')) {
      const oldCurrent = [...this.versions].find(([, v]) => v.stages.includes('AWSCURRENT'))?.[0];
      this.moveLabelAway('AWSPREVIOUS');
      if (oldCurrent !== undefined) this.versions.get(oldCurrent)!.stages.push('AWSPREVIOUS');
    }
    for (const label of stages) this.moveLabelAway(label);
    this.versions.set(token, { secretString, stages: [...new Set([...(existing?.stages ?? []), ...stages])] });
    this.writes.push(`put ${token} ${stages.join(',')}`);
  }

  async updateSecretVersionStage(secretId: string, move: StageMove): Promise<void> {
    this.maybeFail('updateSecretVersionStage', secretId);
    const holder = [...this.versions].find(([, v]) => v.stages.includes(move.versionStage))?.[0];
    if (move.removeFromVersionId !== undefined) {
      if (holder !== move.removeFromVersionId) throw named('InvalidParameterException', 'label not on RemoveFromVersionId');
    } else if (holder !== undefined && holder !== move.moveToVersionId) {
      throw new Error('InvalidParameterException: label attached to another version, RemoveFromVersionId required');
    }
    if (move.removeFromVersionId !== undefined) {
      const from = this.versions.get(move.removeFromVersionId)!;
      from.stages = from.stages.filter((s) => s !== move.versionStage);
    }
    if (move.moveToVersionId !== undefined) {
      const to = this.versions.get(move.moveToVersionId);
      if (!to) throw new Error('InvalidParameterException: not a valid version');
      if (!to.stages.includes(move.versionStage)) to.stages.push(move.versionStage);
      if (move.versionStage === 'AWSCURRENT' && move.removeFromVersionId !== undefined) {
        this.moveLabelAway('AWSPREVIOUS');
        this.versions.get(move.removeFromVersionId)!.stages.push('AWSPREVIOUS');
        to.stages = to.stages.filter((s) => s !== 'AWSPREVIOUS');
      }
    }
    this.writes.push(`stage ${move.versionStage} ${move.removeFromVersionId ?? '-'} -> ${move.moveToVersionId ?? '-'}`);
  }

  private moveLabelAway(label: string): void {
    for (const v of this.versions.values()) v.stages = v.stages.filter((s) => s !== label);
  }

  private maybeFail(call: keyof SecretStore, secretId: string): void {
    if (secretId !== SECRET_ID) throw new Error('ResourceNotFoundException: unknown secret');
    if (this.failOn === call) throw new Error(`ServiceUnavailable: ${call} failed`);
  }
}

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  info(message: string, fields?: Record<string, unknown>): void {
    this.lines.push(JSON.stringify({ level: 'INFO', message, ...fields }));
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.lines.push(JSON.stringify({ level: 'ERROR', message, ...fields }));
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

let clock: Date;
let logger: CapturingLogger;

beforeEach(() => {
  clock = new Date('2030-01-01T00:00:00.000Z');
  logger = new CapturingLogger();
});

function event(name: RotationStep, token = TOKEN): Record<string, string> {
  return { SecretId: SECRET_ID, ClientRequestToken: token, Step: name };
}

async function step(store: FakeSecretStore, name: RotationStep, token = TOKEN, env: Record<string, string> = ENV): Promise<void> {
  return rotate(event(name, token), env, { store, now: () => clock, logger });
}

async function fullRotation(store: FakeSecretStore, token = TOKEN): Promise<void> {
  for (const name of ROTATION_STEPS) await step(store, name, token);
}

async function rejection(promise: Promise<unknown>): Promise<RotationError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(RotationError);
  return err as RotationError;
}

function ringStore(ring: KeyRing = newKeyRing(new Date('2029-12-01T00:00:00Z'))): FakeSecretStore {
  return new FakeSecretStore(serializeKeyRing(ring)).startRotation(TOKEN);
}

/** A verifier's view: does a token signed with `key` under `kid` verify against `ring` at `at`? */
function accepts(ring: KeyRing, key: string, kid: string, at: Date): boolean {
  const token = signHs256({ sub: 'u' }, Buffer.from(key, 'base64url'), kid);
  const [h, p, s] = token.split('.');
  const k = verificationKeys(ring, at).get(kid);
  return k !== undefined && hs256SignatureMatches(`${h}.${p}`, s, k);
}

/** Whole values plus every key and bootstrap string inside them, parseable as a ring or not. */
function secretMaterial(...values: string[]): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (typeof node === 'object' && node !== null) {
      for (const [name, v] of Object.entries(node)) {
        if ((name === 'key' || name === 'bootstrap') && typeof v === 'string') out.push(v);
        walk(v);
      }
    }
  };
  for (const value of values) {
    out.push(value);
    try {
      walk(JSON.parse(value));
    } catch {
      // not JSON: the whole value is the material
    }
  }
  return out;
}

describe('event validation', () => {
  test.each([
    ['a non-object event', 'not an event', 'the event must be an object'],
    ['a missing SecretId', { ClientRequestToken: TOKEN, Step: 'createSecret' }, 'SecretId'],
    ['an empty SecretId', { SecretId: '', ClientRequestToken: TOKEN, Step: 'createSecret' }, 'SecretId'],
    ['a numeric ClientRequestToken', { SecretId: SECRET_ID, ClientRequestToken: 42, Step: 'createSecret' }, 'ClientRequestToken'],
    ['an empty ClientRequestToken', { SecretId: SECRET_ID, ClientRequestToken: '', Step: 'createSecret' }, 'ClientRequestToken'],
    ['an unknown Step', { SecretId: SECRET_ID, ClientRequestToken: TOKEN, Step: 'deleteSecret' }, 'Step'],
    ['a missing Step', { SecretId: SECRET_ID, ClientRequestToken: TOKEN }, 'Step'],
  ])('rejects %s with INVALID_EVENT naming the field', (_name, raw, field) => {
    expect(() => parseRotationEvent(raw)).toThrow(expect.objectContaining({ code: 'INVALID_EVENT', message: expect.stringContaining(field) }));
  });

  test('accepts each of the four steps and ignores extra fields', () => {
    for (const name of ROTATION_STEPS) {
      expect(parseRotationEvent({ ...event(name), RotationToken: 'x' })).toEqual(event(name));
    }
  });

  test('an invalid event fails before any call to Secrets Manager and is logged with its code', async () => {
    const store = ringStore();
    const describe = jest.spyOn(store, 'describeSecret');
    const err = await rejection(rotate({ SecretId: SECRET_ID, Step: 'createSecret' }, ENV, { store, now: () => clock, logger }));
    expect(err.code).toBe('INVALID_EVENT');
    expect(describe).not.toHaveBeenCalled();
    expect(JSON.parse(logger.lines[0])).toMatchObject({ level: 'ERROR', code: 'INVALID_EVENT' });
  });
});

describe('configuration', () => {
  test('reads GRACE_PERIOD_SECONDS and MAX_TOKEN_LIFETIME_SECONDS as positive integers', () => {
    expect(loadRotationConfig({ GRACE_PERIOD_SECONDS: '86400', MAX_TOKEN_LIFETIME_SECONDS: '3600' })).toEqual({ gracePeriodSeconds: 86400, maxTokenLifetimeSeconds: 3600 });
  });

  test.each([
    ['a missing token lifetime', { GRACE_PERIOD_SECONDS: '7200' }],
    ['a grace period shorter than the token lifetime', { GRACE_PERIOD_SECONDS: '1800', MAX_TOKEN_LIFETIME_SECONDS: '3600' }],
    ['a token lifetime over 24 hours', { GRACE_PERIOD_SECONDS: '200000', MAX_TOKEN_LIFETIME_SECONDS: '90000' }],
  ])('rejects %s with INVALID_CONFIG', (_name, env) => {
    expect(() => loadRotationConfig(env)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  test.each([undefined, '', '0', '-5', '1.5', ' 60', '60s', '1e3', '0x10', '99999999999999999999'])(
    'rejects GRACE_PERIOD_SECONDS=%p with INVALID_CONFIG', (value) => {
      expect(() => loadRotationConfig({ GRACE_PERIOD_SECONDS: value, MAX_TOKEN_LIFETIME_SECONDS: '60' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    });

  test('a bad grace period fails every step closed without touching the secret', async () => {
    const store = ringStore();
    const before = store.snapshot();
    for (const name of ROTATION_STEPS) {
      expect((await rejection(step(store, name, TOKEN, { ...ENV, GRACE_PERIOD_SECONDS: '0' }))).code).toBe('INVALID_CONFIG');
    }
    expect(store.snapshot()).toBe(before);
  });
});

describe('version checks', () => {
  test.each(ROTATION_STEPS)('%s fails with ROTATION_NOT_ENABLED when rotation is disabled, changing nothing', async (name) => {
    const store = ringStore();
    store.rotationEnabled = false;
    const before = store.snapshot();
    expect((await rejection(step(store, name))).code).toBe('ROTATION_NOT_ENABLED');
    expect(store.snapshot()).toBe(before);
  });

  test.each(ROTATION_STEPS)('%s fails with UNKNOWN_VERSION for a token the secret does not know', async (name) => {
    const store = ringStore();
    const before = store.snapshot();
    expect((await rejection(step(store, name, '33333333-3333-4333-8333-333333333333'))).code).toBe('UNKNOWN_VERSION');
    expect(store.snapshot()).toBe(before);
  });

  test('does not treat inherited object keys as versions', async () => {
    const store = ringStore();
    expect((await rejection(step(store, 'createSecret', 'constructor'))).code).toBe('UNKNOWN_VERSION');
  });

  test.each(ROTATION_STEPS)('%s fails with VERSION_NOT_PENDING for a version that is neither AWSPENDING nor AWSCURRENT', async (name) => {
    const store = ringStore();
    store.versions.set(TOKEN, { secretString: store.valueOf(OLD_VERSION), stages: ['AWSPREVIOUS'] });
    const before = store.snapshot();
    expect((await rejection(step(store, name))).code).toBe('VERSION_NOT_PENDING');
    expect(store.snapshot()).toBe(before);
  });

  test.each(ROTATION_STEPS)('%s does nothing when the token is already AWSCURRENT', async (name) => {
    const store = new FakeSecretStore(serializeKeyRing(newKeyRing(clock)));
    const before = store.snapshot();
    await step(store, name, OLD_VERSION);
    expect(store.snapshot()).toBe(before);
    expect(logger.text).toContain('rotation already finished');
  });
});

/** The ring that is AWSCURRENT now. */
function liveRing(store: FakeSecretStore): KeyRing {
  const id = [...store.versions].find(([, v]) => v.stages.includes('AWSCURRENT'))![0];
  return parseKeyRing(store.valueOf(id));
}

function stagesOf(store: FakeSecretStore): Record<string, string[]> {
  return Object.fromEntries([...store.versions].map(([id, v]) => [id, [...v.stages].sort()]));
}

function holderOf(store: FakeSecretStore, stage: string): string[] {
  return [...store.versions].filter(([, v]) => v.stages.includes(stage)).map(([id]) => id);
}

/** createSecret's proposal: the value of the version labelled CANDIDATE_STAGE. */
function candidateValue(store: FakeSecretStore): string {
  const [id] = holderOf(store, CANDIDATE_STAGE);
  expect(id).toBeDefined();
  return store.valueOf(id);
}

/**
 * Where AWS's rotation template ends a rotation: the token's version AWSCURRENT, the version that
 * was current before AWSPREVIOUS, no AWSPENDING and no candidate label anywhere.
 */
function expectCanonicalEnd(store: FakeSecretStore, token: string, oldCurrent: string): void {
  expect(holderOf(store, 'AWSCURRENT')).toEqual([token]);
  expect(holderOf(store, 'AWSPREVIOUS')).toEqual([oldCurrent]);
  expect(holderOf(store, 'AWSPENDING')).toEqual([]);
  expect(holderOf(store, CANDIDATE_STAGE)).toEqual([]);
  expect(stagesOf(store)[token]).toEqual(['AWSCURRENT']);
}

/** The fallback for a token version that already held a value: the derived version is current. */
function expectDerivedEnd(store: FakeSecretStore, token: string, oldCurrent: string): void {
  expect(holderOf(store, 'AWSCURRENT')).toEqual([liveVersionId(token)]);
  expect(holderOf(store, 'AWSPREVIOUS')).toEqual([oldCurrent]);
  expect(holderOf(store, 'AWSPENDING')).toEqual([]);
  expect(holderOf(store, CANDIDATE_STAGE)).toEqual([]);
}

describe('createSecret', () => {
  test('stores a proposal of new keys only (no ring, no expiry) in a candidate version, leaving the token version empty', async () => {
    const base = newKeyRing(new Date('2029-12-01T00:00:00Z'));
    const store = ringStore(base);
    await step(store, 'createSecret');
    const proposal = JSON.parse(candidateValue(store));
    expect(proposal).toEqual({ proposal: 1, basedOn: base.current.kid, keys: [expect.objectContaining({ createdAt: clock.toISOString() })] });
    expect(candidateValue(store)).not.toContain('expiresAt');
    expect(() => parseKeyRing(candidateValue(store))).toThrow(expect.objectContaining({ name: 'KeyRingError', message: 'invalid key ring: version must be one of 1, 2' }));
    expect(store.versions.get(TOKEN)).toEqual({ stages: ['AWSPENDING'] });
    expect(holderOf(store, 'AWSCURRENT')).toEqual([OLD_VERSION]);
  });

  test('proposes two keys over a bootstrap value or a version 1 ring, one over a version 2 ring', async () => {
    const v1 = JSON.stringify({ version: 1, algorithm: 'HS256', current: newKeyRing(clock).current, previous: [] });
    for (const [value, keys] of [[BOOTSTRAP, 2], [v1, 2], [serializeKeyRing(newKeyRing(clock)), 1]] as const) {
      const store = new FakeSecretStore(value).startRotation(TOKEN);
      await step(store, 'createSecret');
      expect(JSON.parse(candidateValue(store)).keys).toHaveLength(keys);
    }
  });

  test('a retry leaves the stored proposal unchanged', async () => {
    const store = ringStore();
    await step(store, 'createSecret');
    const before = store.snapshot();
    await step(store, 'createSecret');
    expect(store.snapshot()).toBe(before);
  });

  test('leaves a pre-filled token version as it is and says where the ring will go', async () => {
    const store = ringStore();
    store.versions.get(TOKEN)!.secretString = 'anything';
    await step(store, 'createSecret');
    expect(store.valueOf(TOKEN)).toBe('anything');
    expect(store.writes).toEqual([expect.stringMatching(new RegExp(`^put [0-9a-f-]{36} ${CANDIDATE_STAGE}$`))]);
    expect(logger.lines.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ reason: 'TOKEN_VERSION_PREFILLED' }));
  });

  test('two concurrent invocations both succeed and leave one proposal', async () => {
    const store = ringStore();
    await Promise.all([step(store, 'createSecret'), step(store, 'createSecret')]);
    expect(JSON.parse(candidateValue(store)).proposal).toBe(1);
    expect(holderOf(store, CANDIDATE_STAGE)).toHaveLength(1);
  });

  test('fails with CURRENT_MALFORMED on a current value that is neither bootstrap nor ring, writing nothing', async () => {
    const store = new FakeSecretStore('hunter2-not-a-ring').startRotation(TOKEN);
    expect((await rejection(step(store, 'createSecret'))).code).toBe('CURRENT_MALFORMED');
    expect(store.writes).toEqual([]);
    expect(logger.text).not.toContain('hunter2');
  });

  test('logs an SDK failure with code UNEXPECTED and rethrows it unchanged', async () => {
    const store = ringStore();
    store.failOn = 'putSecretValue';
    await expect(step(store, 'createSecret')).rejects.toThrow('ServiceUnavailable: putSecretValue failed');
    expect(logger.lines.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ level: 'ERROR', code: 'UNEXPECTED' }));
  });
});

describe('setSecret and testSecret', () => {
  test('fail with PENDING_MISSING when createSecret has not stored a value', async () => {
    for (const name of ['setSecret', 'testSecret', 'finishSecret'] as const) {
      expect((await rejection(step(ringStore(), name))).code).toBe('PENDING_MISSING');
    }
  });

  test('testSecret writes nothing', async () => {
    const store = ringStore();
    await step(store, 'createSecret');
    const before = store.snapshot();
    await step(store, 'setSecret');
    await step(store, 'testSecret');
    expect(store.snapshot()).toBe(before);
  });

  test('testSecret refuses a rotation that would drop a previous key still valid, with KEY_RING_FULL', async () => {
    let ring: KeyRing = newKeyRing(clock);
    const store = new FakeSecretStore(serializeKeyRing(ring));
    for (let i = 0; i < MAX_PREVIOUS_KEYS; i++) {
      const token = `token-${String(i).padStart(4, '0')}-aaaa-bbbb-cccc`;
      store.startRotation(token);
      await fullRotation(store, token);
      clock = new Date(clock.getTime() + 60_000);
    }
    ring = liveRing(store);
    expect(ring.previous).toHaveLength(MAX_PREVIOUS_KEYS);
    store.startRotation(TOKEN);
    await step(store, 'createSecret');
    const err = await rejection(step(store, 'testSecret'));
    expect(err.code).toBe('KEY_RING_FULL');
    expect(err.message).toMatch(/no key is dropped before its expiry/);
    expect((await rejection(step(store, 'finishSecret'))).code).toBe('KEY_RING_FULL');
    expect(liveRing(store)).toEqual(ring);
    // Once the oldest retired key expires, the same rotation goes through.
    clock = new Date(Date.parse(ring.previous[ring.previous.length - 1].expiresAt));
    await step(store, 'testSecret');
    await step(store, 'finishSecret');
    expect(liveRing(store).previous.map((k) => k.kid)).toContain(ring.previous[0].kid);
  });
});

describe('finishSecret', () => {
  test('ends where AWS\'s template ends: the live ring in the token\'s version, AWSCURRENT; the old one AWSPREVIOUS; no AWSPENDING', async () => {
    const store = ringStore();
    await fullRotation(store);
    expectCanonicalEnd(store, TOKEN, OLD_VERSION);
    expect(liveRing(store)).toEqual(parseKeyRing(store.valueOf(TOKEN)));
    expect(stagesOf(store)[LIVE]).toBeUndefined();
    // The template's calls: fill the token's version (still AWSPENDING), then move AWSCURRENT onto it.
    expect(store.writes.slice(1, 3)).toEqual([`put ${TOKEN} AWSPENDING`, `stage AWSCURRENT ${OLD_VERSION} -> ${TOKEN}`]);
    expect(store.writes[store.writes.length - 1]).toBe(`stage AWSPENDING ${TOKEN} -> -`);
  });

  test('the token\'s version stays empty until finishSecret, which decides the expiries', async () => {
    const store = ringStore();
    for (const name of ['createSecret', 'setSecret', 'testSecret'] as const) await step(store, name);
    expect(store.versions.get(TOKEN)).toEqual({ stages: ['AWSPENDING'] });
    clock = new Date(clock.getTime() + 3600_000);
    await step(store, 'finishSecret');
    expect(parseKeyRing(store.valueOf(TOKEN)).previous[0].expiresAt).toBe(new Date(clock.getTime() + GRACE * 1000).toISOString());
  });

  test('promotes the published next key, publishes a fresh next, retires current from promotion time', async () => {
    const base = newKeyRing(new Date('2029-12-01T00:00:00Z'));
    const store = ringStore(base);
    await step(store, 'createSecret');
    await step(store, 'setSecret');
    await step(store, 'testSecret');
    // A pause longer than the grace period between the steps.
    clock = new Date(clock.getTime() + 3 * GRACE * 1000);
    await step(store, 'finishSecret');
    const ring = liveRing(store);
    expect(ring.version).toBe(2);
    expect(ring.current).toEqual(base.next);
    expect(ring.next!.kid).not.toBe(base.next.kid);
    expect(ring.previous).toEqual([{ ...base.current, expiresAt: new Date(clock.getTime() + GRACE * 1000).toISOString() }]);
    expect(accepts(ring, base.current.key, base.current.kid, new Date(clock.getTime() + LIFETIME * 1000))).toBe(true);
  });

  test('uses the keys createSecret proposed', async () => {
    const store = ringStore();
    await step(store, 'createSecret');
    const proposed = JSON.parse(candidateValue(store)).keys[0];
    await step(store, 'setSecret');
    await step(store, 'testSecret');
    await step(store, 'finishSecret');
    expect(liveRing(store).next).toEqual(proposed);
  });

  test.each([
    ['a copy of AWSCURRENT', (base: KeyRing) => serializeKeyRing(base)],
    ['a ring whose previous key is about to expire', (base: KeyRing) => serializeKeyRing({
      ...base,
      previous: [{ ...base.current, expiresAt: new Date(clock.getTime() + 5000).toISOString() }],
      current: base.next!,
      next: newKeyRing(clock).next,
    })],
    ['a proposal that reuses the current key', (base: KeyRing) => JSON.stringify({ proposal: 1, basedOn: base.current.kid, keys: [base.current] })],
    ['a proposal for another ring', (_base: KeyRing) => JSON.stringify({ proposal: 1, basedOn: 'someotherkid', keys: [newKeyRing(clock).next] })],
    ['plain text', () => 'not json'],
  ])('with the token version pre-filled with %s, rotates to fresh keys under the derived version without cutting a token short', async (_name, fill) => {
    const base = newKeyRing(new Date('2029-12-01T00:00:00Z'));
    const store = ringStore(base);
    const planted = fill(base);
    store.versions.get(TOKEN)!.secretString = planted;
    await fullRotation(store);
    const ring = liveRing(store);
    expect(ring.current).toEqual(base.next);
    expect(planted).not.toContain(ring.next!.key);
    expect(ring.previous[0]).toEqual({ ...base.current, expiresAt: new Date(clock.getTime() + GRACE * 1000).toISOString() });
    expect(store.valueOf(TOKEN)).toBe(planted);
    expectDerivedEnd(store, TOKEN, OLD_VERSION);
    expect(logger.lines.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ step: 'finishSecret', reason: 'TOKEN_VERSION_PREFILLED' }));
  });

  test('a rotation an earlier release started (its proposal in the token version) finishes with that proposal, under the derived version', async () => {
    const base = newKeyRing(new Date('2029-12-01T00:00:00Z'));
    const store = ringStore(base);
    const proposal = { proposal: 1, basedOn: base.current.kid, keys: [newKeyRing(clock).next] };
    store.versions.get(TOKEN)!.secretString = JSON.stringify(proposal);
    for (const name of ['setSecret', 'testSecret', 'finishSecret'] as const) await step(store, name);
    expect(liveRing(store).next).toEqual(proposal.keys[0]);
    expectDerivedEnd(store, TOKEN, OLD_VERSION);
  });

  test('migrates a version 1 ring: fresh current and next, v1 previous keys kept until their expiry', async () => {
    const old = newKeyRing(new Date('2029-12-01T00:00:00Z'));
    const kept = { ...newKeyRing(clock).current, expiresAt: new Date(clock.getTime() + 600_000).toISOString() };
    const expired = { ...newKeyRing(clock).current, expiresAt: new Date(clock.getTime() - 1).toISOString() };
    const v1 = { version: 1, algorithm: 'HS256', current: old.current, previous: [kept, expired] };
    const store = ringStore(v1 as KeyRing);
    await fullRotation(store);
    const ring = liveRing(store);
    expect(ring).toMatchObject({ version: 2, maxTokenLifetimeSeconds: LIFETIME });
    expect([ring.current.kid, ring.next!.kid]).not.toContain(old.current.kid);
    expect(ring.previous.map((k) => k.kid)).toEqual([old.current.kid, kept.kid]);
  });

  test('a second invocation after the rotation finished answers success and changes nothing', async () => {
    const store = ringStore();
    await fullRotation(store);
    const after = store.snapshot();
    for (const name of ROTATION_STEPS) await step(store, name);
    expect(store.snapshot()).toBe(after);
  });

  test('two concurrent finishSecret invocations both succeed and the ring rotates once', async () => {
    const base = newKeyRing(new Date('2029-12-01T00:00:00Z'));
    const store = ringStore(base);
    for (const name of ['createSecret', 'setSecret', 'testSecret'] as const) await step(store, name);
    const results = await Promise.allSettled([step(store, 'finishSecret'), step(store, 'finishSecret')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(liveRing(store).current).toEqual(base.next);
    expectCanonicalEnd(store, TOKEN, OLD_VERSION);
  });

  test.each([
    ['when it first read the token version', 1],
    ['right before its write, which then fails', 2],
  ])('a finishSecret that a concurrent one overtook %s promotes the ring that one wrote', async (_when, atRead) => {
    const store = ringStore();
    for (const name of ['createSecret', 'setSecret', 'testSecret'] as const) await step(store, name);
    // The other invocation fills the token's version (2 s earlier by its clock) right after this one read it empty.
    const realGet = store.getSecretValue.bind(store);
    let raced = false;
    let emptyReads = 0;
    jest.spyOn(store, 'getSecretValue').mockImplementation(async (id, selector) => {
      const out = await realGet(id, selector);
      if (selector.versionId === TOKEN && out === undefined && ++emptyReads === atRead) {
        raced = true;
        const realNow = clock;
        clock = new Date(realNow.getTime() - 2000);
        await step(store, 'finishSecret');
        clock = realNow;
      }
      return out;
    });
    const put = jest.spyOn(store, 'putSecretValue');
    await step(store, 'finishSecret');
    expect(raced).toBe(true);
    // Only the overtaken invocation's own write attempt (if any) failed; the ring went in once.
    expect(store.writes.filter((w) => w.startsWith(`put ${TOKEN}`))).toHaveLength(1);
    expect(put).toHaveBeenCalledTimes(atRead === 2 ? 2 : 1);
    expectCanonicalEnd(store, TOKEN, OLD_VERSION);
    expect(parseKeyRing(store.valueOf(TOKEN)).previous[0].expiresAt).toBe(new Date(clock.getTime() - 2000 + GRACE * 1000).toISOString());
  });

  test('a finishSecret that started before a concurrent one finished succeeds without rotating again', async () => {
    const store = ringStore();
    for (const name of ['createSecret', 'setSecret', 'testSecret'] as const) await step(store, name);
    const stale = await store.describeSecret(SECRET_ID);
    await step(store, 'finishSecret');
    const after = store.snapshot();
    // The second invocation's DescribeSecret ran before the first one finished.
    jest.spyOn(store, 'describeSecret').mockResolvedValueOnce(stale);
    await step(store, 'finishSecret');
    expect(store.snapshot()).toBe(after);
  });

  test('a finishSecret that crashed between filling the token version and promoting it promotes that ring when run again soon', async () => {
    const store = ringStore();
    for (const name of ['createSecret', 'setSecret', 'testSecret'] as const) await step(store, name);
    store.failOn = 'updateSecretVersionStage';
    await expect(step(store, 'finishSecret')).rejects.toThrow('ServiceUnavailable: updateSecretVersionStage failed');
    expect(stagesOf(store)[TOKEN]).toEqual(['AWSPENDING']);
    expect(holderOf(store, 'AWSCURRENT')).toEqual([OLD_VERSION]);
    const written = store.valueOf(TOKEN);
    store.failOn = undefined;
    clock = new Date(clock.getTime() + (ADOPT_WINDOW_SECONDS - 1) * 1000);
    await fullRotation(store);
    expectCanonicalEnd(store, TOKEN, OLD_VERSION);
    expect(store.valueOf(TOKEN)).toBe(written);
  });

  test('after such a crash and a longer pause, the ring is rebuilt with expiries from now, under the derived version', async () => {
    const base = newKeyRing(new Date('2029-12-01T00:00:00Z'));
    const store = ringStore(base);
    for (const name of ['createSecret', 'setSecret', 'testSecret'] as const) await step(store, name);
    store.failOn = 'updateSecretVersionStage';
    await expect(step(store, 'finishSecret')).rejects.toThrow('ServiceUnavailable');
    store.failOn = undefined;
    clock = new Date(clock.getTime() + (ADOPT_WINDOW_SECONDS + 1) * 1000);
    await step(store, 'finishSecret');
    expectDerivedEnd(store, TOKEN, OLD_VERSION);
    expect(liveRing(store).previous[0].expiresAt).toBe(new Date(clock.getTime() + GRACE * 1000).toISOString());
    expect(liveRing(store).next).toEqual(parseKeyRing(store.valueOf(TOKEN)).next);
    expect(logger.lines.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ reason: 'TOKEN_VERSION_STALE' }));
  });

  test('a finishSecret that crashed after promoting removes the leftover labels when run again', async () => {
    const store = ringStore();
    for (const name of ['createSecret', 'setSecret', 'testSecret'] as const) await step(store, name);
    const realUpdate = store.updateSecretVersionStage.bind(store);
    const spy = jest.spyOn(store, 'updateSecretVersionStage').mockImplementation(async (id, move) => {
      if (move.versionStage !== 'AWSCURRENT') throw new Error('ServiceUnavailable: crashed');
      return realUpdate(id, move);
    });
    await expect(step(store, 'finishSecret')).rejects.toThrow('ServiceUnavailable');
    expect(stagesOf(store)[TOKEN]).toEqual(['AWSCURRENT', 'AWSPENDING']);
    expect(holderOf(store, CANDIDATE_STAGE)).toHaveLength(1);
    spy.mockRestore();
    const written = store.valueOf(TOKEN);
    await step(store, 'finishSecret');
    expectCanonicalEnd(store, TOKEN, OLD_VERSION);
    expect(store.valueOf(TOKEN)).toBe(written);
  });

  test('no log line carries a secret value or key bytes', async () => {
    const store = new FakeSecretStore(BOOTSTRAP).startRotation(TOKEN);
    await fullRotation(store);
    const second = '44444444-4444-4444-8444-444444444444';
    store.startRotation(second);
    await fullRotation(store, second);
    const values = [...store.versions.values()].map((v) => v.secretString!).filter(Boolean);
    expect(values).toHaveLength(5); // bootstrap, then a candidate and a live ring per rotation
    for (const material of secretMaterial(...values)) expect(logger.text).not.toContain(material);
    // The lines that describe keys were written, so the search above had something to search.
    expect(logger.lines.map((l) => JSON.parse(l).message)).toEqual(expect.arrayContaining([
      'proposal stored', 'successor ring verified', 'live key ring written', 'rotation finished',
    ]));
  });
});

/** A seeded generator (SHA-256 of seed and counter), so a failing schedule replays from its seed. */
function seeded(seed: number): () => number {
  let n = 0;
  return () => createHash('sha256').update(`${seed}:${n++}`).digest().readUIntBE(0, 6) / 2 ** 48;
}

describe('replica Regions', () => {
  const replicas = (...statuses: string[]): Array<{ region: string; status: string }> =>
    statuses.map((status, i) => ({ region: ['eu-west-1', 'ap-southeast-2'][i], status }));
  let sleeps: number[];
  const stepWithSleep = (store: FakeSecretStore, name: RotationStep): Promise<void> =>
    rotate(event(name), ENV, { store, now: () => clock, logger, sleep: async (ms) => { sleeps.push(ms); } });

  beforeEach(() => {
    sleeps = [];
  });

  async function upToTest(store: FakeSecretStore): Promise<void> {
    for (const name of ['createSecret', 'setSecret', 'testSecret'] as const) await step(store, name);
  }

  test('finishSecret removes AWSPENDING only once every replica reports InSync', async () => {
    const store = ringStore();
    await upToTest(store);
    const observed: string[][] = [];
    store.replicaStatuses = [replicas('InSync', 'InSync'), replicas('InProgress', 'InSync'), replicas('InProgress', 'InProgress'), replicas('InSync', 'InSync')];
    const describe = store.describeSecret.bind(store);
    jest.spyOn(store, 'describeSecret').mockImplementation(async (id) => {
      observed.push(stagesOf(store)[TOKEN]);
      return describe(id);
    });
    await stepWithSleep(store, 'finishSecret');
    expect(sleeps).toEqual([1000, 1000]);
    expect(observed.slice(1).every((s) => s.includes('AWSPENDING'))).toBe(true);
    expectCanonicalEnd(store, TOKEN, OLD_VERSION);
  });

  test('a failed replica fails finishSecret with REPLICA_FAILED, keeping AWSPENDING; the retry finishes once it is in sync', async () => {
    const store = ringStore();
    await upToTest(store);
    store.replicaStatuses = [replicas('InSync', 'InSync'), replicas('InSync', 'Failed')];
    const err = await rejection(stepWithSleep(store, 'finishSecret'));
    expect(err.code).toBe('REPLICA_FAILED');
    expect(err.message).toContain('ap-southeast-2');
    expect(stagesOf(store)[TOKEN]).toEqual(['AWSCURRENT', 'AWSPENDING']);
    store.replicaStatuses = [replicas('InSync', 'InSync')];
    await stepWithSleep(store, 'finishSecret');
    expectCanonicalEnd(store, TOKEN, OLD_VERSION);
  });

  test('the retry of a failed finishSecret, with the token version already AWSCURRENT, waits for the replicas again', async () => {
    const store = ringStore();
    await upToTest(store);
    store.replicaStatuses = [replicas('InSync', 'InSync'), replicas('Failed', 'InSync')];
    expect((await rejection(stepWithSleep(store, 'finishSecret'))).code).toBe('REPLICA_FAILED');
    const written = [...store.writes];
    const observed: string[][] = [];
    store.replicaStatuses = [replicas('InSync', 'InSync'), replicas('InProgress', 'InSync'), replicas('InSync', 'InSync')];
    const describe = store.describeSecret.bind(store);
    jest.spyOn(store, 'describeSecret').mockImplementation(async (id) => {
      observed.push(stagesOf(store)[TOKEN]);
      return describe(id);
    });
    await stepWithSleep(store, 'finishSecret');
    expect(sleeps).toEqual([1000]);
    // Every status check ran while the labels were still in place; nothing new was written.
    expect(observed.slice(0, 3).every((s) => s.includes('AWSPENDING'))).toBe(true);
    expect(store.writes.filter((w) => w.startsWith('put '))).toEqual(written.filter((w) => w.startsWith('put ')));
    expectCanonicalEnd(store, TOKEN, OLD_VERSION);
  });

  test('replicas never in sync fail with REPLICAS_NOT_IN_SYNC after a bounded wait', async () => {
    const store = ringStore();
    await upToTest(store);
    store.replicaStatuses = [replicas('InProgress')];
    expect((await rejection(stepWithSleep(store, 'finishSecret'))).code).toBe('REPLICAS_NOT_IN_SYNC');
    expect(sleeps).toHaveLength(REPLICA_CHECKS - 1);
    expect(stagesOf(store)[TOKEN]).toEqual(['AWSCURRENT', 'AWSPENDING']);
  });
});

describe('property: random rotations, crashes and clock advances', () => {
  interface Issued { kid: string; key: string; exp: number }

  test.each(Array.from({ length: 40 }, (_, i) => i + 1))('schedule seed %i: no token fails before its exp, no key outlives its expiry', async (seed) => {
    const rnd = seeded(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const store = new FakeSecretStore(BOOTSTRAP);
    const issued: Issued[] = [];
    let token: string | undefined;
    let nextStep = 0;
    let rotations = 0;
    let canonicalEnds = 0;
    let currentBefore = OLD_VERSION;
    const retiredAt = new Map<string, number>();
    for (let op = 0; op < 120; op++) {
      const r = rnd();
      if (r < 0.25) {
        // Clock advances: seconds to more than a grace period.
        clock = new Date(clock.getTime() + Math.floor(pick([1, 30, 600, LIFETIME, GRACE, 3 * GRACE]) * 1000 * rnd()) + 1);
      } else if (r < 0.6) {
        if (token === undefined) {
          token = `${seed}-${op}-rotation-token-0000000000`;
          store.startRotation(token);
          currentBefore = holderOf(store, 'AWSCURRENT')[0];
          nextStep = 0;
        }
        const name = ROTATION_STEPS[nextStep];
        store.failOn = rnd() < 0.15 ? pick(['getSecretValue', 'putSecretValue', 'updateSecretVersionStage', 'describeSecret'] as const) : undefined;
        const concurrent = rnd() < 0.2;
        const outcomes = await Promise.allSettled(concurrent ? [step(store, name, token), step(store, name, token)] : [step(store, name, token)]);
        store.failOn = undefined;
        for (const o of outcomes) {
          if (o.status === 'rejected') {
            const e = o.reason as { code?: string; message: string };
            // Only an injected crash or a full ring may stop a step.
            expect(e.code === 'KEY_RING_FULL' || /ServiceUnavailable/.test(e.message) || e.code === 'UNEXPECTED').toBe(true);
          }
        }
        if (outcomes.some((o) => o.status === 'fulfilled') && rnd() < 0.9) nextStep++;
        if (nextStep === ROTATION_STEPS.length) {
          // Every finished rotation ends where AWS's template ends it, unless finishSecret
          // crashed between filling the token's version and promoting it and ran again only
          // after the adoption window: then (and only then) the derived version is current.
          const live = holderOf(store, 'AWSCURRENT');
          if (live[0] === token) {
            expectCanonicalEnd(store, token, currentBefore);
            canonicalEnds++;
          } else {
            expectDerivedEnd(store, token, currentBefore);
            const reasons = logger.lines.map((l) => JSON.parse(l)).filter((l) => l.versionId === token && l.reason).map((l) => l.reason);
            expect([...new Set(reasons)]).toEqual(['TOKEN_VERSION_STALE']);
          }
          token = undefined;
          rotations++;
        }
      } else if (!store.versions.get(OLD_VERSION)?.stages.includes('AWSCURRENT')) {
        // An issuer signs with the live ring's current key, for up to the token lifetime.
        const ring = liveRing(store);
        issued.push({ kid: ring.current.kid, key: ring.current.key, exp: clock.getTime() + Math.ceil(rnd() * LIFETIME) * 1000 });
      }
      if (store.versions.get(OLD_VERSION)?.stages.includes('AWSCURRENT')) continue;
      const ring = liveRing(store);
      for (const k of ring.previous) if (!retiredAt.has(k.kid)) retiredAt.set(k.kid, Date.parse(k.expiresAt));
      for (const t of issued) {
        if (t.exp > clock.getTime()) expect(accepts(ring, t.key, t.kid, clock)).toBe(true);
      }
      for (const [kid, expiresMs] of retiredAt) {
        if (clock.getTime() >= expiresMs) expect(verificationKeys(ring, clock).has(kid)).toBe(false);
      }
    }
    expect(rotations).toBeGreaterThan(0);
    expect(canonicalEnds).toBeGreaterThan(0);
  });
});

describe('which ring found in the token version may go live (adoptable)', () => {
  const at = (iso: string): Date => new Date(iso);
  const base = { ...newKeyRing(at('2029-12-01T00:00:00Z')), previous: [{ ...newKeyRing(at('2029-12-01T00:00:00Z')).current, expiresAt: '2030-01-01T01:00:00.000Z' }] };
  const proposal = newProposal(base, at('2029-12-31T00:00:00Z'));
  const writtenAt = at('2030-01-01T00:00:00.000Z');
  const later = (s: number): Date => new Date(writtenAt.getTime() + s * 1000);
  const wide = { gracePeriodSeconds: GRACE, maxTokenLifetimeSeconds: LIFETIME };
  // A grace period equal to the token lifetime leaves no slack: any delay cuts a live token short.
  const tight = { gracePeriodSeconds: LIFETIME, maxTokenLifetimeSeconds: LIFETIME };
  const written = buildSuccessor(base, proposal, writtenAt, wide);

  test.each([
    ['promotes the ring this invocation would build', 0, written, wide, true],
    ['promotes the same keys written within the window', ADOPT_WINDOW_SECONDS, written, wide, true],
    ['refuses the same keys written longer ago than the window', ADOPT_WINDOW_SECONDS + 1, written, wide, false],
    ['refuses another next key', 0, { ...written, next: newKeyRing(writtenAt).next }, wide, false],
    ['refuses an older retired key with a changed expiry', 0, { ...written, previous: [written.previous[0], { ...written.previous[1], expiresAt: '2030-01-01T00:30:00.000Z' }] }, wide, false],
    ['refuses another token lifetime', 0, { ...written, maxTokenLifetimeSeconds: LIFETIME - 1 }, wide, false],
    ['refuses a ring written a minute ago whose retired key would then cut a live token short', 60, buildSuccessor(base, proposal, writtenAt, tight), tight, false],
  ])('%s', (_name, afterSeconds, held, config, expected) => {
    const now = later(afterSeconds as number);
    expect(adoptable(held as KeyRing, buildSuccessor(base, proposal, now, config), base, now, config)).toBe(expected);
  });
});

describe('asymmetric rings publish their public keys in finishSecret', () => {
  const ES_ENV = { ...ENV, KEY_ALGORITHM: 'ES256' };

  /** Records each JWKS with the AWSCURRENT version it was published under. */
  interface Published { readonly jwks: string; readonly currentAt: string }
  function publisher(store: FakeSecretStore, fail = false): { published: Published[]; publish(j: string): Promise<void> } {
    const published: Published[] = [];
    return {
      published,
      async publish(jwks: string) {
        if (fail) throw named('AccessDenied', 'PutObject denied');
        const currentAt = [...store.versions.entries()].find(([, v]) => v.stages.includes('AWSCURRENT'))![0];
        published.push({ jwks, currentAt });
      },
    };
  }

  async function esStep(store: FakeSecretStore, name: RotationStep, jwks?: { publish(j: string): Promise<void> }): Promise<void> {
    return rotate(event(name), ES_ENV, { store, now: () => clock, logger, jwks });
  }

  test('the JWKS goes out before the ring that uses it becomes current, and holds its current and next keys', async () => {
    const store = new FakeSecretStore(BOOTSTRAP).startRotation(TOKEN);
    const jwks = publisher(store);
    for (const name of ROTATION_STEPS) await esStep(store, name, jwks);
    expect(jwks.published).toHaveLength(1);
    expect(jwks.published[0].currentAt).toBe(OLD_VERSION);
    const ring = liveRing(store);
    expect(ring.algorithm).toBe('ES256');
    const kids = (JSON.parse(jwks.published[0].jwks) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    expect(kids).toEqual([ring.current.kid, ring.next!.kid]);
  });

  test('a failed publication fails finishSecret and leaves AWSCURRENT where it was', async () => {
    const store = new FakeSecretStore(BOOTSTRAP).startRotation(TOKEN);
    for (const name of ['createSecret', 'setSecret', 'testSecret'] as const) await esStep(store, name, publisher(store));
    const before = store.snapshot();
    await expect(esStep(store, 'finishSecret', publisher(store, true))).rejects.toThrow(/PutObject denied/);
    expect(store.snapshot()).toBe(before);
  });

  test('without a JWKS location an asymmetric rotation fails closed with INVALID_CONFIG', async () => {
    const store = new FakeSecretStore(BOOTSTRAP).startRotation(TOKEN);
    for (const name of ['createSecret', 'setSecret', 'testSecret'] as const) await esStep(store, name);
    expect((await rejection(esStep(store, 'finishSecret'))).code).toBe('INVALID_CONFIG');
    expect(holderOf(store, 'AWSCURRENT')).toEqual([OLD_VERSION]);
  });

  test('an HS256 ring is never converted to ES256 (ALGORITHM_CHANGED), and an unknown algorithm is a config error', async () => {
    const store = ringStore();
    expect((await rejection(esStep(store, 'createSecret', publisher(store)))).code).toBe('ALGORITHM_CHANGED');
    expect(() => loadRotationConfig({ ...ENV, KEY_ALGORITHM: 'none' })).toThrow(/KEY_ALGORITHM must be one of HS256, ES256, EdDSA/);
  });
});
