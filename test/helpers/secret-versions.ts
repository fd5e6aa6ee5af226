/**
 * Reading and replacing a secret's AWSCURRENT value in moto as Secrets Manager clients see it.
 * Both go by the label because moto (unlike Secrets Manager) answers an unlabelled
 * GetSecretValue with the version PutSecretValue last made current, not the one
 * UpdateSecretVersionStage moved AWSCURRENT to (which is where every rotation ends), and its
 * PutSecretValue with AWSCURRENT does not take the label off such a version.
 */
import { randomUUID } from 'crypto';
import {
  DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient, UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

/** The AWSCURRENT version, read by label as issuers and the rotation function read it. */
export async function readCurrentSecret(sm: SecretsManagerClient, secretId: string): Promise<{ versionId: string; secretString: string }> {
  const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
  return { versionId: out.VersionId!, secretString: out.SecretString! };
}

/** Version ids holding `stage`, from DescribeSecret. */
export async function versionsLabelled(sm: SecretsManagerClient, secretId: string, stage: string): Promise<string[]> {
  const stages = (await sm.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
  return Object.keys(stages).filter((id) => stages[id].includes(stage));
}

/**
 * Makes `secretString` the current value (a test rewriting the live ring): stored under a
 * label of its own first, then AWSCURRENT moved onto it, so exactly one version is current.
 */
export async function replaceCurrentSecret(sm: SecretsManagerClient, secretId: string, secretString: string): Promise<string> {
  const versionId = randomUUID();
  const { versionId: current } = await readCurrentSecret(sm, secretId);
  await sm.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: versionId, SecretString: secretString, VersionStages: ['TESTREWRITE'] }));
  await sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT', MoveToVersionId: versionId, RemoveFromVersionId: current }));
  await sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'TESTREWRITE', RemoveFromVersionId: versionId }));
  return versionId;
}
