/**
 * The issue's done-when, through the files that ship: an ES256 (and an EdDSA) RotatingJwtSecret
 * rotated end to end by assets/rotation against moto (Secrets Manager + S3 on loopback), tokens
 * signed by assets/issuer with the current private key, verified by assets/authorizer-jwks configured
 * exactly as the synthesized template configures it (its environment is read from the template).
 * The authorizer reaches AWS only through a recording proxy in front of moto's S3, with no
 * Secrets Manager endpoint at all: every request it makes is a signed S3 GetObject of the one
 * JWKS object. The proxy can also refuse or black-hole requests (S3 down, S3 hanging).
 */
import { randomBytes } from 'crypto';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import {
  CreateSecretCommand, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as aws4 from 'aws4';
import { KeyRing, newKeyRing, parseKeyRing } from '../../../lambda-src/key-ring';
import { JwtAuthorizer } from '../../../src/authorizer/jwt-authorizer';
import { JwtSigningAlgorithm, RotatingJwtSecret } from '../../../src/jwt-keys/rotating-jwt-secret';
import { AssetProcess, ensureBundledAsset, Invocation, startAsset } from '../../helpers/invoke-asset';
import { beginRotation, createMotoBucket, motoEnv, MotoServer, startMoto } from '../../helpers/moto';
import { runHandler } from '../../helpers/run-handler';
import { readCurrentSecret, replaceCurrentSecret, versionsLabelled } from '../../helpers/secret-versions';
import { testStack } from '../../helpers/stack';
import { PROPS as TWO_ACCOUNT_PROPS, twoAccounts, VERIFIER_ACCOUNT } from '../../helpers/two-accounts';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const issuer = require(path.join(__dirname, '..', '..', '..', 'assets', 'issuer', 'index.js')) as typeof import('../../../lambda-src/issuer');

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
const PROPS = {
  issuer: 'https://auth.example.com',
  audience: 'orders-api',
  rolePermissions: { user: ['orders:read'] },
  permissionMethods: { 'orders:read': ['GET /orders'] },
};
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123def4/prod/GET/orders';
const CLAIMS = { iss: PROPS.issuer, aud: PROPS.audience, sub: 'user-1', role: 'user' };
const CREDENTIALS = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'ASIATESTING', AWS_SECRET_ACCESS_KEY: 'testing', AWS_SESSION_TOKEN: 'session-token' };

type Env = Record<string, string>;

/** The environments the construct gives both functions, from the synthesized template, with the bucket's Ref resolved to `bucket`. */
function constructEnvironments(algorithm: JwtSigningAlgorithm): { authorizer: (bucket: string) => Env; rotation: (bucket: string) => Env } {
  const stack = testStack();
  const keys = new RotatingJwtSecret(stack, 'Keys', { algorithm });
  const authz = new JwtAuthorizer(stack, 'Authz', { signingKeys: keys, ...PROPS });
  new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false }).root.addMethod('GET', new apigateway.MockIntegration(), { authorizer: authz.authorizer });
  const template = Template.fromStack(stack);
  const functions = template.findResources('AWS::Lambda::Function');
  const bucketId = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('KeysJwksBucket'))!;
  const envOf = (idPrefix: string) => (bucket: string): Env => {
    const [, fn] = Object.entries(functions).find(([id]) => id.startsWith(idPrefix))!;
    const out: Env = {};
    for (const [name, value] of Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>)) {
      if (typeof value === 'string') out[name] = value;
      else if (JSON.stringify(value) === JSON.stringify({ Ref: bucketId })) out[name] = bucket;
      // The rotation's JWKS_URL is the bucket's regional domain name, joined at deploy time.
      else if (name === 'JWKS_URL') out[name] = `https://${bucket}.s3.us-east-1.amazonaws.com/${keys.jwksObjectKey}`;
      else throw new Error(`unresolved ${name}: ${JSON.stringify(value)}`);
    }
    return out;
  };
  return { authorizer: envOf('AuthzFunction'), rotation: envOf('KeysRotationFunction') };
}

/**
 * A pass-through HTTP proxy in front of moto that records each request's SigV4 service, method and
 * path, and can answer 503 (`down`) or accept and never answer (`blackhole`) instead.
 */
interface S3Proxy {
  readonly endpoint: string;
  readonly requests: Array<{ service: string; method: string; path: string; accessKeyId: string }>;
  mode: 'forward' | 'down' | 'blackhole';
  close(): Promise<void>;
}

async function startProxy(target: string): Promise<S3Proxy> {
  const upstream = new URL(target);
  const requests: S3Proxy['requests'] = [];
  const proxy = { mode: 'forward' } as { mode: S3Proxy['mode'] };
  const server = http.createServer((req, res) => {
    const credential = /Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
    requests.push({ service: credential?.[2] ?? 'unsigned', method: req.method ?? '', path: req.url ?? '', accessKeyId: credential?.[1] ?? '' });
    if (proxy.mode === 'blackhole') return;
    if (proxy.mode === 'down') {
      res.writeHead(503).end('<Error><Code>SlowDown</Code></Error>');
      return;
    }
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, {
    endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  });
}

let moto: MotoServer;
let proxy: S3Proxy;
let sm: SecretsManagerClient;
const started: AssetProcess[] = [];

beforeAll(async () => {
  ensureBundledAsset('rotation');
  ensureBundledAsset('issuer');
  ensureBundledAsset('authorizer-jwks');
  moto = await startMoto();
  proxy = await startProxy(moto.endpoint);
  sm = new SecretsManagerClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
});

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
  sm?.destroy();
  await proxy?.close();
  await moto?.stop();
});

/** A new moto bucket, or the one a template names (the cross-account test). */
const newBucket = (name?: string): Promise<string> => createMotoBucket(moto.endpoint, 'jwks', name);

/** One rotation through the four steps of the shipped rotation asset, with the construct's environment. */
async function rotate(secretId: string, env: Env): Promise<void> {
  const token = await beginRotation(sm, secretId);
  for (const step of STEPS) {
    const run = await runHandler('rotation', { SecretId: secretId, ClientRequestToken: token, Step: step }, { env: { ...motoEnv(moto.endpoint), ...env } });
    if (!run.ok) throw new Error(`${step} failed: ${JSON.stringify(run.error)}\n${run.logs}`);
  }
  // Where every rotation ends: the token's version is the one current version, nothing pending.
  expect(await versionsLabelled(sm, secretId, 'AWSCURRENT')).toEqual([token]);
  expect(await versionsLabelled(sm, secretId, 'AWSPENDING')).toEqual([]);
}

/** What the issuer reads: AWSCURRENT, by label (see test/helpers/secret-versions.ts). */
async function currentRing(secretId: string): Promise<KeyRing> {
  return parseKeyRing((await readCurrentSecret(sm, secretId)).secretString);
}

const sign = (ring: KeyRing | Record<string, unknown>): string => issuer.issueToken(JSON.stringify(ring), CLAIMS, { ttlSeconds: 900 });
/** A token signed with the ring's `next` key, which issuers never do: to show what verifiers accept. */
const signWithNext = (ring: KeyRing): string => sign({ ...ring, current: ring.next, next: ring.current });
const event = (token: string): Record<string, unknown> => ({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN });

function reasonOf(out: Invocation): string | undefined {
  const line = out.logs.split('\n').find((l) => l.startsWith('{"source":"jwt-authorizer"') && l.includes('"decision"'));
  return line ? JSON.parse(line).reason : undefined;
}

/** An authorizer execution environment: the template's environment, S3 through the proxy, and no Secrets Manager endpoint. */
async function startAuthorizer(env: Env): Promise<AssetProcess> {
  const p = await startAsset('authorizer-jwks', { ...CREDENTIALS, ...env, AWS_ENDPOINT_URL_S3: proxy.endpoint });
  started.push(p);
  return p;
}

describe.each([JwtSigningAlgorithm.ES256, JwtSigningAlgorithm.EDDSA])('an %s ring rotated against moto, verified by the shipped authorizer', (algorithm) => {
  const envs = constructEnvironments(algorithm);

  test('the template gives the authorizer the ring\'s JWKS object and no secret', () => {
    const env = envs.authorizer('b-x');
    expect(env).toEqual(expect.objectContaining({ JWT_JWKS_BUCKET: 'b-x', JWT_JWKS_OBJECT_KEY: '.well-known/jwks.json', JWT_ALGORITHMS: algorithm }));
    expect(Object.keys(env).filter((k) => /SECRET/.test(k))).toEqual([]);
  });

  test('after every rotation, tokens of the current key verify; next verifies ahead; a retired key until its expiresAt', async () => {
    const bucket = await newBucket();
    const authorizerEnv = envs.authorizer(bucket);
    const rotationEnv = envs.rotation(bucket);
    const secretId = (await sm.send(new CreateSecretCommand({
      Name: `jwt-${randomBytes(6).toString('hex')}`, SecretString: JSON.stringify({ bootstrap: randomBytes(24).toString('base64url') }),
    }))).ARN!;
    const requestsBefore = proxy.requests.length;

    // Before the first rotation there is no JWKS: deny, never allow.
    const early = await startAuthorizer(authorizerEnv);
    const stranger = sign(newKeyRing(new Date(), 3600, 32, algorithm));
    const none = await early.invoke(event(stranger));
    expect(none.ok).toBe(false);
    expect(reasonOf(none)).toBe('keys_unavailable');

    await rotate(secretId, rotationEnv);
    // One warm environment for the whole run, its JWKS cached (TTL 300 s) across the rotations.
    const warm = await startAuthorizer(authorizerEnv);
    let ring = await currentRing(secretId);
    expect((await warm.invoke(event(sign(ring)))).ok).toBe(true);
    const warmFetchesPerRotation: number[] = [];

    const signedEarlier: string[] = [];
    for (let i = 0; i < 3; i++) {
      await rotate(secretId, rotationEnv);
      const before = ring;
      ring = await currentRing(secretId);
      expect(ring.algorithm).toBe(algorithm);
      expect(ring.current.kid).toBe(before.next!.kid);
      const token = sign(ring);

      const cold = await startAuthorizer(authorizerEnv);
      const allowed = await cold.invoke(event(token));
      expect(allowed).toEqual(expect.objectContaining({ ok: true }));
      expect(allowed.result).toEqual(expect.objectContaining({ principalId: 'user-1', context: { sub: 'user-1', role: 'user' } }));
      expect(reasonOf(allowed)).toBe('ok');
      // The README's contract: verifiers accept current, next and unexpired previous keys.
      expect((await cold.invoke(event(signWithNext(ring)))).ok).toBe(true);
      for (const earlier of signedEarlier) expect(await cold.invoke(event(earlier))).toEqual(expect.objectContaining({ ok: true }));
      // A key the ring never had is refused.
      expect(reasonOf(await cold.invoke(event(sign(newKeyRing(new Date(), 3600, 32, algorithm)))))).toBe('unknown_kid');
      // An algorithm other than the ring's is refused before any key is looked at, kid or not.
      const other = newKeyRing(new Date(), 3600, 32, algorithm === JwtSigningAlgorithm.ES256 ? 'EdDSA' : 'ES256');
      const forged = sign({ ...other, current: { ...other.current, kid: ring.current.kid } });
      expect(reasonOf(await cold.invoke(event(forged)))).toBe('bad_alg');

      const fetchesBefore = proxy.requests.length;
      expect((await warm.invoke(event(token))).ok).toBe(true);
      warmFetchesPerRotation.push(proxy.requests.length - fetchesBefore);
      signedEarlier.push(token);
    }
    // The first rotation's new current key was published as `next` in the JWKS the warm cache
    // holds: no fetch. The second's was not (two rotations since that fetch): one unknown-kid
    // refetch, which also brings the third's, published as next.
    expect(warmFetchesPerRotation).toEqual([0, 1, 0]);

    // A retired key whose grace period has passed leaves the JWKS at the next rotation, and its
    // tokens are denied from then on (pretend the time has passed: rewrite the live ring).
    const retired = ring.previous[0];
    const byRetired = signedEarlier[signedEarlier.length - 2];
    await replaceCurrentSecret(sm, secretId, JSON.stringify({
      ...ring, previous: [{ ...retired, expiresAt: new Date(Date.now() - 1000).toISOString() }, ...ring.previous.slice(1)],
    }));
    await rotate(secretId, rotationEnv);
    const after = await startAuthorizer(authorizerEnv);
    const denied = await after.invoke(event(byRetired));
    expect(denied.ok).toBe(false);
    expect(reasonOf(denied)).toBe('unknown_kid');
    expect((await after.invoke(event(sign(await currentRing(secretId))))).ok).toBe(true);

    // A retired key stops verifying at its expiresAt, before any rotation drops it, even in a
    // warm environment whose cached JWKS still lists it: the JWKS carries the expiry as `exp`.
    const live = await currentRing(secretId);
    const expiresAtMs = Date.now() + 6000;
    await replaceCurrentSecret(sm, secretId, JSON.stringify({
      ...live, previous: [{ ...live.previous[0], expiresAt: new Date(expiresAtMs).toISOString() }, ...live.previous.slice(1)],
    }));
    await rotate(secretId, rotationEnv);
    const { kid, key, createdAt } = live.previous[0];
    const bySoonRetired = sign({ ...live, current: { kid, key, createdAt }, previous: [] });
    const cached = await startAuthorizer(authorizerEnv);
    expect((await cached.invoke(event(bySoonRetired))).ok).toBe(true);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAtMs - Date.now()) + 50));
    const expired = await cached.invoke(event(bySoonRetired));
    expect(expired.ok).toBe(false);
    expect(reasonOf(expired)).toBe('unknown_kid');
    expect((await cached.invoke(event(sign(await currentRing(secretId))))).ok).toBe(true);

    // Every request any authorizer made was a signed S3 GetObject of the one JWKS object: no
    // Secrets Manager call, no other object, no other bucket.
    const made = proxy.requests.slice(requestsBefore);
    expect(made.length).toBeGreaterThan(0);
    expect(new Set(made.map((r) => `${r.service} ${r.method} ${r.path}`))).toEqual(new Set([`s3 GET /${bucket}/.well-known/jwks.json`]));
  });

  test('S3 refusing or hanging denies keys_unavailable within the fetch deadline, and the authorizer recovers', async () => {
    const bucket = await newBucket();
    const authorizerEnv = envs.authorizer(bucket);
    const secretId = (await sm.send(new CreateSecretCommand({
      Name: `jwt-${randomBytes(6).toString('hex')}`, SecretString: JSON.stringify({ bootstrap: randomBytes(24).toString('base64url') }),
    }))).ARN!;
    await rotate(secretId, envs.rotation(bucket));
    const token = sign(await currentRing(secretId));
    const deadlineMs = Number(authorizerEnv.KEY_FETCH_TIMEOUT_MS);
    expect(deadlineMs).toBe(2000);

    try {
      proxy.mode = 'down';
      const refused = await startAuthorizer(authorizerEnv);
      let t0 = Date.now();
      const down = await refused.invoke(event(token));
      expect(Date.now() - t0).toBeLessThan(deadlineMs);
      expect(down.ok).toBe(false);
      expect(reasonOf(down)).toBe('keys_unavailable');

      proxy.mode = 'blackhole';
      const hanging = await startAuthorizer(authorizerEnv);
      t0 = Date.now();
      const hung = await hanging.invoke(event(token));
      const elapsed = Date.now() - t0;
      expect(reasonOf(hung)).toBe('keys_unavailable');
      // The deadline, not API Gateway's 10 s: denied once the fetch deadline passes.
      expect(elapsed).toBeGreaterThanOrEqual(deadlineMs - 50);
      expect(elapsed).toBeLessThan(deadlineMs + 2000);

      // S3 back: after the one-second failure back-off, the same environments verify again.
      proxy.mode = 'forward';
      await new Promise((r) => setTimeout(r, 1100));
      expect((await refused.invoke(event(token))).ok).toBe(true);
      expect((await hanging.invoke(event(token))).ok).toBe(true);
    } finally {
      proxy.mode = 'forward';
    }
  });
});

/** Credentials of another account from moto's STS (moto maps them to the role's account), checked with GetCallerIdentity. */
async function credentialsOf(account: string): Promise<Env> {
  const call = async (body: string, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Promise<string> => {
    const url = new URL(moto.endpoint);
    const signed = aws4.sign({
      host: url.host,
      path: '/',
      method: 'POST',
      service: 'sts',
      region: 'us-east-1',
      body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }, credentials);
    const res = await fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
    expect(res.status).toBe(200);
    return res.text();
  };
  const field = (xml: string, name: string): string => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)![1];
  const assumed = await call(`Action=AssumeRole&Version=2011-06-15&RoleSessionName=authorizer&RoleArn=${encodeURIComponent(`arn:aws:iam::${account}:role/verifier`)}`,
    { accessKeyId: 'testing', secretAccessKey: 'testing' });
  const creds = { accessKeyId: field(assumed, 'AccessKeyId'), secretAccessKey: field(assumed, 'SecretAccessKey'), sessionToken: field(assumed, 'SessionToken') };
  expect(field(await call('Action=GetCallerIdentity&Version=2011-06-15', creds), 'Account')).toBe(account);
  return { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_SESSION_TOKEN: creds.sessionToken };
}

describe('issue 23: a JwtAuthorizer in another account, configured as its own stack\'s template says, verifies the ring\'s tokens', () => {
  test('the shipped asset, with the verifier account\'s credentials, reads the ring account\'s JWKS with one signed cross-account GET', async () => {
    const { verifierStack, ringStack } = twoAccounts(JwtSigningAlgorithm.ES256);
    // The verifier's template names the bucket and its Region literally: no export crosses accounts.
    const [fn] = Object.values(Template.fromStack(verifierStack).findResources('AWS::Lambda::Function'))
      .filter((f) => f.Properties.Environment?.Variables?.JWT_JWKS_BUCKET !== undefined);
    const verifierEnv = fn.Properties.Environment.Variables as Env;
    expect(Object.values(verifierEnv).every((v) => typeof v === 'string')).toBe(true);
    const [bucketResource] = Object.entries(Template.fromStack(ringStack).findResources('AWS::S3::Bucket')).filter(([id]) => id.startsWith('KeysJwksBucket'));
    expect(verifierEnv.JWT_JWKS_BUCKET).toBe(bucketResource[1].Properties.BucketName);

    // The ring's account (moto's default) owns the bucket and rotates into it.
    const bucket = await newBucket(verifierEnv.JWT_JWKS_BUCKET);
    const secretId = (await sm.send(new CreateSecretCommand({
      Name: `jwt-${randomBytes(6).toString('hex')}`, SecretString: JSON.stringify({ bootstrap: randomBytes(24).toString('base64url') }),
    }))).ARN!;
    await rotate(secretId, constructEnvironments(JwtSigningAlgorithm.ES256).rotation(bucket));

    const verifierCredentials = await credentialsOf(VERIFIER_ACCOUNT);
    const requestsBefore = proxy.requests.length;
    const authorizer = await startAsset('authorizer-jwks', {
      ...CREDENTIALS, ...verifierCredentials, ...verifierEnv, AWS_REGION: verifierEnv.JWT_JWKS_BUCKET_REGION, AWS_ENDPOINT_URL_S3: proxy.endpoint,
    });
    started.push(authorizer);
    const claims = { ...CLAIMS, iss: TWO_ACCOUNT_PROPS.issuer, aud: TWO_ACCOUNT_PROPS.audience };
    const signFor = (ring: KeyRing): string => issuer.issueToken(JSON.stringify(ring), claims, { ttlSeconds: 900 });
    const allowed = await authorizer.invoke(event(signFor(await currentRing(secretId))));
    expect(allowed).toEqual(expect.objectContaining({ ok: true }));
    expect(reasonOf(allowed)).toBe('ok');
    expect(reasonOf(await authorizer.invoke(event(signFor(newKeyRing(new Date(), 3600, 32, JwtSigningAlgorithm.ES256)))))).toBe('unknown_kid');
    // Every request: S3 GetObject of the one JWKS object, signed with the verifier account's
    // credentials (the first load, and the unknown kid's one refetch).
    const made = proxy.requests.slice(requestsBefore).map((r) => `${r.service} ${r.method} ${r.path} ${r.accessKeyId}`);
    expect(made).toHaveLength(2);
    expect(new Set(made)).toEqual(new Set([`s3 GET /${bucket}/.well-known/jwks.json ${verifierCredentials.AWS_ACCESS_KEY_ID}`]));
  });
});
