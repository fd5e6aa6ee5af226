/** Construct-time checks shared by SecurityAuditTrail and SecurityAuditArchive: trail name, organization id, archive lifecycle. */
import { Duration, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { SecurityAuditArchiveOptions } from './audit-archive-options';
import { ValidationError, validateDurationRange } from '../shared/validation';

const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const MIN_ARCHIVE = Duration.days(365);
const MAX_ARCHIVE = Duration.days(36500);

export function validateTrailName(scope: IConstruct, trailName: string | undefined): void {
  if (trailName !== undefined && !Token.isUnresolved(trailName) && !TRAIL_NAME.test(trailName)) {
    throw new ValidationError(scope, 'trailName',
      `must be 3 to 128 letters, digits, periods, underscores or dashes, starting and ending with a letter or digit, got '${trailName}'`);
  }
}

export function validateOrganizationId(scope: IConstruct, organizationId: string | undefined): void {
  if (organizationId !== undefined && !Token.isUnresolved(organizationId) && !ORGANIZATION_ID.test(organizationId)) {
    throw new ValidationError(scope, 'organizationId', `must look like o-xxxxxxxxxx (o- and 10 to 32 lowercase letters or digits), got '${organizationId}'`);
  }
}

export function validateArchiveLifecycle(scope: IConstruct, props: SecurityAuditArchiveOptions): {
  archiveExpiration: Duration; archiveTransitionAfter: Duration; objectLockRetention: s3.ObjectLockRetention;
} {
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
  if (props.replicationKey && !props.replicationBucket) {
    throw new ValidationError(scope, 'replicationKey', 'is only used with replicationBucket');
  }
  return { archiveExpiration, archiveTransitionAfter, objectLockRetention };
}

