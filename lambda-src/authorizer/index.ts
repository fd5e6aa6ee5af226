/**
 * API Gateway Lambda authorizer (TOKEN, or REQUEST with the configured header): the Lambda entry.
 * It only wires the pure parts to the runtime: the configuration from the environment, the key
 * cache to a SigV4-signed GetSecretValue call (node:http/https) under a deadline, and each decision to the console
 * and to a policy or `Error('Unauthorized')`. The contract (environment, role map) is in
 * src/private/authorizer-contract.ts; the rules are in core.ts, key-cache.ts and decide.ts.
 *
 * IAM: `secretsmanager:GetSecretValue` on the secret, plus `kms:Decrypt` on its key when the
 * secret is encrypted with a customer managed key. In JWKS mode (`JWT_JWKS_URL`, or
 * `JWT_OIDC_ISSUER_URL` for discovery), none: the function only GETs the issuer's discovery
 * document and the public JWK Set over HTTPS.
 */
import { JwksSettings, parseJwksSettings } from './asymmetric';
import { AllowResponse, AuthorizerConfig, ConfigResult, parseConfig } from './core';
import { createDecider, Decision, logLine } from './decide';
import { nodeTransport } from './http-transport';
import { fetchJwksDocument, JwksCache } from './jwks-cache';
import { createJwksDecider } from './jwks-decide';
import { KeyCache } from './key-cache';
import { DiscoveringJwksFetcher } from './oidc-discovery';
import { getSecretString } from './secrets-manager';
import { ENV } from '../../src/private/authorizer-contract';

const parsedConfig = parseConfig(process.env);
// JWKS mode (JWT_JWKS_URL or JWT_OIDC_ISSUER_URL set): asymmetric tokens against a published key set, no secret at all.
const jwksSettings = parseJwksSettings(process.env);
const config: ConfigResult = parsedConfig.ok && jwksSettings && 'problem' in jwksSettings ? { ok: false, problem: jwksSettings.problem } : parsedConfig;
if (!config.ok) {
  console.log(JSON.stringify({ source: 'jwt-authorizer', level: 'error', msg: 'invalid authorizer configuration: every request is denied', problem: config.problem }));
}

function secretDecider(): (event: unknown) => Decision | Promise<Decision> {
  const keys = new KeyCache({
    fetchSecret: async (nowMs) => {
      const secretId = process.env[ENV.secretId];
      if (!secretId || !config.ok) throw new Error('no secret to read');
      const timeoutMs = config.config.keyFetchTimeoutMs;
      return getSecretString({ env: process.env, secretId, timeoutMs, transport: nodeTransport, now: new Date(nowMs) });
    },
    ttlSeconds: config.ok ? config.config.keyCacheTtlSeconds : 0,
    refetchMinIntervalSeconds: config.ok ? config.config.keyRefetchMinIntervalSeconds : 1,
  });
  // Read Date.now at each call (not captured once), so a patched clock is seen too.
  return createDecider({ config, keys, now: () => Date.now() });
}

function jwksDecider(cfg: AuthorizerConfig, settings: JwksSettings): (event: unknown) => Decision | Promise<Decision> {
  const fetchDocument = (url: URL, timeoutMs: number, maxBytes?: number): Promise<string> =>
    fetchJwksDocument(url, timeoutMs, nodeTransport, maxBytes);
  const fetchJwks = 'url' in settings
    ? () => fetchDocument(new URL(settings.url), cfg.keyFetchTimeoutMs)
    : new DiscoveringJwksFetcher({
      issuerUrl: settings.issuerUrl,
      ttlSeconds: cfg.keyCacheTtlSeconds,
      timeoutMs: cfg.keyFetchTimeoutMs,
      fetchDocument,
      now: () => Date.now(),
      onProblem: (reason) => console.log(JSON.stringify({ source: 'jwt-authorizer', level: 'warn', msg: 'OIDC discovery failed', reason })),
    }).fetchJwks;
  const keys = new JwksCache({
    fetchJwks,
    algorithms: settings.algorithms,
    ttlSeconds: cfg.keyCacheTtlSeconds,
    refetchMinIntervalSeconds: cfg.keyRefetchMinIntervalSeconds,
    onIgnoredKeys: (ignored) => console.log(JSON.stringify({ source: 'jwt-authorizer', level: 'warn', msg: 'JWKS keys ignored', ignored })),
  });
  return createJwksDecider({ config: cfg, settings, keys, now: () => Date.now() });
}

const decide = config.ok && jwksSettings && !('problem' in jwksSettings) ? jwksDecider(config.config, jwksSettings) : secretDecider();

export async function handler(event: unknown): Promise<AllowResponse> {
  let d: Decision;
  try {
    const pending = decide(event);
    d = pending instanceof Promise ? await pending : pending;
  } catch {
    d = { reason: 'internal_error' };
  }
  console.log(logLine(d, event));
  // The only way out with a policy is a decision that carries one; everything else is a 401.
  if (!d.response) throw new Error('Unauthorized');
  return d.response;
}
