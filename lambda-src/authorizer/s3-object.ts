/**
 * S3 GetObject as one SigV4-signed HTTPS GET, the way secrets-manager.ts reads the key ring: the
 * JWKS an asymmetric RotatingJwtSecret publishes is a private object that only principals given
 * `grantReadPublicKeys` may read. Lambda's environment credentials (session token included), the
 * bucket's Region endpoint on its partition's DNS suffix (virtual-hosted style), or path-style
 * under AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (a custom endpoint such as moto has no bucket
 * subdomains), and one deadline for the whole call. Signing is sigv4.ts, by S3's rules; the
 * transport is injected.
 */
import { sendBeforeDeadline } from './deadline';
import { dnsSuffix } from './secrets-manager';
import { signSigV4, uriEncode } from './sigv4';
import type { Transport } from './transport';

type Env = Readonly<Record<string, string | undefined>>;

/** Why the object could not be read: a code for the log line, never a value. */
export class ObjectFetchError extends Error {}

export interface S3ObjectLocation {
  readonly bucket: string;
  readonly key: string;
  /** The bucket's Region: signs the request and names the endpoint. */
  readonly region: string;
}

/**
 * The path that names the object: each key segment percent-encoded as the AWS SDK's S3 client
 * does (RFC 3986 unreserved characters only), the slashes kept, and `.`, `..` and empty segments
 * kept too, since S3 keys them literally.
 */
function objectPath(env: Env, location: S3ObjectLocation): { origin: string; path: string } {
  const key = location.key.split('/').map(uriEncode).join('/');
  const override = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  if (!override) return { origin: `https://${location.bucket}.s3.${location.region}.${dnsSuffix(location.region)}`, path: `/${key}` };
  const endpoint = new URL(override);
  return { origin: endpoint.origin, path: `${endpoint.pathname.replace(/\/+$/, '')}/${uriEncode(location.bucket)}/${key}` };
}

/**
 * Where the GetObject goes, with the SDK's precedence: S3 override, global override, the bucket's
 * Region. `url` has `.` and `..` key segments resolved (WHATWG URL), so the request sends `path`.
 */
export function s3ObjectTarget(env: Env, location: S3ObjectLocation): { readonly url: URL; readonly path: string } {
  const { origin, path } = objectPath(env, location);
  return { url: new URL(origin + path), path };
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
  let target: { readonly url: URL; readonly path: string };
  try {
    target = s3ObjectTarget(env, location);
  } catch {
    throw new ObjectFetchError('bad_endpoint');
  }
  const { url, path } = target;
  const headers = signSigV4({
    method: 'GET',
    host: url.host,
    path,
    service: 's3',
    region: location.region,
    body: '',
    headers: { Accept: 'application/json' },
    now: options.now,
  }, { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined });

  const response = await sendBeforeDeadline(options.transport, { url, path, method: 'GET', headers, body: '' }, options.timeoutMs,
    (reason) => new ObjectFetchError(reason));
  if (response.status !== 200) throw new ObjectFetchError(`http_${response.status}`);
  return response.body;
}
