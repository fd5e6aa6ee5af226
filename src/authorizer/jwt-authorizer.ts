import { Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DEFAULT_HEADER_NAME, ENV, LIMITS } from './authorizer-contract';
import { requireSourceAccount } from './authorizer-invoke-permission';
import { addAuthorizerSecurityEvents } from './authorizer-security-events';
import { identityProviderEnvironment } from './identity-provider';
import {
  crossAccountKeyRingProblem, isInOtherAccount, isInOtherRegion, keyRingInThisRegion, ringJwksEnvironment, verifierEnvironment,
} from './jwt-authorizer-environment';
import { JwtAuthorizerProps, JwtAuthorizerType } from './jwt-authorizer-props';
import { JwtAuthorizerDurations, validateJwtAuthorizerProps } from './jwt-authorizer-validation';
import { BundledFunction } from '../bundled-function/bundled-function';
import { publicKeyReadStatements, publicKeyReaderBucketStatement } from '../jwt-keys/jwks-read';
import { JwtSigningAlgorithm } from '../jwt-keys/rotating-jwt-secret';
import { createAlarmTopic } from '../notifications/alarm-topic';
import { acknowledge } from '../shared/acknowledge';
import { createEncryptionKey } from '../shared/encryption-key';
import { requireSameStackInStackSet } from '../shared/stack-set';
import { ValidationError } from '../shared/validation';


const DEFAULT_VALIDATION_REGEX = '^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$';

/**
 * An API Gateway Lambda authorizer that verifies JWTs signed with a RotatingJwtSecret key ring
 * (HS256 against the secret, ES256 / EdDSA against the ring's published JWKS only) or by an
 * identity provider, fails closed, and allows exactly the API methods the token's role may call.
 *
 * The bundled handler rejects an `alg` outside the key source's allow-list,
 * `crit`/`jku`/`x5u`/`jwk`/`x5c` headers, oversized or malformed tokens before any cryptography;
 * requires `exp`, `iat`, `iss`, `aud`, `sub` and the role claim; and answers every failure,
 * including its keys being unreachable, with 401.
 */
export class JwtAuthorizer extends Construct {
  /** The API Gateway authorizer to put on methods. */
  public readonly authorizer: apigateway.IAuthorizer;

  /** The bundled verification function. */
  public readonly function: lambda.IFunction;

  /** The function's log group. */
  public readonly logGroup: logs.ILogGroup;

  /** The topic the security-event alarms notify. */
  public readonly alarmTopic: sns.ITopic;

  /** How long API Gateway caches a result. */
  public readonly resultsCacheTtl: Duration;

  constructor(scope: Construct, id: string, props: JwtAuthorizerProps) {
    super(scope, id);
    requireSameStackInStackSet(this, {
      signingKeys: props.signingKeys, secret: props.secret, logEncryptionKey: props.logEncryptionKey, alarmTopic: props.alarmTopic,
    });

    if ((props.signingKeys ? 1 : 0) + (props.secret ? 1 : 0) + (props.identityProvider ? 1 : 0) !== 1) {
      throw new ValidationError(this, 'signingKeys', 'or secret or identityProvider must be given, exactly one of them');
    }
    const maxTokenLifetime = props.maxTokenLifetime ?? props.signingKeys?.maxTokenLifetime ?? Duration.hours(1);
    this.resultsCacheTtl = props.resultsCacheTtl ?? Duration.minutes(5);
    const durations: JwtAuthorizerDurations = {
      maxTokenLifetime,
      maxTokenAge: props.maxTokenAge ?? maxTokenLifetime,
      clockSkew: props.clockSkew ?? Duration.seconds(60),
      keyCacheTtl: props.keyCacheTtl ?? Duration.seconds(LIMITS.keyCacheTtlSeconds.default),
      keyFetchTimeout: props.keyFetchTimeout ?? Duration.millis(LIMITS.keyFetchTimeoutMs.default),
      resultsCacheTtl: this.resultsCacheTtl,
    };
    validateJwtAuthorizerProps(this, props, durations);
    const headerName = props.headerName ?? DEFAULT_HEADER_NAME;

    // An ES256/EdDSA ring's verifier reads only the public keys its rotation publishes: no secret.
    const ring = props.signingKeys;
    const asymmetricRing = ring !== undefined && ring.algorithm !== JwtSigningAlgorithm.HS256;
    const crossRegion = ring !== undefined && isInOtherRegion(this, ring);
    const crossAccount = ring !== undefined && isInOtherAccount(this, ring);
    if (crossAccount && !asymmetricRing) throw new ValidationError(this, 'signingKeys', crossAccountKeyRingProblem(ring));
    const secret = asymmetricRing ? undefined : ring ? keyRingInThisRegion(this, ring, crossRegion) : props.secret;
    const keySource = asymmetricRing ? ringJwksEnvironment(ring)
      : secret ? { [ENV.secretId]: secret.secretArn } : identityProviderEnvironment(this, props.identityProvider!, props.issuer);
    // A KMS key serves one Region, and another account's key is not this stack's to use: the key
    // ring's key cannot encrypt logs in either.
    const logKey = props.logEncryptionKey ?? (crossRegion || crossAccount ? undefined : ring?.encryptionKey)
      ?? createEncryptionKey(this, 'LogKey', 'Encrypts the JWT authorizer logs');
    const algorithms = asymmetricRing ? ring.algorithm : secret ? 'HS256' : 'asymmetric';

    const fn = new BundledFunction(this, 'Function', {
      // Each key source family ships as its own asset, so the function loads only its mode's code.
      handler: secret ? 'authorizer' : 'authorizer-jwks',
      description: `Verifies ${algorithms} JWTs for ${props.audience} (fails closed)`,
      environment: verifierEnvironment(keySource, props, headerName, durations),
      timeout: Duration.seconds(10),
      logEncryptionKey: logKey,
      options: props.functionOptions,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      readSecrets: secret ? [secret] : undefined,
      // Exactly what ring.grantReadPublicKeys grants, as the function's customer-managed policy.
      // In another account, only while the bucket is still the ring account's (see publicKeyReadStatements).
      statements: asymmetricRing
        ? publicKeyReadStatements(ring.jwksBucket!, ring.jwksObjectKey!, crossAccount ? Stack.of(ring).account : undefined)
        : undefined,
      noDeadLetterQueueReason: 'API Gateway invokes an authorizer synchronously and turns any failure into 401/500 for ' +
        'that request; a dead-letter queue only receives asynchronous invocations and would stay empty.',
    });
    // In another account the function's own policy is not enough: the ring's bucket names it too.
    const readerStatement = asymmetricRing ? publicKeyReaderBucketStatement(this, ring.jwksBucket!, ring.jwksObjectKey!, fn.role) : undefined;
    if (readerStatement) ring!.jwksBucket!.addToResourcePolicy(readerStatement);
    this.function = fn.function;
    this.logGroup = fn.logGroup;
    this.alarmTopic = props.alarmTopic ?? createAlarmTopic(this, 'AlarmTopic', 'JWT authorizer');
    addAuthorizerSecurityEvents(this, fn.logGroup, this.alarmTopic, asymmetricRing ? 'publishedKeys' : secret ? 'keyRing' : 'identityProvider');

    if (props.reservedConcurrentExecutions === undefined) {
      for (const ruleId of ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency']) {
        acknowledge(fn.function, ruleId, 'An authorizer runs on every uncached API request: a concurrency reservation would cap the whole API at that ' +
        'many concurrent verifications and throttle legitimate callers. Stage throttling and the WAF rate rule bound ' +
        'the load instead; set reservedConcurrentExecutions to reserve capacity.');
      }
    }

    const identitySource = apigateway.IdentitySource.header(headerName);
    const authorizer = (props.type ?? JwtAuthorizerType.TOKEN) === JwtAuthorizerType.TOKEN
      ? new apigateway.TokenAuthorizer(this, 'Authorizer', {
        handler: fn.function,
        identitySource,
        resultsCacheTtl: this.resultsCacheTtl,
        validationRegex: props.identityValidationRegex ?? DEFAULT_VALIDATION_REGEX,
      })
      : new apigateway.RequestAuthorizer(this, 'Authorizer', {
        handler: fn.function,
        identitySources: [identitySource],
        resultsCacheTtl: this.resultsCacheTtl,
      });
    requireSourceAccount(authorizer, fn.function);
    this.authorizer = authorizer;
  }
}
