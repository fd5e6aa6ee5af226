import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { validateControlOptions } from './audit-trail-validation';
import { CisControlAlarms, resolveCisProfile } from './cis-control-alarms';
import { CisProfile, SecurityAuditControlOptions, TunedAlarmOptions } from './security-audit-trail-options';
import { createAlarmTopic } from '../notifications/alarm-topic';

/**
 * Properties for SecurityAuditAlarms.
 */
export interface SecurityAuditAlarmsProps extends SecurityAuditControlOptions {
  /**
   * The CloudWatch Logs log group an existing trail delivers to, in this stack's account and
   * Region, for example Control Tower's
   * `logs.LogGroup.fromLogGroupName(this, 'ControlTowerTrail', 'aws-controltower/CloudTrailLogs')`
   * in the management account and the landing zone's home Region.
   */
  readonly logGroup: logs.ILogGroup;
}

/**
 * The CIS metric filters and alarms (Security Hub CloudWatch.1 to CloudWatch.14 byte-exact, and
 * CIS 4.15) and the account security events, on the log group of a trail that already exists,
 * such as Control Tower's organization trail (`aws-controltower/CloudTrailLogs` in the
 * management account). No trail, bucket or key is created: the organization's trail keeps
 * paying for itself once, and this adds only the filters, alarms and event rules.
 *
 * `SecurityAuditTrail` creates the same controls, from the same code, on the log group of the
 * trail it creates.
 */
export class SecurityAuditAlarms extends Construct {
  /** The log group the metric filters read. */
  public readonly logGroup: logs.ILogGroup;

  /** The topic that every control alarm notifies. */
  public readonly alarmTopic: sns.ITopic;

  /** The ids of the controls whose exact alarm this construct created, in order. */
  public readonly controlIds: string[];

  /** The EventBridge rules that send account security events to `alarmTopic`. */
  public readonly securityEventRules: events.Rule[];

  /** The CIS profile whose patterns the control alarms use. */
  public readonly cisProfile: CisProfile;

  private readonly controls: CisControlAlarms;

  constructor(scope: Construct, id: string, props: SecurityAuditAlarmsProps) {
    super(scope, id);
    const { profile, controls } = resolveCisProfile(this, props.cisProfile);
    this.cisProfile = profile;
    const disabledControls = validateControlOptions(this, props, controls);
    this.logGroup = props.logGroup;
    this.alarmTopic = props.alarmTopic ?? createAlarmTopic(this, 'AlarmTopic', 'Security audit alarms');
    this.controls = new CisControlAlarms(this, controls, {
      logGroup: props.logGroup,
      alarmTopic: this.alarmTopic,
      disabledControls,
      metricNamespace: props.metricNamespace,
      source: `log group ${props.logGroup.logGroupName}`,
      securityEvents: props.securityEvents ?? true,
      guardDutyMinimumSeverity: props.guardDutyMinimumSeverity ?? 7,
    });
    this.controlIds = this.controls.controlIds;
    this.securityEventRules = this.controls.securityEventRules;
  }

  /** The exact alarm of a control. Throws if the id is unknown or the control is disabled. */
  public alarm(controlId: string): cloudwatch.Alarm {
    return this.controls.alarm(controlId);
  }

  /** The metric that a control's exact metric filter publishes (sum over 5 minutes). */
  public metricControl(controlId: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.controls.metricControl(controlId, props);
  }

  /** Adds a tuned variant of a control's alarm next to the exact one. */
  public addTunedAlarm(controlId: string, options: TunedAlarmOptions): cloudwatch.Alarm {
    return this.controls.addTunedAlarm(controlId, options);
  }
}
