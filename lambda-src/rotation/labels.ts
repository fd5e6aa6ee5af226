/**
 * The Secrets Manager writes that end a rotation, each safe to repeat and to race: a call that
 * fails because a concurrent invocation of the same step already made it counts as done, after
 * a fresh DescribeSecret shows its effect. Any other failure is rethrown unchanged.
 */
import type { SecretStore } from './contract';

const AWSCURRENT = 'AWSCURRENT';

export function stagesOf(stages: Readonly<Record<string, readonly string[]>>, versionId: string): readonly string[] | undefined {
  return Object.prototype.hasOwnProperty.call(stages, versionId) ? stages[versionId] : undefined;
}

export function isNamed(err: unknown, name: string): boolean {
  return err instanceof Error && err.name === name;
}

async function stagesNow(store: SecretStore, secretId: string): Promise<Readonly<Record<string, readonly string[]>>> {
  return (await store.describeSecret(secretId)).versionIdsToStages;
}

/** Removes `stage` from `versionId` unless it is gone already. */
export async function removeStage(store: SecretStore, secretId: string, stage: string, versionId: string): Promise<void> {
  try {
    await store.updateSecretVersionStage(secretId, { versionStage: stage, removeFromVersionId: versionId });
  } catch (err) {
    if (stagesOf(await stagesNow(store, secretId), versionId)?.includes(stage)) throw err;
  }
}

/**
 * Moves AWSCURRENT from `fromVersionId` onto `versionId` (Secrets Manager moves AWSPREVIOUS to
 * `fromVersionId` with it), as AWS's rotation template's finish_secret does.
 */
export async function moveCurrentTo(store: SecretStore, secretId: string, versionId: string, fromVersionId: string): Promise<void> {
  try {
    await store.updateSecretVersionStage(secretId, { versionStage: AWSCURRENT, moveToVersionId: versionId, removeFromVersionId: fromVersionId });
  } catch (err) {
    if (!stagesOf(await stagesNow(store, secretId), versionId)?.includes(AWSCURRENT)) throw err;
  }
}

/** Writes `value` as the new version `versionId`, labelled AWSCURRENT in the same call. */
export async function putAsCurrent(store: SecretStore, secretId: string, versionId: string, value: string): Promise<void> {
  try {
    await store.putSecretValue(secretId, versionId, value, [AWSCURRENT]);
  } catch (err) {
    if (!(isNamed(err, 'ResourceExistsException') && stagesOf(await stagesNow(store, secretId), versionId) !== undefined)) throw err;
  }
}
