/**
 * The JWT signing key ring stored in a RotatingJwtSecret: parse, validate, serialize, rotate.
 *
 * This JSON is a public contract (see README "Secret format"): issuers in any language read
 * `current` to sign, verifiers accept `current` and any `previous` key whose `expiresAt` is
 * still in the future. One module, used by the rotation handler, the authorizer and the
 * Node signing helper, so the three can never disagree about the format.
 */
import { randomBytes } from 'crypto';

export const KEY_RING_VERSION = 1;
export const KEY_RING_ALGORITHM = 'HS256';
/** 256 bits: the HS256 minimum from RFC 7518 section 3.2. */
export const MIN_KEY_BYTES = 32;
export const DEFAULT_KEY_BYTES = 32;
/** Bounds how many retired keys a ring carries, so a verifier's work per token stays bounded. */
export const MAX_PREVIOUS_KEYS = 10;

const KID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

export interface SigningKey {
  /** Key id, placed in the JWT header `kid`. */
  readonly kid: string;
  /** Key bytes, base64url without padding. */
  readonly key: string;
  /** When this key was created (ISO 8601). */
  readonly createdAt: string;
}

export interface RetiredKey extends SigningKey {
  /** Verifiers stop accepting this key at this instant (ISO 8601). */
  readonly expiresAt: string;
}

export interface KeyRing {
  readonly version: typeof KEY_RING_VERSION;
  readonly algorithm: typeof KEY_RING_ALGORITHM;
  readonly current: SigningKey;
  readonly previous: readonly RetiredKey[];
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

function parseKey(value: unknown, field: string): SigningKey {
  if (!isRecord(value)) throw new KeyRingError(`${field} must be an object`);
  const { kid, key } = value;
  if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) {
    throw new KeyRingError(`${field}.kid must be 8-64 characters of [A-Za-z0-9_-]`);
  }
  if (typeof key !== 'string' || !BASE64URL_PATTERN.test(key)) {
    throw new KeyRingError(`${field}.key must be unpadded base64url`);
  }
  if (Buffer.from(key, 'base64url').length < MIN_KEY_BYTES) {
    throw new KeyRingError(`${field}.key must hold at least ${MIN_KEY_BYTES * 8} bits`);
  }
  return { kid, key, createdAt: isoInstant(value.createdAt, `${field}.createdAt`) };
}

/** Validates an already-parsed value against the key ring contract. */
export function validateKeyRing(value: unknown): KeyRing {
  if (!isRecord(value)) throw new KeyRingError('the secret value must be a JSON object');
  if (value.version !== KEY_RING_VERSION) throw new KeyRingError(`version must be ${KEY_RING_VERSION}`);
  if (value.algorithm !== KEY_RING_ALGORITHM) throw new KeyRingError(`algorithm must be ${KEY_RING_ALGORITHM}`);
  const current = parseKey(value.current, 'current');
  if (!Array.isArray(value.previous)) throw new KeyRingError('previous must be an array');
  if (value.previous.length > MAX_PREVIOUS_KEYS) {
    throw new KeyRingError(`previous holds at most ${MAX_PREVIOUS_KEYS} keys`);
  }
  const previous = value.previous.map((entry, i) => {
    const key = parseKey(entry, `previous[${i}]`);
    return { ...key, expiresAt: isoInstant((entry as Record<string, unknown>).expiresAt, `previous[${i}].expiresAt`) };
  });
  const kids = new Set([current.kid, ...previous.map((k) => k.kid)]);
  if (kids.size !== previous.length + 1) throw new KeyRingError('kid values must be unique');
  return { version: KEY_RING_VERSION, algorithm: KEY_RING_ALGORITHM, current, previous };
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

export function generateSigningKey(now: Date, keyBytes = DEFAULT_KEY_BYTES): SigningKey {
  if (!Number.isInteger(keyBytes) || keyBytes < MIN_KEY_BYTES) {
    throw new KeyRingError(`keyBytes must be an integer of at least ${MIN_KEY_BYTES}`);
  }
  return {
    kid: randomBytes(12).toString('base64url'),
    key: randomBytes(keyBytes).toString('base64url'),
    createdAt: now.toISOString(),
  };
}

/** A fresh ring with no previous keys: the value a new secret starts with. */
export function newKeyRing(now: Date, keyBytes = DEFAULT_KEY_BYTES): KeyRing {
  return { version: KEY_RING_VERSION, algorithm: KEY_RING_ALGORITHM, current: generateSigningKey(now, keyBytes), previous: [] };
}

/**
 * The ring after one rotation: a new current key; the old current key retired until
 * `now + gracePeriodSeconds`; previous keys already past their expiry dropped.
 */
export function rotateKeyRing(ring: KeyRing, now: Date, gracePeriodSeconds: number, keyBytes = DEFAULT_KEY_BYTES): KeyRing {
  if (!Number.isFinite(gracePeriodSeconds) || gracePeriodSeconds < 0) {
    throw new KeyRingError('gracePeriodSeconds must be a non-negative number');
  }
  const retired: RetiredKey = {
    ...ring.current,
    expiresAt: new Date(now.getTime() + gracePeriodSeconds * 1000).toISOString(),
  };
  const stillValid = ring.previous.filter((k) => Date.parse(k.expiresAt) > now.getTime());
  return {
    version: KEY_RING_VERSION,
    algorithm: KEY_RING_ALGORITHM,
    current: generateSigningKey(now, keyBytes),
    previous: [retired, ...stillValid].slice(0, MAX_PREVIOUS_KEYS),
  };
}

/** Keys a verifier may accept at `now`: the current key and unexpired previous keys, by kid. */
export function verificationKeys(ring: KeyRing, now: Date): Map<string, Buffer> {
  const keys = new Map<string, Buffer>([[ring.current.kid, Buffer.from(ring.current.key, 'base64url')]]);
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
