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

/** Throws unless min <= value <= max; unresolved tokens are skipped (checked by CloudFormation). */
export function validateDurationRange(
  scope: IConstruct, prop: string, value: Duration | undefined, min: Duration, max: Duration,
): void {
  if (value === undefined || Token.isUnresolved(value.toMilliseconds({ integral: false }))) return;
  const ms = value.toMilliseconds({ integral: false });
  if (ms < min.toMilliseconds() || ms > max.toMilliseconds()) {
    throw new ValidationError(scope, prop, `must be between ${min.toHumanString()} and ${max.toHumanString()}, got ${value.toHumanString()}`);
  }
}

/** Throws unless min <= value <= max (integers); unresolved tokens are skipped. */
export function validateNumberRange(
  scope: IConstruct, prop: string, value: number | undefined, min: number, max: number,
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ValidationError(scope, prop, `must be between ${min} and ${max}, got ${value}`);
  }
}
