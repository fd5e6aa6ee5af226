/**
 * The CIS controls on one CloudTrail log group: a metric filter and an alarm per control, tuned
 * variants, and the account security event rules. The one place that creates them, used by
 * `SecurityAuditTrail` (on the log group it creates) and `SecurityAuditAlarms` (on an existing
 * trail's log group). Not a construct of its own: the controls sit directly under their owner
 * (`<owner>/CloudWatch.1/Alarm`), where `SecurityAuditTrail` has always put them, so existing
 * stacks keep their logical ids.
 */
import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ResolvedCisControl } from './cis-control';
import { CIS_METRIC_NAMESPACE, cisControls } from './cis-controls';
import { createControlAlarm } from './control-alarm';
import { CisProfile, TunedAlarmOptions } from './security-audit-trail-options';
import { addAccountSecurityEvents } from './security-event-rules';
import { ValidationError, validateDurationRange, validateIntegerRange, validateNumberRange } from '../shared/validation';

export interface CisControlAlarmsOptions {
  readonly logGroup: logs.ILogGroup;
  readonly alarmTopic: sns.ITopic;
  readonly disabledControls: ReadonlySet<string>;
  readonly metricNamespace?: string;
  /** Ends each alarm description, e.g. `trail audit-trail`. */
  readonly source: string;
  readonly securityEvents: boolean;
  readonly guardDutyMinimumSeverity: number;
}

/** The CIS control set of a profile, with the warning CIS_V5 deserves; call before validating ids. */
export function resolveCisProfile(owner: Construct, profile: CisProfile | undefined):
{ profile: CisProfile; controls: ReadonlyArray<ResolvedCisControl> } {
  const resolved = profile ?? CisProfile.SECURITY_HUB;
  if (resolved === CisProfile.CIS_V5) {
    Annotations.of(owner).addWarningV2('cdk-security-blocks:cisV5Patterns',
      'cisProfile is CIS_V5: Security Hub\'s CloudWatch.1-14 checks (CIS v1.2.0/v1.4.0 standards) look for their own ' +
      'exact patterns and will fail; use CisProfile.SECURITY_HUB where those standards are enabled.');
  }
  return { profile: resolved, controls: cisControls(resolved) };
}

export class CisControlAlarms {
  public readonly controlIds: string[] = [];
  public readonly securityEventRules: events.Rule[];
  private readonly alarms = new Map<string, cloudwatch.Alarm>();
  private readonly tunedMetricNames = new Set<string>();
  private readonly metricNamespace: string;

  constructor(
    private readonly owner: Construct,
    private readonly controls: ReadonlyArray<ResolvedCisControl>,
    private readonly options: CisControlAlarmsOptions,
  ) {
    this.metricNamespace = options.metricNamespace ?? CIS_METRIC_NAMESPACE;
    for (const control of controls) {
      if (options.disabledControls.has(control.id)) {
        if (control.id.startsWith('CloudWatch.')) {
          Annotations.of(owner).addWarningV2(`cdk-security-blocks:disabledSecurityHubControl:${control.id}`,
            `${control.id} is in disabledControls: Security Hub's ${control.id} check fails without its exact metric filter ` +
            'and alarm. To quiet the alarm, keep the control and add a tuned variant with addTunedAlarm instead.');
        }
        continue;
      }
      this.alarms.set(control.id, this.controlAlarm(this.controlScope(control.id), control.pattern, {
        metricName: control.metricName,
        description: `${control.reference}: ${control.title} (${options.source}).`,
      }));
      this.controlIds.push(control.id);
    }
    this.securityEventRules = options.securityEvents
      ? addAccountSecurityEvents(owner, options.alarmTopic, options.guardDutyMinimumSeverity)
      : [];
  }

  public alarm(controlId: string): cloudwatch.Alarm {
    this.requireKnownControl(controlId);
    const alarm = this.alarms.get(controlId);
    if (!alarm) {
      throw new ValidationError(this.owner, 'controlId', `'${controlId}' is in disabledControls, so it has no alarm`);
    }
    return alarm;
  }

  public metricControl(controlId: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const control = this.requireKnownControl(controlId);
    return new cloudwatch.Metric({
      namespace: this.metricNamespace,
      metricName: control.metricName,
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  public addTunedAlarm(controlId: string, options: TunedAlarmOptions): cloudwatch.Alarm {
    const control = this.requireKnownControl(controlId);
    const metricName = options.metricName ?? `${control.metricName}Tuned`;
    if (!Token.isUnresolved(options.filterPattern) && options.filterPattern.trim() === '') {
      throw new ValidationError(this.owner, 'filterPattern', 'must not be empty');
    }
    if (this.tunedMetricNames.has(metricName) || this.controls.some((c) => c.metricName === metricName)) {
      throw new ValidationError(this.owner, 'metricName', `must be unique among this trail's control metrics, got '${metricName}'`);
    }
    validateNumberRange(this.owner, 'threshold', options.threshold, 1, 1_000_000);
    // CloudWatch counts evaluation periods in whole periods.
    validateIntegerRange(this.owner, 'evaluationPeriods', options.evaluationPeriods, 1, 100);
    validateDurationRange(this.owner, 'period', options.period, Duration.minutes(1), Duration.days(1));
    this.tunedMetricNames.add(metricName);
    const scope = new Construct(this.controlScope(controlId), `Tuned${metricName}`);
    return this.controlAlarm(scope, options.filterPattern, {
      metricName,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods,
      period: options.period,
      description: options.description ?? `Tuned variant of ${control.reference}: ${control.title}.`,
    });
  }

  private requireKnownControl(controlId: string): ResolvedCisControl {
    const control = this.controls.find((c) => c.id === controlId);
    if (!control) {
      throw new ValidationError(this.owner, 'controlId', `must be one of ${this.controls.map((c) => c.id).join(', ')}, got '${controlId}'`);
    }
    return control;
  }

  private controlScope(controlId: string): Construct {
    return (this.owner.node.tryFindChild(controlId) as Construct | undefined) ?? new Construct(this.owner, controlId);
  }

  private controlAlarm(scope: Construct, pattern: string, options: {
    metricName: string; description: string; threshold?: number; evaluationPeriods?: number; period?: Duration;
  }): cloudwatch.Alarm {
    return createControlAlarm(scope, {
      logGroup: this.options.logGroup, metricNamespace: this.metricNamespace, topic: this.options.alarmTopic, pattern, ...options,
    });
  }
}
