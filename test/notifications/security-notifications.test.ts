import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildDemoApp } from '../../demo/demo-app';
import { SecurityAuditTrail } from '../../src/audit-trail/security-audit-trail';
import { notifyTopic } from '../../src/notifications/alarm-topic';
import { SecurityNotifications, SecurityNotificationsProps } from '../../src/notifications/security-notifications';
import { testGates } from '../helpers/gates';
import { DENY_GRANTS_NOT_FOR_AWS_SERVICES } from '../helpers/kms-statements';
import { testStack } from '../helpers/stack';
import { expectValidationError } from '../helpers/validation-error';

const WARNING = 'cdk-security-blocks:notificationsWithoutSubscriber';

/** Every statement of every topic policy in the template. */
function topicStatements(template: Template): Array<Record<string, any>> {
  return Object.values(template.findResources('AWS::SNS::TopicPolicy'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
}

/** Fails on any Allow to a service principal that is not tied to a source ARN or account. */
function expectEveryServiceStatementScoped(template: Template): void {
  const allows = topicStatements(template).filter((x) => x.Effect === 'Allow');
  expect(allows.length).toBeGreaterThan(0);
  for (const s of allows) {
    expect(s.Principal.Service).toBeDefined();
    const conditions = JSON.stringify(s.Condition ?? {});
    expect(conditions).toMatch(/aws:SourceArn|aws:SourceAccount/);
  }
}

function build(props: SecurityNotificationsProps = {}) {
  const stack = testStack();
  const notifications = new SecurityNotifications(stack, 'Notifications', props);
  return { stack, notifications, template: Template.fromStack(stack) };
}

describe('SecurityNotifications', () => {
  const queueStack = testStack();
  const queue = new sqs.Queue(queueStack, 'Tickets', { enforceSSL: true });
  const notifications = new SecurityNotifications(queueStack, 'Notifications', {
    emailAddresses: ['security@example.com'],
    httpsEndpoints: ['https://hooks.example.com/security'],
    queues: [queue],
  });
  const rule = new events.Rule(queueStack, 'Rule', { eventPattern: { source: ['aws.guardduty'] } });
  notifyTopic(rule, notifications.topic);
  const template = Template.fromStack(queueStack);

  test('one topic, encrypted with its own rotated key', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [queueStack.getLogicalId(notifications.encryptionKey!.node.defaultChild as any), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('subscribes the email address, the HTTPS endpoint and the queue', () => {
    const topicRef = { Ref: queueStack.getLogicalId(notifications.topic.node.defaultChild as sns.CfnTopic) };
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'security@example.com', TopicArn: topicRef });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: 'https://hooks.example.com/security', TopicArn: topicRef });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', TopicArn: topicRef });
    // The queue admits this topic only.
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'sns.amazonaws.com' },
          Condition: { ArnEquals: { 'aws:SourceArn': topicRef } },
        })]),
      },
    });
  });

  test('the topic policy is SSL-only and admits alarms of this account and each rule by its ARN, nothing unconditioned', () => {
    const statements = topicStatements(template);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      {
        Sid: 'AllowCloudWatchAlarmsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: expect.anything(),
        Condition: {
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:us-east-1:123456789012:alarm:*']] } },
          StringEquals: { 'aws:SourceAccount': '123456789012' },
        },
      },
      {
        Sid: 'AllowEventBridgeRule',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: expect.anything(),
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [queueStack.getLogicalId(rule.node.defaultChild as events.CfnRule), 'Arn'] } } },
      },
    ]));
    expectEveryServiceStatementScoped(template);
  });

  test('the key lets alarms and rules of this account publish, and denies grants not for AWS services', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          DENY_GRANTS_NOT_FOR_AWS_SERVICES,
          {
            Sid: 'AllowAlarmAndRulePublishersOfThisAccount',
            Effect: 'Allow',
            Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          },
        ]),
      },
    });
  });

  test('no warning when the topic has a subscriber', () => {
    Annotations.fromStack(queueStack).hasNoWarning('*', Match.stringLikeRegexp(WARNING));
  });

  testGates({ stack: queueStack, nagScopes: [notifications] });
});

describe('SecurityNotifications as the stack default', () => {
  test('a construct created after it notifies its topic', () => {
    const stack = testStack();
    const notifications = new SecurityNotifications(stack, 'Notifications', { emailAddresses: ['soc@example.com'] });
    const trail = new SecurityAuditTrail(stack, 'AuditTrail');
    expect(trail.alarmTopic).toBe(notifications.topic);
    expect(SecurityNotifications.of(trail)).toBe(notifications);
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 1);
  });

  test('without one, the first construct creates it at the stack root, and it can be given subscribers later', () => {
    const stack = testStack();
    const trail = new SecurityAuditTrail(stack, 'AuditTrail');
    const notifications = SecurityNotifications.of(stack);
    expect(notifications.node.path).toBe('TestStack/SecurityNotifications');
    expect(trail.alarmTopic).toBe(notifications.topic);
    notifications.addEmailSubscription('soc@example.com');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::SNS::Subscription', 1);
  });

  test('warns at synth when alarms target a topic that has no subscription', () => {
    const stack = testStack();
    new SecurityAuditTrail(stack, 'AuditTrail');
    Annotations.fromStack(stack).hasWarning('/TestStack/SecurityNotifications', Match.stringLikeRegexp('has no subscription'));
  });

  test('an explicitly passed topic wins, and a second default in one stack is refused', () => {
    const stack = testStack();
    new SecurityNotifications(stack, 'Default');
    const other = new SecurityNotifications(stack, 'Critical', { stackDefault: false, emailAddresses: ['pager@example.com'] });
    const trail = new SecurityAuditTrail(stack, 'AuditTrail', { alarmTopic: other.topic });
    expect(trail.alarmTopic).toBe(other.topic);
    expectValidationError(() => new SecurityNotifications(stack, 'Another'),
      { path: 'TestStack/Another', prop: 'stackDefault', message: /^must be false: TestStack\/Default is already the stack's default notifications/ });
  });

  test('an existing topic is used as is: no topic, key or policy is created', () => {
    const stack = new Stack();
    const existing = sns.Topic.fromTopicArn(stack, 'Org', 'arn:aws:sns:us-east-1:123456789012:org-security');
    const notifications = new SecurityNotifications(stack, 'Notifications', { topic: existing, emailAddresses: ['soc@example.com'] });
    expect(notifications.topic).toBe(existing);
    expect(notifications.encryptionKey).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    template.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: 'arn:aws:sns:us-east-1:123456789012:org-security' });
  });

  test('rejects a malformed email address, a non-HTTPS endpoint and a topic name with an existing topic', () => {
    expectValidationError(() => build({ emailAddresses: ['not-an-address'] }),
      { path: 'TestStack/Notifications', prop: 'emailAddresses', message: 'must contain email addresses, got \'not-an-address\'' });
    expectValidationError(() => build({ httpsEndpoints: ['http://hooks.example.com'] }),
      { path: 'TestStack/Notifications', prop: 'httpsEndpoints', message: 'must contain https:// URLs, got \'http://hooks.example.com\'' });
    const stack = testStack();
    const existing = sns.Topic.fromTopicArn(stack, 'Org', 'arn:aws:sns:us-east-1:123456789012:org-security');
    expectValidationError(() => new SecurityNotifications(stack, 'N', { topic: existing, topicName: 'x' }),
      { path: 'TestStack/N', prop: 'topicName', message: 'cannot be combined with topic (an existing topic keeps its name)' });
  });
});

describe('the demo stack has one notification path', () => {
  const { stack } = buildDemoApp();
  const template = Template.fromStack(stack);

  test('one topic with a subscriber at example.com, at most 4 KMS keys', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: Match.stringLikeRegexp('@example\\.com$') });
    const keys = Object.keys(template.findResources('AWS::KMS::Key'));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.length).toBeLessThanOrEqual(4);
  });

  test('every alarm and every event rule targets that topic', () => {
    const topicRef = { Ref: stack.getLogicalId(SecurityNotifications.of(stack).topic.node.defaultChild as sns.CfnTopic) };
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(15);
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([topicRef]);
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) expect(r.Properties.Targets.map((t: { Arn: unknown }) => t.Arn)).toEqual([topicRef]);
  });

  test('no topic policy has an unconditioned publish statement', () => {
    expectEveryServiceStatementScoped(template);
  });

  test('every KMS key denies grants that are not for AWS services (CT.KMS.PR.3)', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key'));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key.Properties.KeyPolicy.Statement).toContainEqual(DENY_GRANTS_NOT_FOR_AWS_SERVICES);
    }
  });
});

// A CloudWatch alarm in a stack without notifications does not create a topic by itself.
test('SecurityNotifications.of creates nothing until asked', () => {
  const stack = testStack();
  new cloudwatch.Alarm(stack, 'A', { metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }), threshold: 1, evaluationPeriods: 1 });
  Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 0);
});
