/**
 * API compatibility gate (issue 21): jsii-diff of the built assembly (.jsii) against the assembly
 * of the last release (api/released/), offline. It fails on any breaking change to a stable API in
 * any of the five languages (a removed or renamed prop, an optional prop made required, a narrowed
 * type) unless its key is listed in api/allowed-breaking-changes.txt.
 *
 * projen's own `compat` task downloads the last release from npm to compare against; this one
 * needs no registry, and the baseline changes only with a release (`release:record`).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { ALLOWED_BREAKING_CHANGES, BASELINE_DIR, releasedVersion } from './release';

const ROOT = path.join(__dirname, '..');
const JSII_DIFF = path.join(ROOT, 'node_modules', '.bin', 'jsii-diff');

export interface CompatResult {
  readonly ok: boolean;
  /** jsii-diff's report: one `err  - <KIND> <fqn>: <reason> [key]` line per breaking change. */
  readonly report: string;
}

/**
 * Compares the package in `updatedDir` with the one in `baselineDir` (directories with package.json
 * and .jsii, inside the repository so that their dependencies resolve from node_modules).
 */
export function compareApis(baselineDir: string, updatedDir: string, allowedFile: string = ALLOWED_BREAKING_CHANGES): CompatResult {
  const run = spawnSync(JSII_DIFF, ['--keys', '--ignore-file', allowedFile, baselineDir, updatedDir], {
    encoding: 'utf8',
    env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20', JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' },
  });
  if (run.error) throw run.error;
  // 1: breaking changes found; anything else is jsii-diff failing to load an assembly.
  if (run.status !== 0 && run.status !== 1) {
    throw new Error(`jsii-diff exited with ${run.status}:\n${run.stderr}${run.stdout}`);
  }
  return { ok: run.status === 0, report: `${run.stdout}${run.stderr}`.trim() };
}

function main(): void {
  const result = compareApis(BASELINE_DIR, ROOT);
  if (result.report) console.log(result.report);
  if (result.ok) {
    console.log(`public API compatible with the last release, ${releasedVersion()} (api/released/)`);
  } else {
    console.error([
      '',
      'The public API breaks compatibility with the last release (api/released/).',
      'If that is a mistake, keep the old prop or type (mark it @deprecated and map it onto the new one).',
      'If it is deliberate: add each key in [brackets] above to api/allowed-breaking-changes.txt,',
      'commit with a "BREAKING CHANGE: <what users change>" footer and add the migration to CHANGELOG.md.',
    ].join('\n'));
    process.exit(1);
  }
}

if (require.main === module) main();
