import { PhysicalName, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { validateArchiveLifecycle, validateOrganizationId, validateTrailName } from './archive-validation';
import { createAuditArchive } from './audit-archive';
import { SecurityAuditArchiveOptions } from './audit-archive-options';
import { TrailDeliverer, trailArnOf } from './trail-delivery-policy';
import { allowTrailToEncrypt } from './trail-key';
import { createEncryptionKey } from '../shared/encryption-key';
import { ValidationError } from '../shared/validation';

/**
 * Properties for a SecurityAuditArchive.
 */
export interface SecurityAuditArchiveProps extends SecurityAuditArchiveOptions {
  /**
   * The name of the trail that delivers here (`SecurityAuditTrail`'s `trailName`). The bucket
   * and key policies admit this trail only (`aws:SourceArn`), so the name is fixed on both sides.
   */
  readonly trailName: string;

  /**
   * The account that owns the trail: the organization's management account, or the delegated
   * administrator account for CloudTrail.
   *
   * @default - this stack's account
   */
  readonly trailAccount?: string;

  /**
   * The trail's home Region.
   *
   * @default - this stack's Region
   */
  readonly trailRegion?: string;

  /**
   * The AWS Organizations id (`o-...`) when the trail is an organization trail: the bucket
   * policy then also admits the member accounts' log files under `AWSLogs/<organizationId>/`.
   *
   * @default - not an organization trail: only `AWSLogs/<trailAccount>/` is admitted
   */
  readonly organizationId?: string;

  /**
   * The alias of the key that encrypts the log files, which the trail names (a trail in another
   * account can name a key by alias ARN, known before deployment). Must start with `alias/`.
   *
   * @default 'alias/security-audit-archive/' followed by the trail name
   */
  readonly keyAlias?: string;
}

const ALIAS = /^alias\/[a-zA-Z0-9:/_-]{1,250}$/;

/**
 * The archive side of an audit trail, for the log-archive account of an organization: a
 * write-once (Object Lock) bucket for the log files, its server access-log bucket, and a
 * customer-managed key, with the bucket and key policies one trail needs (`AWSLogs/<account>/`
 * and, for an organization trail, `AWSLogs/<organization id>/`; `aws:SourceArn` of the trail;
 * the CloudTrail service principal). Pass it to `SecurityAuditTrail` as `archive` in the
 * management (or delegated administrator) account's stack of the same app: the trail names the
 * bucket and the key's alias, and its stack deploys after this one.
 *
 * The statements are the ones `SecurityAuditTrail` adds to an archive it creates itself, from
 * the same function.
 */
export class SecurityAuditArchive extends Construct {
  /** The Object Lock bucket that receives the log files. */
  public readonly bucket: s3.Bucket;

  /** The bucket that receives the archive bucket's server access logs. */
  public readonly accessLogsBucket: s3.Bucket;

  /** The key that encrypts the log files and the archive bucket. */
  public readonly encryptionKey: kms.Key;

  /** The alias of `encryptionKey` that the trail names. */
  public readonly keyAlias: kms.Alias;

  /** The name of the trail this archive admits. */
  public readonly trailName: string;

  /** The account of the trail this archive admits. */
  public readonly trailAccount: string;

  /** The home Region of the trail this archive admits. */
  public readonly trailRegion: string;

  /** The ARN of the trail this archive admits (`aws:SourceArn` in both policies). */
  public readonly trailArn: string;

  /** The organization whose member accounts' log files are admitted, for an organization trail. */
  public readonly organizationId?: string;

  private readonly aliasName: string;

  constructor(scope: Construct, id: string, props: SecurityAuditArchiveProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateTrailName(this, props.trailName);
    if (props.trailName === undefined) throw new ValidationError(this, 'trailName', 'is required');
    validateOrganizationId(this, props.organizationId);
    const keyAlias = props.keyAlias ?? `alias/security-audit-archive/${props.trailName}`;
    if (!Token.isUnresolved(keyAlias) && (!ALIAS.test(keyAlias) || keyAlias.startsWith('alias/aws/'))) {
      throw new ValidationError(this, 'keyAlias', `must be alias/ followed by 1 to 250 letters, digits, /, _, - or : (not alias/aws/), got '${keyAlias}'`);
    }
    const lifecycle = validateArchiveLifecycle(this, props);

    this.trailName = props.trailName;
    this.trailAccount = props.trailAccount ?? stack.account;
    this.trailRegion = props.trailRegion ?? stack.region;
    this.organizationId = props.organizationId;
    this.trailArn = trailArnOf(stack, this.trailAccount, this.trailRegion, this.trailName);
    const deliverer: TrailDeliverer = {
      trailArn: this.trailArn, trailName: this.trailName, trailAccount: this.trailAccount, organizationId: this.organizationId,
    };

    this.encryptionKey = createEncryptionKey(this, 'Key', `Encrypts the log files of trail ${this.trailName} and their archive bucket`);
    allowTrailToEncrypt(this.encryptionKey, deliverer);
    this.keyAlias = this.encryptionKey.addAlias(keyAlias);
    this.aliasName = keyAlias;

    const archive = createAuditArchive(this, {
      deliverer,
      encryptionKey: this.encryptionKey,
      bucketName: props.bucketName ?? PhysicalName.GENERATE_IF_NEEDED,
      accessLogsBucketName: props.accessLogsBucketName,
      archiveTransitionAfter: lifecycle.archiveTransitionAfter,
      archiveStorageClass: props.archiveStorageClass ?? s3.StorageClass.GLACIER,
      archiveExpiration: lifecycle.archiveExpiration,
      objectLockRetention: lifecycle.objectLockRetention,
      replicationBucket: props.replicationBucket,
      replicationKey: props.replicationKey,
    });
    this.bucket = archive.bucket;
    this.accessLogsBucket = archive.accessLogsBucket;
  }

  /**
   * The ARN of the key's alias, in the archive's account and Region, formatted for `stack`:
   * what a trail in another account names as its KMS key. A literal string when the archive's
   * stack has a concrete account and Region (Control Tower's CT.CLOUDTRAIL.PR.1 accepts a
   * string or a local reference only).
   */
  public keyAliasArn(stack: Stack): string {
    const own = Stack.of(this);
    const partition = Token.isUnresolved(own.region) ? undefined : RegionInfo.get(own.region).partition;
    return stack.formatArn({ partition, service: 'kms', account: own.account, region: own.region, resource: this.aliasName });
  }
}
