import { Fn, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { ValidationError } from '../shared/validation';

/**
 * Each replica needs its own customer-managed key in the replica's Region (a KMS key lives in
 * one Region, and this stack cannot create one elsewhere: `JwtSecretReplicaKey` does, in a stack
 * of that Region), a Region other than the stack's, and no Region twice.
 */
export function validateReplicaRegions(scope: IConstruct, replicas: readonly secretsmanager.ReplicaRegion[]): void {
  const stackRegion = Stack.of(scope).region;
  const seen = new Set<string>();
  replicas.forEach((replica, i) => {
    const prop = `replicaRegions[${i}]`;
    if (!replica.encryptionKey) {
      throw new ValidationError(scope, `${prop}.encryptionKey`, `must be a customer-managed KMS key in ${replica.region}: the replica holds the signing keys too`);
    }
    if (Token.isUnresolved(replica.region)) {
      throw new ValidationError(scope, `${prop}.region`, 'must be a literal Region name (the replica\'s ARN and key conditions are built from it)');
    }
    if (!Token.isUnresolved(stackRegion) && replica.region === stackRegion) {
      throw new ValidationError(scope, `${prop}.region`, `must differ from the stack's Region (${stackRegion}), got ${replica.region}`);
    }
    if (seen.has(replica.region)) throw new ValidationError(scope, `${prop}.region`, `lists ${replica.region} twice`);
    seen.add(replica.region);
    const keyRegion = replica.encryptionKey.env.region;
    if (!Token.isUnresolved(keyRegion) && keyRegion !== replica.region) {
      throw new ValidationError(scope, `${prop}.encryptionKey`, `must be a KMS key in ${replica.region} (a replica is encrypted in its own Region), got a key in ${keyRegion}`);
    }
  });
}

/** The replica's ARN: the primary's with the Region swapped (same account, name and suffix). */
export function replicaSecretArn(scope: IConstruct, secretArn: string, region: string): string {
  const stack = Stack.of(scope);
  return Fn.join(':', ['arn', stack.partition, 'secretsmanager', region, stack.account, 'secret', Fn.select(6, Fn.split(':', secretArn))]);
}

/** Use of a replica's key only through Secrets Manager in its Region, for that replica. */
export function replicaKeyUseConditions(replicaArn: string, region: string): Record<string, Record<string, unknown>> {
  return {
    StringEquals: {
      'kms:ViaService': `secretsmanager.${region}.amazonaws.com`,
      'kms:EncryptionContext:SecretARN': replicaArn,
    },
  };
}

/** Secrets Manager replicates each new version with the caller's identity: the rotation role encrypts for every replica. */
export function replicaWriteStatements(
  scope: IConstruct, secretArn: string, replicas: readonly secretsmanager.ReplicaRegion[],
): iam.PolicyStatement[] {
  return replicas.map((replica, i) => new iam.PolicyStatement({
    sid: `ReplicateToReplica${i}`,
    actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
    resources: [replica.encryptionKey!.keyArn],
    conditions: replicaKeyUseConditions(replicaSecretArn(scope, secretArn, replica.region), replica.region),
  }));
}

/** Decrypting each replica, through Secrets Manager in its Region only: what a verifier there needs. */
export function grantReplicaDecrypt(
  scope: IConstruct, grantee: iam.IGrantable, secretArn: string, replicas: readonly secretsmanager.ReplicaRegion[],
): iam.Grant[] {
  return replicas.map((replica) => iam.Grant.addToPrincipal({
    grantee,
    actions: ['kms:Decrypt'],
    resourceArns: [replica.encryptionKey!.keyArn],
    conditions: replicaKeyUseConditions(replicaSecretArn(scope, secretArn, replica.region), replica.region),
  }));
}
