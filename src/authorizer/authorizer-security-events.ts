/**
 * Security events from the JwtAuthorizer's log: one metric filter per event type (reason codes
 * grouped, see `authorizer-event-types.ts`), and alarms for forgery spikes and for the
 * conditions that deny every request (keys unavailable, invalid configuration).
 */
import { Duration, Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { AUTHORIZER_EVENT_TYPES, KeySource, denyFilterPattern, meaningOf } from './authorizer-event-types';

/** What `addAuthorizerSecurityEvents` created, for dashboards and tests. */
export interface AuthorizerSecurityEvents {
  readonly namespace: string;
  /** Sum over 5 minutes of each event type, by metric name. */
  readonly metrics: ReadonlyMap<string, cloudwatch.Metric>;
  readonly alarms: ReadonlyArray<cloudwatch.Alarm>;
}

/** A forgery spike: this many forged tokens in 5 minutes. */
export const FORGERY_SPIKE_THRESHOLD = 10;

const REGISTRY = new WeakMap<IConstruct, AuthorizerSecurityEvents>();

/** The security events of an authorizer construct, if it has them. */
export function authorizerSecurityEventsOf(authorizer: IConstruct): AuthorizerSecurityEvents | undefined {
  return REGISTRY.get(authorizer);
}

/**
 * Adds the filters and alarms under `<authorizer>/SecurityEvents`. Metrics go to a namespace
 * of their own per authorizer (metric filters cannot set a constant dimension), named after
 * the construct path.
 */
export function addAuthorizerSecurityEvents(
  authorizer: Construct, logGroup: logs.ILogGroup, topic: sns.ITopic, keySource: KeySource,
): AuthorizerSecurityEvents {
  const scope = new Construct(authorizer, 'SecurityEvents');
  const namespace = `SecurityBlocks/JwtAuthorizer/${Names.uniqueResourceName(authorizer, { maxLength: 200 })}`;
  const metrics = new Map<string, cloudwatch.Metric>();
  for (const type of AUTHORIZER_EVENT_TYPES) {
    const filter = new logs.MetricFilter(scope, type.metricName, {
      logGroup,
      filterPattern: logs.FilterPattern.literal(denyFilterPattern(type.reasons)),
      metricNamespace: namespace,
      metricName: type.metricName,
      metricValue: '1',
    });
    metrics.set(type.metricName, filter.metric({ statistic: 'Sum', period: Duration.minutes(5) }));
  }
  const action = new cwActions.SnsAction(topic);
  const alarm = (id: string, metricName: string, threshold: number, description: string) => {
    const a = new cloudwatch.Alarm(scope, id, {
      alarmDescription: `${authorizer.node.path}: ${description}`,
      metric: metrics.get(metricName)!,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    a.addAlarmAction(action);
    return a;
  };
  const events: AuthorizerSecurityEvents = {
    namespace,
    metrics,
    alarms: [
      alarm('ForgedTokensAlarm', 'ForgedTokens', FORGERY_SPIKE_THRESHOLD,
        `HIGH: ${FORGERY_SPIKE_THRESHOLD} or more forged tokens in 5 minutes (bad signature, unknown key, wrong algorithm).`),
      // Where the keys come from decides what failed, so the description says it for this authorizer.
      alarm('KeysUnavailableAlarm', 'KeysUnavailable', 1, `CRITICAL: ${meaningOf(typeNamed('KeysUnavailable'), keySource)}.`),
      alarm('ConfigInvalidAlarm', 'ConfigInvalid', 1,
        'CRITICAL: the authorizer configuration is invalid or the handler failed; every request is denied.'),
    ],
  };
  REGISTRY.set(authorizer, events);
  return events;
}

function typeNamed(metricName: string) {
  return AUTHORIZER_EVENT_TYPES.find((t) => t.metricName === metricName)!;
}
