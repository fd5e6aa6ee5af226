import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { fixedCosts } from '../../demo/cost';
import { SecurityAuditAlarms, SecurityAuditAlarmsProps, SecurityAuditTrail } from '../../src';
import { testGates } from '../helpers/gates';
import { testStack } from '../helpers/stack';
import { expectValidationError } from '../helpers/validation-error';

const PUBLISHED: { patterns: Record<string, string>; namespaceAdvised: string; metricValue: string } = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'data', 'security-hub-cis-metric-filters.json'), 'utf8'));
const CONTROL_TOWER_LOG_GROUP = 'aws-controltower/CloudTrailLogs';

function build(props: Partial<SecurityAuditAlarmsProps> = {}) {
  const stack = testStack();
  const logGroup = logs.LogGroup.fromLogGroupName(stack, 'ControlTowerTrail', CONTROL_TOWER_LOG_GROUP);
  const alarms = new SecurityAuditAlarms(stack, 'AuditAlarms', { logGroup, ...props });
  return { stack, alarms, template: Template.fromStack(stack) };
}

/** Pattern and metric name of every metric filter, keyed by metric name. */
function filters(template: Template): Record<string, { pattern: string; logGroup: unknown }> {
  const out: Record<string, { pattern: string; logGroup: unknown }> = {};
  for (const f of Object.values(template.findResources('AWS::Logs::MetricFilter'))) {
    out[f.Properties.MetricTransformations[0].MetricName] = { pattern: f.Properties.FilterPattern, logGroup: f.Properties.LogGroupName };
  }
  return out;
}

describe('SecurityAuditAlarms on Control Tower\'s log group', () => {
  const { stack, alarms, template } = build();

  test('creates no trail, no bucket and no key of its own', () => {
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
    template.resourceCountIs('AWS::IAM::Role', 0);
    // The one key is the stack's SecurityNotifications topic key, which every construct shares.
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(alarms.node.findAll().some((c) => c.node.id === 'Key')).toBe(false);
  });

  test.each(Object.keys(PUBLISHED.patterns))('the %s filter reads the given log group, byte for byte as published', (controlId) => {
    const cfn = alarms.node.findChild(controlId).node.findChild('MetricFilter').node.defaultChild as logs.CfnMetricFilter;
    const resource = template.toJSON().Resources[stack.getLogicalId(cfn)];
    expect(Buffer.from(resource.Properties.FilterPattern, 'utf8')).toEqual(Buffer.from(PUBLISHED.patterns[controlId], 'utf8'));
    expect(resource.Properties.LogGroupName).toBe(CONTROL_TOWER_LOG_GROUP);
    expect(resource.Properties.MetricTransformations[0])
      .toMatchObject({ MetricNamespace: PUBLISHED.namespaceAdvised, MetricValue: PUBLISHED.metricValue });
  });

  test('the 15 filters are exactly SecurityAuditTrail\'s (one place for the CIS controls), on the given log group', () => {
    const own = filters(template);
    expect(Object.keys(own)).toHaveLength(15);
    const trailStack = testStack();
    new SecurityAuditTrail(trailStack, 'AuditTrail');
    const trail = filters(Template.fromStack(trailStack));
    expect(Object.fromEntries(Object.entries(own).map(([k, v]) => [k, v.pattern])))
      .toEqual(Object.fromEntries(Object.entries(trail).map(([k, v]) => [k, v.pattern])));
    for (const f of Object.values(own)) expect(f.logGroup).toBe(CONTROL_TOWER_LOG_GROUP);
  });

  test('15 alarms notify the stack\'s topic and name the log group; the security event rules come too', () => {
    const topicRef = { Ref: stack.getLogicalId(alarms.alarmTopic.node.defaultChild as sns.CfnTopic) };
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(15);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: 'CIS / Security Hub CloudWatch.1: the root user was used (log group aws-controltower/CloudTrailLogs).',
      AlarmActions: [topicRef],
      Threshold: 1,
    });
    expect(alarms.controlIds).toHaveLength(15);
    expect(alarms.alarm('CloudWatch.1')).toBe(alarms.node.findChild('CloudWatch.1').node.findChild('Alarm'));
    expect(alarms.securityEventRules).toHaveLength(4);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['aws.cloudtrail'] }) });
  });

  test('costs the alarms and metrics only: $1.00 a month less than SecurityAuditTrail (no key), with no second trail', () => {
    const line = fixedCosts(stack).find((l) => l.construct === 'AuditAlarms')!;
    expect(line.counts).toEqual({ 'alarms': 15, 'custom metrics': 15 });
    expect(line.usd).toBeCloseTo(6.0, 5);
    const trailStack = testStack();
    new SecurityAuditTrail(trailStack, 'AuditTrail');
    expect(fixedCosts(trailStack).find((l) => l.construct === 'AuditTrail')!.usd - line.usd).toBeCloseTo(1.0, 5);
  });

  testGates(() => {
    const b = build();
    return { stack: b.stack, nagScopes: [b.stack] };
  });
});

describe('SecurityAuditAlarms options', () => {
  test('disabled controls, tuned alarms and no security events', () => {
    const stack = testStack();
    const logGroup = logs.LogGroup.fromLogGroupName(stack, 'ControlTowerTrail', CONTROL_TOWER_LOG_GROUP);
    const alarms = new SecurityAuditAlarms(stack, 'AuditAlarms', { logGroup, disabledControls: ['CloudWatch.3'], securityEvents: false });
    alarms.addTunedAlarm('CloudWatch.2', { filterPattern: '{ $.errorCode = "AccessDenied*" }', threshold: 10 });
    expect(alarms.controlIds).not.toContain('CloudWatch.3');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Rule', 0);
    expect(Object.keys(template.findResources('AWS::Logs::MetricFilter'))).toHaveLength(15);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnauthorizedAPICallsTuned', Threshold: 10 });
  });

  test('rejects an unknown control and a GuardDuty severity without security events', () => {
    expectValidationError(() => build({ disabledControls: ['CloudWatch.15'] }),
      { path: 'TestStack/AuditAlarms', prop: 'disabledControls', message: /^must contain only known control ids/ });
    expectValidationError(() => build({ securityEvents: false, guardDutyMinimumSeverity: 5 }),
      { path: 'TestStack/AuditAlarms', prop: 'guardDutyMinimumSeverity', message: 'is only used with securityEvents' });
  });
});
