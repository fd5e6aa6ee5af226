import { Annotations, Aspects, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ApiGatewayCloudWatchRole } from './api-gateway-cloudwatch-role';
import { JwtAuthorizer } from './jwt-authorizer';
import { ACCESS_LOG_FIELDS } from './private/access-log-format';
import { acknowledge } from './private/acknowledge';
import { createAlarmTopic } from './private/alarm-topic';
import { createApiAlarms } from './private/api-alarms';
import { ApiMethod, checkRoleMap } from './private/authorizer-contract';
import { allowLogGroupEncryption, createEncryptionKey } from './private/encryption-key';
import { addGatewayResponses } from './private/gateway-responses';
import { isCorsPreflight, unauthorizedMethods, unreachableMethods } from './private/method-audit';
import { ValidationError, validateDurationRange, validateNumberRange } from './private/validation';
import { createWebAcl } from './private/web-acl';
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
  readonly wafCountOnly?: boolean;

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
  readonly allowHigherWafCapacityPricing?: boolean;

  /**
   * Whether WAF logs go to an `aws-waf-logs-` log group (with the authorization, x-api-key and
   * cookie headers redacted).
   *
   * @default true
   */
  readonly wafLogging?: boolean;

  /**
   * Keep only BLOCK and COUNT requests in the WAF logs.
   *
   * @default false - all requests are logged
   */
  readonly wafLogBlockedAndCountedOnly?: boolean;

  /**
   * Throttle of each API key in the usage plan.
   *
   * @default - burst 1,000, rate 500
   */
  readonly usagePlanThrottle?: apigateway.ThrottleSettings;

  /**
   * Quota of each API key in the usage plan.
   *
   * @default - 100,000 requests per day
   */
  readonly usagePlanQuota?: apigateway.QuotaSettings;

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

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const ORIGIN = /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^http:\/\/localhost(:\d{1,5})?$/;
const HEADER = /^[A-Za-z0-9-]{1,64}$/;
const RATE_WINDOWS = [60, 120, 300, 600];
const DEFAULT_POLICY = apigateway.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09;

/**
 * A REGIONAL REST API that is secure and compliant by default: every method is authorized by a
 * JwtAuthorizer (or the authorizer you pass) and validated; a WAF web ACL with a per-IP rate
 * limit and AWS managed rules sits in front of it; access logs (JSON, with authorizer, WAF and TLS
 * fields), WAF logs and execution errors are recorded; error responses are generic and carry
 * security headers; alarms watch errors, latency and blocked requests.
 *
 * **Execution logging needs the account's API Gateway CloudWatch role.** The stage logs
 * execution errors (level ERROR, data tracing off, so no bodies or tokens reach the logs), which
 * API Gateway writes with the role set in the account's API Gateway settings. This construct does
 * not create that role (`cloudWatchRole: false`): `AWS::ApiGateway::Account` is one setting per
 * account and Region, so whichever stack owns it last wins, and deleting that stack removes the
 * role for every API in the account. Create `ApiGatewayCloudWatchRole` once per account and
 * Region (it is retained) and pass it as `cloudWatchAccount`; synth warns when neither it nor
 * `cloudWatchRole: true` is given. Without the role, the stage fails to deploy.
 *
 * **API keys meter and identify clients; they do not authenticate.** Keys are sent in clear in
 * a header and are not bound to a caller: the usage plan uses them for quotas and per-client
 * throttling, while every method still requires a valid JWT. Key values are generated into
 * Secrets Manager and reach API Gateway through a dynamic reference, never as template text.
 */
export class HardenedRestApi extends Construct {
  /** The REST API. */
  public readonly restApi: apigateway.RestApi;

  /** The authorizer every method added with `addMethod` uses. */
  public readonly authorizer: apigateway.IAuthorizer;

  /** The JwtAuthorizer, when created from `signingKeys`. */
  public readonly jwtAuthorizer?: JwtAuthorizer;

  /** The validator of body and parameters that every method added with `addMethod` uses. */
  public readonly requestValidator: apigateway.RequestValidator;

  /** The WAF web ACL associated with the stage. */
  public readonly webAcl: wafv2.CfnWebACL;

  /** The web ACL's capacity in WCU, computed at synth. */
  public readonly webAclCapacity: number;

  /** The association of the web ACL with the stage. */
  public readonly webAclAssociation: wafv2.CfnWebACLAssociation;

  /** The usage plan API keys are added to. */
  public readonly usagePlan: apigateway.UsagePlan;

  /** The access log group. */
  public readonly accessLogGroup: logs.ILogGroup;

  /** The WAF log group, when WAF logging is on. */
  public readonly wafLogGroup?: logs.ILogGroup;

  /** The key that encrypts the log groups and API key secrets. */
  public readonly encryptionKey: kms.IKey;

  /** The client certificate API Gateway presents to HTTP backends, which they can verify. */
  public readonly clientCertificate: apigateway.CfnClientCertificate;

  /** The custom domain, when one is configured. */
  public readonly domainName?: apigateway.DomainName;

  /** The topic the alarms notify. */
  public readonly alarmTopic: sns.ITopic;

  /** Alarms: 5XX rate, 4XX rate, p99 latency and WAF blocked requests. */
  public readonly alarms: cloudwatch.Alarm[];

  /** The methods declared public with `addPublicMethod`, with their reasons. */
  public readonly publicRoutes: HardenedPublicRoute[] = [];

  private readonly apiKeyRequired: boolean;
  private readonly removalPolicy: RemovalPolicy;
  /** role → methods, when this construct created the JwtAuthorizer (and so knows the role map). */
  private readonly roleMethods?: ReadonlyMap<string, readonly ApiMethod[]>;

  constructor(scope: Construct, id: string, props: HardenedRestApiProps) {
    super(scope, id);
    this.validate(props);

    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.apiKeyRequired = props.apiKeyRequired ?? false;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.encryptionKey = props.encryptionKey ?? createEncryptionKey(this, 'Key', 'Encrypts the REST API logs and API key secrets');

    if (props.authorizer) {
      this.authorizer = props.authorizer;
    } else {
      this.jwtAuthorizer = new JwtAuthorizer(this, 'Authorizer', {
        signingKeys: props.signingKeys!,
        issuer: props.issuer!,
        audience: props.audience!,
        rolePermissions: props.rolePermissions!,
        permissionMethods: props.permissionMethods!,
        logRetention,
        removalPolicy: this.removalPolicy,
      });
      this.authorizer = this.jwtAuthorizer.authorizer;
      const roleMap = checkRoleMap(props.rolePermissions, props.permissionMethods);
      if (roleMap.ok) this.roleMethods = roleMap.roleMethods;
    }

    this.accessLogGroup = this.createLogGroup('AccessLogs', `/aws/apigateway/${Names.uniqueResourceName(this, { maxLength: 200 })}/access`, logRetention);
    this.clientCertificate = new apigateway.CfnClientCertificate(this, 'ClientCertificate', {
      description: 'Presented by API Gateway to HTTP backends, which may verify it to accept only this API',
    });

    const allowOrigins = props.allowOrigins ?? [];
    const securityPolicy = props.securityPolicy ?? DEFAULT_POLICY;
    this.restApi = new apigateway.RestApi(this, 'Resource', {
      restApiName: props.restApiName ?? Names.uniqueResourceName(this, { maxLength: 255 }),
      description: props.description,
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      cloudWatchRole: props.cloudWatchRole ?? false,
      disableExecuteApiEndpoint: props.customDomain !== undefined,
      defaultMethodOptions: {
        authorizer: this.authorizer,
        authorizationType: this.authorizer.authorizationType ?? apigateway.AuthorizationType.CUSTOM,
      },
      defaultCorsPreflightOptions: allowOrigins.length === 0 ? undefined : {
        allowOrigins,
        allowCredentials: props.allowCredentials ?? false,
        allowHeaders: props.allowHeaders ?? ['Authorization', 'Content-Type', 'X-Api-Key'],
        allowMethods: props.allowMethods ?? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        maxAge: Duration.hours(1),
      },
      deployOptions: {
        stageName: props.stageName ?? 'prod',
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: props.throttlingRateLimit ?? 1000,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 2000,
        clientCertificateId: this.clientCertificate.attrClientCertificateId,
      },
    });
    // A library adds no stack outputs (an export name would have to be unique account-wide);
    // `restApi.url` and `domainName` give the endpoint to whoever needs it.
    this.restApi.node.tryRemoveChild('Endpoint');
    if (props.cloudWatchAccount) {
      this.restApi.deploymentStage.node.addDependency(props.cloudWatchAccount.account);
    } else if (props.cloudWatchRole !== true) {
      Annotations.of(this).addWarningV2('cdk-security-blocks:apiGatewayCloudWatchRole',
        'The stage logs execution errors, which needs the account\'s API Gateway CloudWatch role; in an account where it is not set, ' +
        'the stage fails to deploy. Create ApiGatewayCloudWatchRole once per account and Region and pass it as cloudWatchAccount, ' +
        'or acknowledge this warning if an account baseline sets the role.');
    }
    const cfnApi = this.restApi.node.defaultChild as apigateway.CfnRestApi;
    cfnApi.securityPolicy = securityPolicy;
    if (securityPolicy.startsWith('SecurityPolicy_')) cfnApi.endpointAccessMode = apigateway.EndpointAccessMode.STRICT;

    this.requestValidator = this.restApi.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    addGatewayResponses(this.restApi, { allowOrigins, allowCredentials: props.allowCredentials ?? false });
    this.acknowledgeStage();

    const waf = createWebAcl(this, this.restApi.deploymentStage, props, logRetention,
      (logId, name, retention) => this.createLogGroup(logId, name, retention));
    this.webAcl = waf.webAcl;
    this.webAclCapacity = waf.capacity;
    this.wafLogGroup = waf.logGroup;
    this.webAclAssociation = waf.association;

    this.usagePlan = this.restApi.addUsagePlan('UsagePlan', {
      description: 'Meters and throttles API clients by API key (keys identify clients; JWTs authenticate them)',
      apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
      throttle: props.usagePlanThrottle ?? { burstLimit: 1000, rateLimit: 500 },
      quota: props.usagePlanQuota ?? { limit: 100_000, period: apigateway.Period.DAY },
    });

    if (props.customDomain) {
      // API Gateway refuses mutual TLS with an enhanced policy; TLS_1_2 is then the strongest it takes.
      const domainPolicy = props.customDomain.mtls && props.securityPolicy === undefined ? apigateway.SecurityPolicy.TLS_1_2 : securityPolicy;
      this.domainName = new apigateway.DomainName(this, 'DomainName', {
        domainName: props.customDomain.domainName,
        certificate: props.customDomain.certificate,
        endpointType: apigateway.EndpointType.REGIONAL,
        securityPolicy: domainPolicy,
        endpointAccessMode: domainPolicy.startsWith('SecurityPolicy_') ? apigateway.EndpointAccessMode.STRICT : undefined,
        mtls: props.customDomain.mtls,
        mapping: this.restApi,
        basePath: props.customDomain.basePath,
      });
    }

    this.alarmTopic = props.alarmTopic ?? createAlarmTopic(this, 'AlarmTopic', 'REST API');
    this.alarms = createApiAlarms(this, props);

    // Methods can be added to `restApi` directly, after this constructor: checked at synth, in an
    // aspect because aspects run before the template is resolved (an API with no methods would
    // otherwise fail there first, with a resolution error about its authorizer).
    Aspects.of(this).add({
      visit: (node) => {
        if (node !== this) return;
        const errors = this.auditMethods();
        if (errors.length > 0) throw new ValidationError(this, 'methods', errors.join('; '));
      },
    });
  }

  /** What synth refuses: an API with no methods, and a method with no authorizer or no role. */
  private auditMethods(): string[] {
    if (this.restApi.methods.filter((m) => !isCorsPreflight(m)).length === 0) {
      return ['must not be empty: add them with addMethod(path, method, integration) or addPublicMethod(path, method, integration, { reason })'];
    }
    const errors = unauthorizedMethods(this.restApi, this.publicRoutes).map((m) =>
      `must all be authorized, but ${m} has no authorizer: add it with addMethod(), or declare it public with addPublicMethod(path, method, integration, { reason })`);
    if (this.roleMethods) {
      const isPublic = (m: apigateway.Method): boolean => this.publicRoutes.some((p) => p.path === m.resource.path && p.httpMethod === m.httpMethod);
      for (const m of unreachableMethods(this.restApi, this.roleMethods, isPublic)) {
        errors.push(`must each be granted to a role, but ${m} is reachable by no role: name it in permissionMethods (e.g. "${m.replace(/\{[^}]+\}/g, '*')}") of a permission a role holds`);
      }
    }
    return errors;
  }

  /**
   * Adds a method at `path` (created as needed, e.g. `/orders/{id}`) with the construct's
   * authorizer and request validator, and a body model when `requestSchema` is given.
   */
  public addMethod(path: string, httpMethod: string, integration: apigateway.Integration, options: HardenedMethodOptions = {}): apigateway.Method {
    const method = this.createMethod(path, httpMethod, integration, options, false);
    if (this.roleMethods && unreachableMethods(this.restApi, this.roleMethods, (m) => m !== method).length > 0) {
      throw new ValidationError(this, 'permissionMethods',
        `grant ${method.httpMethod} ${method.resource.path} to no role: every caller would get 403. Name it (e.g. "${method.httpMethod} ${method.resource.path.replace(/\{[^}]+\}/g, '*')}") in a permission a role holds, or use addPublicMethod`);
    }
    acknowledge(method, 'AwsSolutions-COG4', 'The method is authorized by a Lambda (JWT) authorizer that verifies signature, issuer, ' +
      'audience, expiry and role for this exact method; a Cognito user pool is one identity provider among others, not a ' +
      'requirement. Pass a Cognito authorizer as `authorizer` to use one.');
    return method;
  }

  /**
   * Adds a method that answers WITHOUT authentication (e.g. a health check), with the request
   * validator and WAF like every other method. The reason is recorded in `publicRoutes` and in
   * the acknowledgements of the findings this causes; every other method without an authorizer
   * fails synth.
   */
  public addPublicMethod(
    path: string, httpMethod: string, integration: apigateway.Integration, options: HardenedPublicMethodOptions,
  ): apigateway.Method {
    if (Token.isUnresolved(options.reason) || options.reason.trim().length < 10) {
      throw new ValidationError(this, 'reason', `must say in at least 10 characters why ${httpMethod.toUpperCase()} ${path} is public, got '${options.reason}'`);
    }
    const method = this.createMethod(path, httpMethod, integration, options, true);
    this.publicRoutes.push({ path: method.resource.path, httpMethod: method.httpMethod, reason: options.reason });
    for (const ruleId of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
      acknowledge(method, ruleId, `Declared public with addPublicMethod: ${options.reason}`);
    }
    return method;
  }

  private createMethod(
    path: string, httpMethod: string, integration: apigateway.Integration, options: HardenedMethodOptions, isPublic: boolean,
  ): apigateway.Method {
    if (!path.startsWith('/')) throw new ValidationError(this, 'path', `must start with '/', got '${path}'`);
    const resource = this.restApi.root.resourceForPath(path);
    const verb = httpMethod.toUpperCase();
    let model: apigateway.IModel | undefined;
    if (options.requestSchema) {
      model = this.restApi.addModel(`Model${verb}${path.replace(/[^A-Za-z0-9]/g, '_')}`, {
        contentType: 'application/json',
        schema: options.requestSchema,
        description: `Request body of ${verb} ${path}`,
      });
    }
    const method = resource.addMethod(verb, integration, {
      requestValidator: this.requestValidator,
      requestModels: model ? { 'application/json': model } : undefined,
      requestParameters: options.requestParameters,
      apiKeyRequired: options.apiKeyRequired ?? this.apiKeyRequired,
      methodResponses: options.methodResponses,
      operationName: options.operationName,
      // No authorizer object with NONE: the default method options' authorizer is not applied.
      authorizationType: isPublic ? apigateway.AuthorizationType.NONE : undefined,
    });
    return method;
  }

  /**
   * Adds an API key to the usage plan. Its value is generated into a KMS-encrypted Secrets
   * Manager secret and passed to API Gateway by dynamic reference, so it never appears in the
   * template. The key identifies and meters a client; it does not authenticate it.
   */
  public addApiKey(id: string, options: HardenedApiKeyOptions = {}): HardenedApiKey {
    const scope = new Construct(this, `ApiKey${id}`);
    const description = options.description ?? `API key of client ${id} (metering, not authentication)`;
    const secret = new secretsmanager.Secret(scope, 'Secret', {
      description,
      encryptionKey: this.encryptionKey,
      removalPolicy: this.removalPolicy,
      generateSecretString: { passwordLength: 40, excludePunctuation: true, includeSpace: false },
    });
    const reason = 'An API key identifies and meters a client and is read by API Gateway only at deployment (dynamic ' +
      'reference): rotating the secret would not change the key API Gateway accepts and would leave the two out of step. ' +
      'Callers are authenticated by JWTs whose signing keys do rotate. To replace a key, add a new one with addApiKey, ' +
      'hand it over, then remove the old one.';
    for (const ruleId of ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled', 'PCI.DSS.321-SecretsManagerRotationEnabled']) {
      acknowledge(secret, ruleId, reason);
    }
    const apiKey = new apigateway.ApiKey(scope, 'Resource', {
      apiKeyName: options.apiKeyName,
      description,
      enabled: true,
      value: secret.secretValue.unsafeUnwrap(),
    });
    this.usagePlan.addApiKey(apiKey);
    return { apiKey, secret };
  }

  /** The stage's 5XX responses (sum over 5 minutes; use `statistic: 'Average'` for the rate). */
  public metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.restApi.deploymentStage.metricServerError({ period: Duration.minutes(5), statistic: 'Sum', ...props });
  }

  /** The stage's 4XX responses (sum over 5 minutes; use `statistic: 'Average'` for the rate). */
  public metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.restApi.deploymentStage.metricClientError({ period: Duration.minutes(5), statistic: 'Sum', ...props });
  }

  /** The stage's latency, from request to response (p99 over 5 minutes). */
  public metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.restApi.deploymentStage.metricLatency({ period: Duration.minutes(5), statistic: 'p99', ...props });
  }

  /** Requests the web ACL blocked, all rules together (sum over 5 minutes). */
  public metricBlockedRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: this.webAcl.name!, Region: Stack.of(this).region, Rule: 'ALL' },
      period: Duration.minutes(5),
      statistic: 'Sum',
      ...props,
    });
  }

  private validate(props: HardenedRestApiProps): void {
    if ((props.signingKeys ? 1 : 0) + (props.authorizer ? 1 : 0) !== 1) {
      throw new ValidationError(this, 'signingKeys', 'or authorizer must be given, and not both');
    }
    if (props.signingKeys) {
      for (const prop of ['issuer', 'audience', 'rolePermissions', 'permissionMethods'] as const) {
        if (props[prop] === undefined) throw new ValidationError(this, prop, 'is required with signingKeys');
      }
    }
    if (props.stageName !== undefined && !STAGE_NAME.test(props.stageName)) {
      throw new ValidationError(this, 'stageName', `must match ${STAGE_NAME}, got '${props.stageName}'`);
    }
    this.validateCors(props);
    validateNumberRange(this, 'throttlingRateLimit', props.throttlingRateLimit, 1, 10_000);
    validateNumberRange(this, 'throttlingBurstLimit', props.throttlingBurstLimit, 1, 5_000);
    this.validateUsagePlan(props);
    validateNumberRange(this, 'rateLimit', props.rateLimit, 10, 2_000_000_000);
    const window = props.rateLimitWindow;
    if (window !== undefined && !Token.isUnresolved(window.toSeconds()) && !RATE_WINDOWS.includes(window.toSeconds())) {
      throw new ValidationError(this, 'rateLimitWindow', `must be 1, 2, 5 or 10 minutes, got ${window.toHumanString()}`);
    }
    if (props.forwardedIpHeader !== undefined && !HEADER.test(props.forwardedIpHeader)) {
      throw new ValidationError(this, 'forwardedIpHeader', `must be a header name matching ${HEADER}, got '${props.forwardedIpHeader}'`);
    }
    const retention = props.logRetention;
    if (retention !== undefined && (retention === logs.RetentionDays.INFINITE || !Object.values(logs.RetentionDays).includes(retention))) {
      throw new ValidationError(this, 'logRetention', `must be one of logs.RetentionDays other than INFINITE (an explicit retention), got ${props.logRetention}`);
    }
    if (props.securityPolicy === apigateway.SecurityPolicy.TLS_1_0) {
      throw new ValidationError(this, 'securityPolicy', 'must accept only TLS 1.2 or newer, got TLS_1_0');
    }
    if (props.securityPolicy !== undefined && props.securityPolicy.endsWith('_EDGE')) {
      throw new ValidationError(this, 'securityPolicy', `must be a policy for REGIONAL endpoints, got the edge-only ${props.securityPolicy}`);
    }
    if (props.customDomain?.mtls && props.securityPolicy?.startsWith('SecurityPolicy_')) {
      throw new ValidationError(this, 'securityPolicy',
        `must be TLS_1_2 (or unset) with customDomain.mtls: API Gateway refuses mutual TLS with an enhanced policy, got ${props.securityPolicy}`);
    }
    for (const [prop, value] of [['serverErrorRateThreshold', props.serverErrorRateThreshold], ['clientErrorRateThreshold', props.clientErrorRateThreshold]] as const) {
      if (value !== undefined && !Token.isUnresolved(value) && !(value > 0 && value <= 1)) {
        throw new ValidationError(this, prop, `must be a fraction above 0 and at most 1, got ${value}`);
      }
    }
    validateDurationRange(this, 'latencyThreshold', props.latencyThreshold, Duration.millis(1), Duration.seconds(29));
    validateNumberRange(this, 'blockedRequestsThreshold', props.blockedRequestsThreshold, 1, 1_000_000_000);
  }

  /** aws-cdk-lib only warns in the template about these; a negative quota would fail the deployment. */
  private validateUsagePlan(props: HardenedRestApiProps): void {
    const quota = props.usagePlanQuota;
    validateNumberRange(this, 'usagePlanQuota.limit', quota?.limit, 1, 2_147_483_647);
    const throttle = props.usagePlanThrottle;
    if (!throttle) return;
    validateNumberRange(this, 'usagePlanThrottle.burstLimit', throttle.burstLimit, 1, 5_000);
    validateNumberRange(this, 'usagePlanThrottle.rateLimit', throttle.rateLimit, 1, 10_000);
    const { burstLimit, rateLimit } = throttle;
    const known = (n: number | undefined): n is number => n !== undefined && !Token.isUnresolved(n);
    if (known(burstLimit) && known(rateLimit) && burstLimit < rateLimit) {
      throw new ValidationError(this, 'usagePlanThrottle.burstLimit', `must be at least the rate limit (${rateLimit}), got ${burstLimit}`);
    }
  }

  private validateCors(props: HardenedRestApiProps): void {
    const origins = props.allowOrigins ?? [];
    for (const origin of origins) {
      if (origin !== '*' && !ORIGIN.test(origin)) {
        throw new ValidationError(this, 'allowOrigins', `must hold '*' or origins like 'https://app.example.com' (http only for localhost), got '${origin}'`);
      }
    }
    if (origins.includes('*') && origins.length > 1) {
      throw new ValidationError(this, 'allowOrigins', `cannot mix '*' with specific origins, got ${origins.join(', ')}`);
    }
    if (origins.includes('*') && props.allowCredentials) {
      throw new ValidationError(this, 'allowOrigins', "must list specific origins when allowCredentials is true: '*' with credentials lets every site act as the user");
    }
    if (props.allowCredentials && origins.length === 0) {
      throw new ValidationError(this, 'allowCredentials', 'needs allowOrigins');
    }
  }

  private createLogGroup(id: string, logGroupName: string, retention: logs.RetentionDays): logs.LogGroup {
    // A literal name: the key policy condition names the log group, and a Ref would be circular.
    allowLogGroupEncryption(this.encryptionKey, `Allow${id}${Names.uniqueId(this).slice(-40)}`, logGroupName);
    return new logs.LogGroup(this, id, {
      logGroupName,
      retention,
      encryptionKey: this.encryptionKey,
      removalPolicy: this.removalPolicy,
    });
  }

  private acknowledgeStage(): void {
    const stage = this.restApi.deploymentStage;
    const reason = 'Stage caching is off on purpose: every method is authorized per caller and API Gateway\'s cache key ' +
      'does not include the caller, so a cached response could be served to another user. Enable caching per method, ' +
      'with the identity in the cache key and cacheDataEncrypted, where responses are public.';
    for (const ruleId of ['NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', 'HIPAA.Security-APIGWCacheEnabledAndEncrypted', 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted']) {
      acknowledge(stage, ruleId, reason);
    }
  }

}
