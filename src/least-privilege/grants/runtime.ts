import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { StatementSink, WILDCARD_RESOURCE_REASON, wildcardResourceFinding } from './statement-sink';
import { flattenForFinding } from '../../shared/nag-finding';
import { ValidationError } from '../../shared/validation';

/** What the Lambda runtime calls for tracing; the only actions granted on `*` besides ec2:Describe*. */
export const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

/** CreateLogStream and PutLogEvents on the streams of the function's own log group only. */
export function grantOwnLogGroup(sink: StatementSink, logGroupName: string): void {
  const logStreams = Stack.of(sink.scope).formatArn({
    service: 'logs', resource: 'log-group', resourceName: `${logGroupName}:log-stream:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  sink.place(new iam.PolicyStatement({
    sid: 'WriteOwnLogGroup',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logStreams],
  }), 'logGroup', [wildcardResourceFinding(sink.scope, logStreams,
    'Lambda names its log streams at run time, so the stream part of the ARN cannot be known at deploy time; ' +
    'the wildcard is confined to streams of this function\'s own log group.')]);
}

export function grantTracing(sink: StatementSink): void {
  sink.place(new iam.PolicyStatement({ sid: 'SendXRayTraces', actions: XRAY_ACTIONS, resources: ['*'] }), 'tracing', [{
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: WILDCARD_RESOURCE_REASON,
  }]);
}

/**
 * Lambda creates and deletes the network interfaces of a VPC function with the execution
 * role (what AWSLambdaVPCAccessExecutionRole grants), checked when the function is created.
 */
export function grantNetworkInterfaces(sink: StatementSink, cfnFunction: lambda.CfnFunction | undefined): void {
  const stack = Stack.of(sink.scope);
  const vpcConfig = cfnFunction?.vpcConfig as lambda.CfnFunction.VpcConfigProperty | undefined;
  const ids = (value: unknown): string[] | undefined =>
    Array.isArray(value) && !Token.isUnresolved(value) ? value as string[] : undefined;
  const subnetIds = ids(vpcConfig?.subnetIds);
  const securityGroupIds = ids(vpcConfig?.securityGroupIds);
  const ec2Arn = (resource: string, resourceName: string) => stack.formatArn({ service: 'ec2', resource, resourceName });
  const resources = [
    ec2Arn('network-interface', '*'),
    ...(subnetIds ? subnetIds.map((s) => ec2Arn('subnet', s)) : [ec2Arn('subnet', '*')]),
    ...(securityGroupIds ? securityGroupIds.map((s) => ec2Arn('security-group', s)) : [ec2Arn('security-group', '*')]),
  ];
  const wildcardReason = 'Lambda creates the function\'s network interfaces at deploy and scaling time, so their ids ' +
    'cannot be known in advance; the wildcard is confined to network interfaces in this account and Region.';
  sink.place(new iam.PolicyStatement({
    sid: 'ManageVpcNetworkInterfaces',
    actions: ['ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:UnassignPrivateIpAddresses'],
    resources,
  }), 'function', resources.filter((r) => flattenForFinding(sink.scope, r).includes('*'))
    .map((r) => wildcardResourceFinding(sink.scope, r, wildcardReason)));
  sink.place(new iam.PolicyStatement({
    sid: 'DescribeVpcNetworkInterfaces',
    actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
    resources: ['*'],
  }), 'function', [{ id: 'AwsSolutions-IAM5[Resource::*]', reason: WILDCARD_RESOURCE_REASON }]);
}

/** cloudwatch:PutMetricData (no resource type) restricted to the named namespaces. */
export function grantPutMetricData(sink: StatementSink, namespaces: string[]): void {
  namespaces.forEach((namespace, i) => {
    if (Token.isUnresolved(namespace)) return;
    // CloudWatch reserves the AWS/ namespaces for AWS services and rejects PutMetricData into them.
    if (namespace.trim() === '' || namespace.startsWith('AWS/') || /[*?]/.test(namespace)) {
      throw new ValidationError(sink.scope, `metricNamespaces[${i}]`, `must be a custom namespace (not empty, not under AWS/, no * or ?), got ${JSON.stringify(namespace)}`);
    }
  });
  sink.place(new iam.PolicyStatement({
    sid: 'PutMetricData',
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': namespaces } },
  }), 'metricNamespaces', [{ id: 'AwsSolutions-IAM5[Resource::*]', reason: WILDCARD_RESOURCE_REASON }]);
}
