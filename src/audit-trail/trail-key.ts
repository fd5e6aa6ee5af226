/**
 * The audit trail key's policy: CloudTrail may use the key only for this trail and
 * CloudWatch Logs only for the trail's log group. (Grants are already limited to AWS services
 * by `createEncryptionKey`.)
 */
import { Annotations, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { TrailDeliverer, describeStatements, trailKeyStatements } from './trail-delivery-policy';
import { allowLogGroupEncryption } from '../shared/encryption-key';

/** Adds the trail's statements (trail-delivery-policy) to `key`, or says at synth that an imported key needs them. */
export function allowTrailToEncrypt(key: kms.IKey, deliverer: TrailDeliverer): void {
  const statements = trailKeyStatements(Stack.of(key), deliverer);
  const added = statements.map((s) => key.addToResourcePolicy(s).statementAdded);
  if (!added[0]) {
    Annotations.of(key).addWarningV2('cdk-security-blocks:importedTrailKey',
      `This key's policy must let cloudtrail.amazonaws.com call kms:GenerateDataKey* and kms:DescribeKey for trail ${deliverer.trailArn} ` +
      `(aws:SourceArn): ${describeStatements(statements)}; and deny kms:CreateGrant unless kms:GrantIsForAWSResource or ` +
      'aws:PrincipalIsAWSService is true. The construct cannot add statements to an imported key: create the key with ' +
      'SecurityAuditArchive (in the log-archive account), which adds exactly these statements, and pass `archive`.');
  }
}

export function restrictKeyToTrail(key: kms.IKey, deliverer: TrailDeliverer, logGroupName: string): void {
  allowTrailToEncrypt(key, deliverer);
  allowLogGroupEncryption(key, 'AllowCloudWatchLogsForTheTrailLogGroup', logGroupName);
}
