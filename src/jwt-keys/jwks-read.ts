/**
 * What reading an asymmetric RotatingJwtSecret's published public keys takes, and nothing more:
 * `s3:GetObject` on the one JWKS object, plus `kms:Decrypt` through S3 when the bucket is
 * encrypted with a KMS key. One definition for `grantReadPublicKeys` and for the
 * JwtAuthorizer's function (whose customer-managed policies cannot take a grant), so the two
 * can never drift apart. Never anything on the secret or its key.
 *
 * A reader outside the ring's account (another account, an organization, an OU) also needs the
 * bucket to name it: `publicKeyReaderBucketStatement` is that one bucket-policy statement.
 */
import { Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { ValidationError } from '../shared/validation';

/**
 * `bucketOwner`: for a reader in another account, the ring's account. Its role then may read the
 * object only while the bucket belongs to that account: reached by its literal name from another
 * account, a bucket deleted and re-created under the same name by someone else (whose JWKS would
 * mint tokens) is denied (aws:ResourceAccount), and the verifier fails closed.
 */
export function publicKeyReadStatements(bucket: s3.IBucket, objectKey: string, bucketOwner?: string): iam.PolicyStatement[] {
  const statements = [new iam.PolicyStatement({
    sid: 'ReadThePublishedPublicKeys',
    actions: ['s3:GetObject'],
    resources: [bucket.arnForObjects(objectKey)],
    conditions: bucketOwner === undefined ? undefined : { StringEquals: { 'aws:ResourceAccount': bucketOwner } },
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

/**
 * Condition keys that tie a `*` principal to known callers, and that S3 Block Public Access
 * counts as non-public (the JWKS bucket blocks public policies: a statement without one would
 * fail to deploy, and would publish the keys to everyone if it did not).
 */
const CALLER_BINDING_KEYS = ['aws:PrincipalOrgID', 'aws:PrincipalAccount', 'aws:PrincipalArn'];

/**
 * The bucket-policy statement that lets `reader` read the JWKS object when the bucket's own
 * account cannot grant it through IAM alone, or undefined when it can (same account, or both
 * accounts unknown at synth, which aws-cdk-lib's grants treat as the same).
 *
 * - A principal of another account (a role, a user, an account): the statement names the
 *   account, and for a role or user also `aws:PrincipalArn`. Naming the account rather than the
 *   role as Principal lets the bucket policy deploy before the role exists (S3 rejects a policy
 *   naming a principal that does not), and the condition keeps it to that role.
 * - An organization (`iam.OrganizationPrincipal`) or an OU (that principal `.withConditions`
 *   on `aws:PrincipalOrgPaths`): the principal as given, its conditions included.
 * - `*` without an organization, account or ARN condition: refused (a public JWKS).
 *
 * The reader's own IAM policy must still allow `s3:GetObject` (the grant adds it where it can).
 */
export function publicKeyReaderBucketStatement(
  scope: IConstruct, bucket: s3.IBucket, objectKey: string, reader: iam.IPrincipal,
): iam.PolicyStatement | undefined {
  const bucketAccount = Stack.of(bucket).account;
  const account = reader.principalAccount;
  const read = { actions: ['s3:GetObject'], resources: [bucket.arnForObjects(objectKey)] };
  if (account !== undefined) {
    const same = Token.compareStrings(bucketAccount, account);
    if (same === TokenComparison.SAME || same === TokenComparison.BOTH_UNRESOLVED) return undefined;
    const principalArn = readerArn(reader);
    return new iam.PolicyStatement({
      ...read,
      principals: [new iam.AccountPrincipal(account)],
      conditions: principalArn ? { ArnEquals: { 'aws:PrincipalArn': principalArn } } : undefined,
    });
  }
  const fragment = reader.policyFragment;
  const anyone = ([] as string[]).concat(fragment.principalJson.AWS ?? []).includes('*');
  const bound = Object.values(fragment.conditions).some((c) => Object.keys(c as object).some((k) => CALLER_BINDING_KEYS.includes(k)));
  if (anyone && !bound) {
    throw new ValidationError(scope, 'grantReadPublicKeys',
      `would let anyone read the published keys (principal * with no ${CALLER_BINDING_KEYS.join(', ')} condition): ` +
      'pass an account, a role, new iam.OrganizationPrincipal(orgId), or for an OU new iam.OrganizationPrincipal(orgId)' +
      '.withConditions({ \'ForAnyValue:StringLike\': { \'aws:PrincipalOrgPaths\': [\'o-…/r-…/ou-…/*\'] } })');
  }
  return new iam.PolicyStatement({ ...read, principals: [reader] });
}

/** The ARN a role or user reader is, so the bucket can name exactly it; undefined for an account. */
function readerArn(reader: iam.IPrincipal): string | undefined {
  if (reader instanceof iam.AccountPrincipal) return undefined;
  const named = reader as Partial<iam.IRole & iam.IUser>;
  return named.roleArn ?? named.userArn ?? (reader instanceof iam.ArnPrincipal ? reader.arn : undefined);
}
