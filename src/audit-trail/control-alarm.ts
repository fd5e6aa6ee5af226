/** One metric filter and its alarm on the trail's log group, notifying the trail's topic. */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CIS_METRIC_VALUE } from './cis-controls';

export interface ControlAlarmOptions {
  readonly logGroup: logs.ILogGroup;
  readonly metricNamespace: string;
  readonly topic: sns.ITopic;
  readonly pattern: string;
  readonly metricName: string;
  readonly description: string;
  readonly threshold?: number;
  readonly evaluationPeriods?: number;
  readonly period?: Duration;
}

export function createControlAlarm(scope: Construct, options: ControlAlarmOptions): cloudwatch.Alarm {
  const filter = new logs.MetricFilter(scope, 'MetricFilter', {
    logGroup: options.logGroup,
    filterPattern: logs.FilterPattern.literal(options.pattern),
    metricNamespace: options.metricNamespace,
    metricName: options.metricName,
    metricValue: CIS_METRIC_VALUE,
  });
  const alarm = new cloudwatch.Alarm(scope, 'Alarm', {
    alarmDescription: options.description,
    metric: filter.metric({ statistic: 'Sum', period: options.period ?? Duration.minutes(5) }),
    threshold: options.threshold ?? 1,
    evaluationPeriods: options.evaluationPeriods ?? 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new cwActions.SnsAction(options.topic));
  return alarm;
}
