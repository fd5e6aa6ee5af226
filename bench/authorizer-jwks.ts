/**
 * JWKS-mode authorizer benchmark (run: npx ts-node --project tsconfig.dev.json bench/authorizer-jwks.ts).
 * Prints, against baselines measured in the same run, for ES256 and RS256:
 * 1. warm time per request of the SHIPPED bundle assets/authorizer/index.js (verification, claims
 *    and the Allow policy) vs. the floor (node:crypto verify of the same token with an imported
 *    key + JSON.parse of header and payload) and vs. jose.jwtVerify with the same key;
 * 2. JWKS fetches per 10,000 requests at steady state (simulated 100 s) and under a flood of
 *    unknown kids (simulated 100 s), counted by the local HTTPS issuer (test/helpers/jwks-server.ts).
 * aws-jwt-verify is not a dependency of this project, so it is not compared here.
 */
import { createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { startJwksServer } from '../test/helpers/jwks-server';

const ASSET = path.join(__dirname, '..', 'assets', 'authorizer', 'index.js');
const WARMUP = 2_000;
const ITER = 10_000;
const BATCHES = 5;
const WARM_TARGET = 1.5;
const ISSUER = 'https://idp.bench.local';
const AUDIENCE = 'bench-api';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/users/me';

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number, d = 2): string => n.toFixed(d);
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const dynamicImport = new Function('s', 'return import(s)') as (s: string) => Promise<Record<string, unknown>>;

async function nsPerCall(fns: Record<string, () => unknown>): Promise<Record<string, number>> {
  const names = Object.keys(fns);
  for (const n of names) for (let i = 0; i < WARMUP; i++) await fns[n]();
  const per: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let b = 0; b < BATCHES; b++) {
    for (const n of names) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < ITER; i++) await fns[n]();
      per[n].push(Number(process.hrtime.bigint() - t) / ITER);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(per[n])]));
}

interface BenchKey { readonly alg: 'ES256' | 'RS256'; readonly kid: string; readonly privateKey: KeyObject; readonly publicKey: KeyObject }

function tokenFor(k: BenchKey, nowS: number, kid = k.kid): string {
  const input = `${b64({ alg: k.alg, typ: 'JWT', kid })}.${b64({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', role: 'user', iat: nowS, exp: nowS + 3000 })}`;
  const sig = k.alg === 'ES256' ? sign('sha256', Buffer.from(input), { key: k.privateKey, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), k.privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

/** The least any verifier must do: split, parse header and payload, verify with a ready key. */
function floor(token: string, key: KeyObject, alg: string): boolean {
  const d1 = token.indexOf('.');
  const d2 = token.lastIndexOf('.');
  const header = JSON.parse(Buffer.from(token.slice(0, d1), 'base64url').toString());
  JSON.parse(Buffer.from(token.slice(d1 + 1, d2), 'base64url').toString());
  const sig = Buffer.from(token.slice(d2 + 1), 'base64url');
  const data = Buffer.from(token.slice(0, d2));
  return header.alg === alg && (alg === 'ES256' ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig) : verify('sha256', data, key, sig));
}

async function main(): Promise<void> {
  const keys: BenchKey[] = [
    { alg: 'ES256', kid: 'bench-es256', ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
    { alg: 'RS256', kid: 'bench-rs256', ...generateKeyPairSync('rsa', { modulusLength: 2048 }) },
  ];
  const issuer = await startJwksServer();
  issuer.body = { keys: keys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: k.alg, use: 'sig' })) };
  // The asset's fetch goes through https.globalAgent: trust the issuer's throw-away certificate.
  https.globalAgent.options.ca = fs.readFileSync(issuer.caFile);
  Object.assign(process.env, {
    JWT_JWKS_URL: issuer.url,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    ROLE_PERMISSIONS: JSON.stringify({ user: ['read'] }),
    PERMISSION_METHODS: JSON.stringify({ read: ['GET /users/me'] }),
  });
  const realNow = Date.now;
  let simulatedMs = realNow();
  Date.now = () => simulatedMs;
  const originalLog = console.log;
  console.log = () => undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(ASSET) as { handler: (e: unknown) => Promise<unknown> };
    const jose = await dynamicImport('jose') as { jwtVerify: (t: string, k: unknown, o: object) => Promise<unknown> };
    const nowS = Math.floor(simulatedMs / 1000);
    const rows: string[] = [];
    for (const k of keys) {
      const token = tokenFor(k, nowS);
      const event = { type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN };
      const publicKey = createPublicKey({ key: k.publicKey.export({ format: 'jwk' }), format: 'jwk' });
      await handler(event); // the first call fetches the JWKS
      if (!floor(token, publicKey, k.alg)) throw new Error('floor does not verify');
      const ns = await nsPerCall({
        floor: () => floor(token, publicKey, k.alg),
        handler: () => handler(event),
        jose: () => jose.jwtVerify(token, publicKey, { issuer: ISSUER, audience: AUDIENCE, algorithms: [k.alg] }),
      });
      const ratio = ns.handler / ns.floor;
      rows.push(`${k.alg}: floor ${fmt(ns.floor / 1000)} us, shipped handler ${fmt(ns.handler / 1000)} us (${fmt(ratio)}x floor, goal <= ${WARM_TARGET}: ${ratio <= WARM_TARGET ? 'MET' : 'NOT MET'}), ` +
        `jose.jwtVerify ${fmt(ns.jose / 1000)} us (handler ${fmt(ns.jose / ns.handler)}x faster: ${ns.handler < ns.jose ? 'MET' : 'NOT MET'})`);
    }

    // Fetch counts: 10,000 requests over a simulated 100 s, default TTL (300 s) and refetch window (30 s).
    const es = keys[0];
    simulatedMs += 300_001; // past the TTL of the set the warm runs used: the first request refetches
    const steadyBefore = issuer.requests;
    for (let i = 0; i < 10_000; i++) {
      simulatedMs += 10;
      await handler({ type: 'TOKEN', authorizationToken: `Bearer ${tokenFor(es, nowS)}`, methodArn: METHOD_ARN });
    }
    const steady = issuer.requests - steadyBefore;
    const floodBefore = issuer.requests;
    for (let i = 0; i < 10_000; i++) {
      simulatedMs += 10;
      await handler({ type: 'TOKEN', authorizationToken: `Bearer ${tokenFor(es, nowS, `unknown-${i}`)}`, methodArn: METHOD_ARN }).catch(() => undefined);
    }
    const flood = issuer.requests - floodBefore;
    console.log = originalLog;
    console.log('JWKS-mode authorizer (shipped asset, warm, median of batches)');
    for (const r of rows) console.log(`  ${r}`);
    console.log(`  JWKS fetches per 10,000 valid requests over 100 s (TTL 300 s): ${steady} (goal: exactly 1 per TTL: ${steady === 1 ? 'MET' : 'NOT MET'})`);
    console.log(`  JWKS fetches per 10,000 unknown-kid requests over 100 s (window 30 s): ${flood} (goal <= ${Math.ceil(100 / 30)}: ${flood <= Math.ceil(100 / 30) ? 'MET' : 'NOT MET'})`);
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
