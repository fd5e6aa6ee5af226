/**
 * What both authorizer entries (index.ts: the HS256 ring; ../authorizer-jwks/index.ts: the
 * asymmetric key sources) share: the configuration from the environment, refused as a whole when
 * either the contract or the key source is invalid, and the Lambda handler around the decider.
 */
import { AllowResponse, AuthorizerConfig, ConfigResult, parseConfig } from './core';
import { Decision, logLine } from './decide';
import { KeySourceSettings } from './key-sources';

type Decide = (event: unknown) => Decision | Promise<Decision>;

/**
 * The handler for the environment: `decider` builds the decision function from a valid
 * configuration; an invalid one is logged once and denies every request (config_invalid).
 */
export function authorizerHandler(
  settings: KeySourceSettings | { readonly problem: string },
  decider: (config: AuthorizerConfig, settings: KeySourceSettings) => Decide,
): (event: unknown) => Promise<AllowResponse> {
  const parsed = parseConfig(process.env);
  const config: ConfigResult = parsed.ok && 'problem' in settings ? { ok: false, problem: settings.problem } : parsed;
  if (!config.ok) {
    console.log(JSON.stringify({ source: 'jwt-authorizer', level: 'error', msg: 'invalid authorizer configuration: every request is denied', problem: config.problem }));
  }
  const decide: Decide = config.ok && !('problem' in settings) ? decider(config.config, settings) : () => ({ reason: 'config_invalid' });
  return async (event) => {
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
  };
}
