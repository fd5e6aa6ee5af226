import { CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { JwtAuthorizer } from '../../src/authorizer/jwt-authorizer';
import { JwtSigningAlgorithm, RotatingJwtSecret } from '../../src/jwt-keys/rotating-jwt-secret';
import { HardenedRestApi, HardenedRestApiProps, WafRuleAction } from '../../src/rest-api/hardened-rest-api';
import { testGates } from '../helpers/gates';
import { acknowledgements, expectNoUnacknowledgedFindings, nagFindings } from '../helpers/nag';
import { testStack } from '../helpers/stack';
import { expectValidationError } from '../helpers/validation-error';

const RBAC = {
  issuer: 'https://issuer.example.com',
  audience: 'orders-api',
  rolePermissions: { admin: ['orders:read', 'orders:write'], user: ['orders:read'] },
  permissionMethods: { 'orders:read': ['GET /orders', 'GET /orders/*'], 'orders:write': ['POST /orders'] },
};

type Extra = Partial<HardenedRestApiProps>;

function build(extra: Extra = {}): { stack: Stack; api: HardenedRestApi } {
  const stack = testStack();
  const keys = new RotatingJwtSecret(stack, 'Keys');
  const api = new HardenedRestApi(stack, 'Api', { signingKeys: keys, ...RBAC, ...extra });
  api.addMethod('/orders', 'GET', new apigateway.MockIntegration());
  return { stack, api };
}

function wafRules(template: Template): Array<Record<string, any>> {
  const acls = template.findResources('AWS::WAFv2::WebACL');
  return Object.values(acls)[0].Properties.Rules;
}

describe('HardenedRestApi with default props', () => {
  const { stack, api } = build();
  api.addMethod('/orders', 'POST', new apigateway.MockIntegration(), {
    requestSchema: { type: apigateway.JsonSchemaType.OBJECT, required: ['item'], properties: { item: { type: apigateway.JsonSchemaType.STRING } } },
  });
  const template = Template.fromStack(stack);

  test('is a REGIONAL REST API with a TLS 1.2+ enhanced security policy in strict mode and no account CloudWatch role', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('every method uses the JWT authorizer and the body-and-parameters validator', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties);
    expect(methods).toHaveLength(2);
    for (const m of methods) {
      expect(m.AuthorizationType).toBe('CUSTOM');
      expect(m.AuthorizerId).toEqual({ Ref: expect.stringMatching(/^ApiAuthorizer/) });
      expect(m.RequestValidatorId).toEqual({ Ref: expect.stringMatching(/RequestValidator/) });
    }
  });

  test('a request schema becomes a JSON model on the method', () => {
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: Match.objectLike({ required: ['item'] }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestModels: { 'application/json': { Ref: Match.stringLikeRegexp('ModelPOST') } },
    });
  });

  test('has no CORS preflight when no origin is given', () => {
    template.resourcePropertiesCountIs('AWS::ApiGateway::Method', { HttpMethod: 'OPTIONS' }, 0);
  });

  test('the stage logs JSON access logs with authorizer, WAF and TLS fields to a KMS-encrypted log group', () => {
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0].Properties;
    const format = JSON.parse(stage.AccessLogSetting.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      authorizerError: '$context.authorizer.error',
      wafError: '$context.waf.error',
      wafResponseCode: '$context.wafResponseCode',
      tlsVersion: '$context.tlsVersion',
    });
    expect(stage.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiAccessLogs/), 'Arn'] });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^/aws/apigateway/.*/access$'),
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiKey'), 'Arn'] },
    });
  });

  test('the stage logs execution errors without data tracing, traces with X-Ray, throttles and presents a client certificate', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      ClientCertificateId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClientCertificate'), 'ClientCertificateId'] },
      MethodSettings: [{
        HttpMethod: '*',
        ResourcePath: '/*',
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        MetricsEnabled: true,
        ThrottlingRateLimit: 1000,
        ThrottlingBurstLimit: 2000,
      }],
    });
  });

  test('WAF rules: rate limit first (2,000 per 5 minutes per IP, 429), then the four managed groups in order', () => {
    const rules = wafRules(template);
    expect(rules.map((r) => [r.Name, r.Priority])).toEqual([
      ['RateLimitPerIp', 10],
      ['AWSManagedRulesAmazonIpReputationList', 20],
      ['AWSManagedRulesCommonRuleSet', 30],
      ['AWSManagedRulesKnownBadInputsRuleSet', 40],
      ['AWSManagedRulesSQLiRuleSet', 50],
    ]);
    expect(rules[0].Statement).toEqual({ RateBasedStatement: { Limit: 2000, EvaluationWindowSec: 300, AggregateKeyType: 'IP' } });
    expect(rules[0].Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429 } } });
    for (const r of rules.slice(1)) {
      expect(r.OverrideAction).toEqual({ None: {} });
      expect(r.Statement.ManagedRuleGroupStatement).toEqual({ VendorName: 'AWS', Name: r.Name });
    }
    expect(api.webAclCapacity).toBe(2 + 25 + 700 + 200 + 200);
  });

  test('the web ACL is REGIONAL, allows by default, and its association depends on the stage', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    const stageId = stack.getLogicalId(api.restApi.deploymentStage.node.defaultChild as apigateway.CfnStage);
    const association = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation'))[0];
    expect(association.DependsOn).toContain(stageId);
    expect(association.Properties.WebACLArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/WebAcl/), 'Arn'] });
  });

  test('WAF logs go to an aws-waf-logs- log group with authorization, x-api-key and cookie redacted, unfiltered', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-'),
      RetentionInDays: 365,
      KmsKeyId: Match.anyValue(),
    });
    const logging = Object.values(template.findResources('AWS::WAFv2::LoggingConfiguration'))[0].Properties;
    expect(logging.RedactedFields).toEqual([
      { SingleHeader: { Name: 'authorization' } },
      { SingleHeader: { Name: 'x-api-key' } },
      { SingleHeader: { Name: 'cookie' } },
    ]);
    expect(logging.LoggingFilter).toBeUndefined();
    expect(JSON.stringify(logging.LogDestinationConfigs)).toContain(':log-group:aws-waf-logs-');
    expect(JSON.stringify(logging.LogDestinationConfigs)).not.toContain(':*');
  });

  test('the key lets CloudWatch Logs encrypt exactly the two log groups', () => {
    const key = Object.values(template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('REST API') } }))[0];
    const logStatements = key.Properties.KeyPolicy.Statement.filter((s: any) => s.Principal?.Service === 'logs.us-east-1.amazonaws.com');
    expect(logStatements).toHaveLength(2);
    expect(JSON.stringify(logStatements)).toContain('aws-waf-logs-');
    expect(JSON.stringify(logStatements)).toContain('/access');
  });

  test('DEFAULT_4XX and DEFAULT_5XX carry security headers and generic bodies', () => {
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseParameters: {
          'gatewayresponse.header.Strict-Transport-Security': "'max-age=31536000; includeSubDomains'",
          'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
          'gatewayresponse.header.X-Frame-Options': "'DENY'",
          'gatewayresponse.header.Content-Security-Policy': "'default-src 'none'; frame-ancestors 'none''",
          'gatewayresponse.header.Cache-Control': "'no-store'",
        },
      });
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'DEFAULT_5XX',
      ResponseTemplates: { 'application/json': '{"message":"Internal server error","requestId":"$context.requestId"}' },
    });
    const responses = JSON.stringify(template.findResources('AWS::ApiGateway::GatewayResponse'));
    expect(responses).not.toContain('Access-Control-Allow-Origin');
  });

  test('the usage plan throttles (burst 1,000, rate 500) and caps 100,000 requests a day on the stage', () => {
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { BurstLimit: 1000, RateLimit: 500 },
      Quota: { Limit: 100000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ Stage: Match.anyValue() })],
    });
  });

  test('alarms on 5XX rate, 4XX rate, p99 latency and WAF blocked requests, to an encrypted topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5XXError', Statistic: 'Average', Threshold: 0.05 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '4XXError', Statistic: 'Average', Threshold: 0.25 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Latency', ExtendedStatistic: 'p99', Threshold: 3000 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/WAFV2',
      MetricName: 'BlockedRequests',
      Dimensions: Match.arrayWith([{ Name: 'Rule', Value: 'ALL' }]),
      Threshold: 1000,
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmDescription: Match.stringLikeRegexp('^TestStack/Api:') } }));
    expect(alarms).toHaveLength(4);
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^SecurityNotificationsTopic/) }]);
  });

  testGates({ stack, nagScopes: [api] });

  test('acknowledges only COG4 on its methods and the stage cache rules, each with a reason', () => {
    const own = acknowledgements(api).filter((a) => !a.path.includes('/Authorizer/'));
    expect(own.map((a) => a.id).sort()).toEqual([
      'AwsSolutions-COG4', 'AwsSolutions-COG4',
      'HIPAA.Security-APIGWCacheEnabledAndEncrypted', 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted',
    ]);
    for (const a of own) expect(a.reason.length).toBeGreaterThan(100);
  });
});

describe('HardenedRestApi with an ES256 RotatingJwtSecret', () => {
  const stack = testStack();
  const keys = new RotatingJwtSecret(stack, 'Keys', { algorithm: JwtSigningAlgorithm.ES256 });
  const api = new HardenedRestApi(stack, 'Api', { signingKeys: keys, ...RBAC });
  api.addMethod('/orders', 'GET', new apigateway.MockIntegration());
  const template = Template.fromStack(stack);

  test('its authorizer verifies ES256 against the ring\'s JWKS object and may not read the secret', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          JWT_JWKS_BUCKET: { Ref: Match.stringLikeRegexp('^KeysJwksBucket') },
          JWT_JWKS_OBJECT_KEY: '.well-known/jwks.json',
          JWT_ALGORITHMS: 'ES256',
          JWT_AUDIENCE: 'orders-api',
        }),
      },
    });
    const policies = [...Object.values(template.findResources('AWS::IAM::ManagedPolicy')), ...Object.values(template.findResources('AWS::IAM::Policy'))]
      .filter((p) => /ApiAuthorizerFunctionServiceRole/.test(JSON.stringify(p.Properties.Roles ?? [])));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.map((st: { Sid: string }) => st.Sid).sort()).toEqual(['ReadThePublishedPublicKeys', 'WriteOwnLogGroup']);
    expect(JSON.stringify(statements)).not.toMatch(/secretsmanager:|kms:/);
  });

  test('every method uses that authorizer', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties);
    expect(methods.length).toBeGreaterThan(0);
    for (const m of methods) expect(m.AuthorizerId).toEqual({ Ref: expect.stringMatching(/^ApiAuthorizer/) });
  });

  testGates({ stack, nagScopes: [api, keys] });
});

describe('HardenedRestApi fully configured', () => {
  const stack = testStack();
  const keys = new RotatingJwtSecret(stack, 'Keys');
  const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555');
  const api = new HardenedRestApi(stack, 'Api', {
    signingKeys: keys,
    ...RBAC,
    allowOrigins: ['https://app.example.com'],
    allowCredentials: true,
    stageName: 'v1',
    throttlingRateLimit: 200,
    throttlingBurstLimit: 400,
    waf: {
      rateLimit: 100,
      rateLimitWindow: Duration.minutes(1),
      forwardedIpHeader: 'X-Forwarded-For',
      enableAnonymousIpList: true,
      enableBotControl: true,
      ruleActionOverrides: [{ ruleGroupName: 'AWSManagedRulesCommonRuleSet', ruleName: 'SizeRestrictions_BODY', action: WafRuleAction.COUNT }],
      allowedIpRanges: ['192.0.2.0/24', '2001:db8::/32'],
      deniedIpRanges: ['198.51.100.0/24'],
      logBlockedAndCountedOnly: true,
    },
    usagePlan: { throttle: { burstLimit: 50, rateLimit: 20 }, quota: { limit: 1000, period: apigateway.Period.WEEK } },
    apiKeyRequired: true,
    customDomain: { domainName: 'api.example.com', certificate },
    alarmTopic: topic,
    alarms: { latencyThreshold: Duration.seconds(1) },
    logging: { retention: logs.RetentionDays.THREE_MONTHS },
  });
  api.addMethod('/orders/{id}', 'GET', new apigateway.MockIntegration(), { requestParameters: { 'method.request.path.id': true } });
  const client = api.addApiKey('Partner', { apiKeyName: 'partner' });
  const template = Template.fromStack(stack);

  test('deny list, then allow list (source IP, both families), then the forwarded-IP rate limit', () => {
    const rules = wafRules(template);
    expect(rules.map((r) => [r.Name, r.Priority])).toEqual([
      ['DenyListedIps', 0],
      ['AllowListedIps', 1],
      ['RateLimitPerIp', 10],
      ['AWSManagedRulesAmazonIpReputationList', 20],
      ['AWSManagedRulesAnonymousIpList', 30],
      ['AWSManagedRulesCommonRuleSet', 40],
      ['AWSManagedRulesKnownBadInputsRuleSet', 50],
      ['AWSManagedRulesSQLiRuleSet', 60],
      ['AWSManagedRulesBotControlRuleSet', 70],
    ]);
    expect(rules[0].Statement).toEqual({ IPSetReferenceStatement: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/DenyIpv4Set/), 'Arn'] } } });
    expect(rules[0].Action).toEqual({ Block: {} });
    expect(rules[1].Statement.OrStatement.Statements).toHaveLength(2);
    expect(rules[1].Action).toEqual({ Allow: {} });
    expect(rules[2].Statement.RateBasedStatement).toEqual({
      Limit: 100,
      EvaluationWindowSec: 60,
      AggregateKeyType: 'FORWARDED_IP',
      ForwardedIPConfig: { HeaderName: 'X-Forwarded-For', FallbackBehavior: 'MATCH' },
    });
    expect(rules[5].Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
    expect(rules[8].Statement.ManagedRuleGroupStatement.ManagedRuleGroupConfigs).toEqual([{ AWSManagedRulesBotControlRuleSet: { InspectionLevel: 'COMMON' } }]);
    template.hasResourceProperties('AWS::WAFv2::IPSet', { IPAddressVersion: 'IPV6', Addresses: ['2001:db8::/32'] });
    expect(api.webAclCapacity).toBe(1 + 2 + 2 + 25 + 50 + 700 + 200 + 200 + 50);
  });

  test('WAF logs keep only BLOCK and COUNT requests', () => {
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      LoggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [{ Behavior: 'KEEP', Requirement: 'MEETS_ANY', Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }] }],
      },
    });
  });

  test('CORS preflight allows only the given origin, without authorization; error responses carry the same CORS headers', () => {
    const options = Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }));
    expect(options.length).toBeGreaterThan(0);
    for (const o of options) {
      expect(o.Properties.AuthorizationType).toBe('NONE');
      const params = o.Properties.Integration.IntegrationResponses[0].ResponseParameters;
      expect(params['method.response.header.Access-Control-Allow-Origin']).toBe("'https://app.example.com'");
      expect(params['method.response.header.Access-Control-Allow-Credentials']).toBe("'true'");
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'DEFAULT_4XX',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'",
        'gatewayresponse.header.Access-Control-Allow-Credentials': "'true'",
        'gatewayresponse.header.Vary': "'Origin'",
      }),
    });
  });

  test('the stage uses the given name and throttling; methods require an API key', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400, LoggingLevel: 'ERROR', DataTraceEnabled: false })],
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', ApiKeyRequired: true, RequestParameters: { 'method.request.path.id': true } });
  });

  test('the API key value comes from a KMS-encrypted generated secret by dynamic reference, never as plain text', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 40, ExcludePunctuation: true, IncludeSpace: false },
      KmsKeyId: Match.anyValue(),
    });
    const key = Object.values(template.findResources('AWS::ApiGateway::ApiKey'))[0].Properties;
    expect(key.Name).toBe('partner');
    expect(key.Value).toEqual({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: expect.stringMatching(/ApiKeyPartnerSecret/) }, ':SecretString:::}}']] });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', { KeyId: { Ref: Match.stringLikeRegexp('ApiKeyPartner') } });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { BurstLimit: 50, RateLimit: 20 }, Quota: { Limit: 1000, Period: 'WEEK' } });
    expect(Object.keys(template.toJSON().Outputs ?? {})).toEqual([]);
    // client.secret is the secret whose value API Gateway resolves (a caller reads the key from it).
    expect(key.Value['Fn::Join'][1][1]).toEqual(stack.resolve(client.secret.secretArn));
  });

  test('the custom domain uses the strict enhanced TLS policy and the execute-api endpoint is disabled', () => {
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.example.com',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
  });

  test('alarms go to the given topic with the given latency threshold; no topic is created', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Latency', Threshold: 1000, AlarmActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }] });
    template.resourceCountIs('AWS::SNS::Topic', 2); // the given one and the key ring's own
  });

  test('acknowledges the API key secret rotation rules on the secret, with a reason', () => {
    const onSecret = acknowledgements(api).filter((a) => a.path.endsWith('/ApiKeyPartner/Secret')).map((a) => a.id).sort();
    expect(onSecret).toEqual([
      'AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled', 'NIST.800.53.R5-SecretsManagerRotationEnabled',
    ]);
  });

  testGates({ stack, nagScopes: [api] });
});

describe('HardenedRestApi options', () => {
  test('count-only rollout mode counts every rule, including the rate limit and the deny list', () => {
    const { stack } = build({ waf: { countOnly: true, deniedIpRanges: ['198.51.100.0/24'] } });
    const rules = wafRules(Template.fromStack(stack));
    for (const r of rules) {
      if (r.OverrideAction) expect(r.OverrideAction).toEqual({ Count: {} });
      else expect(r.Action).toEqual({ Count: {} });
    }
  });

  test('several origins: the preflight echoes a listed origin; error responses echo the Origin without credentials', () => {
    const { stack } = build({ allowOrigins: ['https://a.example.com', 'https://b.example.com'] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'DEFAULT_5XX',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin', 'gatewayresponse.header.Vary': "'Origin'" }),
    });
    expect(JSON.stringify(template.findResources('AWS::ApiGateway::GatewayResponse'))).not.toContain('Allow-Credentials');
  });

  test('without WAF logging there is no WAF log group, and synth names the findings to acknowledge', () => {
    const { stack, api } = build({ waf: { logging: false } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 0);
    expect(api.wafLogGroup).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('/TestStack/Api/WebAcl', Match.stringLikeRegexp(
      'waf.logging is false: acknowledge NIST.800.53.R5-WAFv2LoggingEnabled, HIPAA.Security-WAFv2LoggingEnabled, PCI.DSS.321-WAFv2LoggingEnabled on TestStack/Api/WebAcl'));
    const open = nagFindings(stack).map((f) => f.ruleId).filter((id) => id.endsWith('WAFv2LoggingEnabled')).sort();
    expect(open).toEqual(['HIPAA.Security-WAFv2LoggingEnabled', 'NIST.800.53.R5-WAFv2LoggingEnabled', 'PCI.DSS.321-WAFv2LoggingEnabled']);
  });

  test('authorizerFunction places the authorizer it creates; its logs default to the API\'s retention and removal policy', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const api = new HardenedRestApi(stack, 'Api', {
      signingKeys: new RotatingJwtSecret(stack, 'Keys'),
      ...RBAC,
      logging: { retention: logs.RetentionDays.SIX_MONTHS },
      removalPolicy: RemovalPolicy.DESTROY,
      authorizerFunction: { vpc },
    });
    api.addMethod('/orders', 'GET', new apigateway.MockIntegration());
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ JWT_AUDIENCE: 'orders-api' }) },
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
    });
    const authorizerLogs = (api.jwtAuthorizer!.logGroup.node.defaultChild as logs.CfnLogGroup);
    expect(authorizerLogs.retentionInDays).toBe(180);
    expect(authorizerLogs.cfnOptions.deletionPolicy).toBe('Delete');

    const own = build({ authorizerFunction: { logRetention: logs.RetentionDays.TWO_YEARS } });
    const ownLogs = own.api.jwtAuthorizer!.logGroup.node.defaultChild as logs.CfnLogGroup;
    expect(ownLogs.retentionInDays).toBe(731);
    expect(ownLogs.cfnOptions.deletionPolicy).toBe('Retain');
  });

  test('execution logging OFF: the stage logs no execution, and synth names the findings to acknowledge (exactly those cdk-nag reports)', () => {
    const { stack } = build({ logging: { executionLoggingLevel: apigateway.MethodLoggingLevel.OFF } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ LoggingLevel: 'OFF', DataTraceEnabled: false })],
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Api/Resource/DeploymentStage.prod', Match.stringLikeRegexp('executionLoggingLevel is OFF'));
    expect(warnings).toHaveLength(1);
    const named = /acknowledge (.*) on TestStack\/Api\/Resource\/DeploymentStage.prod with/.exec(String(warnings[0].entry.data))![1].split(', ').sort();
    const open = nagFindings(stack).map((f) => f.ruleId).filter((id) => /APIG6|ExecutionLogging/.test(id)).sort();
    expect(open).toEqual(named);
    expect(named).toHaveLength(4);
  });

  test('data tracing is deployed only when asked, with a warning that tokens reach the logs', () => {
    const { stack } = build({ logging: { executionLoggingLevel: apigateway.MethodLoggingLevel.INFO, dataTraceEnabled: true } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ LoggingLevel: 'INFO', DataTraceEnabled: true })],
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Api/Resource/DeploymentStage.prod', Match.stringLikeRegexp('dataTraceEnabled is true: .*JWTs'));
    const quiet = build();
    expect(Annotations.fromStack(quiet.stack).findWarning('*', Match.stringLikeRegexp('dataTraceEnabled|executionLoggingLevel'))).toHaveLength(0);
  });

  test('exposes the web ACL association with the stage', () => {
    const { stack, api } = build();
    expect(api.webAclAssociation.webAclArn).toEqual(api.webAcl.attrArn);
    Template.fromStack(stack).resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  test.each<[string, Extra, RegExp]>([
    ['a negative quota', { usagePlan: { quota: { limit: -5, period: apigateway.Period.DAY } } }, /Api: usagePlan.quota.limit must be between 1 and 2147483647, got -5/],
    ['a burst below the rate', { usagePlan: { throttle: { rateLimit: 500, burstLimit: 100 } } }, /Api: usagePlan.throttle.burstLimit must be at least the rate limit \(500\), got 100/],
    ['a zero rate', { usagePlan: { throttle: { rateLimit: 0, burstLimit: 100 } } }, /Api: usagePlan.throttle.rateLimit must be between 1 and 10000, got 0/],
  ])('rejects %s in the usage plan', (_name, extra, message) => {
    expect(() => build(extra)).toThrow(message);
  });

  test('a passed authorizer is used instead of a JwtAuthorizer', () => {
    const stack = testStack();
    const keys = new RotatingJwtSecret(stack, 'Keys');
    const own = new JwtAuthorizer(stack, 'Own', { signingKeys: keys, ...RBAC, headerName: 'X-Token' });
    const api = new HardenedRestApi(stack, 'Api', { authorizer: own.authorizer });
    api.addMethod('/b', 'GET', new apigateway.MockIntegration());
    expect(api.jwtAuthorizer).toBeUndefined();
    expect(api.authorizer).toBe(own.authorizer);
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: Match.stringLikeRegexp('^OwnAuthorizer') } });
  });

  test('over 1,500 WCU is accepted with waf.allowHigherCapacityPricing', () => {
    const { api } = build({
      waf: {
        allowHigherCapacityPricing: true,
        additionalManagedRuleGroups: [{ name: 'AWSManagedRulesLinuxRuleSet', capacity: 200 }, { name: 'AWSManagedRulesWindowsRuleSet', capacity: 200 }],
      },
    });
    expect(api.webAclCapacity).toBe(1127 + 400);
  });

  test('mutual TLS on the custom domain uses TLS_1_2, the strongest policy API Gateway allows with it', () => {
    const stack = testStack();
    const keys = new RotatingJwtSecret(stack, 'Keys');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555');
    const bucket = s3.Bucket.fromBucketName(stack, 'Truststore', 'truststore-bucket');
    const api = new HardenedRestApi(stack, 'Api', { signingKeys: keys, ...RBAC, customDomain: { domainName: 'api.example.com', certificate, mtls: { bucket, key: 'ca.pem' } } });
    api.addMethod('/orders', 'GET', new apigateway.MockIntegration());
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      SecurityPolicy: 'TLS_1_2',
      EndpointAccessMode: Match.absent(),
      MutualTlsAuthentication: { TruststoreUri: 's3://truststore-bucket/ca.pem' },
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
  });

  test('metric helpers name the stage and the web ACL', () => {
    const { api } = build();
    expect(api.metricServerError().dimensions).toEqual({ ApiName: api.restApi.restApiName, Stage: api.restApi.deploymentStage.stageName });
    expect(api.metricLatency().statistic).toBe('p99');
    expect(api.metricClientError().metricName).toBe('4XXError');
    expect(api.metricBlockedRequests().dimensions).toEqual({ WebACL: api.webAcl.name, Region: 'us-east-1', Rule: 'ALL' });
  });
});

describe('HardenedRestApi rejects bad props at construct time', () => {
  const cases: Array<[string, Extra, string, RegExp]> = [
    ['a web ACL over 1,500 WCU without opting into the higher price',
      { waf: { additionalManagedRuleGroups: [{ name: 'AWSManagedRulesLinuxRuleSet', capacity: 200 }, { name: 'AWSManagedRulesWindowsRuleSet', capacity: 200 }] } },
      'waf.allowHigherCapacityPricing', /must be true for a web ACL of 1527 WCU: the base price covers 1500 WCU/],
    ['a web ACL over the 5,000 WCU maximum', { waf: { allowHigherCapacityPricing: true, additionalManagedRuleGroups: [{ name: 'Huge', vendorName: 'Vendor', capacity: 4000 }] } },
      'waf.additionalManagedRuleGroups', /make the web ACL 5127 WCU, over the AWS WAF maximum of 5000/],
    ['origin * with credentials', { allowOrigins: ['*'], allowCredentials: true }, 'allowOrigins', /must list specific origins when allowCredentials is true/],
    ['an http origin', { allowOrigins: ['http://app.example.com'] }, 'allowOrigins', /must hold '\*' or origins like/],
    ['a rate limit below WAF\'s minimum of 10', { waf: { rateLimit: 5 } }, 'waf.rateLimit', /must be between 10 and 2000000000, got 5/],
    ['a rate window WAF does not offer', { waf: { rateLimitWindow: Duration.minutes(3) } }, 'waf.rateLimitWindow', /must be 1, 2, 5 or 10 minutes, got 3 minutes/],
    ['infinite log retention', { logging: { retention: logs.RetentionDays.INFINITE } }, 'logging.retention', /must be one of logs.RetentionDays other than INFINITE/],
    ['a log retention that is no RetentionDays value', { logging: { retention: 42 as logs.RetentionDays } }, 'logging.retention', /must be one of logs.RetentionDays .*got 42/],
    ['data tracing without execution logging', { logging: { executionLoggingLevel: apigateway.MethodLoggingLevel.OFF, dataTraceEnabled: true } },
      'logging.dataTraceEnabled', /needs an executionLoggingLevel other than OFF/],
    ['an override of a rule group not in the web ACL', { waf: { ruleActionOverrides: [{ ruleGroupName: 'AWSManagedRulesBotControlRuleSet', ruleName: 'x', action: WafRuleAction.COUNT }] } },
      'waf.ruleActionOverrides', /names rule group 'AWSManagedRulesBotControlRuleSet', which is not in the web ACL/],
    ['a malformed CIDR', { waf: { deniedIpRanges: ['10.0.0.0'] } }, 'waf.deniedIpRanges', /must hold CIDR ranges/],
    ['TLS 1.0', { securityPolicy: apigateway.SecurityPolicy.TLS_1_0 }, 'securityPolicy', /must accept only TLS 1.2 or newer/],
    ['an edge-only TLS policy', { securityPolicy: apigateway.SecurityPolicy.TLS13_2025_EDGE }, 'securityPolicy', /must be a policy for REGIONAL endpoints/],
    ['an enhanced TLS policy with mutual TLS', {
      securityPolicy: apigateway.SecurityPolicy.TLS13_1_3_2025_09,
      customDomain: { domainName: 'api.example.com', certificate: {} as acm.ICertificate, mtls: { bucket: {} as s3.IBucket, key: 'ca.pem' } },
    }, 'securityPolicy', /must be TLS_1_2 \(or unset\) with customDomain.mtls/],
    ['a stage throttle above the account limit', { throttlingRateLimit: 20000 }, 'throttlingRateLimit', /must be between 1 and 10000/],
    ['an error-rate threshold above 1', { alarms: { serverErrorRateThreshold: 5 } }, 'alarms.serverErrorRateThreshold', /must be a fraction above 0 and at most 1, got 5/],
    ['authorizerFunction with an authorizer of your own', { signingKeys: undefined, authorizer: {} as apigateway.IAuthorizer, authorizerFunction: {} },
      'authorizerFunction', /applies to the authorizer created from signingKeys/],
    ['subnets for the authorizer without a VPC', { authorizerFunction: { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } } },
      'authorizerFunction.vpcSubnets', /and securityGroups need vpc to be set/],
    ['a signing key ring without issuer', { issuer: undefined }, 'issuer', /is required with signingKeys/],
  ];

  test.each(cases)('rejects %s with a ValidationError naming the prop', (_name, extra, prop, message) => {
    expectValidationError(() => build(extra), { path: 'TestStack/Api', prop, message });
  });

  test('rejects both signingKeys and authorizer', () => {
    const stack = testStack();
    const keys = new RotatingJwtSecret(stack, 'Keys');
    const first = new HardenedRestApi(stack, 'First', { signingKeys: keys, ...RBAC });
    expectValidationError(() => new HardenedRestApi(stack, 'Api', { signingKeys: keys, ...RBAC, authorizer: first.authorizer }),
      { path: 'TestStack/Api', prop: 'signingKeys', message: /^or authorizer must be given, and not both/ });
  });
});

describe('HardenedRestApi leaves no silent holes', () => {
  function synthesize(act: (api: HardenedRestApi, stack: Stack) => void, extra: Extra = {}): void {
    const stack = testStack();
    const keys = new RotatingJwtSecret(stack, 'Keys');
    const api = new HardenedRestApi(stack, 'Api', { signingKeys: keys, ...RBAC, ...extra });
    act(api, stack);
    Template.fromStack(stack);
  }

  function synthError(act: (api: HardenedRestApi, stack: Stack) => void, extra: Extra = {}): Error | undefined {
    try {
      synthesize(act, extra);
    } catch (e) {
      return e as Error;
    }
    return undefined;
  }

  test('an API with no methods fails synth with a clear message, not a resolution error', () => {
    const error = expectValidationError(() => synthesize(() => undefined),
      { path: 'TestStack/Api', prop: 'methods', message: /^must not be empty: add them with addMethod/ });
    expect(error.message).not.toMatch(/Resolution error/);
  });

  test('addMethod refuses a method that no role may call, naming it', () => {
    expectValidationError(() => synthesize((api) => api.addMethod('/admin', 'DELETE', new apigateway.MockIntegration())),
      { path: 'TestStack/Api', prop: 'permissionMethods', message: /^grant DELETE \/admin to no role: every caller would get 403/ });
  });

  test('a method added on restApi directly that no role may call fails synth', () => {
    const error = synthError((api) => {
      api.addMethod('/orders', 'GET', new apigateway.MockIntegration());
      api.restApi.root.resourceForPath('/reports').addMethod('GET', new apigateway.MockIntegration());
    });
    expect(error?.message).toMatch(/Api: methods must each be granted to a role, but GET \/reports is reachable by no role/);
    // As addMethod's error does, it names the way to add a route that needs no token.
    expect(error?.message).toMatch(/GET \/reports is reachable by no role: [^;]*or, if it answers without a token, add it with addPublicMethod\(path, method, integration, \{ reason \}\) instead of on restApi/);
  });

  describe('a route added twice', () => {
    const integration = new apigateway.MockIntegration();
    const reason = 'Load balancer health check; returns no data';
    function bare(): HardenedRestApi {
      const stack = testStack();
      return new HardenedRestApi(stack, 'Api', { signingKeys: new RotatingJwtSecret(stack, 'Keys'), ...RBAC });
    }

    test('with addMethod: names the route and where the first was added, not the raw construct-name clash', () => {
      const api = bare();
      api.addMethod('/orders', 'GET', integration); const firstLine = lineOf(new Error());
      const error = expectValidationError(() => api.addMethod('/orders', 'get', integration), {
        path: 'TestStack/Api',
        prop: 'httpMethod',
        message: /^GET \/orders is added twice: first with addMethod at test\/rest-api\/hardened-rest-api\.test\.ts:(\d+):\d+, again with addMethod at test\/rest-api\/hardened-rest-api\.test\.ts:\d+:\d+\. API Gateway has one method per path and HTTP method/,
      });
      expect(Number(/first with addMethod at [^:]+:(\d+)/.exec(error.message)![1])).toBe(firstLine);
      expect(error.message).not.toMatch(/There is already a Construct/);
    });

    test('with addMethod then addPublicMethod, on the same path written differently', () => {
      const api = bare();
      api.addMethod('/orders', 'GET', integration);
      expectValidationError(() => api.addPublicMethod('/orders/', 'GET', integration, { reason }), {
        path: 'TestStack/Api', prop: 'httpMethod', message: /^GET \/orders is added twice: first with addMethod at \S+, again with addPublicMethod at \S+\. /,
      });
    });

    test('first on restApi directly', () => {
      const api = bare();
      api.restApi.root.resourceForPath('/orders').addMethod('GET', integration);
      expectValidationError(() => api.addMethod('/orders', 'GET', integration), {
        path: 'TestStack/Api', prop: 'httpMethod', message: /^GET \/orders is added twice: first directly on restApi, again with addMethod at \S+\. /,
      });
    });

    test('another method on the same path, or the same method on another path, is no duplicate', () => {
      const api = bare();
      api.addMethod('/orders', 'GET', integration);
      expect(() => api.addMethod('/orders', 'POST', integration)).not.toThrow();
      expect(() => api.addPublicMethod('/orders/health', 'GET', integration, { reason })).not.toThrow();
    });
  });

  test('a method added on restApi directly without an authorizer fails synth', () => {
    const error = synthError((api) => {
      api.addMethod('/orders', 'GET', new apigateway.MockIntegration());
      api.restApi.root.resourceForPath('/orders').addMethod('PUT', new apigateway.MockIntegration(), { authorizationType: apigateway.AuthorizationType.NONE });
    });
    expect(error?.message).toMatch(/Api: methods must all be authorized, but PUT \/orders has no authorizer: add it with addMethod\(\), or declare it public with addPublicMethod/);
  });

  test('path parameters are matched against role-map wildcards', () => {
    expect(synthError((api) => api.addMethod('/orders/{id}', 'GET', new apigateway.MockIntegration()))).toBeUndefined();
    expect(synthError((api) => api.addMethod('/orders/{id}', 'DELETE', new apigateway.MockIntegration()))?.message).toMatch(/DELETE \/orders\/\{id\} to no role/);
  });

  test('with a custom authorizer the role map is unknown, so only the authorizer check applies', () => {
    function withCustomAuthorizer(act: (api: HardenedRestApi) => void): Stack {
      const stack = testStack();
      const authz = new JwtAuthorizer(stack, 'Authz', { signingKeys: new RotatingJwtSecret(stack, 'Keys'), ...RBAC });
      act(new HardenedRestApi(stack, 'Api', { authorizer: authz.authorizer }));
      return stack;
    }
    // DELETE /anything is granted to no role of RBAC: it synthesizes because RBAC is not this API's role map.
    const outsideRoleMap = withCustomAuthorizer((api) => api.addMethod('/anything', 'DELETE', new apigateway.MockIntegration()));
    Template.fromStack(outsideRoleMap).hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'DELETE', AuthorizationType: 'CUSTOM' });
    const unauthorized = withCustomAuthorizer((api) => {
      api.addMethod('/anything', 'DELETE', new apigateway.MockIntegration());
      api.restApi.root.addMethod('GET', new apigateway.MockIntegration(), { authorizationType: apigateway.AuthorizationType.NONE });
    });
    expectValidationError(() => Template.fromStack(unauthorized),
      { path: 'TestStack/Api', prop: 'methods', message: /^must all be authorized, but GET \/ has no authorizer/ });
  });

  describe('addPublicMethod', () => {
    const { stack, api } = build();
    const health = api.addPublicMethod('/health', 'GET', new apigateway.MockIntegration(), { reason: 'Load balancer health check; returns no data' });
    const template = Template.fromStack(stack);

    test('creates a method without authorizer, still validated', () => {
      const cfn = health.node.defaultChild as apigateway.CfnMethod;
      expect(cfn.authorizationType).toBe('NONE');
      expect(cfn.authorizerId).toBeUndefined();
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'GET', AuthorizationType: 'NONE', RequestValidatorId: { Ref: Match.stringLikeRegexp('RequestValidator') },
      });
    });

    test('records the route and its reason, and acknowledges the findings with it', () => {
      expect(api.publicRoutes).toEqual([{ path: '/health', httpMethod: 'GET', reason: 'Load balancer health check; returns no data' }]);
      expect(acknowledgements(stack).filter((a) => a.path.includes('health')).map((a) => a.id).sort()).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-COG4']);
      expectNoUnacknowledgedFindings(api);
    });

    test.each([
      ['a word', 'ok', 2, 1],
      ['a short phrase the old 10-character minimum let through', 'health check', 12, 2],
      ['29 characters of words', 'Health check for the ALB pool', 29, 6],
      ['padding with one repeated character', 'a'.repeat(40), 40, 1],
      ['one word repeated', 'health health health health health', 34, 1],
      ['white space around too short a reason', '   Probe from uptime monitor\n\t  ', 25, 4],
      ['over 500 characters', `Health check ${'for the load balancer '.repeat(24)}`.trim(), 540, 6],
    ])('rejects a reason that is %s, naming the prop and the range', (_name, reason, length, words) => {
      expectValidationError(() => api.addPublicMethod('/ping', 'GET', new apigateway.MockIntegration(), { reason }), {
        path: 'TestStack/Api',
        prop: 'reason',
        message: new RegExp('^must say why GET /ping is public in 30 to 500 characters and at least 4 different words \\(who calls it, what it returns\\), ' +
          `got '.*' \\(${length} characters, ${words} different words\\)$`),
      });
    });

    test('accepts a 30-character reason of 4 different words (white space around it not counted)', () => {
      const { api: fresh } = build();
      expect(() => fresh.addPublicMethod('/ping', 'GET', new apigateway.MockIntegration(), { reason: '  Uptime probe; returns 200 only  ' })).not.toThrow();
      expect(fresh.publicRoutes.map((r) => r.path)).toEqual(['/ping']);
    });

    test('rejects a token reason: a reviewer could not read it', () => {
      const { stack: s, api: fresh } = build();
      expectValidationError(() => fresh.addPublicMethod('/ping', 'GET', new apigateway.MockIntegration(), { reason: new CfnParameter(s, 'Why').valueAsString }),
        { path: 'TestStack/Api', prop: 'reason', message: /^must be a literal string \(a reviewer reads it in the template\), got a token for GET \/ping$/ });
    });
  });
});

/** The line number in this file of the frame that created `error` (for a location the message must name). */
function lineOf(error: Error): number {
  return Number(/hardened-rest-api\.test\.ts:(\d+):\d+/.exec(error.stack ?? '')![1]);
}
