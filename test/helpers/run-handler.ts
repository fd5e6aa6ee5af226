/**
 * Runs the `handler` export of a bundled asset (assets/<name>/index.js, the file that ships) in
 * a fresh child `node` process, with exactly the given environment and event.
 *
 * A child process per invocation because the handlers build their SDK clients at module scope
 * from the environment, like a Lambda cold start; `process.execPath` so the child runs under the
 * same Node as jest (the Node 24 check runs the whole suite under Node 24).
 * The outcome travels over fd 3 so that stdout and stderr hold only what the handler logged.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ASSETS_DIR = path.join(__dirname, '..', '..', 'assets');

export interface HandlerError {
  readonly name: string;
  readonly message: string;
  /** A `code` property on the thrown error, when it has one (for example a reason code). */
  readonly code?: string;
}

export interface HandlerRun {
  /** True when the handler's promise resolved. */
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: HandlerError;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together: everything the invocation logged. */
  readonly logs: string;
  readonly exitCode: number | null;
}

export interface RunHandlerOptions {
  /** Environment of the child; the parent's environment is not inherited (only PATH is added). */
  readonly env?: Record<string, string>;
  /** Passed as the handler's second argument; a minimal Lambda-like context by default. */
  readonly context?: Record<string, unknown>;
  /** Kills a hung child so a broken handler fails its test instead of the whole run. */
  readonly killAfterMs?: number;
}

export function assetPath(assetName: string): string {
  return path.join(ASSETS_DIR, assetName, 'index.js');
}

const CHILD_SCRIPT = `
const fs = require('fs');
const [assetFile, eventJson, contextJson] = process.argv.slice(1);
const report = (outcome) => fs.writeSync(3, JSON.stringify(outcome));
(async () => {
  const { handler } = require(assetFile);
  const context = { ...JSON.parse(contextJson), getRemainingTimeInMillis: () => 30000 };
  return handler(JSON.parse(eventJson), context);
})().then(
  (result) => report({ ok: true, result: result === undefined ? null : result }),
  (err) => report({
    ok: false,
    error: {
      name: String(err && err.name),
      message: String(err && err.message),
      code: err && typeof err.code === 'string' ? err.code : undefined,
    },
  }),
);
`;

/** Invokes `handler(event, context)` of assets/<assetName>/index.js in a child process. */
export async function runHandler(assetName: string, event: unknown, options: RunHandlerOptions = {}): Promise<HandlerRun> {
  const assetFile = assetPath(assetName);
  if (!fs.existsSync(assetFile)) {
    throw new Error(`${assetFile} is missing: bundle first (npx ts-node --project tsconfig.dev.json build-tools/bundle-handlers.ts)`);
  }
  const context = {
    functionName: assetName,
    awsRequestId: '00000000-0000-4000-8000-000000000000',
    ...options.context,
  };
  const child = spawn(process.execPath, ['-e', CHILD_SCRIPT, assetFile, JSON.stringify(event ?? null), JSON.stringify(context)], {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    timeout: options.killAfterMs ?? 60_000,
  });
  const collect = (stream: NodeJS.ReadableStream | null): Promise<string> => new Promise((resolve, reject) => {
    if (!stream) return resolve('');
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  const [stdout, stderr, outcomeJson, exitCode] = await Promise.all([
    collect(child.stdout),
    collect(child.stderr),
    collect(child.stdio[3] as NodeJS.ReadableStream | null),
    exited,
  ]);
  const logs = `${stdout}${stderr}`;
  if (!outcomeJson) {
    throw new Error(`handler ${assetName} reported no outcome (exit code ${exitCode}); output:\n${logs}`);
  }
  const outcome = JSON.parse(outcomeJson) as { ok: boolean; result?: unknown; error?: HandlerError };
  return { ...outcome, stdout, stderr, logs, exitCode };
}
