/**
 * API Gateway Lambda authorizer (TOKEN, or REQUEST with the configured header): the Lambda entry.
 * It only wires the pure parts to the runtime: the configuration from the environment, the key
 * source it names (key-sources.ts) to its signed or plain HTTPS fetch (node:http/https) under a
 * deadline, and each decision to the console and to a policy or `Error('Unauthorized')`. The
 * contract (environment, role map) is in src/private/authorizer-contract.ts; the rules are in
 * core.ts, decide.ts and the caches.
 *
 * IAM, by key source: a key ring (`JWT_SECRET_ID`): `secretsmanager:GetSecretValue` on the
 * secret, plus `kms:Decrypt` on its key when it is a customer managed one. An asymmetric ring's
 * JWKS (`JWT_JWKS_BUCKET`): `s3:GetObject` on that one object, and no secret permission at all.
 * An identity provider (`JWT_JWKS_URL`, or `JWT_OIDC_ISSUER_URL` for discovery): none, the
 * function only GETs the issuer's discovery document and the public JWK Set over HTTPS.
 */
import { AllowResponse, AuthorizerConfig, ConfigResult, parseConfig } from './core';
import { createDecider, Decision, logLine } from './decide';
import { nodeTransport } from './http-transport';
import { JwsAlgorithm } from './jwks';
import { fetchJwksDocument, JwksCache } from './jwks-cache';
import { KeyCache } from './key-cache';
import { jwksSource, KeySourceSettings, parseKeySourceSettings, secretRingSource } from './key-sources';
import { DiscoveringJwksFetcher } from './oidc-discovery';
import { getS3Object } from './s3-object';
import { getSecretString } from './secrets-manager';

const parsedConfig = parseConfig(process.env);
const settings = parseKeySourceSettings(process.env);
const config: ConfigResult = parsedConfig.ok && 'problem' in settings ? { ok: false, problem: settings.problem } : parsedConfig;
if (!config.ok) {
  console.log(JSON.stringify({ source: 'jwt-authorizer', level: 'error', msg: 'invalid authorizer configuration: every request is denied', problem: config.problem }));
}

function jwksCache(cfg: AuthorizerConfig, algorithms: readonly JwsAlgorithm[], fetchJwks: (nowMs: number) => Promise<string>): JwksCache {
  return new JwksCache({
    fetchJwks,
    algorithms,
    ttlSeconds: cfg.keyCacheTtlSeconds,
    refetchMinIntervalSeconds: cfg.keyRefetchMinIntervalSeconds,
    onIgnoredKeys: (ignored) => console.log(JSON.stringify({ source: 'jwt-authorizer', level: 'warn', msg: 'JWKS keys ignored', ignored })),
  });
}

function decider(cfg: AuthorizerConfig, s: KeySourceSettings): (event: unknown) => Decision | Promise<Decision> {
  const timeoutMs = cfg.keyFetchTimeoutMs;
  const env = process.env;
  // Read Date.now at each call (not captured once), so a patched clock is seen too.
  const now = (): number => Date.now();
  switch (s.kind) {
    case 'secret': {
      const keys = new KeyCache({
        fetchSecret: async (nowMs) => getSecretString({ env, secretId: s.secretId, timeoutMs, transport: nodeTransport, now: new Date(nowMs) }),
        ttlSeconds: cfg.keyCacheTtlSeconds,
        refetchMinIntervalSeconds: cfg.keyRefetchMinIntervalSeconds,
      });
      return createDecider({ config, source: (c) => secretRingSource(c, keys), now });
    }
    case 'ringJwks': {
      const location = s.location;
      const getJwks = (nowMs: number): Promise<string> => getS3Object({ env, location, timeoutMs, transport: nodeTransport, now: new Date(nowMs) });
      const keys = jwksCache(cfg, s.algorithms, getJwks);
      return createDecider({ config, source: (c) => jwksSource(c, s.algorithms, keys), now });
    }
    case 'jwksUrl': {
      const url = new URL(s.url);
      const keys = jwksCache(cfg, s.algorithms, () => fetchJwksDocument(url, timeoutMs, nodeTransport));
      return createDecider({ config, source: (c) => jwksSource(c, s.algorithms, keys), now });
    }
    case 'oidcDiscovery': {
      const discovery = new DiscoveringJwksFetcher({
        issuerUrl: s.issuerUrl,
        ttlSeconds: cfg.keyCacheTtlSeconds,
        timeoutMs,
        fetchDocument: (url, ms, maxBytes) => fetchJwksDocument(url, ms, nodeTransport, maxBytes),
        now,
        onProblem: (reason) => console.log(JSON.stringify({ source: 'jwt-authorizer', level: 'warn', msg: 'OIDC discovery failed', reason })),
      });
      const keys = jwksCache(cfg, s.algorithms, discovery.fetchJwks);
      return createDecider({ config, source: (c) => jwksSource(c, s.algorithms, keys), now });
    }
  }
}

const decide = config.ok && !('problem' in settings) ? decider(config.config, settings) : (): Decision => ({ reason: 'config_invalid' });

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
