import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AccountSecurityEvents, SecurityAuditTrail } from '../../src';
import { testGates } from '../helpers/gates';
import { testStack } from '../helpers/stack';
import { expectValidationError } from '../helpers/validation-error';

const SOURCES = ['aws.guardduty', 'aws.securityhub', 'aws.signin', 'aws.cloudtrail'];

function sourcesOf(template: Template): string[] {
  return Object.values(template.findResources('AWS::Events::Rule')).map((r) => r.Properties.EventPattern.source[0]).sort();
}

describe('AccountSecurityEvents with default props', () => {
  const stack = testStack();
  const events = new AccountSecurityEvents(stack, 'SecurityEvents');
  const template = Template.fromStack(stack);

  test('creates the four rules of the trail\'s security events, no trail, bucket or log group', () => {
    expect(sourcesOf(template)).toEqual([...SOURCES].sort());
    expect(events.rules).toHaveLength(4);
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
  });

  test('every rule targets the stack\'s SecurityNotifications topic, which admits exactly these rules', () => {
    const topicId = stack.resolve((events.alarmTopic.node.defaultChild as sns.CfnTopic).ref);
    for (const rule of Object.values(template.findResources('AWS::Events::Rule'))) {
      expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: topicId })]);
    }
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Principal: { Service: 'events.amazonaws.com' } })]),
      }),
    });
  });

  test('GuardDuty findings from severity 7 (High) up', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.guardduty'], detail: { severity: [{ numeric: ['>=', 7] }] } },
    });
  });

  testGates(() => ({ stack, nagScopes: [stack] }));
});

test('the rules are the ones SecurityAuditTrail creates (one place for the security events)', () => {
  const own = testStack();
  new AccountSecurityEvents(own, 'SecurityEvents', { guardDutyMinimumSeverity: 5.3 });
  const trail = testStack();
  new SecurityAuditTrail(trail, 'AuditTrail', { guardDutyMinimumSeverity: 5.3 });
  const patterns = (t: Template) => Object.values(t.findResources('AWS::Events::Rule'))
    .map((r) => JSON.stringify(r.Properties.EventPattern)).sort();
  expect(patterns(Template.fromStack(own))).toEqual(patterns(Template.fromStack(trail)));
});

test('outside us-east-1 there is no root sign-in rule (those events arrive only there)', () => {
  const stack = new Stack(new App(), 'EuStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  new AccountSecurityEvents(stack, 'SecurityEvents');
  expect(sourcesOf(Template.fromStack(stack))).toEqual(['aws.cloudtrail', 'aws.guardduty', 'aws.securityhub']);
});

test('in a Region-agnostic stack (a StackSet member template is one) the root sign-in rule is there, behind a condition on AWS::Region', () => {
  const stack = new Stack(new App(), 'AnyRegion');
  new AccountSecurityEvents(stack, 'SecurityEvents');
  const template = Template.fromStack(stack);
  const rootRule = Object.values(template.findResources('AWS::Events::Rule')).find((r) => r.Properties.EventPattern.source[0] === 'aws.signin');
  expect(rootRule?.Condition).toBeDefined();
  expect(template.toJSON().Conditions[rootRule!.Condition]).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
});

test('a GuardDuty severity outside 1 to 8.9 is refused, naming the prop and the range', () => {
  for (const severity of [0, 9, -1, Number.NaN]) {
    expectValidationError(() => new AccountSecurityEvents(testStack(), 'SecurityEvents', { guardDutyMinimumSeverity: severity }),
      { path: 'TestStack/SecurityEvents', prop: 'guardDutyMinimumSeverity', message: `must be between 1 and 8.9, got ${severity}` });
  }
});
