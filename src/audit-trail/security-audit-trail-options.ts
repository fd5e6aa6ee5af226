import { Duration } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SecurityAuditArchiveOptions } from './audit-archive-options';
import type { SecurityAuditArchive } from './security-audit-archive';

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
   * How many periods in a row must breach before the alarm fires. A whole number between 1 and 100.
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

  /**
   * The CIS AWS Foundations Benchmark v5.0.0 patterns (recommendations 4.1 to 4.15) as
   * published: unauthorized API calls exclude S3 log delivery and HeadBucket, security group
   * changes include ModifySecurityGroupRules. Security Hub's CloudWatch.1-14 checks (its CIS
   * v1.2/v1.4 standards) do not recognise these patterns; synthesis says so.
   */
  CIS_V5 = 'cis-v5',
}

/**
 * The CIS controls and account security events, on the log group of a trail: shared by
 * `SecurityAuditTrail` and `SecurityAuditAlarms`.
 */
export interface SecurityAuditControlOptions {
  /**
   * Which CIS patterns the control alarms use.
   *
   * @default CisProfile.SECURITY_HUB
   */
  readonly cisProfile?: CisProfile;

  /**
   * Controls whose metric filter and alarm are not created, for example `['CloudWatch.3']`.
   * Known ids: `CloudWatch.1` to `CloudWatch.14` and `CIS.4.15` (AWS Organizations changes)
   * with `CisProfile.SECURITY_HUB`; `CIS.4.1` to `CIS.4.15` with `CisProfile.CIS_V5`.
   *
   * @default - every control is created
   */
  readonly disabledControls?: string[];

  /**
   * The CloudWatch namespace of the control metrics.
   *
   * @default 'LogMetrics'
   */
  readonly metricNamespace?: string;

  /**
   * Whether to send account security events to `alarmTopic` as they happen, as readable
   * messages: GuardDuty findings of at least `guardDutyMinimumSeverity`, Security Hub findings
   * rated CRITICAL or HIGH, root console sign-ins, and StopLogging, DeleteTrail, UpdateTrail or
   * PutEventSelectors on any trail. The rules only match; GuardDuty and Security Hub must be
   * enabled separately (one per account and Region).
   *
   * @default true
   */
  readonly securityEvents?: boolean;

  /**
   * The lowest GuardDuty finding severity that is sent (GuardDuty rates 1.0 to 8.9: 7 and up
   * is High). Between 1 and 8.9.
   *
   * Allowed: 1 to 8.9.
   *
   * @default 7
   */
  readonly guardDutyMinimumSeverity?: number;

  /**
   * The SNS topic that every control alarm notifies. Security Hub also requires the topic to
   * have at least one subscriber.
   *
   * @default - the stack's `SecurityNotifications` topic
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Properties for a SecurityAuditTrail.
 */
export interface SecurityAuditTrailProps extends SecurityAuditArchiveOptions, SecurityAuditControlOptions {
  /**
   * A name for the trail.
   *
   * @default - a name generated from the construct path
   */
  readonly trailName?: string;

  /**
   * A name for the CloudWatch Logs log group the trail delivers to.
   *
   * @default '/aws/cloudtrail/' followed by the trail name
   */
  readonly logGroupName?: string;

  /**
   * How long the log group keeps events. At least one year (CIS, PCI DSS 10.7).
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * An existing archive bucket to deliver to instead of creating one, for example the
   * organisation's log-archive bucket in another account. Its policy must admit this trail
   * (`cloudtrail.amazonaws.com` with `aws:SourceArn` of the trail); the construct cannot add
   * statements to it and says so at synth. Prefer `archive` (a `SecurityAuditArchive`), whose
   * policies admit the trail by construction. Cannot be combined with the props of the archive
   * it would otherwise create (`bucketName`, `accessLogsBucketName`, `objectLockRetention`,
   * `replicationBucket`, `replicationKey`).
   *
   * @default - a new Object Lock archive bucket and its access-log bucket
   */
  readonly bucket?: s3.IBucket;

  /**
   * The archive this trail delivers to: a `SecurityAuditArchive`, usually in the log-archive
   * account's stack of the same app. Its bucket and key policies already admit this trail (the
   * same statements the construct adds to an archive it creates), so nothing is printed to copy:
   * the trail names the archive bucket and the key's alias ARN, and its stack deploys after the
   * archive's. `trailName` and `organizationId` default to the archive's and must match them.
   * A key of this account (`encryptionKey`, or a new one) encrypts the log group. Cannot be
   * combined with `bucket` or the archive props (`bucketName`, `objectLockRetention`, ...).
   *
   * @default - no separate archive: `bucket`, or a new archive in this stack
   */
  readonly archive?: SecurityAuditArchive;

  /**
   * The KMS key that encrypts the log files and the log group, for example the organisation's
   * log-archive key. A key of another stack or account must already let CloudTrail encrypt for
   * this trail and CloudWatch Logs use it for the log group; the construct says so at synth.
   * With `archive`, this key encrypts the log group only (the log files use the archive's key).
   *
   * @default - a new customer-managed key, rotated, restricted to this trail
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Whether the trail logs every account of the organization. The stack must be deployed in
   * the organization's management account (or a delegated administrator account), and
   * `organizationId` is required.
   *
   * @default false
   */
  readonly organizationTrail?: boolean;

  /**
   * The AWS Organizations id (`o-...`) of the organization; the bucket policy and the CloudWatch
   * Logs role admit the member accounts' log files under it. Required with `organizationTrail`.
   *
   * @default - none; not an organization trail
   */
  readonly organizationId?: string;

  /**
   * S3 and Lambda data events to record, through advanced event selectors.
   *
   * @default - management events only
   */
  readonly dataEvents?: TrailDataEventOptions;

  /**
   * Whether CloudTrail Insights looks for unusual API call and error rates (charged per event analysed).
   *
   * @default false
   */
  readonly insights?: boolean;
}
