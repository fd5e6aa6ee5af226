/**
 * Runs cfn-lint (from .venv, see ./venv) on a synthesized template and returns its error-level
 * matches.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { venvTool } from './venv';

export interface CfnLintMatch {
  readonly Rule: { readonly Id: string };
  readonly Level: string;
  readonly Message: string;
  readonly Filename: string;
  readonly Location: { readonly Path?: ReadonlyArray<string | number> };
}

/** cfn-lint's error-level matches on each named template (one run for all of them). */
export function cfnLintTemplates(templates: ReadonlyArray<{ readonly name: string; readonly template: unknown }>, region: string): CfnLintMatch[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
  let out: string;
  try {
    const files = templates.map(({ name, template }) => {
      const file = path.join(dir, `${name}.template.json`);
      fs.writeFileSync(file, JSON.stringify(template));
      return file;
    });
    out = execFileSync(venvTool('cfn-lint'), ['--format', 'json', '--regions', region, '--', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
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

export function cfnLintErrors(stack: Stack): CfnLintMatch[] {
  const region = stack.region.startsWith('$') ? 'us-east-1' : stack.region;
  return cfnLintTemplates([{ name: stack.stackName, template: Template.fromStack(stack).toJSON() }], region);
}

export function expectCfnLintClean(stack: Stack): void {
  const errors = cfnLintErrors(stack);
  if (errors.length > 0) {
    throw new Error(`cfn-lint errors:\n${errors.map((e) => `${e.Rule.Id} ${e.Message} at ${(e.Location.Path ?? []).join('/')}`).join('\n')}`);
  }
}
