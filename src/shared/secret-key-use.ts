import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Conditions that confine use of a secret's KMS key to Secrets Manager, for that one secret.
 * `kms:EncryptionContext:SecretARN` is single-valued, so plain StringEquals is the right
 * operator (a ForAnyValue set operator on it is what IAM Access Analyzer warns about).
 */
export function secretKeyUseConditions(scope: IConstruct, secretArn: string): Record<string, Record<string, unknown>> {
  return {
    StringEquals: {
      'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com`,
      'kms:EncryptionContext:SecretARN': secretArn,
    },
  };
}
