/**
 * What reading an asymmetric RotatingJwtSecret's published public keys takes, and nothing more:
 * `s3:GetObject` on the one JWKS object, plus `kms:Decrypt` through S3 when the bucket is
 * encrypted with a KMS key. One definition for `grantReadPublicKeys` and for the
 * JwtAuthorizer's function (whose customer-managed policies cannot take a grant), so the two
 * can never drift apart. Never anything on the secret or its key.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

export function publicKeyReadStatements(bucket: s3.IBucket, objectKey: string): iam.PolicyStatement[] {
  const statements = [new iam.PolicyStatement({
    sid: 'ReadThePublishedPublicKeys',
    actions: ['s3:GetObject'],
    resources: [bucket.arnForObjects(objectKey)],
  })];
  if (bucket.encryptionKey) {
    statements.push(new iam.PolicyStatement({
      sid: 'DecryptThePublishedPublicKeysThroughS3',
      actions: ['kms:Decrypt'],
      resources: [bucket.encryptionKey.keyArn],
      // Through S3 only. No encryption-context condition: it is the object's ARN, or the bucket's
      // when the bucket uses an S3 Bucket Key, which a user may switch at any time.
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(bucket).region}.amazonaws.com` } },
    }));
  }
  return statements;
}
