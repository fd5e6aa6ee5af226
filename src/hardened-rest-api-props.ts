/**
 * The public types of HardenedRestApi: its props, method and API key options, WAF options.
 * Kept apart from the construct so each file holds one concern. Over 400 lines because every
 * prop carries its documentation and default (API.md is generated from it); the WAF, usage plan
 * and alarm props are grouped in their own structs here, and could move to files of their own.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ApiGatewayCloudWatchRole } from './api-gateway-cloudwatch-role';
import { BundledFunctionOptions } from './bundled-function-options';
import { RotatingJwtSecret } from './rotating-jwt-secret';

/**
 * What a WAF rule does with a request it matches.
 */
export enum WafRuleAction {
  /** Let the request through and stop evaluating. */
  ALLOW = 'ALLOW',
  /** Reject the request with 403. */
  BLOCK = 'BLOCK',
  /** Only count (and label) the request; evaluation goes on. */
  COUNT = 'COUNT',
  /** Answer with a CAPTCHA puzzle. */
  CAPTCHA = 'CAPTCHA',
  /** Answer with a silent browser challenge. */
  CHALLENGE = 'CHALLENGE',
}

/**
 * Overrides the action of one rule inside a managed rule group, e.g. to COUNT
 * `SizeRestrictions_BODY` of `AWSManagedRulesCommonRuleSet` for APIs that accept bodies over 8 KB.
 */
export interface WafRuleActionOverride {
  /** The managed rule group, e.g. `AWSManagedRulesCommonRuleSet`. It must be in the web ACL. */
  readonly ruleGroupName: string;
  /** The rule in that group, e.g. `SizeRestrictions_BODY`. */
  readonly ruleName: string;
  /** The action to use instead of the rule's own. */
  readonly action: WafRuleAction;
}

/**
 * A further managed rule group for the web ACL, evaluated after the built-in ones.
 */
export interface WafManagedRuleGroup {
  /** The rule group's name, e.g. `AWSManagedRulesLinuxRuleSet`. */
  readonly name: string;

  /**
   * The rule group's vendor.
   *
   * @default 'AWS'
   */
  readonly vendorName?: string;

  /** The rule group's capacity in WCU, as its vendor documents it; counted against the web ACL's budget. */
  readonly capacity: number;

  /**
   * A pinned version of the rule group.
   *
   * @default - the vendor's default version
   */
  readonly version?: string;
}

/**
 * A custom domain name for the API.
 */
export interface HardenedRestApiDomainOptions {
  /** The domain name, e.g. `api.example.com`. */
  readonly domainName: string;

  /** A certificate for the domain name, in the API's Region. */
  readonly certificate: acm.ICertificate;

  /**
   * Mutual TLS: the truststore of client certificate authorities in S3. API Gateway allows
   * mutual TLS only with the legacy `TLS_1_2` policy, which the domain then uses.
   *
   * @default - no mutual TLS
   */
  readonly mtls?: apigateway.MTLSConfig;

  /**
   * The base path the API is mapped to.
   *
   * @default - the domain root
   */
  readonly basePath?: string;
}

/**
 * Options for a method added with `HardenedRestApi.addMethod`.
 */
export interface HardenedMethodOptions {
  /**
   * A JSON schema the request body must match (as `application/json`); API Gateway answers
   * 400 to a body that does not, before the integration runs.
   *
   * @default - no body model; parameters are still validated
   */
  readonly requestSchema?: apigateway.JsonSchema;

  /**
   * Request parameters (`method.request.querystring.x`, `method.request.header.x`,
   * `method.request.path.x`) to whether they are required.
   *
   * @default - none
   */
  readonly requestParameters?: { [param: string]: boolean };

  /**
   * Whether the method needs an API key (for metering and per-client throttling, not
   * authentication).
   *
   * @default - the construct's `apiKeyRequired`
   */
  readonly apiKeyRequired?: boolean;

  /**
   * The method's responses.
   *
   * @default - none
   */
  readonly methodResponses?: apigateway.MethodResponse[];

  /**
   * A friendly operation name, e.g. for generated SDKs.
   *
   * @default - none
   */
  readonly operationName?: string;
}

/**
 * Options for a method added with `HardenedRestApi.addPublicMethod`.
 */
export interface HardenedPublicMethodOptions extends HardenedMethodOptions {
  /**
   * Why this method answers without authentication, for reviewers (e.g. "load balancer health
   * check; returns no data"). Recorded in `publicRoutes` and in the cdk-nag acknowledgements.
   */
  readonly reason: string;
}

/**
 * A method of a HardenedRestApi declared public with `addPublicMethod`.
 */
export interface HardenedPublicRoute {
  /** The resource path, e.g. `/health`. */
  readonly path: string;
  /** The HTTP method. */
  readonly httpMethod: string;
  /** Why it is public. */
  readonly reason: string;
}

/**
 * Options for an API key created with `HardenedRestApi.addApiKey`.
 */
export interface HardenedApiKeyOptions {
  /**
   * A name for the API key.
   *
   * @default - a name generated by CloudFormation
   */
  readonly apiKeyName?: string;

  /**
   * A description for the key and its secret.
   *
   * @default - names the client id
   */
  readonly description?: string;
}

/**
 * An API key and the secret its value lives in.
 */
export interface HardenedApiKey {
  /** The API key, in the construct's usage plan. */
  readonly apiKey: apigateway.IApiKey;

  /** The secret holding the key's value; hand it to the client through Secrets Manager. */
  readonly secret: secretsmanager.ISecret;
}

/**
 * The WAF options of a HardenedRestApi (`HardenedRestApiProps.waf`).
 */
export interface HardenedRestApiWafOptions {
  /**
   * Requests per IP in each `rateLimitWindow` above which WAF blocks the IP (with 429).
   * At least 10, WAF's minimum.
   *
   * @default 2000
   */
  readonly rateLimit?: number;

  /**
   * The window the rate limit counts over: 1, 2, 5 or 10 minutes.
   *
   * @default Duration.minutes(5)
   */
  readonly rateLimitWindow?: Duration;

  /**
   * Rate-limit by the client IP in this header (e.g. `X-Forwarded-For`) instead of the
   * connection's source IP. Only when a proxy you control (CloudFront) overwrites the header:
   * clients can set it to anything. The IP allow and deny lists always use the source IP.
   *
   * @default - the source IP
   */
  readonly forwardedIpHeader?: string;

  /**
   * Add AWSManagedRulesAnonymousIpList (VPNs, Tor, hosting providers; 50 WCU).
   *
   * @default false
   */
  readonly enableAnonymousIpList?: boolean;

  /**
   * Add AWSManagedRulesBotControlRuleSet at the COMMON inspection level (50 WCU, billed per request).
   *
   * @default false
   */
  readonly enableBotControl?: boolean;

  /**
   * Further managed rule groups, evaluated after the built-in ones.
   *
   * @default - none
   */
  readonly additionalManagedRuleGroups?: WafManagedRuleGroup[];

  /**
   * Per-rule action overrides inside the managed rule groups.
   *
   * @default - none
   */
  readonly ruleActionOverrides?: WafRuleActionOverride[];

  /**
   * Rollout mode: every WAF rule only counts (the deny list and rate limit count too), so
   * logs and metrics show what would be blocked before anything is.
   *
   * @default false
   */
  readonly countOnly?: boolean;

  /**
   * CIDR ranges (IPv4 or IPv6) that WAF lets through without further rules, after the deny list.
   *
   * @default - no allow list
   */
  readonly allowedIpRanges?: string[];

  /**
   * CIDR ranges (IPv4 or IPv6) that WAF blocks before any other rule.
   *
   * @default - no deny list
   */
  readonly deniedIpRanges?: string[];

  /**
   * Accept a web ACL over 1,500 WCU, which AWS WAF bills at a higher price (up to 5,000).
   *
   * @default false - over 1,500 WCU is a ValidationError
   */
  readonly allowHigherCapacityPricing?: boolean;

  /**
   * Whether WAF logs go to an `aws-waf-logs-` log group (with the authorization, x-api-key and
   * cookie headers redacted).
   *
   * @default true
   */
  readonly logging?: boolean;

  /**
   * Keep only BLOCK and COUNT requests in the WAF logs.
   *
   * @default false - all requests are logged
   */
  readonly logBlockedAndCountedOnly?: boolean;
}

/**
 * The usage plan options of a HardenedRestApi (`HardenedRestApiProps.usagePlan`).
 */
export interface HardenedRestApiUsagePlanOptions {
  /**
   * Throttle of each API key in the usage plan.
   *
   * @default - burst 1,000, rate 500
   */
  readonly throttle?: apigateway.ThrottleSettings;

  /**
   * Quota of each API key in the usage plan.
   *
   * @default - 100,000 requests per day
   */
  readonly quota?: apigateway.QuotaSettings;
}

/**
 * The alarm thresholds of a HardenedRestApi (`HardenedRestApiProps.alarms`).
 */
export interface HardenedRestApiAlarmOptions {
  /**
   * The fraction of requests answered 5XX (over 5 minutes, 2 of 3 periods) that alarms.
   *
   * @default 0.05
   */
  readonly serverErrorRateThreshold?: number;

  /**
   * The fraction of requests answered 4XX (over 5 minutes, 3 of 3 periods) that alarms.
   *
   * @default 0.25
   */
  readonly clientErrorRateThreshold?: number;

  /**
   * The p99 latency (over 5 minutes, 3 of 3 periods) that alarms.
   *
   * @default Duration.seconds(3)
   */
  readonly latencyThreshold?: Duration;

  /**
   * Requests blocked by WAF in 5 minutes that alarm.
   *
   * @default 1000
   */
  readonly blockedRequestsThreshold?: number;
}

/**
 * Properties for a HardenedRestApi.
 */
export interface HardenedRestApiProps {
  /**
   * A name for the REST API.
   *
   * @default - a name derived from the construct path, unique in the account
   */
  readonly restApiName?: string;

  /**
   * A description for the REST API.
   *
   * @default - none
   */
  readonly description?: string;

  /**
   * The key ring the API's JWTs are signed with; a JwtAuthorizer is created from it with
   * `issuer`, `audience`, `rolePermissions` and `permissionMethods`. Give either this or `authorizer`.
   *
   * @default - use `authorizer`
   */
  readonly signingKeys?: RotatingJwtSecret;

  /**
   * The exact `iss` claim a token must carry (with `signingKeys`).
   *
   * @default - required with `signingKeys`
   */
  readonly issuer?: string;

  /**
   * The audience a token's `aud` claim must contain (with `signingKeys`).
   *
   * @default - required with `signingKeys`
   */
  readonly audience?: string;

  /**
   * Role to the permissions it grants (with `signingKeys`); see `JwtAuthorizerProps.rolePermissions`.
   *
   * @default - required with `signingKeys`
   */
  readonly rolePermissions?: { [role: string]: string[] };

  /**
   * Permission to the methods it allows (with `signingKeys`); see `JwtAuthorizerProps.permissionMethods`.
   *
   * @default - required with `signingKeys`
   */
  readonly permissionMethods?: { [permission: string]: string[] };

  /**
   * An authorizer to put on every method instead of creating a JwtAuthorizer. Give either
   * this or `signingKeys`.
   *
   * @default - a JwtAuthorizer from `signingKeys`
   */
  readonly authorizer?: apigateway.IAuthorizer;

  /**
   * Where the function of the JwtAuthorizer created from `signingKeys` runs (VPC, subnets,
   * security groups) and how long its logs are kept. Only with `signingKeys`.
   *
   * @default - outside a VPC; log retention and removal policy as the API's (`logRetention`, `removalPolicy`)
   */
  readonly authorizerFunction?: BundledFunctionOptions;

  /**
   * Origins allowed to call the API from a browser (`https://app.example.com`). Each gets a
   * CORS preflight `OPTIONS` method, which needs no authorization.
   *
   * @default - no CORS: browsers on other origins cannot call the API
   */
  readonly allowOrigins?: string[];

  /**
   * Whether browsers may send credentials (cookies) cross-origin. Never with origin `*`.
   *
   * @default false
   */
  readonly allowCredentials?: boolean;

  /**
   * Request headers allowed cross-origin.
   *
   * @default ['Authorization', 'Content-Type', 'X-Api-Key']
   */
  readonly allowHeaders?: string[];

  /**
   * Methods allowed cross-origin.
   *
   * @default ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
   */
  readonly allowMethods?: string[];

  /**
   * The name of the stage.
   *
   * @default 'prod'
   */
  readonly stageName?: string;

  /**
   * The stage-wide steady-state request rate (requests per second).
   *
   * @default 1000
   */
  readonly throttlingRateLimit?: number;

  /**
   * The stage-wide burst of requests.
   *
   * @default 2000
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Whether to create the account-wide API Gateway CloudWatch role. See the class
   * documentation: an account-level setting is better owned by one account baseline stack.
   *
   * @default false
   */
  readonly cloudWatchRole?: boolean;

  /**
   * The account's API Gateway CloudWatch role, created once per account and Region. The stage
   * is deployed after it, so a fresh account deploys in one go. Without it (and without
   * `cloudWatchRole: true`), synth warns: the stage logs execution errors and fails to deploy in
   * an account where the role is not set.
   *
   * @default - none; the account must already have the role set
   */
  readonly cloudWatchAccount?: ApiGatewayCloudWatchRole;

  /**
   * The TLS security policy of the API's endpoint and of the custom domain.
   * TLS 1.0 and edge-only policies are refused.
   *
   * @default apigateway.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09 (TLS 1.3 and 1.2, forward secrecy, post-quantum key exchange)
   */
  readonly securityPolicy?: apigateway.SecurityPolicy;

  /**
   * A custom domain name. The default `execute-api` endpoint is then disabled, so WAF,
   * TLS policy and mutual TLS cannot be bypassed through it.
   *
   * @default - no custom domain
   */
  readonly customDomain?: HardenedRestApiDomainOptions;

  /**
   * The customer-managed key that encrypts the log groups and the API key secrets.
   *
   * @default - a new KMS key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long the access logs, WAF logs and authorizer logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the log groups and API key secrets when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The WAF web ACL in front of the stage: rate rule, managed rule groups, IP lists, logging.
   *
   * @default - per-IP rate limit of 2,000 per 5 minutes, the AWS managed IP reputation, common,
   * known bad inputs and SQLi rule groups, redacted logging
   */
  readonly waf?: HardenedRestApiWafOptions;

  /**
   * Throttle and quota of each API key in the usage plan.
   *
   * @default - burst 1,000, rate 500, 100,000 requests per day
   */
  readonly usagePlan?: HardenedRestApiUsagePlanOptions;

  /**
   * Whether methods added with `addMethod` need an API key by default.
   *
   * @default false
   */
  readonly apiKeyRequired?: boolean;

  /**
   * The SNS topic the alarms notify.
   *
   * @default - a new topic, encrypted with its own KMS key and accepting only SSL requests
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Alarm thresholds (the alarms go to `alarmTopic`).
   *
   * @default - 5XX rate 5 %, 4XX rate 25 %, p99 latency 3 s, 1,000 blocked requests in 5 minutes
   */
  readonly alarms?: HardenedRestApiAlarmOptions;
}
