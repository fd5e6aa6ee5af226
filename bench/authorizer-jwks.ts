/**
 * JWKS-mode authorizer benchmark (run: npx ts-node --project tsconfig.dev.json bench/authorizer-jwks.ts).
 * Prints, against baselines measured in the same run, for ES256 and RS256:
 * 1. warm time per request of the SHIPPED bundle assets/authorizer-jwks/index.js (verification, claims
 *    and the Allow policy) vs. the floor (node:crypto verify of the same token with an imported
 *    key + JSON.parse of header and payload), vs. jose.jwtVerify with the same key, and vs.
 *    aws-jwt-verify's JwtVerifier.verifySync with the same JWK Set preloaded (cacheJwks: no
 *    network in the timed loop);
 * 2. JWKS fetches, counted by the local HTTPS issuer (test/helpers/jwks-server.ts), per container
 *    (one load of the asset) under simulated time: 10,000 valid requests over 100 s (default TTL
 *    300 s), a burst of 100 concurrent requests at TTL expiry, and 10,000 unknown-kid requests over
 *    100 s (default refetch window 30 s); then the same with OIDC discovery (JWT_OIDC_ISSUER_URL),
 *    counting discovery documents too.
 */
import { createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { scaled, smokeBanner } from './smoke';
import { joseToDer } from '../lambda-src/authorizer/asymmetric';
import { JwksServer, startJwksServer } from '../test/helpers/jwks-server';

const ASSET = path.join(__dirname, '..', 'assets', 'authorizer-jwks', 'index.js');
const WARMUP = scaled(2_000, 20);
const ITER = scaled(1_000, 20);
const ROUNDS = scaled(31, 1);
const WARM_TARGET = 1.5;
const ISSUER = 'https://idp.bench.local';
const AUDIENCE = 'bench-api';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/users/me';

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number, d = 2): string => n.toFixed(d);
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const dynamicImport = new Function('s', 'return import(s)') as (s: string) => Promise<Record<string, unknown>>;
type Handler = (e: unknown) => Promise<unknown>;
const SIMULATED_SECONDS = 100;
const REFETCH_WINDOW_SECONDS = 30;
const TTL_MS = 300_000;

/** A fresh "container": the asset loaded anew with `env`, so its module-scope caches start empty. */
function loadAsset(env: Record<string, string | undefined>): Handler {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  delete require.cache[require.resolve(ASSET)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(ASSET) as { handler: Handler }).handler;
}

/**
 * Per-call time of each function, in rounds: every round times each function once (ITER calls),
 * in an order rotated from round to round, so load from other processes on a shared machine hits
 * all of them alike. Ratios are taken within a round, then the median over rounds.
 */
async function roundsOf(fns: Record<string, () => unknown>): Promise<Record<string, number[]>> {
  const names = Object.keys(fns);
  for (const n of names) for (let i = 0; i < WARMUP; i++) await fns[n]();
  const per: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(r + j) % names.length];
      const t = process.hrtime.bigint();
      for (let i = 0; i < ITER; i++) await fns[n]();
      per[n].push(Number(process.hrtime.bigint() - t) / ITER);
    }
  }
  return per;
}

const ratio = (per: Record<string, number[]>, a: string, b: string): number => median(per[a].map((x, i) => x / per[b][i]));

interface BenchKey { readonly alg: 'ES256' | 'RS256'; readonly kid: string; readonly privateKey: KeyObject; readonly publicKey: KeyObject }

function tokenFor(k: BenchKey, nowS: number, kid = k.kid, iss = ISSUER): string {
  const input = `${b64({ alg: k.alg, typ: 'JWT', kid })}.${b64({ iss, aud: AUDIENCE, sub: 'user-1', role: 'user', iat: nowS, exp: nowS + 3000 })}`;
  const sig = k.alg === 'ES256' ? sign('sha256', Buffer.from(input), { key: k.privateKey, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), k.privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

/**
 * The least any verifier must do: split, parse header and payload, verify with a ready key. For
 * ES256 the JOSE signature goes to node:crypto as `dsaEncoding: 'ieee-p1363'`, node's own way;
 * `derFloor` is the stricter floor: the same with the signature already in DER (converted once,
 * outside the timed call), i.e. OpenSSL's verification and nothing else.
 */
function floor(token: string, key: KeyObject, alg: string, derSignature?: Buffer): boolean {
  const d1 = token.indexOf('.');
  const d2 = token.lastIndexOf('.');
  const header = JSON.parse(Buffer.from(token.slice(0, d1), 'base64url').toString());
  JSON.parse(Buffer.from(token.slice(d1 + 1, d2), 'base64url').toString());
  const sig = Buffer.from(token.slice(d2 + 1), 'base64url');
  const data = Buffer.from(token.slice(0, d2));
  if (derSignature) return header.alg === alg && sig.length === 64 && verify('sha256', data, key, derSignature);
  return header.alg === alg && (alg === 'ES256' ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig) : verify('sha256', data, key, sig));
}

interface FetchCounts { readonly steady: number; readonly burst: number; readonly flood: number; readonly discovery: number }

/**
 * Fetches one container makes, under simulated time: 10,000 valid requests over 100 s after the
 * TTL of the set it holds expired, 100 concurrent requests at the next TTL expiry, then 10,000
 * unknown-kid requests over 100 s.
 */
async function fetchCounts(handler: Handler, issuer: JwksServer, k: BenchKey, clock: { ms: number }, iss: string): Promise<FetchCounts> {
  const nowS = Math.floor(clock.ms / 1000);
  const ok = { type: 'TOKEN', authorizationToken: `Bearer ${tokenFor(k, nowS, k.kid, iss)}`, methodArn: METHOD_ARN };
  const discoveryBefore = issuer.discovery.requests;
  clock.ms += TTL_MS + 1;
  let before = issuer.requests;
  for (let i = 0; i < 10_000; i++) {
    clock.ms += (SIMULATED_SECONDS * 1000) / 10_000;
    await handler(ok);
  }
  const steady = issuer.requests - before;
  clock.ms += TTL_MS;
  before = issuer.requests;
  const burst = await Promise.all(Array.from({ length: 100 }, () => handler(ok)));
  if (burst.length !== 100) throw new Error('burst');
  const burstFetches = issuer.requests - before;
  before = issuer.requests;
  for (let i = 0; i < 10_000; i++) {
    clock.ms += (SIMULATED_SECONDS * 1000) / 10_000;
    await handler({ type: 'TOKEN', authorizationToken: `Bearer ${tokenFor(k, nowS, `unknown-${i}`, iss)}`, methodArn: METHOD_ARN }).catch(() => undefined);
  }
  return { steady, burst: burstFetches, flood: issuer.requests - before, discovery: issuer.discovery.requests - discoveryBefore };
}

function fetchLines(label: string, c: FetchCounts, withDiscovery: boolean): string[] {
  const windows = Math.ceil(SIMULATED_SECONDS / REFETCH_WINDOW_SECONDS);
  const met = (ok: boolean): string => (ok ? 'MET' : 'NOT MET');
  const lines = [
    `${label}: JWKS fetches per 10,000 valid requests over ${SIMULATED_SECONDS} s (TTL 300 s): ${c.steady} (goal: exactly 1 per TTL: ${met(c.steady === 1)})`,
    `${label}: JWKS fetches for 100 concurrent requests at TTL expiry: ${c.burst} (goal: 1: ${met(c.burst === 1)})`,
    `${label}: JWKS fetches per 10,000 unknown-kid requests over ${SIMULATED_SECONDS} s (window ${REFETCH_WINDOW_SECONDS} s): ${c.flood} (goal <= ${windows}: ${met(c.flood <= windows)})`,
  ];
  // Two TTL expiries (steady, burst), and the flood refetches the set only.
  if (withDiscovery) lines.push(`${label}: discovery documents read over all of the above: ${c.discovery} (goal: 1 per TTL expiry, 2: ${met(c.discovery === 2)})`);
  return lines;
}

async function main(): Promise<void> {
  smokeBanner();
  const keys: BenchKey[] = [
    { alg: 'ES256', kid: 'bench-es256', ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
    { alg: 'RS256', kid: 'bench-rs256', ...generateKeyPairSync('rsa', { modulusLength: 2048 }) },
  ];
  const issuer = await startJwksServer();
  const jwks = { keys: keys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: k.alg, use: 'sig' })) };
  issuer.body = jwks;
  // Trust the issuer's throw-away certificate. The asset requests with `agent: false`, so
  // https.globalAgent's CA is never consulted: the CA goes into each request's options instead.
  const ca = fs.readFileSync(issuer.caFile);
  const httpsRequest = https.request;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('https') as { request: unknown }).request = (url: URL, options: https.RequestOptions, callback: (res: unknown) => void) =>
    httpsRequest(url, { ...options, ca }, callback);
  const common = {
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    ROLE_PERMISSIONS: JSON.stringify({ user: ['read'] }),
    PERMISSION_METHODS: JSON.stringify({ read: ['GET /users/me'] }),
  };
  const realNow = Date.now;
  const clock = { ms: realNow() };
  Date.now = () => clock.ms;
  const originalLog = console.log;
  console.log = () => undefined;
  try {
    const handler = loadAsset({ ...common, JWT_JWKS_URL: issuer.url, JWT_OIDC_ISSUER_URL: undefined });
    const joseLib = await dynamicImport('jose') as { jwtVerify: (t: string, k: unknown, o: object) => Promise<unknown> };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { JwtVerifier } = require('aws-jwt-verify') as typeof import('aws-jwt-verify');
    const awsVerifier = JwtVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: issuer.url });
    awsVerifier.cacheJwks(jwks as Parameters<typeof awsVerifier.cacheJwks>[0]);
    const nowS = Math.floor(clock.ms / 1000);
    const rows: string[] = [];
    for (const k of keys) {
      const token = tokenFor(k, nowS);
      const event = { type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN };
      const publicKey = createPublicKey({ key: k.publicKey.export({ format: 'jwk' }), format: 'jwk' });
      await handler(event); // the first call fetches the JWKS
      const der = k.alg === 'ES256' ? joseToDer(Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url')) : undefined;
      if (!floor(token, publicKey, k.alg) || (der && !floor(token, publicKey, k.alg, der))) throw new Error('floor does not verify');
      if (awsVerifier.verifySync(token).sub !== 'user-1') throw new Error('aws-jwt-verify does not verify');
      const per = await roundsOf({
        floor: () => floor(token, publicKey, k.alg),
        ...(der ? { derFloor: () => floor(token, publicKey, k.alg, der) } : {}),
        handler: () => handler(event),
        jose: () => joseLib.jwtVerify(token, publicKey, { issuer: ISSUER, audience: AUDIENCE, algorithms: [k.alg] }),
        awsJwtVerify: () => awsVerifier.verifySync(token),
      });
      const us = (n: string): string => `${fmt(median(per[n]) / 1000)} us`;
      // The goal is judged against the lower floor.
      const floorName = der && median(per.derFloor) < median(per.floor) ? 'derFloor' : 'floor';
      const overFloor = ratio(per, 'handler', floorName);
      const jose = ratio(per, 'jose', 'handler');
      const aws = ratio(per, 'awsJwtVerify', 'handler');
      rows.push(`${k.alg}: floor ${us('floor')}${der ? ` (DER floor ${us('derFloor')})` : ''}, shipped handler ${us('handler')} ` +
        `(${fmt(overFloor)}x the ${floorName === 'derFloor' ? 'DER ' : ''}floor, goal <= ${WARM_TARGET}: ${overFloor <= WARM_TARGET ? 'MET' : 'NOT MET'}), ` +
        `jose.jwtVerify ${us('jose')} (${fmt(jose)}x the handler's time), aws-jwt-verify ${us('awsJwtVerify')} (${fmt(aws)}x); ` +
        `handler faster than both: ${jose > 1 && aws > 1 ? 'MET' : 'NOT MET'}`);
    }

    const direct = await fetchCounts(handler, issuer, keys[0], clock, ISSUER);
    issuer.discovery.body = { issuer: issuer.origin, jwks_uri: issuer.url };
    Object.assign(common, { JWT_ISSUER: issuer.origin });
    const discovering = loadAsset({ ...common, JWT_JWKS_URL: undefined, JWT_OIDC_ISSUER_URL: issuer.origin });
    const discovered = await fetchCounts(discovering, issuer, keys[0], clock, issuer.origin);
    console.log = originalLog;
    console.log(`JWKS-mode authorizer (shipped asset, warm; median of ${ROUNDS} rounds of ${ITER} calls each, ratios paired within a round; Node ${process.version})`);
    for (const r of rows) console.log(`  ${r}`);
    for (const line of [...fetchLines('JWKS URL', direct, false), ...fetchLines('OIDC discovery', discovered, true)]) console.log(`  ${line}`);
  } finally {
    console.log = originalLog;
    Date.now = realNow;
    await issuer.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
