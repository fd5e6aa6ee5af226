import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LeastPrivilegeChecker } from '../../src/least-privilege/least-privilege-checker';
import {
  KeyUse, LeastPrivilegeLambdaPolicies, QueueAccess, TableAccessLevel,
} from '../../src/least-privilege/least-privilege-lambda-policies';
import { testGates } from '../helpers/gates';
import { acknowledgements, expectNoUnacknowledgedFindings } from '../helpers/nag';
import { testStack } from '../helpers/stack';
import { userFunction } from '../helpers/user-function';
import { expectValidationError } from '../helpers/validation-error';

const LOG_STREAM_ACK = /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:logs:us-east-1:123456789012:log-group:.*:log-stream:\*\]$/;

/** The snapshots of this file hold a Node 22 function. */
function fn(stack: Stack, id = 'Fn', props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return userFunction(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, ...props });
}

function managedPolicyStatements(template: Template): Array<Record<string, unknown>> {
  return Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
    .flatMap((r) => (r as { Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }).Properties.PolicyDocument.Statement);
}

function statementBySid(template: Template, sid: string): Record<string, unknown> {
  const found = managedPolicyStatements(template).filter((s) => s.Sid === sid);
  expect(found).toHaveLength(1);
  return found[0];
}

function expectRoleWithoutPolicies(template: Template): void {
  for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
    const props = (role as { Properties: Record<string, unknown> }).Properties;
    expect(props.ManagedPolicyArns).toBeUndefined();
    expect(props.Policies).toBeUndefined();
  }
  template.resourceCountIs('AWS::IAM::Policy', 0);
}

/** Every resource the construct wrote, with everything it grants: the configuration used by most tests. */
function fullConfiguration() {
  const stack = testStack();
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const logGroup = new logs.LogGroup(stack, 'Logs', { logGroupName: '/aws/lambda/orders', retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key });
  const f = fn(stack, 'Fn', { role, logGroup, tracing: lambda.Tracing.ACTIVE });
  const secret = new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key });
  const table = new dynamodb.TableV2(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    encryption: dynamodb.TableEncryptionV2.customerManagedKey(key),
    globalSecondaryIndexes: [{ indexName: 'byCustomer', partitionKey: { name: 'customer', type: dynamodb.AttributeType.STRING } }],
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key, enforceSSL: true });
  const topic = new sns.Topic(stack, 'Topic', { masterKey: key, enforceSSL: true });
  const policies = new LeastPrivilegeLambdaPolicies(stack, 'Policies', {
    function: f,
    secrets: [secret],
    tables: [{ table, access: TableAccessLevel.READ_WRITE, indexNames: ['byCustomer'] }],
    keys: [{ key, use: KeyUse.ENCRYPT_DECRYPT }],
    queues: [{ queue, access: QueueAccess.SEND }],
    publishTopics: [topic],
  });
  return { stack, f, role, key, secret, table, queue, topic, policies, logGroup };
}

describe('LeastPrivilegeLambdaPolicies with a default-props function (CDK-created role)', () => {
  test('removes AWSLambdaBasicExecutionRole and leaves the role with no inline policy', () => {
    const stack = testStack();
    new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack) });
    expectRoleWithoutPolicies(Template.fromStack(stack));
  });

  test('writes only CreateLogStream and PutLogEvents, on the streams of /aws/lambda/<function name>', () => {
    const stack = testStack();
    const f = fn(stack);
    new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: f });
    const template = Template.fromStack(stack);
    expect(managedPolicyStatements(template)).toEqual([{
      Sid: 'WriteOwnLogGroup',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:/aws/lambda/', { Ref: stack.getLogicalId(f.node.defaultChild as lambda.CfnFunction) }, ':log-stream:*']],
      },
    }]);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: stack.getLogicalId(f.role!.node.defaultChild as iam.CfnRole) }],
    });
  });

  test('acknowledges only the log-stream wildcard, with its exact finding id', () => {
    const stack = testStack();
    const f = fn(stack);
    const policies = new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: f });
    const acks = acknowledgements(policies);
    expect(acks.map((a) => a.id)).toEqual([expect.stringMatching(LOG_STREAM_ACK)]);
    expect(acks[0].path).toBe('TestStack/Policies/Policy');
  });

  testGates(() => {
    const stack = testStack();
    const f = fn(stack);
    return { stack, nagScopes: [new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: f }), f.role!] };
  });
});

describe('LeastPrivilegeLambdaPolicies with every kind of grant', () => {
  test('uses the explicit log group and grants nothing on any other', () => {
    const { stack, logGroup } = fullConfiguration();
    expect(statementBySid(Template.fromStack(stack), 'WriteOwnLogGroup')).toEqual({
      Sid: 'WriteOwnLogGroup',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:', { Ref: stack.getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup) }, ':log-stream:*']] },
    });
  });

  test('with tracing on, X-Ray is the only Resource "*" and has the two trace actions only', () => {
    const { stack } = fullConfiguration();
    const template = Template.fromStack(stack);
    const wildcard = managedPolicyStatements(template).filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));
    expect(wildcard).toEqual([{ Sid: 'SendXRayTraces', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' }]);
  });

  test('reads the secret by exact ARN and decrypts its key only through Secrets Manager for that secret', () => {
    const { stack, secret, key } = fullConfiguration();
    const template = Template.fromStack(stack);
    const secretRef = { Ref: stack.getLogicalId(secret.node.defaultChild as secretsmanager.CfnSecret) };
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] };
    expect(statementBySid(template, 'ReadSecret0')).toEqual({
      Sid: 'ReadSecret0', Effect: 'Allow', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: secretRef,
    });
    expect(statementBySid(template, 'DecryptSecret0')).toEqual({
      Sid: 'DecryptSecret0',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: keyArn,
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com', 'kms:EncryptionContext:SecretARN': secretRef } },
    });
  });

  test('grants the table read-write without Scan, queries only the named index, and uses the table key through DynamoDB', () => {
    const { stack, table, key } = fullConfiguration();
    const template = Template.fromStack(stack);
    const tableArn = { 'Fn::GetAtt': [stack.getLogicalId(table.node.defaultChild as dynamodb.CfnGlobalTable), 'Arn'] };
    expect(statementBySid(template, 'ReadWriteTable0')).toEqual({
      Sid: 'ReadWriteTable0',
      Effect: 'Allow',
      Resource: tableArn,
      Action: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem',
        'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    });
    expect(statementBySid(template, 'QueryTable0Indexes')).toEqual({
      Sid: 'QueryTable0Indexes',
      Effect: 'Allow',
      Action: 'dynamodb:Query',
      Resource: { 'Fn::Join': ['', [tableArn, '/index/byCustomer']] },
    });
    expect(statementBySid(template, 'UseTable0Key')).toEqual({
      Sid: 'UseTable0Key',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' } },
    });
    expect(JSON.stringify(managedPolicyStatements(template))).not.toContain('dynamodb:Scan');
  });

  test('uses the key directly for the named use only', () => {
    const { stack, key } = fullConfiguration();
    expect(statementBySid(Template.fromStack(stack), 'EncryptDecryptWithKey0')).toEqual({
      Sid: 'EncryptDecryptWithKey0',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
    });
  });

  test('sends to the queue and publishes to the topic on their exact ARNs, with their keys through SQS and SNS', () => {
    const { stack, queue, topic } = fullConfiguration();
    const template = Template.fromStack(stack);
    expect(statementBySid(template, 'SendQueue0')).toEqual({
      Sid: 'SendQueue0',
      Effect: 'Allow',
      Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
      Resource: { 'Fn::GetAtt': [stack.getLogicalId(queue.node.defaultChild as sqs.CfnQueue), 'Arn'] },
    });
    expect(statementBySid(template, 'UseQueue0Key')).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' } },
    });
    expect(statementBySid(template, 'PublishToTopic0')).toEqual({
      Sid: 'PublishToTopic0', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) },
    });
    expect(statementBySid(template, 'UseTopic0Key')).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' } },
    });
  });

  test('consuming a queue grants receive, delete and visibility, and only Decrypt on its key', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key });
    new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), queues: [{ queue, access: QueueAccess.CONSUME }] });
    const template = Template.fromStack(stack);
    expect(statementBySid(template, 'ConsumeQueue0').Action).toEqual(
      ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage']);
    expect(statementBySid(template, 'UseQueue0Key').Action).toBe('kms:Decrypt');
  });

  test('Scan only when allowScan is set, on the table and its indexes', () => {
    const stack = testStack();
    const table = new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    new LeastPrivilegeLambdaPolicies(stack, 'Policies', {
      function: fn(stack), tables: [{ table, access: TableAccessLevel.READ, indexNames: ['a', 'b'], allowScan: true }],
    });
    const template = Template.fromStack(stack);
    expect(statementBySid(template, 'ReadTable0').Action).toEqual(
      ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan']);
    expect(statementBySid(template, 'QueryTable0Indexes')).toMatchObject({ Action: ['dynamodb:Query', 'dynamodb:Scan'], Resource: [expect.anything(), expect.anything()] });
  });

  test('write-only table access has no read action and no index', () => {
    const stack = testStack();
    const table = new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), tables: [{ table, access: TableAccessLevel.WRITE }] });
    expect(statementBySid(Template.fromStack(stack), 'WriteTable0').Action).toEqual(
      ['dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });

  test('allIndexes writes table/<name>/index/* and acknowledges exactly that finding', () => {
    const stack = testStack();
    const table = new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const policies = new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), tables: [{ table, access: TableAccessLevel.READ, allIndexes: true }] });
    expect(acknowledgements(policies).map((a) => a.id)).toContain(`AwsSolutions-IAM5[Resource::<${stack.getLogicalId(table.node.defaultChild as dynamodb.CfnGlobalTable)}.Arn>/index/*]`);
    expectNoUnacknowledgedFindings(policies);
  });

  test('the role ends with no AWS managed policy and no inline policy, though the L2 added one for tracing', () => {
    const { stack } = fullConfiguration();
    expectRoleWithoutPolicies(Template.fromStack(stack));
  });

  test('acknowledges only the log-stream and X-Ray findings', () => {
    const { policies } = fullConfiguration();
    const ids = acknowledgements(policies).map((a) => a.id).sort();
    expect(ids).toEqual(['AwsSolutions-IAM5[Resource::*]', expect.stringMatching(LOG_STREAM_ACK)]);
  });

  test('the checker stays silent on the whole stack', () => {
    const { stack } = fullConfiguration();
    expect(LeastPrivilegeChecker.check(stack)).toEqual([]);
  });

  testGates(() => {
    const { stack, policies, role } = fullConfiguration();
    return { stack, nagScopes: [policies, role] };
  });
});

describe('LeastPrivilegeLambdaPolicies with a function in a VPC', () => {
  function vpcConfiguration() {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const f = fn(stack, 'Fn', { vpc });
    const policies = new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: f });
    return { stack, f, policies };
  }

  test('replaces AWSLambdaVPCAccessExecutionRole with ENI statements on its own subnets and security group', () => {
    const { stack } = vpcConfiguration();
    const template = Template.fromStack(stack);
    expectRoleWithoutPolicies(template);
    const manage = statementBySid(template, 'ManageVpcNetworkInterfaces');
    expect(manage.Action).toEqual(['ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:UnassignPrivateIpAddresses']);
    const resources = JSON.stringify(manage.Resource);
    expect(resources).toContain(':network-interface/*');
    expect(resources).toContain(':subnet/');
    expect(resources).not.toContain(':subnet/*');
    expect(resources).not.toContain(':security-group/*');
    expect(statementBySid(template, 'DescribeVpcNetworkInterfaces')).toMatchObject({
      Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], Resource: '*',
    });
  });

  test('passes the least-privilege checker', () => {
    expect(LeastPrivilegeChecker.check(vpcConfiguration().stack)).toEqual([]);
  });

  testGates(() => {
    const { stack, policies, f } = vpcConfiguration();
    return { stack, nagScopes: [policies, f.role!] };
  });
});

describe('LeastPrivilegeLambdaPolicies inline DefaultPolicy handling', () => {
  test('moves statements granted before it into the managed policies', () => {
    const stack = testStack();
    const f = fn(stack);
    const table = new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    table.grantReadData(f);
    new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: f });
    const template = Template.fromStack(stack);
    expectRoleWithoutPolicies(template);
    expect(JSON.stringify(managedPolicyStatements(template))).toContain('dynamodb:GetItem');
  });

  test('fails synth, naming addStatements, when a grant is made on the function after it', () => {
    const stack = testStack();
    const f = fn(stack);
    new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: f });
    const table = new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    table.grantReadData(f);
    expectValidationError(() => Template.fromStack(stack),
      { path: 'TestStack/Policies', prop: 'addStatements', message: /^must be used .* \d+ statement\(s\) were added to its inline DefaultPolicy/ });
  });

  test('fails synth when the L2 had a DefaultPolicy (tracing) and a grant is added to it afterwards', () => {
    const stack = testStack();
    const f = fn(stack, 'Fn', { tracing: lambda.Tracing.ACTIVE });
    new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: f });
    f.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::bucket/key'] }));
    expectValidationError(() => Template.fromStack(stack),
      { path: 'TestStack/Policies', prop: 'addStatements', message: /^must be used .* 1 statement\(s\) were added to its inline DefaultPolicy/ });
  });

  test('takes a role and a log group without a function', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const logGroup = new logs.LogGroup(stack, 'Logs', { logGroupName: '/aws/lambda/x' });
    const policies = new LeastPrivilegeLambdaPolicies(stack, 'Policies', { role, logGroup });
    expect(policies.tracing).toBe(false);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: [Match.objectLike({ Sid: 'WriteOwnLogGroup' })] },
    });
  });
});

describe('LeastPrivilegeLambdaPolicies escape hatch and limits', () => {
  test('addStatements accepts an exact-ARN statement', () => {
    const stack = testStack();
    const policies = new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack) });
    policies.addStatements(new iam.PolicyStatement({ sid: 'ReadConfig', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::config-bucket/app.json'] }));
    expect(statementBySid(Template.fromStack(stack), 'ReadConfig')).toMatchObject({ Resource: 'arn:aws:s3:::config-bucket/app.json' });
  });

  test('addStatements rejects a raw "*" resource, naming the prop and the action', () => {
    const stack = testStack();
    const policies = new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack) });
    expectValidationError(() => policies.addStatements(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })),
      { path: 'TestStack/Policies', prop: 'addStatements[0]', message: /^is not least-privilege: LeastPrivilege-WildcardResource\[s3:GetObject\]/ });
  });

  test.each([
    ['a * action', new iam.PolicyStatement({ actions: ['*'], resources: ['arn:aws:s3:::b'] }), 'LeastPrivilege-WildcardAction\\[\\*\\]'],
    ['a service:* action', new iam.PolicyStatement({ actions: ['s3:*'], resources: ['arn:aws:s3:::b'] }), 'LeastPrivilege-WildcardAction\\[s3:\\*\\]'],
    ['NotAction', new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['arn:aws:s3:::b'] }), 'LeastPrivilege-NotAction'],
    ['NotResource', new iam.PolicyStatement({ actions: ['s3:GetObject'], notResources: ['arn:aws:s3:::b'] }), 'LeastPrivilege-NotResource'],
  ])('the statements prop rejects %s, naming statements[0]', (_name, statement, finding) => {
    const stack = testStack();
    expect(() => new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), statements: [statement] }))
      .toThrow(new RegExp(`statements\\[0\\] is not least-privilege: ${finding}`));
  });

  test('rejects an unknown table access level, naming tables[0].access', () => {
    const stack = testStack();
    const table = new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    expectValidationError(() => new LeastPrivilegeLambdaPolicies(stack, 'Policies', {
      function: fn(stack), tables: [{ table, access: 'ADMIN' as unknown as TableAccessLevel }],
    }),
    { path: 'TestStack/Policies', prop: 'tables[0].access', message: /^must be one of TableAccessLevel\.READ, TableAccessLevel\.WRITE, TableAccessLevel\.READ_WRITE, got "ADMIN"/ });
  });

  test('rejects unknown queue access and key use, naming the prop', () => {
    const stack = testStack();
    const queue = new sqs.Queue(stack, 'Queue');
    const key = new kms.Key(stack, 'Key');
    expectValidationError(() => new LeastPrivilegeLambdaPolicies(stack, 'P1', { function: fn(stack, 'F1'), queues: [{ queue, access: 'ALL' as unknown as QueueAccess }] }),
      { path: 'TestStack/P1', prop: 'queues[0].access', message: /^must be one of QueueAccess\.SEND, QueueAccess\.CONSUME/ });
    expectValidationError(() => new LeastPrivilegeLambdaPolicies(stack, 'P2', { function: fn(stack, 'F2'), keys: [{ key, use: 'ADMIN' as unknown as KeyUse }] }),
      { path: 'TestStack/P2', prop: 'keys[0].use', message: /^must be one of KeyUse\./ });
  });

  test('rejects index and Scan options on a write-only table', () => {
    const stack = testStack();
    const table = new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    expectValidationError(() => new LeastPrivilegeLambdaPolicies(stack, 'Policies', {
      function: fn(stack), tables: [{ table, access: TableAccessLevel.WRITE, allowScan: true }],
    }),
    { path: 'TestStack/Policies', prop: 'tables[0].allowScan', message: /^needs an access level that reads/ });
  });

  test('requires a function or a role, and a log group without a function', () => {
    const stack = testStack();
    expectValidationError(() => new LeastPrivilegeLambdaPolicies(stack, 'P1', {}),
      { path: 'TestStack/P1', prop: 'function', message: /^or role is required/ });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expectValidationError(() => new LeastPrivilegeLambdaPolicies(stack, 'P2', { role }),
      { path: 'TestStack/P2', prop: 'logGroup', message: /^is required when function is not given/ });
  });

  test('splits statements over several managed policies, each under 6,144 characters', () => {
    const stack = testStack();
    const tables = Array.from({ length: 30 }, (_, i) => ({
      table: new dynamodb.TableV2(stack, `Table${i}`, { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }),
      access: TableAccessLevel.READ_WRITE,
      indexNames: ['byCustomer', 'byDate'],
    }));
    const policies = new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), tables });
    expect(policies.policies.length).toBeGreaterThan(1);
    const template = Template.fromStack(stack);
    const docs = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .map((r) => (r as { Properties: { PolicyDocument: unknown } }).Properties.PolicyDocument);
    expect(docs).toHaveLength(policies.policies.length);
    // Deployed, each GetAtt is an ARN of about 100 characters, less than the 256 the estimate counts.
    for (const doc of docs) {
      expect(JSON.stringify(doc).replace(/\{"Fn::GetAtt":\["\w+","Arn"\]\}/g, `"${'x'.repeat(100)}"`).replace(/\s/g, '').length).toBeLessThanOrEqual(6144);
    }
    expect(managedPolicyStatements(template)).toHaveLength(1 + 30 * 2);
    expectRoleWithoutPolicies(template);
    expectNoUnacknowledgedFindings(policies);
  });

  test('more managed policies than the role may have is a ValidationError saying how many and why', () => {
    const stack = testStack();
    const tables = Array.from({ length: 200 }, (_, i) => ({
      table: new dynamodb.TableV2(stack, `Table${i}`, { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }),
      access: TableAccessLevel.READ_WRITE,
    }));
    expectValidationError(() => new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), tables }), {
      path: 'TestStack/Policies',
      prop: 'tables[110].table', // the first table that does not fit the 10 policies
      message: /^would need managed policy 11 of this construct, 11 on role TestStack\/Fn\/ServiceRole in all, more than maxManagedPolicies \(10; IAM's default quota of managed policies per role is 10\)/,
    });
  });

  test('counts customer managed policies already on the role against maxManagedPolicies', () => {
    const stack = testStack();
    const f = fn(stack);
    for (let i = 0; i < 10; i++) {
      f.role!.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyName(stack, `Existing${i}`, `existing-${i}`));
    }
    expectValidationError(() => new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: f }),
      { path: 'TestStack/Policies', prop: 'logGroup', message: /^would need managed policy 1 of this construct, 11 on role/ });
  });

  test('a statement too big for one managed policy is a ValidationError naming the prop', () => {
    const stack = testStack();
    const policies = new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack) });
    const resources = Array.from({ length: 200 }, (_, i) => `arn:aws:s3:::a-bucket-with-a-long-name/objects/${i}/data.json`);
    expectValidationError(() => policies.addStatements(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources })),
      { path: 'TestStack/Policies', prop: 'addStatements[0]', message: /^gives a statement of about \d+ characters once deployed, more than one managed policy holds/ });
  });

  test('rejects maxManagedPolicies outside IAM\'s range', () => {
    const stack = testStack();
    expectValidationError(() => new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), maxManagedPolicies: 21 }),
      { path: 'TestStack/Policies', prop: 'maxManagedPolicies', message: 'must be between 1 and 20, got 21' });
  });

  test('an imported function without a role names the function prop', () => {
    const stack = testStack();
    const imported = lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:us-east-1:123456789012:function:x');
    expectValidationError(() => new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: imported }),
      { path: 'TestStack/Policies', prop: 'function', message: /has no execution role/ });
  });

  test('works in a stack without an explicit environment', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn(stack), tracing: true });
    expectRoleWithoutPolicies(Template.fromStack(stack));
  });
});
