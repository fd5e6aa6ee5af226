import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { RotatingJwtSecret, RotatingJwtSecretProps } from '../src/rotating-jwt-secret';
import { expectCfnLintClean } from './helpers/cfn-lint';
import { expectNoUnacknowledgedFindings, nagFindings } from './helpers/nag';
import { testStack } from './helpers/stack';

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

  test('denies writing key material to everyone but the rotation function\'s role', () => {
    template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      BlockPublicPolicy: true,
      ResourcePolicy: {
        Statement: [{
          Sid: 'OnlyTheRotationFunctionWritesKeys',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
          Resource: '*',
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('RotationFunctionServiceRole'), 'Arn'] } } },
        }],
      },
    });
  });

  test('runs the bundled handler on Node.js 24 with the grace period in its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 1,
      Environment: { Variables: { GRACE_PERIOD_SECONDS: '7200' } },
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
    expect(secret.secret).toBeDefined();
    expect(secret.encryptionKey).toBeInstanceOf(kms.Key);
    expect(secret.rotationFunction.functionArn).toBeDefined();
    expect(secret.gracePeriod.toSeconds()).toBe(7200);
  });

  test('has zero unacknowledged findings in the four cdk-nag packs', () => {
    expectNoUnacknowledgedFindings(stack);
  });

  test('passes cfn-lint with no error', () => {
    expectCfnLintClean(stack);
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
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
    vpc,
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
      Environment: { Variables: { GRACE_PERIOD_SECONDS: '3600' } },
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

  test('the construct itself has zero unacknowledged findings', () => {
    expectNoUnacknowledgedFindings(secret);
  });

  test('passes cfn-lint with no error', () => {
    expectCfnLintClean(stack);
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

test('warns at synth when an imported key cannot be given the log group statement', () => {
  const stack = testStack();
  const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  new RotatingJwtSecret(stack, 'Jwt', { encryptionKey: key });
  Annotations.fromStack(stack).hasWarning('/TestStack/Imported', Match.stringLikeRegexp('must allow logs.us-east-1.amazonaws.com to use it for log group /aws/lambda/'));
});

describe('RotatingJwtSecret rejects bad props at construct time', () => {
  const cases: Array<[string, RotatingJwtSecretProps, RegExp]> = [
    ['a rotation interval under 4 hours', { rotationInterval: Duration.hours(2) },
      /Jwt: rotationInterval must be between 4 hours and 1000 days, got 2 hours/],
    ['a rotation interval over 1000 days', { rotationInterval: Duration.days(1001) },
      /rotationInterval must be between 4 hours and 1000 days, got 1001 days/],
    ['a token lifetime over 24 hours', { maxTokenLifetime: Duration.hours(25) },
      /maxTokenLifetime must be between 1 minute and 1 day, got 1 day 1 hour/],
    ['a grace period shorter than the token lifetime', { maxTokenLifetime: Duration.hours(2), gracePeriod: Duration.hours(1) },
      /gracePeriod must be at least maxTokenLifetime \(2 hours\).*got 1 hour/],
    ['a grace period as long as the rotation interval', { rotationInterval: Duration.days(1), gracePeriod: Duration.days(1) },
      /gracePeriod must be shorter than rotationInterval \(1 day\), got 1 day/],
    ['zero reserved concurrency', { reservedConcurrentExecutions: 0 },
      /reservedConcurrentExecutions must be between 1 and 10, got 0/],
    ['subnets without a VPC', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } },
      /vpcSubnets and securityGroups need vpc to be set/],
  ];

  test.each(cases)('rejects %s with a ValidationError naming the prop', (_name, props, message) => {
    const stack = testStack();
    expect(() => new RotatingJwtSecret(stack, 'Jwt', props)).toThrow(message);
    try {
      new RotatingJwtSecret(testStack(), 'Jwt', props);
    } catch (e) {
      expect((e as Error).name).toBe('ValidationError');
    }
    // Nothing half-built is left behind in the stack.
    expect(Template.fromStack(stack).toJSON().Resources ?? {}).toEqual({});
  });
});
