// A new user's CDK app: the packed library, every construct with default props, checked by the
// four cdk-nag packs as a user runs them. `node app.js v2` runs cdk-nag v2 (Aspects,
// NagSuppressions), `node app.js v3` cdk-nag v3 (validation plugins). Exits 1 on any finding in the
// library's stack, and when the canary stack beside it (a deliberately bad bucket, in the same app
// and the same synth) lacks a finding from any of the four packs: a gate that did not run fails.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { App, Aspects, Stack, Validations } = require('aws-cdk-lib');
const apigateway = require('aws-cdk-lib/aws-apigateway');
const lambda = require('aws-cdk-lib/aws-lambda');
const s3 = require('aws-cdk-lib/aws-s3');
const blocks = require('cdk-security-blocks');

const mode = process.argv[2];
if (mode !== 'v2' && mode !== 'v3') throw new Error('usage: node app.js v2|v3');
const nag = mode === 'v2' ? require('cdk-nag-v2') : require('cdk-nag');
const RBAC = {
  issuer: 'https://auth.example.com',
  audience: 'orders-api',
  rolePermissions: { user: ['orders:read'], admin: ['orders:read', 'orders:write'] },
  permissionMethods: { 'orders:read': ['GET /orders'], 'orders:write': ['POST /orders'] },
};

// What the README tells a user to acknowledge on their own function (not the library's).
const OWN_FUNCTION_FINDINGS = [
  'NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency',
  'NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ',
  'NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC',
];
const OWN_REASON = 'Consumer test function: invoked synchronously, reaches no VPC resource, unbounded concurrency accepted.';
const LIBRARY = 'Consumer';
// The user's own function is on the newest Node.js runtime this aws-cdk-lib defines, as AwsSolutions-L1 asks.
const NEWEST_NODE = Object.getOwnPropertyNames(lambda.Runtime).map((k) => /^NODEJS_(\d+)_X$/.exec(k)).filter(Boolean)
  .sort((a, b) => Number(a[1]) - Number(b[1])).map((m) => lambda.Runtime[m[0]]).pop();
const CANARY = 'Canary';

function libraryStack(app) {
  const stack = new Stack(app, LIBRARY, { env: { account: '123456789012', region: 'us-east-1' } });
  const signingKeys = new blocks.RotatingJwtSecret(stack, 'JwtSecret');
  const api = new blocks.HardenedRestApi(stack, 'OrdersApi', { signingKeys, ...RBAC });
  api.addMethod('/orders', 'GET', new apigateway.MockIntegration());
  // A JwtAuthorizer of its own, on a second hardened API.
  const authz = new blocks.JwtAuthorizer(stack, 'Authz', { signingKeys, ...RBAC });
  new blocks.HardenedRestApi(stack, 'AdminApi', { authorizer: authz.authorizer }).addMethod('/orders', 'POST', new apigateway.MockIntegration());
  // The ES256 ring (JWKS buckets) and an authorizer that verifies through a JWKS URL.
  new blocks.RotatingJwtSecret(stack, 'Es256Secret', { algorithm: blocks.JwtSigningAlgorithm.ES256 });
  const jwks = new blocks.JwtAuthorizer(stack, 'JwksAuthz', { identityProvider: { jwksUrl: 'https://auth.example.com/.well-known/jwks.json' }, ...RBAC });
  new blocks.HardenedRestApi(stack, 'PartnerApi', { authorizer: jwks.authorizer }).addMethod('/orders', 'GET', new apigateway.MockIntegration());
  const fn = new lambda.Function(stack, 'OrdersFunction', {
    runtime: NEWEST_NODE,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
    tracing: lambda.Tracing.ACTIVE,
  });
  new blocks.LeastPrivilegeLambdaPolicies(stack, 'OrdersPolicies', { function: fn, secrets: [signingKeys.secret] });
  new blocks.SecurityAuditTrail(stack, 'AuditTrail');
  if (mode === 'v2') {
    nag.NagSuppressions.addResourceSuppressions(fn, OWN_FUNCTION_FINDINGS.map((id) => ({ id, reason: OWN_REASON })));
  } else {
    for (const id of OWN_FUNCTION_FINDINGS) Validations.of(fn).acknowledge({ id, reason: OWN_REASON });
  }
  return stack;
}

/** The canary: a bucket with neither access logs nor anything else, which every pack reports. */
function canaryStack(app) {
  const stack = new Stack(app, CANARY);
  new s3.Bucket(stack, 'Bare');
  return stack;
}

const PACKS = ['AwsSolutionsChecks', 'NIST80053R5Checks', 'HIPAASecurityChecks', 'PCIDSS321Checks'];
const PACK_PREFIXES = ['AwsSolutions-', 'NIST.800.53.R5-', 'HIPAA.Security-', 'PCI.DSS.321-'];
const NAG_MESSAGE = /^(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321|CdkNagValidationFailure)-/;

/** v2: the packs as Aspects; findings are the error and warning annotations in the assembly. */
function findingsV2(app, stacks) {
  for (const pack of PACKS) Aspects.of(app).add(new nag[pack]({ reports: false }));
  const assembly = app.synth();
  return stacks.flatMap((stack) => assembly.getStackArtifact(stack.artifactId).messages
    .filter((m) => (m.level === 'error' || m.level === 'warning') && NAG_MESSAGE.test(String(m.entry.data)))
    .map((m) => ({ rule: String(m.entry.data).split(':')[0], path: m.id.replace(/^\//, '') })));
}

/** v3: the packs as validation plugins; findings are the violations in the validation report. */
function findingsV3(app, outdir) {
  for (const pack of PACKS) Validations.of(app).addPlugins(new nag[pack](app));
  const stderr = process.stderr.write;
  process.stderr.write = () => true; // the plugin's report is read from the file below
  try { app.synth(); } catch (e) { if (!/Validation failed/.test(e.message)) throw e; } finally { process.stderr.write = stderr; }
  process.exitCode = 0;
  // aws-cdk-lib >= 2.258 writes validation-report.json; before, policy-validation-report.json.
  const file = ['validation-report.json', 'policy-validation-report.json'].map((f) => path.join(outdir, f)).find((f) => fs.existsSync(f));
  if (!file) return [{ rule: 'no validation report was written', path: outdir }];
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  return report.pluginReports.flatMap((p) => [
    ...(p.summary && p.summary.metadata && p.summary.metadata.error ? [{ rule: `plugin ${p.summary.pluginName} failed: ${p.summary.metadata.error}`, path: '' }] : []),
    ...(p.violations || []).flatMap((v) => (v.violatingConstructs || v.violatingResources || []).map((c) => ({ rule: v.ruleName, path: c.constructPath || '' }))),
  ]);
}

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `consumer-${mode}-`));
const app = new App({ outdir });
const stacks = [libraryStack(app), canaryStack(app)];
const all = mode === 'v2' ? findingsV2(app, stacks) : findingsV3(app, outdir);
const canary = all.filter((f) => f.path.startsWith(`${CANARY}/`));
// Everything not on the canary counts against the library, a failed plugin or a missing report included.
const found = all.filter((f) => !f.path.startsWith(`${CANARY}/`));
const silentPacks = PACK_PREFIXES.filter((prefix) => !canary.some((f) => f.rule.startsWith(prefix)));

const cdkVersion = require('aws-cdk-lib/package.json').version;
const nagVersion = require(mode === 'v2' ? 'cdk-nag-v2/package.json' : 'cdk-nag/package.json').version;
const runtimes = [...new Set(stacks[0].node.findAll().filter((c) => c instanceof lambda.CfnFunction).map((c) => c.runtime))].join(', ');
console.log(`cdk-nag ${nagVersion} (${mode}) on aws-cdk-lib ${cdkVersion} (functions on ${runtimes}): canary stack ${canary.length} finding(s), library stack ${found.length}`);
let failed = false;
if (silentPacks.length > 0) {
  console.error(`FAIL: the canary (an unlogged, unencrypted bucket) has no finding from ${silentPacks.join(', ')}, so that gate did not run`);
  failed = true;
}
if (found.length > 0) {
  console.error(`FAIL: ${found.length} finding(s) in the consumer app (the library must add none):\n${found.map((f) => `${f.rule} at ${f.path}`).join('\n')}`);
  failed = true;
}
if (failed) process.exit(1);
