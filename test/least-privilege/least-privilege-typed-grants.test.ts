import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NagPack } from 'cdk-nag';
import { LeastPrivilegeChecker } from '../../src/least-privilege/least-privilege-checker';
import { LeastPrivilegeLambdaPolicies, LeastPrivilegeLambdaPoliciesProps } from '../../src/least-privilege/least-privilege-lambda-policies';
import { estimatedChars } from '../../src/least-privilege/policy-splitting';
import { expectSecureTemplate, testGates } from '../helpers/gates';
import { acknowledgements, expectNoUnacknowledgedFindings, nagFindings, nagV2Findings } from '../helpers/nag';
import { testStack } from '../helpers/stack';
import { userFunction } from '../helpers/user-function';
import { expectValidationError } from '../helpers/validation-error';

const PARTITION = { Ref: 'AWS::Partition' };

/** The snapshot of this file holds a Node 22 function. */
function fn(stack: Stack, id = 'Fn'): lambda.Function {
  return userFunction(stack, id, { runtime: lambda.Runtime.NODEJS_22_X });
}

function statements(template: Template): Array<Record<string, unknown>> {
  return Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
    .flatMap((r) => (r as { Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }).Properties.PolicyDocument.Statement);
}

function bySid(template: Template, sid: string): Record<string, unknown> {
  const found = statements(template).filter((s) => s.Sid === sid);
  expect(found).toHaveLength(1);
  return found[0];
}

function sids(template: Template): string[] {
  return statements(template).map((s) => s.Sid as string);
}

/** A function under the construct with `props`; returns what tests look at. */
function grant(props: (stack: Stack) => Omit<LeastPrivilegeLambdaPoliciesProps, 'function'>) {
  const stack = testStack();
  const policies = new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), ...props(stack) });
  return { stack, policies, template: Template.fromStack(stack) };
}

const ref = (stack: Stack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as s3.CfnBucket);
const getAtt = (stack: Stack, c: { node: { defaultChild?: unknown } }, attr = 'Arn') => ({ 'Fn::GetAtt': [ref(stack, c), attr] });

describe('S3 objects', () => {
  function prefixGrant(bucketKeyEnabled: boolean) {
    let bucket!: s3.Bucket;
    let key!: kms.Key;
    const result = grant((stack) => {
      key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key, bucketKeyEnabled, enforceSSL: true });
      return { buckets: [{ bucket, keyPrefix: 'orders/', readObjects: true, writeObjects: true }] };
    });
    return { ...result, bucket, key };
  }

  test('a key prefix gets GetObject and PutObject on <bucket>/<prefix>*, nothing on the bucket itself', () => {
    const { stack, template, bucket } = prefixGrant(false);
    expect(bySid(template, 'AccessBucket0Objects')).toEqual({
      Sid: 'AccessBucket0Objects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: { 'Fn::Join': ['', [getAtt(stack, bucket), '/orders/*']] },
    });
  });

  test('listing is allowed only for the prefix, through the s3:prefix condition key', () => {
    const { stack, template, bucket } = prefixGrant(false);
    expect(bySid(template, 'ListBucket0Objects')).toEqual({
      Sid: 'ListBucket0Objects',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: getAtt(stack, bucket),
      Condition: { StringLike: { 's3:prefix': ['orders/*'] } },
    });
  });

  test('the bucket key is usable only through S3 and only for objects under the prefix', () => {
    const { stack, template, bucket, key } = prefixGrant(false);
    expect(bySid(template, 'UseBucket0Key')).toEqual({
      Sid: 'UseBucket0Key',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: getAtt(stack, key),
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [{ 'Fn::Join': ['', [getAtt(stack, bucket), '/orders/*']] }] },
      },
    });
  });

  test('with an S3 Bucket Key the encryption context is the bucket ARN, as S3 sends it', () => {
    const { stack, template, bucket } = prefixGrant(true);
    expect(bySid(template, 'UseBucket0Key').Condition).toMatchObject({
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [getAtt(stack, bucket)] },
    });
  });

  test('an imported bucket with a key allows both encryption contexts (its Bucket Key setting is unknown)', () => {
    const { template } = grant((stack) => ({
      buckets: [{
        bucket: s3.Bucket.fromBucketAttributes(stack, 'Imported', {
          bucketName: 'shared-data', encryptionKey: kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:us-east-1:123456789012:key/abc'),
        }),
        objectKeys: ['config.json'],
        readObjects: true,
      }],
    }));
    const context = (bySid(template, 'UseBucket0Key').Condition as Record<string, Record<string, unknown>>).StringLike['kms:EncryptionContext:aws:s3:arn'];
    expect(JSON.stringify(context)).toContain(':s3:::shared-data"');
    expect(JSON.stringify(context)).toContain(':s3:::shared-data/config.json"');
  });

  test('acknowledges exactly the prefix wildcard with a reason, and passes the four-pack gate', () => {
    const { stack, policies, bucket } = prefixGrant(false);
    const ack = acknowledgements(policies).find((a) => a.id.includes('/orders/*'));
    expect(ack).toEqual({
      path: 'TestStack/Policies/Policy',
      id: `AwsSolutions-IAM5[Resource::<${ref(stack, bucket)}.Arn>/orders/*]`,
      reason: expect.stringContaining('objects whose keys start with "orders/"'),
    });
    expectNoUnacknowledgedFindings(policies);
  });

  test('exact keys get exact object ARNs, no list and no acknowledgement', () => {
    let bucket!: s3.Bucket;
    const { stack, template, policies } = grant((s) => {
      bucket = new s3.Bucket(s, 'Bucket', { enforceSSL: true });
      return { buckets: [{ bucket, objectKeys: ['config/app.json', 'config/flags.json'], readObjects: true }] };
    });
    expect(bySid(template, 'AccessBucket0Objects')).toEqual({
      Sid: 'AccessBucket0Objects',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: [
        { 'Fn::Join': ['', [getAtt(stack, bucket), '/config/app.json']] },
        { 'Fn::Join': ['', [getAtt(stack, bucket), '/config/flags.json']] },
      ],
    });
    expect(sids(template)).not.toContain('ListBucket0Objects');
    expect(sids(template)).not.toContain('UseBucket0Key');
    expect(acknowledgements(policies).map((a) => a.id)).toEqual([expect.stringMatching(/log-stream:\*\]$/)]);
  });

  test('delete grants DeleteObject only and no key use; list on exact keys uses StringEquals', () => {
    const { template } = grant((stack) => ({
      buckets: [{ bucket: new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS }), objectKeys: ['a', 'b'], deleteObjects: true, listObjects: true }],
    }));
    expect(bySid(template, 'AccessBucket0Objects').Action).toBe('s3:DeleteObject');
    expect(bySid(template, 'ListBucket0Objects').Condition).toEqual({ StringEquals: { 's3:prefix': ['a', 'b'] } });
    expect(sids(template)).not.toContain('UseBucket0Key');
  });

  test('listObjects: false drops the list statement of a prefix read', () => {
    const { template } = grant((stack) => ({ buckets: [{ bucket: new s3.Bucket(stack, 'Bucket'), keyPrefix: 'in/', readObjects: true, listObjects: false }] }));
    expect(sids(template)).not.toContain('ListBucket0Objects');
  });

  test.each([
    ['neither objectKeys nor keyPrefix', {}, /buckets\[0\]\.objectKeys or keyPrefix must be given, and not both/],
    ['both objectKeys and keyPrefix', { objectKeys: ['a'], keyPrefix: 'b/' }, /buckets\[0\]\.objectKeys or keyPrefix must be given, and not both/],
    ['an empty prefix', { keyPrefix: '' }, /buckets\[0\]\.keyPrefix must not be empty: an empty prefix grants every object/],
    ['a wildcard in a key', { objectKeys: ['a/*'] }, /buckets\[0\]\.objectKeys\[0\] must not contain \* or \?/],
    ['a wildcard in the prefix', { keyPrefix: 'a?/' }, /buckets\[0\]\.keyPrefix must not contain \* or \?/],
    ['no key at all', { objectKeys: [] }, /buckets\[0\]\.objectKeys must name at least one key/],
  ])('rejects %s, naming the prop', (_name, options, message) => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    expect(() => new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), buckets: [{ bucket, readObjects: true, ...options }] })).toThrow(message);
  });

  test('rejects a permission that grants nothing', () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    expectValidationError(() => new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), buckets: [{ bucket, keyPrefix: 'a/' }] }),
      { path: 'TestStack/Policies', prop: 'buckets[0]', message: /^grants nothing: set readObjects, writeObjects, deleteObjects or listObjects/ });
  });
});

describe('EventBridge', () => {
  test('PutEvents on the exact bus ARN, with no condition when none is asked for', () => {
    let bus!: events.EventBus;
    const { stack, template } = grant((s) => {
      bus = new events.EventBus(s, 'Bus');
      return { eventBuses: [{ eventBus: bus }] };
    });
    expect(bySid(template, 'PutEventsToBus0')).toEqual({ Sid: 'PutEventsToBus0', Effect: 'Allow', Action: 'events:PutEvents', Resource: getAtt(stack, bus) });
  });

  test('sources and detail types are required of every entry, and must be present', () => {
    const { template } = grant((stack) => ({
      eventBuses: [{ eventBus: events.EventBus.fromEventBusName(stack, 'Default', 'default'), sources: ['com.example.orders'], detailTypes: ['OrderPlaced', 'OrderShipped'] }],
    }));
    expect(bySid(template, 'PutEventsToBus0')).toEqual({
      Sid: 'PutEventsToBus0',
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: { 'Fn::Join': ['', ['arn:', PARTITION, ':events:us-east-1:123456789012:event-bus/default']] },
      Condition: {
        'ForAllValues:StringEquals': { 'events:source': ['com.example.orders'], 'events:detail-type': ['OrderPlaced', 'OrderShipped'] },
        'Null': { 'events:source': 'false', 'events:detail-type': 'false' },
      },
    });
  });

  test('rejects an empty list of sources', () => {
    const stack = testStack();
    const eventBus = new events.EventBus(stack, 'Bus');
    expectValidationError(() => new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), eventBuses: [{ eventBus, sources: [] }] }),
      { path: 'TestStack/Policies', prop: 'eventBuses[0].sources', message: /^must list at least one non-empty value/ });
  });
});

describe('SSM Parameter Store', () => {
  test('a parameter is read by exact ARN, its key decrypted only through SSM for that parameter', () => {
    let parameter!: ssm.StringParameter;
    let key!: kms.Key;
    const { stack, template } = grant((s) => {
      parameter = new ssm.StringParameter(s, 'Param', { parameterName: '/orders/prod/endpoint', stringValue: 'x' });
      key = new kms.Key(s, 'Key', { enableKeyRotation: true });
      return { parameters: [{ parameter, encryptionKey: key }] };
    });
    expect(bySid(template, 'ReadParameter0')).toEqual({
      Sid: 'ReadParameter0', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: expect.anything(),
    });
    expect(JSON.stringify(bySid(template, 'ReadParameter0').Resource)).toContain(':ssm:us-east-1:123456789012:parameter');
    expect(JSON.stringify(bySid(template, 'ReadParameter0').Resource)).toContain(`{"Ref":"${ref(stack, parameter)}"}`);
    expect(bySid(template, 'DecryptParameter0')).toEqual({
      Sid: 'DecryptParameter0',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: getAtt(stack, key),
      Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com', 'kms:EncryptionContext:PARAMETER_ARN': bySid(template, 'ReadParameter0').Resource } },
    });
  });

  test('a path gets GetParametersByPath on the path and GetParameter(s) under it, the wildcard acknowledged', () => {
    const { template, policies } = grant((stack) => ({
      parameterPaths: [{ path: '/orders/prod', encryptionKey: kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:us-east-1:123456789012:key/abc') }],
    }));
    const arn = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', PARTITION, `:ssm:us-east-1:123456789012:parameter/orders/prod${suffix}`]] });
    expect(bySid(template, 'ReadParameterPath0')).toEqual({ Sid: 'ReadParameterPath0', Effect: 'Allow', Action: 'ssm:GetParametersByPath', Resource: arn('') });
    expect(bySid(template, 'ReadParametersUnderPath0')).toEqual({
      Sid: 'ReadParametersUnderPath0', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: arn('/*'),
    });
    expect(bySid(template, 'DecryptParameterPath0').Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': arn('/*') },
    });
    expect(acknowledgements(policies).map((a) => a.id)).toContain('AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:us-east-1:123456789012:parameter/orders/prod/*]');
    expectNoUnacknowledgedFindings(policies);
  });

  test.each(['orders', '/', '/orders/', '/orders/*'])('rejects the path %j', (path) => {
    const stack = testStack();
    expectValidationError(() => new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), parameterPaths: [{ path }] }),
      { path: 'TestStack/Policies', prop: 'parameterPaths[0].path', message: /^must be a parameter hierarchy like \/orders\/prod/ });
  });
});

describe('Step Functions', () => {
  function machine(stack: Stack): sfn.StateMachine {
    return new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
  }

  test('StartExecution on the exact state machine ARN, nothing on executions by default', () => {
    let m!: sfn.StateMachine;
    const { stack, template } = grant((s) => {
      m = machine(s);
      return { stateMachines: [{ stateMachine: m }] };
    });
    expect(bySid(template, 'StartStateMachine0')).toEqual({ Sid: 'StartStateMachine0', Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: ref(stack, m) } });
    expect(sids(template)).not.toContain('DescribeStateMachine0Executions');
  });

  test('readExecutionStatus adds DescribeExecution on this machine\'s executions, the wildcard acknowledged', () => {
    const { template, policies } = grant((stack) => ({
      stateMachines: [{ stateMachine: sfn.StateMachine.fromStateMachineName(stack, 'M', 'order-flow'), readExecutionStatus: true }],
    }));
    expect(bySid(template, 'DescribeStateMachine0Executions')).toEqual({
      Sid: 'DescribeStateMachine0Executions',
      Effect: 'Allow',
      Action: 'states:DescribeExecution',
      Resource: { 'Fn::Join': ['', ['arn:', PARTITION, ':states:us-east-1:123456789012:execution:order-flow:*']] },
    });
    expect(acknowledgements(policies).map((a) => a.id)).toContain('AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:us-east-1:123456789012:execution:order-flow:*]');
    expectNoUnacknowledgedFindings(policies);
  });
});

describe('Kinesis Data Streams and Firehose', () => {
  test('PutRecord(s) on the exact stream, its key only through Kinesis for that stream', () => {
    let stream!: kinesis.Stream;
    let key!: kms.Key;
    const { stack, template } = grant((s) => {
      key = new kms.Key(s, 'Key', { enableKeyRotation: true });
      stream = new kinesis.Stream(s, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key });
      return { streams: [stream] };
    });
    expect(bySid(template, 'PutRecordsToStream0')).toEqual({
      Sid: 'PutRecordsToStream0', Effect: 'Allow', Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Resource: getAtt(stack, stream),
    });
    expect(bySid(template, 'UseStream0Key')).toEqual({
      Sid: 'UseStream0Key',
      Effect: 'Allow',
      Action: 'kms:GenerateDataKey',
      Resource: getAtt(stack, key),
      Condition: { StringEquals: { 'kms:ViaService': 'kinesis.us-east-1.amazonaws.com', 'kms:EncryptionContext:aws:kinesis:arn': getAtt(stack, stream) } },
    });
  });

  test('PutRecord and PutRecordBatch on the exact delivery stream', () => {
    const { template } = grant((stack) => ({ deliveryStreams: [firehose.DeliveryStream.fromDeliveryStreamName(stack, 'D', 'clicks')] }));
    expect(bySid(template, 'PutRecordsToDeliveryStream0')).toEqual({
      Sid: 'PutRecordsToDeliveryStream0',
      Effect: 'Allow',
      Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
      Resource: { 'Fn::Join': ['', ['arn:', PARTITION, ':firehose:us-east-1:123456789012:deliverystream/clicks']] },
    });
  });
});

describe('CloudWatch metrics and X-Ray', () => {
  test('PutMetricData only into the named namespaces', () => {
    const { template } = grant(() => ({ metricNamespaces: ['Orders', 'Orders/Payments'] }));
    expect(bySid(template, 'PutMetricData')).toEqual({
      Sid: 'PutMetricData',
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': ['Orders', 'Orders/Payments'] } },
    });
  });

  test('X-Ray and PutMetricData in one policy share one Resource::* acknowledgement whose reason names both', () => {
    const { policies } = grant(() => ({ tracing: true, metricNamespaces: ['Orders'] }));
    const star = acknowledgements(policies).filter((a) => a.id === 'AwsSolutions-IAM5[Resource::*]');
    expect(star).toHaveLength(1);
    expect(star[0].reason).toMatch(/xray:PutTraceSegments.*cloudwatch:PutMetricData \(restricted by the cloudwatch:namespace condition key\)/);
    expectNoUnacknowledgedFindings(policies);
  });

  test.each(['AWS/Lambda', '', 'Orders*'])('rejects the namespace %j', (namespace) => {
    const stack = testStack();
    expectValidationError(() => new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), metricNamespaces: [namespace] }),
      { path: 'TestStack/Policies', prop: 'metricNamespaces[0]', message: /^must be a custom namespace/ });
  });
});

/** The "done when": S3 prefix read/write, EventBridge, SSM, Step Functions and Kinesis. */
function ordersFunction() {
  const stack = testStack();
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key, enforceSSL: true });
  const bus = new events.EventBus(stack, 'Bus');
  const parameter = new ssm.StringParameter(stack, 'Param', { parameterName: '/orders/prod/endpoint', stringValue: 'https://example.com' });
  const machine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
  const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key });
  const f = fn(stack);
  const policies = new LeastPrivilegeLambdaPolicies(stack, 'Policies', {
    function: f,
    buckets: [{ bucket, keyPrefix: 'orders/', readObjects: true, writeObjects: true }],
    eventBuses: [{ eventBus: bus, sources: ['com.example.orders'] }],
    parameters: [{ parameter }],
    parameterPaths: [{ path: '/orders/prod' }],
    stateMachines: [{ stateMachine: machine, readExecutionStatus: true }],
    streams: [stream],
  });
  return { stack, f, policies };
}

describe('a function granted S3 prefix read/write, EventBridge, SSM, Step Functions and Kinesis', () => {
  test('synthesizes with zero unacknowledged IAM5 findings in the whole stack (cdk-nag v3)', () => {
    const { stack } = ordersFunction();
    expect(nagFindings(stack).filter((f) => f.ruleId.startsWith('AwsSolutions-IAM5'))).toEqual([]);
  });

  test('synthesizes with zero unacknowledged IAM5 findings in the whole stack (cdk-nag v2)', () => {
    const { stack } = ordersFunction();
    expect(nagV2Findings(stack).filter((f) => f.ruleId.startsWith('AwsSolutions-IAM5'))).toEqual([]);
    // The same stack without suppressions has them: the v2 check above is not vacuous.
    expect(nagV2Findings(ordersFunction().stack, { ignoreSuppressions: true }).filter((f) => f.ruleId.startsWith('AwsSolutions-IAM5')).length).toBeGreaterThanOrEqual(4);
  });

  test('the construct acknowledges exactly its own wildcards, each with a reason', () => {
    const { stack, policies } = ordersFunction();
    const acks = acknowledgements(policies);
    const bucketArn = `<${stack.getLogicalId(stack.node.findChild('Bucket').node.defaultChild as s3.CfnBucket)}.Arn>`;
    const machineName = `<${stack.getLogicalId(stack.node.findChild('Machine').node.defaultChild as sfn.CfnStateMachine)}.Name>`;
    const logGroup = `/aws/lambda/<${stack.getLogicalId(stack.node.findChild('Fn').node.defaultChild as lambda.CfnFunction)}>`;
    expect(acks.map((a) => a.id).sort()).toEqual([
      `AwsSolutions-IAM5[Resource::${bucketArn}/orders/*]`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:us-east-1:123456789012:log-group:${logGroup}:log-stream:*]`,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:us-east-1:123456789012:parameter/orders/prod/*]',
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:us-east-1:123456789012:execution:${machineName}:*]`,
    ].sort());
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(40);
  });

  test('every acknowledgement names a finding that fires on that policy without it', () => {
    const { policies } = ordersFunction();
    const spy = jest.spyOn(NagPack.prototype as unknown as { isAcknowledged: () => boolean }, 'isAcknowledged').mockReturnValue(false);
    const raw = nagFindings(policies);
    spy.mockRestore();
    const acks = acknowledgements(policies);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(raw.filter((f) => f.ruleId === ack.id && f.path.startsWith(`${ack.path}/`)).map((f) => f.pack)).toEqual(['AwsSolutions']);
    }
  });

  test('passes the least-privilege checker on the stack', () => {
    expect(LeastPrivilegeChecker.check(ordersFunction().stack)).toEqual([]);
  });

  testGates(() => {
    const { stack, policies, f } = ordersFunction();
    return { stack, nagScopes: [policies, f.role!] };
  });
});

test('every typed grant at once (with keys, conditions, tracing and metrics) is cfn-lint clean and passes the four-pack gate', () => {
  const stack = testStack();
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const policies = new LeastPrivilegeLambdaPolicies(stack, 'Policies', {
    function: fn(stack),
    tracing: true,
    buckets: [
      { bucket: new s3.Bucket(stack, 'Bucket', { encryptionKey: key, bucketKeyEnabled: true, enforceSSL: true }), keyPrefix: 'in/', readObjects: true, deleteObjects: true },
      { bucket: s3.Bucket.fromBucketName(stack, 'Shared', 'shared-config'), objectKeys: ['app.json'], readObjects: true, listObjects: true },
    ],
    eventBuses: [{ eventBus: new events.EventBus(stack, 'Bus'), sources: ['com.example'], detailTypes: ['Done'] }],
    parameters: [{ parameter: ssm.StringParameter.fromStringParameterName(stack, 'P', '/app/flag'), encryptionKey: key }],
    parameterPaths: [{ path: '/app/prod', encryptionKey: key }],
    stateMachines: [{ stateMachine: sfn.StateMachine.fromStateMachineName(stack, 'M', 'flow'), readExecutionStatus: true }],
    streams: [new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key })],
    deliveryStreams: [firehose.DeliveryStream.fromDeliveryStreamName(stack, 'D', 'clicks')],
    metricNamespaces: ['App'],
  });
  expectSecureTemplate({ stack, nagScopes: [policies] });
  expect(LeastPrivilegeChecker.check(stack)).toEqual([]);
});

/**
 * The longest value each reference can deploy to, from each service's naming limits: S3 bucket
 * names 63 characters, KMS key ids 36 (multi-Region `mrk-` ids included), Kinesis stream names
 * 128, the 64-character names aws-cdk-lib gives event buses and functions; anything else 256.
 */
const REGION_ACCOUNT = 'ap-southeast-5:123456789012';
const WORST_CASE: Record<string, Record<string, string>> = {
  'AWS::S3::Bucket': { Arn: `arn:aws-us-gov:s3:::${'b'.repeat(63)}`, Ref: 'b'.repeat(63) },
  'AWS::KMS::Key': { Arn: `arn:aws-us-gov:kms:${REGION_ACCOUNT}:key/mrk-0123456789abcdef0123456789abcdef` },
  'AWS::Kinesis::Stream': { Arn: `arn:aws-us-gov:kinesis:${REGION_ACCOUNT}:stream/${'s'.repeat(128)}` },
  'AWS::Events::EventBus': { Arn: `arn:aws-us-gov:events:${REGION_ACCOUNT}:event-bus/${'e'.repeat(64)}` },
  'AWS::Lambda::Function': { Ref: 'f'.repeat(64) },
};

/** A policy document as IAM would store it, every reference at its longest. */
function deployed(node: unknown, types: Record<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => deployed(n, types));
  if (!node || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  if (obj.Ref === 'AWS::Partition') return 'aws-us-gov';
  if (typeof obj.Ref === 'string') return WORST_CASE[types[obj.Ref]]?.Ref ?? 'x'.repeat(256);
  if (Array.isArray(obj['Fn::GetAtt'])) {
    const [id, attribute] = obj['Fn::GetAtt'] as [string, string];
    return WORST_CASE[types[id]]?.[attribute] ?? 'x'.repeat(256);
  }
  if (obj['Fn::Join']) {
    const [delimiter, parts] = obj['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => deployed(p, types) as string).join(delimiter);
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, deployed(v, types)]));
}

describe('policy-size split with many typed grants', () => {
  test('50 mixed grants are packed into several managed policies, each under 6,144 characters, with no unacknowledged finding', () => {
    const stack = testStack();
    const props: Omit<LeastPrivilegeLambdaPoliciesProps, 'function'> = {
      buckets: Array.from({ length: 10 }, (_, i) => ({ bucket: new s3.Bucket(stack, `Bucket${i}`, { encryption: s3.BucketEncryption.KMS, enforceSSL: true }), keyPrefix: `tenant-${i}/`, readObjects: true, writeObjects: true })),
      eventBuses: Array.from({ length: 10 }, (_, i) => ({ eventBus: new events.EventBus(stack, `Bus${i}`), sources: [`com.example.s${i}`] })),
      parameterPaths: Array.from({ length: 10 }, (_, i) => ({ path: `/app/service-${i}` })),
      stateMachines: Array.from({ length: 10 }, (_, i) => ({ stateMachine: sfn.StateMachine.fromStateMachineName(stack, `M${i}`, `flow-${i}`), readExecutionStatus: true })),
      streams: Array.from({ length: 10 }, (_, i) => new kinesis.Stream(stack, `Stream${i}`)),
    };
    const policies = new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), ...props });
    expect(policies.policies.length).toBeGreaterThan(1);
    const template = Template.fromStack(stack);
    const docs = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).map((r) => (r as { Properties: { PolicyDocument: unknown } }).Properties.PolicyDocument);
    expect(docs).toHaveLength(policies.policies.length);
    const types = Object.fromEntries(Object.entries(template.toJSON().Resources as Record<string, { Type: string }>).map(([id, r]) => [id, r.Type]));
    for (const doc of docs) expect(JSON.stringify(deployed(doc, types)).replace(/\s/g, '').length).toBeLessThanOrEqual(6144);
    expectNoUnacknowledgedFindings(policies);
    // Every prefix, path and execution wildcard is acknowledged on the policy that holds it.
    const acks = acknowledgements(policies);
    for (const path of acks.map((a) => a.path)) expect(path).toMatch(/^TestStack\/Policies\/Policy\d*$/);
    expect(acks.filter((a) => a.id.includes('/tenant-'))).toHaveLength(10);
  });
});

test('a typed grant and a statements entry for the same service live side by side', () => {
  const stack = testStack();
  const bucket = new s3.Bucket(stack, 'Bucket');
  const policies = new LeastPrivilegeLambdaPolicies(stack, 'Policies', {
    function: fn(stack),
    buckets: [{ bucket, objectKeys: ['a.json'], readObjects: true }],
    statements: [new iam.PolicyStatement({ sid: 'TagObject', actions: ['s3:PutObjectTagging'], resources: [bucket.arnForObjects('a.json')] })],
  });
  const template = Template.fromStack(stack);
  expect(sids(template)).toEqual(expect.arrayContaining(['AccessBucket0Objects', 'TagObject']));
  expectNoUnacknowledgedFindings(policies);
});

test('the size estimate counts a reference at its longest deployed value: bounded for buckets and keys, 256 otherwise', () => {
  const stack = testStack();
  const bucket = new s3.Bucket(stack, 'Bucket');
  const key = new kms.Key(stack, 'Key');
  const bus = new events.EventBus(stack, 'Bus');
  const quoted = (n: number) => n + 2;
  expect(estimatedChars(stack, bucket.bucketArn)).toBe(quoted('arn:aws-us-gov:s3:::'.length + 63));
  expect(estimatedChars(stack, bucket.bucketName)).toBe(quoted(63));
  expect(estimatedChars(stack, key.keyArn)).toBe(quoted('arn:aws-us-gov:kms:ap-southeast-5xx:123456789012:key/'.length + 36));
  expect(estimatedChars(stack, bus.eventBusArn)).toBe(quoted(256));
  // A bucket created after the first estimate is still found.
  const later = new s3.Bucket(stack, 'Later');
  expect(estimatedChars(stack, later.bucketArn)).toBe(quoted('arn:aws-us-gov:s3:::'.length + 63));
});
