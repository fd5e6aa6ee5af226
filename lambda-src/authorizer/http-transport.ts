/**
 * The Transport of secrets-manager.ts on node:http / node:https (loaded on first use, so a
 * container that never fetches never pays for TLS). Rejects at the deadline, destroying
 * the socket, so a server that accepts and never answers costs one deadline, not a hung request.
 */
import type { HttpRequest, HttpResponse } from './transport';

/** A response larger than this is not a key ring: refuse it rather than buffer it. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export class ResponseTooLarge extends Error {}

export function nodeTransport(request: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const client: typeof import('https') = request.url.protocol === 'http:' ? require('http') : require('https');
    /* eslint-enable @typescript-eslint/no-require-imports */
    // No keep-alive pool (`agent: false`, so `Connection: close`): fetches are a TTL apart, minutes,
    // so a pooled socket would only be reused by chance, and possibly after a Lambda freeze that
    // outlived the server's side of it; and returning the socket to a pool is work done before the
    // response resolves (~0.3 ms on the cold path, Node 20) where closing it is done after.
    const maxBytes = Math.min(request.maxResponseBytes ?? MAX_RESPONSE_BYTES, MAX_RESPONSE_BYTES);
    // A path only when given (S3 keys with dot segments): undefined would replace the URL's with `/`.
    const options = { method: request.method, headers: request.headers, agent: false, ...request.path && { path: request.path } };
    const req = client.request(request.url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy(new ResponseTooLarge('response too large'));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
    });
    req.on('error', reject);
    request.deadline.onExpire(() => req.destroy(new Error('deadline')));
    req.end(request.body);
  });
}
