/**
 * The RotatingJwtSecret's bundled rotation function and exactly what its handler calls: the
 * four rotation steps on this secret, its key through Secrets Manager for this secret only, and
 * each replica's key in that replica's Region for that replica only.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { replicaWriteStatements } from './replicas';
import { BundledFunction } from '../bundled-function/bundled-function';
import { BundledFunctionOptions } from '../bundled-function/bundled-function-options';
import { acknowledge } from '../shared/acknowledge';
import { secretKeyUseConditions } from '../shared/secret-key-use';

export interface RotationFunctionProps {
  readonly gracePeriod: Duration;
  readonly maxTokenLifetime: Duration;
  /** The JWS algorithm, or undefined for HS256 (HS256 templates predate the choice). */
  readonly asymmetricAlgorithm?: string;
  readonly encryptionKey: kms.IKey;
  readonly options?: BundledFunctionOptions;
  readonly removalPolicy: RemovalPolicy;
  readonly reservedConcurrentExecutions?: number;
}

export function createRotationFunction(scope: Construct, props: RotationFunctionProps): BundledFunction {
  const rotation = new BundledFunction(scope, 'RotationFunction', {
    handler: 'rotation',
    description: 'Rotates the JWT signing key ring (createSecret, setSecret, testSecret, finishSecret)',
    environment: {
      GRACE_PERIOD_SECONDS: String(props.gracePeriod.toSeconds()),
      MAX_TOKEN_LIFETIME_SECONDS: String(props.maxTokenLifetime.toSeconds()),
      // Unset means HS256, so HS256 templates stay as they were before the choice existed.
      ...(props.asymmetricAlgorithm ? { KEY_ALGORITHM: props.asymmetricAlgorithm } : {}),
    },
    timeout: Duration.seconds(30),
    logEncryptionKey: props.encryptionKey,
    options: props.options,
    defaultRemovalPolicy: props.removalPolicy,
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    noDeadLetterQueueReason: 'Secrets Manager invokes the rotation function synchronously and records a failed step ' +
      'itself (the RotationFailed event, which this construct alarms on); a dead-letter queue only receives ' +
      'asynchronous invocations and would stay empty.',
  });
  if (props.reservedConcurrentExecutions === undefined) {
    for (const ruleId of ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency']) {
      acknowledge(rotation.function, ruleId,
        'Secrets Manager invokes the rotation function once per rotation step, one rotation of this secret at a time, ' +
        'and every step is safe to run concurrently, so a reservation limits nothing; reserving concurrency fails to ' +
        'deploy in accounts whose concurrency quota is still 10. Set reservedConcurrentExecutions to reserve some.');
    }
  }
  return rotation;
}

/** Exactly what the rotation handler calls, on this secret and its keys only. */
export function grantRotation(
  rotation: BundledFunction, secret: secretsmanager.ISecret, key: kms.IKey, replicas: readonly secretsmanager.ReplicaRegion[],
): void {
  rotation.permissions.addStatements(
    new iam.PolicyStatement({
      sid: 'RotateThisSecret',
      actions: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      resources: [secret.secretArn],
    }),
    new iam.PolicyStatement({
      sid: 'UseKeyThroughSecretsManagerForThisSecret',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: secretKeyUseConditions(rotation, secret.secretArn),
    }),
    ...replicaWriteStatements(rotation, secret.secretArn, replicas),
  );
}
