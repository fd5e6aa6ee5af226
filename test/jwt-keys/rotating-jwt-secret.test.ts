import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MAX_PREVIOUS_KEYS as RING_MAX_PREVIOUS_KEYS } from '../../lambda-src/key-ring';
import { RotatingJwtSecret, RotatingJwtSecretProps } from '../../src/jwt-keys/rotating-jwt-secret';
import { MAX_PREVIOUS_KEYS } from '../../src/jwt-keys/rotation-schedule';
import { expectScheduleWaitsForItsPermissions } from '../helpers/dependency-closure';
import { testGates } from '../helpers/gates';
import { expectNoUnacknowledgedFindings, nagFindings } from '../helpers/nag';
import { testStack } from '../helpers/stack';
import { expectValidationError } from '../helpers/validation-error';

function synth(props: RotatingJwtSecretProps = {}): { stack: Stack; secret: RotatingJwtSecret; template: Template } {
  const stack = testStack();
  const secret = new RotatingJwtSecret(stack, 'Jwt', props);
  return { stack, secret, template: Template.fromStack(stack) };
}

function policyStatementsOf(template: Template, type: string): Array<Record<string, unknown>> {
  return Object.values(template.findResources(type)).flatMap(
    (r) => ((r.Properties.PolicyDocument ?? r.Properties.KeyPolicy).Statement as Array<Record<string, unknown>>),
  );
}

describe('RotatingJwtSecret with default props', () => {
  const { stack, secret, template } = synth();

  test('encrypts the secret with a customer-managed key that rotates and is retained', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 30 },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('JwtKey'), 'Arn'] },
      GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'bootstrap', ExcludePunctuation: true },
    });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });

  test('lets CloudWatch Logs use the key only for the rotation function\'s own log group', () => {
    const logGroupName = template.findResources('AWS::Logs::LogGroup');
    const [group] = Object.values(logGroupName);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'logs.us-east-1.amazonaws.com' },
          Condition: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': {
                'Fn::Join': ['', Match.arrayWith([`:logs:us-east-1:123456789012:log-group:${group.Properties.LogGroupName}`])],
              },
            },
          },
        })]),
      },
    });
  });

  const rotationRoleArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('RotationFunctionServiceRole'), 'Arn'] };
  const notViaCloudFormation = { 'ForAllValues:StringNotEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } };

  test('denies every key-material write API to everyone but the rotation role, except through CloudFormation', () => {
    template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      BlockPublicPolicy: true,
      ResourcePolicy: {
        Statement: Match.arrayWith([{
          Sid: 'OnlyTheRotationFunctionWritesKeys',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: [
            'secretsmanager:PutSecretValue',
            'secretsmanager:UpdateSecret',
            'secretsmanager:UpdateSecretVersionStage',
            'secretsmanager:CancelRotateSecret',
            'secretsmanager:StopReplicationToReplica',
            'secretsmanager:PutResourcePolicy',
            'secretsmanager:DeleteResourcePolicy',
          ],
          Resource: '*',
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': rotationRoleArn }, ...notViaCloudFormation },
        }]),
      },
    });
  });

  test('denies RotateSecret that names any function but the rotation function', () => {
    template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      ResourcePolicy: {
        Statement: Match.arrayWith([{
          Sid: 'RotateOnlyWithTheRotationFunction',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'secretsmanager:RotateSecret',
          Resource: '*',
          Condition: {
            Null: { 'secretsmanager:RotationLambdaARN': 'false' },
            ArnNotEquals: { 'secretsmanager:RotationLambdaARN': { 'Fn::GetAtt': [Match.stringLikeRegexp('RotationFunction'), 'Arn'] } },
            ...notViaCloudFormation,
          },
        }]),
      },
    });
  });

  test('every write action the rotation role is allowed is one the secret policy denies to everyone else', () => {
    const allowed = policyStatementsOf(template, 'AWS::IAM::ManagedPolicy')
      .filter((st) => st.Effect === 'Allow')
      .flatMap((st) => [st.Action].flat() as string[])
      .filter((a) => a.startsWith('secretsmanager:') && !/:(Get|Describe|List)/.test(a));
    expect(allowed.length).toBeGreaterThan(0);
    const denied = (Object.values(template.findResources('AWS::SecretsManager::ResourcePolicy'))[0].Properties.ResourcePolicy.Statement as Array<Record<string, unknown>>)
      .filter((st) => st.Effect === 'Deny').flatMap((st) => [st.Action].flat() as string[]);
    for (const action of allowed) expect(denied).toContain(action);
  });

  test('runs the bundled handler on Node.js 24 with the grace period and token lifetime in its environment, reserving no concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      ReservedConcurrentExecutions: Match.absent(),
      Environment: { Variables: { GRACE_PERIOD_SECONDS: '7200', MAX_TOKEN_LIFETIME_SECONDS: '3600' } },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('RotationFunctionLogGroup') } },
    });
  });

  test('keeps the rotation logs a year, encrypted with the key', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('JwtKey'), 'Arn'] },
      LogGroupName: Match.stringLikeRegexp('^/aws/lambda/'),
    });
  });

  test('lets only Secrets Manager invoke the function, for this secret in this account', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: '123456789012',
      SourceArn: { Ref: Match.stringLikeRegexp('JwtSecret') },
    });
  });

  test('the rotation schedule depends on every policy of the rotation role and on the invoke permission', () => {
    expectScheduleWaitsForItsPermissions(template);
  });

  test('rotates every 30 days, immediately on creation', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotateImmediatelyOnUpdate: true,
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('RotationFunction'), 'Arn'] },
    });
  });

  test('the rotation role has no AWS managed policy and no inline policy', () => {
    const roles = template.findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toHaveLength(1);
    const [role] = Object.values(roles);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('the rotation role may call exactly the four secret actions on this secret and use the key only through Secrets Manager for it', () => {
    const statements = policyStatementsOf(template, 'AWS::IAM::ManagedPolicy');
    expect(statements).toEqual(expect.arrayContaining([
      {
        Sid: 'RotateThisSecret',
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        Resource: { Ref: expect.stringMatching(/JwtSecret/) },
      },
      {
        Sid: 'UseKeyThroughSecretsManagerForThisSecret',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/JwtKey/), 'Arn'] },
        Condition: {
          StringEquals: {
            'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com',
            'kms:EncryptionContext:SecretARN': { Ref: expect.stringMatching(/JwtSecret/) },
          },
        },
      },
    ]));
    // No statement anywhere in the role's policies grants on '*'.
    for (const s of statements) expect(s.Resource).not.toEqual('*');
  });

  test('alarms on rotation errors and on RotationFailed, both to an encrypted SSL-only topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('SecurityNotificationsTopic') }],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.secretsmanager'],
        'detail-type': ['AWS Service Event via CloudTrail'],
        'detail': { eventName: ['RotationFailed'], additionalEventData: { SecretId: [{ Ref: Match.stringLikeRegexp('JwtSecret') }] } },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('SecurityNotificationsTopic') } })],
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Sid: 'AllowEventBridgeRule',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('RotationFailedRule'), 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  test('exposes the secret, key and rotation function', () => {
    const secretIds = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    expect(secretIds).toHaveLength(1);
    const [secretId] = secretIds;
    expect(stack.resolve(secret.secret.secretArn)).toEqual({ Ref: secretId });
    expect(secret.encryptionKey).toBeInstanceOf(kms.Key);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: stack.resolve(secret.encryptionKey.keyArn) });
    const [schedule] = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'));
    expect(schedule.Properties.SecretId).toEqual({ Ref: secretId });
    expect(schedule.Properties.RotationLambdaARN).toEqual(stack.resolve(secret.rotationFunction.functionArn));
    expect(secret.gracePeriod.toSeconds()).toBe(7200);
  });

  testGates({ stack, nagScopes: [stack] });
});

describe('RotatingJwtSecret fully configured', () => {
  const stack = testStack();
  const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
  const topic = sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:us-east-1:123456789012:security-alarms');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const secret = new RotatingJwtSecret(stack, 'Jwt', {
    secretName: 'app/jwt-signing',
    encryptionKey: key,
    rotationInterval: Duration.hours(12),
    maxTokenLifetime: Duration.minutes(15),
    gracePeriod: Duration.hours(1),
    rotateImmediatelyOnUpdate: false,
    alarmTopic: topic,
    rotationFunction: { vpc },
  });
  const reader = new iam.Role(stack, 'Issuer', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  secret.grantRead(reader);
  const template = Template.fromStack(stack);

  test('uses the given key, topic, schedule and grace period', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotateImmediatelyOnUpdate: false,
      RotationRules: { ScheduleExpression: 'rate(12 hours)' },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { GRACE_PERIOD_SECONDS: '3600', MAX_TOKEN_LIFETIME_SECONDS: '900' } },
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: ['arn:aws:sns:us-east-1:123456789012:security-alarms'] });
  });

  test('grantRead gives read on the secret and decrypt through Secrets Manager only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('Issuer') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: Match.stringLikeRegexp('JwtSecret') } }),
          {
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('MyKey'), 'Arn'] },
            Condition: {
              StringEquals: {
                'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com',
                'kms:EncryptionContext:SecretARN': { Ref: Match.stringLikeRegexp('JwtSecret') },
              },
            },
          },
        ]),
      },
    });
  });

  test('in a VPC, no VPC acknowledgement is made', () => {
    const findings = nagFindings(secret).filter((f) => f.ruleId.includes('LambdaInsideVPC'));
    expect(findings).toEqual([]);
    const fnMeta = secret.rotationFunction.node.metadata.map((m) => JSON.stringify(m.data));
    expect(fnMeta.join()).not.toContain('LambdaInsideVPC');
  });

  testGates({ stack, nagScopes: [secret] });
});

test('warns at synth when an imported key cannot be given the log group statement', () => {
  const stack = testStack();
  const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  new RotatingJwtSecret(stack, 'Jwt', { encryptionKey: key });
  Annotations.fromStack(stack).hasWarning('/TestStack/Imported', Match.stringLikeRegexp('must allow logs.us-east-1.amazonaws.com to use it for log group /aws/lambda/'));
});

describe('RotatingJwtSecret rejects bad props at construct time', () => {
  const cases: Array<[string, RotatingJwtSecretProps, string, RegExp]> = [
    ['a rotation interval under 4 hours', { rotationInterval: Duration.hours(2) },
      'rotationInterval', /must be between 4 hours and 1000 days, got 2 hours/],
    ['a rotation interval over 1000 days', { rotationInterval: Duration.days(1001) },
      'rotationInterval', /must be between 4 hours and 1000 days, got 1001 days/],
    ['a token lifetime over 24 hours', { maxTokenLifetime: Duration.hours(25) },
      'maxTokenLifetime', /must be between 1 minute and 1 day, got 1 day 1 hour/],
    ['a grace period shorter than the token lifetime', { maxTokenLifetime: Duration.hours(2), gracePeriod: Duration.hours(1) },
      'gracePeriod', /must be at least maxTokenLifetime \(2 hours\).*got 1 hour/],
    ['a grace period as long as the rotation interval', { rotationInterval: Duration.days(1), gracePeriod: Duration.days(1) },
      'gracePeriod', /must be shorter than rotationInterval \(1 day\), got 1 day/],
    ['a schedule expression that is neither rate nor cron', { scheduleExpression: 'every day' },
      'scheduleExpression', /must be rate\(N hours\|days\) or a six-field cron\(\.\.\.\) expression, got "every day"/],
    ['a cron expression with five fields', { scheduleExpression: 'cron(0 4 * * ?)' }, 'scheduleExpression', /must be rate/],
    ['a rate under 4 hours', { scheduleExpression: 'rate(2 hours)' },
      'scheduleExpression', /must rotate between every 4 hours and every 1000 days, got rate\(2 hours\)/],
    ['both a schedule expression and a rotation interval', { scheduleExpression: 'rate(1 day)', rotationInterval: Duration.days(2) },
      'scheduleExpression', /and rotationInterval are exclusive/],
    ['a rotation interval that is not whole hours', { rotationInterval: Duration.minutes(270) },
      'rotationInterval', /must be a whole number of hours between 4 hours and 1000 days, got 4 hours 30 minutes/],
    ['a rotation window of 25 hours', { rotationWindow: Duration.hours(25) },
      'rotationWindow', /must be a whole number of hours between 1 and 24, got 1 day 1 hour/],
    ['a grace period that could fill the ring with cron rotations', { scheduleExpression: 'cron(0 */4 * * ? *)', gracePeriod: Duration.hours(48) },
      'gracePeriod', /of 2 days would keep up to 12 retired keys alive with rotations every 4 hours; at most 10 are allowed/],
    ['zero reserved concurrency', { reservedConcurrentExecutions: 0 },
      'reservedConcurrentExecutions', /must be between 1 and 10, got 0/],
    ['subnets without a VPC', { rotationFunction: { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } } },
      'rotationFunction.vpcSubnets', /and securityGroups need vpc to be set/],
    ['infinite log retention for the rotation logs', { rotationFunction: { logRetention: logs.RetentionDays.INFINITE } },
      'rotationFunction.logRetention', /must be one of logs.RetentionDays other than INFINITE/],
  ];

  test.each(cases)('rejects %s with a ValidationError naming the prop', (_name, props, prop, message) => {
    const stack = testStack();
    expectValidationError(() => new RotatingJwtSecret(stack, 'Jwt', props), { path: 'TestStack/Jwt', prop, message });
    // Nothing half-built is left behind in the stack.
    expect(Template.fromStack(stack).toJSON().Resources ?? {}).toEqual({});
  });
});

describe('RotatingJwtSecret schedules and options', () => {
  test('takes a cron expression and a rotation window', () => {
    const { template } = synth({ scheduleExpression: 'cron(0 4 ? * MON *)', rotationWindow: Duration.hours(3) });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotateImmediatelyOnUpdate: true,
      RotationRules: { ScheduleExpression: 'cron(0 4 ? * MON *)', Duration: '3h' },
    });
  });

  test('takes a rate expression, and a grace period that fits its spacing', () => {
    const { template } = synth({ scheduleExpression: 'rate(6 hours)', gracePeriod: Duration.hours(59) });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(6 hours)' } });
  });

  test('rotation logs follow the secret\'s removal policy unless rotationFunction names its own, with its retention', () => {
    const { template } = synth({ removalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ RetentionInDays: 365 }) });

    const own = synth({
      removalPolicy: RemovalPolicy.DESTROY,
      rotationFunction: { logRetention: logs.RetentionDays.TWO_YEARS, removalPolicy: RemovalPolicy.RETAIN },
    });
    own.template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
    own.template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ RetentionInDays: 731 }) });
  });

  test('reserves concurrency only when asked, and then drops the acknowledgement', () => {
    const { secret, template } = synth({ reservedConcurrentExecutions: 2 });
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 2 });
    expect(secret.rotationFunction.node.metadata.map((m) => JSON.stringify(m.data)).join()).not.toContain('LambdaConcurrency');
    expectNoUnacknowledgedFindings(secret);
  });

  test('a policy the construct attaches to the rotation role after the schedule exists is still created before it', () => {
    const stack = testStack();
    const secret = new RotatingJwtSecret(stack, 'Jwt');
    new iam.ManagedPolicy(secret.node.findChild('RotationFunction'), 'Extra', {
      roles: [secret.rotationFunction.role!],
      statements: [new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['arn:aws:sns:us-east-1:123456789012:extra'] })],
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 2);
    expectScheduleWaitsForItsPermissions(template);
  });

  test('the construct and the handler agree on how many retired keys a ring holds', () => {
    expect(MAX_PREVIOUS_KEYS).toBe(RING_MAX_PREVIOUS_KEYS);
  });
});

describe('RotatingJwtSecret replicated to other Regions', () => {
  const stack = testStack();
  const euKey = kms.Key.fromKeyArn(stack, 'EuKey', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
  const secret = new RotatingJwtSecret(stack, 'Jwt', { replicaRegions: [{ region: 'eu-west-1', encryptionKey: euKey }] });
  const reader = new iam.Role(stack, 'Verifier', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  secret.grantRead(reader);
  const template = Template.fromStack(stack);
  const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
  const PRIMARY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-keys-AbCdEf';
  /** Evaluates the intrinsics an ARN is built from, with the secret's Ref as a sample primary ARN. */
  const evaluate = (node: unknown): unknown => {
    if (typeof node !== 'object' || node === null) return node;
    const n = node as Record<string, unknown>;
    if (n.Ref === 'AWS::Partition') return 'aws';
    if (n.Ref === secretId) return PRIMARY_ARN;
    if (n['Fn::Join']) {
      const [sep, parts] = n['Fn::Join'] as [string, unknown[]];
      return parts.map(evaluate).join(sep);
    }
    if (n['Fn::Split']) {
      const [sep, value] = n['Fn::Split'] as [string, unknown];
      return (evaluate(value) as string).split(sep);
    }
    if (n['Fn::Select']) {
      const [i, list] = n['Fn::Select'] as [number, unknown];
      return (evaluate(list) as string[])[i];
    }
    return node;
  };
  const REPLICA_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jwt-keys-AbCdEf';

  test('replicates the secret with the given key', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      ReplicaRegions: [{ Region: 'eu-west-1', KmsKeyId: euKey.keyArn }],
    });
  });

  test('lets the rotation role use the replica key only through Secrets Manager in that Region, for the replica', () => {
    const statement = policyStatementsOf(template, 'AWS::IAM::ManagedPolicy').find((st) => st.Sid === 'ReplicateToReplica0')!;
    expect(JSON.parse(JSON.stringify(statement, (_k, v) => evaluate(v)))).toEqual({
      Sid: 'ReplicateToReplica0',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: euKey.keyArn,
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com', 'kms:EncryptionContext:SecretARN': REPLICA_ARN } },
    });
  });

  test('grantRead covers the replica and its key', () => {
    const statements = policyStatementsOf(template, 'AWS::IAM::Policy').map((st) => JSON.parse(JSON.stringify(st, (_k, v) => evaluate(v))));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: [PRIMARY_ARN, REPLICA_ARN],
    }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 'kms:Decrypt',
      Resource: euKey.keyArn,
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com', 'kms:EncryptionContext:SecretARN': REPLICA_ARN } },
    }));
  });

  test('replicaSecretArn names a replica, and refuses a Region without one', () => {
    expect(evaluate(stack.resolve(secret.replicaSecretArn('eu-west-1')))).toBe(REPLICA_ARN);
    expect(() => secret.replicaSecretArn('ap-south-1')).toThrow(/replicaRegions has no replica in ap-south-1/);
  });

  testGates({ stack, nagScopes: [secret] });

  test.each([
    ['a replica without a key', [{ region: 'eu-west-1' }], /replicaRegions\[0\].encryptionKey must be a customer-managed KMS key in eu-west-1/],
    ['a replica in the stack\'s own Region', [{ region: 'us-east-1', encryptionKey: 'k' }], /replicaRegions\[0\].region must differ from the stack's Region \(us-east-1\)/],
    ['a Region listed twice', [{ region: 'eu-west-1', encryptionKey: 'k' }, { region: 'eu-west-1', encryptionKey: 'k' }], /replicaRegions\[1\].region lists eu-west-1 twice/],
  ])('rejects %s with a ValidationError before any resource exists', (_name, replicas, message) => {
    const s2 = testStack();
    const key = kms.Key.fromKeyArn(s2, 'K', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    const replicaRegions = (replicas as Array<{ region: string; encryptionKey?: string }>)
      .map((r) => ({ region: r.region, encryptionKey: r.encryptionKey ? key : undefined }));
    expect(() => new RotatingJwtSecret(s2, 'Jwt', { replicaRegions })).toThrow(expect.objectContaining({ name: 'ValidationError', message: expect.stringMatching(message) }));
    expect(s2.node.findAll().filter((c) => c.node.path.includes('Jwt'))).toHaveLength(1);
  });
});
