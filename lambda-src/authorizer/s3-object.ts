/**
 * S3 GetObject as one SigV4-signed HTTPS GET, the way secrets-manager.ts reads the key ring: the
 * JWKS an asymmetric RotatingJwtSecret publishes is a private object that only principals given
 * `grantReadPublicKeys` may read. Lambda's environment credentials (session token included), the
 * bucket's Region endpoint on its partition's DNS suffix (virtual-hosted style), or path-style
 * under AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (a custom endpoint such as moto has no bucket
 * subdomains), and one deadline for the whole call. The transport is injected.
 */
// Bundled into the asset by esbuild, pinned in package.json: a devDependency on purpose.
// eslint-disable-next-line import/no-extraneous-dependencies
import * as aws4 from 'aws4';
import { dnsSuffix, HttpResponse, startDeadline, Transport } from './secrets-manager';

type Env = Readonly<Record<string, string | undefined>>;

/** Why the object could not be read: a code for the log line, never a value. */
export class ObjectFetchError extends Error {}

export interface S3ObjectLocation {
  readonly bucket: string;
  readonly key: string;
  /** The bucket's Region: signs the request and names the endpoint. */
  readonly region: string;
}

/** Each path segment percent-encoded (S3 signs the encoded path as sent). */
function encodedKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** The object's URL, with the SDK's precedence: S3 override, global override, the bucket's Region. */
export function s3ObjectUrl(env: Env, location: S3ObjectLocation): URL {
  const override = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  const key = encodedKey(location.key);
  if (override) return new URL(`${override.replace(/\/+$/, '')}/${encodeURIComponent(location.bucket)}/${key}`);
  return new URL(`https://${location.bucket}.s3.${location.region}.${dnsSuffix(location.region)}/${key}`);
}

export interface GetS3ObjectOptions {
  readonly env: Env;
  readonly location: S3ObjectLocation;
  /** Deadline for the whole call, response body included. */
  readonly timeoutMs: number;
  readonly transport: Transport;
  /** The signing time (SigV4 rejects a clock more than 5 minutes off). */
  readonly now: Date;
}

/** The object's body. Rejects with ObjectFetchError (any status but 200), never hangs past the deadline. */
export async function getS3Object(options: GetS3ObjectOptions): Promise<string> {
  const { env, location } = options;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new ObjectFetchError('no_credentials');
  let url: URL;
  try {
    url = s3ObjectUrl(env, location);
  } catch {
    throw new ObjectFetchError('bad_endpoint');
  }
  const signed = aws4.sign({
    host: url.host,
    path: url.pathname,
    method: 'GET',
    service: 's3',
    region: location.region,
    body: '',
    headers: {
      'Host': url.host,
      'Accept': 'application/json',
      'X-Amz-Date': options.now.toISOString().replace(/[:-]|\.\d{3}/g, ''),
    },
  }, { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined });

  const deadline = startDeadline(options.timeoutMs);
  let response: HttpResponse;
  try {
    response = await new Promise<HttpResponse>((resolve, reject) => {
      // The deadline wins even over a transport that ignores it.
      deadline.onExpire(() => reject(new ObjectFetchError('timeout')));
      options.transport({ url, method: 'GET', headers: signed.headers as Record<string, string>, body: '', deadline }).then(resolve, reject);
    });
  } catch {
    throw new ObjectFetchError(deadline.expired ? 'timeout' : 'network_error');
  } finally {
    deadline.cancel();
  }
  if (response.status !== 200) throw new ObjectFetchError(`http_${response.status}`);
  return response.body;
}
