/**
 * Token verification as the authorizer's decider composes it (lambda-src/authorizer/decide.ts):
 * `parseToken`, then `verifyParsedToken` on the parsed token, without the event and key-cache
 * plumbing around them. Only tests and the fuzzer need the two steps as one call, so the
 * composition lives here rather than as an export of the production module.
 */
import { AuthorizerConfig, parseToken, verifyParsedToken, VerifyResult } from '../../lambda-src/authorizer/core';

/**
 * Verifies a compact HS256 JWS. `keys` is `verificationKeys(ring, now)` (current plus unexpired
 * previous keys, by kid), or undefined when the secret holds no ring yet.
 */
export function verifyToken(
  token: string,
  keys: ReadonlyMap<string, Buffer> | undefined,
  now: Date,
  config: AuthorizerConfig,
): VerifyResult {
  const parsed = parseToken(token, config);
  if (!parsed.ok) return parsed;
  return verifyParsedToken(parsed.token, keys, now, config);
}
