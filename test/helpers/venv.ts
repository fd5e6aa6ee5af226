/**
 * The Python tools the tests run (cfn-lint, moto_server, PyJWT's python) live in .venv,
 * installed by `npx projen setup`. A missing tool fails the test: a check that silently does
 * not run is a check that cannot fail.
 */
import * as fs from 'fs';
import * as path from 'path';

export const VENV_BIN = path.join(__dirname, '..', '..', '.venv', 'bin');

/** The path of `name` in .venv/bin; throws, saying how to install it, when it is missing. */
export function venvTool(name: string): string {
  const tool = path.join(VENV_BIN, name);
  if (!fs.existsSync(tool)) {
    throw new Error(`${tool} is missing: run \`npx projen setup\` (README Quick start line 2 does this)`);
  }
  return tool;
}
