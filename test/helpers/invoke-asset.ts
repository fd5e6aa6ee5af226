/**
 * Child-process peers for handler tests:
 *
 * - `startAsset` runs a bundled asset (assets/<name>/index.js, the file that ships) in ONE
 *   long-lived `node` process that handles many invocations, like a warm Lambda execution
 *   environment. Unlike run-handler.ts (a cold start per call), module-scope state such as a key
 *   cache or a refetch rate limit survives between invocations, so it can be tested.
 * - `mintWithJose` signs tokens with `jose` in a child process: jose is ESM-only and ts-jest runs
 *   tests as CommonJS.
 * - `mintWithPyJwt` signs with PyJWT from .venv, a second independent implementation.
 *
 * Children run under `process.execPath`, so the Node 24 check exercises the asset on Node 24.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assetPath } from './run-handler';
import { venvTool } from './venv';

const ROOT = path.join(__dirname, '..', '..');

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Returns assets/<name>/index.js, running the real bundle script first when the asset is missing
 * or older than its sources (`sourceDirs` under lambda-src; all of it by default), so a test
 * never passes against stale code. Jest runs test files in
 * parallel workers, hence the lock: two concurrent bundles would delete each other's output.
 */
export function ensureBundledAsset(name: string, sourceDirs: readonly string[] = ['.']): string {
  const file = assetPath(name);
  const sources = sourceDirs.map((d) => path.join(ROOT, 'lambda-src', d));
  const fresh = (): boolean => fs.existsSync(file) && fs.statSync(file).mtimeMs >= Math.max(...sources.map(newestMtimeMs));
  if (fresh()) return file;
  const lock = path.join(os.tmpdir(), `cdk-security-blocks-bundle-${Buffer.from(ROOT).toString('base64url').slice(-32)}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // A lock older than 3 minutes belongs to a bundle that died.
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 180_000) fs.rmSync(lock, { recursive: true, force: true });
      } catch { /* released meanwhile */ }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      sleepSync(200);
    }
  }
  try {
    if (!fresh()) {
      try {
        execFileSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--project', 'tsconfig.dev.json', 'build-tools/bundle-handlers.ts'], {
          cwd: ROOT,
          stdio: 'pipe',
        });
      } catch {
        // Another handler under construction may not compile; only this asset matters here.
      }
    }
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
  if (!fresh()) throw new Error(`${file} could not be bundled: run npx ts-node --project tsconfig.dev.json build-tools/bundle-handlers.ts`);
  return file;
}

export interface Invocation {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  /** What the handler wrote to stdout and stderr during this invocation. */
  readonly logs: string;
}

export interface AssetProcess {
  /** Invokes the handler; invocations are serialized, as in one Lambda execution environment. */
  invoke(event: unknown): Promise<Invocation>;
  /** Everything the process wrote to stdout and stderr so far. */
  logs(): string;
  stop(): Promise<void>;
}

// Each reply carries what the handler wrote during that invocation: stdout and the IPC channel
// are separate pipes, so reading the log from stdout could race the reply.
const CHILD_SCRIPT = `
let captured = '';
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => { captured += String(chunk); return write(chunk, ...rest); };
}
const { handler } = require(process.argv[1]);
let chain = Promise.resolve();
process.on('message', ({ id, event }) => {
  chain = chain.then(() => {
    captured = '';
    return Promise.resolve().then(() => handler(event, { awsRequestId: String(id) })).then(
      (result) => process.send({ id, ok: true, result: result === undefined ? null : result, logs: captured }),
      (err) => process.send({ id, ok: false, error: { name: String(err && err.name), message: String(err && err.message) }, logs: captured }),
    );
  });
});
process.on('disconnect', () => process.exit(0));
`;

/**
 * A private byte-for-byte copy of the bundled asset. Other test runs in the same checkout may
 * rebundle (which deletes assets/) at any moment; a copy taken once cannot vanish under a child.
 */
export function snapshotAsset(name: string, sourceDirs?: readonly string[]): string {
  for (let attempt = 1; ; attempt++) {
    try {
      const bytes = fs.readFileSync(ensureBundledAsset(name, sourceDirs));
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `asset-${name}-`));
      fs.writeFileSync(path.join(dir, 'index.js'), bytes);
      return path.join(dir, 'index.js');
    } catch (e) {
      if (attempt >= 5) throw e;
      sleepSync(1000);
    }
  }
}

/** Starts a warm "execution environment" for assets/<name>/index.js with exactly `env` (plus PATH). */
export async function startAsset(name: string, env: Record<string, string>, sourceDirs?: readonly string[]): Promise<AssetProcess> {
  const file = snapshotAsset(name, sourceDirs);
  const child: ChildProcess = spawn(process.execPath, ['-e', CHILD_SCRIPT, file], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => { output += c.toString('utf8'); });
  child.stderr!.on('data', (c: Buffer) => { output += c.toString('utf8'); });
  const pending = new Map<number, (inv: Invocation) => void>();
  let exited = false;
  child.on('message', (msg: Invocation & { id: number }) => {
    const done = pending.get(msg.id);
    pending.delete(msg.id);
    done?.(msg.ok ? { ok: true, result: msg.result, logs: msg.logs } : { ok: false, error: msg.error, logs: msg.logs });
  });
  const exitedPromise = new Promise<void>((resolve) => child.on('exit', () => {
    exited = true;
    for (const done of pending.values()) done({ ok: false, error: { name: 'ChildExited', message: `asset process exited; output:\n${output}` }, logs: '' });
    pending.clear();
    resolve();
  }));
  let nextId = 0;
  return {
    invoke: (event) => new Promise<Invocation>((resolve) => {
      if (exited) return resolve({ ok: false, error: { name: 'ChildExited', message: output }, logs: '' });
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ id, event });
    }),
    logs: () => output,
    stop: async () => {
      if (!exited) {
        child.disconnect();
        await exitedPromise;
      }
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Token minting peers

export interface JoseMintSpec {
  readonly alg: string;
  readonly header?: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  /** base64url key bytes for the HS algorithms; omit it for RS256/ES256 to sign with a fresh key pair. */
  readonly key?: string;
  /** A private JWK to sign with (asymmetric algorithms); takes precedence over `key`. */
  readonly privateJwk?: Record<string, unknown>;
}

const JOSE_SCRIPT = `
import * as jose from 'jose';
let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const spec of JSON.parse(input)) {
  const key = spec.privateJwk !== undefined ? await jose.importJWK(spec.privateJwk, spec.alg) : spec.key !== undefined
    ? Buffer.from(spec.key, 'base64url')
    : (await jose.generateKeyPair(spec.alg, { extractable: true })).privateKey;
  out.push(await new jose.SignJWT(spec.claims).setProtectedHeader({ ...spec.header, alg: spec.alg }).sign(key));
}
process.stdout.write(JSON.stringify(out));
`;

/** Signs each spec with jose (a real, independent JWS implementation) and returns the tokens. */
export function mintWithJose(specs: readonly JoseMintSpec[]): string[] {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', JOSE_SCRIPT], {
    cwd: ROOT,
    input: JSON.stringify(specs),
    env: { PATH: process.env.PATH ?? '' },
  });
  return JSON.parse(out.toString('utf8')) as string[];
}

const PYJWT_SCRIPT = `
import base64, json, os, sys, jwt
key = base64.urlsafe_b64decode(os.environ['MINT_KEY'] + '=' * (-len(os.environ['MINT_KEY']) % 4))
sys.stdout.write(jwt.encode(json.loads(os.environ['MINT_CLAIMS']), key, algorithm='HS256', headers={'kid': os.environ['MINT_KID']}))
`;

/** Signs an HS256 token with PyJWT. The key travels in the environment, never on a command line. */
export function mintWithPyJwt(claims: Record<string, unknown>, keyB64url: string, kid: string): string {
  return execFileSync(venvTool('python'), ['-c', PYJWT_SCRIPT], {
    env: { PATH: process.env.PATH ?? '', MINT_KEY: keyB64url, MINT_CLAIMS: JSON.stringify(claims), MINT_KID: kid },
  }).toString('utf8').trim();
}

const PYJWT_ASYM_SCRIPT = `
import json, os, sys, jwt
from jwt.algorithms import get_default_algorithms
alg = os.environ['MINT_ALG']
key = get_default_algorithms()[alg].from_jwk(os.environ['MINT_JWK'])
sys.stdout.write(jwt.encode(json.loads(os.environ['MINT_CLAIMS']), key, algorithm=alg, headers={'kid': os.environ['MINT_KID']}))
`;

/** Signs an RS256/PS256/ES256/EdDSA token with PyJWT (and pyca/cryptography) with a private JWK. */
export function mintAsymmetricWithPyJwt(alg: string, claims: Record<string, unknown>, privateJwk: Record<string, unknown>, kid: string): string {
  return execFileSync(venvTool('python'), ['-c', PYJWT_ASYM_SCRIPT], {
    env: { PATH: process.env.PATH ?? '', MINT_ALG: alg, MINT_JWK: JSON.stringify(privateJwk), MINT_CLAIMS: JSON.stringify(claims), MINT_KID: kid },
  }).toString('utf8').trim();
}
