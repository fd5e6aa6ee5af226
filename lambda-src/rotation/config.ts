/**
 * Parses the rotation event and the function's configuration, failing with INVALID_EVENT or
 * INVALID_CONFIG before any step touches the secret. Kept apart from the steps because its rules
 * (ranges, allowed algorithms) are input validation, not rotation logic.
 */
import { KEY_RING_ALGORITHMS, KeyRingAlgorithm } from '../key-ring';
import {
  GRACE_PERIOD_ENV, KEY_ALGORITHM_ENV, MAX_TOKEN_LIFETIME_ENV, RotationConfig, RotationError, RotationEvent, ROTATION_STEPS, RotationStep,
} from './contract';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseRotationEvent(event: unknown): RotationEvent {
  if (!isRecord(event)) throw new RotationError('INVALID_EVENT', 'the event must be an object');
  const { SecretId, ClientRequestToken, Step } = event;
  if (typeof SecretId !== 'string' || SecretId.length === 0) {
    throw new RotationError('INVALID_EVENT', 'SecretId must be a non-empty string');
  }
  if (typeof ClientRequestToken !== 'string' || ClientRequestToken.length === 0) {
    throw new RotationError('INVALID_EVENT', 'ClientRequestToken must be a non-empty string');
  }
  if (typeof Step !== 'string' || !(ROTATION_STEPS as readonly string[]).includes(Step)) {
    throw new RotationError('INVALID_EVENT', `Step must be one of ${ROTATION_STEPS.join(', ')}`);
  }
  return { SecretId, ClientRequestToken, Step: Step as RotationStep };
}

function positiveSeconds(env: Readonly<Record<string, string | undefined>>, name: string): number {
  const raw = env[name];
  if (raw === undefined || !/^[1-9][0-9]*$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new RotationError('INVALID_CONFIG', `${name} must be a positive integer number of seconds`);
  }
  return Number(raw);
}

/**
 * Reads the configuration from the function's environment. A missing or malformed value fails
 * every step: guessing one could retire keys while tokens signed with them are still live.
 */
export function loadRotationConfig(env: Readonly<Record<string, string | undefined>>): RotationConfig {
  const gracePeriodSeconds = positiveSeconds(env, GRACE_PERIOD_ENV);
  const maxTokenLifetimeSeconds = positiveSeconds(env, MAX_TOKEN_LIFETIME_ENV);
  if (maxTokenLifetimeSeconds > 86_400) {
    throw new RotationError('INVALID_CONFIG', `${MAX_TOKEN_LIFETIME_ENV} must be at most 86400 seconds`);
  }
  if (gracePeriodSeconds < maxTokenLifetimeSeconds) {
    throw new RotationError('INVALID_CONFIG', `${GRACE_PERIOD_ENV} must be at least ${MAX_TOKEN_LIFETIME_ENV}`);
  }
  const algorithm = env[KEY_ALGORITHM_ENV] as KeyRingAlgorithm | undefined;
  if (algorithm === undefined) return { gracePeriodSeconds, maxTokenLifetimeSeconds };
  if (!KEY_RING_ALGORITHMS.includes(algorithm)) {
    throw new RotationError('INVALID_CONFIG', `${KEY_ALGORITHM_ENV} must be one of ${KEY_RING_ALGORITHMS.join(', ')}`);
  }
  return { gracePeriodSeconds, maxTokenLifetimeSeconds, algorithm };
}
