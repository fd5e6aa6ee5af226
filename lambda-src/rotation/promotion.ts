/**
 * Reading the rotation's state from the store and building the ring that would go live now:
 * the current ring, createSecret's proposal, the successor ring checked against the current one,
 * and where finishSecret may write it (the token's version, or the derived one). Kept apart from
 * the steps so each step reads as the sequence of calls it makes.
 */
import { isBootstrapValue, KeyRing, KeyRingError, KeyRingV2, parseKeyRing, serializeKeyRing } from '../key-ring';
import { AWSCURRENT, AWSPENDING, RotationError, SecretVersionValue, StepContext } from './contract';
import { isNamed } from './labels';
import { adoptable, buildSuccessor, candidateVersionId, checkSuccessor, liveVersionId, proposalFor, ringAlgorithm, SuccessorError } from './successor';

export async function readCurrent(ctx: StepContext): Promise<SecretVersionValue & { secretString: string }> {
  const current = await ctx.deps.store.getSecretValue(ctx.event.SecretId, { versionStage: AWSCURRENT });
  if (current?.secretString === undefined) {
    throw new RotationError('CURRENT_MISSING', `the ${AWSCURRENT} version has no SecretString`);
  }
  return { versionId: current.versionId, secretString: current.secretString };
}

/** The current ring, or undefined while the secret holds its bootstrap value. */
export function parseBase(secretString: string): KeyRing | undefined {
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

export interface ProposalSource {
  readonly candidateVersionId: string;
  /** createSecret's proposal for this rotation of this ring. */
  readonly candidate?: string;
  /** The token's version: empty until finishSecret, unless an earlier release stored its proposal there. */
  readonly token?: string;
}

export async function readProposalSource(ctx: StepContext, base: KeyRing | undefined): Promise<ProposalSource> {
  const id = candidateVersionId(ctx.event.ClientRequestToken, base, ringAlgorithm(base, ctx.config));
  const candidate = (await ctx.deps.store.getSecretValue(ctx.event.SecretId, { versionId: id }))?.secretString;
  return { candidateVersionId: id, candidate, token: await readTokenVersion(ctx) };
}

export async function requireProposalSource(ctx: StepContext, base: KeyRing | undefined): Promise<ProposalSource> {
  const source = await readProposalSource(ctx, base);
  if (source.candidate === undefined && source.token === undefined) {
    throw new RotationError('PENDING_MISSING', `rotation ${ctx.event.ClientRequestToken} has no proposal: createSecret has not run for the current ring`);
  }
  return source;
}

export function successorFailure(err: unknown): unknown {
  return err instanceof SuccessorError ? new RotationError(err.code, err.message.slice(err.code.length + 2)) : err;
}

/**
 * The ring that would go live now, checked: what testSecret proves and finishSecret re-proves
 * on the ring it writes. Built from AWSCURRENT as it is now, so a long pause between the steps
 * cannot shorten any key's life; the proposal contributes only its new key material, and only
 * when it is a proposal for this very current ring (anything else is ignored and fresh keys are
 * generated: a rotation always ends with new keys).
 */
export interface Successor {
  readonly base: KeyRing | undefined;
  readonly ring: KeyRingV2;
  readonly source: ProposalSource;
  /** Whether the keys came from createSecret's candidate version (so every invocation builds the same keys). */
  readonly fromCandidate: boolean;
  readonly usedProposal: boolean;
}

export async function successorNow(ctx: StepContext, current: SecretVersionValue & { secretString: string }): Promise<Successor> {
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

export type LiveTarget = { readonly versionId: string; readonly reason?: 'TOKEN_VERSION_PREFILLED' | 'TOKEN_VERSION_STALE' | 'NO_CANDIDATE' };

/**
 * Fills the token's own version with `ring` (labels unchanged: it keeps AWSPENDING, as the AWS
 * template's createSecret leaves it), or finds it already filled with the same ring by a
 * concurrent or crashed invocation of this step. Anything else in it (a value written before
 * this rotation's createSecret, or our ring written too long ago) cannot be overwritten: then the
 * ring goes to the derived version.
 */
export async function fillTokenVersion(ctx: StepContext, successor: Successor): Promise<LiveTarget> {
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
