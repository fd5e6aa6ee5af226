/**
 * The Control Tower controls the library's default configurations fail on purpose. The README's
 * "Control Tower proactive controls" table renders exactly these rows (a test keeps the two equal).
 * A resource is `<LibraryClass>/<construct path below it>`; `*` stands for one path segment that
 * depends on the stack (CDK's unique ids).
 */
import { ControlViolation } from './control-tower';

export interface ControlAllowance {
  readonly control: string;
  readonly resource: string;
  readonly why: string;
}

const OUTSIDE_VPC = 'Outside a VPC by default: the function needs only AWS APIs, and a VPC would need NAT or interface endpoints (a fixed monthly cost).';

/** What the audit archive's access-log bucket fails on purpose, wherever the archive is created. */
const AUDIT_ACCESS_LOGS: ReadonlyArray<Omit<ControlAllowance, 'resource'>> = [
  {
    control: 'CT.S3.PR.9',
    why: 'The S3 server access log destination: S3 does not deliver access logs to a bucket with an Object Lock default retention, and without one Object Lock protects no log object.',
  },
  {
    control: 'CT.S3.PR.10',
    why: 'The S3 server access log destination: S3 delivers access logs only to buckets encrypted with SSE-S3, not SSE-KMS.',
  },
  {
    control: 'CT.S3.PR.2',
    why: 'It is the access log destination of the audit archive; logging it too would need yet another bucket (and that one another).',
  },
];

export const CONTROL_TOWER_ALLOWANCES: readonly ControlAllowance[] = [
  { control: 'CT.LAMBDA.PR.3', resource: 'RotatingJwtSecret/RotationFunction/Resource/Resource', why: `${OUTSIDE_VPC} Pass \`rotationFunction: { vpc }\` to place it in yours.` },
  { control: 'CT.LAMBDA.PR.3', resource: 'JwtAuthorizer/Function/Resource/Resource', why: `${OUTSIDE_VPC} Pass \`functionOptions: { vpc }\` (HardenedRestApi: \`authorizerFunction: { vpc }\`) to place it in yours.` },
  // The audit archive's access-log bucket, in the trail's own archive and in SecurityAuditArchive.
  ...['SecurityAuditTrail', 'SecurityAuditArchive'].flatMap((owner) => AUDIT_ACCESS_LOGS.map((a) => ({ ...a, resource: `${owner}/AccessLogsBucket/Resource` }))),
  {
    control: 'CT.S3.PR.9',
    resource: 'RotatingJwtSecret/JwksAccessLogsBucket/Resource',
    why: 'The S3 server access log destination of the JWKS bucket (ES256, EdDSA): S3 does not deliver access logs to a bucket with an Object Lock default retention.',
  },
  {
    control: 'CT.S3.PR.10',
    resource: 'RotatingJwtSecret/JwksBucket/Resource',
    why: 'ES256, EdDSA: the bucket holds only the published public keys (a JWKS, public members only); SSE-KMS would make every verifier need kms:Decrypt and rule out serving it through CloudFront.',
  },
  {
    control: 'CT.S3.PR.10',
    resource: 'RotatingJwtSecret/JwksAccessLogsBucket/Resource',
    why: 'The S3 server access log destination of the JWKS bucket: S3 delivers access logs only to buckets encrypted with SSE-S3, not SSE-KMS.',
  },
  {
    control: 'CT.S3.PR.2',
    resource: 'RotatingJwtSecret/JwksAccessLogsBucket/Resource',
    why: 'It is the access log destination of the JWKS bucket; logging it too would need yet another bucket (and that one another).',
  },
];

/**
 * Failing controls whose fix is cheap and belongs in the construct (reported in issue 14 for the
 * constructs' owners). They are not allowances: `test.failing` keeps them visible and fails once
 * the construct is fixed, so the entry gets removed then.
 */
export const PENDING_CONSTRUCT_FIXES: ReadonlyArray<{ readonly control: string; readonly resource: string; readonly fix: string }> = [];

/** Whether `violation` is the control and resource an entry names (`*` = one stack-dependent segment). */
export function matches(entry: { readonly control: string; readonly resource: string }, violation: ControlViolation): boolean {
  if (entry.control !== violation.control) return false;
  const pattern = new RegExp(`^${entry.resource.split('*').map(escapeRegExp).join('[^/]*')}$`);
  return pattern.test(violation.resource);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
