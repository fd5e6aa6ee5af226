/**
 * Node signing helper for issuers: signs claims with the ring's current key, so an issuer never
 * has to know about kids, rotation or grace periods. Accepts key ring versions 1 and 2.
 */
import { signAsymmetric } from './asymmetric';
import { signHs256 } from './hs256';
import { isBootstrapValue, KeyRingError, parseKeyRing, privateKeyOf } from '../key-ring';

export interface IssueTokenOptions {
  /** Seconds from `iat` to `exp`. A positive integer, at most the ring's `maxTokenLifetimeSeconds`. */
  readonly ttlSeconds: number;
  /** Issue time; defaults to the current time. */
  readonly now?: Date;
}

/**
 * Returns a compact JWT signed with the ring's algorithm (HS256, ES256 or EdDSA) for `claims` (iss, aud, sub, role, ...) with `iat` and `exp` set
 * here, overriding any the caller passed, so a token's lifetime is always the one asked for.
 * Throws KeyRingError when `ringJson` is not a key ring (with its own message for the bootstrap
 * value a secret holds until its first rotation), and RangeError for a `ttlSeconds` the ring's
 * verifiers would refuse.
 */
export function issueToken(ringJson: string, claims: Readonly<Record<string, unknown>>, opts: IssueTokenOptions): string {
  if (!Number.isInteger(opts.ttlSeconds) || opts.ttlSeconds <= 0) {
    throw new RangeError('ttlSeconds must be a positive integer');
  }
  if (isBootstrapValue(ringJson)) {
    throw new KeyRingError('the secret has not rotated yet: it still holds its bootstrap value and no signing key');
  }
  const ring = parseKeyRing(ringJson);
  if (ring.maxTokenLifetimeSeconds !== undefined && opts.ttlSeconds > ring.maxTokenLifetimeSeconds) {
    throw new RangeError(`ttlSeconds must be at most the ring's maxTokenLifetimeSeconds (${ring.maxTokenLifetimeSeconds}), got ${opts.ttlSeconds}`);
  }
  const nowMs = (opts.now ?? new Date()).getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('now must be a valid date');
  const iat = Math.floor(nowMs / 1000);
  const signed = { ...claims, iat, exp: iat + opts.ttlSeconds };
  if (ring.algorithm === 'HS256') return signHs256(signed, Buffer.from(ring.current.key, 'base64url'), ring.current.kid);
  return signAsymmetric(signed, ring.algorithm, privateKeyOf(ring.algorithm, ring.current.key), ring.current.kid);
}

export { KeyRingError };
