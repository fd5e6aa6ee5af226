/**
 * Execution logging of a HardenedRestApi stage: the level and data tracing it is deployed with,
 * and what synth says when either weakens the defaults.
 */
import { Annotations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { HardenedRestApiLoggingOptions } from './hardened-rest-api-logging-options';

/** What a stage without execution logging is reported for, by pack. */
export const EXECUTION_LOGGING_FINDINGS = [
  'AwsSolutions-APIG6',
  'NIST.800.53.R5-APIGWExecutionLoggingEnabled',
  'HIPAA.Security-APIGWExecutionLoggingEnabled',
  'PCI.DSS.321-APIGWExecutionLoggingEnabled',
];

export interface StageLogging {
  readonly loggingLevel: apigateway.MethodLoggingLevel;
  readonly dataTraceEnabled: boolean;
}

export function stageLogging(options: HardenedRestApiLoggingOptions = {}): StageLogging {
  return {
    loggingLevel: options.executionLoggingLevel ?? apigateway.MethodLoggingLevel.ERROR,
    dataTraceEnabled: options.dataTraceEnabled ?? false,
  };
}

export function warnAboutStageLogging(stage: apigateway.Stage, logging: StageLogging): void {
  if (logging.loggingLevel === apigateway.MethodLoggingLevel.OFF) {
    Annotations.of(stage).addWarningV2('cdk-security-blocks:executionLoggingOff',
      `logging.executionLoggingLevel is OFF: acknowledge ${EXECUTION_LOGGING_FINDINGS.join(', ')} on ${stage.node.path} with the reason, ` +
      'or keep execution errors logged (authorizer and integration failures are recorded nowhere else).');
  }
  if (logging.dataTraceEnabled) {
    Annotations.of(stage).addWarningV2('cdk-security-blocks:dataTraceEnabled',
      'logging.dataTraceEnabled is true: execution logs hold full requests and responses, the callers\' JWTs, API keys and ' +
      'bodies among them, readable by anyone who may read the log group. Turn it off outside debugging.');
  }
}
