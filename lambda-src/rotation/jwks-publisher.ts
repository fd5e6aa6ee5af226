/**
 * PutObject of the JWKS document as one SigV4-signed HTTPS PUT (aws4 + node:https, as the
 * authorizer reads its secret), instead of bundling the S3 client for a single call. Lambda's
 * environment credentials; the object URL comes from the construct (JWKS_URL, on the bucket's
 * regional domain), or path-style under AWS_ENDPOINT_URL_S3 when that override is set (tests).
 */
// Bundled into the asset by esbuild, pinned in package.json: a devDependency on purpose.
// eslint-disable-next-line import/no-extraneous-dependencies
import { createHash } from 'crypto';
import * as aws4 from 'aws4';
import type { JwksPublisher } from './contract';

type Env = Readonly<Record<string, string | undefined>>;

export const JWKS_URL_ENV = 'JWKS_URL';
export const JWKS_BUCKET_ENV = 'JWKS_BUCKET';
/** Verifiers refetch at least this often; the next key is published a whole rotation ahead. */
export const JWKS_CACHE_SECONDS = 300;
const PUT_TIMEOUT_MS = 10_000;

export class JwksPublishError extends Error {
  constructor(readonly status: number) {
    super(`PutObject of the JWKS failed with HTTP ${status}`);
    this.name = 'JwksPublishError';
  }
}

/** Where the PUT goes: the published URL itself, or the same bucket/key path-style on an endpoint override. */
export function putUrl(env: Env): URL | undefined {
  const published = env[JWKS_URL_ENV];
  if (!published) return undefined;
  const url = new URL(published);
  const override = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  if (!override) return url;
  return new URL(`${override.replace(/\/$/, '')}/${env[JWKS_BUCKET_ENV]}${url.pathname}`);
}

function send(url: URL, headers: Record<string, string | number>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const client: typeof import('https') = url.protocol === 'http:' ? require('http') : require('https');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const req = client.request(url, { method: 'PUT', headers, timeout: PUT_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('JWKS PutObject timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Undefined when the function has no JWKS location (HS256 rings). */
export function s3JwksPublisher(env: Env): JwksPublisher | undefined {
  const url = putUrl(env);
  if (!url) return undefined;
  return {
    async publish(jwksJson) {
      const signed = aws4.sign({
        host: url.host,
        path: url.pathname,
        method: 'PUT',
        service: 's3',
        region: env.AWS_REGION,
        body: jwksJson,
        headers: {
          // S3 requires an integrity header on PutObject to a bucket with Object Lock retention.
          'Content-MD5': createHash('md5').update(jwksJson, 'utf8').digest('base64'),
          'Content-Type': 'application/json',
          'Cache-Control': `max-age=${JWKS_CACHE_SECONDS}`,
        },
      }, {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
        sessionToken: env.AWS_SESSION_TOKEN,
      });
      const status = await send(url, signed.headers, jwksJson);
      if (status < 200 || status >= 300) throw new JwksPublishError(status);
    },
  };
}
