import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * Every Secrets Manager action that can change which key ring is live, or remove the rule that
 * says who may: a new value (PutSecretValue, UpdateSecret with SecretString), a different
 * current version (UpdateSecretVersionStage), a rotation switched off (CancelRotateSecret), a
 * replica cut loose to become a writable secret of its own (StopReplicationToReplica), and the
 * resource policy itself (PutResourcePolicy, DeleteResourcePolicy).
 */
export const KEY_MATERIAL_WRITE_ACTIONS = [
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecret',
  'secretsmanager:UpdateSecretVersionStage',
  'secretsmanager:CancelRotateSecret',
  'secretsmanager:StopReplicationToReplica',
  'secretsmanager:PutResourcePolicy',
  'secretsmanager:DeleteResourcePolicy',
];

/**
 * CloudFormation makes every resource operation with a forward access session, so requests it
 * makes for a stack update carry `aws:CalledVia` = cloudformation.amazonaws.com whether or not
 * the stack has a service role. Exempting that keeps stack updates of the secret, its policy and
 * its rotation schedule working. A principal can only use it through a stack operation that its
 * own IAM policies allow, and stack operations are logged and reviewable.
 */
export const CLOUDFORMATION_EXEMPTION = { 'ForAllValues:StringNotEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } };

/**
 * Only the rotation function may write key material: a principal that can put a value or move a
 * stage could otherwise plant a signing key of its choosing, and one that can point rotation at
 * another function could have that function do it.
 */
export function lockKeyMaterial(secret: secretsmanager.Secret, rotationRole: iam.IRole, rotationFunction: lambda.IFunction): void {
  secret.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'OnlyTheRotationFunctionWritesKeys',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: KEY_MATERIAL_WRITE_ACTIONS,
    resources: ['*'],
    conditions: { ArnNotEquals: { 'aws:PrincipalArn': rotationRole.roleArn }, ...CLOUDFORMATION_EXEMPTION },
  }));
  // RotateSecret without a function ARN ("rotate now") runs this construct's function and stays
  // open to operators; naming any other function is denied.
  secret.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'RotateOnlyWithTheRotationFunction',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['secretsmanager:RotateSecret'],
    resources: ['*'],
    conditions: {
      Null: { 'secretsmanager:RotationLambdaARN': 'false' },
      ArnNotEquals: { 'secretsmanager:RotationLambdaARN': rotationFunction.functionArn },
      ...CLOUDFORMATION_EXEMPTION,
    },
  }));
  // Secrets Manager then refuses any later policy change that would make the key ring public.
  const policy = secret.node.findChild('Policy').node.defaultChild as secretsmanager.CfnResourcePolicy;
  policy.blockPublicPolicy = true;
}
