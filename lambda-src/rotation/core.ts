/**
 * Secrets Manager rotation of a JWT signing key ring: the four steps, over a small SecretStore.
 *
 * Follows AWS's rotation function templates, but stricter where the templates are lenient:
 * the event and configuration are validated, an existing AWSPENDING value is never overwritten,
 * the pending ring is re-verified before it is promoted, and finishSecret also removes
 * AWSPENDING from the promoted version (the template leaves it attached).
 *
 * Every failure is a RotationError with a stable `code`, logged as one JSON line. Nothing
 * logged or thrown ever contains a secret value or key bytes: key ring errors name the field,
 * and the only key identifiers logged are kids, which every JWT carries in its header anyway.
 */
import { hs256SignatureMatches, signHs256 } from '../jwt/hs256';
import {
  isBootstrapValue,
  KeyRing,
  KeyRingError,
  newKeyRing,
  parseKeyRing,
  rotateKeyRing,
  serializeKeyRing,
  verificationKeys,
} from '../key-ring';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = typeof ROTATION_STEPS[number];

export const GRACE_PERIOD_ENV = 'GRACE_PERIOD_SECONDS';

/** Stable reason codes: alarms, runbooks and tests match on these, never on messages. */
export type RotationErrorCode =
  | 'INVALID_EVENT'
  | 'INVALID_CONFIG'
  | 'ROTATION_NOT_ENABLED'
  | 'UNKNOWN_VERSION'
  | 'VERSION_NOT_PENDING'
  | 'CURRENT_MISSING'
  | 'CURRENT_MALFORMED'
  | 'PENDING_MISSING'
  | 'PENDING_MALFORMED'
  | 'PENDING_SIGNATURE_FAILED'
  | 'PREVIOUS_KEY_DROPPED';

export class RotationError extends Error {
  constructor(readonly code: RotationErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'RotationError';
  }
}

export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: RotationStep;
}

export interface SecretDescription {
  /** False as well when DescribeSecret omits RotationEnabled. */
  readonly rotationEnabled: boolean;
  readonly versionIdsToStages: Readonly<Record<string, readonly string[]>>;
}

export interface SecretVersionValue {
  readonly versionId: string;
  /** Undefined when the version holds SecretBinary only. */
  readonly secretString?: string;
}

/** Selects a version by id, by staging label, or by both (then the two must agree). */
export interface VersionSelector {
  readonly versionId?: string;
  readonly versionStage?: string;
}

export interface StageMove {
  readonly versionStage: string;
  readonly moveToVersionId?: string;
  readonly removeFromVersionId?: string;
}

/** The four Secrets Manager calls rotation needs. */
export interface SecretStore {
  describeSecret(secretId: string): Promise<SecretDescription>;
  /** Undefined when the version does not exist or has no value yet (ResourceNotFoundException). */
  getSecretValue(secretId: string, selector: VersionSelector): Promise<SecretVersionValue | undefined>;
  putSecretValue(secretId: string, clientRequestToken: string, secretString: string, versionStages: readonly string[]): Promise<void>;
  updateSecretVersionStage(secretId: string, move: StageMove): Promise<void>;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One JSON object per line, so CloudWatch Logs Insights can filter on `code`, `step`, ... */
export const jsonLogger: Logger = {
  info: (message, fields) => console.log(JSON.stringify({ level: 'INFO', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'ERROR', message, ...fields })),
};

export interface RotationConfig {
  readonly gracePeriodSeconds: number;
}

export interface RotationDeps {
  readonly store: SecretStore;
  readonly now: () => Date;
  readonly logger: Logger;
}

/** The test token's lifetime: it is verified immediately and never leaves the function. */
const TEST_TOKEN_TTL_SECONDS = 60;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseRotationEvent(event: unknown): RotationEvent {
  if (!isRecord(event)) throw new RotationError('INVALID_EVENT', 'the event must be an object');
  const { SecretId, ClientRequestToken, Step } = event;
  if (typeof SecretId !== 'string' || SecretId.length === 0) {
    throw new RotationError('INVALID_EVENT', 'SecretId must be a non-empty string');
  }
  if (typeof ClientRequestToken !== 'string' || ClientRequestToken.length === 0) {
    throw new RotationError('INVALID_EVENT', 'ClientRequestToken must be a non-empty string');
  }
  if (typeof Step !== 'string' || !(ROTATION_STEPS as readonly string[]).includes(Step)) {
    throw new RotationError('INVALID_EVENT', `Step must be one of ${ROTATION_STEPS.join(', ')}`);
  }
  return { SecretId, ClientRequestToken, Step: Step as RotationStep };
}

/**
 * Reads the configuration from the function's environment. A missing or malformed grace period
 * fails every step: guessing one could retire keys while tokens signed with them are still live.
 */
export function loadRotationConfig(env: Readonly<Record<string, string | undefined>>): RotationConfig {
  const raw = env[GRACE_PERIOD_ENV];
  if (raw === undefined || !/^[1-9][0-9]*$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new RotationError('INVALID_CONFIG', `${GRACE_PERIOD_ENV} must be a positive integer number of seconds`);
  }
  return { gracePeriodSeconds: Number(raw) };
}

interface StepContext {
  readonly event: RotationEvent;
  readonly config: RotationConfig;
  readonly deps: RotationDeps;
  readonly stages: Readonly<Record<string, readonly string[]>>;
}

function currentVersionId(stages: Readonly<Record<string, readonly string[]>>): string {
  const ids = Object.keys(stages).filter((id) => stages[id].includes(AWSCURRENT));
  if (ids.length !== 1) {
    throw new RotationError('CURRENT_MISSING', `expected exactly one version labelled ${AWSCURRENT}, found ${ids.length}`);
  }
  return ids[0];
}

async function readCurrent(ctx: StepContext): Promise<SecretVersionValue & { secretString: string }> {
  const current = await ctx.deps.store.getSecretValue(ctx.event.SecretId, { versionStage: AWSCURRENT });
  if (current?.secretString === undefined) {
    throw new RotationError('CURRENT_MISSING', `the ${AWSCURRENT} version has no SecretString`);
  }
  return { versionId: current.versionId, secretString: current.secretString };
}

function parseCurrent(secretString: string): KeyRing {
  try {
    return parseKeyRing(secretString);
  } catch (err) {
    if (err instanceof KeyRingError) {
      throw new RotationError('CURRENT_MALFORMED', `the ${AWSCURRENT} value is neither a bootstrap value nor a key ring (${err.reason})`);
    }
    throw err;
  }
}

async function readPending(ctx: StepContext): Promise<KeyRing> {
  const pending = await ctx.deps.store.getSecretValue(ctx.event.SecretId, {
    versionId: ctx.event.ClientRequestToken,
    versionStage: AWSPENDING,
  });
  if (pending?.secretString === undefined) {
    throw new RotationError('PENDING_MISSING', `version ${ctx.event.ClientRequestToken} has no ${AWSPENDING} SecretString`);
  }
  try {
    return parseKeyRing(pending.secretString);
  } catch (err) {
    if (err instanceof KeyRingError) {
      throw new RotationError('PENDING_MALFORMED', `the ${AWSPENDING} value is not a key ring (${err.reason})`);
    }
    throw err;
  }
}

/** Signs a short-lived token with `signingKey` and checks it the way a verifier would, against `ring`. */
function verifiesAgainst(ring: KeyRing, signingKey: Buffer, kid: string, now: Date): boolean {
  const iat = Math.floor(now.getTime() / 1000);
  const token = signHs256({ sub: 'rotation-test', iat, exp: iat + TEST_TOKEN_TTL_SECONDS }, signingKey, kid);
  const lastDot = token.lastIndexOf('.');
  const key = verificationKeys(ring, now).get(kid);
  return key !== undefined && hs256SignatureMatches(token.slice(0, lastDot), token.slice(lastDot + 1), key);
}

/**
 * What testSecret proves, and finishSecret re-proves before promoting: the pending ring signs
 * and verifies, and tokens signed with the current key just before the rotation keep verifying.
 */
async function verifyPending(ctx: StepContext): Promise<KeyRing> {
  const now = ctx.deps.now();
  const pending = await readPending(ctx);
  if (!verifiesAgainst(pending, Buffer.from(pending.current.key, 'base64url'), pending.current.kid, now)) {
    throw new RotationError('PENDING_SIGNATURE_FAILED', `a token signed with the pending current key (kid ${pending.current.kid}) did not verify`);
  }
  const current = await readCurrent(ctx);
  if (!isBootstrapValue(current.secretString)) {
    const old = parseCurrent(current.secretString).current;
    if (!verifiesAgainst(pending, Buffer.from(old.key, 'base64url'), old.kid, now)) {
      throw new RotationError('PREVIOUS_KEY_DROPPED', `the pending ring does not accept tokens signed with the current key (kid ${old.kid})`);
    }
  }
  return pending;
}

async function createSecret(ctx: StepContext): Promise<void> {
  const { store, logger, now } = ctx.deps;
  const { SecretId, ClientRequestToken } = ctx.event;
  const current = await readCurrent(ctx);
  // A retried createSecret must not replace a ring that later steps (or an issuer) may
  // already have read; the existing value is checked by setSecret and testSecret instead.
  const existing = await store.getSecretValue(SecretId, { versionId: ClientRequestToken, versionStage: AWSPENDING });
  if (existing) {
    logger.info('pending value already exists; leaving it unchanged', { step: 'createSecret', versionId: ClientRequestToken });
    return;
  }
  const at = now();
  const fromBootstrap = isBootstrapValue(current.secretString);
  const next = fromBootstrap ? newKeyRing(at) : rotateKeyRing(parseCurrent(current.secretString), at, ctx.config.gracePeriodSeconds);
  await store.putSecretValue(SecretId, ClientRequestToken, serializeKeyRing(next), [AWSPENDING]);
  logger.info('pending key ring stored', {
    step: 'createSecret',
    versionId: ClientRequestToken,
    fromBootstrap,
    currentKid: next.current.kid,
    previousKids: next.previous.map((k) => k.kid),
  });
}

async function setSecret(ctx: StepContext): Promise<void> {
  // An HMAC key ring has no external system to push the new key to; the step still refuses
  // to let a value that would not parse move further through the rotation.
  const pending = await readPending(ctx);
  ctx.deps.logger.info('pending key ring parses', { step: 'setSecret', versionId: ctx.event.ClientRequestToken, currentKid: pending.current.kid });
}

async function testSecret(ctx: StepContext): Promise<void> {
  const pending = await verifyPending(ctx);
  ctx.deps.logger.info('pending key ring verified', { step: 'testSecret', versionId: ctx.event.ClientRequestToken, currentKid: pending.current.kid });
}

async function finishSecret(ctx: StepContext): Promise<void> {
  const { store, logger } = ctx.deps;
  const { SecretId, ClientRequestToken } = ctx.event;
  const oldCurrent = currentVersionId(ctx.stages);
  // Re-verified here because finishSecret is the step that makes the ring live.
  await verifyPending(ctx);
  await store.updateSecretVersionStage(SecretId, {
    versionStage: AWSCURRENT,
    moveToVersionId: ClientRequestToken,
    removeFromVersionId: oldCurrent,
  });
  // Without this the promoted version keeps both labels, and every reader that asks for
  // AWSPENDING would keep seeing it until the next rotation.
  await store.updateSecretVersionStage(SecretId, { versionStage: AWSPENDING, removeFromVersionId: ClientRequestToken });
  logger.info('rotation finished', { step: 'finishSecret', versionId: ClientRequestToken, previousVersionId: oldCurrent });
}

const STEPS: Record<RotationStep, (ctx: StepContext) => Promise<void>> = { createSecret, setSecret, testSecret, finishSecret };

/**
 * Runs one rotation step. Each step is idempotent, because Secrets Manager retries a failed
 * step and re-runs a rotation that never finished with the same ClientRequestToken.
 */
export async function rotate(rawEvent: unknown, env: Readonly<Record<string, string | undefined>>, deps: RotationDeps): Promise<void> {
  const fields: Record<string, unknown> = {};
  try {
    const event = parseRotationEvent(rawEvent);
    Object.assign(fields, { step: event.Step, secretId: event.SecretId, versionId: event.ClientRequestToken });
    const config = loadRotationConfig(env);

    const description = await deps.store.describeSecret(event.SecretId);
    if (!description.rotationEnabled) {
      throw new RotationError('ROTATION_NOT_ENABLED', 'rotation is not enabled on the secret');
    }
    const stages = description.versionIdsToStages;
    const tokenStages = Object.prototype.hasOwnProperty.call(stages, event.ClientRequestToken) ? stages[event.ClientRequestToken] : undefined;
    if (tokenStages === undefined) {
      throw new RotationError('UNKNOWN_VERSION', 'ClientRequestToken is not a version of the secret');
    }
    if (tokenStages.includes(AWSCURRENT)) {
      // The rotation already finished. A finishSecret interrupted between its two label moves
      // leaves AWSPENDING on the current version; a re-run clears it.
      if (event.Step === 'finishSecret' && tokenStages.includes(AWSPENDING)) {
        await deps.store.updateSecretVersionStage(event.SecretId, { versionStage: AWSPENDING, removeFromVersionId: event.ClientRequestToken });
        deps.logger.info('removed leftover AWSPENDING from the current version', fields);
      } else {
        deps.logger.info('version is already AWSCURRENT; nothing to do', fields);
      }
      return;
    }
    if (!tokenStages.includes(AWSPENDING)) {
      throw new RotationError('VERSION_NOT_PENDING', `the version is not labelled ${AWSPENDING}`);
    }
    await STEPS[event.Step]({ event, config, deps, stages });
  } catch (err) {
    if (err instanceof RotationError) {
      deps.logger.error('rotation step failed', { ...fields, code: err.code, error: err.message });
    } else {
      // SDK and runtime errors: their name and message describe the call, never the secret value.
      const e = err instanceof Error ? err : new Error(String(err));
      deps.logger.error('rotation step failed', { ...fields, code: 'UNEXPECTED', errorName: e.name, error: e.message });
    }
    throw err;
  }
}
