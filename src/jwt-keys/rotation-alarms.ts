/**
 * How a RotatingJwtSecret reports a rotation that did not happen: an alarm on the function's
 * errors, and a rule on Secrets Manager's RotationFailed event for this secret, both notifying
 * the alarm topic.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { allowEventRulePublish, topicTarget } from '../notifications/alarm-topic';

export interface RotationAlarms {
  readonly errorsAlarm: cloudwatch.Alarm;
  readonly failedRule: events.Rule;
}

export function createRotationAlarms(scope: Construct, errors: cloudwatch.IMetric, secretArn: string, topic: sns.ITopic): RotationAlarms {
  const errorsAlarm = new cloudwatch.Alarm(scope, 'RotationErrorsAlarm', {
    alarmDescription: 'The JWT signing key rotation function reported an error: the key ring was not rotated.',
    metric: errors,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  errorsAlarm.addAlarmAction(new cwActions.SnsAction(topic));

  const failedRule = new events.Rule(scope, 'RotationFailedRule', {
    description: 'Secrets Manager reported RotationFailed for the JWT signing key ring',
    eventPattern: {
      source: ['aws.secretsmanager'],
      detailType: ['AWS Service Event via CloudTrail'],
      detail: {
        eventSource: ['secretsmanager.amazonaws.com'],
        eventName: ['RotationFailed'],
        additionalEventData: { SecretId: [secretArn] },
      },
    },
  });
  failedRule.addTarget(topicTarget(topic));
  allowEventRulePublish(topic, failedRule.ruleArn);
  return { errorsAlarm, failedRule };
}
