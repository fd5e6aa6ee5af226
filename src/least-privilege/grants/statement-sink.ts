import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { flattenForFinding } from '../../shared/nag-finding';

/** A cdk-nag finding the construct acknowledges on the policy that holds the statement. */
export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

/**
 * Where a typed grant puts its statements: the construct checks each one (least-privilege
 * rules, size, Sid) and packs it into a managed policy. `prop` names the prop the statement
 * came from in every error.
 */
export interface StatementSink {
  readonly scope: IConstruct;
  place(statement: iam.PolicyStatement, prop: string, acknowledgements?: Acknowledgement[]): void;
}

/**
 * The reason for `AwsSolutions-IAM5[Resource::*]`. One policy may hold several `Resource: '*'`
 * statements and cdk-nag names them all with the same finding id, so the reason covers every
 * one the construct can write: it rejects `*` for any action that has a resource type.
 */
export const WILDCARD_RESOURCE_REASON =
  'Every Resource "*" in this policy is on actions that have no resource type in the Service Authorization Reference, ' +
  'so IAM accepts only "*" for them: xray:PutTraceSegments and xray:PutTelemetryRecords (tracing), ' +
  'cloudwatch:PutMetricData (restricted by the cloudwatch:namespace condition key), ec2:Describe* (VPC functions). ' +
  'The construct rejects "*" on any action that can name its resources (LeastPrivilege-WildcardResource).';

/** `AwsSolutions-IAM5[Resource::<resource>]`, flattened the way cdk-nag names the finding. */
export function wildcardResourceFinding(scope: IConstruct, resource: string, reason: string): Acknowledgement {
  return { id: `AwsSolutions-IAM5[Resource::${flattenForFinding(scope, resource)}]`, reason };
}

/** Restricts use of a KMS key to requests that `service` makes on the function's behalf. */
export function viaService(scope: IConstruct, service: string): Record<string, string> {
  // kms:ViaService names the service endpoint as `<service>.<region>.amazonaws.com`.
  return { 'kms:ViaService': `${service}.${Stack.of(scope).region}.amazonaws.com` };
}

export function viaServiceStatement(scope: IConstruct, sid: string, actions: string[], keyArn: string, service: string): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions, resources: [keyArn], conditions: { StringEquals: viaService(scope, service) } });
}

/** `READ_WRITE` -> `ReadWrite`, for Sids. */
export function pascal(name: string): string {
  return name.toLowerCase().split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/** A value as an error message shows it. */
export function describe(value: unknown): string {
  if (value && typeof value === 'object' && 'name' in value) return JSON.stringify((value as { name: unknown }).name);
  return JSON.stringify(value) ?? String(value);
}
