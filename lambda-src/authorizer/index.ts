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
import { AllowResponse, buildPolicy, DenyReason, extractToken, parseConfig, parseMethodArn, parseToken, verifyParsedToken, VerifyResult } from './core';
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
    cached = { ring: isBootstrapValue(value) ? undefined : parseKeyRing(value), fetchedAtMs: nowMs };
    return cached;
  } catch (e) {
    lastFailureMs = nowMs;
    throw e instanceof KeysUnavailable ? e : new KeysUnavailable('fetching or parsing the key ring failed');
  }
}

async function currentRing(nowMs: number, ttlSeconds: number): Promise<CachedRing> {
  if (cached && nowMs - cached.fetchedAtMs < ttlSeconds * 1000) return cached;
  // An expired cache is not served on failure: a key pulled in an emergency rotation must stop
  // working within one TTL even if Secrets Manager is unreachable.
  cached = undefined;
  return fetchRing(nowMs);
}

function keysOf(entry: CachedRing, now: Date): ReadonlyMap<string, Buffer> | undefined {
  return entry.ring ? verificationKeys(entry.ring, now) : undefined;
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

async function decide(event: unknown): Promise<Decision> {
  if (!configResult.ok) return { reason: 'config_invalid' };
  const config = configResult.config;
  if (typeof event !== 'object' || event === null) return { reason: 'no_token' };
  const ev = event as Record<string, unknown>;
  const methodArn = ev.methodArn;
  if (typeof methodArn !== 'string' || !parseMethodArn(methodArn)) return { reason: 'bad_method_arn' };
  const token = tokenFrom(ev);
  if (token === undefined) return { reason: 'no_token' };

  // Malformed tokens are refused before the key ring is fetched: junk costs no Secrets Manager call.
  const parsed = parseToken(token, config);
  if (!parsed.ok) return { reason: parsed.reason };

  const nowMs = Date.now();
  const now = new Date(nowMs);
  let result: VerifyResult;
  try {
    const entry = await currentRing(nowMs, config.keyCacheTtlSeconds);
    result = verifyParsedToken(parsed.token, keysOf(entry, now), now, config);
    // A kid we do not know may be a rotation newer than our cache. Refetch (unless the ring was
    // fetched for this very request), but at most once per window across all requests, so a
    // flood of invented kids cannot hammer Secrets Manager.
    if (!result.ok && (result.reason === 'unknown_kid' || result.reason === 'no_keys')
      && entry.fetchedAtMs !== nowMs
      && nowMs - lastForcedRefetchMs >= config.keyRefetchMinIntervalSeconds * 1000) {
      lastForcedRefetchMs = nowMs;
      result = verifyParsedToken(parsed.token, keysOf(await fetchRing(nowMs), now), now, config);
    }
  } catch {
    return { reason: 'keys_unavailable', kid: parsed.token.kid };
  }
  if (!result.ok) return { reason: result.reason, kid: result.kid };

  const response = buildPolicy(result.identity, methodArn, config);
  if (!response) return { reason: 'bad_method_arn', kid: result.kid };
  return { response, reason: 'ok', kid: result.kid, role: result.identity.role };
}

/** One JSON line per decision. Never the token, its signature or any key: only codes and ids. */
function log(fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ source: 'jwt-authorizer', ...fields }));
}

export async function handler(event: unknown): Promise<AllowResponse> {
  let decision: Decision;
  try {
    decision = await decide(event);
  } catch {
    decision = { reason: 'internal_error' };
  }
  const eventType = typeof event === 'object' && event !== null ? (event as Record<string, unknown>).type : undefined;
  log({
    level: decision.response ? 'info' : 'warn',
    decision: decision.response ? 'allow' : 'deny',
    reason: decision.reason,
    eventType: eventType === 'TOKEN' || eventType === 'REQUEST' ? eventType : 'unknown',
    ...(decision.kid ? { kid: decision.kid } : {}),
    ...(decision.role ? { role: decision.role } : {}),
  });
  // The only way out with a policy is a decision that carries one; everything else is a 401.
  if (!decision.response) throw new Error('Unauthorized');
  return decision.response;
}
