/**
 * ES256 and EdDSA key rings rotated end to end by the shipped rotation asset against moto
 * (Secrets Manager and S3): the JWKS the rotation publishes follows every rotation, holds exactly
 * the public keys of current, next and unexpired previous keys, never a private member, and
 * tokens signed by the shipped issuer helper verify against it with jose and PyJWT.
 */
import { randomBytes } from 'crypto';
import * as path from 'path';
import {
  CreateSecretCommand, DescribeSecretCommand, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
// eslint-disable-next-line import/no-extraneous-dependencies
import * as aws4 from 'aws4';
import { KeyRing, newKeyRing, parseKeyRing, publicJwk } from '../../../lambda-src/key-ring';
import { CANDIDATE_STAGE } from '../../../lambda-src/rotation/successor';
import { ensureBundledAsset } from '../../helpers/invoke-asset';
import { signWithPyJwt, verifyWithJose, verifyWithPyJwt } from '../../helpers/jwks-peers';
import { beginRotation, createMotoBucket, motoEnv, MotoServer, startMoto } from '../../helpers/moto';
import { runHandler } from '../../helpers/run-handler';
import { readCurrentSecret, replaceCurrentSecret } from '../../helpers/secret-versions';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const issuer = require(path.join(__dirname, '..', '..', '..', 'assets', 'issuer', 'index.js')) as typeof import('../../../lambda-src/issuer');

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
const JWKS_KEY = '.well-known/jwks.json';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

let moto: MotoServer;
let sm: SecretsManagerClient;

beforeAll(async () => {
  ensureBundledAsset('rotation');
  ensureBundledAsset('issuer');
  moto = await startMoto();
  sm = new SecretsManagerClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
});

afterAll(async () => {
  sm?.destroy();
  await moto?.stop();
});

/**
 * A SigV4-signed S3 request to moto. Signing matters beyond realism: moto serves every service on
 * one port and routes an unsigned `/<x>/.well-known/jwks.json` to its Cognito emulation.
 */
function s3(method: string, pathname: string): Promise<Response> {
  const url = new URL(`${moto.endpoint}${pathname}`);
  const signed = aws4.sign({ host: url.host, path: url.pathname, method, service: 's3', region: 'us-east-1', body: '' },
    { accessKeyId: 'testing', secretAccessKey: 'testing' });
  return fetch(url, { method, headers: signed.headers as Record<string, string> });
}

const newBucket = (): Promise<string> => createMotoBucket(moto.endpoint, 'jwks');

async function readJwks(bucket: string): Promise<{ status: number; body?: { keys: Array<Record<string, unknown>> } }> {
  const res = await s3('GET', `/${bucket}/${JWKS_KEY}`);
  return { status: res.status, body: res.status === 200 ? await res.json() as { keys: Array<Record<string, unknown>> } : undefined };
}

/** The version that was AWSCURRENT when each rotation started, by token. */
const currentAtStart = new Map<string, string>();

async function rotate(secretId: string, bucket: string, algorithm: string, gracePeriodSeconds = 3600): Promise<string> {
  const before = (await sm.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
  const token = await beginRotation(sm, secretId);
  currentAtStart.set(token, Object.keys(before).find((id) => before[id].includes('AWSCURRENT'))!);
  for (const step of STEPS) {
    const run = await runHandler('rotation', { SecretId: secretId, ClientRequestToken: token, Step: step }, {
      env: {
        ...motoEnv(moto.endpoint),
        GRACE_PERIOD_SECONDS: String(gracePeriodSeconds),
        MAX_TOKEN_LIFETIME_SECONDS: '1800',
        KEY_ALGORITHM: algorithm,
        JWKS_BUCKET: bucket,
        JWKS_URL: `https://${bucket}.s3.us-east-1.amazonaws.com/${JWKS_KEY}`,
      },
    });
    if (!run.ok) throw new Error(`${step} failed: ${JSON.stringify(run.error)}\n${run.logs}`);
    // No log line carries key material: private keys are PKCS #8 DER, base64url "MIG..."/"MC4...".
    expect(run.logs).not.toMatch(/MIG[A-Za-z0-9_-]{40}|MC4CAQAw/);
  }
  return token;
}

async function currentRing(secretId: string, token: string): Promise<KeyRing> {
  const d = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  const stages = d.VersionIdsToStages ?? {};
  // Where AWS's rotation template ends: the token's version current, the old one previous.
  const holders = (stage: string): string[] => Object.keys(stages).filter((id) => stages[id].includes(stage));
  expect(holders('AWSCURRENT')).toEqual([token]);
  expect(holders('AWSPREVIOUS')).toEqual([currentAtStart.get(token)]);
  expect(holders('AWSPENDING')).toEqual([]);
  expect(holders(CANDIDATE_STAGE)).toEqual([]);
  // By label, as verifiers read it (moto's unlabelled read: see test/helpers/secret-versions.ts).
  return parseKeyRing((await readCurrentSecret(sm, secretId)).secretString);
}

function expectPublicOnly(jwks: { keys: Array<Record<string, unknown>> }): void {
  for (const jwk of jwks.keys) {
    for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
    expect(jwk.use).toBe('sig');
  }
}

describe.each([
  { algorithm: 'ES256', kty: 'EC', crv: 'P-256' },
  { algorithm: 'EdDSA', kty: 'OKP', crv: 'Ed25519' },
] as const)('$algorithm ring rotated against moto (Secrets Manager + S3)', ({ algorithm, kty, crv }) => {
  test('the JWKS follows every rotation and tokens signed before a rotation verify until they expire', async () => {
    const bucket = await newBucket();
    const secretId = (await sm.send(new CreateSecretCommand({
      Name: `jwt-${randomBytes(6).toString('hex')}`, SecretString: JSON.stringify({ bootstrap: randomBytes(24).toString('base64url') }),
    }))).ARN!;
    expect((await readJwks(bucket)).status).toBe(404);

    const claims = { iss: 'https://auth.example.com', aud: 'orders-api', sub: 'user-1' };
    const signed: string[] = [];
    let before: KeyRing | undefined;
    for (let i = 0; i < 3; i++) {
      const token = await rotate(secretId, bucket, algorithm);
      const ring = await currentRing(secretId, token);
      expect(ring.algorithm).toBe(algorithm);
      if (before) {
        expect(ring.current.kid).not.toBe(before.current.kid);
        expect(ring.current).toEqual(before.next);
      }
      const { body: jwks } = await readJwks(bucket);
      expectPublicOnly(jwks!);
      // Exactly current, next and the unexpired previous keys, each the public half of the ring's key.
      const live = [ring.current, ring.next!, ...ring.previous];
      expect(jwks!.keys).toEqual(live.map((k) => publicJwk(algorithm, k)));
      expect(jwks!.keys.map((k) => [k.kty, k.crv, k.alg])).toEqual(live.map(() => [kty, crv, algorithm]));
      expect(jwks!.keys).toHaveLength(2 + i);

      // Every token signed so far (by the shipped helper, before this rotation) still verifies; so does a fresh one.
      signed.push(issuer.issueToken(JSON.stringify(ring), claims, { ttlSeconds: 900 }));
      const header = JSON.parse(Buffer.from(signed[i].split('.')[0], 'base64url').toString()) as Record<string, unknown>;
      expect(header).toEqual({ alg: algorithm, typ: 'JWT', kid: ring.current.kid });
      expect(verifyWithJose(jwks, signed, [algorithm])).toEqual(signed.map(() => true));
      expect(verifyWithPyJwt(jwks, signed, [algorithm])).toEqual(signed.map(() => true));
      // The peers do reject: a token with its payload swapped, and one signed by a key the JWKS lacks.
      const [h, , sig] = signed[i].split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url')}.${sig}`;
      const stranger = issuer.issueToken(JSON.stringify(newKeyRing(new Date(), 3600, 32, algorithm)), claims, { ttlSeconds: 900 });
      expect(verifyWithJose(jwks, [tampered, stranger], [algorithm])).toEqual([false, false]);
      expect(verifyWithPyJwt(jwks, [tampered, stranger], [algorithm])).toEqual([false, false]);
      // The README's Python issuer example signs with the current key too.
      const byPython = signWithPyJwt(JSON.stringify(ring), claims);
      expect(JSON.parse(Buffer.from(byPython.split('.')[0], 'base64url').toString())).toEqual(expect.objectContaining({ alg: algorithm, kid: ring.current.kid }));
      expect(verifyWithJose(jwks, [byPython], [algorithm])).toEqual([true]);
      // The next key is published before it signs anything.
      const byNext = issuer.issueToken(JSON.stringify({ ...ring, current: ring.next, next: ring.current }), claims, { ttlSeconds: 900 });
      expect(verifyWithJose(jwks, [byNext], [algorithm])).toEqual([true]);
      before = ring;
    }
  });

  test('an expired previous key leaves the JWKS at the next rotation', async () => {
    const bucket = await newBucket();
    const secretId = (await sm.send(new CreateSecretCommand({
      Name: `jwt-${randomBytes(6).toString('hex')}`, SecretString: JSON.stringify({ bootstrap: randomBytes(24).toString('base64url') }),
    }))).ARN!;
    await rotate(secretId, bucket, algorithm, 1800);
    const token = await rotate(secretId, bucket, algorithm, 1800);
    const first = await currentRing(secretId, token);
    const retired = first.previous[0];
    // Pretend the grace period has passed: rewrite the live ring with the retired key expired.
    const expired = { ...retired, expiresAt: new Date(Date.now() - 1000).toISOString() };
    await replaceCurrentSecret(sm, secretId, JSON.stringify({ ...first, previous: [expired] }));
    await rotate(secretId, bucket, algorithm, 1800);
    const { body: jwks } = await readJwks(bucket);
    expect(jwks!.keys.map((k) => k.kid)).not.toContain(retired.kid);
    expect(jwks!.keys).toHaveLength(3);
  });

  test('a ring of another algorithm is never converted: the rotation fails with ALGORITHM_CHANGED', async () => {
    const bucket = await newBucket();
    const secretId = (await sm.send(new CreateSecretCommand({
      Name: `jwt-${randomBytes(6).toString('hex')}`, SecretString: JSON.stringify({ bootstrap: randomBytes(24).toString('base64url') }),
    }))).ARN!;
    await rotate(secretId, bucket, 'HS256');
    await expect(rotate(secretId, bucket, algorithm)).rejects.toThrow(/ALGORITHM_CHANGED/);
    expect((await readJwks(bucket)).status).toBe(404);
  });
});
