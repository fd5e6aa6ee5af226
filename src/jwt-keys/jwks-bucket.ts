/**
 * Where an asymmetric RotatingJwtSecret publishes its public keys: one JWKS object in a private,
 * versioned, SSL-only bucket that only the rotation role may write, with server access logs in a
 * bucket of its own. Whoever can write the JWKS can mint tokens its verifiers accept, so the
 * bucket policy denies every object write and delete to every principal but the rotation role.
 */
import { Duration, PhysicalName, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BundledFunction } from '../bundled-function/bundled-function';
import { acknowledge } from '../shared/acknowledge';
import { sendEventsToEventBridge } from '../shared/bucket-event-notifications';
import { logServerAccess } from '../shared/server-access-logs';

/** The object key verifiers read (RFC 8615 well-known location; the path is the same under CloudFront). */
export const JWKS_OBJECT_KEY = '.well-known/jwks.json';
const ACCESS_LOG_PREFIX = 'jwks/';
/** Old JWKS versions are kept this long: enough to see what verifiers were served during an incident. */
const NONCURRENT_VERSIONS_KEPT = Duration.days(90);
const ACCESS_LOGS_KEPT = Duration.days(365);

const REPLICATION_IDS = ['NIST.800.53.R5-S3BucketReplicationEnabled', 'HIPAA.Security-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled'];
const SSE_KMS_IDS = ['NIST.800.53.R5-S3DefaultEncryptionKMS', 'HIPAA.Security-S3DefaultEncryptionKMS', 'PCI.DSS.321-S3DefaultEncryptionKMS'];

export interface JwksBucket {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  /** `https://<bucket>.s3.<region>.<urlSuffix>/.well-known/jwks.json` */
  readonly url: string;
}

function privateBucket(
  scope: Construct, id: string, removalPolicy: RemovalPolicy, lifecycle: s3.LifecycleRule, lock?: s3.ObjectLockRetention, bucketName?: string,
): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    bucketName,
    // SSE-S3: see the acknowledgement below; S3 access logging also delivers only to SSE-S3 buckets.
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy,
    lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(7), ...lifecycle }],
    objectLockEnabled: lock !== undefined ? true : undefined,
    objectLockDefaultRetention: lock,
  });
  sendEventsToEventBridge(bucket);
  return bucket;
}

export function createJwksBucket(scope: Construct, writer: iam.IRole, removalPolicy: RemovalPolicy): JwksBucket {
  const accessLogsBucket = privateBucket(scope, 'JwksAccessLogsBucket', removalPolicy, {
    id: 'ExpireAccessLogs', expiration: ACCESS_LOGS_KEPT, noncurrentVersionExpiration: ACCESS_LOGS_KEPT,
  });
  // Object Lock keeps every JWKS ever served for as long as old versions are kept: what verifiers
  // trusted at any instant stays provable (CT.S3.PR.9). The access-log bucket cannot have it: S3
  // does not deliver access logs to a bucket with a default retention.
  const bucket = privateBucket(scope, 'JwksBucket', removalPolicy, {
    id: 'ExpireOldJwksVersions', noncurrentVersionExpiration: NONCURRENT_VERSIONS_KEPT,
  }, s3.ObjectLockRetention.governance(NONCURRENT_VERSIONS_KEPT),
  // A verifier in another account names the bucket literally (no CloudFormation export crosses
  // accounts): the name is generated only when a stack of another account refers to it.
  PhysicalName.GENERATE_IF_NEEDED);
  logServerAccess(bucket, accessLogsBucket, ACCESS_LOG_PREFIX, 'S3ServerAccessLogsForTheJwksBucket');
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'OnlyTheRotationRoleWritesPublicKeys',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:RestoreObject'],
    resources: [bucket.arnForObjects('*')],
    conditions: { ArnNotEquals: { 'aws:PrincipalArn': writer.roleArn } },
  }));

  const publicKeys = 'The bucket holds only a JWKS document of public keys (RFC 7517 public members, checked by the ' +
    'rotation), which is not confidential; SSE-KMS would make every verifier need kms:Decrypt and rule out serving ' +
    'the document through CloudFront. Access logs: S3 server access logging delivers only to SSE-S3 buckets.';
  const replication = 'The JWKS is derived from the secret and rewritten by every rotation (the secret itself can be ' +
    'replicated with replicaRegions); replicating it needs a destination bucket in another Region, which one stack cannot create.';
  for (const b of [bucket, accessLogsBucket]) {
    for (const id of SSE_KMS_IDS) acknowledge(b.node.defaultChild!, id, publicKeys);
    for (const id of REPLICATION_IDS) acknowledge(b.node.defaultChild!, id, replication);
  }
  return { bucket, accessLogsBucket, url: `https://${bucket.bucketRegionalDomainName}/${JWKS_OBJECT_KEY}` };
}

/**
 * The bucket an asymmetric ring's rotation publishes to, and the rotation function's way there:
 * its environment names the bucket and URL, and its policy allows writing that one object.
 */
export function publishJwks(scope: Construct, rotation: BundledFunction, removalPolicy: RemovalPolicy): JwksBucket {
  const jwks = createJwksBucket(scope, rotation.role, removalPolicy);
  rotation.function.addEnvironment('JWKS_BUCKET', jwks.bucket.bucketName);
  rotation.function.addEnvironment('JWKS_URL', jwks.url);
  rotation.permissions.addStatements(new iam.PolicyStatement({
    sid: 'PublishThePublicKeys',
    actions: ['s3:PutObject'],
    resources: [jwks.bucket.arnForObjects(JWKS_OBJECT_KEY)],
  }));
  return jwks;
}
