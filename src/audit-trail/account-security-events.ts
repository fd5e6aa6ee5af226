/**
 * Account security events sent to the notification topic as they happen, each as a readable
 * one-line message (input transformer): GuardDuty findings at or above a severity, Security Hub
 * findings rated CRITICAL or HIGH, root sign-ins, and changes that stop or narrow the trail.
 *
 * Root sign-ins (a global service) reach EventBridge in us-east-1 only; the other events reach
 * EventBridge in the Region where they happen, so deploy this in every Region you use (the
 * multi-Region trail covers the CloudWatch Logs alarms).
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { notifyTopic } from '../notifications/alarm-topic';

const f = (path: string) => events.EventField.fromPath(path);

/** The rules, created under `scope/SecurityEvents`. */
export function addAccountSecurityEvents(scope: Construct, topic: sns.ITopic, guardDutyMinimumSeverity: number): events.Rule[] {
  const parent = new Construct(scope, 'SecurityEvents');
  const rule = (id: string, description: string, eventPattern: events.EventPattern, message: string) => {
    const r = new events.Rule(parent, id, { description, eventPattern });
    notifyTopic(r, topic, events.RuleTargetInput.fromText(message));
    return r;
  };
  return [
    rule('GuardDutyFindings', `GuardDuty findings of severity ${guardDutyMinimumSeverity} or more`, {
      source: ['aws.guardduty'],
      detailType: ['GuardDuty Finding'],
      detail: { severity: [{ numeric: ['>=', guardDutyMinimumSeverity] }] },
    }, `GuardDuty finding, severity ${f('$.detail.severity')}, in account ${f('$.account')} (${f('$.region')}): ` +
      `${f('$.detail.type')}: ${f('$.detail.title')}. Finding id ${f('$.detail.id')}.`),
    rule('SecurityHubFindings', 'Security Hub findings rated CRITICAL or HIGH, new and active', {
      source: ['aws.securityhub'],
      detailType: ['Security Hub Findings - Imported'],
      detail: {
        findings: {
          Severity: { Label: ['CRITICAL', 'HIGH'] },
          Workflow: { Status: ['NEW'] },
          RecordState: ['ACTIVE'],
        },
      },
    }, `Security Hub ${f('$.detail.findings[0].Severity.Label')} finding in account ${f('$.detail.findings[0].AwsAccountId')} ` +
      `(${f('$.region')}): ${f('$.detail.findings[0].Title')}. Resource ${f('$.detail.findings[0].Resources[0].Id')}.`),
    rule('RootSignIn', 'Console sign-in by the root user', {
      source: ['aws.signin'],
      detailType: ['AWS Console Sign In via CloudTrail'],
      detail: { userIdentity: { type: ['Root'] } },
    }, `Root user console sign-in to account ${f('$.account')} from ${f('$.detail.sourceIPAddress')} at ${f('$.time')}: ` +
      `${f('$.detail.responseElements.ConsoleLogin')}.`),
    rule('TrailTampering', 'A trail was stopped, deleted, changed or had its event selectors changed', {
      source: ['aws.cloudtrail'],
      detailType: ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['cloudtrail.amazonaws.com'],
        eventName: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'],
      },
    }, `CloudTrail ${f('$.detail.eventName')} on ${f('$.detail.requestParameters.name')} in account ${f('$.account')} ` +
      `(${f('$.region')}) by ${f('$.detail.userIdentity.arn')} at ${f('$.time')}.`),
  ];
}
