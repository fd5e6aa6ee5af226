import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * A customer-managed key with rotation on, retained on stack deletion (data encrypted under
 * it outlives the stack), and a 30-day deletion window. The key policy starts as aws-cdk-lib's
 * default (account root, so IAM policies decide) and each construct adds service statements
 * with conditions that tie them to its own resources.
 */
export function createEncryptionKey(scope: Construct, id: string, description: string): kms.Key {
  return new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    pendingWindow: Duration.days(30),
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/**
 * Lets a CloudWatch Logs log group in this account and region use `key`, and only for
 * log groups whose ARN matches `logGroupName` (the encryption context CloudWatch Logs sends).
 */
export function allowLogGroupEncryption(key: kms.IKey, sid: string, logGroupName: string): void {
  const stack = Stack.of(key);
  const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      },
    },
  }));
  if (!statementAdded) {
    // An imported key's policy is not ours to change: say so at synth, not as a failed deploy.
    Annotations.of(key).addWarningV2('cdk-security-blocks:importedLogKey',
      `This key's policy must allow logs.${stack.region}.amazonaws.com to use it for log group ${logGroupName}; ` +
      'the construct cannot add that statement to an imported key.');
  }
}
