import { Template } from 'aws-cdk-lib/assertions';
import { buildDemoApp } from '../demo/demo-app';
import { securityReport } from '../demo/report';
import { expectCfnLintClean } from './helpers/cfn-lint';
import { expectScheduleWaitsForItsPermissions } from './helpers/dependency-closure';

describe('the demo app (npm run demo)', () => {
  const { stack } = buildDemoApp();

  test('reports zero unacknowledged findings and lists each acknowledgement with its reason', () => {
    const report = securityReport(stack);
    expect(report.unacknowledged).toBe(0);
    expect(report.text).toContain('Result: zero unacknowledged findings');
    expect(report.text).toMatch(/reason: \S/);
  });

  test('the key rotation schedule depends on every policy of the rotation role and on the invoke permission', () => {
    expectScheduleWaitsForItsPermissions(Template.fromStack(stack));
  });

  test('lists the public routes with their reasons', () => {
    expect(securityReport(stack).text).toMatch(/Public routes of SecurityBlocksDemo\/OrdersApi[^\n]*\n  GET \/health\s+reason: Load balancer/);
  });

  test('sets the account API Gateway CloudWatch role and deploys the stage after it', () => {
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    const account = Object.keys(template.findResources('AWS::ApiGateway::Account'))[0];
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    expect(stage.DependsOn).toContain(account);
  });

  test('prints the ES256 ring\'s JWKS URL and the authorizer that verifies against it', () => {
    const text = securityReport(stack).text;
    expect(text).toMatch(/Published JWKS of SecurityBlocksDemo\/JwtSecret \(ES256;[^\n]*\n  https:\/\/\$\{JwtSecretJwksBucket[0-9A-F]{8}\.RegionalDomainName\}\/\.well-known\/jwks\.json\n/);
    expect(text).toContain('verified by SecurityBlocksDemo/OrdersApi/Authorizer: reads that JWKS only');
  });

  test('the API\'s authorizer reads the JWKS object and has no permission on the secret', () => {
    const template = Template.fromStack(stack);
    const onAuthorizer = [...Object.values(template.findResources('AWS::IAM::ManagedPolicy')), ...Object.values(template.findResources('AWS::IAM::Policy'))]
      .filter((p) => /OrdersApiAuthorizerFunctionServiceRole/.test(JSON.stringify(p.Properties.Roles ?? [])));
    const statements = onAuthorizer.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.map((st: { Action: unknown }) => st.Action)).toContainEqual('s3:GetObject');
    expect(JSON.stringify(statements)).not.toMatch(/secretsmanager:|kms:/);
  });

  test('passes cfn-lint with no error', () => {
    expectCfnLintClean(stack);
  });
});
