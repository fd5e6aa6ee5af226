import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ValidationError, validateDurationRange } from '../shared/validation';

/** The ring's bound on retired keys: MAX_PREVIOUS_KEYS in lambda-src/key-ring (a test keeps the two equal). */
export const MAX_PREVIOUS_KEYS = 20;
/** Retired keys scheduled rotations may keep alive at once; the rest of the ring is for manual rotations. */
export const MAX_SCHEDULED_PREVIOUS_KEYS = MAX_PREVIOUS_KEYS / 2;

/** Secrets Manager's limits on a rotation schedule. */
const MIN_SPACING_HOURS = 4;
const MAX_RATE_DAYS = 1000;
const DEFAULT_INTERVAL = Duration.days(30);

export interface ResolvedSchedule {
  /** The `ScheduleExpression` for AWS::SecretsManager::RotationSchedule. */
  readonly expression: string;
  /** The least time that can pass between two scheduled rotations, in seconds. */
  readonly minSpacingSeconds: number;
}

/** Secrets Manager schedule expression for an interval: whole days as days, otherwise hours. */
export function intervalSchedule(scope: IConstruct, interval: Duration): ResolvedSchedule {
  const hours = interval.toHours({ integral: false });
  if (!Number.isInteger(hours)) {
    throw new ValidationError(scope, 'rotationInterval', `must be a whole number of hours, got ${interval.toHumanString()}`);
  }
  return { expression: hours % 24 === 0 ? `rate(${hours / 24} days)` : `rate(${hours} hours)`, minSpacingSeconds: hours * 3600 };
}

const RATE = /^rate\((\d+) (hours?|days?)\)$/;
// Six space-separated fields, as EventBridge and Secrets Manager cron expressions have.
const CRON = /^cron\((\S+ ){5}\S+\)$/;

/**
 * Validates a `rate(...)` or `cron(...)` expression the way Secrets Manager will, so a typo fails
 * at synth (before any construct exists) instead of during deployment. A cron expression can
 * rotate at most every 4 hours (Secrets Manager's limit), which is the spacing assumed for it.
 */
export function expressionSchedule(scope: IConstruct, expression: string): ResolvedSchedule {
  if (Token.isUnresolved(expression)) return { expression, minSpacingSeconds: MIN_SPACING_HOURS * 3600 };
  const rate = RATE.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const hours = rate[2].startsWith('day') ? n * 24 : n;
    if (hours < MIN_SPACING_HOURS || hours > MAX_RATE_DAYS * 24) {
      throw new ValidationError(scope, 'scheduleExpression', `must rotate between every ${MIN_SPACING_HOURS} hours and every ${MAX_RATE_DAYS} days, got ${expression}`);
    }
    return { expression, minSpacingSeconds: hours * 3600 };
  }
  if (CRON.test(expression)) return { expression, minSpacingSeconds: MIN_SPACING_HOURS * 3600 };
  throw new ValidationError(scope, 'scheduleExpression',
    `must be rate(N hours|days) or a six-field cron(...) expression, got ${JSON.stringify(expression)}`);
}

/** Secrets Manager's rotation window: whole hours from 1 to 24, written `3h`. */
export function rotationWindow(scope: IConstruct, window: Duration | undefined): string | undefined {
  if (window === undefined) return undefined;
  const hours = window.toHours({ integral: false });
  if (!Number.isInteger(hours) || hours < 1 || hours > 24) {
    throw new ValidationError(scope, 'rotationWindow', `must be a whole number of hours between 1 and 24, got ${window.toHumanString()}`);
  }
  return `${hours}h`;
}

export interface ScheduleProps {
  readonly rotationInterval?: Duration;
  readonly scheduleExpression?: string;
  readonly gracePeriod: Duration;
}

/**
 * The schedule of `rotationInterval` or `scheduleExpression` (one of them), checked against the
 * grace period: retired keys must stay in the ring until they expire.
 */
export function resolveSchedule(scope: IConstruct, props: ScheduleProps): ResolvedSchedule {
  const grace = props.gracePeriod;
  if (props.rotationInterval && props.scheduleExpression !== undefined) {
    throw new ValidationError(scope, 'scheduleExpression', 'and rotationInterval are exclusive: give one');
  }
  let schedule: ResolvedSchedule;
  if (props.scheduleExpression !== undefined) {
    schedule = expressionSchedule(scope, props.scheduleExpression);
  } else {
    const rotationInterval = props.rotationInterval ?? DEFAULT_INTERVAL;
    validateDurationRange(scope, 'rotationInterval', rotationInterval, Duration.hours(MIN_SPACING_HOURS), Duration.days(MAX_RATE_DAYS), 'hours');
    if (grace.toSeconds() >= rotationInterval.toSeconds()) {
      throw new ValidationError(scope, 'gracePeriod',
        `must be shorter than rotationInterval (${rotationInterval.toHumanString()}), got ${grace.toHumanString()}`);
    }
    schedule = intervalSchedule(scope, rotationInterval);
  }
  // Scheduled rotations alone must never fill the ring: rotation refuses to drop a key that
  // can still verify tokens, so a full ring would stop rotation until a key expires.
  const retiredWithinGrace = Math.ceil(grace.toSeconds() / schedule.minSpacingSeconds);
  if (retiredWithinGrace > MAX_SCHEDULED_PREVIOUS_KEYS) {
    throw new ValidationError(scope, 'gracePeriod',
      `of ${grace.toHumanString()} would keep up to ${retiredWithinGrace} retired keys alive with rotations every ` +
      `${Duration.seconds(schedule.minSpacingSeconds).toHumanString()}; at most ${MAX_SCHEDULED_PREVIOUS_KEYS} are allowed ` +
      `(the ring holds ${MAX_PREVIOUS_KEYS}, the rest is kept for manual rotations)`);
  }
  return schedule;
}
