/**
 * Shared pieces of the tests of the authorizer's signed AWS requests (Secrets Manager, S3, the
 * SigV4 signer itself): a fake transport that records what it was asked, a header lookup by any
 * case, and the hash constructor the AWS SDK's own signer (@smithy/signature-v4) needs, so the
 * tests compare our signatures with the SDK's.
 */
import { createHash, createHmac } from 'crypto';
import { HttpRequest, Transport } from '../../lambda-src/authorizer/secrets-manager';

/** A transport that answers every request with `status` and `body`, recording it in `captured`. */
export function answering(status: number, body: string, captured: HttpRequest[] = []): Transport {
  return async (request) => {
    captured.push(request);
    return { status, body };
  };
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
