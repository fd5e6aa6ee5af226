import { CheckedStatement } from './identity-policy-statements';

/**
 * The LeastPrivilegeLambdaPolicies prop that grants what a statement grants (as aws-cdk-lib's
 * grant*() methods write it), so a finding can name the typed permission to use instead.
 * Matched on action names (and on the text before a pattern's `*`), first row wins.
 */
const TYPED_PERMISSIONS: ReadonlyArray<{ readonly actions: RegExp; readonly prop: string; readonly struct?: string }> = [
  { actions: /^s3:(GetObject|PutObject|DeleteObject|ListBucket|List|Abort)/i, prop: 'buckets', struct: 'BucketObjectsPermission' },
  { actions: /^events:PutEvents$/i, prop: 'eventBuses', struct: 'EventBusPermission' },
  { actions: /^ssm:GetParametersByPath$/i, prop: 'parameterPaths', struct: 'ParameterPathPermission' },
  { actions: /^ssm:GetParameter/i, prop: 'parameters', struct: 'ParameterPermission' },
  { actions: /^states:(StartExecution|DescribeExecution)$/i, prop: 'stateMachines', struct: 'StateMachinePermission' },
  { actions: /^kinesis:PutRecord/i, prop: 'streams' },
  { actions: /^firehose:PutRecord/i, prop: 'deliveryStreams' },
  { actions: /^cloudwatch:PutMetricData$/i, prop: 'metricNamespaces' },
  { actions: /^xray:(PutTraceSegments|PutTelemetryRecords)$/i, prop: 'tracing' },
  { actions: /^secretsmanager:(GetSecretValue|DescribeSecret)$/i, prop: 'secrets' },
  { actions: /^dynamodb:(BatchGetItem|BatchWriteItem|ConditionCheckItem|DeleteItem|GetItem|PutItem|Query|Scan|UpdateItem)$/i, prop: 'tables', struct: 'TablePermission' },
  { actions: /^sqs:(SendMessage|ReceiveMessage|DeleteMessage|ChangeMessageVisibility)/i, prop: 'queues', struct: 'QueuePermission' },
  { actions: /^sns:Publish$/i, prop: 'publishTopics' },
  { actions: /^logs:(CreateLogStream|PutLogEvents)$/i, prop: 'logGroup' },
  { actions: /^kms:(Encrypt|Decrypt|GenerateDataKey|ReEncrypt)/i, prop: 'keys', struct: 'KeyPermission' },
];

export interface TypedPermission {
  /** The LeastPrivilegeLambdaPolicies prop. */
  readonly prop: string;
  /** What to append to a finding's message. */
  readonly hint: string;
}

export function typedPermissionFor(statement: CheckedStatement): TypedPermission | undefined {
  for (const row of TYPED_PERMISSIONS) {
    if (!statement.actions.some((a) => row.actions.test(a))) continue;
    const what = row.struct ? `\`${row.prop}\` prop (${row.struct})` : `\`${row.prop}\` prop`;
    const keyNote = row.prop === 'keys' ? ' (a bucket\'s, table\'s, queue\'s, topic\'s or stream\'s own key comes with that resource\'s typed permission)' : '';
    return {
      prop: row.prop,
      hint: ` For a Lambda function, grant this through LeastPrivilegeLambdaPolicies' ${what}${keyNote} instead of a grant*() call: ` +
        'it writes the narrowest statement IAM allows and acknowledges the wildcards it cannot avoid.',
    };
  }
  return undefined;
}
