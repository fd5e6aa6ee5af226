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
 *
 * Layout: contract.ts (types, error codes), config.ts (event and environment), promotion.ts
 * (successor ring and where it goes), replicas.ts (replica wait), steps.ts (the four steps); this
 * module runs one step.
 */
import { loadRotationConfig, parseRotationEvent } from './config';
import { AWSCURRENT, AWSPENDING, RotationDeps, RotationError, StepContext } from './contract';
import { stagesOf } from './labels';
import { cleanUp, STEPS } from './steps';
import { liveVersionId } from './successor';

// The handler's contract, re-exported so the adapter and the tests import one module.
export * from './contract';
export { loadRotationConfig, parseRotationEvent } from './config';
export { REPLICA_CHECK_INTERVAL_MS, REPLICA_CHECKS } from './replicas';

/**
 * Runs one rotation step. Each step is idempotent and safe to run concurrently, because Secrets
 * Manager retries a failed step and re-runs a rotation that never finished with the same
 * ClientRequestToken.
 *
 * Layout: contract.ts (types, error codes), config.ts (event and environment), promotion.ts
 * (successor ring and where it goes), replicas.ts (replica wait), steps.ts (the four steps); this
 * module runs one step.
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
