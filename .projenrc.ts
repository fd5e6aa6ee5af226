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

  // cdk-nag v3 (the gate every construct is tested against) needs aws-cdk-lib >= 2.257.0.
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
    'esbuild@0.28.2',
    `@aws-sdk/client-secrets-manager@${BUNDLED_SDK}`,
    // The authorizer's only AWS call (GetSecretValue) is signed with this small SigV4 library
    // (node:crypto, synchronous) and sent with node:http(s) instead of the SDK client: a cold
    // start near a bare handler. aws4fetch was measured too: its Headers/fetch/WebCrypto load
    // Node's bundled undici on the first call, tens of ms. Bundled into the asset, pinned.
    'aws4@1.13.2',
    '@types/aws-lambda@^8.10.164',
    'jose@^6.2.17',
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

// Go: the Go module proxy here refuses a module aws-cdk-go needs (cloud-assembly-schema-go
// v53.28.0, 403), so `go mod tidy`/`go build` cannot run; the generated code is syntax-checked.
const checkGo = project.addTask('check:go', {
  description: 'Generate the Go bindings and check that they parse (a full go build needs modules the Go proxy here refuses)',
  steps: [
    { exec: 'rm -rf dist/go && jsii-pacmak --target go --code-only' },
    { exec: 'ls dist/go/cdksecurityblocks/RotatingJwtSecret.go dist/go/cdksecurityblocks/HardenedRestApi.go && gofmt -e -l dist/go > /dev/null' },
  ],
});

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
    { exec: 'ts-node --project tsconfig.dev.json bench/authorizer.ts' },
  ],
});

// The whole suite, as README Quick start line (2) and .ci/run run it.
project.addTask('ci', {
  description: 'Set up the test peers, build, test (Node 20 and 24), package and test the Python wheel',
  steps: [
    { spawn: setup.name },
    { spawn: project.buildTask.name },
    { exec: 'git diff --ignore-space-at-eol --exit-code -- . ":(exclude)package-lock.json"', name: 'generated files are committed and in sync' },
    { spawn: testNode24.name },
    { spawn: packagePython.name },
    { spawn: testPython.name },
    // Java: pacmak compiles the generated code with Maven against aws-cdk-lib from Maven Central.
    { spawn: project.tasks.tryFind('package:java')!.name },
    { spawn: checkGo.name },
    { spawn: rosetta.name },
  ],
});

project.synth();
