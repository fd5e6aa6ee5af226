/**
 * Runs cfn-lint (from .venv, installed by `npx projen setup`) on a synthesized template and
 * returns its error-level matches. A missing cfn-lint fails the test: a lint that silently
 * does not run is a check that cannot fail.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export const VENV_BIN = path.join(__dirname, '..', '..', '.venv', 'bin');

export function venvTool(name: string): string {
  const tool = path.join(VENV_BIN, name);
  if (!fs.existsSync(tool)) {
    throw new Error(`${tool} is missing: run \`npx projen setup\` (README Quick start line 2 does this)`);
  }
  return tool;
}

export interface CfnLintMatch {
  readonly Rule: { readonly Id: string };
  readonly Level: string;
  readonly Message: string;
  readonly Location: { readonly Path?: ReadonlyArray<string | number> };
}

export function cfnLintErrors(stack: Stack): CfnLintMatch[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
  const file = path.join(dir, `${stack.stackName}.template.json`);
  fs.writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON()));
  let out: string;
  try {
    out = execFileSync(venvTool('cfn-lint'), ['--format', 'json', '--regions', stack.region.startsWith('$') ? 'us-east-1' : stack.region, '--', file], { encoding: 'utf8' });
  } catch (e) {
    const err = e as { stdout?: string; status?: number };
    // cfn-lint exits non-zero when it finds anything; its JSON report is still on stdout.
    if (!err.stdout) throw e;
    out = err.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const matches = JSON.parse(out) as CfnLintMatch[];
  return matches.filter((m) => m.Level === 'Error');
}

export function expectCfnLintClean(stack: Stack): void {
  const errors = cfnLintErrors(stack);
  if (errors.length > 0) {
    throw new Error(`cfn-lint errors:\n${errors.map((e) => `${e.Rule.Id} ${e.Message} at ${(e.Location.Path ?? []).join('/')}`).join('\n')}`);
  }
}
