/**
 * API Gateway Lambda authorizer (TOKEN, or REQUEST with the configured header) for HS256 tokens
 * against a key ring in Secrets Manager: the Lambda entry of assets/authorizer. It only wires the
 * pure parts to the runtime: the configuration from the environment (entry.ts), the ring's
 * signed GetSecretValue (node:https) under a deadline, and each decision to the console and to a
 * policy or `Error('Unauthorized')`. The asymmetric key sources ship as assets/authorizer-jwks
 * (../authorizer-jwks/index.ts), so this container never loads their code; an environment naming
 * one of them is refused (config_invalid). The contract (environment, role map) is in
 * src/authorizer/authorizer-contract.ts; the rules are in core.ts, decide.ts and key-cache.ts.
 *
 * IAM: `secretsmanager:GetSecretValue` on the secret (`JWT_SECRET_ID`), plus `kms:Decrypt` on its
 * key when it is a customer managed one.
 */
import { createDecider } from './decide';
import { authorizerHandler } from './entry';
import { nodeTransport } from './http-transport';
import { KeyCache } from './key-cache';
import { parseSecretRingSettings, secretRingSource } from './key-sources';
import { getSecretString } from './secrets-manager';

export const handler = authorizerHandler(parseSecretRingSettings(process.env), (config, s) => {
  if (s.kind !== 'secret') throw new Error(`unexpected key source ${s.kind}`);
  const env = process.env;
  const timeoutMs = config.keyFetchTimeoutMs;
  const keys = new KeyCache({
    fetchSecret: async (nowMs) => getSecretString({ env, secretId: s.secretId, timeoutMs, transport: nodeTransport, now: new Date(nowMs) }),
    ttlSeconds: config.keyCacheTtlSeconds,
    refetchMinIntervalSeconds: config.keyRefetchMinIntervalSeconds,
  });
  // Read Date.now at each call (not captured once), so a patched clock is seen too.
  return createDecider({ config: { ok: true, config }, source: (c) => secretRingSource(c, keys), now: () => Date.now() });
});
