/**
 * The four rotation steps (createSecret, setSecret, testSecret, finishSecret) and finishSecret's
 * last calls. What each step stores, and why, is in core.ts's header; this module holds only the
 * sequence of store calls each step makes, over promotion.ts's ring building.
 */
import { KEY_RING_ALGORITHM, KeyRingV2, publicJwks, serializeKeyRing } from '../key-ring';
import { AWSPENDING, RotationError, RotationStep, StepContext } from './contract';
import { isNamed, moveCurrentTo, putAsCurrent, removeStage, stagesOf } from './labels';
import {
  fillTokenVersion, LiveTarget, parseBase, ProposalSource, readCurrent, readProposalSource, requireProposalSource, successorFailure, successorNow,
} from './promotion';
import { awaitReplicasInSync } from './replicas';
import { CANDIDATE_STAGE, liveVersionId, newProposal, ringAlgorithm } from './successor';

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
 * The last calls of a rotation, as AWS's rotation template ends finishSecret: once the live ring
 * is current (and replicated), remove the proposal's label (so that version is deprecated like
 * any superseded one) and AWSPENDING from the token's version. AWSPENDING goes last: while it is
 * there, a re-run of finishSecret knows it has these calls left to make.
 */
export async function cleanUp(ctx: StepContext): Promise<void> {
  await awaitReplicasInSync(ctx);
  const stages = (await ctx.deps.store.describeSecret(ctx.event.SecretId)).versionIdsToStages;
  // AWSPENDING still on the token means no later rotation has started (RotateSecret moves it), so
  // the candidate label, wherever it is, is this rotation's.
  if (!stagesOf(stages, ctx.event.ClientRequestToken)?.includes(AWSPENDING)) return;
  const holder = Object.keys(stages).find((id) => stages[id].includes(CANDIDATE_STAGE));
  if (holder !== undefined) await removeStage(ctx.deps.store, ctx.event.SecretId, CANDIDATE_STAGE, holder);
  await removeStage(ctx.deps.store, ctx.event.SecretId, AWSPENDING, ctx.event.ClientRequestToken);
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

export const STEPS: Record<RotationStep, (ctx: StepContext) => Promise<void>> = { createSecret, setSecret, testSecret, finishSecret };
