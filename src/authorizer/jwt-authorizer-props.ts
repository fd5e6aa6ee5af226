import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { JwtIdentityProvider } from './jwt-identity-provider';
import { BundledFunctionOptions } from '../bundled-function/bundled-function-options';
import { RotatingJwtSecret } from '../jwt-keys/rotating-jwt-secret';

/**
 * Where API Gateway reads the token from.
 */
export enum JwtAuthorizerType {
  /** A TOKEN authorizer on one header (API Gateway caches by the header value). */
  TOKEN = 'TOKEN',
  /** A REQUEST authorizer whose identity source is the same header. */
  REQUEST = 'REQUEST',
}

/**
 * Properties for a JwtAuthorizer.
 */
export interface JwtAuthorizerProps {
  /**
   * The key ring the tokens are signed with. Give exactly one of this, `secret` and
   * `identityProvider`.
   *
   * An HS256 ring: the function reads the ring from Secrets Manager (`secretsmanager:GetSecretValue`
   * on the secret); in a stack of another Region than the key ring's, it reads the key ring's
   * replica in its own Region, which `replicaRegions` must include.
   *
   * An ES256 or EdDSA ring: the function reads only the JWKS the ring's rotation publishes
   * (`grantReadPublicKeys`: `s3:GetObject` on that one object) with a signed S3 request, in the
   * ring's Region, and has no permission at all on the secret or its key. It accepts only the
   * ring's algorithm, and the keys of current, next and unexpired previous that the JWKS holds.
   *
   * @default - use `secret` or `identityProvider`
   */
  readonly signingKeys?: RotatingJwtSecret;

  /**
   * An existing secret holding a key ring in the RotatingJwtSecret format (README, "Secret
   * format"), for example one created in another stack. Give either this or `signingKeys`.
   * Import it with `Secret.fromSecretAttributes({ secretCompleteArn, encryptionKey })` when a
   * customer-managed key encrypts it, so the function may decrypt it.
   *
   * @default - use `signingKeys`
   */
  readonly secret?: secretsmanager.ISecret;

  /**
   * Verify asymmetric tokens (RS256, PS256, ES256, EdDSA) from an identity provider against its
   * published JWK Set, instead of HS256 tokens against a key ring. Give exactly one of
   * `signingKeys`, `secret` and this. The function then has no secret read permission; it makes
   * outbound HTTPS requests to the JWK Set's host only (with `issuerUrl`, the issuer's host,
   * which serves both the discovery document and the key set). Lambda cannot restrict egress
   * outside a VPC: place it in `vpc` with an egress-filtering route to enforce that.
   *
   * @default - use `signingKeys` or `secret`
   */
  readonly identityProvider?: JwtIdentityProvider;

  /**
   * The exact `iss` claim a token must carry.
   */
  readonly issuer: string;

  /**
   * The audience a token's `aud` claim must contain.
   */
  readonly audience: string;

  /**
   * Role (the value of the role claim) to the permissions it grants, e.g.
   * `{ admin: ['user:read:any', 'user:write:any'], user: ['user:read:own'] }`.
   * A token whose role is not listed is rejected.
   */
  readonly rolePermissions: { [role: string]: string[] };

  /**
   * Permission to the API methods it allows, as `"<METHOD> <path>"`, e.g.
   * `{ 'user:read:own': ['GET /users/me'], 'user:write:any': ['PUT /users/*'] }`.
   * A path segment may be `*` as a whole (it matches any characters, `/` included, so
   * `/users/*` also covers `/users/1/orders`); a `*` method stands for DELETE, GET, HEAD,
   * OPTIONS, PATCH, POST and PUT, each listed explicitly in the policy. Every permission named
   * in `rolePermissions` must be defined here.
   */
  readonly permissionMethods: { [permission: string]: string[] };

  /**
   * The claim that holds the caller's role.
   *
   * @default 'role'
   */
  readonly roleClaim?: string;

  /**
   * The longest lifetime (`exp - iat`) a token may have.
   *
   * Allowed: whole seconds, 1 minute to 1 day, at most `signingKeys.maxTokenLifetime`.
   *
   * @default - `signingKeys.maxTokenLifetime`, or 1 hour with `secret`
   */
  readonly maxTokenLifetime?: Duration;

  /**
   * The oldest a token may be (`now - iat`), whatever its `exp` says.
   *
   * Allowed: whole seconds, 1 minute to 7 days.
   *
   * @default - the maximum token lifetime
   */
  readonly maxTokenAge?: Duration;

  /**
   * Tolerance for clock differences when checking `exp`, `nbf` and `iat`. At most 5 minutes.
   *
   * Allowed: whole seconds, 0 to 5 minutes.
   *
   * @default Duration.seconds(60)
   */
  readonly clockSkew?: Duration;

  /**
   * How long API Gateway caches an authorization result for a token. Never longer than the
   * token lifetime (a cached Allow would outlive the token) nor than 1 hour; 0 disables caching.
   *
   * Allowed: whole seconds, 0 to 1 hour, at most `maxTokenLifetime`.
   *
   * @default Duration.minutes(5)
   */
  readonly resultsCacheTtl?: Duration;

  /**
   * How long the function keeps the key ring (with `identityProvider`: the JWK Set, and the
   * `jwks_uri` found by discovery) in memory before reading it again. An unknown `kid` triggers
   * an earlier, rate-limited read of the keys, so a fresh rotation is picked up at once.
   *
   * Allowed: whole seconds, 0 to 1 hour.
   *
   * @default Duration.minutes(5)
   */
  readonly keyCacheTtl?: Duration;

  /**
   * The longest the function waits for Secrets Manager, S3 or the identity provider when it
   * reads the keys (connect, request and response together; with `identityProvider.issuerUrl`,
   * the discovery document and the JWK Set together). On timeout the request is denied (401,
   * logged `keys_unavailable`) and the next request tries again. Between 100 ms and 5 seconds.
   *
   * Allowed: whole milliseconds, 100 milliseconds to 5 seconds.
   *
   * @default Duration.seconds(2)
   */
  readonly keyFetchTimeout?: Duration;

  /**
   * A regular expression API Gateway checks the header against before invoking the function
   * (TOKEN authorizers only). Requests that do not match get 401 without a Lambda invocation.
   *
   * @default '^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$'
   */
  readonly identityValidationRegex?: string;

  /**
   * The header that carries the token. A REQUEST authorizer's function reads the token from
   * this header too.
   *
   * @default 'Authorization'
   */
  readonly headerName?: string;

  /**
   * TOKEN or REQUEST authorizer.
   *
   * @default JwtAuthorizerType.TOKEN
   */
  readonly type?: JwtAuthorizerType;

  /**
   * Encrypts the function's log group.
   *
   * @default - the signing keys' encryption key with `signingKeys` in the same Region, otherwise a new KMS key
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * Where the security-event alarms (forged tokens, keys unavailable, invalid configuration) go.
   *
   * @default - the stack's `SecurityNotifications` topic (created by the first construct that needs it)
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Reserved concurrency for the function. The authorizer runs on every uncached request, so a
   * reservation caps the whole API's throughput at that many concurrent verifications.
   *
   * Allowed: a whole number, 1 to 1,000.
   *
   * @default - no reservation; the API's throttling and WAF rate rule bound the load
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * Where the verification function runs (VPC, subnets, security groups) and how long its logs
   * are kept. In a VPC it needs a route to Secrets Manager (an interface VPC endpoint, or NAT),
   * or for an ES256 / EdDSA ring to S3 (a gateway VPC endpoint).
   *
   * @default - outside a VPC, logs kept one year and retained when they leave the stack
   */
  readonly functionOptions?: BundledFunctionOptions;
}
