/**
 * An acknowledgement is a promise broken by default, so each one must name an exact finding
 * that really fires where it sits, and carry a reason a reviewer can check.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NagPack } from 'cdk-nag';
import { buildDemoApp } from '../demo/demo-app';
import { acknowledgements, acknowledgementsV2, nagFindings, nagV2Findings } from './helpers/nag';
import { testStack } from './helpers/stack';
import { userFunction } from './helpers/user-function';
import { RotatingJwtSecret } from '../src/jwt-keys/rotating-jwt-secret';
import { LeastPrivilegeLambdaPolicies, TableAccessLevel } from '../src/least-privilege/least-privilege-lambda-policies';
import { HardenedRestApi } from '../src/rest-api/hardened-rest-api';

const RULE_ID = /^(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-[A-Za-z0-9]+(\[[^\]]+\])?$/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []);
}

/** Every reason recorded for cdk-nag v3 on the construct at `constructPath` for `id`. */
function v3Reasons(stack: Stack, constructPath: string, id: string): string[] {
  const c = stack.node.findAll().find((x) => x.node.path === constructPath);
  return (c?.node.metadata ?? [])
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>))
    .filter(([k]) => k.replace(/^annotation::/i, '') === id)
    .map(([, reason]) => reason);
}

/** Options that make acknowledgements the demo app does not: API keys, tracing, table indexes, a VPC. */
function optionsApp(): Stack {
  const stack = testStack('Options');
  const api = new HardenedRestApi(stack, 'Api', {
    signingKeys: new RotatingJwtSecret(stack, 'Keys'),
    issuer: 'https://issuer.example.com',
    audience: 'orders-api',
    rolePermissions: { user: ['orders:read'] },
    permissionMethods: { 'orders:read': ['GET /orders'] },
  });
  api.addMethod('/orders', 'GET', new apigateway.MockIntegration());
  api.addApiKey('Partner');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const fn = userFunction(stack, 'Fn', { tracing: lambda.Tracing.ACTIVE, vpc });
  const table = new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn, tables: [{ table, access: TableAccessLevel.READ, allIndexes: true }] });
  return stack;
}

describe.each([
  ['the demo app', () => buildDemoApp().stack],
  ['an app with the options that acknowledge more', optionsApp],
])('acknowledgements in src/, as %s makes them', (_name, build) => {
  const stack = build();
  const acks = acknowledgements(stack);

  // Findings as they would be with no acknowledgement at all.
  const spy = jest.spyOn(NagPack.prototype as unknown as { isAcknowledged: () => boolean }, 'isAcknowledged').mockReturnValue(false);
  const raw = nagFindings(stack);
  spy.mockRestore();
  const rawV2 = nagV2Findings(stack, { ignoreSuppressions: true });
  const acksV2 = acknowledgementsV2(stack).map((a) => ({
    ...a,
    // The v3 spelling of the same finding, to compare with v2's findings.
    id: a.suppression.applies_to ? `${a.suppression.id}[${a.suppression.applies_to[0]}]` : a.suppression.id,
  }));

  test('at least one acknowledgement is made (so the checks below run)', () => {
    expect(acks.length).toBeGreaterThan(0);
  });

  test.each(acks.map((a) => [`${a.id} at ${a.path}`, a] as const))('%s names an exact rule id of the four packs', (_n, ack) => {
    expect(ack.id).toMatch(RULE_ID);
  });

  test.each(acks.map((a) => [`${a.id} at ${a.path}`, a] as const))('%s acknowledges a finding that fires on that construct', (_n, ack) => {
    const hits = raw.filter((f) => f.ruleId === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)));
    expect(hits.length).toBeGreaterThan(0);
  });

  test('cdk-nag v2 suppressions are made too (so the checks below run)', () => {
    expect(acksV2.length).toBeGreaterThan(0);
  });

  test.each(acksV2.map((a) => [`${a.id} at ${a.path}`, a] as const))('v2 suppression %s names one rule id and at most one exact finding', (_n, ack) => {
    expect(ack.id).toMatch(RULE_ID);
    expect(ack.suppression.id).not.toContain('[');
    expect(ack.suppression.applies_to?.length ?? 1).toBe(1);
  });

  test.each(acksV2.map((a) => [`${a.id} at ${a.path}`, a] as const))('v2 suppression %s matches a cdk-nag v2 finding on that construct', (_n, ack) => {
    const hits = rawV2.filter((f) => f.ruleId === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)));
    expect(hits.length).toBeGreaterThan(0);
  });

  test.each(acksV2.map((a) => [`${a.id} at ${a.path}`, a] as const))('v2 suppression %s gives a reason a reviewer can check', (_n, ack) => {
    expect(ack.reason.length).toBeGreaterThanOrEqual(60);
  });

  test('a v2 suppression that twins a v3 acknowledgement carries the same reason', () => {
    // v2-only suppressions (majors: [2]) have no twin; the others must say the same thing to both majors.
    // One finding may be acknowledged twice on a construct (two statements, two reasons): any of them.
    for (const v2 of acksV2) {
      const twins = v3Reasons(stack, v2.path, v2.id);
      if (twins.length > 0) expect(twins).toContain(v2.reason);
    }
  });

  test.each(acks.map((a) => [`${a.id} at ${a.path}`, a] as const))('%s gives a reason a reviewer can check', (_n, ack) => {
    expect(ack.reason.length).toBeGreaterThanOrEqual(60);
    expect(ack.reason).not.toMatch(/^(ok|n\/a|not needed|false positive|todo)\.?$/i);
  });

});

describe('acknowledgements in src/', () => {
  test('every acknowledgement in src/ goes through the acknowledge() helper', () => {
    const offenders = sourceFiles(path.join(__dirname, '..', 'src'))
      .filter((f) => !f.endsWith(path.join('shared', 'acknowledge.ts')))
      .filter((f) => {
        // Reading acknowledgements (the checker honours them) is fine; making one is not.
        const code = fs.readFileSync(f, 'utf8').split('\n').filter((l) => !/^\s*(\*|\/\/)/.test(l)).join('\n');
        return /\.acknowledge\(|addMetadata\(\s*Validations\.ACKNOWLEDGED_RULES_METADATA_KEY/.test(code);
      });
    expect(offenders).toEqual([]);
  });

  test('a stack-wide acknowledgement is never made: each sits below the construct it concerns', () => {
    const acks = [...acknowledgements(buildDemoApp().stack), ...acknowledgements(optionsApp())];
    for (const ack of acks) expect(ack.path.split('/').length).toBeGreaterThan(2);
  });
});
