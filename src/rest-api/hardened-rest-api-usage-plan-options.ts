import * as apigateway from 'aws-cdk-lib/aws-apigateway';

/**
 * The usage plan options of a HardenedRestApi (`HardenedRestApiProps.usagePlan`).
 */
export interface HardenedRestApiUsagePlanOptions {
  /**
   * Throttle of each API key in the usage plan.
   *
   * Allowed: `throttle.burstLimit` a whole number, 1 to 5,000, at least `throttle.rateLimit`; `throttle.rateLimit` 1 to 10,000 (a decimal number).
   *
   * @default - burst 1,000, rate 500
   */
  readonly throttle?: apigateway.ThrottleSettings;

  /**
   * Quota of each API key in the usage plan.
   *
   * Allowed: `quota.limit` a whole number, 1 to 2,147,483,647; `quota.offset` a whole number, 0 to `quota.limit` - 1; both are integers in the API Gateway API.
   *
   * @default - 100,000 requests per day
   */
  readonly quota?: apigateway.QuotaSettings;
}
