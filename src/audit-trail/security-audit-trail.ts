import { Annotations, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IDependable } from 'constructs';
import { addAccountSecurityEvents } from './account-security-events';
import { admitTrailToExistingBucket, createAuditArchive } from './audit-archive';
import { validateAuditTrailProps } from './audit-trail-validation';
import { ResolvedCisControl } from './cis-control';
import { CIS_METRIC_NAMESPACE, cisControls } from './cis-controls';
import { createControlAlarm } from './control-alarm';
import { CisProfile, SecurityAuditTrailProps, TunedAlarmOptions } from './security-audit-trail-options';
import { advancedEventSelectors } from './trail-event-selectors';
import { restrictKeyToTrail } from './trail-key';
import { createTrailLogDelivery } from './trail-log-delivery';
import { createAlarmTopic } from '../notifications/alarm-topic';
import { createEncryptionKey } from '../shared/encryption-key';
import { ValidationError, validateDurationRange, validateNumberRange } from '../shared/validation';

/**
 * A CloudTrail trail with a write-once archive, and the CloudWatch metric filters and alarms
 * that AWS Security Hub checks (CloudWatch.1 to CloudWatch.14, byte-exact) plus the CIS AWS
 * Organizations changes alarm, all notifying the stack's security notifications.
 *
 * The trail is multi-Region, records global service events and all management events, and
 * validates log files. It encrypts with a customer-managed key whose policy lets CloudTrail
 * encrypt for this trail only and denies grants that are not for AWS services. It delivers
 * to a versioned, Object Lock, SSE-KMS, SSL-only archive bucket with ACLs disabled, a lifecycle,
 * server access logs and optional replication to another Region (or to an existing central
 * archive), and to an encrypted log group through a role that can write to that log group only.
 *
 * GuardDuty and Security Hub are one-per-account-and-Region settings and are not enabled here.
 */
export class SecurityAuditTrail extends Construct {
  /** The trail. */
  public readonly trail: cloudtrail.CfnTrail;

  /** The trail's ARN. */
  public readonly trailArn: string;

  /** The archive bucket that receives the log files (created, or the one passed as `bucket`). */
  public readonly bucket: s3.IBucket;

  /** The bucket that receives the archive bucket's server access logs, when the construct created the archive. */
  public readonly accessLogsBucket?: s3.IBucket;

  /** The log group the trail delivers to, which the control metric filters read. */
  public readonly logGroup: logs.LogGroup;

  /** The role CloudTrail assumes to write to `logGroup`. */
  public readonly cloudWatchLogsRole: iam.Role;

  /** The key that encrypts the log files, the archive bucket and the log group. */
  public readonly encryptionKey: kms.IKey;

  /** The topic that every control alarm notifies. */
  public readonly alarmTopic: sns.ITopic;

  /** The ids of the controls whose exact alarm this construct created, in order. */
  public readonly controlIds: string[];

  /** The EventBridge rules that send account security events to `alarmTopic` (empty with `securityEvents: false`). */
  public readonly securityEventRules: events.Rule[];

  /** The CIS profile whose patterns the control alarms use. */
  public readonly cisProfile: CisProfile;

  private readonly alarms = new Map<string, cloudwatch.Alarm>();
  private readonly metricNamespace: string;
  private readonly tunedMetricNames = new Set<string>();
  private readonly controls: ReadonlyArray<ResolvedCisControl>;

  constructor(scope: Construct, id: string, props: SecurityAuditTrailProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.cisProfile = props.cisProfile ?? CisProfile.SECURITY_HUB;
    this.controls = cisControls(this.cisProfile);
    if (this.cisProfile === CisProfile.CIS_V5) {
      Annotations.of(this).addWarningV2('cdk-security-blocks:cisV5Patterns',
        'cisProfile is CIS_V5: Security Hub\'s CloudWatch.1-14 checks (CIS v1.2.0/v1.4.0 standards) look for their own ' +
        'exact patterns and will fail; use CisProfile.SECURITY_HUB where those standards are enabled.');
    }
    const v = validateAuditTrailProps(this, props, this.controls);
    const trailName = props.trailName ?? Names.uniqueResourceName(this, { maxLength: 64 });
    const organizationId = props.organizationTrail ? props.organizationId : undefined;

    this.trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName });
    const logGroupName = props.logGroupName ?? `/aws/cloudtrail/${trailName}`;

    this.encryptionKey = props.encryptionKey
      ?? createEncryptionKey(this, 'Key', 'Encrypts the security audit trail: log files, archive bucket and log group');
    restrictKeyToTrail(this.encryptionKey, this.trailArn, trailName, logGroupName);

    let bucketPolicy: IDependable | undefined;
    if (props.bucket) {
      this.bucket = props.bucket;
      admitTrailToExistingBucket(this, props.bucket, this.trailArn, organizationId);
      bucketPolicy = props.bucket.policy;
    } else {
      const archive = createAuditArchive(this, {
        trailArn: this.trailArn,
        encryptionKey: this.encryptionKey,
        bucketName: props.bucketName,
        accessLogsBucketName: props.accessLogsBucketName,
        archiveTransitionAfter: v.archiveTransitionAfter,
        archiveStorageClass: props.archiveStorageClass ?? s3.StorageClass.GLACIER,
        archiveExpiration: v.archiveExpiration,
        objectLockRetention: v.objectLockRetention,
        organizationId,
        replicationBucket: props.replicationBucket,
        replicationKey: props.replicationKey,
      });
      this.bucket = archive.bucket;
      this.accessLogsBucket = archive.accessLogsBucket;
      bucketPolicy = archive.bucket.policy;
    }

    const delivery = createTrailLogDelivery(this, {
      trailName, logGroupName, retention: v.logRetention, encryptionKey: this.encryptionKey, organizationId,
    });
    this.logGroup = delivery.logGroup;
    this.cloudWatchLogsRole = delivery.role;

    const data = props.dataEvents;
    this.trail = new cloudtrail.CfnTrail(this, 'Resource', {
      trailName,
      isLogging: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      isOrganizationTrail: props.organizationTrail ? true : undefined,
      kmsKeyId: this.encryptionKey.keyArn,
      s3BucketName: this.bucket.bucketName,
      cloudWatchLogsLogGroupArn: this.logGroup.logGroupArn,
      cloudWatchLogsRoleArn: this.cloudWatchLogsRole.roleArn,
      eventSelectors: data ? undefined : [{ readWriteType: cloudtrail.ReadWriteType.ALL, includeManagementEvents: true }],
      advancedEventSelectors: data ? advancedEventSelectors({
        s3BucketArns: (data.s3Buckets ?? []).map((b) => b.bucketArn),
        allS3Buckets: data.allS3Buckets ?? false,
        ownBucketArns: [this.bucket.bucketArn, ...(this.accessLogsBucket ? [this.accessLogsBucket.bucketArn] : [])],
        lambdaFunctionArns: (data.lambdaFunctions ?? []).map((f) => f.functionArn),
        allLambdaFunctions: data.allLambdaFunctions ?? false,
        readWriteType: data.readWriteType,
      }) : undefined,
      insightSelectors: props.insights ? [{ insightType: 'ApiCallRateInsight' }, { insightType: 'ApiErrorRateInsight' }] : undefined,
    });
    // CloudTrail checks at creation that it can write to the bucket and assume the role.
    this.trail.node.addDependency(...(bucketPolicy ? [bucketPolicy] : []), delivery.policy);

    this.metricNamespace = props.metricNamespace ?? CIS_METRIC_NAMESPACE;
    this.alarmTopic = props.alarmTopic ?? createAlarmTopic(this, 'AlarmTopic', 'Security audit trail');
    this.controlIds = [];
    for (const control of this.controls) {
      if (v.disabledControls.has(control.id)) {
        if (control.id.startsWith('CloudWatch.')) {
          Annotations.of(this).addWarningV2(`cdk-security-blocks:disabledSecurityHubControl:${control.id}`,
            `${control.id} is in disabledControls: Security Hub's ${control.id} check fails without its exact metric filter ` +
            'and alarm. To quiet the alarm, keep the control and add a tuned variant with addTunedAlarm instead.');
        }
        continue;
      }
      this.alarms.set(control.id, this.controlAlarm(this.controlScope(control.id), control.pattern, {
        metricName: control.metricName,
        description: `${control.reference}: ${control.title} (trail ${trailName}).`,
      }));
      this.controlIds.push(control.id);
    }
    this.securityEventRules = (props.securityEvents ?? true)
      ? addAccountSecurityEvents(this, this.alarmTopic, props.guardDutyMinimumSeverity ?? 7)
      : [];
  }

  /**
   * The exact alarm of a control (`CloudWatch.1` to `CloudWatch.14` and `CIS.4.15` with
   * `CisProfile.SECURITY_HUB`, `CIS.4.1` to `CIS.4.15` with `CisProfile.CIS_V5`).
   * Throws if the id is unknown or the control is disabled.
   */
  public alarm(controlId: string): cloudwatch.Alarm {
    this.requireKnownControl(controlId);
    const alarm = this.alarms.get(controlId);
    if (!alarm) {
      throw new ValidationError(this, 'controlId', `'${controlId}' is in disabledControls, so it has no alarm`);
    }
    return alarm;
  }

  /**
   * The metric that a control's exact metric filter publishes (sum over 5 minutes).
   */
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

  /**
   * Adds a tuned variant of a control's alarm (its own metric filter, metric and alarm) next
   * to the exact one, which stays in place so that Security Hub keeps passing the control.
   * The variant notifies the same topic.
   */
  public addTunedAlarm(controlId: string, options: TunedAlarmOptions): cloudwatch.Alarm {
    const control = this.requireKnownControl(controlId);
    const metricName = options.metricName ?? `${control.metricName}Tuned`;
    if (!Token.isUnresolved(options.filterPattern) && options.filterPattern.trim() === '') {
      throw new ValidationError(this, 'filterPattern', 'must not be empty');
    }
    if (this.tunedMetricNames.has(metricName) || this.controls.some((c) => c.metricName === metricName)) {
      throw new ValidationError(this, 'metricName', `must be unique among this trail's control metrics, got '${metricName}'`);
    }
    validateNumberRange(this, 'threshold', options.threshold, 1, 1_000_000);
    validateNumberRange(this, 'evaluationPeriods', options.evaluationPeriods, 1, 100);
    validateDurationRange(this, 'period', options.period, Duration.minutes(1), Duration.days(1));
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

  /**
   * Grants read access to the log files: the archive bucket and decryption with its key.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const grant = this.bucket.grantRead(grantee);
    if (this.bucket.encryptionKey !== this.encryptionKey) this.encryptionKey.grantDecrypt(grantee);
    return grant;
  }

  private requireKnownControl(controlId: string): ResolvedCisControl {
    const control = this.controls.find((c) => c.id === controlId);
    if (!control) {
      throw new ValidationError(this, 'controlId', `must be one of ${this.controls.map((c) => c.id).join(', ')}, got '${controlId}'`);
    }
    return control;
  }

  private controlScope(controlId: string): Construct {
    return (this.node.tryFindChild(controlId) as Construct | undefined) ?? new Construct(this, controlId);
  }

  private controlAlarm(scope: Construct, pattern: string, options: {
    metricName: string; description: string; threshold?: number; evaluationPeriods?: number; period?: Duration;
  }): cloudwatch.Alarm {
    return createControlAlarm(scope, {
      logGroup: this.logGroup, metricNamespace: this.metricNamespace, topic: this.alarmTopic, pattern, ...options,
    });
  }
}
