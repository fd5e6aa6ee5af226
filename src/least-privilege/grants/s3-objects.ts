import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ValidationError } from '../../shared/validation';
import { BucketObjectsPermission } from '../least-privilege-permissions';
import { StatementSink, viaService, wildcardResourceFinding } from './statement-sink';

/**
 * Object-level actions on exact object ARNs or `<bucket>/<prefix>*`, `s3:ListBucket` on the
 * bucket only with the `s3:prefix` condition key, and the bucket's KMS key through S3 for
 * these objects only (`kms:EncryptionContext:aws:s3:arn`).
 */
export function grantBucketObjects(sink: StatementSink, permission: BucketObjectsPermission, prop: string, i: number): void {
  const { bucket, objectKeys, keyPrefix } = permission;
  validate(sink, permission, prop);
  const list = permission.listObjects ?? (keyPrefix !== undefined && permission.readObjects === true);
  const objectArns = objectKeys ? objectKeys.map((k) => bucket.arnForObjects(k)) : [bucket.arnForObjects(`${keyPrefix}*`)];

  const actions = [
    ...(permission.deleteObjects ? ['s3:DeleteObject'] : []),
    ...(permission.readObjects ? ['s3:GetObject'] : []),
    ...(permission.writeObjects ? ['s3:PutObject'] : []),
  ];
  if (actions.length > 0) {
    sink.place(new iam.PolicyStatement({ sid: `AccessBucket${i}Objects`, actions, resources: objectArns }),
      `${prop}.${keyPrefix !== undefined ? 'keyPrefix' : 'objectKeys'}`,
      keyPrefix !== undefined ? [wildcardResourceFinding(sink.scope, objectArns[0],
        `keyPrefix was set: the function may use the objects whose keys start with ${JSON.stringify(keyPrefix)} in this one bucket, ` +
        'whose keys are chosen at run time; the wildcard stands for the rest of the key only. Pass objectKeys to grant exact objects.')] : []);
  }
  if (list) {
    // Without the prefix parameter the condition key is absent and StringLike/StringEquals fail, so the whole bucket cannot be listed.
    const condition = keyPrefix !== undefined
      ? { StringLike: { 's3:prefix': [`${keyPrefix}*`] } }
      : { StringEquals: { 's3:prefix': objectKeys } };
    sink.place(new iam.PolicyStatement({
      sid: `ListBucket${i}Objects`, actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: condition,
    }), `${prop}.listObjects`);
  }

  const key = bucket.encryptionKey;
  const keyActions = [...(permission.readObjects || permission.writeObjects ? ['kms:Decrypt'] : []), ...(permission.writeObjects ? ['kms:GenerateDataKey'] : [])];
  if (key && keyActions.length > 0) {
    sink.place(new iam.PolicyStatement({
      sid: `UseBucket${i}Key`,
      actions: keyActions,
      resources: [key.keyArn],
      conditions: {
        StringEquals: viaService(sink.scope, 's3'),
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': encryptionContexts(bucket, objectArns) },
      },
    }), `${prop}.bucket`);
  }
}

/**
 * S3 passes the object ARN as encryption context, or the bucket ARN when the bucket uses an
 * S3 Bucket Key. A bucket of this app says which; an imported one gets both.
 */
function encryptionContexts(bucket: s3.IBucket, objectArns: string[]): string[] {
  const bucketKey = bucketKeyEnabled(bucket);
  if (bucketKey === true) return [bucket.bucketArn];
  if (bucketKey === false) return objectArns;
  return [bucket.bucketArn, ...objectArns];
}

function bucketKeyEnabled(bucket: s3.IBucket): boolean | undefined {
  const cfn = bucket.node.defaultChild;
  if (!(cfn instanceof s3.CfnBucket)) return undefined;
  type Rule = { bucketKeyEnabled?: unknown; BucketKeyEnabled?: unknown };
  const encryption = Stack.of(bucket).resolve(cfn.bucketEncryption) as
    { serverSideEncryptionConfiguration?: Rule[]; ServerSideEncryptionConfiguration?: Rule[] } | undefined;
  const rules = encryption?.serverSideEncryptionConfiguration ?? encryption?.ServerSideEncryptionConfiguration ?? [];
  const flags = rules.map((r) => r.bucketKeyEnabled ?? r.BucketKeyEnabled);
  if (flags.some((f) => typeof f !== 'boolean' && f !== undefined)) return undefined;
  return flags.some((f) => f === true);
}

function validate(sink: StatementSink, permission: BucketObjectsPermission, prop: string): void {
  const { objectKeys, keyPrefix } = permission;
  if ((objectKeys === undefined) === (keyPrefix === undefined)) {
    throw new ValidationError(sink.scope, `${prop}.objectKeys`, 'or keyPrefix must be given, and not both');
  }
  if (objectKeys && objectKeys.length === 0) {
    throw new ValidationError(sink.scope, `${prop}.objectKeys`, 'must name at least one key');
  }
  if (keyPrefix !== undefined && !Token.isUnresolved(keyPrefix) && keyPrefix === '') {
    throw new ValidationError(sink.scope, `${prop}.keyPrefix`, 'must not be empty: an empty prefix grants every object of the bucket');
  }
  const names = objectKeys ? objectKeys.map((k, j) => [`objectKeys[${j}]`, k] as const) : [['keyPrefix', keyPrefix!] as const];
  for (const [name, value] of names) {
    // IAM reads * and ? in a resource ARN as wildcards.
    if (!Token.isUnresolved(value) && /[*?]/.test(value)) {
      throw new ValidationError(sink.scope, `${prop}.${name}`, `must not contain * or ? (IAM reads them as wildcards), got ${JSON.stringify(value)}`);
    }
  }
  if (!permission.readObjects && !permission.writeObjects && !permission.deleteObjects && !permission.listObjects) {
    throw new ValidationError(sink.scope, prop, 'grants nothing: set readObjects, writeObjects, deleteObjects or listObjects');
  }
}
