/**
 * GetSecretValue as one SigV4-signed HTTPS POST (aws4fetch: fetch + WebCrypto), instead of the
 * SDK client whose 450 KB dominated the authorizer's cold start. Only what the authorizer needs:
 * AWSCURRENT of one secret, Lambda's environment credentials (session token included), the
 * Region's endpoint on its partition's DNS suffix or AWS_ENDPOINT_URL_SECRETS_MANAGER, and one
 * deadline for the whole call (connect, TLS, request and body).
 */
// Bundled into the asset by esbuild, pinned in package.json: a devDependency on purpose.
// eslint-disable-next-line import/no-extraneous-dependencies
import { AwsV4Signer } from 'aws4fetch';

type Env = Readonly<Record<string, string | undefined>>;
export type FetchFn = (url: string, init: { method: string; headers: Headers; body: string; signal: AbortSignal }) => Promise<Response>;

/** Why the secret could not be read: a code for the log line, never a value. */
export class SecretFetchError extends Error {}

/** The DNS suffix of the partition a Region belongs to. */
export function dnsSuffix(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('us-isob-')) return 'sc2s.sgov.gov';
  if (region.startsWith('us-isof-')) return 'csp.hci.ic.gov';
  if (region.startsWith('us-iso-')) return 'c2s.ic.gov';
  if (region.startsWith('eu-isoe-')) return 'cloud.adc-e.uk';
  return 'amazonaws.com';
}

/** The service endpoint, with the SDK's precedence: service-specific override, global override, Region. */
export function secretsManagerEndpoint(env: Env, region: string): string {
  const endpoint = env.AWS_ENDPOINT_URL_SECRETS_MANAGER || env.AWS_ENDPOINT_URL;
  return endpoint ? endpoint : `https://secretsmanager.${region}.${dnsSuffix(region)}`;
}

export interface GetSecretStringOptions {
  readonly env: Env;
  readonly secretId: string;
  /** Deadline for the whole call, response body included. */
  readonly timeoutMs: number;
  readonly fetch: FetchFn;
  /** The signing time (SigV4 rejects a clock more than 5 minutes off). */
  readonly now: Date;
}

/** The AWSCURRENT SecretString of `secretId`. Rejects with SecretFetchError, never hangs past the deadline. */
export async function getSecretString(options: GetSecretStringOptions): Promise<string> {
  const { env } = options;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!region) throw new SecretFetchError('no_region');
  if (!accessKeyId || !secretAccessKey) throw new SecretFetchError('no_credentials');

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    const signed = await new AwsV4Signer({
      method: 'POST',
      url: secretsManagerEndpoint(env, region),
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'secretsmanager.GetSecretValue' },
      // AWSCURRENT only: a pending version is not trusted until rotation promotes it.
      body: JSON.stringify({ SecretId: options.secretId, VersionStage: 'AWSCURRENT' }),
      accessKeyId,
      secretAccessKey,
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
      service: 'secretsmanager',
      region,
      datetime: options.now.toISOString().replace(/[:-]|\.\d{3}/g, ''),
    }).sign();
    const response = await options.fetch(signed.url.toString(), {
      method: signed.method,
      headers: signed.headers,
      body: signed.body as string,
      signal: controller.signal,
    });
    // The body is read under the same deadline: a server that sends headers and stalls is cut off too.
    const text = await response.text();
    if (!response.ok) throw new SecretFetchError(`http_${response.status}`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new SecretFetchError('bad_response');
    }
    const secretString = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).SecretString : undefined;
    if (typeof secretString !== 'string') throw new SecretFetchError('no_secret_string');
    return secretString;
  } catch (e) {
    if (e instanceof SecretFetchError) throw e;
    throw new SecretFetchError(controller.signal.aborted ? 'timeout' : 'network_error');
  } finally {
    clearTimeout(timer);
  }
}
