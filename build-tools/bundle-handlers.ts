/**
 * Bundles every handler in lambda-src/<name>/index.ts into assets/<name>/index.js.
 *
 * The output ships inside the npm tarball (and so inside every jsii package), which is why
 * consumers in Python, Java, .NET or Go never run esbuild or Docker at synth time.
 * The AWS SDK clients are bundled at the version pinned in package.json instead of taken from
 * the Lambda runtime, so the code that was tested is the code that runs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { TESTED_NODE_MAJORS } from '../src/bundled-function/tested-node-majors';

const root = path.join(__dirname, '..');
const srcDir = path.join(root, 'lambda-src');
const outDir = path.join(root, 'assets');

const SHARED = new Set(['key-ring', 'jwt']);
// One bundle runs on every runtime a bundled function may use: target the oldest tested major.
const TARGET = `node${Math.min(...TESTED_NODE_MAJORS)}`;

const handlers = fs.readdirSync(srcDir, { withFileTypes: true })
  // Shared modules (key-ring, jwt) are only imported; every other folder with an index.ts ships.
  .filter((d) => d.isDirectory() && !SHARED.has(d.name) && fs.existsSync(path.join(srcDir, d.name, 'index.ts')))
  .map((d) => d.name);

fs.rmSync(outDir, { recursive: true, force: true });
for (const name of handlers) {
  const outfile = path.join(outDir, name, 'index.js');
  buildSync({
    entryPoints: [path.join(srcDir, name, 'index.ts')],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: TARGET,
    format: 'cjs',
    // Byte-stable output: the asset hash, and so the template, only changes when the code does.
    legalComments: 'none',
    sourcemap: false,
    logLevel: 'warning',
  });
  // A module meant for people (not Lambda) ships its hand-written type declarations too.
  const types = path.join(srcDir, name, 'index.d.ts.template');
  if (fs.existsSync(types)) fs.copyFileSync(types, path.join(outDir, name, 'index.d.ts'));
  process.stdout.write(`bundled ${name}: ${fs.statSync(outfile).size} bytes\n`);
}
