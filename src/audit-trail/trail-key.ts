/**
 * The audit trail key's policy: CloudTrail may use the key only for this trail and
 * CloudWatch Logs only for the trail's log group. (Grants are already limited to AWS services
 * by `createEncryptionKey`.)
 */
import { Annotations, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { allowLogGroupEncryption } from '../shared/encryption-key';

export function restrictKeyToTrail(key: kms.IKey, trailArn: string, trailName: string, logGroupName: string): void {
  const stack = Stack.of(key);
  const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
  const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudTrailToEncryptForThisTrail',
    principals: [cloudTrail],
    actions: ['kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: {
      // aws:SourceArn is always the trail's home-Region ARN and pins the statement to this
      // trail. The encryption context names the trail too; its Region is left open as in the
      // CloudTrail User Guide's policy, because a multi-Region trail encrypts in every Region.
      StringEquals: { 'aws:SourceArn': trailArn },
      StringLike: {
        'kms:EncryptionContext:aws:cloudtrail:arn': stack.formatArn({ service: 'cloudtrail', region: '*', resource: 'trail', resourceName: trailName }),
      },
    },
  }));
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudTrailToDescribeKeyForThisTrail',
    principals: [cloudTrail],
    actions: ['kms:DescribeKey'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
  }));
  if (!statementAdded) {
    Annotations.of(key).addWarningV2('cdk-security-blocks:importedTrailKey',
      `This key's policy must let cloudtrail.amazonaws.com call kms:GenerateDataKey* and kms:DescribeKey for trail ${trailArn} ` +
      '(aws:SourceArn), and deny kms:CreateGrant unless kms:GrantIsForAWSResource or aws:PrincipalIsAWSService is true; ' +
      'the construct cannot add statements to an imported key.');
  }
  allowLogGroupEncryption(key, 'AllowCloudWatchLogsForTheTrailLogGroup', logGroupName);
}
