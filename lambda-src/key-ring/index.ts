/**
 * The JWT signing key ring stored in a RotatingJwtSecret: parse, validate, serialize, rotate.
 *
 * This JSON is a public contract (see README "Secret format"). Version 2 carries three kinds of
 * keys: `current` (issuers sign with it), `next` (published one rotation ahead, so every verifier
 * already holds it when it becomes current) and `previous` (retired keys, accepted until their
 * `expiresAt`). Version 1 rings (no `next`) still parse, so verifiers and issuers accept both
 * while the first rotation after an upgrade migrates the secret. One module, used by the rotation
 * handler, the authorizer and the Node signing helper, so the three can never disagree.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, randomBytes } from 'crypto';

export const KEY_RING_VERSION = 2;
export const KEY_RING_VERSIONS = [1, 2] as const;
export const KEY_RING_ALGORITHM = 'HS256';
/**
 * The ring's `algorithm`. HS256 keys are shared secrets (random bytes). ES256 (P-256) and EdDSA
 * (Ed25519) keys are private keys, stored as unencrypted PKCS #8 DER in base64url; their public
 * halves are derived, never stored, and published as a JWKS by the rotation.
 */
export const KEY_RING_ALGORITHMS = ['HS256', 'ES256', 'EdDSA'] as const;
export type KeyRingAlgorithm = typeof KEY_RING_ALGORITHMS[number];
export type AsymmetricAlgorithm = Exclude<KeyRingAlgorithm, 'HS256'>;
/** 256 bits: the HS256 minimum from RFC 7518 section 3.2. */
export const MIN_KEY_BYTES = 32;
export const DEFAULT_KEY_BYTES = 32;
/**
 * Bounds how many retired keys a ring carries (verifiers look keys up by kid, so the bound is
 * about the secret's size, not per-token work). Rotation fails rather than drop a key that can
 * still verify live tokens; the construct rejects schedules that could reach the bound.
 */
export const MAX_PREVIOUS_KEYS = 20;
/** Version 1 rings were capped lower; a v1 ring is read with the old bound. */
const MAX_PREVIOUS_KEYS_V1 = 10;
/** Token lifetime a version 2 ring may declare: up to 24 hours (the construct asks for at least a minute). */
export const MIN_TOKEN_LIFETIME_SECONDS = 1;
export const MAX_TOKEN_LIFETIME_SECONDS = 86_400;

const KID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

export interface SigningKey {
  /** Key id, placed in the JWT header `kid`. */
  readonly kid: string;
  /** Key bytes, base64url without padding: HS256 secret bytes, or PKCS #8 DER of an ES256/EdDSA private key. */
  readonly key: string;
  /** When this key was created (ISO 8601). */
  readonly createdAt: string;
}

export interface RetiredKey extends SigningKey {
  /** Verifiers stop accepting this key at this instant (ISO 8601). */
  readonly expiresAt: string;
}

export interface KeyRing {
  readonly version: 1 | 2;
  readonly algorithm: KeyRingAlgorithm;
  /** The key issuers sign with. */
  readonly current: SigningKey;
  /** Version 2: the key that becomes current at the next rotation. Verifiers accept it already. */
  readonly next?: SigningKey;
  readonly previous: readonly RetiredKey[];
  /** Version 2: the longest `exp - iat` an issuer may give a token signed from this ring. */
  readonly maxTokenLifetimeSeconds?: number;
}

/** A version 2 ring: every field present. */
export interface KeyRingV2 extends KeyRing {
  readonly version: 2;
  readonly next: SigningKey;
  readonly maxTokenLifetimeSeconds: number;
}

/** A key ring that failed validation. The message names the field, never the key bytes. */
export class KeyRingError extends Error {
  constructor(readonly reason: string) {
    super(`invalid key ring: ${reason}`);
    this.name = 'KeyRingError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isoInstant(value: unknown, field: string): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new KeyRingError(`${field} must be an ISO 8601 timestamp`);
  }
  return value;
}

export function parseSigningKey(value: unknown, field: string, algorithm: KeyRingAlgorithm = KEY_RING_ALGORITHM): SigningKey {
  if (!isRecord(value)) throw new KeyRingError(`${field} must be an object`);
  const { kid, key } = value;
  if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) {
    throw new KeyRingError(`${field}.kid must be 8-64 characters of [A-Za-z0-9_-]`);
  }
  if (typeof key !== 'string' || !BASE64URL_PATTERN.test(key)) {
    throw new KeyRingError(`${field}.key must be unpadded base64url`);
  }
  if (algorithm !== 'HS256') {
    privateKeyOf(algorithm, key, field);
  } else if (Buffer.from(key, 'base64url').length < MIN_KEY_BYTES) {
    throw new KeyRingError(`${field}.key must hold at least ${MIN_KEY_BYTES * 8} bits`);
  }
  return { kid, key, createdAt: isoInstant(value.createdAt, `${field}.createdAt`) };
}

/** Validates an already-parsed value against the key ring contract (version 1 or 2). */
export function validateKeyRing(value: unknown): KeyRing {
  if (!isRecord(value)) throw new KeyRingError('the secret value must be a JSON object');
  const version = value.version;
  if (version !== 1 && version !== 2) throw new KeyRingError(`version must be one of ${KEY_RING_VERSIONS.join(', ')}`);
  const algorithm = value.algorithm as KeyRingAlgorithm;
  // Version 1 rings predate the choice: HS256 only.
  if (version === 1 ? algorithm !== KEY_RING_ALGORITHM : !KEY_RING_ALGORITHMS.includes(algorithm)) {
    throw new KeyRingError(`algorithm must be ${version === 1 ? KEY_RING_ALGORITHM : `one of ${KEY_RING_ALGORITHMS.join(', ')}`}`);
  }
  const current = parseSigningKey(value.current, 'current', algorithm);
  if (!Array.isArray(value.previous)) throw new KeyRingError('previous must be an array');
  const bound = version === 1 ? MAX_PREVIOUS_KEYS_V1 : MAX_PREVIOUS_KEYS;
  if (value.previous.length > bound) throw new KeyRingError(`previous holds at most ${bound} keys`);
  const previous = value.previous.map((entry, i) => {
    const key = parseSigningKey(entry, `previous[${i}]`, algorithm);
    return { ...key, expiresAt: isoInstant((entry as Record<string, unknown>).expiresAt, `previous[${i}].expiresAt`) };
  });
  if (version === 1) {
    assertUniqueKids([current, ...previous]);
    return { version, algorithm: KEY_RING_ALGORITHM, current, previous };
  }
  const next = parseSigningKey(value.next, 'next', algorithm);
  const lifetime = value.maxTokenLifetimeSeconds;
  if (typeof lifetime !== 'number' || !Number.isInteger(lifetime)
    || lifetime < MIN_TOKEN_LIFETIME_SECONDS || lifetime > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new KeyRingError(`maxTokenLifetimeSeconds must be an integer from ${MIN_TOKEN_LIFETIME_SECONDS} to ${MAX_TOKEN_LIFETIME_SECONDS}`);
  }
  assertUniqueKids([current, next, ...previous]);
  const ring: KeyRingV2 = { version, algorithm, current, next, previous, maxTokenLifetimeSeconds: lifetime };
  return ring;
}

function assertUniqueKids(keys: readonly SigningKey[]): void {
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) throw new KeyRingError('kid values must be unique');
}

/** Parses a SecretString. Throws KeyRingError (never echoing the input) when it is not a valid ring. */
export function parseKeyRing(secretString: string): KeyRing {
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    throw new KeyRingError('the secret value is not JSON');
  }
  return validateKeyRing(value);
}

export function serializeKeyRing(ring: KeyRing): string {
  return JSON.stringify(validateKeyRing(ring));
}

export function generateSigningKey(now: Date, keyBytes = DEFAULT_KEY_BYTES, algorithm: KeyRingAlgorithm = KEY_RING_ALGORITHM): SigningKey {
  if (algorithm !== 'HS256') {
    const { privateKey } = algorithm === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('ed25519');
    return {
      kid: randomBytes(12).toString('base64url'),
      key: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url'),
      createdAt: now.toISOString(),
    };
  }
  if (!Number.isInteger(keyBytes) || keyBytes < MIN_KEY_BYTES) {
    throw new KeyRingError(`keyBytes must be an integer of at least ${MIN_KEY_BYTES}`);
  }
  return {
    kid: randomBytes(12).toString('base64url'),
    key: randomBytes(keyBytes).toString('base64url'),
    createdAt: now.toISOString(),
  };
}

/** Default token lifetime of rings built without one (the construct's default maxTokenLifetime). */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

/** A fresh version 2 ring with no previous keys: what the first rotation writes over the bootstrap value. */
export function newKeyRing(
  now: Date, maxTokenLifetimeSeconds = DEFAULT_TOKEN_LIFETIME_SECONDS, keyBytes = DEFAULT_KEY_BYTES, algorithm: KeyRingAlgorithm = KEY_RING_ALGORITHM,
): KeyRingV2 {
  return {
    version: 2,
    algorithm,
    current: generateSigningKey(now, keyBytes, algorithm),
    next: generateSigningKey(now, keyBytes, algorithm),
    previous: [],
    maxTokenLifetimeSeconds,
  };
}

/** Thrown when a rotation would have to drop a retired key that can still verify live tokens. */
export class KeyRingFullError extends KeyRingError {
  constructor(readonly liveKeys: number) {
    super(`the ring would hold ${liveKeys} unexpired previous keys, more than ${MAX_PREVIOUS_KEYS}`);
    this.name = 'KeyRingFullError';
  }
}

/**
 * The ring after one rotation at `now` (the instant it goes live), as a version 2 ring:
 * - version 2: `next` becomes current, `fresh[0]` becomes next;
 * - version 1 (migration): `fresh[0]` becomes current and `fresh[1]` next, since a v1 ring
 *   published no next key;
 * and the old current key retires until `now + gracePeriodSeconds`. Previous keys are kept
 * until their own expiry and never dropped early: past the bound this throws KeyRingFullError.
 */
export function promoteKeyRing(
  ring: KeyRing, now: Date, gracePeriodSeconds: number, fresh: readonly SigningKey[], maxTokenLifetimeSeconds?: number,
): KeyRingV2 {
  if (!Number.isFinite(gracePeriodSeconds) || gracePeriodSeconds < 0) {
    throw new KeyRingError('gracePeriodSeconds must be a non-negative number');
  }
  const needed = freshKeysNeeded(ring);
  if (fresh.length !== needed) throw new KeyRingError(`a rotation of a version ${ring.version} ring needs ${needed} new keys`);
  const retired: RetiredKey = { ...ring.current, expiresAt: new Date(now.getTime() + gracePeriodSeconds * 1000).toISOString() };
  const stillValid = ring.previous.filter((k) => Date.parse(k.expiresAt) > now.getTime());
  const previous = [retired, ...stillValid];
  if (previous.length > MAX_PREVIOUS_KEYS) throw new KeyRingFullError(previous.length);
  const [current, next] = ring.version === 2 && ring.next ? [ring.next, fresh[0]] : [fresh[0], fresh[1]];
  return {
    version: 2,
    algorithm: ring.algorithm,
    current,
    next,
    previous,
    maxTokenLifetimeSeconds: maxTokenLifetimeSeconds ?? ring.maxTokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS,
  };
}

/** How many new keys a rotation of `ring` creates: one (the new next), or two when migrating a v1 ring. */
export function freshKeysNeeded(ring: KeyRing | undefined): number {
  return ring?.version === 2 && ring.next ? 1 : 2;
}

/** `promoteKeyRing` with freshly generated keys. */
export function rotateKeyRing(ring: KeyRing, now: Date, gracePeriodSeconds: number, keyBytes = DEFAULT_KEY_BYTES): KeyRingV2 {
  const fresh = Array.from({ length: freshKeysNeeded(ring) }, () => generateSigningKey(now, keyBytes, ring.algorithm));
  return promoteKeyRing(ring, now, gracePeriodSeconds, fresh);
}

/**
 * HMAC keys a verifier may accept at `now`: current, next and unexpired previous keys, by kid.
 * HS256 rings only: the bytes of an asymmetric ring are private keys, never HMAC keys, so this
 * throws rather than let a verifier treat them as one (asymmetric rings: `publicJwks`).
 */
export function verificationKeys(ring: KeyRing, now: Date): Map<string, Buffer> {
  if (ring.algorithm !== KEY_RING_ALGORITHM) throw new KeyRingError(`verificationKeys needs an ${KEY_RING_ALGORITHM} ring, got ${ring.algorithm}`);
  const keys = new Map<string, Buffer>([[ring.current.kid, Buffer.from(ring.current.key, 'base64url')]]);
  if (ring.next) keys.set(ring.next.kid, Buffer.from(ring.next.key, 'base64url'));
  for (const k of ring.previous) {
    if (Date.parse(k.expiresAt) > now.getTime()) keys.set(k.kid, Buffer.from(k.key, 'base64url'));
  }
  return keys;
}

/**
 * Secrets Manager cannot generate a nested JSON value, so a new secret starts as
 * `{"bootstrap":"<random>"}` and the first rotation (run at deploy) replaces it with a fresh
 * ring. Verifiers treat a bootstrap value as "no keys": every token is rejected until then.
 */
export const BOOTSTRAP_FIELD = 'bootstrap';

export function isBootstrapValue(secretString: string): boolean {
  try {
    const value: unknown = JSON.parse(secretString);
    return isRecord(value) && typeof value[BOOTSTRAP_FIELD] === 'string' && !('current' in value);
  } catch {
    return false;
  }
}

/** The keys a verifier may accept at `now`, as held in the ring: current, next, unexpired previous. */
export function acceptedKeys(ring: KeyRing, now: Date): SigningKey[] {
  return [ring.current, ...(ring.next ? [ring.next] : []), ...ring.previous.filter((k) => Date.parse(k.expiresAt) > now.getTime())];
}

const CURVE: Record<AsymmetricAlgorithm, { readonly type: string; readonly curve?: string }> = {
  ES256: { type: 'ec', curve: 'prime256v1' },
  EdDSA: { type: 'ed25519' },
};

/** The private key in `key` (PKCS #8 DER, base64url), checked to be of `algorithm`'s type and curve. */
export function privateKeyOf(algorithm: AsymmetricAlgorithm, key: string, field = 'key'): KeyObject {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: Buffer.from(key, 'base64url'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new KeyRingError(`${field} must be an unencrypted PKCS #8 private key`);
  }
  const want = CURVE[algorithm];
  if (keyObject.asymmetricKeyType !== want.type || keyObject.asymmetricKeyDetails?.namedCurve !== want.curve) {
    throw new KeyRingError(`${field} must be ${algorithm === 'ES256' ? 'a P-256' : 'an Ed25519'} private key for ${algorithm}`);
  }
  return keyObject;
}

/** One public key of a JWKS (RFC 7517): public members only, whatever the key object holds. */
export interface PublicJwk {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly y?: string;
  readonly kid: string;
  readonly alg: AsymmetricAlgorithm;
  readonly use: 'sig';
  /**
   * Previous keys only: their `expiresAt` as a NumericDate (seconds, rounded down), the JWK `exp`
   * member of OpenID Federation's historical keys. A verifier stops accepting the key then, not
   * only when the next rotation drops it from the document.
   */
  readonly exp?: number;
}

/** The public half of one ring key, as a JWK carrying only the public members (and a retired key's expiry). */
export function publicJwk(algorithm: AsymmetricAlgorithm, key: SigningKey | RetiredKey): PublicJwk {
  const jwk = createPublicKey(privateKeyOf(algorithm, key.key)).export({ format: 'jwk' });
  // Copy by name: an allow-list, so no private member (d, p, q, dp, dq, qi, k) can ever pass.
  return {
    kty: String(jwk.kty),
    crv: String(jwk.crv),
    x: String(jwk.x),
    ...(jwk.y !== undefined ? { y: String(jwk.y) } : {}),
    kid: key.kid,
    alg: algorithm,
    use: 'sig',
    ...('expiresAt' in key ? { exp: Math.floor(Date.parse(key.expiresAt) / 1000) } : {}),
  };
}

/**
 * The JWKS document (RFC 7517) verifiers of an asymmetric ring read: the public keys of current,
 * next and the previous keys still unexpired at `now`. Throws for HS256 rings: their keys are secret.
 */
export function publicJwks(ring: KeyRing, now: Date): { readonly keys: PublicJwk[] } {
  if (ring.algorithm === KEY_RING_ALGORITHM) throw new KeyRingError('an HS256 ring has no public keys to publish');
  const algorithm = ring.algorithm;
  return { keys: acceptedKeys(ring, now).map((k) => publicJwk(algorithm, k)) };
}
