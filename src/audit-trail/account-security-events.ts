import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { validateGuardDutySeverity } from './audit-trail-validation';
import { addAccountSecurityEvents } from './security-event-rules';
import { createAlarmTopic } from '../notifications/alarm-topic';

/**
 * Properties for AccountSecurityEvents.
 */
export interface AccountSecurityEventsProps {
  /**
   * The SNS topic the events are sent to.
   *
   * @default - the stack's `SecurityNotifications` topic
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * The lowest GuardDuty finding severity that is sent (GuardDuty rates 1.0 to 8.9: 7 and up
   * is High).
   *
   * Allowed: 1 to 8.9.
   *
   * @default 7
   */
  readonly guardDutyMinimumSeverity?: number;
}

/**
 * Account security events sent to a topic as they happen, as readable one-line messages:
 * GuardDuty findings of at least `guardDutyMinimumSeverity`, Security Hub findings rated CRITICAL
 * or HIGH, root console sign-ins (in us-east-1, where those events arrive; behind a condition on
 * AWS::Region in a Region-agnostic stack such as a StackSet's) and StopLogging, DeleteTrail,
 * UpdateTrail or PutEventSelectors on any trail.
 *
 * The same rules `SecurityAuditTrail` and `SecurityAuditAlarms` create, without a trail or its
 * log group: for the member accounts of an organization whose trail lives elsewhere (deploy it
 * in every account and Region, for example through a StackSet). The rules only match: GuardDuty
 * and Security Hub must be enabled separately. EventBridge rules have no fixed cost.
 */
export class AccountSecurityEvents extends Construct {
  /** The topic the events are sent to. */
  public readonly alarmTopic: sns.ITopic;

  /** The EventBridge rules that send the events to `alarmTopic`. */
  public readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: AccountSecurityEventsProps = {}) {
    super(scope, id);
    validateGuardDutySeverity(this, props.guardDutyMinimumSeverity);
    this.alarmTopic = props.alarmTopic ?? createAlarmTopic(this, 'AlarmTopic', 'Account security events');
    this.rules = addAccountSecurityEvents(this, this.alarmTopic, props.guardDutyMinimumSeverity ?? 7);
  }
}
