/** Construct-time checks of SecurityAuditTrail props, and the defaults they resolve to. */
import { Duration, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { CisControl } from './cis-control';
import type { SecurityAuditTrailProps } from './security-audit-trail-options';
import { ValidationError, validateDurationRange } from '../shared/validation';

const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const MIN_ARCHIVE = Duration.days(365);
const MAX_ARCHIVE = Duration.days(36500);

export interface ResolvedAuditTrailProps {
  readonly logRetention: logs.RetentionDays;
  readonly archiveExpiration: Duration;
  readonly archiveTransitionAfter: Duration;
  readonly objectLockRetention: s3.ObjectLockRetention;
  readonly disabledControls: ReadonlySet<string>;
}

export function validateAuditTrailProps(
  scope: IConstruct, props: SecurityAuditTrailProps, controls: ReadonlyArray<CisControl>,
): ResolvedAuditTrailProps {
  if (props.trailName !== undefined && !Token.isUnresolved(props.trailName) && !TRAIL_NAME.test(props.trailName)) {
    throw new ValidationError(scope, 'trailName',
      `must be 3 to 128 letters, digits, periods, underscores or dashes, starting and ending with a letter or digit, got '${props.trailName}'`);
  }
  const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
  if (!Token.isUnresolved(logRetention) && logRetention < 365) {
    throw new ValidationError(scope, 'logRetention', `must be at least 365 days (logs.RetentionDays.ONE_YEAR), got ${logRetention} days`);
  }
  const archiveExpiration = props.archiveExpiration ?? Duration.days(2555);
  const archiveTransitionAfter = props.archiveTransitionAfter ?? Duration.days(90);
  // S3 lifecycle rules count whole days.
  validateDurationRange(scope, 'archiveExpiration', archiveExpiration, MIN_ARCHIVE, MAX_ARCHIVE, 'days');
  validateDurationRange(scope, 'archiveTransitionAfter', archiveTransitionAfter, Duration.days(1), MAX_ARCHIVE, 'days');
  if (archiveTransitionAfter.toDays() >= archiveExpiration.toDays()) {
    throw new ValidationError(scope, 'archiveTransitionAfter',
      `must be earlier than archiveExpiration (${archiveExpiration.toHumanString()}), got ${archiveTransitionAfter.toHumanString()}`);
  }
  const objectLockRetention = props.objectLockRetention ?? s3.ObjectLockRetention.governance(Duration.days(365));
  validateDurationRange(scope, 'objectLockRetention', objectLockRetention.duration, Duration.days(1), archiveExpiration);
  validateArchiveSource(scope, props);
  validateOrganization(scope, props);
  const ids = controls.map((c) => c.id);
  const disabledControls = new Set(props.disabledControls ?? []);
  for (const controlId of disabledControls) {
    if (!ids.includes(controlId)) {
      throw new ValidationError(scope, 'disabledControls', `must contain only known control ids (${ids.join(', ')}), got '${controlId}'`);
    }
  }
  validateDataEvents(scope, props);
  if (props.guardDutyMinimumSeverity !== undefined && !Token.isUnresolved(props.guardDutyMinimumSeverity)) {
    const severity = props.guardDutyMinimumSeverity;
    if (!(severity >= 1 && severity <= 8.9)) {
      throw new ValidationError(scope, 'guardDutyMinimumSeverity', `must be between 1 and 8.9, got ${severity}`);
    }
    if (props.securityEvents === false) {
      throw new ValidationError(scope, 'guardDutyMinimumSeverity', 'is only used with securityEvents');
    }
  }
  return { logRetention, archiveExpiration, archiveTransitionAfter, objectLockRetention, disabledControls };
}

function validateArchiveSource(scope: IConstruct, props: SecurityAuditTrailProps): void {
  if (props.replicationKey && !props.replicationBucket) {
    throw new ValidationError(scope, 'replicationKey', 'is only used with replicationBucket');
  }
  if (!props.bucket) return;
  const archiveProps: Array<[string, unknown]> = [
    ['bucketName', props.bucketName], ['accessLogsBucketName', props.accessLogsBucketName],
    ['objectLockRetention', props.objectLockRetention], ['replicationBucket', props.replicationBucket],
    ['archiveTransitionAfter', props.archiveTransitionAfter], ['archiveStorageClass', props.archiveStorageClass],
  ];
  for (const [name, value] of archiveProps) {
    if (value !== undefined) {
      throw new ValidationError(scope, name, 'cannot be combined with bucket: an existing archive bucket keeps its own settings');
    }
  }
}

function validateOrganization(scope: IConstruct, props: SecurityAuditTrailProps): void {
  if (props.organizationTrail) {
    if (props.organizationId === undefined) {
      throw new ValidationError(scope, 'organizationId',
        'is required with organizationTrail: the bucket policy must admit the member accounts\' log files under AWSLogs/<organizationId>/');
    }
    if (!Token.isUnresolved(props.organizationId) && !ORGANIZATION_ID.test(props.organizationId)) {
      throw new ValidationError(scope, 'organizationId', `must look like o-xxxxxxxxxx (o- and 10 to 32 lowercase letters or digits), got '${props.organizationId}'`);
    }
  } else if (props.organizationId !== undefined) {
    throw new ValidationError(scope, 'organizationId', 'is only used with organizationTrail: true');
  }
}

function validateDataEvents(scope: IConstruct, props: SecurityAuditTrailProps): void {
  const data = props.dataEvents;
  if (!data) return;
  if (data.allS3Buckets && data.s3Buckets) {
    throw new ValidationError(scope, 'dataEvents.s3Buckets', 'cannot be combined with dataEvents.allS3Buckets');
  }
  if (data.allLambdaFunctions && data.lambdaFunctions) {
    throw new ValidationError(scope, 'dataEvents.lambdaFunctions', 'cannot be combined with dataEvents.allLambdaFunctions');
  }
  if (data.readWriteType === cloudtrail.ReadWriteType.NONE) {
    throw new ValidationError(scope, 'dataEvents.readWriteType', 'must be READ_ONLY, WRITE_ONLY or ALL; leave dataEvents out to record no data events');
  }
  const selectsS3 = data.allS3Buckets || (data.s3Buckets?.length ?? 0) > 0;
  const selectsLambda = data.allLambdaFunctions || (data.lambdaFunctions?.length ?? 0) > 0;
  if (!selectsS3 && !selectsLambda) {
    throw new ValidationError(scope, 'dataEvents', 'must select S3 buckets or Lambda functions (s3Buckets, allS3Buckets, lambdaFunctions or allLambdaFunctions)');
  }
  const own: Array<[string | undefined, string]> = [
    [props.bucketName ?? (props.bucket && !Token.isUnresolved(props.bucket.bucketName) ? props.bucket.bucketName : undefined), 'archive bucket'],
    [props.accessLogsBucketName, 'access-log bucket'],
  ];
  for (const bucket of data.s3Buckets ?? []) {
    const name = bucket.bucketName;
    for (const [ownName, what] of own) {
      if (ownName !== undefined && !Token.isUnresolved(name) && name === ownName) {
        throw new ValidationError(scope, 'dataEvents.s3Buckets',
          `must not include the trail's own ${what} '${ownName}': CloudTrail would record its own log deliveries (a feedback loop)`);
      }
    }
  }
}
