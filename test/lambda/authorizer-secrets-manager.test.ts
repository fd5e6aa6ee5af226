/**
 * The authorizer's GetSecretValue call, with an injected fetch: endpoint and partition, Lambda's
 * credentials, a SigV4 signature identical to the AWS SDK's signer, and the deadline.
 */
import { createHash, createHmac } from 'crypto';
// eslint-disable-next-line import/no-extraneous-dependencies
import { SignatureV4 } from '@smithy/signature-v4';
import { dnsSuffix, FetchFn, getSecretString, secretsManagerEndpoint } from '../../lambda-src/authorizer/secrets-manager';

const NOW = new Date('2026-03-01T12:00:00Z');
const LAMBDA_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLE//token',
};

interface Captured {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

function answering(status: number, body: string, captured: Captured[] = []): FetchFn {
  return async (url, init) => {
    captured.push({ url, method: init.method, headers: init.headers, body: init.body });
    return new Response(body, { status });
  };
}

describe('endpoint', () => {
  test.each([
    ['eu-west-1', 'https://secretsmanager.eu-west-1.amazonaws.com'],
    ['cn-north-1', 'https://secretsmanager.cn-north-1.amazonaws.com.cn'],
    ['us-iso-east-1', 'https://secretsmanager.us-iso-east-1.c2s.ic.gov'],
    ['us-isob-east-1', 'https://secretsmanager.us-isob-east-1.sc2s.sgov.gov'],
    ['us-gov-west-1', 'https://secretsmanager.us-gov-west-1.amazonaws.com'],
  ])('in %s is on its partition\'s DNS suffix', (region, endpoint) => {
    expect(secretsManagerEndpoint({}, region)).toBe(endpoint);
    expect(endpoint.endsWith(dnsSuffix(region))).toBe(true);
  });

  test('honours AWS_ENDPOINT_URL_SECRETS_MANAGER before AWS_ENDPOINT_URL', () => {
    expect(secretsManagerEndpoint({ AWS_ENDPOINT_URL: 'http://global:1', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://sm:2' }, 'eu-west-1')).toBe('http://sm:2');
    expect(secretsManagerEndpoint({ AWS_ENDPOINT_URL: 'http://global:1' }, 'eu-west-1')).toBe('http://global:1');
  });
});

describe('getSecretString', () => {
  test('asks for AWSCURRENT of the secret with Lambda\'s credentials, session token included', async () => {
    const captured: Captured[] = [];
    const value = await getSecretString({ env: LAMBDA_ENV, secretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:k', timeoutMs: 1000, fetch: answering(200, '{"SecretString":"ring"}', captured), now: NOW });
    expect(value).toBe('ring');
    expect(captured).toHaveLength(1);
    const [req] = captured;
    expect(req.url).toBe('https://secretsmanager.eu-west-1.amazonaws.com/');
    expect(req.method).toBe('POST');
    expect(JSON.parse(req.body)).toEqual({ SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:k', VersionStage: 'AWSCURRENT' });
    expect(req.headers.get('x-amz-target')).toBe('secretsmanager.GetSecretValue');
    expect(req.headers.get('x-amz-security-token')).toBe(LAMBDA_ENV.AWS_SESSION_TOKEN);
    expect(req.headers.get('authorization')).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE\/20260301\/eu-west-1\/secretsmanager\/aws4_request, /);
  });

  test('signs exactly as the AWS SDK\'s SigV4 signer does', async () => {
    const captured: Captured[] = [];
    await getSecretString({ env: LAMBDA_ENV, secretId: 'jwt-keys', timeoutMs: 1000, fetch: answering(200, '{"SecretString":"x"}', captured), now: NOW });
    const [req] = captured;
    const signedHeaderNames = /SignedHeaders=([^,]+)/.exec(req.headers.get('authorization')!)![1].split(';');
    const headers: Record<string, string> = { host: 'secretsmanager.eu-west-1.amazonaws.com' };
    for (const name of signedHeaderNames) if (name !== 'host') headers[name] = req.headers.get(name)!;
    const toBytes = (d: string | ArrayBuffer | ArrayBufferView): string | Buffer =>
      typeof d === 'string' ? d : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d);
    class Sha256 {
      private readonly h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
      constructor(secret?: string | ArrayBuffer | ArrayBufferView) { this.h = secret ? createHmac('sha256', toBytes(secret)) : createHash('sha256'); }
      update(data: string | ArrayBuffer | ArrayBufferView): void { this.h.update(toBytes(data)); }
      async digest(): Promise<Uint8Array> { return this.h.digest(); }
    }
    const sdk = new SignatureV4({
      service: 'secretsmanager',
      region: 'eu-west-1',
      sha256: Sha256,
      applyChecksum: false,
      credentials: {
        accessKeyId: LAMBDA_ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: LAMBDA_ENV.AWS_SECRET_ACCESS_KEY,
        sessionToken: LAMBDA_ENV.AWS_SESSION_TOKEN,
      },
    });
    const signed = await sdk.sign({ method: 'POST', protocol: 'https:', hostname: headers.host, path: '/', headers, body: req.body }, { signingDate: NOW });
    const signatureOf = (authorization: string): string => /Signature=([0-9a-f]{64})/.exec(authorization)![1];
    expect(signatureOf(req.headers.get('authorization')!)).toBe(signatureOf(signed.headers.authorization));
  });

  test.each([
    ['an HTTP error', answering(400, '{"__type":"ResourceNotFoundException"}'), 'http_400'],
    ['a body that is not JSON', answering(200, '<html>'), 'bad_response'],
    ['a binary secret', answering(200, '{"SecretBinary":"AAAA"}'), 'no_secret_string'],
    ['a network failure', (async () => { throw new TypeError('fetch failed'); }) as FetchFn, 'network_error'],
  ])('rejects %s with a reason code', async (_name, fetch, code) => {
    await expect(getSecretString({ env: LAMBDA_ENV, secretId: 's', timeoutMs: 1000, fetch, now: NOW })).rejects.toThrow(code);
  });

  test('rejects without calling out when region or credentials are missing', async () => {
    const calls: Captured[] = [];
    await expect(getSecretString({ env: { ...LAMBDA_ENV, AWS_REGION: undefined }, secretId: 's', timeoutMs: 1000, fetch: answering(200, '', calls), now: NOW })).rejects.toThrow('no_region');
    await expect(getSecretString({ env: { ...LAMBDA_ENV, AWS_SECRET_ACCESS_KEY: '' }, secretId: 's', timeoutMs: 1000, fetch: answering(200, '', calls), now: NOW })).rejects.toThrow('no_credentials');
    expect(calls).toHaveLength(0);
  });

  test('gives up at the deadline when the server never answers', async () => {
    const hanging: FetchFn = (_url, init) => new Promise((_resolve, reject) => {
      init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    });
    const t0 = Date.now();
    await expect(getSecretString({ env: LAMBDA_ENV, secretId: 's', timeoutMs: 150, fetch: hanging, now: NOW })).rejects.toThrow('timeout');
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  test('gives up at the deadline when the body stalls after the headers', async () => {
    const stalling: FetchFn = async (_url, init) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"SecretString":'));
          init.signal.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
        },
      });
      return new Response(body, { status: 200 });
    };
    await expect(getSecretString({ env: LAMBDA_ENV, secretId: 's', timeoutMs: 150, fetch: stalling, now: NOW })).rejects.toThrow('timeout');
  });
});
