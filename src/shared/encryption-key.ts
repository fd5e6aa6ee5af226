import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * A customer-managed key with rotation on, retained on stack deletion (data encrypted under
 * it outlives the stack), and a 30-day deletion window. The key policy starts as aws-cdk-lib's
 * default (account root, so IAM policies decide) plus a deny of grants that are not for AWS
 * services; each construct adds service statements with conditions that tie them to its own resources.
 */
export function createEncryptionKey(scope: Construct, id: string, description: string): kms.Key {
  const key = new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    pendingWindow: Duration.days(30),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(denyGrantsNotForAwsServices());
  return key;
}

/**
 * Grants on this key may be created only by an AWS service integrated with KMS (for a resource
 * it manages) or by a service principal: nobody can hand a person or an outside account a grant
 * that bypasses the key policy (Control Tower CT.KMS.PR.3 / CT.KMS.PV.1). Both keys sit in one
 * `BoolIfExists` block, so the deny applies only when both are false, and also when a request
 * lacks them (the form CT.KMS.PR.3's rule requires).
 */
export function denyGrantsNotForAwsServices(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyGrantsNotForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
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
