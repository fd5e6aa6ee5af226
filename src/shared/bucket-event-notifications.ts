import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Sends the bucket's object events to EventBridge, where they cost nothing unless a rule matches
 * (Control Tower CT.S3.PR.4). Set on the L1: the L2's `eventBridgeEnabled` deploys a
 * custom-resource Lambda to do it, and `addEventNotification` on the same bucket would replace
 * this configuration through that custom resource.
 */
export function sendEventsToEventBridge(bucket: s3.Bucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
}
