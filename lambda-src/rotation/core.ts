/**
 * Secrets Manager rotation of a JWT signing key ring: the four steps, over a small SecretStore.
 *
 * Ends every rotation where AWS's rotation function template (SecretsManagerRotationTemplate,
 * lambda_function.py in aws-samples/aws-secrets-manager-rotation-lambdas) ends it: the version
 * named by the rotation's ClientRequestToken holds the new value and is AWSCURRENT, the old
 * current version is AWSPREVIOUS, and AWSPENDING is removed (the template's finish_secret removes
 * it too; RotateSecret's reference allows that state or AWSPENDING on the current version).
 * Where timing matters it differs from the template in what each step stores:
 * - Secrets Manager creates the token's version empty, labelled AWSPENDING, before it calls
 *   createSecret (DescribeSecret's reference: "Secrets Manager creates an AWSPENDING version ID
 *   before creating the new secret version"). createSecret leaves it empty and stores a proposal
 *   (new key material only, no expiry) in a version of its own, labelled CANDIDATE_STAGE;
 * - finishSecret builds the ring from AWSCURRENT as it is at promotion, so every expiry starts
 *   when the ring goes live, fills the token's version with it (PutSecretValue with the token, as
 *   the template's create_secret does) and moves AWSCURRENT onto it
 *   (UpdateSecretVersionStage, as the template's finish_secret does);
 * - a token version that already held a value before the rotation wrote it (an earlier release
 *   kept its proposal there) cannot be overwritten: that rotation writes the ring under a version
 *   id derived from the token instead, labelled AWSCURRENT, which is how earlier releases ended
 *   every rotation (see README, "Secret format");
 * - every step is safe to run twice or concurrently: a step that finds its work done succeeds.
 *
 * Every failure is a RotationError with a stable `code`, logged as one JSON line. Nothing
 * logged or thrown ever contains a secret value or key bytes: key ring errors name the field,
 * and the only key identifiers logged are kids, which every JWT carries in its header anyway.
 */
import {
  isBootstrapValue, KEY_RING_ALGORITHM, KEY_RING_ALGORITHMS, KeyRing, KeyRingAlgorithm,
  KeyRingError, KeyRingV2, parseKeyRing, publicJwks, serializeKeyRing,
} from '../key-ring';
import { isNamed, moveCurrentTo, putAsCurrent, removeStage, stagesOf } from './labels';
import {
  adoptable, buildSuccessor, CANDIDATE_STAGE, candidateVersionId, checkSuccessor, liveVersionId, newProposal, proposalFor, ringAlgorithm,
  SuccessorError, SuccessorFailureCode,
} from './successor';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = typeof ROTATION_STEPS[number];

export const GRACE_PERIOD_ENV = 'GRACE_PERIOD_SECONDS';
export const MAX_TOKEN_LIFETIME_ENV = 'MAX_TOKEN_LIFETIME_SECONDS';
/** HS256 (the default when unset), ES256 or EdDSA. */
export const KEY_ALGORITHM_ENV = 'KEY_ALGORITHM';

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
  | 'REPLICA_FAILED'
  | 'REPLICAS_NOT_IN_SYNC'
  | SuccessorFailureCode;

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
  /** One entry per replica Region; `status` as Secrets Manager reports it (InSync, InProgress, Failed). */
  readonly replicas?: ReadonlyArray<{ readonly region: string; readonly status: string }>;
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
  readonly maxTokenLifetimeSeconds: number;
  /** Unset: HS256, the only algorithm before the choice existed. */
  readonly algorithm?: KeyRingAlgorithm;
}

/**
 * Where an asymmetric ring's public keys go: one JWKS document, overwritten whole. Every write
 * holds the keys of the ring about to go live, which include every key the live ring accepts,
 * so concurrent or repeated writes of one rotation are the same document.
 */
export interface JwksPublisher {
  publish(jwksJson: string): Promise<void>;
}

export interface RotationDeps {
  readonly store: SecretStore;
  readonly now: () => Date;
  readonly logger: Logger;
  /** Required for ES256 and EdDSA rings. */
  readonly jwks?: JwksPublisher;
  /** Waits between replica status checks; a real timer by default. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Replica polling: at most this many checks, this far apart (inside the function's 30 s timeout). */
export const REPLICA_CHECKS = 20;
export const REPLICA_CHECK_INTERVAL_MS = 1000;

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

function positiveSeconds(env: Readonly<Record<string, string | undefined>>, name: string): number {
  const raw = env[name];
  if (raw === undefined || !/^[1-9][0-9]*$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new RotationError('INVALID_CONFIG', `${name} must be a positive integer number of seconds`);
  }
  return Number(raw);
}

/**
 * Reads the configuration from the function's environment. A missing or malformed value fails
 * every step: guessing one could retire keys while tokens signed with them are still live.
 */
export function loadRotationConfig(env: Readonly<Record<string, string | undefined>>): RotationConfig {
  const gracePeriodSeconds = positiveSeconds(env, GRACE_PERIOD_ENV);
  const maxTokenLifetimeSeconds = positiveSeconds(env, MAX_TOKEN_LIFETIME_ENV);
  if (maxTokenLifetimeSeconds > 86_400) {
    throw new RotationError('INVALID_CONFIG', `${MAX_TOKEN_LIFETIME_ENV} must be at most 86400 seconds`);
  }
  if (gracePeriodSeconds < maxTokenLifetimeSeconds) {
    throw new RotationError('INVALID_CONFIG', `${GRACE_PERIOD_ENV} must be at least ${MAX_TOKEN_LIFETIME_ENV}`);
  }
  const algorithm = env[KEY_ALGORITHM_ENV] as KeyRingAlgorithm | undefined;
  if (algorithm === undefined) return { gracePeriodSeconds, maxTokenLifetimeSeconds };
  if (!KEY_RING_ALGORITHMS.includes(algorithm)) {
    throw new RotationError('INVALID_CONFIG', `${KEY_ALGORITHM_ENV} must be one of ${KEY_RING_ALGORITHMS.join(', ')}`);
  }
  return { gracePeriodSeconds, maxTokenLifetimeSeconds, algorithm };
}

interface StepContext {
  readonly event: RotationEvent;
  readonly config: RotationConfig;
  readonly deps: RotationDeps;
}

async function readCurrent(ctx: StepContext): Promise<SecretVersionValue & { secretString: string }> {
  const current = await ctx.deps.store.getSecretValue(ctx.event.SecretId, { versionStage: AWSCURRENT });
  if (current?.secretString === undefined) {
    throw new RotationError('CURRENT_MISSING', `the ${AWSCURRENT} version has no SecretString`);
  }
  return { versionId: current.versionId, secretString: current.secretString };
}

/** The current ring, or undefined while the secret holds its bootstrap value. */
function parseBase(secretString: string): KeyRing | undefined {
  if (isBootstrapValue(secretString)) return undefined;
  try {
    return parseKeyRing(secretString);
  } catch (err) {
    if (err instanceof KeyRingError) {
      throw new RotationError('CURRENT_MALFORMED', `the ${AWSCURRENT} value is neither a bootstrap value nor a key ring (${err.reason})`);
    }
    throw err;
  }
}

/** What the token's own version holds: undefined while it is the empty version RotateSecret created. */
async function readTokenVersion(ctx: StepContext): Promise<string | undefined> {
  return (await ctx.deps.store.getSecretValue(ctx.event.SecretId, { versionId: ctx.event.ClientRequestToken }))?.secretString;
}

interface ProposalSource {
  readonly candidateVersionId: string;
  /** createSecret's proposal for this rotation of this ring. */
  readonly candidate?: string;
  /** The token's version: empty until finishSecret, unless an earlier release stored its proposal there. */
  readonly token?: string;
}

async function readProposalSource(ctx: StepContext, base: KeyRing | undefined): Promise<ProposalSource> {
  const id = candidateVersionId(ctx.event.ClientRequestToken, base, ringAlgorithm(base, ctx.config));
  const candidate = (await ctx.deps.store.getSecretValue(ctx.event.SecretId, { versionId: id }))?.secretString;
  return { candidateVersionId: id, candidate, token: await readTokenVersion(ctx) };
}

async function requireProposalSource(ctx: StepContext, base: KeyRing | undefined): Promise<ProposalSource> {
  const source = await readProposalSource(ctx, base);
  if (source.candidate === undefined && source.token === undefined) {
    throw new RotationError('PENDING_MISSING', `rotation ${ctx.event.ClientRequestToken} has no proposal: createSecret has not run for the current ring`);
  }
  return source;
}

function successorFailure(err: unknown): unknown {
  return err instanceof SuccessorError ? new RotationError(err.code, err.message.slice(err.code.length + 2)) : err;
}

/**
 * The ring that would go live now, checked: what testSecret proves and finishSecret re-proves
 * on the ring it writes. Built from AWSCURRENT as it is now, so a long pause between the steps
 * cannot shorten any key's life; the proposal contributes only its new key material, and only
 * when it is a proposal for this very current ring (anything else is ignored and fresh keys are
 * generated: a rotation always ends with new keys).
 */
interface Successor {
  readonly base: KeyRing | undefined;
  readonly ring: KeyRingV2;
  readonly source: ProposalSource;
  /** Whether the keys came from createSecret's candidate version (so every invocation builds the same keys). */
  readonly fromCandidate: boolean;
  readonly usedProposal: boolean;
}

async function successorNow(ctx: StepContext, current: SecretVersionValue & { secretString: string }): Promise<Successor> {
  const now = ctx.deps.now();
  const base = parseBase(current.secretString);
  try {
    const source = await requireProposalSource(ctx, base);
    const fromCandidate = proposalFor(source.candidate, base, ctx.config.algorithm);
    const proposal = fromCandidate ?? proposalFor(source.token, base, ctx.config.algorithm);
    const ring = buildSuccessor(base, proposal, now, ctx.config);
    checkSuccessor(base, ring, now, ctx.config);
    return { base, ring, source, fromCandidate: fromCandidate !== undefined, usedProposal: proposal !== undefined };
  } catch (err) {
    throw successorFailure(err);
  }
}

async function createSecret(ctx: StepContext): Promise<void> {
  const { store, logger, now } = ctx.deps;
  const { SecretId, ClientRequestToken } = ctx.event;
  const base = parseBase((await readCurrent(ctx)).secretString);
  let source: ProposalSource;
  let proposal;
  try {
    source = await readProposalSource(ctx, base);
    proposal = newProposal(base, now(), ringAlgorithm(base, ctx.config));
  } catch (err) {
    throw successorFailure(err);
  }
  // A retried createSecret keeps its proposal, so every later step uses the same keys.
  if (source.candidate !== undefined) {
    logger.info('proposal already stored; leaving it unchanged', { step: 'createSecret', versionId: ClientRequestToken, candidateVersionId: source.candidateVersionId });
    return;
  }
  if (source.token !== undefined) {
    // Secrets Manager creates this version empty; a value in it was written by someone else, or
    // by an earlier release of this function. It cannot be overwritten, so finishSecret will
    // write the live ring under the derived version instead (see finishSecret).
    logger.info('the token version already holds a value; the live ring will go to the derived version', {
      step: 'createSecret', versionId: ClientRequestToken, reason: 'TOKEN_VERSION_PREFILLED',
    });
  }
  try {
    await store.putSecretValue(SecretId, source.candidateVersionId, JSON.stringify(proposal), [CANDIDATE_STAGE]);
  } catch (err) {
    // A concurrent createSecret of the same rotation stored its proposal first.
    if (isNamed(err, 'ResourceExistsException') && (await readProposalSource(ctx, base)).candidate !== undefined) {
      logger.info('a concurrent invocation stored the proposal', { step: 'createSecret', versionId: ClientRequestToken });
      return;
    }
    throw err;
  }
  logger.info('proposal stored', {
    step: 'createSecret',
    versionId: ClientRequestToken,
    candidateVersionId: source.candidateVersionId,
    fromBootstrap: base === undefined,
    migratesVersion1: base?.version === 1,
    newKids: proposal.keys.map((k) => k.kid),
  });
}

async function setSecret(ctx: StepContext): Promise<void> {
  // An HMAC key ring has no external system to push the new key to.
  await requireProposalSource(ctx, parseBase((await readCurrent(ctx)).secretString));
  ctx.deps.logger.info('nothing to set for a key ring', { step: 'setSecret', versionId: ctx.event.ClientRequestToken });
}

async function testSecret(ctx: StepContext): Promise<void> {
  const { ring, usedProposal } = await successorNow(ctx, await readCurrent(ctx));
  ctx.deps.logger.info('successor ring verified', {
    step: 'testSecret', versionId: ctx.event.ClientRequestToken, usedProposal, currentKid: ring.current.kid, nextKid: ring.next.kid,
  });
}

/**
 * Returns once every replica Region reports InSync, so the rotation only ends when verifiers in
 * every Region read the new ring (and the last label move does not race replication). A
 * replica that failed, or that is still not in sync after the last check, fails the step; it is
 * retried and waits again.
 */
async function awaitReplicasInSync(ctx: StepContext): Promise<void> {
  const sleep = ctx.deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let check = 1; ; check++) {
    const replicas = (await ctx.deps.store.describeSecret(ctx.event.SecretId)).replicas ?? [];
    const failed = replicas.filter((r) => r.status === 'Failed').map((r) => r.region);
    if (failed.length > 0) throw new RotationError('REPLICA_FAILED', `replication failed to ${failed.join(', ')}`);
    const behind = replicas.filter((r) => r.status !== 'InSync').map((r) => r.region);
    if (behind.length === 0) return;
    if (check >= REPLICA_CHECKS) {
      throw new RotationError('REPLICAS_NOT_IN_SYNC', `replicas in ${behind.join(', ')} not in sync after ${REPLICA_CHECKS} checks; the step is retried`);
    }
    await sleep(REPLICA_CHECK_INTERVAL_MS);
  }
}

/**
 * The last calls of a rotation, as AWS's rotation template ends finishSecret: once the live ring
 * is current (and replicated), remove the proposal's label (so that version is deprecated like
 * any superseded one) and AWSPENDING from the token's version. AWSPENDING goes last: while it is
 * there, a re-run of finishSecret knows it has these calls left to make.
 */
async function cleanUp(ctx: StepContext): Promise<void> {
  await awaitReplicasInSync(ctx);
  const stages = (await ctx.deps.store.describeSecret(ctx.event.SecretId)).versionIdsToStages;
  // AWSPENDING still on the token means no later rotation has started (RotateSecret moves it), so
  // the candidate label, wherever it is, is this rotation's.
  if (!stagesOf(stages, ctx.event.ClientRequestToken)?.includes(AWSPENDING)) return;
  const holder = Object.keys(stages).find((id) => stages[id].includes(CANDIDATE_STAGE));
  if (holder !== undefined) await removeStage(ctx.deps.store, ctx.event.SecretId, CANDIDATE_STAGE, holder);
  await removeStage(ctx.deps.store, ctx.event.SecretId, AWSPENDING, ctx.event.ClientRequestToken);
}

type LiveTarget = { readonly versionId: string; readonly reason?: 'TOKEN_VERSION_PREFILLED' | 'TOKEN_VERSION_STALE' | 'NO_CANDIDATE' };

/**
 * Fills the token's own version with `ring` (labels unchanged: it keeps AWSPENDING, as the AWS
 * template's createSecret leaves it), or finds it already filled with the same ring by a
 * concurrent or crashed invocation of this step. Anything else in it (a value written before
 * this rotation's createSecret, or our ring written too long ago) cannot be overwritten: then the
 * ring goes to the derived version.
 */
async function fillTokenVersion(ctx: StepContext, successor: Successor): Promise<LiveTarget> {
  const { SecretId, ClientRequestToken } = ctx.event;
  const serialized = serializeKeyRing(successor.ring);
  // Read again right before writing: a concurrent invocation may have filled it since this one
  // built its ring, and then its ring is the one to promote.
  let held = successor.source.token ?? await readTokenVersion(ctx);
  if (held === undefined) {
    try {
      await ctx.deps.store.putSecretValue(SecretId, ClientRequestToken, serialized, [AWSPENDING]);
      return { versionId: ClientRequestToken };
    } catch (err) {
      // A concurrent finishSecret filled it first (Secrets Manager never overwrites a value).
      if (!isNamed(err, 'ResourceExistsException')) throw err;
      held = await readTokenVersion(ctx);
      if (held === undefined) throw err;
    }
  }
  if (held === serialized) return { versionId: ClientRequestToken };
  let ring: KeyRing | undefined;
  try {
    ring = parseKeyRing(held);
  } catch (err) {
    if (!(err instanceof KeyRingError)) throw err;
  }
  if (ring && adoptable(ring, successor.ring, successor.base, ctx.deps.now(), ctx.config)) return { versionId: ClientRequestToken };
  const ours = ring !== undefined && ring.current.kid === successor.ring.current.kid && ring.next?.kid === successor.ring.next.kid;
  return { versionId: liveVersionId(ClientRequestToken), reason: ours ? 'TOKEN_VERSION_STALE' : 'TOKEN_VERSION_PREFILLED' };
}

/**
 * Ends the rotation in the state AWS's rotation template leaves: the token's version holds the
 * live ring and is AWSCURRENT, the previous current version is AWSPREVIOUS, and AWSPENDING is
 * removed. The ring's expiries are decided here, when it goes live, which is why the token's
 * version stays empty until now (createSecret keeps its proposal in a version of its own).
 */
async function finishSecret(ctx: StepContext): Promise<void> {
  const { logger } = ctx.deps;
  const { ClientRequestToken } = ctx.event;
  const current = await readCurrent(ctx);
  // A concurrent finishSecret of this rotation may have made the ring live since this
  // invocation started: then there is nothing left to build.
  if (current.versionId !== ClientRequestToken && current.versionId !== liveVersionId(ClientRequestToken)) {
    const successor = await successorNow(ctx, current);
    const { ring } = successor;
    // Public keys first: verifiers hold the new next key (and still every key the live ring
    // accepts) before any issuer can read the ring that makes it current.
    await publishJwks(ctx, ring);
    // Keys generated in this invocation (no usable candidate) differ between invocations, so
    // they go where the first writer wins outright: the derived version, written current.
    const target: LiveTarget = successor.fromCandidate
      ? await fillTokenVersion(ctx, successor)
      : { versionId: liveVersionId(ClientRequestToken), reason: 'NO_CANDIDATE' };
    if (target.versionId === ClientRequestToken) {
      await moveCurrentTo(ctx.deps.store, ctx.event.SecretId, ClientRequestToken, current.versionId);
    } else {
      logger.info('the token version cannot take the live ring; writing it under the derived version', {
        step: 'finishSecret', versionId: ClientRequestToken, liveVersionId: target.versionId, reason: target.reason,
      });
      await putAsCurrent(ctx.deps.store, ctx.event.SecretId, target.versionId, serializeKeyRing(ring));
    }
    logger.info('live key ring written', {
      step: 'finishSecret',
      versionId: ClientRequestToken,
      liveVersionId: target.versionId,
      previousVersionId: current.versionId,
      currentKid: ring.current.kid,
      nextKid: ring.next.kid,
    });
  }
  await cleanUp(ctx);
  logger.info('rotation finished', { step: 'finishSecret', versionId: ClientRequestToken });
}

async function publishJwks(ctx: StepContext, ring: KeyRingV2): Promise<void> {
  if (ring.algorithm === KEY_RING_ALGORITHM) return;
  if (!ctx.deps.jwks) throw new RotationError('INVALID_CONFIG', `an ${ring.algorithm} ring needs a JWKS location`);
  const jwks = publicJwks(ring, ctx.deps.now());
  await ctx.deps.jwks.publish(JSON.stringify(jwks));
  ctx.deps.logger.info('public keys published', { step: 'finishSecret', versionId: ctx.event.ClientRequestToken, kids: jwks.keys.map((k) => k.kid) });
}

const STEPS: Record<RotationStep, (ctx: StepContext) => Promise<void>> = { createSecret, setSecret, testSecret, finishSecret };

/**
 * Runs one rotation step. Each step is idempotent and safe to run concurrently, because Secrets
 * Manager retries a failed step and re-runs a rotation that never finished with the same
 * ClientRequestToken.
 */
export async function rotate(rawEvent: unknown, env: Readonly<Record<string, string | undefined>>, deps: RotationDeps): Promise<void> {
  const fields: Record<string, unknown> = {};
  try {
    const event = parseRotationEvent(rawEvent);
    Object.assign(fields, { step: event.Step, secretId: event.SecretId, versionId: event.ClientRequestToken });
    const config = loadRotationConfig(env);
    const ctx: StepContext = { event, config, deps };

    const description = await deps.store.describeSecret(event.SecretId);
    if (!description.rotationEnabled) {
      throw new RotationError('ROTATION_NOT_ENABLED', 'rotation is not enabled on the secret');
    }
    const stages = description.versionIdsToStages;
    const tokenStages = stagesOf(stages, event.ClientRequestToken);
    // The rotation already finished: the token's own version is current, or the derived live
    // version exists (the fallback, and how earlier releases ended every rotation).
    if (stagesOf(stages, liveVersionId(event.ClientRequestToken)) !== undefined || tokenStages?.includes(AWSCURRENT)) {
      // A finishSecret interrupted before its last call leaves AWSPENDING behind; a re-run clears it.
      if (event.Step === 'finishSecret' && tokenStages?.includes(AWSPENDING)) {
        await cleanUp(ctx);
        deps.logger.info('rotation already finished; removed the leftover labels', fields);
      } else {
        deps.logger.info('rotation already finished; nothing to do', fields);
      }
      return;
    }
    if (tokenStages === undefined) {
      throw new RotationError('UNKNOWN_VERSION', 'ClientRequestToken is not a version of the secret');
    }
    if (!tokenStages.includes(AWSPENDING)) {
      throw new RotationError('VERSION_NOT_PENDING', `the version is not labelled ${AWSPENDING}`);
    }
    await STEPS[event.Step](ctx);
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
