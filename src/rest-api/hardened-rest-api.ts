import { relative } from 'path';
import { Annotations, Aspects, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ACCESS_LOG_FIELDS } from './access-log-format';
import { createApiAlarms } from './api-alarms';
import { createApiDashboard } from './api-dashboard';
import { addGatewayResponses } from './gateway-responses';
import { HardenedApiKey, HardenedApiKeyOptions, HardenedMethodOptions, HardenedPublicMethodOptions, HardenedPublicRoute, HardenedRestApiProps } from './hardened-rest-api-props';
import { isCorsPreflight, unauthorizedMethods, unreachableMethods } from './method-audit';
import { validateHardenedRestApiProps, validatePublicMethodReason } from './rest-api-validation';
import { stageLogging, warnAboutStageLogging } from './stage-logging';
import { createWebAcl } from './web-acl';
import { ApiMethod, checkRoleMap } from '../authorizer/authorizer-contract';
import { JwtAuthorizer } from '../authorizer/jwt-authorizer';
import { createAlarmTopic } from '../notifications/alarm-topic';
import { acknowledge } from '../shared/acknowledge';
import { allowLogGroupEncryption, createEncryptionKey } from '../shared/encryption-key';
import { requireSameStackInStackSet } from '../shared/stack-set';
import { ValidationError } from '../shared/validation';

export * from './hardened-rest-api-props';

const DEFAULT_POLICY = apigateway.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09;

/**
 * A REGIONAL REST API that is secure and compliant by default: every method is authorized by a
 * JwtAuthorizer (or the authorizer you pass) and validated; a WAF web ACL with a per-IP rate
 * limit and AWS managed rules sits in front of it; access logs (JSON, with authorizer, WAF and TLS
 * fields), WAF logs and execution errors are recorded; error responses are generic and carry
 * security headers; alarms watch errors, latency and blocked requests.
 *
 * **Execution logging needs the account's API Gateway CloudWatch role.** The stage logs
 * execution errors by default (level ERROR, data tracing off, so no bodies or tokens reach the logs), which
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
  /** `GET /orders` → how and where it was added, for the error on a second add of the same route. */
  private readonly addedRoutes = new Map<string, string>();
  private readonly removalPolicy: RemovalPolicy;
  /** role → methods, when this construct created the JwtAuthorizer (and so knows the role map). */
  private readonly roleMethods?: ReadonlyMap<string, readonly ApiMethod[]>;

  constructor(scope: Construct, id: string, props: HardenedRestApiProps) {
    super(scope, id);
    requireSameStackInStackSet(this, {
      signingKeys: props.signingKeys, encryptionKey: props.encryptionKey, alarmTopic: props.alarmTopic,
    });
    validateHardenedRestApiProps(this, props);

    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.apiKeyRequired = props.apiKeyRequired ?? false;
    const logRetention = props.logging?.retention ?? logs.RetentionDays.ONE_YEAR;
    this.encryptionKey = props.encryptionKey ?? createEncryptionKey(this, 'Key', 'Encrypts the REST API logs and API key secrets');

    this.alarmTopic = props.alarmTopic ?? createAlarmTopic(this, 'AlarmTopic', 'REST API');
    if (props.authorizer) {
      this.authorizer = props.authorizer;
    } else {
      this.jwtAuthorizer = new JwtAuthorizer(this, 'Authorizer', {
        signingKeys: props.signingKeys!,
        issuer: props.issuer!,
        audience: props.audience!,
        rolePermissions: props.rolePermissions!,
        permissionMethods: props.permissionMethods!,
        functionOptions: {
          ...props.authorizerFunction,
          logRetention: props.authorizerFunction?.logRetention ?? logRetention,
          removalPolicy: props.authorizerFunction?.removalPolicy ?? this.removalPolicy,
        },
        alarmTopic: this.alarmTopic,
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
    const logging = stageLogging(props.logging);
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
        loggingLevel: logging.loggingLevel,
        dataTraceEnabled: logging.dataTraceEnabled,
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
    warnAboutStageLogging(this.restApi.deploymentStage, logging);
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

    const waf = createWebAcl(this, this.restApi.deploymentStage, props.waf ?? {}, logRetention,
      (logId, name, retention) => this.createLogGroup(logId, name, retention));
    this.webAcl = waf.webAcl;
    this.webAclCapacity = waf.capacity;
    this.wafLogGroup = waf.logGroup;
    this.webAclAssociation = waf.association;

    this.usagePlan = this.restApi.addUsagePlan('UsagePlan', {
      description: 'Meters and throttles API clients by API key (keys identify clients; JWTs authenticate them)',
      apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
      throttle: props.usagePlan?.throttle ?? { burstLimit: 1000, rateLimit: 500 },
      quota: props.usagePlan?.quota ?? { limit: 100_000, period: apigateway.Period.DAY },
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

    this.alarms = createApiAlarms(this, props.alarms ?? {});
    createApiDashboard(this);

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
        errors.push(`must each be granted to a role, but ${m} is reachable by no role: name it in permissionMethods (e.g. "${m.replace(/\{[^}]+\}/g, '*')}") of a permission a role holds, ` +
          'or, if it answers without a token, add it with addPublicMethod(path, method, integration, { reason }) instead of on restApi');
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
    validatePublicMethodReason(this, path, httpMethod, options.reason);
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
    const route = `${verb} ${resource.path}`;
    const how = isPublic ? 'addPublicMethod' : 'addMethod';
    if (resource.node.tryFindChild(verb)) {
      const first = this.addedRoutes.get(route) ?? 'directly on restApi';
      throw new ValidationError(this, 'httpMethod', `${route} is added twice: first ${first}, again with ${how}${callerLocation()}. ` +
        'API Gateway has one method per path and HTTP method: add each route once (ANY covers every method of a path)');
    }
    this.addedRoutes.set(route, `with ${how}${callerLocation()}`);
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
    // PCI DSS 3.2.1 has no secret-rotation rule (in cdk-nag v2 or v3).
    for (const ruleId of ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled']) {
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

/**
 * ` at <file>:<line>:<column>` of the first stack frame outside this module and node_modules
 * (the user's call), or '' when none is known (e.g. a jsii language binding's call).
 */
function callerLocation(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  for (const frame of frames) {
    const match = /\(?((?:\/|[A-Za-z]:\\)[^()]*?):(\d+):(\d+)\)?$/.exec(frame.trim());
    if (!match) continue;
    const file = match[1];
    if (file.includes('node_modules') || /[\\/]rest-api[\\/]hardened-rest-api\.[jt]s$/.test(file)) continue;
    return ` at ${relative(process.cwd(), file)}:${match[2]}:${match[3]}`;
  }
  return '';
}
