/**
 * The authorizer's GetSecretValue call, with an injected transport: endpoint and partition,
 * Lambda's credentials, a SigV4 signature identical to the AWS SDK's signer, and the deadline;
 * and the node:http transport against loopback servers that stall.
 */
import * as http from 'http';
import * as net from 'net';
import { nodeTransport } from '../../../lambda-src/authorizer/http-transport';
import { dnsSuffix, getSecretString, secretsManagerEndpoint } from '../../../lambda-src/authorizer/secrets-manager';
import { Deadline, HttpRequest, Transport } from '../../../lambda-src/authorizer/transport';
import { answering, expectGivesUpAtDeadline, header, LAMBDA_ENV, NOW, signatures } from '../../helpers/signed-requests';

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
    const captured: HttpRequest[] = [];
    const value = await getSecretString({ env: LAMBDA_ENV, secretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:k', timeoutMs: 1000, transport: answering(200, '{"SecretString":"ring"}', captured), now: NOW });
    expect(value).toBe('ring');
    expect(captured).toHaveLength(1);
    const [req] = captured;
    expect(req.url.toString()).toBe('https://secretsmanager.eu-west-1.amazonaws.com/');
    expect(req.method).toBe('POST');
    expect(JSON.parse(req.body)).toEqual({ SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:k', VersionStage: 'AWSCURRENT' });
    expect(header(req, 'x-amz-target')).toBe('secretsmanager.GetSecretValue');
    expect(header(req, 'x-amz-security-token')).toBe(LAMBDA_ENV.AWS_SESSION_TOKEN);
    expect(header(req, 'authorization')).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE\/20260301\/eu-west-1\/secretsmanager\/aws4_request, /);
  });

  test('signs exactly as the AWS SDK\'s SigV4 signer does', async () => {
    const captured: HttpRequest[] = [];
    await getSecretString({ env: LAMBDA_ENV, secretId: 'jwt-keys', timeoutMs: 1000, transport: answering(200, '{"SecretString":"x"}', captured), now: NOW });
    const [req] = captured;
    expect(req.url.host).toBe('secretsmanager.eu-west-1.amazonaws.com');
    const { ours, sdk } = await signatures(req, { service: 'secretsmanager', region: 'eu-west-1', applyChecksum: false });
    expect(ours).toBe(sdk);
  });

  test.each([
    ['an HTTP error', answering(400, '{"__type":"ResourceNotFoundException"}'), 'http_400'],
    ['a body that is not JSON', answering(200, '<html>'), 'bad_response'],
    ['a binary secret', answering(200, '{"SecretBinary":"AAAA"}'), 'no_secret_string'],
    ['a network failure', (async () => { throw new Error('ECONNREFUSED'); }) as Transport, 'network_error'],
  ])('rejects %s with a reason code', async (_name, transport, code) => {
    await expect(getSecretString({ env: LAMBDA_ENV, secretId: 's', timeoutMs: 1000, transport, now: NOW })).rejects.toThrow(code);
  });

  test('rejects without calling out when region or credentials are missing', async () => {
    const calls: HttpRequest[] = [];
    await expect(getSecretString({ env: { ...LAMBDA_ENV, AWS_REGION: undefined }, secretId: 's', timeoutMs: 1000, transport: answering(200, '', calls), now: NOW })).rejects.toThrow('no_region');
    await expect(getSecretString({ env: { ...LAMBDA_ENV, AWS_SECRET_ACCESS_KEY: '' }, secretId: 's', timeoutMs: 1000, transport: answering(200, '', calls), now: NOW })).rejects.toThrow('no_credentials');
    expect(calls).toHaveLength(0);
  });

  test('gives up at the deadline even when the transport ignores it', async () => {
    await expectGivesUpAtDeadline((transport, timeoutMs) => getSecretString({ env: LAMBDA_ENV, secretId: 's', timeoutMs, transport, now: NOW }));
  });
});

describe('nodeTransport', () => {
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  async function listen(server: net.Server): Promise<URL> {
    servers.push(server);
    server.on('connection', (socket: net.Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new URL(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`);
  }

  /** A deadline the test fires by hand, so nothing depends on timer precision. */
  function manualDeadline(): Deadline & { fire(): void } {
    const callbacks: Array<() => void> = [];
    const d = {
      expired: false,
      onExpire: (cb: () => void) => { callbacks.push(cb); },
      fire: () => { d.expired = true; callbacks.forEach((cb) => cb()); },
    };
    return d;
  }
  const post = (url: URL, deadline: Deadline): Promise<unknown> =>
    nodeTransport({ url, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', deadline });

  test('sends the request and returns status and whole body', async () => {
    const url = await listen(http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => res.writeHead(200).end(JSON.stringify({ method: req.method, body, type: req.headers['content-type'] })));
    }));
    const out = await post(url, manualDeadline()) as { status: number; body: string };
    expect(out.status).toBe(200);
    expect(JSON.parse(out.body)).toEqual({ method: 'POST', body: '{}', type: 'application/json' });
  });

  test('keeps no pooled connection: asks the server to close it', async () => {
    const url = await listen(http.createServer((req, res) => res.writeHead(200).end(String(req.headers.connection))));
    const out = await post(url, manualDeadline()) as { status: number; body: string };
    expect(out.body).toBe('close');
  });

  test('rejects at the deadline when the server accepts and never answers', async () => {
    const url = await listen(net.createServer(() => undefined));
    const deadline = manualDeadline();
    const pending = post(url, deadline);
    setTimeout(() => deadline.fire(), 100);
    await expect(pending).rejects.toThrow('deadline');
  });

  test('rejects at the deadline when the body stalls after the headers', async () => {
    const url = await listen(http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"SecretString":');
    }));
    const deadline = manualDeadline();
    const pending = post(url, deadline);
    setTimeout(() => deadline.fire(), 100);
    await expect(pending).rejects.toThrow('deadline');
  });
});
