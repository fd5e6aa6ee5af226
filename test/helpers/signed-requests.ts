/**
 * Shared pieces of the tests of the authorizer's signed AWS requests (Secrets Manager, S3, the
 * SigV4 signer itself): Lambda's credentials at a fixed instant, fake transports (one that records
 * what it was asked, one that never answers), a header lookup by any case, the
 * signature the AWS SDK's own signer (@smithy/signature-v4) gives the same request, and the check
 * that a call gives up at its deadline.
 */
import { createHash, createHmac } from 'crypto';
// eslint-disable-next-line import/no-extraneous-dependencies
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest, Transport } from '../../lambda-src/authorizer/transport';

/** The instant every request is signed at. */
export const NOW = new Date('2026-03-01T12:00:00Z');

/** The environment Lambda gives a function: its Region and its role's temporary credentials. */
export const LAMBDA_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLE//token',
};

/** A transport that answers every request with `status` and `body`, recording it in `captured`. */
export function answering(status: number, body: string, captured: HttpRequest[] = []): Transport {
  return async (request) => {
    captured.push(request);
    return { status, body };
  };
}

/** A transport that never answers and ignores the request's deadline. */
export const hanging: Transport = () => new Promise(() => undefined);

/**
 * Runs `call` (the request under test, with `transport` and `timeoutMs`) over a transport that
 * never answers: it must reject `timeout` at its own deadline of 150 ms, well within a second.
 */
export async function expectGivesUpAtDeadline(call: (transport: Transport, timeoutMs: number) => Promise<unknown>): Promise<void> {
  const t0 = Date.now();
  await expect(call(hanging, 150)).rejects.toThrow('timeout');
  expect(Date.now() - t0).toBeLessThan(1000);
}

/** Header lookup by any case, as HTTP does. */
export function header(req: HttpRequest, name: string): string | undefined {
  const key = Object.keys(req.headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : String(req.headers[key]);
}

type Bytes = string | ArrayBuffer | ArrayBufferView;
const toBytes = (d: Bytes): string | Buffer =>
  typeof d === 'string' ? d : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d);

/** SHA-256 / HMAC-SHA256 on node:crypto in the shape SignatureV4's `sha256` option takes. */
export class NodeSha256 {
  private readonly h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: Bytes) { this.h = secret ? createHmac('sha256', toBytes(secret)) : createHash('sha256'); }
  update(data: Bytes): void { this.h.update(toBytes(data)); }
  async digest(): Promise<Uint8Array> { return this.h.digest(); }
}

/** The names `req`'s Authorization header says were signed. */
export function signedHeaderNames(req: HttpRequest): string[] {
  return /SignedHeaders=([^,]+)/.exec(header(req, 'authorization')!)![1].split(';');
}

const signatureOf = (authorization: string): string => /Signature=([0-9a-f]{64})/.exec(authorization)![1];

/**
 * The signature of a captured request, and the one the AWS SDK's SigV4 signer gives the same
 * request (method, host, path as sent, the headers ours signed, body) at `NOW` with the
 * credentials of `env` (Lambda's by default). `options` are the SDK signer's service settings
 * (`uriEscapePath` for S3, ...).
 */
export async function signatures(
  req: HttpRequest,
  options: { service: string; region: string; uriEscapePath?: boolean; applyChecksum?: boolean },
  env: { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string; AWS_SESSION_TOKEN?: string } = LAMBDA_ENV,
): Promise<{ ours: string; sdk: string }> {
  const headers: Record<string, string> = { host: req.url.host };
  for (const name of signedHeaderNames(req)) if (name !== 'host') headers[name] = header(req, name)!;
  const sdk = new SignatureV4({
    ...options,
    sha256: NodeSha256,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN },
  });
  const request = { method: req.method, protocol: 'https:', hostname: req.url.host, path: req.path ?? req.url.pathname, headers, body: req.body };
  const signed = await sdk.sign(request, { signingDate: NOW });
  return { ours: signatureOf(header(req, 'authorization')!), sdk: signatureOf(signed.headers.authorization) };
}
