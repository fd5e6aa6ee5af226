import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Sends `bucket`'s S3 server access logs to `accessLogsBucket` under `prefix`, through a bucket
 * policy for the S3 logging service tied to `bucket` by aws:SourceArn and this account. (The L2
 * `serverAccessLogsBucket` prop would switch the target to ACLs unless the app sets the
 * `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` flag, and ACLs are disabled here.)
 */
export function logServerAccess(bucket: s3.Bucket, accessLogsBucket: s3.Bucket, prefix: string, sid: string): void {
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
    destinationBucketName: accessLogsBucket.bucketName,
    logFilePrefix: prefix,
  };
  accessLogsBucket.addToResourcePolicy(new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [accessLogsBucket.arnForObjects(`${prefix}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': bucket.bucketArn },
      StringEquals: { 'aws:SourceAccount': Stack.of(bucket).account },
    },
  }));
}
