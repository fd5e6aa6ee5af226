/**
 * What the JwtAuthorizer's function reads: which copy of the key ring (the replica in another
 * Region), or which published JWKS, and the handler environment that names it together with the
 * verification settings. Variable names are the handler contract (authorizer-contract.ts).
 */
import { Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DEFAULT_ROLE_CLAIM, ENV } from './authorizer-contract';
import type { JwtAuthorizerProps } from './jwt-authorizer-props';
import type { JwtAuthorizerDurations } from './jwt-authorizer-validation';
import type { RotatingJwtSecret } from '../jwt-keys/rotating-jwt-secret';
import { ValidationError } from '../shared/validation';

/** The handler environment: the key source's variables, then the verification settings. */
export function verifierEnvironment(
  keySource: Record<string, string>, props: JwtAuthorizerProps, headerName: string, durations: JwtAuthorizerDurations,
): Record<string, string> {
  const { maxTokenLifetime, maxTokenAge, clockSkew, keyCacheTtl, keyFetchTimeout } = durations;
  return {
    ...keySource,
    [ENV.issuer]: props.issuer,
    [ENV.audience]: props.audience,
    [ENV.roleClaim]: props.roleClaim ?? DEFAULT_ROLE_CLAIM,
    [ENV.headerName]: headerName,
    [ENV.rolePermissions]: JSON.stringify(props.rolePermissions),
    [ENV.permissionMethods]: JSON.stringify(props.permissionMethods),
    [ENV.maxTokenLifetimeSeconds]: String(maxTokenLifetime.toSeconds()),
    [ENV.maxTokenAgeSeconds]: String(maxTokenAge.toSeconds()),
    [ENV.clockSkewSeconds]: String(clockSkew.toSeconds()),
    [ENV.keyCacheTtlSeconds]: String(keyCacheTtl.toSeconds()),
    [ENV.keyFetchTimeoutMs]: String(keyFetchTimeout.toMilliseconds()),
  };
}

/**
 * The handler environment of ring JWKS mode: the JWKS object the ring's rotation publishes, the
 * bucket's Region (the request is signed for it) and the ring's one algorithm.
 */
export function ringJwksEnvironment(ring: RotatingJwtSecret): Record<string, string> {
  return {
    [ENV.jwksBucket]: ring.jwksBucket!.bucketName,
    [ENV.jwksObjectKey]: ring.jwksObjectKey!,
    [ENV.jwksBucketRegion]: Stack.of(ring).region,
    [ENV.algorithms]: ring.algorithm,
  };
}

/** Whether `keys` lives in a stack of another (known) Region than `scope`. */
export function isInOtherRegion(scope: Construct, keys: RotatingJwtSecret): boolean {
  const here = Stack.of(scope).region;
  const home = Stack.of(keys).region;
  return !Token.isUnresolved(here) && !Token.isUnresolved(home) && here !== home;
}

/** Whether `keys` lives in a stack of another account than `scope` (both accounts known). */
export function isInOtherAccount(scope: Construct, keys: RotatingJwtSecret): boolean {
  return Token.compareStrings(Stack.of(scope).account, Stack.of(keys).account) === TokenComparison.DIFFERENT;
}

/**
 * The supported way to verify a ring's tokens from another account, for the errors that refuse
 * the others: an HS256 key is secret and stays in its account.
 */
export function crossAccountKeyRingProblem(keys: RotatingJwtSecret): string {
  return `is an HS256 key ring of account ${Stack.of(keys).account} (${keys.node.path}): its key signs as well as verifies, so it ` +
    'stays in its account. To verify its tokens from another account, use an asymmetric ring (algorithm: ' +
    'JwtSigningAlgorithm.ES256 or EdDSA): a JwtAuthorizer given it reads the published JWKS across accounts by itself, ' +
    'and any other verifier gets ring.grantReadPublicKeys(<a role, the account, or the organization>)';
}

/**
 * The copy of the key ring the function reads: the handler calls Secrets Manager in its own
 * Region, so in another Region than the key ring's that is the replica there.
 */
export function keyRingInThisRegion(scope: Construct, keys: RotatingJwtSecret, crossRegion: boolean): secretsmanager.ISecret {
  if (!crossRegion) return keys.secret;
  const region = Stack.of(scope).region;
  const replica = keys.replicaRegions.find((r) => r.region === region);
  if (!replica) {
    throw new ValidationError(scope, 'signingKeys',
      `must have a replica in ${region} (replicaRegions): the function reads the key ring through Secrets Manager in its own Region, ` +
      `and ${keys.node.path} is in ${Stack.of(keys).region}`);
  }
  return secretsmanager.Secret.fromSecretAttributes(scope, 'SigningKeysReplica', {
    secretCompleteArn: keys.replicaSecretArn(region),
    encryptionKey: replica.encryptionKey,
  });
}
