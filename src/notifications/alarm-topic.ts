import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { SecurityNotifications } from './security-notifications';

/**
 * The topic a construct's alarms and event rules notify when the user passes none: the
 * stack's `SecurityNotifications` (found, or created at the stack root on first use), so a
 * stack has one topic and one key however many constructs it holds. `id` and `displayName`
 * are kept for the callers' sake; the topic is shared.
 */
export function createAlarmTopic(scope: Construct, _id: string, _displayName: string): sns.ITopic {
  return SecurityNotifications.of(scope).topic;
}

const RULES_PER_TOPIC = new WeakMap<sns.ITopic, number>();

/** Lets an EventBridge rule of this account publish to `topic` (the rule ARN is the SourceArn). */
export function allowEventRulePublish(topic: sns.ITopic, ruleArn: string): void {
  // SNS wants unique statement ids; number them in construction order (deterministic).
  const count = (RULES_PER_TOPIC.get(topic) ?? 0) + 1;
  RULES_PER_TOPIC.set(topic, count);
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: count === 1 ? 'AllowEventBridgeRule' : `AllowEventBridgeRule${count}`,
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { ArnEquals: { 'aws:SourceArn': ruleArn } },
  }));
}

/**
 * An EventBridge target that publishes to `topic` without touching its policy. aws-cdk-lib's
 * `SnsTopic` target grants `events.amazonaws.com` publish with no condition, which would let
 * any rule of any account publish; pair this with `allowEventRulePublish` (or use `notifyTopic`).
 */
export function topicTarget(topic: sns.ITopic, message?: events.RuleTargetInput): events.IRuleTarget {
  return { bind: () => ({ arn: topic.topicArn, input: message }) };
}

/** Sends the rule's events to `topic`, admitted by a statement scoped to this rule's ARN. */
export function notifyTopic(rule: events.Rule, topic: sns.ITopic, message?: events.RuleTargetInput): void {
  rule.addTarget(topicTarget(topic, message));
  allowEventRulePublish(topic, rule.ruleArn);
}
