import { awscdk, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

/** Versions bundled into the Lambda handlers, pinned so every release ships the same bytes. */
const BUNDLED_SDK = '3.1162.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-security-blocks',
  description:
    'Secure-by-default AWS CDK L3 constructs: rotating JWT signing secrets, a fail-closed JWT authorizer, ' +
    'least-privilege Lambda policies, a hardened REST API and a CIS-aligned audit trail.',
  author: 'cdk-security-blocks maintainers',
  authorAddress: 'maintainers@cdk-security-blocks.invalid',
  repositoryUrl: 'https://github.com/cdk-security-blocks/cdk-security-blocks.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  keywords: ['cdk', 'awscdk', 'security', 'jwt', 'waf', 'cloudtrail', 'cdk-nag', 'least-privilege'],
  license: 'Apache-2.0',

  // cdk-nag v3 (the gate every construct is tested against) needs aws-cdk-lib >= 2.257.0; its plugin
  // mode (Validations.addPlugins) needs 2.258.0 (README, test:consumer). cdk-nag v2 runs on 2.257.0.
  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  minNodeVersion: '20.0.0',
  tsconfigDevFile: 'tsconfig.dev.json',
  sampleCode: false,
  // One dev tsconfig at the root covers src/, test/, lambda-src/, bench/ and demo/ for lint too.
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'build-tools', 'lambda-src', 'bench', 'demo', 'projenrc'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },

  publishToPypi: { distName: 'cdk-security-blocks', module: 'cdk_security_blocks' },
  publishToMaven: {
    javaPackage: 'io.github.cdksecurityblocks',
    mavenGroupId: 'io.github.cdk-security-blocks',
    mavenArtifactId: 'cdk-security-blocks',
  },
  publishToNuget: { dotNetNamespace: 'CdkSecurityBlocks', packageId: 'CdkSecurityBlocks' },
  publishToGo: { moduleName: 'github.com/cdk-security-blocks/cdk-security-blocks-go' },

  devDeps: [
    'cdk-nag@3.0.2',
    // cdk-nag v2 (NagSuppressions metadata, Aspects) under another name: most users still run it.
    'cdk-nag-v2@npm:cdk-nag@2.38.2',
    'esbuild@0.28.2',
    `@aws-sdk/client-secrets-manager@${BUNDLED_SDK}`,
    // The authorizer's only AWS call (GetSecretValue) is signed with this small SigV4 library
    // (node:crypto, synchronous) and sent with node:http(s) instead of the SDK client: a cold
    // start near a bare handler. aws4fetch was measured too: its Headers/fetch/WebCrypto load
    // Node's bundled undici on the first call, tens of ms. Bundled into the asset, pinned.
    'aws4@1.13.2',
    '@types/aws-lambda@^8.10.164',
    'jose@^6.2.17',
    // Issue 14: Control Tower's cfn-guard rules + the guard binary; integration tests and their runner.
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@2.197.10',
  ],

  // A snapshot must fail when the template changes; projen's default (--updateSnapshot) rewrites it.
  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      snapshotSerializers: ['<rootDir>/test/helpers/asset-hash-serializer.ts'],
      testTimeout: 120_000,
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
    },
  },
  gitignore: ['.jsii.tabl.json', '/assets/', '/cdk.out/', '/.venv/', '/.tools/', '__pycache__/', '/demo/cdk.out/'],
  // Only what CI runs; the generated GitHub workflows would duplicate .ci/run.
  github: false,
  release: false,
});

for (const p of ['/lambda-src/', '/bench/', '/demo/', '/build-tools/', '/.ci/', '/requirements-dev.txt', '/cdk.out/', '/.venv/', '/.tools/']) {
  project.addPackageIgnore(p);
}

project.tsconfigDev.addInclude('.projenrc.ts');
project.tsconfigDev.addInclude('lambda-src/**/*.ts');
project.tsconfigDev.addInclude('bench/**/*.ts');
project.tsconfigDev.addInclude('demo/**/*.ts');
project.tsconfigDev.addInclude('build-tools/**/*.ts');

// --- Handler pipeline: lambda-src/<name>/index.ts -> assets/<name>/index.js, before jsii compiles.
const bundle = project.addTask('bundle', {
  description: 'Bundle every Lambda handler in lambda-src/ into assets/ with esbuild (pinned SDK, Node 24 target)',
  exec: 'ts-node --project tsconfig.dev.json build-tools/bundle-handlers.ts',
});
project.preCompileTask.spawn(bundle);
// ts-jest runs the constructs from src/, which load ../assets: bundle before every test run too.
project.testTask.prependSpawn(bundle);

// --- Python tools the tests use as real peers: moto's Secrets Manager server, cfn-lint, PyJWT, pytest.
const setup = project.addTask('setup', {
  description: 'Create .venv with the pinned Python test peers (moto server, cfn-lint, PyJWT, pytest)',
  steps: [
    { exec: 'python3 -m venv .venv' },
    { exec: '.venv/bin/pip install --disable-pip-version-check -q -r requirements-dev.txt' },
  ],
});

// Handler integration tests again on the Lambda runtime's Node major (npm package node@24).
const testNode24 = project.addTask('test:node24', {
  description: 'Run the handler tests (the shipped assets against moto) on Node 24',
  exec: 'npx -y -p node@24 -- node node_modules/jest/bin/jest.js --ci --coverage=false test/lambda',
});

const packagePython = project.tasks.tryFind('package:python')!;
const testPython = project.addTask('test:python', {
  description: 'Install the built Python wheel into a fresh virtualenv and synthesize the constructs with pytest',
  exec: '.venv/bin/python -m pytest -q test/python',
});

// --- Consumer tests in Go and Java (issue 9, item 5) -------------------------------------------
// Each builds a small app the way a Go or Java team would, against the bindings jsii-pacmak generated,
// synthesizes one stack with every construct and asserts on the template. Both reuse the machine's
// caches (Go module and build cache, ~/.m2), so only a cold machine downloads anything.
// Node 20 runs the jsii kernel here; its end-of-life banner would repeat on every run.
const consumerEnv = { JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20', JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' };
// Added here, not in the gitignore option: projen's later `!/test/` would drop any `/test/...` pattern.
project.gitignore.exclude('/test/java/target/', '/test/go/cdk.out/');
const testGo = project.addTask('test:go', {
  description: 'Generate the Go module, build the Go consumer app in test/go with aws-cdk-go and synthesize every construct with go test',
  env: consumerEnv,
  steps: [
    { exec: 'rm -rf dist/go && jsii-pacmak --target go --code-only' },
    { exec: 'ls dist/go/cdksecurityblocks/RotatingJwtSecret.go dist/go/cdksecurityblocks/HardenedRestApi.go && gofmt -e -l dist/go > /dev/null' },
    // pacmak pins the indirect requires of the aws-cdk-go it compiled against; one of them
    // (cloud-assembly-schema-go v53.28.0) is refused by the Go proxy here. The consumer's go.mod
    // picks them through aws-cdk-go's own go.mod instead, as `go mod tidy` would for a user.
    { exec: "sed -i '/\\/\\/ indirect$/d' dist/go/cdksecurityblocks/go.mod && go mod edit -fmt dist/go/cdksecurityblocks/go.mod" },
    { exec: '[ -z "$(gofmt -l .)" ] && go build -o /dev/null . && go vet . && go test -count=1 .', cwd: 'test/go' },
  ],
});

// The packed tarball in a new app with the newest aws-cdk-lib, under cdk-nag v2 and v3 (pinned:
// the newest release is what new users install; bump it when a new one ships).
const testConsumer = project.addTask('test:consumer', {
  description: 'Install dist/js/*.tgz into a fresh app (aws-cdk-lib 2.276.0, cdk-nag 2 and 3) and synthesize every construct under the four packs',
  exec: 'bash test/consumer/run.sh',
  env: { CDK_VERSION: '2.276.0' },
});

// pacmak's default is a fresh temporary Maven repository per run, which downloads aws-cdk-lib's
// 111 MB jar every time; the machine's ~/.m2 (which test:java uses too) makes a warm run offline.
const packageJava = project.tasks.tryFind('package:java')!;
packageJava.reset('jsii-pacmak -v --target java --maven-local-repository="$HOME/.m2/repository"');
const testJava = project.addTask('test:java', {
  description: 'Synthesize every construct from Java (Maven + JUnit in test/java) against the jar in dist/java and aws-cdk-lib',
  env: consumerEnv,
  steps: [
    // Maven never fetches a cached release version again: drop the copy of the jar under test it
    // took from dist/java on the last run, so this run tests the jar package:java just built.
    { exec: 'rm -rf "$HOME/.m2/repository/io/github/cdk-security-blocks/cdk-security-blocks"' },
    { exec: 'mvn -B --no-transfer-progress test', cwd: 'test/java' },
  ],
});
// --- end of consumer tests in Go and Java ----------------------------------------------------

const rosetta = project.addTask('rosetta', {
  description: 'Compile every README example strictly',
  exec: 'jsii-rosetta extract --strict',
});

project.addTask('demo', {
  description: 'Synthesize the example app (every construct) into cdk.out/ and print its security report',
  steps: [{ spawn: bundle.name }, { exec: 'ts-node --project tsconfig.dev.json demo/app.ts' }],
});

project.addTask('bench', {
  description: 'Print benchmark figures, each against a baseline measured in the same run',
  steps: [
    { spawn: bundle.name },
    { exec: 'ts-node --project tsconfig.dev.json bench/run.ts' },
    { exec: 'ts-node --project tsconfig.dev.json bench/least-privilege-synth.ts' },
    { exec: 'ts-node --project tsconfig.dev.json bench/least-privilege-grants.ts' },
    { exec: 'ts-node --project tsconfig.dev.json bench/authorizer.ts' },
  ],
});

// The whole suite, as README Quick start line (2) and .ci/run run it.
project.addTask('ci', {
  description: 'Set up the test peers, build, test (Node 20 and 24), package and test the Python wheel, the Java jar and the Go module',
  steps: [
    { spawn: setup.name },
    { spawn: project.buildTask.name },
    { exec: 'git diff --ignore-space-at-eol --exit-code -- . ":(exclude)package-lock.json"', name: 'generated files are committed and in sync' },
    { spawn: testNode24.name },
    // After build, which ran package:js.
    { spawn: testConsumer.name },
    { spawn: packagePython.name },
    { spawn: testPython.name },
    // Java: pacmak compiles the generated code with Maven against aws-cdk-lib from Maven Central.
    { spawn: packageJava.name },
    { spawn: testJava.name },
    { spawn: testGo.name },
    { spawn: rosetta.name },
  ],
});

// --- Issue 14: integration tests (test/integ/integ.*.ts, integ-runner + @aws-cdk/integ-tests-alpha).
// The snapshots are committed; integ-runner compares templates with asset hashes masked, and
// without --update-on-failed it never deploys, so the check needs no AWS credentials.
const integRunner = 'integ-runner --directory test/integ --language typescript';
// ts-node only transpiles (six apps type-checked one by one took minutes); tsc checks them once.
const integEnv = { TS_NODE_PROJECT: 'tsconfig.dev.json', TS_NODE_TRANSPILE_ONLY: 'true' };
const integTypecheck = { exec: 'tsc --noEmit --project test/integ/tsconfig.json', name: 'type-check test/integ' };
const integSnapshot = project.addTask('integ:snapshot', {
  description: 'Check offline that the committed integration-test snapshots match what test/integ synthesizes',
  env: integEnv,
  steps: [{ spawn: bundle.name }, integTypecheck, { exec: `${integRunner} --parallel-regions us-east-1 --max-workers 2` }],
});
project.addTask('integ:snapshot:update', {
  description: 'Rewrite the integration-test snapshots from test/integ without deploying (review the diff before committing)',
  env: integEnv,
  steps: [
    { spawn: bundle.name },
    integTypecheck,
    { exec: `${integRunner} --parallel-regions us-east-1 --max-workers 2 --dry-run --force --update-on-failed` },
  ],
});
project.addTask('integ:deploy', {
  description: 'Deploy every integration test to the account of your AWS credentials, run its assertions, destroy it, update its snapshot',
  env: integEnv,
  steps: [
    { spawn: bundle.name },
    integTypecheck,
    { exec: `${integRunner} --parallel-regions \${AWS_REGION:-us-east-1} --max-workers 6 --force --update-on-failed`, receiveArgs: true },
  ],
});
// Asset directories in the snapshots are not needed to compare templates (2 MB each).
project.gitignore.addPatterns('/test/integ/*.snapshot/asset.*');
project.tasks.tryFind('ci')!.spawn(integSnapshot);

project.synth();
