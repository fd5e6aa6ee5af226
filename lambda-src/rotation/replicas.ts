/**
 * The wait for replica Regions before a rotation ends. Its own module because it is the one
 * place a step polls and sleeps, with its own limits and error codes.
 */
import { RotationError, StepContext } from './contract';

/** Replica polling: at most this many checks, this far apart (inside the function's 30 s timeout). */
export const REPLICA_CHECKS = 20;
export const REPLICA_CHECK_INTERVAL_MS = 1000;

/**
 * Returns once every replica Region reports InSync, so the rotation only ends when verifiers in
 * every Region read the new ring (and the last label move does not race replication). A
 * replica that failed, or that is still not in sync after the last check, fails the step; it is
 * retried and waits again.
 */
export async function awaitReplicasInSync(ctx: StepContext): Promise<void> {
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
