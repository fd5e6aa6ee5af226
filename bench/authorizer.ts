/**
 * JWT authorizer benchmark (run: npx ts-node --project tsconfig.dev.json bench/authorizer.ts).
 * Prints, each against a baseline measured in the same run:
 * 1. warm time per request of the SHIPPED bundle assets/authorizer/index.js vs. the floor
 *    (node:crypto HMAC-SHA256 verify + JSON.parse of header and payload) and vs. jose.jwtVerify,
 *    plus a per-stage breakdown (same core code, from lambda-src) to name the main cost;
 * 2. cold init (require + first invocation, fresh Node processes, the loopback exchange with moto
 *    timed apart) vs. a bare handler and vs. a bare handler that loads node:crypto for one HMAC,
 *    and the asset size; with BENCH_COLD_NODE=<node binary> the same table again on that Node
 *    (e.g. the Lambda runtime's 24: BENCH_COLD_NODE=$(npx -y -p node@24 -- node -p process.execPath));
 * 3. Secrets Manager calls per 10,000 requests at steady state, counted by a proxy in front of
 *    moto, with the default cache TTL and with KEY_CACHE_TTL_SECONDS=1 (simulated and real time).
 * All traffic stays on 127.0.0.1 (moto and the counting proxy); moto is always stopped.
 */
import { execFile, execFileSync } from 'child_process';
import { createHmac, createSecretKey, timingSafeEqual } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { scaled, smokeBanner } from './smoke';
import { allowResponse, AuthorizerConfig, extractToken, parseConfig, parseMethodArn, parseToken, VerifiedIdentity, verifyParsedToken } from '../lambda-src/authorizer/core';
import { logLine } from '../lambda-src/authorizer/decide';
import { signHs256 } from '../lambda-src/jwt/hs256';
import { newKeyRing, serializeKeyRing, verificationKeys } from '../lambda-src/key-ring';
import { LoopbackProxy, startLoopbackProxy } from '../test/helpers/loopback-proxy';
import { motoEnv, MotoServer, startMoto } from '../test/helpers/moto';

const ROOT = path.join(__dirname, '..');
const ASSET = path.join(ROOT, 'assets', 'authorizer', 'index.js');
/** The asymmetric key sources' asset (bench/authorizer-jwks.ts times it); only its size is checked here. */
const JWKS_ASSET = path.join(ROOT, 'assets', 'authorizer-jwks', 'index.js');
const WARMUP = scaled(2_000, 20);
const ITER = scaled(20_000, 100);
const BATCHES = scaled(5, 1);
const COLD_RUNS = scaled(10, 1);
/** Goals (issue 11), each a ratio to a baseline of the same run, or a size. */
const WARM_TARGET = 1.15;
const COLD_TARGET = 5;
const ASSET_TARGET_BYTES = 50 * 1024;
const STEADY_REQUESTS = scaled(10_000, 1_000);
const REAL_TIME_WINDOW_MS = scaled(3_500, 1_500);
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/users/me';
const ISSUER = 'https://issuer.bench.local';
const AUDIENCE = 'bench-api';
const SECRET_NAME = 'bench/authorizer/jwt-keys';
const ROLE_PERMISSIONS = { admin: ['user:read:any', 'user:write:any'], user: ['user:read:own'] };
const PERMISSION_METHODS = {
  'user:read:own': ['GET /users/me'],
  'user:read:any': ['GET /users', 'GET /users/*'],
  'user:write:any': ['PUT /users/*', 'DELETE /users/*'],
};

/** The handler's policy step: parse the methodArn, then the cached resource list of the role. */
function buildPolicy(identity: VerifiedIdentity, methodArn: string, cfg: AuthorizerConfig): ReturnType<typeof allowResponse> {
  const arn = parseMethodArn(methodArn);
  return arn ? allowResponse(identity, arn, cfg) : undefined;
}

type Handler = (event: unknown) => Promise<unknown>;
type JwtVerify = (jwt: string, key: unknown, options: Record<string, unknown>) => Promise<{ payload: Record<string, unknown> }>;

const execFileAsync = promisify(execFile);
const dynamicImport = new Function('s', 'return import(s)') as (s: string) => Promise<Record<string, unknown>>;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const fmt = (n: number, d = 2): string => n.toFixed(d);
const yesNo = (b: boolean): string => (b ? 'MET' : 'NOT MET');

/**
 * Per-request ns of each function: WARMUP calls each, then BATCHES rounds in which every function
 * runs ITER awaited calls in turn (interleaved, so drift hits all alike); median per function.
 */
async function nsPerCallInterleaved(fns: Record<string, () => unknown>): Promise<Record<string, number>> {
  const names = Object.keys(fns);
  for (const n of names) for (let i = 0; i < WARMUP; i++) await fns[n]();
  const per: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let b = 0; b < BATCHES; b++) {
    for (const n of names) {
      const fn = fns[n];
      const t = process.hrtime.bigint();
      for (let i = 0; i < ITER; i++) await fn();
      per[n].push(Number(process.hrtime.bigint() - t) / ITER);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(per[n])]));
}

/** Same, for synchronous stages (no await between calls). */
function nsPerCallSync(fn: () => unknown): number {
  let sink: unknown;
  for (let i = 0; i < WARMUP; i++) sink = fn();
  const per: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < ITER; i++) sink = fn();
    per.push(Number(process.hrtime.bigint() - t) / ITER);
  }
  if (sink === Symbol.for('never')) console.log('');
  return median(per);
}

/** Replaces console.log with a no-op while `fn` runs (the handler logs one JSON line per request). */
async function silenced<T>(fn: () => Promise<T>): Promise<T> {
  const original = console.log;
  console.log = () => undefined;
  try {
    return await fn();
  } finally {
    console.log = original;
  }
}

/** Loads a fresh module instance of the shipped bundle with `env` applied first. */
function loadAsset(env: Record<string, string>): Handler {
  Object.assign(process.env, env);
  delete require.cache[require.resolve(ASSET)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(ASSET) as { handler: Handler }).handler;
}

async function main(): Promise<void> {
  // The SDK warns once per process that it will need Node >= 22 from 2027: unrelated noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (!fs.existsSync(ASSET) || !fs.existsSync(JWKS_ASSET)) {
    console.log('assets/authorizer{,-jwks}/index.js is missing: bundling it first');
    execFileSync('npx', ['ts-node', '--project', 'tsconfig.dev.json', 'build-tools/bundle-handlers.ts'], { cwd: ROOT, stdio: 'inherit' });
  }
  smokeBanner();
  const assetStat = fs.statSync(ASSET);
  console.log(`Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown cpu'}), ${os.platform()} ${os.arch()}`);
  console.log(`Asset: assets/authorizer/index.js, ${assetStat.size} bytes, mtime ${assetStat.mtime.toISOString()}`);
  console.log(`   asset size (target <= ${ASSET_TARGET_BYTES} bytes): ${yesNo(assetStat.size <= ASSET_TARGET_BYTES)}`);
  const jwksAssetSize = fs.statSync(JWKS_ASSET).size;
  console.log(`Asset: assets/authorizer-jwks/index.js (asymmetric key sources), ${jwksAssetSize} bytes`);
  console.log(`   asset size (target <= ${ASSET_TARGET_BYTES} bytes): ${yesNo(jwksAssetSize <= ASSET_TARGET_BYTES)}`);

  let moto: MotoServer | undefined;
  let proxy: LoopbackProxy | undefined;
  const realDateNow = Date.now;
  try {
    moto = await startMoto();
    proxy = await startLoopbackProxy(moto.endpoint);
    console.log(`moto on ${moto.endpoint}, counting proxy on ${proxy.endpoint} (loopback only)`);

    // Secret + token. The setup client talks to moto directly, so it never shows in the counts.
    const ring = newKeyRing(new Date());
    const key = Buffer.from(ring.current.key, 'base64url');
    const kid = ring.current.kid;
    const setup = new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await setup.send(new CreateSecretCommand({ Name: SECRET_NAME, SecretString: serializeKeyRing(ring) }));
    const iat = Math.floor(Date.now() / 1000);
    const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'user-123', role: 'admin', iat, exp: iat + 3600 };
    const token = signHs256(claims, key, kid);
    const event = { type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN };

    const handlerEnv: Record<string, string> = {
      JWT_SECRET_ID: SECRET_NAME,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      ROLE_PERMISSIONS: JSON.stringify(ROLE_PERMISSIONS),
      PERMISSION_METHODS: JSON.stringify(PERMISSION_METHODS),
    };
    const awsViaProxy = motoEnv(proxy.endpoint);
    delete process.env.KEY_CACHE_TTL_SECONDS;
    const handler = loadAsset({ ...handlerEnv, ...awsViaProxy });

    // One visible call: it must allow (a deny throws 'Unauthorized').
    const first = await silenced(() => handler(event)) as { policyDocument?: { Statement: Array<{ Resource: string[] }> } };
    if (!first?.policyDocument) throw new Error('the handler did not allow the benchmark token');
    const coldFetches = proxy.count('GetSecretValue');

    // ---------------------------------------------------------------------------------------
    // 3a. Steady state with the default TTL (300 s): measured first, well within one TTL.
    await silenced(async () => { for (let i = 0; i < WARMUP; i++) await handler(event); });
    proxy.resetCounts();
    const steadyStart = realDateNow();
    await silenced(async () => { for (let i = 0; i < STEADY_REQUESTS; i++) await handler(event); });
    const steadyCalls = proxy.total();
    const steadySeconds = (realDateNow() - steadyStart) / 1000;

    // ---------------------------------------------------------------------------------------
    // 1. Warm time per request.
    const [h64, p64, s64] = token.split('.');
    const signingInput = `${h64}.${p64}`;
    const floor = (): unknown => {
      const dot1 = token.indexOf('.');
      const dot2 = token.indexOf('.', dot1 + 1);
      const mac = createHmac('sha256', key).update(token.slice(0, dot2)).digest();
      const sig = Buffer.from(token.slice(dot2 + 1), 'base64url');
      if (sig.length !== mac.length || !timingSafeEqual(sig, mac)) throw new Error('floor: bad signature');
      const header = JSON.parse(Buffer.from(token.slice(0, dot1), 'base64url').toString('utf8'));
      const payload = JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString('utf8'));
      return header.kid === kid && payload.sub;
    };
    const jose = await dynamicImport('jose');
    const joseVersion = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'jose', 'package.json'), 'utf8')).version as string;
    const jwtVerify = jose.jwtVerify as JwtVerify;
    const joseOpts = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] };
    const keyObject = createSecretKey(key);
    const cryptoKey = await globalThis.crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    if ((await jwtVerify(token, key, joseOpts)).payload.sub !== 'user-123') throw new Error('jose rejected the token');

    const callsBeforeTiming = proxy.count('GetSecretValue');
    // The handler logs one line per request: console.log is a no-op for the whole interleaved run.
    const warm = await silenced(() => nsPerCallInterleaved({
      floor,
      handler: () => handler(event),
      joseBytes: () => jwtVerify(token, key, joseOpts),
      joseKeyObject: () => jwtVerify(token, keyObject, joseOpts),
      joseCryptoKey: () => jwtVerify(token, cryptoKey, joseOpts),
    }));
    const floorNs = warm.floor;
    const floorSyncNs = nsPerCallSync(floor);
    const handlerNs = warm.handler;
    const joseBytesNs = warm.joseBytes;
    const joseKeyObjNs = warm.joseKeyObject;
    const joseCryptoKeyNs = warm.joseCryptoKey;
    const callsDuringTiming = proxy.count('GetSecretValue') - callsBeforeTiming;
    const joseBestNs = Math.min(joseBytesNs, joseKeyObjNs, joseCryptoKeyNs);

    // Stage breakdown: the same core code as the bundle (from lambda-src, compiled by ts-node).
    const cfgResult = parseConfig({ ...handlerEnv });
    if (!cfgResult.ok) throw new Error('benchmark config is invalid');
    const cfg = cfgResult.config;
    const parsed = parseToken(token, cfg);
    if (!parsed.ok) throw new Error('parseToken rejected the token');
    const keys = verificationKeys(ring, new Date());
    const verified = verifyParsedToken(parsed.token, keys, new Date(), cfg);
    if (!verified.ok) throw new Error('verifyParsedToken rejected the token');
    const allowDecision = { response: buildPolicy(verified.identity, METHOD_ARN, cfg), reason: 'ok' as const, kid, role: 'admin' };
    const stages: Array<[string, number]> = [
      ['parseToken (checks; header decoded once per header text)', nsPerCallSync(() => parseToken(token, cfg))],
      ['verificationKeys(ring) (Map + key decode; cached by the handler)', nsPerCallSync(() => verificationKeys(ring, new Date()))],
      ['verifyParsedToken (HMAC + timingSafeEqual + claims)', nsPerCallSync(() => verifyParsedToken(parsed.token, keys, new Date(), cfg))],
      ['buildPolicy (parse methodArn, 5 resources)', nsPerCallSync(() => buildPolicy(verified.identity, METHOD_ARN, cfg))],
      ['logLine (the allow line, cached per role; console.log silenced)', nsPerCallSync(() => logLine(allowDecision, event))],
      ['await of an async function (no work)', (await nsPerCallInterleaved({ noop: async () => undefined })).noop],
    ];
    const hmacOnlyNs = nsPerCallSync(() => createHmac('sha256', key).update(signingInput, 'ascii').digest().length === Buffer.from(s64, 'base64url').length);

    // Everything the handler computes, as one synchronous function (no async adapter, no SDK cache
    // lookup): the gap between this and the bundle is the adapter's own cost.
    const corePipeline = (): unknown => {
      const tok = extractToken(event.authorizationToken);
      if (tok === undefined || !parseMethodArn(event.methodArn)) throw new Error('pipeline: bad event');
      const pt = parseToken(tok, cfg);
      if (!pt.ok) throw new Error('pipeline: parse');
      const now = new Date(Date.now());
      const vr = verifyParsedToken(pt.token, keys, now, cfg);
      if (!vr.ok) throw new Error('pipeline: verify');
      const resp = buildPolicy(vr.identity, event.methodArn, cfg);
      logLine({ response: resp, reason: 'ok', kid: vr.kid, role: vr.identity.role }, event);
      return resp;
    };
    const pipelineNs = nsPerCallSync(corePipeline);
    console.log('');
    console.log(`1. Warm time per request (same token and key; ${WARMUP} warm-up, median of ${BATCHES} batches x ${ITER}; each call awaited)`);
    console.log('   handler console.log was replaced by a no-op during every timed loop (it logs one JSON line per request);');
    console.log('   building that line is still timed, only the write to stdout is not.');
    const row = (name: string, ns: number): void => console.log(`   ${name.padEnd(58)} ${fmt(ns / 1000, 3).padStart(8)} us   ${fmt(ns / floorNs).padStart(6)}x floor`);
    row('floor: createHmac+timingSafeEqual+JSON.parse hdr/payload', floorNs);
    row('  (floor called without await)', floorSyncNs);
    row('SHIPPED handler assets/authorizer/index.js', handlerNs);
    row(`jose ${joseVersion} jwtVerify, key as Uint8Array`, joseBytesNs);
    row(`jose ${joseVersion} jwtVerify, key as KeyObject`, joseKeyObjNs);
    row(`jose ${joseVersion} jwtVerify, key as imported CryptoKey`, joseCryptoKeyNs);
    const ratioFloor = handlerNs / floorNs;
    const ratioJose = handlerNs / joseBestNs;
    console.log(`   handler / floor = ${fmt(ratioFloor)}x  (target <= ${WARM_TARGET}x): ${yesNo(ratioFloor <= WARM_TARGET)}`);
    console.log(`   handler / fastest jose = ${fmt(ratioJose)}x  (target: faster than jose.jwtVerify, i.e. < 1x): ${yesNo(ratioJose < 1)}`);
    console.log(`   Secrets Manager calls during all timed handler loops: ${callsDuringTiming}`);
    console.log('   Stage breakdown (same core functions from lambda-src via ts-node, synchronous, median ns):');
    for (const [name, ns] of stages) console.log(`     ${name.padEnd(56)} ${fmt(ns / 1000, 3).padStart(8)} us`);
    console.log(`     ${'(reference: HMAC-SHA256 digest alone)'.padEnd(56)} ${fmt(hmacOnlyNs / 1000, 3).padStart(8)} us`);
    const stageSum = stages.reduce((a, [, ns]) => a + ns, 0);
    console.log(`     ${'sum of stages'.padEnd(56)} ${fmt(stageSum / 1000, 3).padStart(8)} us (handler measured: ${fmt(handlerNs / 1000, 3)} us)`);
    console.log(`     ${'core pipeline, all of the above in one sync function'.padEnd(56)} ${fmt(pipelineNs / 1000, 3).padStart(8)} us`);
    const stageNs = (prefix: string): number => stages.find(([name]) => name.startsWith(prefix))![1];
    const costs: Array<[string, number]> = [
      // Negative when the remembered header saves more than the checks cost: the floor decodes the header per request.
      ['token checks beyond the floor (parseToken + verifyParsedToken - sync floor: regexes, claim checks, signature re-encode)',
        stageNs('parseToken') + stageNs('verifyParsedToken') - floorSyncNs],
      ['policy building (buildPolicy)', stageNs('buildPolicy')],

      ['log line (logLine)', stageNs('logLine')],
      ['adapter: async decide/currentRing chain, event checks, log object spread (bundle handler - core pipeline)', handlerNs - pipelineNs],
    ];
    console.log(`   Where the handler's ${fmt((handlerNs - floorNs) / 1000, 3)} us above the floor goes (estimates from the rows above):`);
    for (const [name, ns] of costs) console.log(`     ${fmt(ns / 1000, 3).padStart(7)} us  ${name}`);
    if (ratioFloor > WARM_TARGET) {
      const [worstName, worstNs] = costs.reduce((x, y) => (y[1] > x[1] ? y : x));
      console.log(`   Floor target NOT MET (${fmt(ratioFloor)}x > ${WARM_TARGET}x). Main identifiable cost: ${worstName}, ~${fmt(worstNs / 1000, 2)} us per request.`);
    }

    // ---------------------------------------------------------------------------------------
    // 2. Cold init in fresh processes. Children reach moto directly, so they do not touch the counts.
    const bareDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bare-handler-'));
    const bare = path.join(bareDir, 'index.js');
    fs.writeFileSync(bare, 'exports.handler = async () => ({});\n');
    // Any HS256 verifier on node:crypto pays for loading it: the floor of this comparison.
    // Not crypto.js: Node preloads node:crypto for `-e` code in which the word crypto appears,
    // and this path is part of the child's -e code; the baseline would not pay for loading it.
    const bareCrypto = path.join(bareDir, 'hmac.js');
    fs.writeFileSync(bareCrypto, "const { createHmac } = require('crypto');\nexports.handler = async () => ({ n: createHmac('sha256', 'k').update('x').digest().length });\n");
    // Time inside the HTTP exchange (request() called until its response ended) is summed as
    // netMs and reported apart: it is the loopback round trip to moto, not the handler's start-up.
    const childScript = (file: string): string => [
      "const http = require('http');",
      // The Lambda runtime has its log stream open before it loads a handler; here the first
      // console.log would create process.stdout, a cost no deployed handler pays.
      'void process.stdout;',
      // Nor does a deployed handler ever run Node's own console.log: the runtime replaces it before
      // loading the handler (LogPatch in aws-lambda-nodejs-runtime-interface-client, text format
      // to stdout). Its logger, installed the same way, is what the handler's log line costs here.
      "const { format } = require('util');",
      "console.log = (msg, ...params) => { process.stdout.write(`${new Date().toISOString()}\\tundefined\\tINFO\\t${format(msg, ...params)}`.replace(/\\n/g, '\\r') + '\\n'); };",
      'let netMs = 0;',
      'const request = http.request;',
      'http.request = function (...args) {',
      '  const t = process.hrtime.bigint();',
      '  const req = request.apply(this, args);',
      "  req.on('response', (res) => res.on('end', () => { netMs += Number(process.hrtime.bigint() - t) / 1e6; }));",
      "  req.on('error', () => { netMs += Number(process.hrtime.bigint() - t) / 1e6; });",
      '  return req;',
      '};',
      'const t0 = process.hrtime.bigint();',
      `const m = require(${JSON.stringify(file)});`,
      'const t1 = process.hrtime.bigint();',
      `Promise.resolve(m.handler(${JSON.stringify(event)})).then((r) => ({ ok: true, r }), (e) => ({ ok: false, r: String(e) })).then(({ ok, r }) => {`,
      '  const t2 = process.hrtime.bigint();',
      "  process.stdout.write('\\nBENCH ' + JSON.stringify({ requireMs: Number(t1 - t0) / 1e6, firstMs: Number(t2 - t1) / 1e6, netMs, ok, allow: !!(r && r.policyDocument) }));",
      '});',
    ].join('\n');
    const childEnv = { ...process.env, ...handlerEnv, ...motoEnv(moto.endpoint), NODE_NO_WARNINGS: '1' };
    interface ColdSample {
      requireMs: number; firstMs: number; netMs: number; totalMs: number; startMs: number; wallMs: number; ok: boolean; allow: boolean;
    }
    const coldOnce = async (nodeBin: string, file: string): Promise<ColdSample> => {
      const t = process.hrtime.bigint();
      const { stdout } = await execFileAsync(nodeBin, ['-e', childScript(file)], { env: childEnv, encoding: 'utf8', timeout: 30_000 });
      const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
      const s = JSON.parse(stdout.trim().split('\n').pop()!.replace('BENCH ', '')) as Omit<ColdSample, 'totalMs' | 'startMs' | 'wallMs'>;
      return { ...s, totalMs: s.requireMs + s.firstMs, startMs: s.requireMs + s.firstMs - s.netMs, wallMs };
    };
    // The machine's Node, and BENCH_COLD_NODE when set (e.g. the Lambda runtime's Node 24:
    // BENCH_COLD_NODE=$(npx -y -p node@24 -- node -p process.execPath)), each with its own baseline.
    const coldNodes = [process.execPath, ...(process.env.BENCH_COLD_NODE ? [process.env.BENCH_COLD_NODE] : [])];
    const coldResults: Array<{ version: string; bareRuns: ColdSample[]; cryptoRuns: ColdSample[]; assetRuns: ColdSample[] }> = [];
    for (const nodeBin of coldNodes) {
      const version = (await execFileAsync(nodeBin, ['--version'], { encoding: 'utf8' })).stdout.trim();
      const bareRuns: ColdSample[] = [];
      const cryptoRuns: ColdSample[] = [];
      const assetRuns: ColdSample[] = [];
      for (let i = 0; i < COLD_RUNS; i++) {
        bareRuns.push(await coldOnce(nodeBin, bare));
        cryptoRuns.push(await coldOnce(nodeBin, bareCrypto));
        assetRuns.push(await coldOnce(nodeBin, ASSET));
      }
      if (!assetRuns.every((r) => r.ok && r.allow)) throw new Error(`a cold handler run on Node ${version} did not allow the token`);
      coldResults.push({ version, bareRuns, cryptoRuns, assetRuns });
    }
    fs.rmSync(bareDir, { recursive: true, force: true });
    // Reference: one warm GetSecretValue round trip to moto (part of the handler's first invocation).
    const rtt: number[] = [];
    for (let i = 0; i < 11; i++) {
      const t = process.hrtime.bigint();
      await setup.send(new GetSecretValueCommand({ SecretId: SECRET_NAME, VersionStage: 'AWSCURRENT' }));
      rtt.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const m = (runs: ColdSample[], k: keyof ColdSample): number => median(runs.map((r) => r[k] as number));
    console.log('');
    for (const { version, bareRuns, cryptoRuns, assetRuns } of coldResults) {
      console.log(`2. Cold init on Node ${version} (fresh Node process each, median of ${COLD_RUNS}, interleaved; times measured inside the child except wall)`);
      console.log(`   ${''.padEnd(24)} ${'require ms'.padStart(11)} ${'1st call ms'.padStart(12)} ${'loopback ms'.padStart(12)} ${'req+1st-net'.padStart(12)} ${'x bare'.padStart(8)} ${'process wall ms'.padStart(16)}`);
      const coldRow = (name: string, runs: ColdSample[]): void => console.log(`   ${name.padEnd(24)} ${fmt(m(runs, 'requireMs')).padStart(11)} ${fmt(m(runs, 'firstMs')).padStart(12)} ${fmt(m(runs, 'netMs')).padStart(12)} ${fmt(m(runs, 'startMs')).padStart(12)} ${fmt(m(runs, 'startMs') / m(bareRuns, 'startMs'), 1).padStart(8)} ${fmt(m(runs, 'wallMs'), 1).padStart(16)}`);
      coldRow('bare handler (baseline)', bareRuns);
      coldRow('bare + node:crypto HMAC', cryptoRuns);
      coldRow('assets/authorizer', assetRuns);
      const coldRatio = m(assetRuns, 'startMs') / m(bareRuns, 'startMs');
      const cryptoFloorRatio = m(cryptoRuns, 'startMs') / m(bareRuns, 'startMs');
      console.log(`   authorizer require + 1st call, loopback exchange excluded, / bare = ${fmt(coldRatio, 1)}x (target <= ${COLD_TARGET}x): ${yesNo(coldRatio <= COLD_TARGET)}`);
      console.log(`   of which loading node:crypto and one HMAC alone = ${fmt(cryptoFloorRatio, 1)}x bare; the authorizer / (bare + node:crypto HMAC) = ${fmt(m(assetRuns, 'startMs') / m(cryptoRuns, 'startMs'), 1)}x`);
      console.log('');
    }
    console.log('   "loopback ms" is the GetSecretValue exchange with moto (http.request called until its response ended);');
    console.log(`   for reference a warm GetSecretValue round trip to moto with the SDK takes ${fmt(median(rtt))} ms (median of 11), real AWS differs.`);

    // ---------------------------------------------------------------------------------------
    // 3b. KEY_CACHE_TTL_SECONDS=1, simulated time: a fresh module instance; Date.now advances 1 ms
    //     per request, so 10,000 requests span 10 simulated seconds = 10 TTL windows.
    const handler1 = loadAsset({ ...handlerEnv, ...awsViaProxy, KEY_CACHE_TTL_SECONDS: '1' });
    let fakeNow = realDateNow();
    Date.now = () => fakeNow;
    let simCalls: number;
    let simSpanS: number;
    try {
      await silenced(() => handler1(event));
      proxy.resetCounts();
      const simStart = fakeNow;
      await silenced(async () => {
        for (let i = 0; i < STEADY_REQUESTS; i++) {
          fakeNow += 1;
          await handler1(event);
        }
      });
      simCalls = proxy.total();
      simSpanS = (fakeNow - simStart) / 1000;
    } finally {
      Date.now = realDateNow;
    }

    // 3c. KEY_CACHE_TTL_SECONDS=1, real time: as many requests as fit in REAL_TIME_WINDOW_MS (bounded).
    const handler2 = loadAsset({ ...handlerEnv, ...awsViaProxy, KEY_CACHE_TTL_SECONDS: '1' });
    await silenced(() => handler2(event));
    proxy.resetCounts();
    let realRequests = 0;
    const realStart = realDateNow();
    await silenced(async () => {
      while (realDateNow() - realStart < REAL_TIME_WINDOW_MS && realRequests < 5_000_000) {
        await handler2(event);
        realRequests++;
      }
    });
    const realSpanS = (realDateNow() - realStart) / 1000;
    const realCalls = proxy.total();

    console.log('');
    console.log('3. Secrets Manager calls (counted by the proxy in front of moto; one container = one module instance)');
    console.log(`   first (cold) request: ${coldFetches} GetSecretValue call(s)`);
    const allowed = (spanS: number, ttlS: number): number => Math.ceil(spanS / ttlS);
    const a = allowed(steadySeconds, 300);
    console.log(`   default TTL 300 s: ${STEADY_REQUESTS} valid requests after ${WARMUP} warm-up, in ${fmt(steadySeconds, 2)} s real time: ${steadyCalls} call(s)`);
    console.log(`     => ${fmt(steadyCalls, 0)} calls per 10,000 requests; allowed <= ${a} (one per TTL window spanned): ${yesNo(steadyCalls <= a)}`);
    const b = allowed(simSpanS, 1);
    console.log(`   KEY_CACHE_TTL_SECONDS=1, simulated clock (Date.now +1 ms per request): ${STEADY_REQUESTS} requests over ${fmt(simSpanS, 1)} simulated s: ${simCalls} call(s)`);
    console.log(`     => ${fmt(simCalls / simSpanS)} calls per simulated TTL second; allowed <= ${b}: ${yesNo(simCalls <= b)}`);
    const c = allowed(realSpanS, 1);
    console.log(`   KEY_CACHE_TTL_SECONDS=1, real clock: ${realRequests} requests over ${fmt(realSpanS, 2)} s: ${realCalls} call(s)`);
    console.log(`     => ${fmt(realCalls * 10_000 / Math.max(realRequests, 1), 3)} calls per 10,000 requests at this rate; allowed <= ${c} (one per TTL window spanned): ${yesNo(realCalls <= c)}`);
  } finally {
    Date.now = realDateNow;
    await proxy?.close();
    await moto?.stop();
    console.log('');
    console.log('moto stopped.');
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
