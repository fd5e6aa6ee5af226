import * as hs256 from '../../lambda-src/jwt/hs256';
import { hs256SignatureMatches, signHs256 } from '../../lambda-src/jwt/hs256';
import { KeyRing, newKeyRing, parseKeyRing, rotateKeyRing, serializeKeyRing, verificationKeys } from '../../lambda-src/key-ring';
import {
  GRACE_PERIOD_ENV,
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
} from '../../lambda-src/rotation/core';

const SECRET_ID = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-keys-AbCdEf';
const OLD_VERSION = '11111111-1111-4111-8111-111111111111';
const TOKEN = '22222222-2222-4222-8222-222222222222';
const GRACE = 3600;
const ENV = { [GRACE_PERIOD_ENV]: String(GRACE) };
const BOOTSTRAP = JSON.stringify({ bootstrap: 'Zm9vYmFyYmF6cXV4cXV1eA-bootstrap-random' });

interface FakeVersion {
  secretString?: string;
  secretBinary?: boolean;
  stages: string[];
}

/**
 * In-memory Secrets Manager with the semantics rotation depends on: PutSecretValue never
 * changes an existing value, a label lives on one version at a time, moving AWSCURRENT needs
 * RemoveFromVersionId and leaves AWSPREVIOUS behind, and GetSecretValue by id + stage checks both.
 */
class FakeSecretStore implements SecretStore {
  readonly versions = new Map<string, FakeVersion>();
  readonly writes: string[] = [];
  rotationEnabled = true;
  failOn?: keyof SecretStore;

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
    for (const [id, v] of this.versions) versionIdsToStages[id] = [...v.stages];
    return { rotationEnabled: this.rotationEnabled, versionIdsToStages };
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
      if (existing.secretString !== secretString) throw new Error('ResourceExistsException: a version with this token already exists');
      return;
    }
    for (const label of stages) this.moveLabelAway(label);
    this.versions.set(token, { secretString, stages: [...new Set([...(existing?.stages ?? []), ...stages])] });
    this.writes.push(`put ${token} ${stages.join(',')}`);
  }

  async updateSecretVersionStage(secretId: string, move: StageMove): Promise<void> {
    this.maybeFail('updateSecretVersionStage', secretId);
    const holder = [...this.versions].find(([, v]) => v.stages.includes(move.versionStage))?.[0];
    if (move.removeFromVersionId !== undefined) {
      if (holder !== move.removeFromVersionId) throw new Error('InvalidParameterException: label not on RemoveFromVersionId');
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
  test('reads GRACE_PERIOD_SECONDS as a positive integer', () => {
    expect(loadRotationConfig({ GRACE_PERIOD_SECONDS: '86400' })).toEqual({ gracePeriodSeconds: 86400 });
  });

  test.each([undefined, '', '0', '-5', '1.5', ' 60', '60s', '1e3', '0x10', '99999999999999999999'])(
    'rejects GRACE_PERIOD_SECONDS=%p with INVALID_CONFIG', (value) => {
      expect(() => loadRotationConfig({ GRACE_PERIOD_SECONDS: value })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    });

  test('a bad grace period fails every step closed without touching the secret', async () => {
    const store = ringStore();
    const before = store.snapshot();
    for (const name of ROTATION_STEPS) {
      expect((await rejection(step(store, name, TOKEN, { GRACE_PERIOD_SECONDS: '0' }))).code).toBe('INVALID_CONFIG');
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
    expect(logger.text).toContain('already AWSCURRENT');
  });
});

describe('createSecret', () => {
  test('replaces a bootstrap value with a fresh ring that has no previous keys', async () => {
    const store = new FakeSecretStore(BOOTSTRAP).startRotation(TOKEN);
    await step(store, 'createSecret');
    const pending = parseKeyRing(store.valueOf(TOKEN));
    expect(pending.previous).toEqual([]);
    expect(pending.current.createdAt).toBe(clock.toISOString());
    expect(store.versions.get(TOKEN)!.stages).toEqual(['AWSPENDING']);
    expect(store.versions.get(OLD_VERSION)!.stages).toEqual(['AWSCURRENT']);
  });

  test('rotates a ring: a new current key, the old one retired for the grace period', async () => {
    const old = newKeyRing(new Date('2029-12-01T00:00:00Z'));
    const store = ringStore(old);
    await step(store, 'createSecret');
    const pending = parseKeyRing(store.valueOf(TOKEN));
    expect(pending.current.kid).not.toBe(old.current.kid);
    expect(pending.current.key).not.toBe(old.current.key);
    expect(pending.previous).toEqual([{ ...old.current, expiresAt: new Date(clock.getTime() + GRACE * 1000).toISOString() }]);
  });

  test('does not overwrite an existing AWSPENDING value', async () => {
    const store = ringStore();
    const existing = serializeKeyRing(rotateKeyRing(parseKeyRing(store.valueOf(OLD_VERSION)), clock, GRACE));
    store.versions.get(TOKEN)!.secretString = existing;
    const put = jest.spyOn(store, 'putSecretValue');
    await step(store, 'createSecret');
    expect(put).not.toHaveBeenCalled();
    expect(store.valueOf(TOKEN)).toBe(existing);
    expect(logger.text).toContain('already exists');
  });

  test('is idempotent: a retry keeps the ring the first attempt stored', async () => {
    const store = ringStore();
    await step(store, 'createSecret');
    const first = store.valueOf(TOKEN);
    clock = new Date(clock.getTime() + 60_000);
    await step(store, 'createSecret');
    expect(store.valueOf(TOKEN)).toBe(first);
    expect(store.writes).toHaveLength(1);
  });

  test.each([
    ['not JSON', 'definitely-not-json-s3cr3t-value'],
    ['a JSON array', '["s3cr3t-value-in-array"]'],
    ['a ring with a short key', JSON.stringify({ version: 1, algorithm: 'HS256', current: { kid: 'abcdefgh', key: 'c2hvcnQtczNjcjN0', createdAt: '2030-01-01T00:00:00Z' }, previous: [] })],
    ['a ring of the wrong version', JSON.stringify({ ...newKeyRing(new Date()), version: 2 })],
  ])('fails with CURRENT_MALFORMED when AWSCURRENT is %s, writes nothing and logs no secret value', async (_name, value) => {
    const store = new FakeSecretStore(value).startRotation(TOKEN);
    const before = store.snapshot();
    const err = await rejection(step(store, 'createSecret'));
    expect(err.code).toBe('CURRENT_MALFORMED');
    expect(store.snapshot()).toBe(before);
    for (const material of secretMaterial(value)) {
      expect(err.message).not.toContain(material);
      expect(logger.text).not.toContain(material);
    }
    expect(JSON.parse(logger.lines[logger.lines.length - 1])).toMatchObject({ level: 'ERROR', code: 'CURRENT_MALFORMED', step: 'createSecret' });
  });

  test('fails with CURRENT_MISSING when AWSCURRENT holds only SecretBinary', async () => {
    const store = ringStore();
    store.versions.set(OLD_VERSION, { secretBinary: true, stages: ['AWSCURRENT'] });
    expect((await rejection(step(store, 'createSecret'))).code).toBe('CURRENT_MISSING');
    expect(store.writes).toEqual([]);
  });

  test('logs an SDK failure with code UNEXPECTED and rethrows it unchanged', async () => {
    const store = ringStore();
    store.failOn = 'putSecretValue';
    await expect(step(store, 'createSecret')).rejects.toThrow('ServiceUnavailable: putSecretValue failed');
    expect(JSON.parse(logger.lines[logger.lines.length - 1])).toMatchObject({ code: 'UNEXPECTED', errorName: 'Error', step: 'createSecret' });
  });
});

describe('setSecret', () => {
  test('accepts a pending ring that parses, without writing anything', async () => {
    const store = ringStore();
    await step(store, 'createSecret');
    const before = store.snapshot();
    await step(store, 'setSecret');
    expect(store.snapshot()).toBe(before);
  });

  test('fails with PENDING_MISSING when createSecret has not stored a value', async () => {
    expect((await rejection(step(ringStore(), 'setSecret'))).code).toBe('PENDING_MISSING');
  });

  test('fails with PENDING_MALFORMED when the pending value is not a ring, without echoing it', async () => {
    const store = ringStore();
    store.versions.get(TOKEN)!.secretString = '{"pending":"s3cr3t-pending-value"}';
    const err = await rejection(step(store, 'setSecret'));
    expect(err.code).toBe('PENDING_MALFORMED');
    expect(err.message).not.toContain('s3cr3t-pending-value');
    expect(logger.text).not.toContain('s3cr3t-pending-value');
  });
});

describe('testSecret', () => {
  test('passes for the ring createSecret stored, from a ring and from bootstrap', async () => {
    const fromRing = ringStore();
    await step(fromRing, 'createSecret');
    await step(fromRing, 'testSecret');
    const fromBootstrap = new FakeSecretStore(BOOTSTRAP).startRotation(TOKEN);
    await step(fromBootstrap, 'createSecret');
    await step(fromBootstrap, 'testSecret');
    expect(logger.text).toContain('pending key ring verified');
  });

  test('fails with PREVIOUS_KEY_DROPPED when the pending ring no longer holds the current key', async () => {
    const store = ringStore();
    store.versions.get(TOKEN)!.secretString = serializeKeyRing(newKeyRing(clock));
    expect((await rejection(step(store, 'testSecret'))).code).toBe('PREVIOUS_KEY_DROPPED');
  });

  test('fails with PREVIOUS_KEY_DROPPED when the current key is retired with an expiry already past', async () => {
    const store = ringStore();
    const old = parseKeyRing(store.valueOf(OLD_VERSION));
    const rotatedLongAgo = rotateKeyRing(old, new Date(clock.getTime() - 2 * GRACE * 1000), GRACE);
    store.versions.get(TOKEN)!.secretString = serializeKeyRing(rotatedLongAgo);
    expect((await rejection(step(store, 'testSecret'))).code).toBe('PREVIOUS_KEY_DROPPED');
  });

  test('fails with PREVIOUS_KEY_DROPPED when the retired key carries different bytes under the same kid', async () => {
    const store = ringStore();
    const old = parseKeyRing(store.valueOf(OLD_VERSION));
    const pending = rotateKeyRing(old, clock, GRACE);
    const tampered = { ...pending, previous: [{ ...pending.previous[0], key: newKeyRing(clock).current.key }] };
    store.versions.get(TOKEN)!.secretString = serializeKeyRing(tampered);
    expect((await rejection(step(store, 'testSecret'))).code).toBe('PREVIOUS_KEY_DROPPED');
  });

  test('fails with CURRENT_MALFORMED when AWSCURRENT was broken after createSecret', async () => {
    const store = ringStore();
    await step(store, 'createSecret');
    store.versions.get(OLD_VERSION)!.secretString = '{"broken":true}';
    expect((await rejection(step(store, 'testSecret'))).code).toBe('CURRENT_MALFORMED');
  });

  test('fails with PENDING_MISSING when there is no pending value', async () => {
    expect((await rejection(step(ringStore(), 'testSecret'))).code).toBe('PENDING_MISSING');
  });

  test('fails with PENDING_SIGNATURE_FAILED when a token signed with the pending key does not verify', async () => {
    const store = ringStore();
    await step(store, 'createSecret');
    const matches = jest.spyOn(hs256, 'hs256SignatureMatches').mockReturnValue(false);
    try {
      expect((await rejection(step(store, 'testSecret'))).code).toBe('PENDING_SIGNATURE_FAILED');
    } finally {
      matches.mockRestore();
    }
  });
});

describe('finishSecret', () => {
  test('moves AWSCURRENT to the token, leaves AWSPREVIOUS on the old version and removes AWSPENDING', async () => {
    const store = ringStore();
    await fullRotation(store);
    expect(store.versions.get(TOKEN)!.stages).toEqual(['AWSCURRENT']);
    expect(store.versions.get(OLD_VERSION)!.stages).toEqual(['AWSPREVIOUS']);
  });

  test('only removes a leftover AWSPENDING when the token is already AWSCURRENT', async () => {
    const store = ringStore();
    await step(store, 'createSecret');
    await store.updateSecretVersionStage(SECRET_ID, { versionStage: 'AWSCURRENT', moveToVersionId: TOKEN, removeFromVersionId: OLD_VERSION });
    await step(store, 'finishSecret');
    expect(store.versions.get(TOKEN)!.stages).toEqual(['AWSCURRENT']);
    expect(store.versions.get(OLD_VERSION)!.stages).toEqual(['AWSPREVIOUS']);
  });

  test('refuses to promote a pending ring that drops the current key', async () => {
    const store = ringStore();
    store.versions.get(TOKEN)!.secretString = serializeKeyRing(newKeyRing(clock));
    const before = store.snapshot();
    expect((await rejection(step(store, 'finishSecret'))).code).toBe('PREVIOUS_KEY_DROPPED');
    expect(store.snapshot()).toBe(before);
  });

  test('fails with CURRENT_MISSING when no version is AWSCURRENT', async () => {
    const store = ringStore();
    await step(store, 'createSecret');
    store.versions.get(OLD_VERSION)!.stages = [];
    expect((await rejection(step(store, 'finishSecret'))).code).toBe('CURRENT_MISSING');
  });
});

describe('whole rotations', () => {
  test('each step run twice still yields one consistent rotation', async () => {
    const old = newKeyRing(new Date('2029-12-01T00:00:00Z'));
    const store = ringStore(old);
    for (const name of ROTATION_STEPS) {
      await step(store, name);
      await step(store, name);
    }
    const ring = parseKeyRing(store.valueOf(TOKEN));
    expect(store.versions.get(TOKEN)!.stages).toEqual(['AWSCURRENT']);
    expect(accepts(ring, ring.current.key, ring.current.kid, clock)).toBe(true);
    expect(accepts(ring, old.current.key, old.current.kid, clock)).toBe(true);
  });

  test('a retired key stops verifying once its grace period ends, and later rotations drop it', async () => {
    const old = newKeyRing(new Date('2029-12-01T00:00:00Z'));
    const store = ringStore(old);
    await fullRotation(store);
    const afterFirst = parseKeyRing(store.valueOf(TOKEN));
    expect(accepts(afterFirst, old.current.key, old.current.kid, new Date(clock.getTime() + GRACE * 1000))).toBe(false);

    clock = new Date(clock.getTime() + 2 * GRACE * 1000);
    const second = '44444444-4444-4444-8444-444444444444';
    store.startRotation(second);
    await fullRotation(store, second);
    const ring = parseKeyRing(store.valueOf(second));
    expect(ring.previous.map((k) => k.kid)).toEqual([afterFirst.current.kid]);
    expect(accepts(ring, afterFirst.current.key, afterFirst.current.kid, clock)).toBe(true);
  });

  test('no log line carries a secret value or key bytes', async () => {
    const store = new FakeSecretStore(BOOTSTRAP).startRotation(TOKEN);
    await fullRotation(store);
    const second = '44444444-4444-4444-8444-444444444444';
    store.startRotation(second);
    await fullRotation(store, second);
    const values = [...store.versions.values()].map((v) => v.secretString!).filter(Boolean);
    expect(values).toHaveLength(3);
    for (const material of secretMaterial(...values)) expect(logger.text).not.toContain(material);
    for (const line of logger.lines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
