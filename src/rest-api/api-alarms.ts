/**
 * The alarms of a HardenedRestApi: 5XX rate, 4XX spike, p99 latency and WAF blocked requests,
 * each to the API's SNS topic.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { HardenedRestApiAlarmOptions } from './hardened-rest-api-alarm-options';

/** What the alarms read from the API (HardenedRestApi is one), so this file need not import it. */
export interface AlarmSource {
  readonly alarmTopic: sns.ITopic;
  metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricBlockedRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

export function createApiAlarms(api: AlarmSource & Construct, props: HardenedRestApiAlarmOptions): cloudwatch.Alarm[] {
  const action = new cwActions.SnsAction(api.alarmTopic);
  const specs: Array<[string, string, cloudwatch.IMetric, number, number, number]> = [
    ['ServerErrorRateAlarm', 'More than the threshold fraction of requests got a 5XX response.',
      api.metricServerError({ statistic: 'Average' }), props.serverErrorRateThreshold ?? 0.05, 3, 2],
    ['ClientErrorRateAlarm', 'A spike of 4XX responses: rejected tokens, validation failures or probing.',
      api.metricClientError({ statistic: 'Average' }), props.clientErrorRateThreshold ?? 0.25, 3, 3],
    ['LatencyP99Alarm', 'The p99 latency is above the threshold (milliseconds).',
      api.metricLatency(), (props.latencyThreshold ?? Duration.seconds(3)).toMilliseconds(), 3, 3],
    ['BlockedRequestsAlarm', 'A spike of requests blocked by the WAF web ACL: an attack or a rule blocking legitimate traffic.',
      api.metricBlockedRequests(), props.blockedRequestsThreshold ?? 1000, 1, 1],
  ];
  return specs.map(([id, description, metric, threshold, periods, datapoints]) => {
    const alarm = new cloudwatch.Alarm(api, id, {
      alarmDescription: `${api.node.path}: ${description}`,
      metric,
      threshold,
      evaluationPeriods: periods,
      datapointsToAlarm: datapoints,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(action);
    return alarm;
  });
}
