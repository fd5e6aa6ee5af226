import { Duration } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Which data events the trail records. They are selected with advanced event selectors, and the
 * trail's own archive and access-log buckets are always left out: recording the trail's writes
 * to its own bucket would log every log delivery, for ever (a feedback loop).
 */
export interface TrailDataEventOptions {
  /**
   * Record S3 object-level events for these buckets only.
   *
   * Must not include the trail's archive bucket or its access-log bucket.
   *
   * @default - no S3 data events unless `allS3Buckets` is set
   */
  readonly s3Buckets?: s3.IBucket[];

  /**
   * Record S3 object-level events for every bucket, except the trail's own archive and
   * access-log buckets. Cannot be combined with `s3Buckets`.
   *
   * @default false
   */
  readonly allS3Buckets?: boolean;

  /**
   * Record Lambda invocations (`Invoke`) of these functions only.
   *
   * @default - no Lambda data events unless `allLambdaFunctions` is set
   */
  readonly lambdaFunctions?: lambda.IFunction[];

  /**
   * Record Lambda invocations of every function. Cannot be combined with `lambdaFunctions`.
   *
   * @default false
   */
  readonly allLambdaFunctions?: boolean;

  /**
   * Which data events to record: reads, writes or both. `ReadWriteType.NONE` is not allowed here
   * (leave `dataEvents` out instead).
   *
   * @default cloudtrail.ReadWriteType.ALL
   */
  readonly readWriteType?: cloudtrail.ReadWriteType;
}

/**
 * A tuned variant of one control's alarm (extra exclusions, a higher threshold), added next to
 * the exact control alarm.
 */
export interface TunedAlarmOptions {
  /**
   * The metric filter pattern of the variant, for example the published pattern with an
   * exclusion for a known automation role.
   */
  readonly filterPattern: string;

  /**
   * The metric name the variant's filter publishes. Also names the variant's constructs, so
   * each variant of a control needs its own.
   *
   * @default - the control's metric name followed by `Tuned`
   */
  readonly metricName?: string;

  /**
   * The alarm fires when the metric's sum over `period` is at least this. Between 1 and 1000000.
   *
   * @default 1
   */
  readonly threshold?: number;

  /**
   * How many periods in a row must breach before the alarm fires. Between 1 and 100.
   *
   * @default 1
   */
  readonly evaluationPeriods?: number;

  /**
   * The period the metric is summed over. Between 1 minute and 1 day.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;

  /**
   * A description for the alarm.
   *
   * @default - names the control and says that the alarm is a tuned variant
   */
  readonly description?: string;
}

/**
 * The set of metric filter patterns the control alarms use.
 */
export enum CisProfile {
  /**
   * AWS Security Hub's CloudWatch.1 to CloudWatch.14 patterns byte for byte (CIS AWS
   * Foundations Benchmark v1.2.0 and v1.4.0), so Security Hub passes those controls, plus CIS
   * recommendation 4.15 (AWS Organizations changes), which Security Hub does not check.
   */
  SECURITY_HUB = 'security-hub',
}
