/**
 * The authorizer's S3 GetObject of an asymmetric ring's JWKS, with an injected transport:
 * endpoint (virtual-hosted on the bucket Region's partition, path-style under an endpoint
 * override), Lambda's credentials with the session token, a SigV4 signature identical to the AWS
 * SDK's S3 signer, and the deadline.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { nodeTransport } from '../../../lambda-src/authorizer/http-transport';
import { getS3Object, s3ObjectTarget } from '../../../lambda-src/authorizer/s3-object';
import { HttpRequest, Transport } from '../../../lambda-src/authorizer/transport';
import { answering, expectGivesUpAtDeadline, header, LAMBDA_ENV, NOW, signatures, signedHeaderNames } from '../../helpers/signed-requests';

const LOCATION = { bucket: 'keys-jwksbucket-1a2b3c', key: '.well-known/jwks.json', region: 'eu-central-1' };

describe('s3ObjectTarget', () => {
  test.each([
    ['eu-central-1', 'https://b-1.s3.eu-central-1.amazonaws.com/.well-known/jwks.json'],
    ['cn-north-1', 'https://b-1.s3.cn-north-1.amazonaws.com.cn/.well-known/jwks.json'],
    ['us-iso-east-1', 'https://b-1.s3.us-iso-east-1.c2s.ic.gov/.well-known/jwks.json'],
    ['us-gov-west-1', 'https://b-1.s3.us-gov-west-1.amazonaws.com/.well-known/jwks.json'],
  ])('in %s is virtual-hosted on the bucket Region\'s partition suffix', (region, url) => {
    expect(s3ObjectTarget({}, { bucket: 'b-1', key: '.well-known/jwks.json', region }).url.toString()).toBe(url);
  });

  test('is path-style under AWS_ENDPOINT_URL_S3, which wins over AWS_ENDPOINT_URL', () => {
    expect(s3ObjectTarget({ AWS_ENDPOINT_URL: 'http://global:1', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:5000/' }, LOCATION).url.toString())
      .toBe('http://127.0.0.1:5000/keys-jwksbucket-1a2b3c/.well-known/jwks.json');
    expect(s3ObjectTarget({ AWS_ENDPOINT_URL: 'http://global:1' }, LOCATION).url.toString()).toBe('http://global:1/keys-jwksbucket-1a2b3c/.well-known/jwks.json');
  });

  test('percent-encodes each key segment, keeping the slashes', () => {
    expect(s3ObjectTarget({}, { ...LOCATION, key: 'a b/c?d#e' }).path).toBe('/a%20b/c%3Fd%23e');
  });
});

describe('getS3Object', () => {
  test('GETs the object in the bucket\'s Region with Lambda\'s credentials, session token included', async () => {
    const captured: HttpRequest[] = [];
    expect(await getS3Object({ env: LAMBDA_ENV, location: LOCATION, timeoutMs: 1000, transport: answering(200, '{"keys":[]}', captured), now: NOW })).toBe('{"keys":[]}');
    expect(captured).toHaveLength(1);
    const [req] = captured;
    expect(req.method).toBe('GET');
    expect(req.body).toBe('');
    expect(req.url.toString()).toBe('https://keys-jwksbucket-1a2b3c.s3.eu-central-1.amazonaws.com/.well-known/jwks.json');
    expect(header(req, 'x-amz-security-token')).toBe(LAMBDA_ENV.AWS_SESSION_TOKEN);
    // Signed for the bucket's Region, not the function's.
    expect(header(req, 'authorization')).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE\/20260301\/eu-central-1\/s3\/aws4_request, /);
  });

  test('signs exactly as the AWS SDK\'s SigV4 signer does for S3', async () => {
    const captured: HttpRequest[] = [];
    await getS3Object({ env: LAMBDA_ENV, location: LOCATION, timeoutMs: 1000, transport: answering(200, '{}', captured), now: NOW });
    const [req] = captured;
    expect(signedHeaderNames(req)).toEqual(expect.arrayContaining(['host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token']));
    const { ours, sdk } = await signatures(req, { service: 's3', region: 'eu-central-1', uriEscapePath: false });
    expect(ours).toBe(sdk);
  });

  test.each([
    ['access denied', answering(403, '<Error><Code>AccessDenied</Code></Error>'), 'http_403'],
    ['a missing object', answering(404, ''), 'http_404'],
    ['a redirect to another Region', answering(301, ''), 'http_301'],
    ['a network failure', (async () => { throw new Error('ECONNREFUSED'); }) as Transport, 'network_error'],
  ])('rejects %s with a reason code', async (_name, transport, code) => {
    await expect(getS3Object({ env: LAMBDA_ENV, location: LOCATION, timeoutMs: 1000, transport, now: NOW })).rejects.toThrow(code);
  });

  test('rejects without calling out when credentials are missing', async () => {
    const calls: HttpRequest[] = [];
    await expect(getS3Object({ env: { ...LAMBDA_ENV, AWS_ACCESS_KEY_ID: '' }, location: LOCATION, timeoutMs: 1000, transport: answering(200, '', calls), now: NOW }))
      .rejects.toThrow('no_credentials');
    expect(calls).toHaveLength(0);
  });

  test('gives up at the deadline even when the transport ignores it', async () => {
    await expectGivesUpAtDeadline((transport, timeoutMs) => getS3Object({ env: LAMBDA_ENV, location: LOCATION, timeoutMs, transport, now: NOW }));
  });
});

describe('getS3Object with keys S3 takes literally', () => {
  const { AWS_SESSION_TOKEN: _token, ...WITHOUT_TOKEN } = LAMBDA_ENV;
  const KEYS: Array<[string, string]> = [
    ['a b/c+d.json', '/a%20b/c%2Bd.json'],
    ['café/密钥.json', '/caf%C3%A9/%E5%AF%86%E9%92%A5.json'],
    ["it's (1)*!.json", '/it%27s%20%281%29%2A%21.json'],
    ['keys/../jwks.json', '/keys/../jwks.json'],
    ['keys//./jwks.json', '/keys//./jwks.json'],
    ['50%/q?r#s', '/50%25/q%3Fr%23s'],
  ];
  const ENVS: Array<[string, typeof WITHOUT_TOKEN & { AWS_SESSION_TOKEN?: string; AWS_ENDPOINT_URL_S3?: string }, string]> = [
    ['virtual-hosted, session token', LAMBDA_ENV, ''],
    ['virtual-hosted, no session token', WITHOUT_TOKEN, ''],
    ['path-style under AWS_ENDPOINT_URL_S3', { ...LAMBDA_ENV, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:5000/' }, `/${LOCATION.bucket}`],
  ];
  const cases = ENVS.flatMap(([where, env, prefix]) => KEYS.map(([key, path]) => [where, key, env, `${prefix}${path}`] as const));

  test.each(cases)('%s: %j is sent as the path the S3 client sends, signed as the SDK signs it', async (_where, key, env, path) => {
    const captured: HttpRequest[] = [];
    await getS3Object({ env, location: { ...LOCATION, key }, timeoutMs: 1000, transport: answering(200, '{}', captured), now: NOW });
    const [req] = captured;
    expect(req.path).toBe(path);
    expect(req.url.host).toBe(env.AWS_ENDPOINT_URL_S3 ? '127.0.0.1:5000' : 'keys-jwksbucket-1a2b3c.s3.eu-central-1.amazonaws.com');
    expect(header(req, 'x-amz-security-token')).toBe(env.AWS_SESSION_TOKEN);
    const { ours, sdk } = await signatures(req, { service: 's3', region: LOCATION.region, uriEscapePath: false }, env);
    expect(ours).toBe(sdk);
  });

  test('the node transport sends dot segments and double slashes as they are, not resolved by URL', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.url!);
      res.end('{"keys":[]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const body = await getS3Object({
        env: { ...LAMBDA_ENV, AWS_ENDPOINT_URL_S3: endpoint }, location: { ...LOCATION, key: 'keys/..//./jwks.json' }, timeoutMs: 2000, transport: nodeTransport, now: NOW,
      });
      expect(body).toBe('{"keys":[]}');
      expect(seen).toEqual([`/${LOCATION.bucket}/keys/..//./jwks.json`]);
    } finally {
      server.close();
    }
  });
});
