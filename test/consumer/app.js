// A new user's CDK app: the packed library, the newest aws-cdk-lib, every construct with default
// props, checked by the four cdk-nag packs as a user runs them. `node app.js v2` runs cdk-nag v2
// (Aspects, NagSuppressions), `node app.js v3` cdk-nag v3 (validation plugins). Exits 1 on any
// finding, or when a deliberately bad control stack shows none (a gate that cannot fail).
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

function libraryStack(app) {
  const stack = new Stack(app, 'Consumer', { env: { account: '123456789012', region: 'us-east-1' } });
  const signingKeys = new blocks.RotatingJwtSecret(stack, 'JwtSecret');
  const api = new blocks.HardenedRestApi(stack, 'OrdersApi', { signingKeys, ...RBAC });
  api.addMethod('/orders', 'GET', new apigateway.MockIntegration());
  // A JwtAuthorizer of its own, on a second hardened API.
  const authz = new blocks.JwtAuthorizer(stack, 'Authz', { signingKeys, ...RBAC });
  new blocks.HardenedRestApi(stack, 'AdminApi', { authorizer: authz.authorizer }).addMethod('/orders', 'POST', new apigateway.MockIntegration());
  const fn = new lambda.Function(stack, 'OrdersFunction', {
    runtime: lambda.Runtime.NODEJS_24_X,
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

function controlStack(app) {
  const stack = new Stack(app, 'Control');
  new s3.Bucket(stack, 'Bare');
  return stack;
}

const PACKS = ['AwsSolutionsChecks', 'NIST80053R5Checks', 'HIPAASecurityChecks', 'PCIDSS321Checks'];
const NAG_MESSAGE = /^(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321|CdkNagValidationFailure)-/;

/** v2: the packs as Aspects; findings are the error and warning annotations in the assembly. */
function findingsV2(build) {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-v2-')) });
  const stack = build(app);
  for (const pack of PACKS) Aspects.of(app).add(new nag[pack]({ reports: false }));
  const artifact = app.synth().getStackArtifact(stack.artifactId);
  return artifact.messages
    .filter((m) => (m.level === 'error' || m.level === 'warning') && NAG_MESSAGE.test(String(m.entry.data)))
    .map((m) => `${m.level} ${String(m.entry.data).split(':')[0]} at ${m.id}`);
}

/** v3: the packs as validation plugins; findings are the violations in the validation report. */
function findingsV3(build) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-v3-'));
  const app = new App({ outdir });
  build(app);
  for (const pack of PACKS) Validations.of(app).addPlugins(new nag[pack](app));
  const stderr = process.stderr.write;
  process.stderr.write = () => true; // the plugin's report is read from the file below
  try { app.synth(); } catch (e) { if (!/Validation failed/.test(e.message)) throw e; } finally { process.stderr.write = stderr; }
  process.exitCode = 0;
  // aws-cdk-lib >= 2.258 writes validation-report.json; before, policy-validation-report.json.
  const file = ['validation-report.json', 'policy-validation-report.json'].map((f) => path.join(outdir, f)).find((f) => fs.existsSync(f));
  if (!file) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  return report.pluginReports.flatMap((p) => [
    ...(p.summary && p.summary.metadata && p.summary.metadata.error ? [`plugin ${p.summary.pluginName} failed: ${p.summary.metadata.error}`] : []),
    ...(p.violations || []).flatMap((v) => (v.violatingConstructs || v.violatingResources || []).map((c) => `${v.ruleName} at ${c.constructPath}`)),
  ]);
}

const findings = mode === 'v2' ? findingsV2 : mode === 'v3' ? findingsV3 : undefined;
if (!findings) throw new Error('usage: node app.js v2|v3');
const control = findings(controlStack).filter((f) => !f.startsWith('plugin '));
const found = findings(libraryStack);
const cdkVersion = require('aws-cdk-lib/package.json').version;
const nagVersion = require(mode === 'v2' ? 'cdk-nag-v2/package.json' : 'cdk-nag/package.json').version;
console.log(`cdk-nag ${nagVersion} (${mode}) on aws-cdk-lib ${cdkVersion}: control stack ${control.length} finding(s), library stack ${found.length}`);
if (control.length === 0) {
  console.error('FAIL: the control stack (an unencrypted, unlogged bucket) shows no finding, so the gate is not running');
  process.exit(1);
}
if (found.length > 0) {
  console.error(`FAIL: ${found.length} finding(s) in the consumer app (the library must add none):\n${found.join('\n')}`);
  process.exit(1);
}
