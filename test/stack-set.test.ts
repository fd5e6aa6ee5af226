/**
 * Issue 23 (4): every construct of the library synthesizes inside a cdk-stacksets StackSetStack,
 * the way an organization rolls out an account baseline; its bundled Lambda code is published
 * to one asset bucket per Region (`<prefix>-<region>`, readable by the member accounts), and
 * every function's Code resolves to its own Region's bucket, under the very key the bucket
 * deployment writes (cdklabs/cdk-stacksets#258: a key the deployment never writes). A construct
 * handed a resource of another stack refuses at synth with a ValidationError.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Capability, DeploymentType, StackSet, StackSetStack, StackSetTarget, StackSetTemplate } from 'cdk-stacksets';
import { Construct } from 'constructs';
import * as library from '../src';
import { CONSTRUCT_FIXTURES, ConstructFixture, ENV } from './helpers/construct-fixtures';
import { expectValidationError } from './helpers/validation-error';
import { SecurityAuditTrail } from '../src/audit-trail/security-audit-trail';
import { JwtAuthorizer } from '../src/authorizer/jwt-authorizer';
import { JwtSigningAlgorithm, RotatingJwtSecret } from '../src/jwt-keys/rotating-jwt-secret';
import { SecurityNotifications } from '../src/notifications/security-notifications';
import { ApiGatewayCloudWatchRole } from '../src/rest-api/api-gateway-cloudwatch-role';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const PREFIX = 'baseline-assets-123456789012';
const OU = 'ou-ab12-11111111';

/** The account-level constructs the fixtures leave out: the baseline's other half. */
const BASELINE_FIXTURES: readonly ConstructFixture[] = [
  { construct: 'SecurityNotifications', build: (scope) => new SecurityNotifications(scope, 'Notifications') },
  { construct: 'ApiGatewayCloudWatchRole', build: (scope) => new ApiGatewayCloudWatchRole(scope, 'ApiGatewayAccount') },
];

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

interface Synthesized {
  readonly member: Resources;
  readonly parent: Resources;
  readonly outdir: string;
}

/** The parent stack (management account) with one StackSetStack built by `build`, targeting an OU in every Region. */
function inStackSet(build: (scope: Construct) => void): Synthesized {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stackset-'));
  const app = new App({ outdir });
  const parent = new Stack(app, 'Baseline', { env: ENV });
  const assetBuckets = REGIONS.map((region) => s3.Bucket.fromBucketName(parent, `Assets-${region}`, `${PREFIX}-${region}`));
  const member = new StackSetStack(parent, 'Member', { assetBuckets, assetBucketPrefix: PREFIX });
  build(member);
  new StackSet(parent, 'StackSet', {
    target: StackSetTarget.fromOrganizationalUnits({ regions: REGIONS, organizationalUnits: [OU] }),
    deploymentType: DeploymentType.serviceManaged({ autoDeployEnabled: true }),
    template: StackSetTemplate.fromStackSetStack(member),
    capabilities: [Capability.IAM, Capability.NAMED_IAM],
  });
  const assembly = app.synth();
  const read = (file: string): Resources => JSON.parse(fs.readFileSync(path.join(assembly.directory, file), 'utf8')).Resources;
  return { member: read(member.templateFile), parent: read(parent.templateFile), outdir: assembly.directory };
}

const ofType = (resources: Resources, type: string): Array<[string, Resources[string]]> =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

/** Constructs that cannot live in a StackSet, and say so. */
const REFUSED: Record<string, RegExp> = {
  JwtSecretReplicaKey: /^is the StackSet stack Baseline\/Member, where a JwtSecretReplicaKey cannot live: .*cross-Region reference/,
};
const ACCEPTED = [...CONSTRUCT_FIXTURES, ...BASELINE_FIXTURES].filter((f) => REFUSED[f.construct] === undefined);

test('every public construct of the library is built here: a new one cannot be missed', () => {
  const publicConstructs = Object.entries(library)
    .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Construct)
    .map(([name]) => name);
  const built = new Set([...CONSTRUCT_FIXTURES, ...BASELINE_FIXTURES].map((f) => f.construct.replace(/ES256$/, '')));
  expect(publicConstructs.length).toBeGreaterThan(5);
  expect(publicConstructs.filter((name) => !built.has(name))).toEqual([]);
});

test.each(Object.entries(REFUSED))('%s refuses to synthesize in a StackSetStack, saying why', (name, message) => {
  const fixture = CONSTRUCT_FIXTURES.find((f) => f.construct === name)!;
  const stack = new Stack(new App(), 'Baseline', { env: ENV });
  const member = new StackSetStack(stack, 'Member');
  expectValidationError(() => fixture.build(member), { path: 'Baseline/Member/ReplicaKey', prop: 'stack', message });
});

describe.each(ACCEPTED.map((f) => [f.construct, f] as const))('%s in a StackSetStack', (_name, fixture) => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = inStackSet((scope) => fixture.build(scope));
  });
  afterAll(() => synthesized && fs.rmSync(synthesized.outdir, { recursive: true, force: true }));

  test('synthesizes, with nothing imported from another stack', () => {
    expect(Object.keys(synthesized.member).length).toBeGreaterThan(0);
    expect(JSON.stringify(synthesized.member)).not.toContain('Fn::ImportValue');
  });

  test('every function\'s code is in its own Region\'s asset bucket, under a key the bucket deployment writes to every Region\'s bucket', () => {
    const functions = ofType(synthesized.member, 'AWS::Lambda::Function');
    const deployments = ofType(synthesized.parent, 'Custom::CDKBucketDeployment');
    for (const [id, fn] of functions) {
      // Inline code (a user's function in the fixture) is in the template itself: no asset.
      if (fn.Properties.Code.ZipFile !== undefined) continue;
      expect({ id, bucket: fn.Properties.Code.S3Bucket }).toEqual({ id, bucket: { 'Fn::Join': ['-', [PREFIX, { Ref: 'AWS::Region' }]] } });
      const key: string = fn.Properties.Code.S3Key;
      expect(key).toMatch(/^[0-9a-f]{64}\.zip$/);
      // One deployment per Region's bucket, each copying this very object (extract: false keeps the zip whole).
      const copying = deployments.filter(([, d]) => d.Properties.SourceObjectKeys.includes(key));
      expect(copying.map(([, d]) => d.Properties.DestinationBucketName).sort()).toEqual(REGIONS.map((r) => `${PREFIX}-${r}`).sort());
      for (const [, d] of copying) expect(d.Properties.Extract).toBe(false);
    }
  });

  test('every asset the bucket deployments copy is in the cloud assembly', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(synthesized.outdir, 'Baseline.assets.json'), 'utf8'));
    const keys = new Set(ofType(synthesized.parent, 'Custom::CDKBucketDeployment').flatMap(([, d]) => d.Properties.SourceObjectKeys as string[]));
    for (const key of keys) {
      const hash = key.replace(/\.zip$/, '');
      const asset = manifest.files[hash];
      expect({ key, packaged: asset !== undefined }).toEqual({ key, packaged: true });
      expect(fs.existsSync(path.join(synthesized.outdir, asset.source.path))).toBe(true);
    }
  });
});

describe('the baseline with bundled functions', () => {
  test('has at least one function whose code comes through the asset buckets (the path is exercised, not vacuous)', () => {
    const { member, outdir } = inStackSet((scope) => new RotatingJwtSecret(scope, 'Keys', { algorithm: JwtSigningAlgorithm.ES256 }));
    expect(ofType(member, 'AWS::Lambda::Function').length).toBeGreaterThan(0);
    fs.rmSync(outdir, { recursive: true, force: true });
  });
});

describe('a construct in a StackSetStack handed a resource of another stack', () => {
  test('a JwtAuthorizer whose key ring is in the parent stack refuses, naming the prop and the StackSet stack', () => {
    const app = new App();
    const parent = new Stack(app, 'Baseline', { env: ENV });
    const keys = new RotatingJwtSecret(parent, 'Keys');
    const member = new StackSetStack(parent, 'Member');
    expectValidationError(() => new JwtAuthorizer(member, 'Authz', {
      signingKeys: keys, issuer: 'https://issuer.example.com', audience: 'a', rolePermissions: { u: ['p'] }, permissionMethods: { p: ['GET /x'] },
    }), {
      path: 'Baseline/Member/Authz',
      prop: 'signingKeys',
      message: /^is in stack Baseline, but Baseline\/Member\/Authz is in the StackSet stack Baseline\/Member: .*Create it in the same StackSetStack/,
    });
  });

  test('a RotatingJwtSecret whose alarm topic is in the parent stack refuses', () => {
    const parent = new Stack(new App(), 'Baseline', { env: ENV });
    const topic = new sns.Topic(parent, 'Topic');
    const member = new StackSetStack(parent, 'Member');
    expectValidationError(() => new RotatingJwtSecret(member, 'Keys', { alarmTopic: topic }), {
      path: 'Baseline/Member/Keys', prop: 'alarmTopic', message: /^is in stack Baseline, but .* StackSet stack/,
    });
  });

  test('an organization trail refuses to live in a StackSet stack: it exists once, not per member account', () => {
    const member = new StackSetStack(new Stack(new App(), 'Baseline', { env: ENV }), 'Member');
    expectValidationError(() => new SecurityAuditTrail(member, 'Trail', { organizationTrail: true, organizationId: 'o-abcdef1234' }), {
      path: 'Baseline/Member/Trail', prop: 'organizationTrail', message: /^cannot be used in a StackSet stack: an organization trail is created once/,
    });
    // The same props in an ordinary stack are an organization trail.
    expect(() => new SecurityAuditTrail(new Stack(new App(), 'Management', { env: ENV }), 'Trail', { organizationTrail: true, organizationId: 'o-abcdef1234' }))
      .not.toThrow();
  });

  test('outside a StackSet stack, the same cross-stack key ring is accepted (an ordinary export)', () => {
    const app = new App();
    const keys = new RotatingJwtSecret(new Stack(app, 'Keys', { env: ENV }), 'Keys');
    expect(() => new RotatingJwtSecret(new Stack(app, 'Other', { env: ENV }), 'Ring', { encryptionKey: keys.encryptionKey })).not.toThrow();
  });
});
