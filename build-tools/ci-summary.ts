/**
 * The last lines of `npm run ci`: what ran, how long each step took, and what it produced.
 *
 * The ci task (.projenrc.ts) writes the start time to the log, then one line per finished step:
 * `<epoch seconds> <task> | <what it checks>`. projen stops at the first failing step, so every
 * line in the log is a step that passed; this script only runs when all of them did.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ARTIFACT = /\.(tgz|whl|jar|nupkg)$/;

function duration(seconds: number): string {
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

function artifacts(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    // dist/go/<module>/jsii/ holds the npm tarball embedded in the Go module, not a package.
    if (e.isDirectory()) return e.name === 'jsii' ? [] : artifacts(file);
    return ARTIFACT.test(e.name) && !/-(sources|javadoc)\.jar$/.test(e.name) ? [file] : [];
  }).sort();
}

const logFile = process.argv[2];
const [startLine, ...stepLines] = fs.readFileSync(logFile, 'utf8').trim().split('\n');
let previous = Number(startLine);
const dotnetMissing = spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).error !== undefined;

const rows = stepLines.map((line) => {
  const match = /^(\d+) (.+?) \| (.*)$/.exec(line);
  if (!match) throw new Error(`unexpected line in ${logFile}: ${line}`);
  const at = Number(match[1]);
  const took = duration(at - previous);
  previous = at;
  const skipped = match[2] === 'package:dotnet' && dotnetMissing;
  return { mark: skipped ? '-' : '✓', task: match[2], took, says: skipped ? 'skipped: no `dotnet` on PATH' : match[3] };
});

const width = Math.max(...rows.map((r) => r.task.length));
const out = [
  '',
  `ci passed in ${duration(previous - Number(startLine))} (CI=${process.env.CI ?? 'unset'}, Node ${process.version}). Steps, in order:`,
  ...rows.map((r) => `  ${r.mark} ${r.task.padEnd(width)} ${r.took.padStart(7)}  ${r.says}`),
  'Packages built:',
  ...artifacts('dist').map((a) => `  ${a}`),
];
process.stdout.write(out.join('\n') + '\n');
