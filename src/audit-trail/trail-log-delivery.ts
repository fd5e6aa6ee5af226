/**
 * Delivery of the trail to CloudWatch Logs: an encrypted log group and a role CloudTrail
 * assumes to write the trail's streams there, and nowhere else.
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../shared/acknowledge';
import { flattenForFinding } from '../shared/nag-finding';

export interface TrailLogDelivery {
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  readonly policy: iam.ManagedPolicy;
}

export function createTrailLogDelivery(scope: Construct, options: {
  trailName: string; logGroupName: string; retention: logs.RetentionDays; encryptionKey: kms.IKey; organizationId?: string;
}): TrailLogDelivery {
  const { trailName, logGroupName, organizationId } = options;
  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    logGroupName,
    retention: options.retention,
    encryptionKey: options.encryptionKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new iam.Role(scope, 'CloudWatchLogsRole', {
    description: `CloudTrail delivers trail ${trailName} to log group ${logGroupName}`,
    // No aws:SourceArn / aws:SourceAccount condition: CloudTrail does not support them for the
    // CloudWatch Logs role (CloudTrail User Guide, "Role policy document for CloudTrail to use
    // CloudWatch Logs for monitoring"), and a condition would make delivery fail. The role's
    // only permission is writing the trail's streams in the trail's own log group.
    assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com'),
  });
  const stack = Stack.of(scope);
  const streamArn = (streamPrefix: string) => stack.formatArn({
    service: 'logs', resource: 'log-group', resourceName: `${logGroupName}:log-stream:${streamPrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const streams = [streamArn(`${stack.account}_CloudTrail_`), ...(organizationId ? [streamArn(`${organizationId}_`)] : [])];
  const policy = new iam.ManagedPolicy(scope, 'CloudWatchLogsPolicy', {
    description: 'CloudTrail writes the trail to its own log group, and nothing else',
    roles: [role],
    statements: [new iam.PolicyStatement({
      sid: 'WriteTrailLogStreams',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: streams,
    })],
  });
  for (const stream of streams) {
    acknowledge(policy.node.defaultChild!, `AwsSolutions-IAM5[Resource::${flattenForFinding(scope, stream)}]`,
      'CloudTrail names its log streams itself (<account>_CloudTrail_<region>, and <organization id>_... for an ' +
      'organization trail), so the stream part of the ARN ends in a wildcard, as in the CloudTrail User Guide\'s ' +
      'role policy; it is confined to the ' +
      'trail\'s streams in the trail\'s own log group.');
  }
  return { logGroup, role, policy };
}
