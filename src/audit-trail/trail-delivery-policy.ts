/**
 * The resource-policy statements a trail needs on its archive bucket and on the key that encrypts
 * its log files, derived in one place. The archive (`SecurityAuditArchive` or the trail's own
 * archive) adds them; a trail whose archive lives elsewhere names the same statements at synth.
 * Pure: it builds statements and touches no construct.
 */
import { Arn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Who delivers: one trail, in one account, maybe for a whole organization. */
export interface TrailDeliverer {
  /** The trail's ARN in its home Region (what CloudTrail sends as aws:SourceArn). */
  readonly trailArn: string;
  /** The trail's name (the KMS encryption context names it in every Region). */
  readonly trailName: string;
  /** The account that owns the trail (the management or delegated administrator account for an organization trail). */
  readonly trailAccount: string;
  /** With an organization trail: the organization whose member accounts' log files arrive under AWSLogs/<id>/. */
  readonly organizationId?: string;
}

const cloudTrail = () => new iam.ServicePrincipal('cloudtrail.amazonaws.com');

/** The trail's ARN in `region` of `account`, formatted in `stack` (the partition is the stack's). */
export function trailArnOf(stack: Stack, account: string, region: string, trailName: string): string {
  return Arn.format({ service: 'cloudtrail', account, region, resource: 'trail', resourceName: trailName }, stack);
}

/** The S3 key prefixes CloudTrail writes under: the trail account's, and the organization's. */
export function trailLogPrefixes(d: TrailDeliverer): string[] {
  return [`AWSLogs/${d.trailAccount}/*`, ...(d.organizationId ? [`AWSLogs/${d.organizationId}/*`] : [])];
}

/**
 * The archive bucket's statements: CloudTrail may read the bucket ACL and write log files
 * under the trail's prefixes, owner-enforced, and only for this trail (aws:SourceArn).
 */
export function trailBucketStatements(d: TrailDeliverer, bucketArn: string, objectsArn: (prefix: string) => string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'AWSCloudTrailAclCheck',
      principals: [cloudTrail()],
      actions: ['s3:GetBucketAcl'],
      resources: [bucketArn],
      conditions: { StringEquals: { 'aws:SourceArn': d.trailArn } },
    }),
    new iam.PolicyStatement({
      sid: 'AWSCloudTrailWrite',
      principals: [cloudTrail()],
      actions: ['s3:PutObject'],
      resources: trailLogPrefixes(d).map(objectsArn),
      conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': d.trailArn } },
    }),
  ];
}

/**
 * The log-file key's statements: CloudTrail may generate data keys for this trail only and
 * describe the key. aws:SourceArn is the trail's home-Region ARN; the encryption context names
 * the trail with its Region left open, as in the CloudTrail User Guide, because a multi-Region
 * trail encrypts in every Region.
 */
export function trailKeyStatements(stack: Stack, d: TrailDeliverer): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'AllowCloudTrailToEncryptForThisTrail',
      principals: [cloudTrail()],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceArn': d.trailArn },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailArnOf(stack, d.trailAccount, '*', d.trailName) },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowCloudTrailToDescribeKeyForThisTrail',
      principals: [cloudTrail()],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceArn': d.trailArn } },
    }),
  ];
}

/** `Sid (actions)` per statement, for a synth message that names what an archive must allow. */
export function describeStatements(statements: iam.PolicyStatement[]): string {
  return statements.map((s) => `${s.sid} (${s.actions.join(', ')})`).join(', ');
}
