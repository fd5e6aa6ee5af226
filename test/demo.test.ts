import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { costTable } from '../demo/cost';
import { buildDemoApp } from '../demo/demo-app';
import { REASON_SEPARATOR, readableValue, securityReport } from '../demo/report';
import { JwtSigningAlgorithm, RotatingJwtSecret } from '../src';
import { expectCfnLintClean } from './helpers/cfn-lint';
import { expectScheduleWaitsForItsPermissions } from './helpers/dependency-closure';
import { acknowledgements } from './helpers/nag';
import { testStack } from './helpers/stack';

/**
 * The (finding, resource, reason) triples the report's acknowledgement section prints, read back
 * from its text: a resource line (2 spaces), then one line per reason (4 spaces) naming rules
 * with their packs, `IAM5[...] (AwsSolutions); LambdaDLQ (NIST.800.53.R5, HIPAA.Security) — reason`.
 */
function printedAcknowledgements(text: string): string[] {
  const section = text.split('\n\n').find((block) => block.startsWith('Acknowledgements ('));
  if (!section) throw new Error('no Acknowledgements section in the report');
  const triples: string[] = [];
  let resource = '';
  for (const line of section.split('\n').slice(1)) {
    if (/^  \S/.test(line)) {
      resource = line.trim();
      continue;
    }
    const at = line.indexOf(REASON_SEPARATOR);
    if (!/^    \S/.test(line) || at < 0) throw new Error(`unexpected line in the acknowledgements: ${line}`);
    const reason = line.slice(at + REASON_SEPARATOR.length);
    for (const group of line.slice(4, at).split('; ')) {
      const m = /^(.*) \(([^()]*)\)$/.exec(group);
      if (!m) throw new Error(`unexpected rule group: ${group}`);
      for (const rule of m[1].split(', ')) {
        for (const pack of m[2].split(', ')) triples.push(`${pack}-${rule} | ${resource} | ${reason}`);
      }
    }
  }
  return triples;
}

describe('the demo app (npm run demo)', () => {
  const { stack } = buildDemoApp();

  test('reports zero unacknowledged findings and lists each acknowledgement with its reason', () => {
    const report = securityReport(stack);
    expect(report.unacknowledged).toBe(0);
    expect(report.text).toContain('Result: zero unacknowledged findings');
    expect(report.text).toMatch(/\n    LambdaDLQ \(NIST\.800\.53\.R5, HIPAA\.Security\) — Secrets Manager invokes the rotation function synchronously/);
  });

  test('prints every acknowledgement the old one-per-pack format did: the same (finding, resource, reason) triples, each once', () => {
    // What the old format printed, one entry per (finding, resource): id, path and reason.
    const before = acknowledgements(stack).map((a) => `${a.id} | ${a.path} | ${a.reason}`).sort();
    const after = printedAcknowledgements(securityReport(stack).text).sort();
    expect(before.length).toBe(46);
    expect(after).toEqual(before);
  });

  test('groups a reason the packs share on one line, and the whole demo output is under 100 lines', () => {
    const text = securityReport(stack).text;
    const lambdaInsideVpc = text.split('\n').filter((l) => l.includes('The handler reaches only AWS APIs'));
    expect(lambdaInsideVpc).toEqual([expect.stringMatching(/^    LambdaInsideVPC \(NIST\.800\.53\.R5, HIPAA\.Security, PCI\.DSS\.321\) — /), expect.anything()]);
    expect(text).toMatch(/\n    APIG4, COG4 \(AwsSolutions\) — Declared public with addPublicMethod: /);
    // demo/app.ts prints a 2-line header, the report, a blank line, a title and the cost table.
    const demoLines = 2 + text.split('\n').length + 2 + costTable(stack).split('\n').length;
    expect(demoLines).toBeLessThan(100);
  });

  test('the key rotation schedule depends on every policy of the rotation role and on the invoke permission', () => {
    expectScheduleWaitsForItsPermissions(Template.fromStack(stack));
  });

  test('lists the public routes with their reasons, and the endpoint with its Region and stage', () => {
    const text = securityReport(stack).text;
    expect(text).toMatch(/Public routes of SecurityBlocksDemo\/OrdersApi[^\n]*\n  GET \/health\s+reason: Load balancer/);
    expect(text).toContain('  endpoint: https://<OrdersApi/Resource id, set at deploy>.execute-api.us-east-1.amazonaws.com/prod/\n' +
      '    deployed value: stack output OrdersApiUrl of SecurityBlocksDemo, in us-east-1');
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
    // The bucket name is set at deploy: the report says so and names the stack output that has it.
    expect(text).toMatch(new RegExp('Published JWKS of SecurityBlocksDemo/JwtSecret \\(ES256;[^\\n]*\\n' +
      '  url: https://<JwtSecret/JwksBucket name, set at deploy>\\.s3\\.us-east-1\\.amazonaws\\.com/\\.well-known/jwks\\.json\\n' +
      '    deployed value: stack output JwksUrl of SecurityBlocksDemo, in us-east-1\\n'));
    expect(text).not.toMatch(/\$\{/);
    const outputs = Template.fromStack(stack).toJSON().Outputs;
    const ring = stack.node.findAll().find((c): c is RotatingJwtSecret => c instanceof RotatingJwtSecret)!;
    expect(outputs.JwksUrl.Value).toEqual(stack.resolve(ring.jwksUrl));
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

describe('URLs in the report', () => {
  test('a bucket with a literal name resolves to <name>.s3.<region>.<suffix>, complete', () => {
    const stack = new Stack(new App(), 'Named', { env: { account: '123456789012', region: 'eu-west-1' } });
    const bucket = new s3.Bucket(stack, 'Jwks', { bucketName: 'my-jwks' });
    expect(readableValue(stack, `https://${bucket.bucketRegionalDomainName}/.well-known/jwks.json`))
      .toEqual({ text: 'https://my-jwks.s3.eu-west-1.amazonaws.com/.well-known/jwks.json', complete: true });
  });

  test('in a stack with no Region, the Region and URL suffix are named as unknown', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const bucket = new s3.Bucket(stack, 'Jwks', { bucketName: 'my-jwks' });
    expect(readableValue(stack, `https://${bucket.bucketRegionalDomainName}/x`))
      .toEqual({ text: 'https://my-jwks.s3.<Region>.<URL suffix>/x', complete: false });
  });

  test('a URL set at deploy that no stack output carries says how to get it', () => {
    const stack = testStack();
    new RotatingJwtSecret(stack, 'Keys', { algorithm: JwtSigningAlgorithm.ES256 });
    expect(securityReport(stack).text).toContain('  url: https://<Keys/JwksBucket name, set at deploy>.s3.us-east-1.amazonaws.com/.well-known/jwks.json\n' +
      '    deployed value: set at deploy; no stack output carries it (add a CfnOutput with this value to read it after deploy)');
  });
});
