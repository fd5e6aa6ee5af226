/**
 * Foundation benchmark (npm run bench). Prints, each against a baseline measured in the same run:
 * - bundle size and cold `require` time of each handler asset vs. a bare handler;
 * - synth time of the demo app (every construct) vs. an empty app.
 * Cold require is measured in fresh Node processes (the only honest "cold"), median of N.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { scaled, smokeBanner } from './smoke';
import { buildDemoApp } from '../demo/demo-app';

const ASSETS = path.join(__dirname, '..', 'assets');
const RUNS = Number(process.env.BENCH_RUNS ?? scaled(15, 1));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Milliseconds to require `file` in a fresh process, measured inside that process. */
function coldRequireMs(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write('\\nBENCH '+String(Number(process.hrtime.bigint()-t)/1e6))`;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1', NODE_NO_WARNINGS: '1' } });
  // A handler may log at load; the figure is the marked last line.
  return Number(out.trim().split('\n').pop()!.replace('BENCH ', ''));
}

function timeMs(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const fmt = (n: number, d = 1) => n.toFixed(d);

const bareDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bare-handler-'));
const bare = path.join(bareDir, 'index.js');
fs.writeFileSync(bare, 'exports.handler = async () => ({ ok: true });\n');

const handlers = fs.readdirSync(ASSETS).filter((d) => fs.existsSync(path.join(ASSETS, d, 'index.js')));
const bareMs = median(Array.from({ length: RUNS }, () => coldRequireMs(bare)));
const bareSize = fs.statSync(bare).size;

smokeBanner();
console.log(`Node ${process.version}, ${os.cpus().length} cores; cold require = median of ${RUNS} fresh processes`);
console.log('');
console.log('handler              bytes     x bare   cold require ms   x bare');
console.log(`${'bare (baseline)'.padEnd(18)} ${String(bareSize).padStart(8)} ${'1.0'.padStart(9)}   ${fmt(bareMs, 2).padStart(15)}   ${'1.0'.padStart(6)}`);
for (const h of handlers) {
  const file = path.join(ASSETS, h, 'index.js');
  const size = fs.statSync(file).size;
  const ms = median(Array.from({ length: RUNS }, () => coldRequireMs(file)));
  console.log(`${h.padEnd(18)} ${String(size).padStart(8)} ${fmt(size / bareSize, 0).padStart(9)}   ${fmt(ms, 2).padStart(15)}   ${fmt(ms / bareMs).padStart(6)}`);
}

// Synth: warm the module cache once so both sides measure synthesis, not first-time require.
buildDemoApp(fs.mkdtempSync(path.join(os.tmpdir(), 'demo-warm-'))).app.synth();
const emptyMs = median(Array.from({ length: 5 }, () => timeMs(() => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'empty-')) });
  new Stack(app, 'Empty');
  app.synth();
})));
const demoMs = median(Array.from({ length: 5 }, () => timeMs(() => {
  buildDemoApp(fs.mkdtempSync(path.join(os.tmpdir(), 'demo-'))).app.synth();
})));
console.log('');
console.log('synth (median of 5)        ms    x empty');
console.log(`empty app (baseline) ${fmt(emptyMs).padStart(8)} ${'1.0'.padStart(9)}`);
console.log(`demo app             ${fmt(demoMs).padStart(8)} ${fmt(demoMs / emptyMs).padStart(9)}`);
