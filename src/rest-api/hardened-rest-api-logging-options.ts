import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * The logging options of a HardenedRestApi (`HardenedRestApiProps.logging`). JSON access logs
 * (with the authorizer error, WAF response and TLS version) are always on; WAF logging is a
 * WAF option (`waf.logging`).
 */
export interface HardenedRestApiLoggingOptions {
  /**
   * How long the access logs, WAF logs and (unless `authorizerFunction.logRetention` says
   * otherwise) the authorizer logs are kept. An explicit retention: INFINITE is refused.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly retention?: logs.RetentionDays;

  /**
   * The stage's execution logging level. `OFF` warns at synth with the findings to acknowledge
   * (execution logs record authorizer and integration failures).
   *
   * @default apigateway.MethodLoggingLevel.ERROR
   */
  readonly executionLoggingLevel?: apigateway.MethodLoggingLevel;

  /**
   * Whether execution logs carry full requests and responses. They then hold every header
   * (the caller's JWT and API key among them) and body, so synth warns; for debugging only.
   * Needs an `executionLoggingLevel` other than `OFF`.
   *
   * @default false
   */
  readonly dataTraceEnabled?: boolean;
}
