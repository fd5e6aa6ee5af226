/**
 * The release's record in the repository (issue 21), for the projen tasks in .projenrc.ts.
 *
 * The version of the last release is the version of the API baseline, api/released/.jsii: the
 * assembly that release built, which the API compatibility gate (build-tools/api-compat.ts)
 * compares every build against. .projenrc.ts writes it into package.json, so a clone without
 * tags (CI's) still builds, tests and packs the released version rather than 0.0.0.
 *
 *   version          print the recorded version
 *   next-version     projen's nextVersionCommand: with no v* tag to bump from (the first release,
 *                    or a clone without tags) the release is the recorded version; with a tag,
 *                    nothing is printed and projen bumps from the tag by conventional commits
 *   restore-version  projen's unbump step: package.json back to the recorded version (projen's own
 *                    writes 0.0.0, which the release's anti-tamper check would then refuse)
 *   record           after a release build (dist/version.txt, dist/changelog.md, .jsii): that
 *                    release's CHANGELOG.md entry and API baseline, package.json at its version
 *   baseline         the built assembly (.jsii) becomes the API baseline, keeping its version
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
export const BASELINE_DIR = path.join(ROOT, 'api', 'released');
export const ALLOWED_BREAKING_CHANGES = path.join(ROOT, 'api', 'allowed-breaking-changes.txt');
const CHANGELOG = path.join(ROOT, 'CHANGELOG.md');
const PACKAGE_JSON = path.join(ROOT, 'package.json');

const ALLOWED_HEADER = [
  '# Breaking API changes accepted since the last release, one jsii-diff key per line',
  '# (`npx projen api:compat` prints the key after each error). Give each its reason in the',
  '# commit that adds it, with a "BREAKING CHANGE:" footer (the CHANGELOG and the version bump',
  '# read it). `release:record` empties this list: the new baseline already has the change.',
  '',
].join('\n');

interface Assembly {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly dependencies?: Record<string, string>;
}

function readAssembly(file: string): Assembly {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The version of the last release: the API baseline's. */
export function releasedVersion(): string {
  return readAssembly(path.join(BASELINE_DIR, '.jsii')).version;
}

/**
 * Writes `assemblyFile` as the API baseline. jsii-diff loads a baseline directory as an npm
 * package (package.json with a "jsii" section next to .jsii) and resolves the assemblies it
 * depends on (aws-cdk-lib, constructs) from node_modules above it, so the baseline stays in the
 * repository tree: copied to /tmp, it fails with `Assembly "constructs" not found`.
 */
export function writeBaseline(assemblyFile: string, dir: string = BASELINE_DIR): void {
  const assembly = readAssembly(assemblyFile);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(assemblyFile, path.join(dir, '.jsii'));
  const manifest = {
    // Not the package's own name: jest's module map refuses two package.json files with one name.
    name: `${assembly.name}-api-baseline`,
    version: assembly.version,
    description: 'API baseline for the compatibility gate (build-tools/api-compat.ts); not a package to install.',
    private: true,
    jsii: {},
    peerDependencies: assembly.dependencies ?? {},
  };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, undefined, 2)}\n`);
}

function setPackageVersion(version: string): void {
  const manifest = JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8'));
  manifest.version = version;
  fs.writeFileSync(PACKAGE_JSON, `${JSON.stringify(manifest, undefined, 2)}\n`);
}

/** The CHANGELOG.md section of `version` (its `## [version]` heading up to the next `## `), if any. */
export function changelogSection(changelog: string, version: string): string | undefined {
  const lines = changelog.split('\n');
  const heading = new RegExp(`^##\\s+\\[?${version.replace(/\./g, '\\.')}\\]?[\\s(]`);
  const start = lines.findIndex((line) => heading.test(`${line} `));
  if (start < 0) return undefined;
  const next = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  return lines.slice(start, next < 0 ? undefined : next).join('\n').trimEnd() + '\n';
}

/**
 * The release entry in both places: an entry already written in CHANGELOG.md (the migration notes
 * of 0.1.0, say) becomes the release notes; otherwise the notes commit-and-tag-version wrote from
 * the conventional commits become the newest CHANGELOG.md entry, above the older ones.
 */
export function mergeChangelog(changelog: string, notes: string, version: string, date: string): { changelog: string; notes: string } {
  const written = changelogSection(changelog, version);
  if (written) {
    // A written entry says "(unreleased)" in its heading until the release dates it.
    const dated = written.replace(/^(## .*)\(unreleased\)/, `$1(${date})`);
    return { changelog: changelog.replace(written, dated), notes: dated };
  }
  const lines = changelog.split('\n');
  const firstEntry = lines.findIndex((line) => line.startsWith('## '));
  const at = firstEntry < 0 ? lines.length : firstEntry;
  const merged = [...lines.slice(0, at), notes.trim(), '', ...lines.slice(at)].join('\n');
  return { changelog: merged, notes };
}

function record(): void {
  const versionFile = path.join(ROOT, 'dist', 'version.txt');
  if (!fs.existsSync(versionFile)) {
    console.log('nothing to record: the bump was skipped (the last commit is a release commit)');
    return;
  }
  const version = fs.readFileSync(versionFile, 'utf8').trim();
  const notesFile = path.join(ROOT, 'dist', 'changelog.md');
  const today = new Date().toISOString().slice(0, 10);
  const merged = mergeChangelog(fs.readFileSync(CHANGELOG, 'utf8'), fs.readFileSync(notesFile, 'utf8'), version, today);
  fs.writeFileSync(CHANGELOG, merged.changelog);
  fs.writeFileSync(notesFile, merged.notes);
  const built = readAssembly(path.join(ROOT, '.jsii')).version;
  if (built !== version) {
    throw new Error(`.jsii was built as ${built}, the release is ${version}: run the release task, which compiles after the bump`);
  }
  writeBaseline(path.join(ROOT, '.jsii'));
  fs.writeFileSync(ALLOWED_BREAKING_CHANGES, ALLOWED_HEADER);
  setPackageVersion(version);
  console.log(`recorded ${version}: CHANGELOG.md entry, api/released/ baseline, package.json version`);
}

function main(command: string | undefined): void {
  switch (command) {
    case 'version':
      console.log(releasedVersion());
      return;
    case 'next-version':
      // Printed to stdout for projen's bump; anything else would be read as the version.
      if (!process.env.LATEST_TAG) process.stdout.write(releasedVersion());
      return;
    case 'restore-version':
      setPackageVersion(releasedVersion());
      return;
    case 'record':
      record();
      return;
    case 'baseline':
      writeBaseline(path.join(ROOT, '.jsii'));
      console.log(`api/released/ is now the built assembly (${releasedVersion()})`);
      return;
    default:
      throw new Error(`usage: release.ts version|next-version|restore-version|record|baseline (got ${command})`);
  }
}

if (require.main === module) main(process.argv[2]);
