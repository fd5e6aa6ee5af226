import { Duration } from 'aws-cdk-lib';

/**
 * The alarm thresholds of a HardenedRestApi (`HardenedRestApiProps.alarms`).
 */
export interface HardenedRestApiAlarmOptions {
  /**
   * The fraction of requests answered 5XX (over 5 minutes, 2 of 3 periods) that alarms.
   *
   * Allowed: above 0, at most 1.
   *
   * @default 0.05
   */
  readonly serverErrorRateThreshold?: number;

  /**
   * The fraction of requests answered 4XX (over 5 minutes, 3 of 3 periods) that alarms.
   *
   * Allowed: above 0, at most 1.
   *
   * @default 0.25
   */
  readonly clientErrorRateThreshold?: number;

  /**
   * The p99 latency (over 5 minutes, 3 of 3 periods) that alarms.
   *
   * Allowed: whole milliseconds, 1 millisecond to 29 seconds.
   *
   * @default Duration.seconds(3)
   */
  readonly latencyThreshold?: Duration;

  /**
   * Requests blocked by WAF in 5 minutes that alarm.
   *
   * Allowed: 1 to 1,000,000,000.
   *
   * @default 1000
   */
  readonly blockedRequestsThreshold?: number;
}
