/**
 * Synthesizes examples/org-rollout (against lib/, through its node_modules link) into the given
 * directory and checks what the README promises of it: every template cfn-lint clean (the
 * StackSet's member template too), no Control Tower control failed by a library construct
 * outside the README allow-list (the member baseline and the organization trail), and every
 * bundled Lambda of the baseline resolving to its Region's asset bucket under a key that the
 * bucket deployments copy into every target Region's bucket, from an asset present in the
 * cloud assembly (cdklabs/cdk-stacksets#258).
 *
 *   ts-node --project tsconfig.dev.json build-tools/check-org-rollout.ts examples/org-rollout/cdk.out
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { cfnLintTemplates } from '../test/helpers/cfn-lint';
import { controlTowerViolations } from '../test/helpers/control-tower';
import { CONTROL_TOWER_ALLOWANCES, matches } from '../test/helpers/control-tower-allowances';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

/** What examples/org-rollout/app.ts exports (declared here: see the require below). */
interface OrgRollout {
  readonly assetStacks: Stack[];
  readonly baseline: Stack & { readonly member: Stack };
  readonly trail: Stack;
}
type BuildOrgRollout = (app: App, props: {
  managementAccount: string; homeRegion: string; regions: string[]; organizationId: string; organizationalUnitId: string;
}) => OrgRollout;
// Required at run time, not imported: the app resolves cdk-security-blocks through the link the
// examples task makes (examples/org-rollout/node_modules → lib/), which a plain type-check of this
// repository (tsconfig.dev.json) does not have. ts-node still type-checks the app when it loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildOrgRollout } = require('../examples/org-rollout/app') as { buildOrgRollout: BuildOrgRollout };

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const outdir = process.argv[2];
if (!outdir) throw new Error('usage: check-org-rollout.ts <cdk.out>');
fs.rmSync(outdir, { recursive: true, force: true });
const app = new App({ outdir });
const rollout = buildOrgRollout(app, {
  managementAccount: '111111111111', homeRegion: 'us-east-1', regions: REGIONS, organizationId: 'o-abc123def4', organizationalUnitId: 'ou-ab12-11111111',
});
const assembly = app.synth();
const problems: string[] = [];
const templateOf = (stack: Stack): { Resources: Resources } => JSON.parse(fs.readFileSync(path.join(assembly.directory, stack.templateFile), 'utf8'));

// 1. cfn-lint on every template, each in its own Region (the member template in every target Region).
const lint = (name: string, template: unknown, region: string): void => {
  for (const e of cfnLintTemplates([{ name, template }], region)) problems.push(`cfn-lint ${name} (${region}): ${e.Rule.Id} ${e.Message}`);
};
for (const stack of [...rollout.assetStacks, rollout.baseline, rollout.trail]) lint(stack.stackName, templateOf(stack), stack.region);
const member = templateOf(rollout.baseline.member);
for (const region of REGIONS) lint('AccountBaselineMember', member, region);

// 2. Control Tower: what the library builds in each member account, and the organization trail.
const violations = controlTowerViolations([
  { name: 'member', stack: rollout.baseline.member, template: templateOf(rollout.baseline.member) },
  { name: 'trail', stack: rollout.trail },
]);
for (const v of violations.filter((x) => !CONTROL_TOWER_ALLOWANCES.some((a) => matches(a, x)))) {
  problems.push(`Control Tower ${v.control} at ${v.template}: ${v.resource}`);
}

// 3. Assets: each function's code in its Region's bucket, copied there by a deployment, present in the assembly.
const prefix = 'security-blocks-baseline-assets-111111111111';
const parent = templateOf(rollout.baseline).Resources;
const deployments = Object.values(parent).filter((r) => r.Type === 'Custom::CDKBucketDeployment');
const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${rollout.baseline.artifactId}.assets.json`), 'utf8'));
const functions = Object.entries(member.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
if (functions.length === 0) problems.push('the member baseline has no bundled function: the asset path is not exercised');
for (const [id, fn] of functions) {
  const code = fn.Properties.Code;
  if (JSON.stringify(code.S3Bucket) !== JSON.stringify({ 'Fn::Join': ['-', [prefix, { Ref: 'AWS::Region' }]] })) {
    problems.push(`${id}: code bucket ${JSON.stringify(code.S3Bucket)} is not <prefix>-<its Region>`);
  }
  const copiedTo = deployments.filter((d) => d.Properties.SourceObjectKeys.includes(code.S3Key))
    .map((d) => d.Properties.DestinationBucketName).sort();
  const expected = REGIONS.map((r) => `${prefix}-${r}`).sort();
  if (JSON.stringify(copiedTo) !== JSON.stringify(expected)) problems.push(`${id}: ${code.S3Key} is copied to [${copiedTo}], not to every Region's bucket`);
  const asset = manifest.files[String(code.S3Key).replace(/\.zip$/, '')];
  if (!asset || !fs.existsSync(path.join(assembly.directory, asset.source.path))) problems.push(`${id}: ${code.S3Key} is not in the cloud assembly`);
}

if (problems.length > 0) throw new Error(`examples/org-rollout:\n${problems.join('\n')}`);
process.stdout.write(`${outdir}: org rollout checked (${REGIONS.length} Regions: cfn-lint clean, Control Tower gate clean, ` +
  `${functions.length} bundled functions in their Region's asset bucket, assets in the assembly)\n`);
