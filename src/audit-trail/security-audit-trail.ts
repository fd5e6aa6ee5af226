import { Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IDependable } from 'constructs';
import { admitTrailToExistingBucket, createAuditArchive } from './audit-archive';
import { validateAuditTrailProps } from './audit-trail-validation';
import { CisControlAlarms, resolveCisProfile } from './cis-control-alarms';
import { SecurityAuditArchive } from './security-audit-archive';
import { CisProfile, SecurityAuditTrailProps, TunedAlarmOptions } from './security-audit-trail-options';
import { TrailDeliverer, trailArnOf } from './trail-delivery-policy';
import { advancedEventSelectors } from './trail-event-selectors';
import { restrictKeyToTrail } from './trail-key';
import { createTrailLogDelivery } from './trail-log-delivery';
import { warnOfDuplicateTrail } from './trail-pricing';
import { createAlarmTopic } from '../notifications/alarm-topic';
import { allowLogGroupEncryption, createEncryptionKey } from '../shared/encryption-key';
import { ValidationError } from '../shared/validation';

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

  /**
   * The key that encrypts the log files, the archive bucket and the log group; with `archive`,
   * the key of this account that encrypts the log group (the log files use the archive's key).
   */
  public readonly encryptionKey: kms.IKey;

  /** The topic that every control alarm notifies. */
  public readonly alarmTopic: sns.ITopic;

  /** The ids of the controls whose exact alarm this construct created, in order. */
  public readonly controlIds: string[];

  /** The EventBridge rules that send account security events to `alarmTopic` (empty with `securityEvents: false`). */
  public readonly securityEventRules: events.Rule[];

  /** The CIS profile whose patterns the control alarms use. */
  public readonly cisProfile: CisProfile;

  private readonly controls: CisControlAlarms;

  constructor(scope: Construct, id: string, props: SecurityAuditTrailProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const { profile, controls } = resolveCisProfile(this, props.cisProfile);
    this.cisProfile = profile;
    const archive = props.archive;
    if (archive) props = withArchiveDefaults(this, props, archive);
    const v = validateAuditTrailProps(this, props, controls);
    const trailName = props.trailName ?? Names.uniqueResourceName(this, { maxLength: 64 });
    const organizationId = props.organizationTrail ? props.organizationId : undefined;

    this.trailArn = trailArnOf(stack, stack.account, stack.region, trailName);
    const deliverer: TrailDeliverer = { trailArn: this.trailArn, trailName, trailAccount: stack.account, organizationId };
    const logGroupName = props.logGroupName ?? `/aws/cloudtrail/${trailName}`;

    this.encryptionKey = props.encryptionKey
      ?? createEncryptionKey(this, 'Key', archive
        ? 'Encrypts the security audit trail\'s log group (the log files use the archive\'s key)'
        : 'Encrypts the security audit trail: log files, archive bucket and log group');
    let bucketPolicy: IDependable | undefined;
    let logFileKeyArn = this.encryptionKey.keyArn;
    if (archive) {
      // The archive (maybe in another account) already admits this trail: its statements come
      // from the same function. This stack names its bucket and key alias and deploys after it.
      allowLogGroupEncryption(this.encryptionKey, 'AllowCloudWatchLogsForTheTrailLogGroup', logGroupName);
      this.bucket = archive.bucket;
      if (Stack.of(archive) === stack) {
        logFileKeyArn = archive.encryptionKey.keyArn;
        bucketPolicy = archive.bucket.policy;
      } else {
        logFileKeyArn = archive.keyAliasArn(stack);
        stack.addDependency(Stack.of(archive), 'the archive admits the trail before the trail is created');
      }
    } else {
      restrictKeyToTrail(this.encryptionKey, deliverer, logGroupName);
      if (props.bucket) {
        this.bucket = props.bucket;
        admitTrailToExistingBucket(this, props.bucket, deliverer);
        bucketPolicy = props.bucket.policy;
      } else {
        const created = createAuditArchive(this, {
          deliverer,
          encryptionKey: this.encryptionKey,
          bucketName: props.bucketName,
          accessLogsBucketName: props.accessLogsBucketName,
          archiveTransitionAfter: v.archiveTransitionAfter,
          archiveStorageClass: props.archiveStorageClass ?? s3.StorageClass.GLACIER,
          archiveExpiration: v.archiveExpiration,
          objectLockRetention: v.objectLockRetention,
          replicationBucket: props.replicationBucket,
          replicationKey: props.replicationKey,
        });
        this.bucket = created.bucket;
        this.accessLogsBucket = created.accessLogsBucket;
        bucketPolicy = created.bucket.policy;
      }
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
      kmsKeyId: logFileKeyArn,
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

    this.alarmTopic = props.alarmTopic ?? createAlarmTopic(this, 'AlarmTopic', 'Security audit trail');
    this.controls = new CisControlAlarms(this, controls, {
      logGroup: this.logGroup,
      alarmTopic: this.alarmTopic,
      disabledControls: v.disabledControls,
      metricNamespace: props.metricNamespace,
      source: `trail ${trailName}`,
      securityEvents: props.securityEvents ?? true,
      guardDutyMinimumSeverity: props.guardDutyMinimumSeverity ?? 7,
    });
    this.controlIds = this.controls.controlIds;
    this.securityEventRules = this.controls.securityEventRules;
    warnOfDuplicateTrail(this, { createsKey: props.encryptionKey === undefined, alarms: this.controlIds.length });
  }

  /**
   * The exact alarm of a control (`CloudWatch.1` to `CloudWatch.14` and `CIS.4.15` with
   * `CisProfile.SECURITY_HUB`, `CIS.4.1` to `CIS.4.15` with `CisProfile.CIS_V5`).
   * Throws if the id is unknown or the control is disabled.
   */
  public alarm(controlId: string): cloudwatch.Alarm {
    return this.controls.alarm(controlId);
  }

  /**
   * The metric that a control's exact metric filter publishes (sum over 5 minutes).
   */
  public metricControl(controlId: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.controls.metricControl(controlId, props);
  }

  /**
   * Adds a tuned variant of a control's alarm (its own metric filter, metric and alarm) next
   * to the exact one, which stays in place so that Security Hub keeps passing the control.
   * The variant notifies the same topic.
   */
  public addTunedAlarm(controlId: string, options: TunedAlarmOptions): cloudwatch.Alarm {
    return this.controls.addTunedAlarm(controlId, options);
  }

  /**
   * Grants read access to the log files: the archive bucket and decryption with its key.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const grant = this.bucket.grantRead(grantee);
    if (this.bucket.encryptionKey !== this.encryptionKey) this.encryptionKey.grantDecrypt(grantee);
    return grant;
  }
}

/**
 * With `archive`, the trail's name and organization come from the archive unless given, and
 * must agree with it: the archive's policies admit exactly that trail.
 */
function withArchiveDefaults(scope: Construct, props: SecurityAuditTrailProps, archive: SecurityAuditArchive): SecurityAuditTrailProps {
  const stack = Stack.of(scope);
  const archiveStack = Stack.of(archive);
  const mismatch = (prop: string, expected: string | undefined, got: string | undefined) => {
    if (expected !== undefined && got !== undefined && !Token.isUnresolved(expected) && !Token.isUnresolved(got) && expected !== got) {
      throw new ValidationError(scope, prop, `must match the archive's ${prop} '${expected}' (the archive admits that trail only), got '${got}'`);
    }
  };
  mismatch('trailName', archive.trailName, props.trailName);
  mismatch('organizationId', archive.organizationId, props.organizationId);
  if (props.organizationTrail && archive.organizationId === undefined) {
    throw new ValidationError(scope, 'organizationTrail', 'needs an archive that admits the organization: pass organizationId to the SecurityAuditArchive');
  }
  for (const [what, admitted, own] of [['account', archive.trailAccount, stack.account], ['Region', archive.trailRegion, stack.region]]) {
    if (!Token.isUnresolved(admitted) && !Token.isUnresolved(own) && admitted !== own) {
      throw new ValidationError(scope, 'archive', `admits a trail in ${what} ${admitted}, but this trail's stack is in ${what} ${own}: set trail${what === 'account' ? 'Account' : 'Region'} on the SecurityAuditArchive`);
    }
  }
  if (archiveStack !== stack && (Token.isUnresolved(archiveStack.account) || Token.isUnresolved(archiveStack.region))) {
    throw new ValidationError(scope, 'archive', 'must be in a stack with a concrete account and Region (env), so that this trail can name its bucket and key');
  }
  return {
    ...props,
    trailName: props.trailName ?? archive.trailName,
    organizationTrail: props.organizationTrail ?? archive.organizationId !== undefined,
    organizationId: props.organizationId ?? archive.organizationId,
  };
}
