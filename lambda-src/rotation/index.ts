/**
 * Lambda entry of the key ring rotation function: adapts the Secrets Manager SDK to the
 * SecretStore that core.ts rotates over. All behaviour lives in core.ts.
 */
// The SDK is bundled into the asset at the pinned version, so it is a devDependency on purpose.
// eslint-disable-next-line import/no-extraneous-dependencies
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { jsonLogger, rotate, SecretStore } from './core';
import { s3JwksPublisher } from './jwks-publisher';

// Module scope: reused across warm invocations; default config honours AWS_ENDPOINT_URL_SECRETS_MANAGER.
const client = new SecretsManagerClient({});

const store: SecretStore = {
  async describeSecret(secretId) {
    const out = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return {
      rotationEnabled: out.RotationEnabled === true,
      versionIdsToStages: out.VersionIdsToStages ?? {},
      replicas: (out.ReplicationStatus ?? []).map((r) => ({ region: r.Region ?? '', status: r.Status ?? '' })),
    };
  },
  async getSecretValue(secretId, selector) {
    try {
      const out = await client.send(new GetSecretValueCommand({
        SecretId: secretId,
        VersionId: selector.versionId,
        VersionStage: selector.versionStage,
      }));
      return { versionId: out.VersionId ?? '', secretString: out.SecretString };
    } catch (err) {
      // Also what Secrets Manager answers for a version RotateSecret created but nobody filled yet.
      if (err instanceof Error && err.name === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  },
  async putSecretValue(secretId, clientRequestToken, secretString, versionStages) {
    await client.send(new PutSecretValueCommand({
      SecretId: secretId,
      ClientRequestToken: clientRequestToken,
      SecretString: secretString,
      VersionStages: [...versionStages],
    }));
  },
  async updateSecretVersionStage(secretId, move) {
    await client.send(new UpdateSecretVersionStageCommand({
      SecretId: secretId,
      VersionStage: move.versionStage,
      MoveToVersionId: move.moveToVersionId,
      RemoveFromVersionId: move.removeFromVersionId,
    }));
  },
};

export const handler = async (event: unknown): Promise<void> =>
  rotate(event, process.env, { store, jwks: s3JwksPublisher(process.env), now: () => new Date(), logger: jsonLogger });
