import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { requiresWildcardResource } from '../../src/least-privilege/checks/wildcard-resource-actions';
import { LeastPrivilegeChecker } from '../../src/least-privilege/least-privilege-checker';
import { LeastPrivilegeLambdaPolicies } from '../../src/least-privilege/least-privilege-lambda-policies';
import { testStack } from '../helpers/stack';

/** A stack with one instance of each bad pattern, in each kind of identity policy. */
function badStack(): Stack {
  const stack = testStack('Bad');
  const role = new iam.Role(stack, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    inlinePolicies: {
      Inline: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({ sid: 'Everything', actions: ['*'], resources: ['arn:aws:s3:::bucket'] })],
      }),
    },
  });
  new iam.ManagedPolicy(stack, 'Managed', {
    roles: [role],
    statements: [
      new iam.PolicyStatement({ sid: 'AllOfS3', actions: ['s3:*'], resources: ['arn:aws:s3:::bucket'] }),
      new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['arn:aws:s3:::bucket'] }),
    ],
  });
  new iam.Policy(stack, 'Policy', {
    roles: [role],
    statements: [
      new iam.PolicyStatement({ sid: 'AllButOne', actions: ['s3:GetObject'], notResources: ['arn:aws:s3:::secret/*'] }),
      new iam.PolicyStatement({ sid: 'AnyObject', actions: ['s3:GetObject', 'xray:PutTraceSegments', 'ec2:DescribeInstances'], resources: ['*'] }),
      // Not findings: actions with no resource type on '*', and a Deny guardrail.
      new iam.PolicyStatement({ sid: 'Traces', actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'sts:GetCallerIdentity'], resources: ['*'] }),
      new iam.PolicyStatement({ sid: 'Guardrail', effect: iam.Effect.DENY, notActions: ['s3:GetObject'], resources: ['*'] }),
    ],
  });
  return stack;
}

describe('LeastPrivilegeChecker.check', () => {
  test('flags each bad pattern, naming the resource and the statement', () => {
    const findings = LeastPrivilegeChecker.check(badStack());
    expect(findings.map((f) => [f.findingId, f.constructPath, f.statement])).toEqual([
      ['LeastPrivilege-WildcardAction[*]', 'Bad/Role/Resource', 'Policies[Inline] Sid Everything'],
      ['LeastPrivilege-WildcardAction[s3:*]', 'Bad/Managed/Resource', 'Sid AllOfS3'],
      ['LeastPrivilege-NotAction', 'Bad/Managed/Resource', 'Statement[1]'],
      ['LeastPrivilege-NotResource', 'Bad/Policy/Resource', 'Sid AllButOne'],
      ['LeastPrivilege-WildcardResource[s3:GetObject]', 'Bad/Policy/Resource', 'Sid AnyObject'],
    ]);
  });

  test('each finding says what is wrong and what to do', () => {
    const [finding] = LeastPrivilegeChecker.check(badStack()).filter((f) => f.ruleId === 'LeastPrivilege-WildcardResource');
    expect(finding.message).toMatch(/^Bad\/Policy\/Resource Sid AnyObject: s3:GetObject: .*Name the resources \(exact ARNs\) instead/);
  });

  test('an acknowledged finding (exact id, on the resource or an ancestor) is not reported', () => {
    const stack = badStack();
    Validations.of(stack.node.findChild('Policy')).acknowledge({ id: 'LeastPrivilege-WildcardResource[s3:GetObject]', reason: 'test' });
    Validations.of(stack).acknowledge({ id: 'LeastPrivilege-NotAction', reason: 'test' });
    expect(LeastPrivilegeChecker.check(stack).map((f) => f.findingId)).toEqual([
      'LeastPrivilege-WildcardAction[*]', 'LeastPrivilege-WildcardAction[s3:*]', 'LeastPrivilege-NotResource',
    ]);
  });

  test('stays silent on a default-props function under LeastPrivilegeLambdaPolicies, and flags the L2 default without it', () => {
    const stack = testStack();
    const props = { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};') };
    const covered = new lambda.Function(stack, 'Covered', { ...props, tracing: lambda.Tracing.ACTIVE });
    new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: covered });
    expect(LeastPrivilegeChecker.check(stack)).toEqual([]);

    const plain = new lambda.Function(stack, 'Plain', props);
    plain.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: ['*'] }));
    expect(LeastPrivilegeChecker.check(stack).map((f) => [f.findingId, f.constructPath])).toEqual([
      ['LeastPrivilege-WildcardResource[dynamodb:GetItem]', 'TestStack/Plain/ServiceRole/DefaultPolicy/Resource'],
    ]);
  });
});

describe('LeastPrivilegeChecker on cloudwatch:PutMetricData', () => {
  function findings(statement: iam.PolicyStatement) {
    const stack = testStack();
    new iam.ManagedPolicy(stack, 'P', { statements: [statement] });
    return LeastPrivilegeChecker.check(stack);
  }
  const putMetricData = (conditions?: Record<string, unknown>) =>
    new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions });

  test('flags metric.grantPutMetricData() (any namespace) and names metricNamespaces', () => {
    const stack = testStack();
    const fn = new lambda.Function(stack, 'Plain', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
    cloudwatch.Metric.grantPutMetricData(fn);
    const [finding, ...rest] = LeastPrivilegeChecker.check(stack);
    expect(rest).toEqual([]);
    expect(finding.findingId).toBe('LeastPrivilege-MetricNamespace[cloudwatch:PutMetricData]');
    expect(finding.constructPath).toBe('TestStack/Plain/ServiceRole/DefaultPolicy/Resource');
    expect(finding.typedPermission).toBe('metricNamespaces');
    expect(finding.message).toMatch(/without a cloudwatch:namespace condition.*LeastPrivilegeLambdaPolicies' `metricNamespaces` prop instead of a grant\*\(\) call/);
  });

  test.each([
    ['StringEquals on the namespaces', { StringEquals: { 'cloudwatch:namespace': ['Orders', 'Orders/Payments'] } }],
    ['StringLike on a prefix', { StringLike: { 'cloudwatch:namespace': 'Orders/*' } }],
    ['the key in another case (IAM compares keys without case)', { StringEquals: { 'CloudWatch:Namespace': 'Orders' } }],
  ])('accepts PutMetricData on "*" with %s', (_name, conditions) => {
    expect(findings(putMetricData(conditions))).toEqual([]);
  });

  test.each([
    ['no condition', undefined],
    ['a condition on another key', { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } }],
    ['a negated operator (every other namespace stays open)', { StringNotEquals: { 'cloudwatch:namespace': 'AWS/Lambda' } }],
    ['an IfExists operator (passes when the key is missing)', { StringEqualsIfExists: { 'cloudwatch:namespace': 'Orders' } }],
    ['a bare wildcard among the values', { StringLike: { 'cloudwatch:namespace': ['Orders', '*'] } }],
  ])('flags PutMetricData on "*" with %s', (_name, conditions) => {
    expect(findings(putMetricData(conditions)).map((f) => f.findingId)).toEqual(['LeastPrivilege-MetricNamespace[cloudwatch:PutMetricData]']);
  });

  test('flags a pattern that covers PutMetricData too, next to its ActionPattern finding', () => {
    expect(findings(new iam.PolicyStatement({ actions: ['cloudwatch:Put*'], resources: ['*'] })).map((f) => f.findingId)).toEqual([
      'LeastPrivilege-ActionPattern[cloudwatch:Put*]', 'LeastPrivilege-WildcardResource[cloudwatch:Put*]', 'LeastPrivilege-MetricNamespace[cloudwatch:Put*]',
    ]);
  });

  test('LeastPrivilegeLambdaPolicies rejects an unconditioned PutMetricData statement, naming metricNamespaces', () => {
    const stack = testStack();
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
    expect(() => new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn, statements: [putMetricData()] }))
      .toThrow(/statements\[0\] is not least-privilege: LeastPrivilege-MetricNamespace\[cloudwatch:PutMetricData\].*`metricNamespaces` prop/);
  });
});

describe('LeastPrivilegeChecker as a validation plugin', () => {
  test('validateScope groups findings by id, with the statement as location', () => {
    const report = new LeastPrivilegeChecker().validateScope(badStack());
    expect(report.success).toBe(false);
    expect(report.violations.map((v) => v.ruleName)).toHaveLength(5);
    expect(report.violations.find((v) => v.ruleName === 'LeastPrivilege-NotAction')!.violatingResources)
      .toEqual([{ constructPath: 'Bad/Managed/Resource', locations: ['Statement[1]'] }]);
  });

  test('Validations.of(app).addPlugins reports the findings at synth', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad');
    new iam.ManagedPolicy(stack, 'Managed', {
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })],
    });
    Validations.of(app).addPlugins(new LeastPrivilegeChecker(app));
    const exitCode = process.exitCode;
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const assembly = app.synth();
      const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'policy-validation-report.json'), 'utf8'));
      expect(JSON.stringify(report)).toContain('LeastPrivilege-WildcardResource[s3:GetObject]');
      expect(JSON.stringify(report)).toContain('Bad/Managed/Resource');
    } finally {
      error.mockRestore();
      process.exitCode = exitCode;
    }
  });

  test('without a scope or an appConstruct it says how to construct it', () => {
    expect(() => new LeastPrivilegeChecker().validate({ templatePaths: [] })).toThrow(/new LeastPrivilegeChecker\(app\)/);
  });
});

describe('the wildcard-resource allow-list', () => {
  test.each([
    ['xray:PutTraceSegments', true],
    ['XRAY:puttelemetryrecords', true],
    ['ec2:DescribeInstances', true],
    ['ec2:Describe*', true],
    ['ec2:Desc*', false],
    ['ec2:*', false],
    ['sts:GetCallerIdentity', true],
    ['kms:CreateKey', true],
    ['logs:DescribeLogGroups', true],
    ['s3:GetObject', false],
    ['kms:Decrypt', false],
  ])('%s needs "*": %s', (action, expected) => {
    expect(requiresWildcardResource(action)).toBe(expected);
  });
});

describe('LeastPrivilegeChecker on grant*() statements', () => {
  function plainFunction(stack: Stack): lambda.Function {
    return new lambda.Function(stack, 'Plain', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
  }

  test('flags the action patterns of bucket.grantReadWrite() and names the buckets typed permission', () => {
    const stack = testStack();
    new s3.Bucket(stack, 'Bucket').grantReadWrite(plainFunction(stack));
    const findings = LeastPrivilegeChecker.check(stack);
    expect(findings.map((f) => f.findingId)).toEqual(expect.arrayContaining([
      'LeastPrivilege-ActionPattern[s3:GetObject*]', 'LeastPrivilege-ActionPattern[s3:List*]', 'LeastPrivilege-ActionPattern[s3:DeleteObject*]',
    ]));
    for (const f of findings) {
      expect(f.typedPermission).toBe('buckets');
      expect(f.message).toContain('LeastPrivilegeLambdaPolicies\' `buckets` prop (BucketObjectsPermission) instead of a grant*() call');
    }
  });

  test('names keys for the KMS patterns of an encrypted stream\'s grantWrite(), saying a resource\'s own key comes with its permission', () => {
    const stack = testStack();
    const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.KMS });
    stream.grantWrite(plainFunction(stack));
    const findings = LeastPrivilegeChecker.check(stack);
    expect(findings.map((f) => [f.findingId, f.typedPermission])).toEqual([
      ['LeastPrivilege-ActionPattern[kms:ReEncrypt*]', 'keys'],
      ['LeastPrivilege-ActionPattern[kms:GenerateDataKey*]', 'keys'],
    ]);
    expect(findings[0].message).toMatch(/own key comes with that resource's typed permission/);
  });

  test('names eventBuses for PutEvents on "*", and nothing for exact-ARN grants that are already least-privilege', () => {
    const stack = testStack();
    const f = plainFunction(stack);
    f.addToRolePolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: ['*'] }));
    new events.EventBus(stack, 'Bus').grantPutEventsTo(f);
    const findings = LeastPrivilegeChecker.check(stack);
    expect(findings.map((x) => [x.findingId, x.typedPermission])).toEqual([['LeastPrivilege-WildcardResource[events:PutEvents]', 'eventBuses']]);
  });

  test('a finding with no typed equivalent has no typedPermission', () => {
    const [finding] = LeastPrivilegeChecker.check(badStack());
    expect(finding.findingId).toBe('LeastPrivilege-WildcardAction[*]');
    expect(finding.typedPermission).toBeUndefined();
  });

  test.each([
    ['ec2:Describe*', false],
    ['s3:Get*', true],
    ['kms:GenerateDataKey*', true],
  ])('ActionPattern on %s: %s', (action, flagged) => {
    const stack = testStack();
    new iam.ManagedPolicy(stack, 'P', { statements: [new iam.PolicyStatement({ actions: [action], resources: ['arn:aws:s3:::b/k'] })] });
    expect(LeastPrivilegeChecker.check(stack).map((f) => f.findingId)).toEqual(flagged ? [`LeastPrivilege-ActionPattern[${action}]`] : []);
  });

  test('LeastPrivilegeLambdaPolicies rejects a bucket.grantRead() made before it, naming the typed permission to use', () => {
    const stack = testStack();
    const f = plainFunction(stack);
    new s3.Bucket(stack, 'Bucket').grantRead(f);
    expect(() => new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: f }))
      .toThrow(/function's DefaultPolicy statement 0 \(granted before this construct\) is not least-privilege: LeastPrivilege-ActionPattern\[s3:GetObject\*\].*`buckets` prop \(BucketObjectsPermission\)/);
  });
});
