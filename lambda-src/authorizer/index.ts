/**
 * API Gateway Lambda authorizer (TOKEN, or REQUEST with an `Authorization` header): the thin
 * adapter around core.ts. It only reads the key ring (AWSCURRENT of `JWT_SECRET_ID`), caches
 * it in module scope, and turns the core's decision into a policy or `Error('Unauthorized')`.
 * Environment variables and the role map format are documented at the top of core.ts.
 *
 * IAM: `secretsmanager:GetSecretValue` on the secret, plus `kms:Decrypt` on its key when the
 * secret is encrypted with a customer managed key (see core.ts for the full deployment notes).
 */
// The SDK is bundled into the asset by esbuild (build-tools/bundle-handlers.ts), so it is a
// devDependency of the library on purpose.
// eslint-disable-next-line import/no-extraneous-dependencies
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AllowResponse, allowResponse, AuthorizerConfig, DenyReason, extractToken, MethodArnPrefix, parseConfig, parseMethodArn, ParsedToken, parseToken, verifyParsedToken, VerifyResult } from './core';
import { isBootstrapValue, KeyRing, parseKeyRing, verificationKeys } from '../key-ring';

const configResult = parseConfig(process.env);
if (!configResult.ok) {
  log({ level: 'error', msg: 'invalid authorizer configuration: every request is denied', problem: configResult.problem });
}

/** After a failed fetch, deny without calling again for this long, so an outage is not amplified. */
const FETCH_FAILURE_BACKOFF_MS = 1000;

interface CachedRing {
  /** undefined while the secret still holds its bootstrap value (no keys yet). */
  readonly ring: KeyRing | undefined;
  readonly fetchedAtMs: number;
  /**
   * `verificationKeys(ring, t)` for every t in [keysFromMs, keysUntilMs): the set only changes
   * when a previous key expires. Lives on this entry, so a new ring never sees old keys.
   */
  keys?: ReadonlyMap<string, Buffer>;
  keysFromMs: number;
  keysUntilMs: number;
}

let client: SecretsManagerClient | undefined;
let cached: CachedRing | undefined;
let lastFailureMs = -Infinity;
let lastForcedRefetchMs = -Infinity;

class KeysUnavailable extends Error {}

async function fetchRing(nowMs: number): Promise<CachedRing> {
  const secretId = process.env.JWT_SECRET_ID;
  if (!secretId) throw new KeysUnavailable('JWT_SECRET_ID is not set');
  if (nowMs - lastFailureMs < FETCH_FAILURE_BACKOFF_MS) throw new KeysUnavailable('backing off after a failed fetch');
  try {
    // Default client config (region, credentials, AWS_ENDPOINT_URL_SECRETS_MANAGER) with short
    // timeouts: API Gateway gives the authorizer 10 s at most, and a slow answer is a deny anyway.
    client ??= new SecretsManagerClient({ maxAttempts: 2, requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } });
    // AWSCURRENT only: a pending version is not trusted until rotation promotes it.
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
    const value = out.SecretString;
    if (typeof value !== 'string') throw new KeysUnavailable('the secret has no SecretString');
    cached = { ring: isBootstrapValue(value) ? undefined : parseKeyRing(value), fetchedAtMs: nowMs, keysFromMs: 0, keysUntilMs: 0 };
    return cached;
  } catch (e) {
    lastFailureMs = nowMs;
    throw e instanceof KeysUnavailable ? e : new KeysUnavailable('fetching or parsing the key ring failed');
  }
}

/** The cached ring if it is still within its TTL. */
function freshRing(nowMs: number, ttlSeconds: number): CachedRing | undefined {
  return cached && nowMs - cached.fetchedAtMs < ttlSeconds * 1000 ? cached : undefined;
}

async function currentRing(nowMs: number, ttlSeconds: number): Promise<CachedRing> {
  const fresh = freshRing(nowMs, ttlSeconds);
  if (fresh) return fresh;
  // An expired cache is not served on failure: a key pulled in an emergency rotation must stop
  // working within one TTL even if Secrets Manager is unreachable.
  cached = undefined;
  return fetchRing(nowMs);
}

function keysOf(entry: CachedRing, nowMs: number): ReadonlyMap<string, Buffer> | undefined {
  const ring = entry.ring;
  if (!ring) return undefined;
  if (!entry.keys || nowMs < entry.keysFromMs || nowMs >= entry.keysUntilMs) {
    entry.keys = verificationKeys(ring, new Date(nowMs));
    entry.keysFromMs = nowMs;
    // The set stays the same until the first previous key that is still accepted expires.
    let until = Infinity;
    for (const k of ring.previous) {
      const expiresMs = Date.parse(k.expiresAt);
      if (expiresMs > nowMs && expiresMs < until) until = expiresMs;
    }
    entry.keysUntilMs = until;
  }
  return entry.keys;
}

interface Decision {
  readonly response?: AllowResponse;
  readonly reason: DenyReason | 'ok';
  readonly kid?: string;
  readonly role?: string;
}

function tokenFrom(event: Record<string, unknown>): string | undefined {
  if (event.type === 'TOKEN') return extractToken(event.authorizationToken);
  if (event.type !== 'REQUEST') return undefined;
  const headers = event.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const names = Object.keys(headers).filter((name) => name.toLowerCase() === 'authorization');
  // Two spellings of the header, or a repeated header, is ambiguous: refuse rather than pick one.
  if (names.length !== 1) return undefined;
  const multi = event.multiValueHeaders as Record<string, unknown> | null | undefined;
  const values = multi && typeof multi === 'object' ? multi[names[0]] : undefined;
  if (Array.isArray(values) && values.length > 1) return undefined;
  return extractToken((headers as Record<string, unknown>)[names[0]]);
}

/**
 * The decision for one event. Synchronous while the key ring is cached (the warm path); only a
 * fetch from Secrets Manager (cold, expired TTL, or an unknown-kid refetch) returns a promise.
 */
function decide(event: unknown): Decision | Promise<Decision> {
  if (!configResult.ok) return { reason: 'config_invalid' };
  const config = configResult.config;
  if (typeof event !== 'object' || event === null) return { reason: 'no_token' };
  const ev = event as Record<string, unknown>;
  const arn = parseMethodArn(ev.methodArn);
  if (!arn) return { reason: 'bad_method_arn' };
  const token = tokenFrom(ev);
  if (token === undefined) return { reason: 'no_token' };

  // Malformed tokens are refused before the key ring is fetched: junk costs no Secrets Manager call.
  const parsed = parseToken(token, config);
  if (!parsed.ok) return { reason: parsed.reason };

  const nowMs = Date.now();
  const entry = freshRing(nowMs, config.keyCacheTtlSeconds);
  if (!entry) return decideAfterFetch(parsed.token, arn, nowMs, config);
  let result: VerifyResult;
  try {
    result = verifyParsedToken(parsed.token, keysOf(entry, nowMs), new Date(nowMs), config);
  } catch {
    return { reason: 'keys_unavailable', kid: parsed.token.kid };
  }
  // A kid we do not know may be a rotation newer than our cache. Refetch (unless the ring was
  // fetched for this very request), but at most once per window across all requests, so a
  // flood of invented kids cannot hammer Secrets Manager.
  if (!result.ok && (result.reason === 'unknown_kid' || result.reason === 'no_keys')
    && entry.fetchedAtMs !== nowMs
    && nowMs - lastForcedRefetchMs >= config.keyRefetchMinIntervalSeconds * 1000) {
    lastForcedRefetchMs = nowMs;
    return decideAfterFetch(parsed.token, arn, nowMs, config, true);
  }
  return decision(result, arn, config);
}

/** The slow path: fetch the ring (the cached one if still fresh, unless `force`), then verify. */
async function decideAfterFetch(token: ParsedToken, arn: MethodArnPrefix, nowMs: number, config: AuthorizerConfig, force = false): Promise<Decision> {
  let result: VerifyResult;
  try {
    const entry = force ? await fetchRing(nowMs) : await currentRing(nowMs, config.keyCacheTtlSeconds);
    result = verifyParsedToken(token, keysOf(entry, nowMs), new Date(nowMs), config);
  } catch {
    return { reason: 'keys_unavailable', kid: token.kid };
  }
  return decision(result, arn, config);
}

function decision(result: VerifyResult, arn: MethodArnPrefix, config: AuthorizerConfig): Decision {
  if (!result.ok) return { reason: result.reason, kid: result.kid };
  const response = allowResponse(result.identity, arn, config);
  if (!response) return { reason: 'bad_method_arn', kid: result.kid };
  return { response, reason: 'ok', kid: result.kid, role: result.identity.role };
}

/** One JSON line per decision. Never the token, its signature or any key: only codes and ids. */
function log(fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ source: 'jwt-authorizer', ...fields }));
}

/** The allow line is the common one: built from constant text, same fields and order as log(). */
const ALLOW_LINE_START = '{"source":"jwt-authorizer","level":"info","decision":"allow","reason":"ok","eventType":';

export async function handler(event: unknown): Promise<AllowResponse> {
  let d: Decision;
  try {
    const pending = decide(event);
    d = pending instanceof Promise ? await pending : pending;
  } catch {
    d = { reason: 'internal_error' };
  }
  const type = typeof event === 'object' && event !== null ? (event as Record<string, unknown>).type : undefined;
  const eventType = type === 'TOKEN' || type === 'REQUEST' ? type : 'unknown';
  if (d.response && d.reason === 'ok' && d.kid && d.role) {
    console.log(`${ALLOW_LINE_START}"${eventType}","kid":${JSON.stringify(d.kid)},"role":${JSON.stringify(d.role)}}`);
    return d.response;
  }
  log({
    level: d.response ? 'info' : 'warn',
    decision: d.response ? 'allow' : 'deny',
    reason: d.reason,
    eventType,
    ...(d.kid ? { kid: d.kid } : {}),
    ...(d.role ? { role: d.role } : {}),
  });
  // The only way out with a policy is a decision that carries one; everything else is a 401.
  if (!d.response) throw new Error('Unauthorized');
  return d.response;
}
