/**
 * One JWKS-mode decision per API Gateway event: decide.ts's flow (token from the header,
 * structure checked before any key is fetched, synchronous while the set is cached, a
 * rate-limited refetch on an unknown kid) over asymmetric.ts and jwks-cache.ts.
 */
import { AsymmetricToken, AsymmetricVerify, JwksSettings, parseAsymmetricToken, RoleUnions, verifyAsymmetric } from './asymmetric';
import { allowResponse, AuthorizerConfig, MethodArnPrefix, parseMethodArn } from './core';
import { Decision, tokenFrom } from './decide';
import { JwksCache } from './jwks-cache';

export interface JwksDeciderOptions {
  readonly config: AuthorizerConfig;
  readonly settings: JwksSettings;
  readonly keys: JwksCache;
  readonly now: () => number;
}

export function createJwksDecider(options: JwksDeciderOptions): (event: unknown) => Decision | Promise<Decision> {
  const { keys, now, settings } = options;
  const roles = new RoleUnions(options.config);
  const config = roles.config;

  function decision(result: AsymmetricVerify, arn: MethodArnPrefix): Decision {
    if (!result.ok) return { reason: result.reason, kid: result.kid };
    const response = allowResponse(result.identity, arn, config);
    if (!response) return { reason: 'bad_method_arn', kid: result.kid };
    return { response, reason: 'ok', kid: result.kid, role: result.identity.role };
  }

  async function afterFetch(token: AsymmetricToken, arn: MethodArnPrefix, nowMs: number, force: boolean): Promise<Decision> {
    let result: AsymmetricVerify;
    try {
      const entry = force ? await keys.fetch(nowMs) : await keys.current(nowMs);
      result = verifyAsymmetric(token, entry.jwks.keys, nowMs, roles);
    } catch {
      return { reason: 'keys_unavailable', kid: token.kid };
    }
    return decision(result, arn);
  }

  return (event) => {
    if (typeof event !== 'object' || event === null) return { reason: 'no_token' };
    const ev = event as Record<string, unknown>;
    const arn = parseMethodArn(ev.methodArn);
    if (!arn) return { reason: 'bad_method_arn' };
    const token = tokenFrom(ev, config.headerName);
    if (token === undefined) return { reason: 'no_token' };
    // Malformed tokens and disallowed algorithms are refused before the JWKS is fetched.
    const parsed = parseAsymmetricToken(token, config.maxTokenBytes, settings.algorithms);
    if (!parsed.ok) return { reason: parsed.reason };
    const nowMs = now();
    const entry = keys.fresh(nowMs);
    if (!entry) return afterFetch(parsed.token, arn, nowMs, false);
    const result = verifyAsymmetric(parsed.token, entry.jwks.keys, nowMs, roles);
    if (!result.ok && (result.reason === 'unknown_kid' || result.reason === 'no_keys') && keys.claimForcedRefetch(entry, nowMs)) {
      return afterFetch(parsed.token, arn, nowMs, true);
    }
    return decision(result, arn);
  };
}
