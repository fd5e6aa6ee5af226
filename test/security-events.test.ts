import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { HardenedRestApi, JwtAuthorizer, JwtAuthorizerProps, JwtSigningAlgorithm, RotatingJwtSecret, SecurityAuditTrail, SecurityAuditTrailProps, SecurityNotifications } from '../src';
import { expectNoUnacknowledgedFindings } from './helpers/nag';
import { testStack } from './helpers/stack';
import { expectValidationError } from './helpers/validation-error';
import { AUTHORIZER_EVENT_TYPES, denyFilterPattern, meaningOf } from '../src/authorizer/authorizer-event-types';
import { authorizerSecurityEventsOf } from '../src/authorizer/authorizer-security-events';

const RBAC = {
  issuer: 'https://auth.example.com',
  audience: 'orders-api',
  rolePermissions: { user: ['orders:read'] },
  permissionMethods: { 'orders:read': ['GET /orders'] },
};

/** The handler's own list of deny reason codes, read from its source. */
function handlerDenyReasons(): string[] {
  const source = fs.readFileSync(path.join(__dirname, '..', 'lambda-src', 'authorizer', 'deny-reason.ts'), 'utf8');
  const union = /export type DenyReason =([^;]+);/.exec(source)![1];
  return [...union.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
}

describe('authorizer reason codes become security event metrics', () => {
  test('every deny reason code of the handler is counted by exactly one event type', () => {
    const reasons = handlerDenyReasons();
    expect(reasons.length).toBeGreaterThan(20);
    const counted = AUTHORIZER_EVENT_TYPES.flatMap((t) => t.reasons);
    expect([...counted].sort()).toEqual([...reasons].sort());
    expect(new Set(counted).size).toBe(counted.length);
  });

  test('the forged-token pattern matches deny lines of the authorizer with those reasons, quoted', () => {
    expect(denyFilterPattern(['bad_signature', 'unknown_kid']))
      .toBe('{ ($.source = "jwt-authorizer") && ($.decision = "deny") && (($.reason = "bad_signature") || ($.reason = "unknown_kid")) }');
    for (const t of AUTHORIZER_EVENT_TYPES) expect(denyFilterPattern(t.reasons).length).toBeLessThanOrEqual(1024);
  });

  const stack = testStack();
  const keys = new RotatingJwtSecret(stack, 'Keys');
  const authorizer = new JwtAuthorizer(stack, 'Authorizer', { signingKeys: keys, ...RBAC });
  const restApi = new apigateway.RestApi(stack, 'Rest', { deploy: false });
  restApi.root.addMethod('GET', new apigateway.MockIntegration(), { authorizer: authorizer.authorizer });
  const template = Template.fromStack(stack);
  const events = authorizerSecurityEventsOf(authorizer)!;
  const topicRef = { Ref: stack.getLogicalId(SecurityNotifications.of(stack).topic.node.defaultChild as sns.CfnTopic) };

  test('one metric filter per event type on the authorizer log group, in a namespace of its own', () => {
    const logGroupRef = { Ref: stack.getLogicalId(authorizer.logGroup.node.defaultChild as logs.CfnLogGroup) };
    for (const type of AUTHORIZER_EVENT_TYPES) {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: logGroupRef,
        FilterPattern: denyFilterPattern(type.reasons),
        MetricTransformations: [{ MetricNamespace: events.namespace, MetricName: type.metricName, MetricValue: '1' }],
      });
    }
    expect(events.namespace).toMatch(/^SecurityBlocks\/JwtAuthorizer\/\S+$/);
  });

  test('alarms on a forgery spike, on unavailable keys and on an invalid configuration, to the notification topic', () => {
    for (const [metricName, threshold, severity] of [['ForgedTokens', 10, 'HIGH'], ['KeysUnavailable', 1, 'CRITICAL'], ['ConfigInvalid', 1, 'CRITICAL']] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: events.namespace,
        MetricName: metricName,
        Statistic: 'Sum',
        Period: 300,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmDescription: Match.stringLikeRegexp(`^TestStack/Authorizer: ${severity}: `),
        AlarmActions: [topicRef],
      });
    }
  });

  test('no unacknowledged cdk-nag finding', () => {
    expectNoUnacknowledgedFindings(authorizer);
  });
});

describe('the KeysUnavailable alarm says where this authorizer\'s keys come from', () => {
  function keysUnavailableDescription(keys: (stack: Stack) => Partial<JwtAuthorizerProps>): string {
    const stack = testStack();
    const authorizer = new JwtAuthorizer(stack, 'Authorizer', { ...RBAC, ...keys(stack) });
    new apigateway.RestApi(stack, 'Rest', { deploy: false }).root.addMethod('GET', new apigateway.MockIntegration(), { authorizer: authorizer.authorizer });
    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'KeysUnavailable' } });
    expect(Object.keys(alarms)).toHaveLength(1);
    return Object.values(alarms)[0].Properties.AlarmDescription;
  }

  test.each([
    ['a RotatingJwtSecret', (stack: Stack) => ({ signingKeys: new RotatingJwtSecret(stack, 'Keys') })],
    ['an imported secret', (stack: Stack) => ({ secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'jwt-keys') })],
  ])('with %s: the key ring in Secrets Manager', (_name, keys) => {
    const description = keysUnavailableDescription(keys);
    expect(description).toMatch(/^TestStack\/Authorizer: CRITICAL: the key ring could not be read from Secrets Manager .*, or it holds no key: every request is denied\.$/);
    expect(description).not.toMatch(/JWK/);
  });

  test('with an ES256 RotatingJwtSecret: its published JWK Set in S3, and no word of Secrets Manager', () => {
    const description = keysUnavailableDescription((stack) => ({ signingKeys: new RotatingJwtSecret(stack, 'Keys', { algorithm: JwtSigningAlgorithm.ES256 }) }));
    expect(description).toMatch(/^TestStack\/Authorizer: CRITICAL: the key ring's published JWK Set could not be read from S3 .*, or it holds no key for the ring's algorithm: every request is denied\.$/);
    expect(description).not.toMatch(/Secrets Manager|identity provider/);
  });

  test('with an identityProvider: the JWK Set, and no word of Secrets Manager', () => {
    const description = keysUnavailableDescription(() => ({ identityProvider: { jwksUrl: 'https://auth.example.com/.well-known/jwks.json' } }));
    expect(description).toMatch(/^TestStack\/Authorizer: CRITICAL: the identity provider's JWK Set could not be fetched .*, or it holds no key for the allowed algorithms: every request is denied\.$/);
    expect(description).not.toMatch(/Secrets Manager|key ring/);
  });

  test('every event type has a meaning for each key source', () => {
    for (const type of AUTHORIZER_EVENT_TYPES) {
      for (const source of ['keyRing', 'publishedKeys', 'identityProvider'] as const) expect(meaningOf(type, source)).toMatch(/^\S.{20,}$/);
    }
  });
});

describe('account security events from SecurityAuditTrail', () => {
  const build = (props: SecurityAuditTrailProps = {}) => {
    const stack = testStack();
    const trail = new SecurityAuditTrail(stack, 'AuditTrail', props);
    return { stack, trail, template: Template.fromStack(stack) };
  };
  const { stack, trail, template } = build({ guardDutyMinimumSeverity: 4 });
  const topicRef = { Ref: stack.getLogicalId(trail.alarmTopic.node.defaultChild as sns.CfnTopic) };
  const target = (message: string) => [{
    Arn: topicRef,
    Id: 'Target0',
    InputTransformer: { InputPathsMap: Match.anyValue(), InputTemplate: Match.stringLikeRegexp(message) },
  }];

  test('GuardDuty findings at or above the chosen severity, with a readable message', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'], 'detail': { severity: [{ numeric: ['>=', 4] }] } },
      Targets: target('^"GuardDuty finding, severity <detail-severity>, in account <account>'),
    });
  });

  test('Security Hub findings rated CRITICAL or HIGH', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.securityhub'],
        'detail-type': ['Security Hub Findings - Imported'],
        'detail': { findings: { Severity: { Label: ['CRITICAL', 'HIGH'] }, Workflow: { Status: ['NEW'] }, RecordState: ['ACTIVE'] } },
      },
      Targets: target('^"Security Hub <detail-findings-0--Severity-Label> finding'),
    });
  });

  test('root sign-ins and trail tampering', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.signin'], 'detail-type': ['AWS Console Sign In via CloudTrail'], 'detail': { userIdentity: { type: ['Root'] } } },
      Targets: target('^"Root user console sign-in'),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.cloudtrail'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': { eventSource: ['cloudtrail.amazonaws.com'], eventName: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'] },
      },
      Targets: target('^"CloudTrail <detail-eventName> on'),
    });
  });

  test('each rule may publish through a statement naming its own ARN, and nothing else may', () => {
    expect(trail.securityEventRules).toHaveLength(4);
    const statements = Object.values(template.findResources('AWS::SNS::TopicPolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>)
      .filter((s) => s.Principal?.Service === 'events.amazonaws.com');
    expect(statements.map((s) => s.Condition)).toEqual(trail.securityEventRules.map((r) => ({
      ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [stack.getLogicalId(r.node.defaultChild as any), 'Arn'] } },
    })));
    expect(new Set(statements.map((s) => s.Sid)).size).toBe(4);
  });

  test('securityEvents: false creates no rule; the GuardDuty severity is validated', () => {
    build({ securityEvents: false }).template.resourceCountIs('AWS::Events::Rule', 0);
    expectValidationError(() => build({ guardDutyMinimumSeverity: 9 }),
      { path: 'TestStack/AuditTrail', prop: 'guardDutyMinimumSeverity', message: 'must be between 1 and 8.9, got 9' });
    expectValidationError(() => build({ securityEvents: false, guardDutyMinimumSeverity: 5 }),
      { path: 'TestStack/AuditTrail', prop: 'guardDutyMinimumSeverity', message: 'is only used with securityEvents' });
  });
});

describe('the API dashboard', () => {
  const stack = testStack();
  const keys = new RotatingJwtSecret(stack, 'Keys');
  const api = new HardenedRestApi(stack, 'Api', { signingKeys: keys, ...RBAC });
  api.addMethod('/orders', 'GET', new apigateway.MockIntegration());
  const template = Template.fromStack(stack);

  test('one dashboard with requests, errors, latency, WAF decisions by rule and authorizer denials by type', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(stack.resolve(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody));
    for (const title of ['Requests', '4XX and 5XX responses', 'Latency (ms)', 'WAF allowed and blocked', 'WAF blocked by rule', 'Authorizer denials by type (severity)']) {
      expect(body).toContain(title);
    }
    for (const metric of ['\\"Count\\"', '\\"4XXError\\"', '\\"5XXError\\"', '\\"AllowedRequests\\"', '\\"BlockedRequests\\"', 'RateLimitPerIp', 'ForgedTokens (HIGH)', 'KeysUnavailable (CRITICAL)']) {
      expect(body).toContain(metric);
    }
  });
});
