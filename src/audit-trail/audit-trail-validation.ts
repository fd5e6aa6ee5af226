/** Construct-time checks of SecurityAuditTrail props, and the defaults they resolve to. */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { validateArchiveLifecycle, validateOrganizationId, validateTrailName } from './archive-validation';
import { CisControl } from './cis-control';
import type { SecurityAuditControlOptions, SecurityAuditTrailProps } from './security-audit-trail-options';
import { isStackSetStack } from '../shared/stack-set';
import { ValidationError } from '../shared/validation';


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
  validateTrailName(scope, props.trailName);
  const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
  if (!Token.isUnresolved(logRetention) && logRetention < 365) {
    throw new ValidationError(scope, 'logRetention', `must be at least 365 days (logs.RetentionDays.ONE_YEAR), got ${logRetention} days`);
  }
  const lifecycle = validateArchiveLifecycle(scope, props);
  validateArchiveSource(scope, props);
  validateOrganization(scope, props);
  const disabledControls = validateControlOptions(scope, props, controls);
  validateDataEvents(scope, props);
  return { logRetention, ...lifecycle, disabledControls };
}

export function validateControlOptions(
  scope: IConstruct, props: SecurityAuditControlOptions, controls: ReadonlyArray<CisControl>,
): ReadonlySet<string> {
  const ids = controls.map((c) => c.id);
  const disabledControls = new Set(props.disabledControls ?? []);
  for (const controlId of disabledControls) {
    if (!ids.includes(controlId)) {
      throw new ValidationError(scope, 'disabledControls', `must contain only known control ids (${ids.join(', ')}), got '${controlId}'`);
    }
  }
  if (props.guardDutyMinimumSeverity !== undefined && !Token.isUnresolved(props.guardDutyMinimumSeverity)) {
    validateGuardDutySeverity(scope, props.guardDutyMinimumSeverity);
    if (props.securityEvents === false) {
      throw new ValidationError(scope, 'guardDutyMinimumSeverity', 'is only used with securityEvents');
    }
  }
  return disabledControls;
}

function validateArchiveSource(scope: IConstruct, props: SecurityAuditTrailProps): void {
  if (props.bucket && props.archive) {
    throw new ValidationError(scope, 'bucket', 'cannot be combined with archive: the archive brings its own bucket');
  }
  const source = props.archive ? 'archive' : props.bucket ? 'bucket' : undefined;
  if (!source) return;
  const archiveProps: Array<[string, unknown]> = [
    ['bucketName', props.bucketName], ['accessLogsBucketName', props.accessLogsBucketName],
    ['objectLockRetention', props.objectLockRetention], ['replicationBucket', props.replicationBucket],
    ['archiveTransitionAfter', props.archiveTransitionAfter], ['archiveStorageClass', props.archiveStorageClass],
  ];
  for (const [name, value] of archiveProps) {
    if (value !== undefined) {
      throw new ValidationError(scope, name, `cannot be combined with ${source}: an existing archive bucket keeps its own settings`);
    }
  }
}

function validateOrganization(scope: IConstruct, props: SecurityAuditTrailProps): void {
  if (props.organizationTrail) {
    if (isStackSetStack(Stack.of(scope))) {
      // A StackSet deploys to every member account; an organization trail exists once.
      throw new ValidationError(scope, 'organizationTrail',
        'cannot be used in a StackSet stack: an organization trail is created once, in the management account (or the CloudTrail delegated '
        + 'administrator account), not in every member account. Deploy it in an ordinary stack there, or use SecurityAuditAlarms in the StackSet');
    }
    if (props.organizationId === undefined) {
      throw new ValidationError(scope, 'organizationId',
        'is required with organizationTrail: the bucket policy must admit the member accounts\' log files under AWSLogs/<organizationId>/');
    }
    validateOrganizationId(scope, props.organizationId);
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

/** GuardDuty rates findings 1.0 to 8.9; a decimal is fine (5.3 is a real severity). */
export function validateGuardDutySeverity(scope: IConstruct, severity: number | undefined): void {
  if (severity !== undefined && !Token.isUnresolved(severity) && !(severity >= 1 && severity <= 8.9)) {
    throw new ValidationError(scope, 'guardDutyMinimumSeverity', `must be between 1 and 8.9, got ${severity}`);
  }
}
