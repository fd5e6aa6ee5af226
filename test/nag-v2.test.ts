/**
 * cdk-nag v2 users run the packs as Aspects and read suppressions from each CfnResource's
 * `cdk_nag` metadata. Every construct with default props must pass the v2 gate and the v3 gate.
 */
import { Aspects, CfnResource, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as nagV2 from 'cdk-nag-v2';
import { IConstruct } from 'constructs';
import { buildDemoApp } from '../demo/demo-app';
import { expectNoUnacknowledgedFindings, expectNoUnacknowledgedV2Findings, nagV2Findings } from './helpers/nag';
import { testStack } from './helpers/stack';
import { userFunction } from './helpers/user-function';
import { SecurityAuditTrail } from '../src/audit-trail/security-audit-trail';
import { JwtAuthorizer } from '../src/authorizer/jwt-authorizer';
import { RotatingJwtSecret } from '../src/jwt-keys/rotating-jwt-secret';
import { LeastPrivilegeLambdaPolicies } from '../src/least-privilege/least-privilege-lambda-policies';
import { HardenedRestApi } from '../src/rest-api/hardened-rest-api';
import { acknowledge } from '../src/shared/acknowledge';

const RBAC = {
  issuer: 'https://issuer.example.com',
  audience: 'orders-api',
  rolePermissions: { admin: ['orders:read', 'orders:write'], user: ['orders:read'] },
  permissionMethods: { 'orders:read': ['GET /orders'], 'orders:write': ['POST /orders'] },
};

/** Each case returns the scopes the library owns (a user's own function is not the library's). */
const DEFAULT_PROPS: Array<[string, () => IConstruct[]]> = [
  ['RotatingJwtSecret', () => [new RotatingJwtSecret(testStack(), 'Jwt')]],
  ['JwtAuthorizer', () => {
    const stack = testStack();
    const authz = new JwtAuthorizer(stack, 'Authz', { signingKeys: new RotatingJwtSecret(stack, 'Keys'), ...RBAC });
    new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false }).root.addMethod('GET', new apigateway.MockIntegration(), { authorizer: authz.authorizer });
    return [authz];
  }],
  ['HardenedRestApi', () => {
    const stack = testStack();
    const api = new HardenedRestApi(stack, 'Api', { signingKeys: new RotatingJwtSecret(stack, 'Keys'), ...RBAC });
    api.addMethod('/orders', 'GET', new apigateway.MockIntegration());
    return [api];
  }],
  ['LeastPrivilegeLambdaPolicies', () => {
    const stack = testStack();
    const f = userFunction(stack);
    return [new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: f }), f.role!];
  }],
  ['LeastPrivilegeLambdaPolicies on a traced function (X-Ray)', () => {
    const stack = testStack();
    const f = userFunction(stack, 'Fn', { tracing: lambda.Tracing.ACTIVE });
    return [new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: f }), f.role!];
  }],
  ['SecurityAuditTrail', () => [new SecurityAuditTrail(testStack(), 'AuditTrail')]],
  ['the demo app', () => [buildDemoApp().stack]],
];

describe.each(DEFAULT_PROPS)('%s with default props', (_name, build) => {
  const scopes = build();

  test.each(scopes.map((s) => [s.node.path, s] as const))('%s: zero unacknowledged findings in the four cdk-nag v2 packs', (_p, scope) => {
    expectNoUnacknowledgedV2Findings(scope);
  });

  test.each(scopes.map((s) => [s.node.path, s] as const))('%s: zero unacknowledged findings in the four cdk-nag v3 packs', (_p, scope) => {
    expectNoUnacknowledgedFindings(scope);
  });
});

describe('the v2 gate', () => {
  test('reports the findings of a resource nothing acknowledges, errors and warnings alike', () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Bare');
    const ids = nagV2Findings(bucket).map((f) => f.ruleId);
    expect(ids).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10', 'NIST.800.53.R5-S3DefaultEncryptionKMS']));
  });

  test('a suppression on a construct reaches CfnResources created after it, and only its own finding', () => {
    const stack = testStack();
    const f = userFunction(stack);
    acknowledge(f, 'NIST.800.53.R5-LambdaDLQ', 'Synchronously invoked in this test: a dead-letter queue receives only asynchronous invocation failures.');
    // The role's default policy does not exist yet when the acknowledgement is made.
    new s3.Bucket(stack, 'Data', { enforceSSL: true }).grantRead(f);
    const onFunction = nagV2Findings(f).filter((x) => x.path === 'TestStack/Fn/Resource').map((x) => x.ruleId);
    expect(onFunction).not.toContain('NIST.800.53.R5-LambdaDLQ');
    expect(onFunction).toContain('HIPAA.Security-LambdaDLQ');
    const policy = f.role!.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
    expect(policy.getMetadata('cdk_nag').rules_to_suppress).toEqual([
      { reason: expect.stringMatching(/^Synchronously/), id: 'NIST.800.53.R5-LambdaDLQ' },
    ]);
  });

  test('a finding id becomes applies_to, as v2 requires, and majors: [2] writes nothing for v3', () => {
    const stack = testStack();
    const f = userFunction(stack);
    acknowledge(f, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:*]', 'A reason long enough for a reviewer to check what this acknowledgement covers.', { majors: [2] });
    Stage.of(stack)!.synth();
    const fnResource = f.node.defaultChild as CfnResource;
    expect(fnResource.getMetadata('cdk_nag').rules_to_suppress).toEqual([
      { reason: expect.any(String), id: 'AwsSolutions-IAM5', applies_to: ['Resource::arn:<AWS::Partition>:logs:*'] },
    ]);
    expect(f.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)).toEqual([]);
  });

  test('a reason beyond Latin-1 is stored base64-encoded, as v2 stores it, and v2 still honours it', () => {
    const stack = testStack();
    const f = userFunction(stack);
    acknowledge(f, 'NIST.800.53.R5-LambdaDLQ', 'Invoked synchronously — a dead-letter queue receives only asynchronous invocation failures.', { majors: [2] });
    expect(nagV2Findings(f).map((x) => x.ruleId)).not.toContain('NIST.800.53.R5-LambdaDLQ');
    const [entry] = (f.node.defaultChild as CfnResource).getMetadata('cdk_nag').rules_to_suppress;
    expect(entry.is_reason_encoded).toBe(true);
    expect(Buffer.from(entry.reason, 'base64').toString()).toMatch(/^Invoked synchronously — /);
  });
});

/** What a cdk-nag v2 user writes: the four packs as Aspects on the app, then synth. */
function v2UserApp(app: IConstruct, stack: Stack): Annotations {
  for (const pack of [new nagV2.AwsSolutionsChecks(), new nagV2.NIST80053R5Checks(), new nagV2.HIPAASecurityChecks(), new nagV2.PCIDSS321Checks()]) {
    Aspects.of(app).add(pack);
  }
  return Annotations.fromStack(stack);
}

const NAG_MESSAGE = Match.stringLikeRegexp('^(AwsSolutions|NIST\\.800\\.53\\.R5|HIPAA\\.Security|PCI\\.DSS\\.321|CdkNagValidationFailure)-');

describe('a cdk-nag v2 user app: Aspects.of(app).add(new AwsSolutionsChecks()) and the other three packs', () => {
  const { app, stack } = buildDemoApp();
  const annotations = v2UserApp(app, stack);

  test('the same app with a bare bucket shows its errors and warnings (so the checks below can fail)', () => {
    const control = testStack();
    new s3.Bucket(control, 'Bare');
    // A stage without WAF is one of v2's warnings (AwsSolutions-APIG3).
    new apigateway.RestApi(control, 'BareApi', { cloudWatchRole: false }).root.addMethod('GET', new apigateway.MockIntegration());
    const found = v2UserApp(control.node.root, control);
    expect(found.findError('*', NAG_MESSAGE).length).toBeGreaterThan(0);
    expect(found.findWarning('*', NAG_MESSAGE).length).toBeGreaterThan(0);
  });

  test('synthesizes with no cdk-nag error annotation', () => {
    expect(annotations.findError('*', NAG_MESSAGE)).toEqual([]);
  });

  test('and no cdk-nag warning annotation', () => {
    expect(annotations.findWarning('*', NAG_MESSAGE)).toEqual([]);
  });

  test('the suppressions are in the template, as v2 writes them', () => {
    const fn = stack.node.findChild('JwtSecret').node.findChild('RotationFunction').node.findAll()
      .find((c) => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::Lambda::Function') as CfnResource;
    expect(fn.getMetadata('cdk_nag').rules_to_suppress).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: 'NIST.800.53.R5-LambdaDLQ' }),
      expect.objectContaining({ id: 'PCI.DSS.321-LambdaInsideVPC' }),
    ]));
  });
});
