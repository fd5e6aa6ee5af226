/**
 * What a rotation writes and what it must prove before the new ring goes live. Pure: no SDK,
 * no clock of its own, so the unit and property tests drive it with any instant.
 *
 * createSecret stores a proposal in a candidate version of its own: only the new key material,
 * fixed once so that a retried or concurrent step uses the same keys. No expiry is decided there: finishSecret builds the ring from
 * AWSCURRENT as it is at promotion, so a retired key's grace period starts when the ring goes
 * live, however long the steps in between took.
 */
import { createHash } from 'crypto';
import { asymmetricSignatureMatches, signAsymmetric } from '../jwt/asymmetric';
import { hs256SignatureMatches, signHs256 } from '../jwt/hs256';
import {
  DEFAULT_KEY_BYTES,
  freshKeysNeeded,
  generateSigningKey,
  KEY_RING_ALGORITHM,
  KeyRing,
  KeyRingAlgorithm,
  KeyRingError,
  KeyRingFullError,
  KeyRingV2,
  acceptedKeys,
  parseSigningKey,
  privateKeyOf,
  promoteKeyRing,
  SigningKey,
  verificationKeys,
} from '../key-ring';

/** The candidate version's value: new keys for the ring whose current key is `basedOn` ("bootstrap" for none). */
export interface Proposal {
  readonly proposal: 1;
  readonly basedOn: string;
  readonly keys: readonly SigningKey[];
}

export const BOOTSTRAP_BASE = 'bootstrap';

export function baseOf(ring: KeyRing | undefined): string {
  return ring ? ring.current.kid : BOOTSTRAP_BASE;
}

export function newProposal(base: KeyRing | undefined, now: Date, algorithm: KeyRingAlgorithm = KEY_RING_ALGORITHM): Proposal {
  return {
    proposal: 1,
    basedOn: baseOf(base),
    keys: Array.from({ length: freshKeysNeeded(base) }, () => generateSigningKey(now, DEFAULT_KEY_BYTES, algorithm)),
  };
}

/** The proposal in `secretString` if it is one for `base` holding `algorithm` keys; undefined for anything else. */
export function proposalFor(
  secretString: string | undefined, base: KeyRing | undefined, algorithm: KeyRingAlgorithm = KEY_RING_ALGORITHM,
): Proposal | undefined {
  if (secretString === undefined) return undefined;
  try {
    const value = JSON.parse(secretString) as Record<string, unknown>;
    if (value?.proposal !== 1 || value.basedOn !== baseOf(base) || !Array.isArray(value.keys)) return undefined;
    const keys = value.keys.map((k, i) => parseSigningKey(k, `keys[${i}]`, algorithm));
    if (keys.length !== freshKeysNeeded(base) || !allFresh(keys, base)) return undefined;
    return { proposal: 1, basedOn: value.basedOn, keys };
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof KeyRingError) return undefined;
    throw err;
  }
}

function ringKeys(ring: KeyRing | undefined): SigningKey[] {
  return ring ? [ring.current, ...(ring.next ? [ring.next] : []), ...ring.previous] : [];
}

/** No kid and no key bytes seen in `base`, and none repeated among `keys`. */
function allFresh(keys: readonly SigningKey[], base: KeyRing | undefined): boolean {
  const old = ringKeys(base);
  const kids = new Set(old.map((k) => k.kid));
  const bytes = new Set(old.map((k) => k.key));
  for (const k of keys) {
    if (kids.has(k.kid) || bytes.has(k.key)) return false;
    kids.add(k.kid);
    bytes.add(k.key);
  }
  return true;
}

export interface SuccessorConfig {
  readonly gracePeriodSeconds: number;
  readonly maxTokenLifetimeSeconds: number;
  /** The ring's algorithm. @default HS256 */
  readonly algorithm?: KeyRingAlgorithm;
}

export type SuccessorFailureCode = 'ALGORITHM_CHANGED' | 'KEY_RING_FULL' | 'LIVE_TOKEN_CUT_SHORT' | 'NEXT_KEY_NOT_PROMOTED' | 'KEY_NOT_FRESH' | 'SIGNATURE_CHECK_FAILED';

export class SuccessorError extends Error {
  constructor(readonly code: SuccessorFailureCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'SuccessorError';
  }
}

/**
 * The ring that goes live at `now` after `base` (undefined: the bootstrap value), with the
 * proposal's keys when it is a proposal for `base`, else with keys generated here.
 */
export function buildSuccessor(base: KeyRing | undefined, proposal: Proposal | undefined, now: Date, config: SuccessorConfig): KeyRingV2 {
  const algorithm = ringAlgorithm(base, config);
  const keys = proposal?.keys ?? newProposal(base, now, algorithm).keys;
  if (!base) {
    return { version: 2, algorithm, current: keys[0], next: keys[1], previous: [], maxTokenLifetimeSeconds: config.maxTokenLifetimeSeconds };
  }
  try {
    return promoteKeyRing(base, now, config.gracePeriodSeconds, keys, config.maxTokenLifetimeSeconds);
  } catch (err) {
    if (err instanceof KeyRingFullError) {
      throw new SuccessorError('KEY_RING_FULL', `${err.reason}; no key is dropped before its expiry, so this rotation waits until one expires (or lengthen rotationInterval)`);
    }
    throw err;
  }
}

/**
 * The algorithm of the ring a rotation builds: the configured one. A ring of another algorithm is
 * never converted in place (verifiers of the old algorithm would reject every new token at once,
 * and an HMAC secret must not become a "public" key): the rotation fails, and the README says to
 * create a new secret instead.
 */
export function ringAlgorithm(base: KeyRing | undefined, config: SuccessorConfig): KeyRingAlgorithm {
  const algorithm = config.algorithm ?? KEY_RING_ALGORITHM;
  if (base && base.algorithm !== algorithm) {
    throw new SuccessorError('ALGORITHM_CHANGED', `the ring is ${base.algorithm} but the rotation is configured for ${algorithm}; create a new secret to change algorithm`);
  }
  return algorithm;
}

const TEST_TOKEN_TTL_SECONDS = 60;

function roundTrips(ring: KeyRing, key: SigningKey, now: Date): boolean {
  const iat = Math.floor(now.getTime() / 1000);
  if (ring.algorithm !== 'HS256') {
    // Signed with the private key, verified with the public half derived from the ring's copy.
    const held = acceptedKeys(ring, now).find((k) => k.kid === key.kid);
    if (!held) return false;
    const token = signAsymmetric({ sub: 'rotation-test', iat, exp: iat + TEST_TOKEN_TTL_SECONDS }, ring.algorithm, privateKeyOf(ring.algorithm, key.key), key.kid);
    return asymmetricSignatureMatches(token, ring.algorithm, privateKeyOf(ring.algorithm, held.key));
  }
  const token = signHs256({ sub: 'rotation-test', iat, exp: iat + TEST_TOKEN_TTL_SECONDS }, Buffer.from(key.key, 'base64url'), key.kid);
  const lastDot = token.lastIndexOf('.');
  const verifyKey = verificationKeys(ring, now).get(key.kid);
  return verifyKey !== undefined && hs256SignatureMatches(token.slice(0, lastDot), token.slice(lastDot + 1), verifyKey);
}

/**
 * What must hold for `after` to replace `base` at `now` without a live token failing early:
 * every key `base` accepts is still accepted, at least as long as before; the key issuers signed
 * with until now stays accepted for a whole token lifetime; a published next key is what becomes
 * current; the new keys are new; and the signing key signs tokens that verify.
 */
export function checkSuccessor(base: KeyRing | undefined, after: KeyRingV2, now: Date, config: SuccessorConfig): void {
  const nowMs = now.getTime();
  if (base) {
    const afterExpiry = new Map<string, number>([[after.current.kid, Infinity], [after.next.kid, Infinity]]);
    for (const k of after.previous) afterExpiry.set(k.kid, Date.parse(k.expiresAt));
    const cutShort = (kid: string, neededMs: number): boolean => (afterExpiry.get(kid) ?? -Infinity) < neededMs;
    if (cutShort(base.current.kid, nowMs + config.maxTokenLifetimeSeconds * 1000)) {
      throw new SuccessorError('LIVE_TOKEN_CUT_SHORT', `the key issuers signed with until now (kid ${base.current.kid}) would stop verifying before a token signed now expires`);
    }
    for (const k of base.previous) {
      const expiresMs = Date.parse(k.expiresAt);
      if (expiresMs > nowMs && cutShort(k.kid, expiresMs)) {
        throw new SuccessorError('LIVE_TOKEN_CUT_SHORT', `previous key ${k.kid} would stop verifying before its expiry`);
      }
    }
    if (base.next && (after.current.kid !== base.next.kid || after.current.key !== base.next.key)) {
      throw new SuccessorError('NEXT_KEY_NOT_PROMOTED', `the new current key must be the published next key (kid ${base.next.kid})`);
    }
  }
  const created = base?.next ? [after.next] : [after.current, after.next];
  if (!allFresh(created, base)) throw new SuccessorError('KEY_NOT_FRESH', 'a new key repeats a kid or key bytes of the current ring');
  if (!roundTrips(after, after.current, now) || !roundTrips(after, after.next, now)) {
    throw new SuccessorError('SIGNATURE_CHECK_FAILED', 'a token signed with the new ring did not verify against it');
  }
}

/**
 * The version id of the live ring when the token's own version cannot take it (it already held
 * a value this rotation did not write, e.g. a proposal of an earlier release that stored it
 * there): derived from the rotation's token, so every retry and every concurrent invocation of
 * one rotation names the same version. Earlier releases ended every rotation this way.
 */
export function liveVersionId(clientRequestToken: string): string {
  return derivedVersionId(`cdk-security-blocks/rotation/live/${clientRequestToken}`);
}

/**
 * Staging label of the version that holds createSecret's proposal. A label of its own, because
 * AWSPENDING stays on the token's version (which must remain empty until finishSecret writes
 * the live ring into it) and a version without labels is deprecated and may be deleted.
 */
export const CANDIDATE_STAGE = 'JWTKEYRING_CANDIDATE';

/**
 * The version id of the proposal for one rotation (token) of one base ring in one algorithm: a
 * new id when AWSCURRENT or the configured algorithm changed since createSecret, so a re-run of
 * the rotation proposes keys for the ring it actually rotates instead of finding a stale proposal
 * that no one can overwrite.
 */
export function candidateVersionId(clientRequestToken: string, base: KeyRing | undefined, algorithm: KeyRingAlgorithm): string {
  return derivedVersionId(`cdk-security-blocks/rotation/candidate/${clientRequestToken}/${baseOf(base)}/${algorithm}`);
}

function derivedVersionId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * Lambda's longest timeout: an invocation of finishSecret that wrote the live ring into the
 * token's version either promotes it within this time or is gone.
 */
export const ADOPT_WINDOW_SECONDS = 900;

function sameKey(a: SigningKey, b: SigningKey): boolean {
  return a.kid === b.kid && a.key === b.key && a.createdAt === b.createdAt;
}

/**
 * Whether `held` (what the token's version holds) may go live instead of `built` (the ring this
 * invocation built at `now`): the same keys in the same places, the retired key's expiry decided
 * at most ADOPT_WINDOW_SECONDS before `now` (by a concurrent invocation, or one that crashed
 * between its write and its label move), and every check testSecret makes passing at `now`.
 */
export function adoptable(held: KeyRing, built: KeyRingV2, base: KeyRing | undefined, now: Date, config: SuccessorConfig): held is KeyRingV2 {
  if (held.version !== 2 || !held.next || held.algorithm !== built.algorithm) return false;
  if (held.maxTokenLifetimeSeconds !== built.maxTokenLifetimeSeconds) return false;
  if (!sameKey(held.current, built.current) || !sameKey(held.next, built.next)) return false;
  const live = held.previous.filter((k) => Date.parse(k.expiresAt) > now.getTime());
  if (live.length !== built.previous.length) return false;
  for (let i = 0; i < live.length; i++) {
    const [h, b] = [live[i], built.previous[i]];
    if (!sameKey(h, b)) return false;
    const apartMs = Math.abs(Date.parse(b.expiresAt) - Date.parse(h.expiresAt));
    // The key retired by this rotation (first) expires a grace period after the write; the
    // keys retired before keep their expiry.
    const allowedMs = i === 0 && base ? ADOPT_WINDOW_SECONDS * 1000 : 0;
    if (apartMs > allowedMs) return false;
  }
  try {
    checkSuccessor(base, held as KeyRingV2, now, config);
    return true;
  } catch (err) {
    if (err instanceof SuccessorError) return false;
    throw err;
  }
}
