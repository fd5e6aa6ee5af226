import * as apigateway from 'aws-cdk-lib/aws-apigateway';

/**
 * The usage plan options of a HardenedRestApi (`HardenedRestApiProps.usagePlan`).
 */
export interface HardenedRestApiUsagePlanOptions {
  /**
   * Throttle of each API key in the usage plan.
   *
   * @default - burst 1,000, rate 500
   */
  readonly throttle?: apigateway.ThrottleSettings;

  /**
   * Quota of each API key in the usage plan.
   *
   * @default - 100,000 requests per day
   */
  readonly quota?: apigateway.QuotaSettings;
}
