/**
 * The audit trail's archive: an Object Lock (write-once) bucket for the log files, its server
 * access-log bucket, the bucket policy CloudTrail needs, and optional replication to an
 * existing bucket in another Region.
 */
import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TrailDeliverer, describeStatements, trailBucketStatements, trailLogPrefixes } from './trail-delivery-policy';
import { acknowledge } from '../shared/acknowledge';
import { sendEventsToEventBridge } from '../shared/bucket-event-notifications';
import { flattenForFinding } from '../shared/nag-finding';
import { logServerAccess } from '../shared/server-access-logs';

/** What the archive needs to know, all validated by the construct. */
export interface AuditArchiveOptions {
  /** The trail that delivers here (its ARN, account and organization). */
  readonly deliverer: TrailDeliverer;
  readonly encryptionKey: kms.IKey;
  readonly bucketName?: string;
  readonly accessLogsBucketName?: string;
  readonly archiveTransitionAfter: Duration;
  readonly archiveStorageClass: s3.StorageClass;
  readonly archiveExpiration: Duration;
  readonly objectLockRetention: s3.ObjectLockRetention;
  readonly replicationBucket?: s3.IBucket;
  readonly replicationKey?: kms.IKey;
}

export interface AuditArchive {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
}

const REPLICATION_IDS = ['NIST.800.53.R5-S3BucketReplicationEnabled', 'HIPAA.Security-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled'];
const SSE_KMS_IDS = ['NIST.800.53.R5-S3DefaultEncryptionKMS', 'HIPAA.Security-S3DefaultEncryptionKMS', 'PCI.DSS.321-S3DefaultEncryptionKMS'];
const ACCESS_LOG_PREFIX = 'archive/';

export function createAuditArchive(scope: Construct, options: AuditArchiveOptions): AuditArchive {
  const accessLogsBucket = new s3.Bucket(scope, 'AccessLogsBucket', {
    bucketName: options.accessLogsBucketName,
    // S3 server access logging delivers only to buckets whose default encryption is SSE-S3.
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{
      id: 'ExpireAccessLogs',
      expiration: options.archiveExpiration,
      noncurrentVersionExpiration: options.archiveExpiration,
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    }],
  });
  acknowledgeAccessLogsBucket(accessLogsBucket);
  sendEventsToEventBridge(accessLogsBucket);

  const bucket = new s3.Bucket(scope, 'Bucket', {
    bucketName: options.bucketName,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: options.encryptionKey,
    // CloudTrail's requests carry the trail ARN as encryption context, which the key policy
    // requires; an S3 Bucket Key would call KMS with the bucket ARN instead.
    bucketKeyEnabled: false,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    // Versioning and digests show tampering; Object Lock prevents it: no version can be deleted
    // or overwritten before its retention ends (PCI DSS 10.5, Security Hub S3.15, CT.S3.PR.9).
    objectLockEnabled: true,
    objectLockDefaultRetention: options.objectLockRetention,
    lifecycleRules: [{
      id: 'ArchiveThenExpireLogFiles',
      transitions: [{ storageClass: options.archiveStorageClass, transitionAfter: options.archiveTransitionAfter }],
      expiration: options.archiveExpiration,
      noncurrentVersionExpiration: options.archiveExpiration,
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    }],
    replicationRules: options.replicationBucket ? [{
      id: 'ReplicateLogFilesToAnotherRegion',
      destination: options.replicationBucket,
      kmsKey: options.replicationKey,
      sseKmsEncryptedObjects: true,
      deleteMarkerReplication: false,
      priority: 0,
      filter: {},
    }] : undefined,
  });
  allowTrailDelivery(bucket, options.deliverer);
  sendEventsToEventBridge(bucket);
  logServerAccess(bucket, accessLogsBucket, ACCESS_LOG_PREFIX, 'S3ServerAccessLogsForTheArchiveBucket');
  if (options.replicationBucket) {
    allowObjectLockReplication(bucket, options.replicationBucket);
  } else {
    for (const id of REPLICATION_IDS) {
      acknowledge(bucket.node.defaultChild!, id,
        'Replication needs a destination bucket (and KMS key) in another Region, which one stack cannot create. ' +
        'The log files are under Object Lock, versioned, retained on stack deletion and validated with CloudTrail ' +
        'digest files. To replicate, pass `replicationBucket` (an existing Object Lock bucket in another Region), ' +
        'which removes this acknowledgement.');
    }
  }
  return { bucket, accessLogsBucket };
}

/** The bucket policy statements CloudTrail needs (trail-delivery-policy), tied to the trail by aws:SourceArn. */
function allowTrailDelivery(bucket: s3.IBucket, deliverer: TrailDeliverer): boolean {
  const statements = trailBucketStatements(deliverer, bucket.bucketArn, (prefix) => bucket.arnForObjects(prefix));
  return statements.map((s) => bucket.addToResourcePolicy(s).statementAdded)[0];
}

/**
 * S3 replicates Object Lock retention only if the replication role may read it. The role and
 * its policy are aws-cdk-lib's (created by `replicationRules`), confined to the two buckets
 * and the two keys.
 */
function allowObjectLockReplication(bucket: s3.Bucket, destination: s3.IBucket): void {
  const role = bucket.node.findChild('ReplicationRole') as iam.Role;
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'ReadObjectLockSettingsToReplicate',
    actions: ['s3:GetObjectRetention', 's3:GetObjectLegalHold'],
    resources: [bucket.arnForObjects('*')],
  }));
  const policy = role.node.findChild('DefaultPolicy').node.defaultChild!;
  const objects = 'S3 replication reads every log file version of the archive bucket and writes every replica to the ' +
    'destination bucket, so the object part of each ARN is a wildcard; the role can touch these two buckets only.';
  acknowledge(policy, `AwsSolutions-IAM5[Resource::${flattenForFinding(bucket, bucket.arnForObjects('*'))}]`, objects);
  acknowledge(policy, `AwsSolutions-IAM5[Resource::${flattenForFinding(bucket, destination.arnForObjects('*'))}]`, objects);
  const kmsActions = 'aws-cdk-lib grants the replication role the KMS action groups S3 needs to decrypt the source ' +
    'objects and encrypt the replicas (ReEncrypt*, GenerateDataKey*), on the two keys only.';
  acknowledge(policy, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', kmsActions);
  acknowledge(policy, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', kmsActions);
  for (const id of ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy']) {
    acknowledge(policy, id, 'The replication role exists only for S3 replication of this bucket and is created with it by ' +
      'aws-cdk-lib; its inline policy is its only policy and cannot be attached to anything else.');
  }
}

function acknowledgeAccessLogsBucket(bucket: s3.Bucket): void {
  const b = bucket.node.defaultChild!;
  for (const id of REPLICATION_IDS) {
    acknowledge(b, id,
      'This bucket holds only the archive bucket\'s S3 server access logs; the log files themselves are in the Object ' +
      'Lock archive bucket (replicated to another Region when `replicationBucket` is set). Replicating the access ' +
      'logs as well needs a second destination bucket in another Region, which one stack cannot create.');
  }
  const sseS3 = 'S3 server access logging delivers only to buckets whose default encryption is SSE-S3 (AES-256); ' +
    'SSE-KMS is not supported for the destination bucket. The bucket is private, SSL-only, versioned and ' +
    'receives only the archive bucket\'s access logs.';
  for (const id of SSE_KMS_IDS) acknowledge(b, id, sseS3);
}

/**
 * A central archive bucket passed in: admit this trail if the bucket's policy is ours to
 * change (a bucket of this stack), otherwise say at synth what its policy must allow and which
 * construct adds it.
 */
export function admitTrailToExistingBucket(scope: Construct, bucket: s3.IBucket, deliverer: TrailDeliverer): void {
  if (!allowTrailDelivery(bucket, deliverer)) {
    const statements = trailBucketStatements(deliverer, bucket.bucketArn, (prefix) => bucket.arnForObjects(prefix));
    Annotations.of(scope).addWarningV2('cdk-security-blocks:externalArchiveBucket',
      `The archive bucket ${bucket.bucketName} is not created here: its policy must let cloudtrail.amazonaws.com call ` +
      `s3:GetBucketAcl and s3:PutObject (${trailLogPrefixes(deliverer).join(', ')}) with aws:SourceArn ${deliverer.trailArn} ` +
      `(${describeStatements(statements)}), and it should have Object Lock, versioning and replication of its own. ` +
      'SecurityAuditArchive, deployed in the bucket\'s account with this trail\'s name, account and organization id, ' +
      'creates such an archive with exactly these statements; pass it as `archive`.');
  }
}
