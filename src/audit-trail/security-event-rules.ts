/**
 * Account security events sent to the notification topic as they happen, each as a readable
 * one-line message (input transformer): GuardDuty findings at or above a severity, Security Hub
 * findings rated CRITICAL or HIGH, root sign-ins, and changes that stop or narrow the trail.
 *
 * Root sign-ins (a global service) reach EventBridge in us-east-1 only, so that rule exists only
 * there: in a stack of another Region it is left out (synth says so), and in an env-agnostic
 * stack it carries a condition on AWS::Region, so the same template is right wherever it is
 * deployed. The other events reach EventBridge in the Region where they happen, so deploy this
 * in every Region you use (the multi-Region trail covers the CloudWatch Logs alarms).
 */
import { Annotations, Arn, Aws, CfnCondition, CfnResource, Fn, Names, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { allowEventRulePublish, notifyTopic, topicTarget } from '../notifications/alarm-topic';

/** The only Region where EventBridge receives console sign-in events of the root user. */
export const ROOT_SIGN_IN_REGION = 'us-east-1';

const f = (path: string) => events.EventField.fromPath(path);

/** The rules, created under `scope/SecurityEvents`. */
export function addAccountSecurityEvents(scope: Construct, topic: sns.ITopic, guardDutyMinimumSeverity: number): events.Rule[] {
  const parent = new Construct(scope, 'SecurityEvents');
  const rule = (id: string, description: string, eventPattern: events.EventPattern, message: string) => {
    const r = new events.Rule(parent, id, { description, eventPattern });
    notifyTopic(r, topic, events.RuleTargetInput.fromText(message));
    return r;
  };
  const region = Stack.of(scope).region;
  const rootSignInHere = Token.isUnresolved(region) || region === ROOT_SIGN_IN_REGION;
  if (!rootSignInHere) {
    Annotations.of(scope).addInfo(`No root sign-in rule in ${region}: root console sign-in events reach EventBridge ` +
      `in ${ROOT_SIGN_IN_REGION} only, so the rule is created by a stack in ${ROOT_SIGN_IN_REGION}. The CIS root-usage ` +
      'alarm (CloudWatch.1) on the multi-Region trail\'s log group still sees them.');
  }
  const rootSignIn = (id: string, description: string, eventPattern: events.EventPattern, message: string) => (
    Token.isUnresolved(region) ? regionalRule(parent, id, description, eventPattern, message, topic) : rule(id, description, eventPattern, message));
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
    ...(rootSignInHere ? [rootSignIn('RootSignIn', 'Console sign-in by the root user', {
      source: ['aws.signin'],
      detailType: ['AWS Console Sign In via CloudTrail'],
      detail: { userIdentity: { type: ['Root'] } },
    }, `Root user console sign-in to account ${f('$.account')} from ${f('$.detail.sourceIPAddress')} at ${f('$.time')}: ` +
      `${f('$.detail.responseElements.ConsoleLogin')}.`)] : []),
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

/**
 * A rule for an env-agnostic stack, created only when the stack is deployed in us-east-1 (a
 * CfnCondition on AWS::Region, so the template stays right in every Region it is deployed to;
 * a synth-time warning could not know the Region). The topic policy names the rule by an ARN
 * built from its fixed name instead of referencing the rule, which may not exist.
 */
function regionalRule(parent: Construct, id: string, description: string, eventPattern: events.EventPattern,
  message: string, topic: sns.ITopic): events.Rule {
  const stack = Stack.of(parent);
  const condition = (stack.node.tryFindChild('RootSignInRegion') as CfnCondition | undefined)
    ?? new CfnCondition(stack, 'RootSignInRegion', { expression: Fn.conditionEquals(Aws.REGION, ROOT_SIGN_IN_REGION) });
  const ruleName = Names.uniqueResourceName(parent, { maxLength: 50, separator: '-' }) + '-root-sign-in';
  const r = new events.Rule(parent, id, { description, eventPattern, ruleName });
  (r.node.defaultChild as CfnResource).cfnOptions.condition = condition;
  r.addTarget(topicTarget(topic, events.RuleTargetInput.fromText(message)));
  allowEventRulePublish(topic, Arn.format({ service: 'events', resource: 'rule', resourceName: ruleName }, stack));
  Annotations.of(parent).addInfo(`The ${id} rule is created only where this env-agnostic stack is deployed in ${ROOT_SIGN_IN_REGION} ` +
    `(condition RootSignInRegion): root console sign-in events reach EventBridge in ${ROOT_SIGN_IN_REGION} only.`);
  return r;
}
