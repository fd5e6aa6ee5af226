/**
 * The authorizer's SigV4 signer against two independent implementations on seeded, generated
 * requests: `aws4` (which it replaces; the rotation handler still ships it) must produce the very
 * same headers, and the AWS SDK's SignatureV4 the same signature. S3 requests (signed by S3's own
 * rules) are compared with the SDK's signer as the S3 client configures it. moto checks both end
 * to end through the shipped assets (authorizer.integration.test.ts, authorizer-ring-jwks.integration.test.ts).
 */
import { createHash } from 'crypto';
// eslint-disable-next-line import/no-extraneous-dependencies
import { SignatureV4 } from '@smithy/signature-v4';
import * as aws4 from 'aws4';
import { amzDate, signSigV4, SigV4Request, uriEncode } from '../../../lambda-src/authorizer/sigv4';
import { prng } from '../../helpers/prng';
import { NodeSha256 } from '../../helpers/signed-requests';

const SEED = 0x51647734;
const RUNS = 500;

interface Case {
  readonly request: SigV4Request;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

function generate(rand: () => number): Case {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const text = (alphabet: string, min: number, max: number): string => {
    let s = '';
    const n = min + Math.floor(rand() * (max - min + 1));
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
    return s;
  };
  const region = pick(['us-east-1', 'eu-west-1', 'cn-north-1', 'us-gov-west-1', 'ap-southeast-4', 'us-iso-east-1']);
  const service = pick(['secretsmanager', 'sts', 'kms', 'execute-api', 'dynamodb']);
  const host = pick([`${service}.${region}.amazonaws.com`, '127.0.0.1:4566', 'localhost:5000', `vpce-0abc.${service}.${region}.vpce.amazonaws.com`]);
  const segment = (): string => pick(['', '.', '..', 'a', 'v1', '%20x', 'caf%C3%A9', "it's", '(x)', '*', 'a!b', 'x~y', 'p%2Fq', text('abcXYZ09-_.~', 1, 8)]);
  const path = rand() < 0.4 ? '/' : '/' + Array.from({ length: 1 + Math.floor(rand() * 4) }, segment).join('/');
  const headers: Record<string, string> = { 'Content-Type': pick(['application/x-amz-json-1.1', 'application/json', 'text/plain; charset=utf-8']) };
  if (rand() < 0.8) headers['X-Amz-Target'] = `${service}.${pick(['GetSecretValue', 'Decrypt', 'GetCallerIdentity'])}`;
  if (rand() < 0.3) headers['X-Custom-Header'] = pick(['  padded  ', 'a   b\tc', 'plain', '123']);
  if (rand() < 0.2) headers['x-amz-meta-Lower'] = text('abc ', 1, 10);
  const body = pick([
    '',
    JSON.stringify({ SecretId: text('abcdefghijklmnopqrstuvwxyz/-_:', 1, 60), VersionStage: 'AWSCURRENT' }),
    JSON.stringify({ note: 'ünïcödé ✓ 密钥' }),
    text('{}[]":,abc \n', 0, 200),
  ]);
  const now = new Date(Date.UTC(2020, 0, 1) + Math.floor(rand() * 10 * 365 * 86_400_000));
  const credentials = {
    accessKeyId: pick(['AKIDEXAMPLE', 'ASIAEXAMPLEEXAMPLE', text('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16, 20)]),
    secretAccessKey: text('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 40, 40),
    ...(rand() < 0.6 ? { sessionToken: text('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=', 20, 300) } : {}),
  };
  return { request: { method: pick(['POST', 'GET', 'PUT']), host, path, headers, body, service, region, now }, credentials };
}

const lower = (headers: Record<string, string | number>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));

function aws4Headers({ request, credentials }: Case): Record<string, string> {
  const signed = aws4.sign({
    host: request.host,
    path: request.path,
    method: request.method,
    service: request.service,
    region: request.region,
    body: request.body,
    headers: { ...request.headers, 'X-Amz-Date': amzDate(request.now) },
  }, credentials);
  return lower(signed.headers);
}

const cases: Array<[number, Case]> = (() => {
  const rand = prng(SEED);
  return Array.from({ length: RUNS }, (_, i) => [i, generate(rand)]);
})();

describe('signSigV4', () => {
  test('formats the signing time as YYYYMMDDTHHMMSSZ', () => {
    expect(amzDate(new Date('2026-03-01T07:08:09.999Z'))).toBe('20260301T070809Z');
  });

  test('signs a GetSecretValue call with a session token: every header it sends, as aws4 does', () => {
    const c: Case = {
      request: { method: 'POST', host: 'secretsmanager.eu-west-1.amazonaws.com', path: '/', headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'secretsmanager.GetSecretValue' }, body: '{"SecretId":"s","VersionStage":"AWSCURRENT"}', service: 'secretsmanager', region: 'eu-west-1', now: new Date('2026-03-01T12:00:00Z') },
      credentials: { accessKeyId: 'ASIAEXAMPLEEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'token' },
    };
    const headers = lower(signSigV4(c.request, c.credentials));
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE\/20260301\/eu-west-1\/secretsmanager\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/);
    expect(headers).toEqual(aws4Headers(c));
  });

  test.each(cases)(`case %i (seed ${SEED.toString(16)}) produces exactly aws4's headers`, (_i, c) => {
    expect(lower(signSigV4(c.request, c.credentials))).toEqual(aws4Headers(c));
  });

  test(`gives the AWS SDK signer's signature on the first 100 cases (seed ${SEED.toString(16)})`, async () => {
    const signatureOf = (authorization: string): string => /Signature=([0-9a-f]{64})$/.exec(authorization)![1];
    // The SDK normalizes the path differently for `.`/`..` segments and empty ones; compare on
    // the paths both define the same way: '/' and plain segments.
    const comparable = cases.map(([, c]) => c).filter((c) => /^(\/[A-Za-z0-9_~-]+)*\/?$/.test(c.request.path)).slice(0, 100);
    expect(comparable.length).toBeGreaterThan(50);
    for (const c of comparable) {
      const ours = lower(signSigV4(c.request, c.credentials));
      const signedNames = /SignedHeaders=([^,]+)/.exec(ours.authorization)![1].split(';');
      const headers: Record<string, string> = {};
      for (const name of signedNames) headers[name] = ours[name];
      const sdk = new SignatureV4({
        service: c.request.service, region: c.request.region, sha256: NodeSha256, applyChecksum: false, credentials: c.credentials,
      });
      const signed = await sdk.sign(
        { method: c.request.method, protocol: 'https:', hostname: c.request.host, path: c.request.path, headers, body: c.request.body },
        { signingDate: c.request.now },
      );
      expect(signatureOf(ours.authorization)).toBe(signatureOf(signed.headers.authorization));
    }
  });
});

/** An S3 request as the SDK's S3 client sends it: each key segment encoded once, nothing resolved. */
function generateS3(rand: () => number): Case {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const region = pick(['us-east-1', 'eu-central-1', 'cn-north-1', 'us-gov-west-1']);
  const bucket = pick(['keys-jwksbucket-1a2b3c', 'b.with.dots']);
  const pathStyle = rand() < 0.4;
  const host = pathStyle ? pick(['127.0.0.1:5000', `s3.${region}.amazonaws.com`]) : `${bucket}.s3.${region}.amazonaws.com`;
  const segment = (): string => pick(['', '.', '..', 'a b', 'café', '密钥', 'a+b', "it's", '(x)', '*', 'x~y', '50%', 'q?r#s', 'jwks.json', '.well-known']);
  const key = Array.from({ length: 1 + Math.floor(rand() * 5) }, segment).join('/');
  const path = `${pathStyle ? `/${bucket}` : ''}/${key.split('/').map(uriEncode).join('/')}`;
  const headers: Record<string, string> = rand() < 0.5 ? { Accept: 'application/json' } : {};
  const method = pick(['GET', 'GET', 'PUT']);
  const body = method === 'PUT' ? pick(['', '{"keys":[]}', 'ünïcödé ✓']) : '';
  const now = new Date(Date.UTC(2020, 0, 1) + Math.floor(rand() * 10 * 365 * 86_400_000));
  const credentials = {
    accessKeyId: pick(['AKIDEXAMPLE', 'ASIAEXAMPLEEXAMPLE']),
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    ...(rand() < 0.6 ? { sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token+=' } : {}),
  };
  return { request: { method, host, path, headers, body, service: 's3', region, now }, credentials };
}

const s3Cases: Case[] = (() => {
  const rand = prng(SEED + 1);
  return Array.from({ length: 200 }, () => generateS3(rand));
})();

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

describe('signSigV4 for S3', () => {
  test('sends and signs X-Amz-Content-Sha256: the empty body\'s SHA-256 on a GET', () => {
    const headers = lower(signSigV4({
      method: 'GET', host: 'b.s3.eu-central-1.amazonaws.com', path: '/.well-known/jwks.json', headers: {}, body: '', service: 's3', region: 'eu-central-1', now: new Date('2026-03-01T12:00:00Z'),
    }, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }));
    expect(headers['x-amz-content-sha256']).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(headers.authorization).toMatch(/SignedHeaders=host;x-amz-content-sha256;x-amz-date, /);
  });

  test('signs the path as given: dot segments and double slashes name an S3 object', () => {
    const sign = (service: string, path: string): string => signSigV4({
      method: 'GET', host: 'h', path, headers: {}, body: '', service, region: 'us-east-1', now: new Date('2026-03-01T12:00:00Z'),
    }, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }).Authorization;
    expect(sign('s3', '/a/../b')).not.toBe(sign('s3', '/b'));
    expect(sign('s3', '/a//b')).not.toBe(sign('s3', '/a/b'));
    expect(sign('s3', '/a%20b')).not.toBe(sign('s3', '/a%2520b'));
    // Other services resolve and re-encode the path, so the same pairs sign alike.
    expect(sign('kms', '/a/../b')).toBe(sign('kms', '/b'));
    expect(sign('kms', '/a//b')).toBe(sign('kms', '/a/b'));
  });

  test.each(s3Cases.map((c, i) => [i, c] as const))(`S3 case %i (seed ${(SEED + 1).toString(16)}) gives the AWS SDK S3 signer's signature`, async (_i, c) => {
    const ours = lower(signSigV4(c.request, c.credentials));
    expect(ours['x-amz-content-sha256']).toBe(sha256Hex(c.request.body));
    const signedNames = /SignedHeaders=([^,]+)/.exec(ours.authorization)![1].split(';');
    expect(signedNames).toContain('x-amz-content-sha256');
    const headers: Record<string, string> = {};
    for (const name of signedNames) headers[name] = ours[name];
    // As the S3 client configures it: the path is already encoded once and is not normalized.
    const sdk = new SignatureV4({ service: 's3', region: c.request.region, sha256: NodeSha256, uriEscapePath: false, credentials: c.credentials });
    const signed = await sdk.sign(
      { method: c.request.method, protocol: 'https:', hostname: c.request.host, path: c.request.path, headers, body: c.request.body },
      { signingDate: c.request.now },
    );
    expect(/Signature=([0-9a-f]{64})$/.exec(ours.authorization)![1]).toBe(/Signature=([0-9a-f]{64})$/.exec(signed.headers.authorization)![1]);
  });
});
