import { awscdk, javascript, ReleasableCommits, release, Task } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';
import { releasedVersion } from './build-tools/release';
import { TESTED_NODE_MAJORS } from './src/bundled-function/tested-node-majors';

/** Versions bundled into the Lambda handlers, pinned so every release ships the same bytes. */
const BUNDLED_SDK = '3.1162.0';
/** The oldest aws-cdk-lib and constructs the library supports (its peer floor); the unit tests run on them. */
const CDK_FLOOR = '2.257.0';
const CONSTRUCTS_FLOOR = '10.5.1';
/** cdk-nag v3's plugin mode (Validations.addPlugins) fails on 2.257.0: it runs from this aws-cdk-lib on. */
const CDK_NAG_V3_PLUGIN_FLOOR = '2.258.0';
/** The cdk-nag majors the gates run (v2 under another npm name). */
const CDK_NAG_V3 = '3.0.2';
const CDK_NAG_V2 = '2.38.2';

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
  cdkVersion: CDK_FLOOR,
  constructsVersion: CONSTRUCTS_FLOOR,
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
    `cdk-nag@${CDK_NAG_V3}`,
    // cdk-nag v2 (NagSuppressions metadata, Aspects) under another name: most users still run it.
    `cdk-nag-v2@npm:cdk-nag@${CDK_NAG_V2}`,
    'esbuild@0.28.2',
    `@aws-sdk/client-secrets-manager@${BUNDLED_SDK}`,
    // Small SigV4 library (node:crypto, synchronous) bundled into the rotation handler for its
    // JWKS PutObject, and the reference the authorizer's own signer (lambda-src/authorizer/sigv4.ts,
    // lighter still on the cold path) is tested against. aws4fetch was measured too: its
    // Headers/fetch/WebCrypto load Node's bundled undici on the first call, tens of ms. Pinned.
    'aws4@1.13.2',
    '@types/aws-lambda@^8.10.164',
    'jose@^6.2.17',
    // Issue 13: the JWKS-mode benchmark compares the shipped authorizer with AWS's own verifier.
    'aws-jwt-verify@5.2.1',
    // Issue 14: Control Tower's cfn-guard rules + the guard binary; integration tests and their runner.
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@2.197.10',
    // Issue 23: every construct synthesized inside a StackSetStack, and the examples/org-rollout app.
    // Pinned: 0.0.x is experimental, and its asset synthesizer's behaviour is what the test pins down.
    'cdk-stacksets@0.0.153',
  ],

  // A snapshot must fail when the template changes; projen's default (--updateSnapshot) rewrites it.
  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // test/lambda/runtime-client needs aws-lambda-ric (Node >= 22) and the emulator: its own task
      // (test:runtime-client) runs it on each tested Node major, so the Node 20 run leaves it out.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/lambda/runtime-client/'],
      snapshotSerializers: ['<rootDir>/test/helpers/asset-hash-serializer.ts'],
      testTimeout: 120_000,
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
    },
  },
  gitignore: ['.jsii.tabl.json', '/assets/', '/cdk.out/', '/.venv/', '/.tools/', '__pycache__/', '/demo/cdk.out/'],
  // --- Release (issue 21). A maintainer starts the generated release workflow
  // (.github/workflows/release.yml: Actions > release > Run workflow); it runs the `release` task
  // (bump from the latest v* tag by conventional commits, build, every package) and publishes to
  // npm, PyPI, Maven Central, NuGet, the Go module repository and GitHub Releases. CI itself stays
  // .ci/run: no build, upgrade, PR-lint or mergify workflows.
  release: true,
  releaseTrigger: release.ReleaseTrigger.workflowDispatch(),
  releaseToNpm: true,
  // Only features and fixes make a release: a run on docs, tests or the commit that records the
  // last release (chore: record release X) rebuilds that release, whose tag exists, and publishes nothing.
  releasableCommits: ReleasableCommits.featuresAndFixes(),
  // With no tag to bump from, the release is the version recorded in the repo (build-tools/release.ts).
  nextVersionCommand: 'ts-node --project tsconfig.dev.json build-tools/release.ts next-version',
  // 13.x needs Node 22; CI and the release workflow run Node 20, like README line (2).
  bumpPackage: 'commit-and-tag-version@^12',
  workflowNodeVersion: '20.x',
  // The release builds with the tests, whose handler tests run against moto from .venv.
  releaseWorkflowSetupSteps: [{ name: 'Python test peers (.venv)', run: 'npx projen setup' }],
  buildWorkflow: false,
  // The upgrade task stays (as before); its scheduled workflow is not needed here.
  depsUpgradeOptions: { workflow: false },
  pullRequestTemplate: false,
  githubOptions: { mergify: false, pullRequestLint: false },
  stale: false,
  // Replaced by api:compat below, which compares against the baseline in the repo, not npm.
  compat: false,
});

// The repo records the last release's version (the API baseline's, build-tools/release.ts) in
// package.json, where projen keeps 0.0.0: a clean clone has no tags to tell it, and the packages it
// builds say what they are. During a release (RELEASE set) projen keeps the bumped version instead.
if (!process.env.RELEASE) {
  project.package.addVersion(releasedVersion());
}
const releaseTs = (command: string) => `ts-node --project tsconfig.dev.json build-tools/release.ts ${command}`;
// projen's unbump writes 0.0.0, which the release's anti-tamper check would refuse.
project.tasks.tryFind('unbump')!.reset(releaseTs('restore-version'));
const releaseRecord = project.addTask('release:record', {
  description: 'After a release build: its CHANGELOG.md entry (or the written one as release notes), the built assembly as API baseline, package.json at its version',
  exec: releaseTs('record'),
});
// Last, after projen's anti-tamper check: leaves the release recorded in the working tree (commit it
// as `chore(release): <version>`); in the workflow it puts a written CHANGELOG entry into the notes.
project.tasks.tryFind('release')!.spawn(releaseRecord);
project.addTask('api:baseline', {
  description: 'Make the built assembly (.jsii) the API baseline in api/released/ (release:record does it for every release)',
  exec: releaseTs('baseline'),
});
const apiCompat = project.addTask('api:compat', {
  description: 'Fail on a breaking change of the public API against the last release (jsii-diff of .jsii against api/released/, offline)',
  exec: 'ts-node --project tsconfig.dev.json build-tools/api-compat.ts',
});
// projen's compat task compares with the package on npm; here it is the offline gate.
const compat = project.tasks.tryFind('compat')!;
compat.reset();
compat.description = apiCompat.description;
compat.spawn(apiCompat);
// The baseline: a .jsii (ignored everywhere else) and a package.json; neither ships.
project.gitignore.include('/api/released/.jsii');
project.addPackageIgnore('/api/');

for (const p of ['/lambda-src/', '/bench/', '/demo/', '/build-tools/', '/.ci/', '/requirements-dev.txt', '/cdk.out/', '/.venv/', '/.tools/']) {
  project.addPackageIgnore(p);
}

project.tsconfigDev.addInclude('.projenrc.ts');
project.tsconfigDev.addInclude('lambda-src/**/*.ts');
project.tsconfigDev.addInclude('bench/**/*.ts');
project.tsconfigDev.addInclude('demo/**/*.ts');
project.tsconfigDev.addInclude('build-tools/**/*.ts');

// --- Readable output (issue 9), silenced at the source for every task:
// - jsii, jsii-pacmak, jsii-rosetta and the jsii runtime print a ~12-line banner per process on
//   Node 20 (end of jsii support 2026-10-30), the README's minimum; the variable lists the majors
//   that are known and accepted here.
// - aws-cdk-lib's own constructors pass deprecated props internally (`new dynamodb.TableV2` warns
//   `TableGrantsProps#encryptedResource is deprecated`, ~500 lines per test run); nothing in this
//   project can act on them. `quiet` turns off the printing only; jsii still type-checks.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
project.tasks.addEnvironment('JSII_DEPRECATED', 'quiet');
// - The AWS SDK v3 clients the tests drive (moto, the handlers' adapters) warn, 9 lines per jest
//   worker, that SDK releases after January 2027 need Node 22; the handlers run on Node 24 in Lambda.
project.tasks.addEnvironment('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');

// --- Handler pipeline: lambda-src/<name>/index.ts -> assets/<name>/index.js, before jsii compiles.
const bundle = project.addTask('bundle', {
  description: `Bundle every Lambda handler in lambda-src/ into assets/ with esbuild (pinned SDK, Node ${Math.min(...TESTED_NODE_MAJORS)} target)`,
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

// Handler integration tests again on each Lambda runtime major a bundled function may use (npm
// packages node@24, node@26): the list that sets the functions' runtimes sets these steps too.
const testNodeMajors = TESTED_NODE_MAJORS.map((major) => project.addTask(`test:node${major}`, {
  description: `Run the handler tests (the shipped assets against moto) on Node ${major}`,
  exec: `npx -y -p node@${major} -- node node_modules/jest/bin/jest.js --ci --coverage=false test/lambda`,
}));

// --- Issue 21: each shipped handler under the real Lambda runtime interface client. The Runtime
// Interface Emulator (Go, built from the Go module proxy into .tools/bin; a warm module and build
// cache make this a few seconds) starts aws-lambda-ric (pinned, installed into .tools/, Node >= 22) as a Node.js
// function image's entry point; test/lambda/runtime-client runs it on every Node major the
// handlers are tested on. Not in the Node 20 jest run (see jestOptions).
const LAMBDA_RIE_MODULE = 'github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d';
/** The runtime client runs on every Node major the handlers are tested on. */
const RUNTIME_CLIENT_MAJORS = TESTED_NODE_MAJORS.map(String);
const AWS_LAMBDA_RIC = '4.0.2';
const RUNTIME_CLIENT_DIR = '.tools/runtime-client';
const testRuntimeClient = project.addTask('test:runtime-client', {
  description: `Run every shipped handler behind the Lambda Runtime Interface Emulator and aws-lambda-ric (Node ${RUNTIME_CLIENT_MAJORS.join(' and ')}), configured from the integration apps' templates`,
  steps: [
    { exec: `GOBIN="$PWD/.tools/bin" go install ${LAMBDA_RIE_MODULE}`, name: 'build aws-lambda-rie' },
    // Not a devDependency: its install builds curl, aws-lambda-cpp and a node-gyp addon from the
    // tarball's sources (cmake, g++; no download), ~3.5 min on 2 cores, which every `npm ci` (the
    // demo line too) would pay. Installed once into .tools/ (gitignored), pinned, by this task only.
    {
      exec: `test -f ${RUNTIME_CLIENT_DIR}/node_modules/aws-lambda-ric/rapid-client.node || ` +
        `npm install --prefix ${RUNTIME_CLIENT_DIR} --no-audit --no-fund --no-save --loglevel=error aws-lambda-ric@${AWS_LAMBDA_RIC}`,
      name: 'aws-lambda-ric with its native client',
    },
    { spawn: bundle.name },
    ...RUNTIME_CLIENT_MAJORS.map((major) => ({
      // The CLI's ignore pattern replaces the config's, which leaves this folder out of other runs.
      exec: `npx -y -p node@${major} -- node node_modules/jest/bin/jest.js --ci --coverage=false --testPathIgnorePatterns /node_modules/ -- test/lambda/runtime-client`,
      name: `runtime client on Node ${major}`,
    })),
  ],
});

// --- Translated docs (issue 9): every language package carries the README and docstring
// examples translated by rosetta. jsii-pacmak loads the tablet rosetta writes next to .jsii
// (.jsii.tabl.json) by itself; without it pacmak copies TypeScript verbatim into the Python,
// Java, .NET and Go docs. So every non-JS package task runs rosetta first (cached: ~2 s when
// nothing changed) and pacmak fails on any snippet the tablet does not hold.
const rosetta = project.addTask('rosetta', {
  description: 'Compile every README and docstring example strictly and write their translations (.jsii.tabl.json) for pacmak',
  exec: 'jsii-rosetta extract --strict',
});

const PACMAK_TRANSLATED = '--rosetta-unknown-snippets fail';
// pacmak pins the indirect requires of the aws-cdk-go it compiled against; one of them
// (cloud-assembly-schema-go v53.28.0) is refused by the Go proxy ("not available"), so pacmak's own
// `go mod tidy` fails and a user's would too. Without them, Go picks them through aws-cdk-go's own
// go.mod, as `go mod tidy` does for a user; test:go builds and tests the module that way.
const dropGoIndirectRequires = {
  exec: "sed -i '/\\/\\/ indirect$/d' dist/go/cdksecurityblocks/go.mod && go mod edit -fmt dist/go/cdksecurityblocks/go.mod",
};
for (const lang of ['python', 'java', 'go']) {
  const task = project.tasks.tryFind(`package:${lang}`)!;
  task.reset();
  task.spawn(rosetta);
  // pacmak's default for Java is a fresh temporary Maven repository per run, which downloads
  // aws-cdk-lib's 111 MB jar every time; the machine's ~/.m2 (test:java uses it too) keeps a warm run offline.
  const maven = lang === 'java' ? ' --maven-local-repository="$HOME/.m2/repository"' : '';
  // Go: the module is its source (what publib pushes to the Go repository); pacmak's build of it
  // would run the failing tidy, test:go compiles it.
  const goCodeOnly = lang === 'go' ? ' --code-only' : '';
  task.exec(`jsii-pacmak -v --target ${lang} ${PACMAK_TRANSLATED}${maven}${goCodeOnly}`);
  if (lang === 'go') task.exec(dropGoIndirectRequires.exec);
}
// .NET: building needs the .NET SDK (and NuGet); most machines, and this project's CI, have
// neither. Without `dotnet` on PATH the task says so in one line and skips; with it (even a
// broken one: only "not found" counts as absent), pacmak runs and any failure fails the task.
// Conditions, not `if` (projen's cross-platform task shell has no `if`).
const dotnetFound = (found: boolean) =>
  `node -e "process.exit(require('child_process').spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).error ? ${found ? 1 : 0} : ${found ? 0 : 1})"`;
const packageDotnet = project.tasks.tryFind('package:dotnet')!;
packageDotnet.reset();
packageDotnet.spawn(rosetta, { condition: dotnetFound(true) });
packageDotnet.exec(`jsii-pacmak -v --target dotnet ${PACMAK_TRANSLATED}`, { condition: dotnetFound(true) });
packageDotnet.exec('echo "package:dotnet skipped: no dotnet on PATH (install the .NET 8 SDK to build the NuGet package)"', {
  condition: dotnetFound(false),
});

const testPython = project.addTask('test:python', {
  description: 'Install the built Python wheel into a fresh virtualenv, synthesize the constructs and check its README with pytest',
  // The example app has its own task (examples), which runs it in the same consumer venv.
  exec: '.venv/bin/python -m pytest -q test/python --ignore=test/python/test_examples.py',
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
    dropGoIndirectRequires,
    { exec: '[ -z "$(gofmt -l .)" ] && go build -o /dev/null . && go vet . && go test -count=1 .', cwd: 'test/go' },
  ],
});

// The packed tarball in a fresh app under cdk-nag v2 and v3, four packs, zero findings, twice: on
// the floor the library supports, and on the newest releases the registry serves when it runs
// (platform teams take aws-cdk-lib upgrades weekly; one can move a rule, as 2.278.0 moved
// AwsSolutions-L1 to nodejs26.x). Two tasks, so a red CI run says which of the two broke.
const floorVersions = { CONSTRUCTS_VERSION: CONSTRUCTS_FLOOR, CDK_NAG_V2_VERSION: CDK_NAG_V2, CDK_NAG_V3_VERSION: CDK_NAG_V3 };
const testConsumer = project.addTask('test:consumer', {
  description: `Install dist/js/*.tgz into a fresh app on the floor (aws-cdk-lib ${CDK_FLOOR} under cdk-nag ${CDK_NAG_V2}, ` +
    `${CDK_NAG_V3_PLUGIN_FLOOR} under cdk-nag ${CDK_NAG_V3}) and synthesize every construct under the four packs`,
  steps: [
    { exec: 'bash test/consumer/run.sh v2', env: { ...floorVersions, CDK_VERSION: CDK_FLOOR } },
    // On 2.257.0 the v3 plugins fail to run (the canary in app.js catches it): their own floor.
    { exec: 'bash test/consumer/run.sh v3', env: { ...floorVersions, CDK_VERSION: CDK_NAG_V3_PLUGIN_FLOOR } },
  ],
});
const testConsumerNewest = project.addTask('test:consumer:newest', {
  description: 'Install dist/js/*.tgz into a fresh app with the newest aws-cdk-lib 2.x, cdk-nag 2.x and 3.x the registry serves (npm view, printed) and synthesize every construct under the four packs',
  exec: 'bash test/consumer/run.sh v2 v3',
  env: { CONSUMER_VERSIONS: 'newest' },
});

const testJava = project.addTask('test:java', {
  description: 'Synthesize every construct from Java (Maven + JUnit in test/java) against the jar in dist/java and aws-cdk-lib',
  env: consumerEnv,
  steps: [
    // Maven never fetches a cached release version again: drop the copy of the jar under test it
    // took from dist/java on the last run, so this run tests the jar package:java just built.
    { exec: 'rm -rf "$HOME/.m2/repository/io/github/cdk-security-blocks/cdk-security-blocks"' },
    // The jar package:java built carries package.json's version (the recorded release, or the bumped one in a release).
    { exec: 'mvn -B --no-transfer-progress -Dcdk-security-blocks.version="$(node -p "require(\'../../package.json\').version")" test', cwd: 'test/java' },
  ],
});
// --- end of consumer tests in Go and Java ----------------------------------------------------

project.addTask('demo', {
  description: 'Synthesize the example app (every construct) into cdk.out/ and print its security report',
  steps: [{ spawn: bundle.name }, { exec: 'ts-node --project tsconfig.dev.json demo/app.ts' }],
});

const BENCHMARKS = ['run', 'least-privilege-synth', 'least-privilege-grants', 'authorizer', 'authorizer-jwks', 'authorizer-backoff'];
const benchSteps = BENCHMARKS.map((name) => ({ exec: `ts-node --project tsconfig.dev.json bench/${name}.ts` }));
project.addTask('bench', {
  description: 'Print benchmark figures, each against a baseline measured in the same run',
  steps: [{ spawn: bundle.name }, ...benchSteps],
});
// The same scripts at smoke size in CI (bench/smoke.ts): a benchmark that no longer runs, or whose
// handler stops allowing its token, fails CI; no figure is judged there.
const benchSmoke = project.addTask('bench:smoke', {
  description: 'Run every benchmark once at smoke size (no figures judged), so a broken benchmark fails CI',
  env: { BENCH_SMOKE: '1' },
  steps: [{ spawn: bundle.name }, ...benchSteps],
});

// --- Examples (issue 9): one complete app per language in examples/, synthesized against this
// build (the TypeScript one through a node_modules link to lib/, the Python one in the wheel
// consumer venv of test/python) and checked by build-tools/check-example.ts.
const examples = project.addTask('examples', {
  description: 'Synthesize the example apps in examples/ (TypeScript against lib/, Python against the built wheel) and check their templates',
  steps: [
    { exec: 'mkdir -p examples/typescript/node_modules && ln -sfn ../../.. examples/typescript/node_modules/cdk-security-blocks' },
    { exec: 'rm -rf cdk.out && CDK_OUTDIR=cdk.out ts-node --project tsconfig.json app.ts', cwd: 'examples/typescript' },
    { exec: '.venv/bin/python -m pytest -q test/python/test_examples.py' },
    { exec: 'ts-node --project tsconfig.dev.json build-tools/check-example.ts examples/typescript/cdk.out examples/python/cdk.out' },
    // Issue 23: the StackSets rollout of the account baseline, synthesized against lib/ and checked
    // (cfn-lint, Control Tower gate, per-Region asset buckets and assets in the assembly).
    { exec: 'mkdir -p examples/org-rollout/node_modules && ln -sfn ../../.. examples/org-rollout/node_modules/cdk-security-blocks' },
    { exec: 'ts-node --project tsconfig.dev.json build-tools/check-org-rollout.ts examples/org-rollout/cdk.out' },
  ],
});
project.addPackageIgnore('/examples/');
project.tsconfigDev.addExclude('examples');
project.gitignore.addPatterns('/examples/*/node_modules/', '/examples/*/cdk.out/');

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

// --- ci (issue 9): README Quick start line (2) and .ci/run. It runs the same steps whether CI is
// set or not: it does not spawn `build`, whose `package` step switches on CI (package:js only
// under CI; every language, .NET included, without). After each step a marker line goes to
// .tools/ci-steps.log; build-tools/ci-summary.ts prints them (what ran, how long) at the end.
const CI_LOG = '.tools/ci-steps.log';
const named = (name: string): Task => project.tasks.tryFind(name)!;
const ciSteps: Array<{ readonly task: Task; readonly says: string }> = [
  { task: setup, says: 'test peers: .venv with moto server, cfn-lint, PyJWT, pytest' },
  { task: project.defaultTask!, says: 'projen synth' },
  { task: project.preCompileTask, says: 'handlers bundled with esbuild into assets/' },
  { task: project.compileTask, says: 'jsii compile (jsii rules checked)' },
  { task: apiCompat, says: 'public API compatible with the last release (jsii-diff against api/released/, offline)' },
  { task: project.postCompileTask, says: 'API.md generated' },
  { task: project.testTask, says: 'jest on Node 20 (constructs, cdk-nag gate, cfn-lint, handlers against moto) and eslint' },
  ...testNodeMajors.map((task, i) => ({ task, says: `handler tests on Node ${TESTED_NODE_MAJORS[i]}` })),
  { task: testRuntimeClient, says: `each handler behind the Lambda Runtime Interface Emulator and aws-lambda-ric, Node ${RUNTIME_CLIENT_MAJORS.join(' and ')}, configured from the integ templates` },
  { task: rosetta, says: 'README and docstring examples compiled strictly and translated' },
  { task: named('package:js'), says: 'npm package (dist/js)' },
  { task: testConsumer, says: `packed tarball in a fresh app on the floor (aws-cdk-lib ${CDK_FLOOR}; v3 plugins ${CDK_NAG_V3_PLUGIN_FLOOR}): cdk-nag v2 Aspects and v3 plugins, four packs, zero findings` },
  { task: testConsumerNewest, says: 'packed tarball in a fresh app on the newest aws-cdk-lib, cdk-nag 2.x and 3.x the registry serves (versions printed above): four packs, zero findings' },
  { task: named('package:python'), says: 'Python wheel (dist/python), translated docs' },
  { task: testPython, says: 'wheel consumer tests in a fresh venv (pytest), README of the wheel shows Python' },
  // Java: pacmak compiles the generated code with Maven against aws-cdk-lib from Maven Central.
  { task: named('package:java'), says: 'Java package compiled by Maven (dist/java)' },
  { task: testJava, says: 'Java consumer: Maven + JUnit synthesize every construct against the built jar' },
  { task: packageDotnet, says: '.NET package (skipped without the .NET SDK)' },
  { task: testGo, says: 'Go consumer: go build + go test synthesize every construct against the generated module (aws-cdk-go)' },
  { task: examples, says: 'examples/ apps synthesized (TypeScript, Python) and checked' },
  { task: integSnapshot, says: 'integration-test snapshots match what test/integ synthesizes (offline)' },
  { task: benchSmoke, says: 'every bench/ script run once at smoke size (it runs, its handlers allow their tokens; no figure judged)' },
];
const ci = project.addTask('ci', {
  description: 'Everything README Quick start line (2) promises, the same with or without CI set; ends with a summary of what ran',
});
ci.exec(`mkdir -p .tools && date +%s > ${CI_LOG}`);
for (const step of ciSteps) {
  ci.spawn(step.task);
  ci.exec(`echo "$(date +%s) ${step.task.name} | ${step.says}" >> ${CI_LOG}`);
  if (step.task === project.testTask) {
    // After eslint --fix (in test): a fix that was not committed fails here too.
    ci.exec('git diff --ignore-space-at-eol --exit-code -- . ":(exclude)package-lock.json"', { name: 'generated files are committed and in sync' });
    ci.exec(`echo "$(date +%s) git diff | generated files (package.json, tasks, API.md) and eslint fixes committed" >> ${CI_LOG}`);
  }
}
ci.exec(`ts-node --project tsconfig.dev.json build-tools/ci-summary.ts ${CI_LOG}`);


project.synth();
