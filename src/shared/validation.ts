import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A prop that failed validation at construct time. aws-cdk-lib's own `ValidationError` is not
 * exported, so the library keeps this one: it names the construct path, the prop and what is
 * allowed, and is thrown before anything is synthesized.
 */
export class ValidationError extends Error {
  constructor(scope: IConstruct, readonly prop: string, message: string) {
    super(`${scope.node.path}: ${prop} ${message}`);
    this.name = 'ValidationError';
  }
}

/** The unit a service counts a duration in, when it takes only whole numbers of it. */
export type WholeDurationUnit = 'milliseconds' | 'seconds' | 'minutes' | 'hours' | 'days';

const UNIT_MILLIS: Record<WholeDurationUnit, number> = {
  milliseconds: 1, seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000,
};

/**
 * Throws unless min <= value <= max and, with `wholeUnit`, value is a whole number of that unit
 * (aws-cdk-lib's `toSeconds()` and the like would otherwise fail later, without the prop's name).
 * Unresolved tokens are skipped (checked by CloudFormation).
 */
export function validateDurationRange(
  scope: IConstruct, prop: string, value: Duration | undefined, min: Duration, max: Duration, wholeUnit?: WholeDurationUnit,
): void {
  if (value === undefined || Token.isUnresolved(value.toMilliseconds({ integral: false }))) return;
  const ms = value.toMilliseconds({ integral: false });
  if (ms < min.toMilliseconds({ integral: false }) || ms > max.toMilliseconds({ integral: false })) {
    throw new ValidationError(scope, prop, `must be between ${min.toHumanString()} and ${max.toHumanString()}, got ${value.toHumanString()}`);
  }
  if (wholeUnit && !Number.isInteger(ms / UNIT_MILLIS[wholeUnit])) {
    throw new ValidationError(scope, prop,
      `must be a whole number of ${wholeUnit} between ${min.toHumanString()} and ${max.toHumanString()}, got ${value.toHumanString()}`);
  }
}

/**
 * Throws unless min <= value <= max, for a prop the service takes as a decimal number (a rate
 * limit, an alarm threshold); unresolved tokens are skipped.
 */
export function validateNumberRange(
  scope: IConstruct, prop: string, value: number | undefined, min: number, max: number,
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ValidationError(scope, prop, `must be between ${min} and ${max}, got ${value}`);
  }
}

/**
 * Throws unless value is a whole number with min <= value <= max, for a prop the service takes
 * as an integer (CloudFormation's template check only warns about 20.5; the deployment fails).
 * Unresolved tokens are skipped.
 */
export function validateIntegerRange(
  scope: IConstruct, prop: string, value: number | undefined, min: number, max: number,
): void {
  validateNumberRange(scope, prop, value, min, max);
  if (value !== undefined && !Token.isUnresolved(value) && !Number.isInteger(value)) {
    throw new ValidationError(scope, prop, `must be a whole number between ${min} and ${max}, got ${value}`);
  }
}
