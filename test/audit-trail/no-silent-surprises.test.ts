import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PRICES } from '../../demo/cost';
import { SecurityAuditAlarms, SecurityAuditTrail } from '../../src';
import { TRAIL_PRICES } from '../../src/audit-trail/trail-pricing';
import { expectCfnLintClean } from '../helpers/cfn-lint';
import { testStack } from '../helpers/stack';

const ROOT_SIGN_IN = { 'source': ['aws.signin'], 'detail-type': ['AWS Console Sign In via CloudTrail'], 'detail': { userIdentity: { type: ['Root'] } } };

function trailIn(env?: { account: string; region: string }) {
  const stack = new Stack(new App(), 'TestStack', env ? { env } : {});
  const trail = new SecurityAuditTrail(stack, 'AuditTrail');
  return { stack, trail, template: Template.fromStack(stack) };
}

describe('the root sign-in rule exists only where root sign-in events arrive (us-east-1)', () => {
  test('a stack in us-east-1 has the rule, unconditionally', () => {
    const { template, trail } = trailIn({ account: '123456789012', region: 'us-east-1' });
    template.hasResource('AWS::Events::Rule', { Properties: Match.objectLike({ EventPattern: ROOT_SIGN_IN }), Condition: Match.absent() });
    expect(trail.securityEventRules).toHaveLength(4);
  });

  test('a stack in another Region has no root sign-in rule, and synth says why', () => {
    const { stack, template, trail } = trailIn({ account: '123456789012', region: 'eu-west-1' });
    expect(Object.values(template.findResources('AWS::Events::Rule')).filter((r) => r.Properties.EventPattern.source[0] === 'aws.signin')).toEqual([]);
    expect(trail.securityEventRules).toHaveLength(3);
    Annotations.fromStack(stack).hasInfo('/TestStack/AuditTrail', Match.stringLikeRegexp('No root sign-in rule in eu-west-1: .* us-east-1 only'));
    // The other account security events stay: they arrive in every Region.
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['aws.guardduty'] }) });
  });

  describe('an env-agnostic stack (no Region at synth)', () => {
    const { stack, template, trail } = trailIn();
    const rule = trail.securityEventRules.find((r) => r.node.id === 'RootSignIn')!;
    const ruleId = stack.getLogicalId(rule.node.defaultChild as events.CfnRule);

    test('the rule is created only when the template is deployed in us-east-1 (a condition on AWS::Region)', () => {
      expect(template.toJSON().Conditions.RootSignInRegion).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
      template.hasResource('AWS::Events::Rule', { Properties: Match.objectLike({ EventPattern: ROOT_SIGN_IN }), Condition: 'RootSignInRegion' });
      Annotations.fromStack(stack).hasInfo('/TestStack/AuditTrail/SecurityEvents', Match.stringLikeRegexp('created only where this env-agnostic stack is deployed in us-east-1'));
    });

    test('nothing else references the rule, which may not exist; the topic policy names it by its ARN', () => {
      const others = Object.entries(template.toJSON().Resources).filter(([id]) => id !== ruleId);
      expect(JSON.stringify(others)).not.toContain(`"${ruleId}"`);
      const ruleName = template.toJSON().Resources[ruleId].Properties.Name;
      expect(ruleName).toMatch(/-root-sign-in$/);
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:rule/${ruleName}`]] } } },
          })]),
        },
      });
    });

    test('passes cfn-lint with no error', () => {
      expectCfnLintClean(stack);
    });
  });
});

describe('a second trail in one stack', () => {
  test('warns, with an id and its cost; the first trail does not', () => {
    const stack = testStack();
    new SecurityAuditTrail(stack, 'AuditTrail');
    new SecurityAuditTrail(stack, 'SecondTrail');
    const annotations = Annotations.fromStack(stack);
    annotations.hasNoWarning('/TestStack/AuditTrail', Match.stringLikeRegexp('records the management events again'));
    annotations.hasWarning('/TestStack/SecondTrail', Match.stringLikeRegexp(
      '^This is trail number 2 .* \\$2\\.00 per 100,000 management events for every copy after the first .* about \\$7\\.00 a month more.*SecurityAuditAlarms'));
    const entry = stack.node.findChild('SecondTrail').node.metadata.find((m) => String(m.data).includes('trail number 2'));
    expect(String(entry!.data)).toContain('[ack: cdk-security-blocks:duplicateTrail]');
  });

  test('no warning for one trail per stack, nor for alarms on an existing trail next to a trail', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: { account: '123456789012', region: 'us-east-1' } });
    const b = new Stack(app, 'B', { env: { account: '123456789012', region: 'us-east-1' } });
    new SecurityAuditTrail(a, 'AuditTrail');
    new SecurityAuditTrail(b, 'AuditTrail');
    new SecurityAuditAlarms(a, 'ControlTowerAlarms', { logGroup: logs.LogGroup.fromLogGroupName(a, 'Ct', 'aws-controltower/CloudTrailLogs') });
    for (const s of [a, b]) {
      expect(Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('records the management events again'))).toEqual([]);
    }
  });

  test('the warning\'s prices are the ones demo/cost.ts records', () => {
    expect(TRAIL_PRICES.kmsKeyPerMonth).toBe(PRICES.kmsKey.usd);
    expect(TRAIL_PRICES.alarmPerMonth).toBe(PRICES.alarm.usd);
    expect(TRAIL_PRICES.customMetricPerMonth).toBe(PRICES.customMetric.usd);
    // Not in PRICES (it depends on traffic): the CloudTrail pricing page's figure, quoted in the README.
    expect(TRAIL_PRICES.managementEventCopyPer100k).toBe(2.0);
  });
});
