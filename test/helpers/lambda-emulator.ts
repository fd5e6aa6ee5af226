/**
 * Runs a handler the way Lambda runs a Node.js function image, without Docker: the AWS Lambda
 * Runtime Interface Emulator (.tools/bin/aws-lambda-rie, built by `npx projen test:runtime-client`)
 * starts the runtime interface client (npm `aws-lambda-ric`, the entry point of Node.js function
 * images) under the Node that runs the test, with the function's task root, handler string,
 * memory, timeout and environment. The client loads the handler from the handler string, then
 * takes invocations over the Runtime API; the test invokes over the emulator's HTTP invoke API.
 * Both listen on free 127.0.0.1 ports: the emulator's defaults (0.0.0.0:8080 for invocations,
 * 127.0.0.1:9001 for the Runtime API) would listen beyond loopback and collide between parallel runs.
 *
 * One emulator is one execution environment: init on the first invocation, every later one warm in
 * the same runtime process, until `stop`. Its log says when the runtime was (re)started and how
 * long init and each invocation took.
 */
import { ChildProcess, spawn } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { freePort } from './moto';
import { TemplateFunction } from './template-function';

const ROOT = path.join(__dirname, '..', '..');
export const EMULATOR = path.join(ROOT, '.tools', 'bin', 'aws-lambda-rie');
/** Installed by test:runtime-client (not a devDependency: its native build takes minutes). */
const RIC_PACKAGE = path.join(ROOT, '.tools', 'runtime-client', 'node_modules', 'aws-lambda-ric');
const HOW_TO_BUILD = 'run `npx projen test:runtime-client` (it builds the emulator and the client\'s native addon)';

export interface EmulatedInvocation {
  /** The emulator's HTTP status (200 also for a function error, whose body is the error). */
  readonly status: number;
  /** The response body, parsed as JSON when it is JSON. */
  readonly body: unknown;
  readonly requestId: string;
  /** Wall time of the HTTP invocation, as the test saw it. */
  readonly roundTripMs: number;
  /** The runtime's log records of this invocation; a record whose message is JSON is parsed. */
  readonly records: unknown[];
}

export interface EmulatedFunction {
  readonly fn: TemplateFunction;
  invoke(event: unknown): Promise<EmulatedInvocation>;
  /** Everything the emulator and the runtime wrote so far. */
  log(): string;
  /** How many times the emulator started a runtime (1 while the execution environment lives). */
  initCount(): number;
  /** The emulator's init duration (INIT REPORT), in ms. */
  initMs(): number | undefined;
  /** The emulator's duration of the invocation `requestId` (INVOKE RTDONE), in ms. */
  invokeMs(requestId: string): number | undefined;
  stop(): Promise<void>;
}

function checkPrerequisites(): void {
  if (!fs.existsSync(EMULATOR)) throw new Error(`${EMULATOR} is missing: ${HOW_TO_BUILD}`);
  if (!fs.existsSync(path.join(RIC_PACKAGE, 'rapid-client.node'))) {
    throw new Error(`${RIC_PACKAGE}/rapid-client.node is missing: ${HOW_TO_BUILD}`);
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) throw new Error(`aws-lambda-ric needs Node >= 22, this is ${process.version}: ${HOW_TO_BUILD}`);
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`aws-lambda-rie exited with ${child.exitCode}:\n${output()}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`aws-lambda-rie did not listen on 127.0.0.1:${port}:\n${output()}`);
}

function parseRecord(line: string): unknown {
  try {
    const record = JSON.parse(line) as { message?: unknown };
    if (typeof record.message === 'string') {
      try {
        return JSON.parse(record.message);
      } catch {
        return record.message;
      }
    }
    return record;
  } catch {
    return line;
  }
}

/**
 * Starts an execution environment for `fn` with code from `taskRoot` (what the function's zip
 * holds). `platformEnv` is what Lambda itself gives a function: region, the execution role's
 * credentials, and here the endpoints of the AWS peers that stand in for the services.
 */
export async function startEmulatedFunction(fn: TemplateFunction, taskRoot: string, platformEnv: Record<string, string>): Promise<EmulatedFunction> {
  checkPrerequisites();
  const [invokePort, runtimeApiPort] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...platformEnv,
    ...fn.environment,
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    // The emulator ends an invocation that outlives this, as Lambda does.
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(fn.timeoutSeconds),
    // Lambda sets this from LoggingConfig; the client then writes JSON records with the requestId.
    ...(fn.logFormat === 'JSON' ? { AWS_LAMBDA_LOG_FORMAT: 'JSON' } : {}),
    // The function's memory bounds the heap (in Lambda the sandbox's memory limit does): a handler
    // that needs more than its function is given fails here too. The template's own NODE_OPTIONS
    // (--enable-source-maps) are kept.
    NODE_OPTIONS: `${fn.environment.NODE_OPTIONS ?? ''} --max-old-space-size=${fn.memorySize}`.trim(),
  };
  const child = spawn(EMULATOR, [
    '--runtime-interface-emulator-address', `127.0.0.1:${invokePort}`,
    '--runtime-api-address', `127.0.0.1:${runtimeApiPort}`,
    // The bootstrap command: the emulator takes its last argument as the handler string.
    process.execPath, path.join(RIC_PACKAGE, 'index.mjs'), fn.handler,
  ], { cwd: taskRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => { output += c.toString('utf8'); });
  child.stderr!.on('data', (c: Buffer) => { output += c.toString('utf8'); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(invokePort, child, () => output);
  } catch (e) {
    child.kill('SIGTERM');
    throw e;
  }

  const invokeDurations = (): Map<string, number> => {
    const out = new Map<string, number>();
    let current: string | undefined;
    for (const line of output.split('\n')) {
      const start = /INVOKE START\(requestId: ([^)]+)\)/.exec(line);
      if (start) current = start[1];
      const done = /INVOKE RTDONE\(.*duration: ([\d.]+)ms\)/.exec(line);
      if (done && current) out.set(current, Number(done[1]));
    }
    return out;
  };

  return {
    fn,
    invoke: async (event) => {
      const requestId = randomUUID();
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${invokePort}/2015-03-31/functions/function/invocations`, {
        method: 'POST',
        headers: { 'X-Amzn-RequestId': requestId },
        body: JSON.stringify(event),
      });
      const text = await res.text();
      const roundTripMs = performance.now() - t0;
      // The runtime's log reaches this process through a pipe, possibly after the response.
      const until = Date.now() + 2000;
      while (!output.includes(`END RequestId: ${requestId}`) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      const records = output.split('\n')
        .filter((l) => l.includes(requestId) && !l.includes('(rapid)') && !/^(START|END|REPORT) RequestId/.test(l))
        .map(parseRecord);
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch { /* not JSON: e.g. "Task timed out after 10.00 seconds" */ }
      return { status: res.status, body, requestId, roundTripMs, records };
    },
    log: () => output,
    initCount: () => output.split('\n').filter((l) => l.includes('INIT START')).length,
    initMs: () => {
      const m = /INIT REPORT\(durationMs: ([\d.]+)\)/.exec(output);
      return m ? Number(m[1]) : undefined;
    },
    invokeMs: (requestId) => invokeDurations().get(requestId),
    stop: async () => {
      // The emulator SIGKILLs the runtime when it is told to stop.
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
