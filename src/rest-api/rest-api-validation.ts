/**
 * Construct-time checks of HardenedRestApi props: each names the prop and the allowed range.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import type { HardenedRestApiProps } from './hardened-rest-api-props';
import { validateBundledFunctionOptions, validateLogRetention } from '../bundled-function/bundled-function';
import { ValidationError, validateDurationRange, validateIntegerRange, validateNumberRange } from '../shared/validation';

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const ORIGIN = /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^http:\/\/localhost(:\d{1,5})?$/;
const HEADER = /^[A-Za-z0-9-]{1,64}$/;
const RATE_WINDOWS = [60, 120, 300, 600];

/**
 * What a public method's reason must be. It becomes the reason of the cdk-nag acknowledgements
 * (after a 39-character prefix), which the library's own audit holds to 60 characters; 30 is the
 * least that names who calls the route and what it returns. Distinct words rule out padding
 * ('aaaa…', 'health health health'); 500 keeps it readable in a finding report.
 */
export const PUBLIC_REASON = { minChars: 30, maxChars: 500, minWords: 4 } as const;

/** Throws unless `reason` would convince a reviewer that `httpMethod path` may be public. */
export function validatePublicMethodReason(scope: Construct, path: string, httpMethod: string, reason: string): void {
  const what = `${httpMethod.toUpperCase()} ${path}`;
  if (Token.isUnresolved(reason)) {
    throw new ValidationError(scope, 'reason', `must be a literal string (a reviewer reads it in the template), got a token for ${what}`);
  }
  const text = reason.trim().replace(/\s+/g, ' ');
  const words = new Set((text.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? []));
  if (text.length < PUBLIC_REASON.minChars || text.length > PUBLIC_REASON.maxChars || words.size < PUBLIC_REASON.minWords) {
    throw new ValidationError(scope, 'reason', `must say why ${what} is public in ${PUBLIC_REASON.minChars} to ${PUBLIC_REASON.maxChars} characters ` +
      `and at least ${PUBLIC_REASON.minWords} different words (who calls it, what it returns), got '${text}' ` +
      `(${text.length} characters, ${words.size} different words)`);
  }
}

export function validateHardenedRestApiProps(scope: Construct, props: HardenedRestApiProps): void {
  if ((props.signingKeys ? 1 : 0) + (props.authorizer ? 1 : 0) !== 1) {
    throw new ValidationError(scope, 'signingKeys', 'or authorizer must be given, and not both');
  }
  if (props.signingKeys) {
    for (const prop of ['issuer', 'audience', 'rolePermissions', 'permissionMethods'] as const) {
      if (props[prop] === undefined) throw new ValidationError(scope, prop, 'is required with signingKeys');
    }
  }
  if (props.authorizer && props.authorizerFunction) {
    throw new ValidationError(scope, 'authorizerFunction', 'applies to the authorizer created from signingKeys; place your own authorizer\'s function where you create it');
  }
  validateBundledFunctionOptions(scope, 'authorizerFunction', props.authorizerFunction);
  if (props.stageName !== undefined && !STAGE_NAME.test(props.stageName)) {
    throw new ValidationError(scope, 'stageName', `must match ${STAGE_NAME}, got '${props.stageName}'`);
  }
  validateCors(scope, props);
  validateNumberRange(scope, 'throttlingRateLimit', props.throttlingRateLimit, 1, 10_000);
  validateIntegerRange(scope, 'throttlingBurstLimit', props.throttlingBurstLimit, 1, 5_000);
  validateUsagePlan(scope, props);
  validateIntegerRange(scope, 'waf.rateLimit', props.waf?.rateLimit, 10, 2_000_000_000);
  const window = props.waf?.rateLimitWindow;
  const windowSeconds = window?.toSeconds({ integral: false });
  if (window !== undefined && !Token.isUnresolved(windowSeconds) && !RATE_WINDOWS.includes(windowSeconds!)) {
    throw new ValidationError(scope, 'waf.rateLimitWindow', `must be 1, 2, 5 or 10 minutes, got ${window.toHumanString()}`);
  }
  const forwardedIpHeader = props.waf?.forwardedIpHeader;
  if (forwardedIpHeader !== undefined && !HEADER.test(forwardedIpHeader)) {
    throw new ValidationError(scope, 'waf.forwardedIpHeader', `must be a header name matching ${HEADER}, got '${forwardedIpHeader}'`);
  }
  validateLogRetention(scope, 'logging.retention', props.logging?.retention);
  if (props.logging?.dataTraceEnabled && props.logging.executionLoggingLevel === apigateway.MethodLoggingLevel.OFF) {
    throw new ValidationError(scope, 'logging.dataTraceEnabled', 'needs an executionLoggingLevel other than OFF');
  }
  if (props.securityPolicy === apigateway.SecurityPolicy.TLS_1_0) {
    throw new ValidationError(scope, 'securityPolicy', 'must accept only TLS 1.2 or newer, got TLS_1_0');
  }
  if (props.securityPolicy !== undefined && props.securityPolicy.endsWith('_EDGE')) {
    throw new ValidationError(scope, 'securityPolicy', `must be a policy for REGIONAL endpoints, got the edge-only ${props.securityPolicy}`);
  }
  if (props.customDomain?.mtls && props.securityPolicy?.startsWith('SecurityPolicy_')) {
    throw new ValidationError(scope, 'securityPolicy',
      `must be TLS_1_2 (or unset) with customDomain.mtls: API Gateway refuses mutual TLS with an enhanced policy, got ${props.securityPolicy}`);
  }
  const alarms = props.alarms ?? {};
  for (const [prop, value] of [['alarms.serverErrorRateThreshold', alarms.serverErrorRateThreshold], ['alarms.clientErrorRateThreshold', alarms.clientErrorRateThreshold]] as const) {
    if (value !== undefined && !Token.isUnresolved(value) && !(value > 0 && value <= 1)) {
      throw new ValidationError(scope, prop, `must be a fraction above 0 and at most 1, got ${value}`);
    }
  }
  validateDurationRange(scope, 'alarms.latencyThreshold', alarms.latencyThreshold, Duration.millis(1), Duration.seconds(29), 'milliseconds');
  validateNumberRange(scope, 'alarms.blockedRequestsThreshold', alarms.blockedRequestsThreshold, 1, 1_000_000_000);
}

/**
 * aws-cdk-lib only warns in the template about these; a negative or fractional quota fails the
 * deployment. Limits, offsets and burst limits are integers in the API Gateway API; rates are doubles.
 */
function validateUsagePlan(scope: Construct, props: HardenedRestApiProps): void {
  const quota = props.usagePlan?.quota;
  validateIntegerRange(scope, 'usagePlan.quota.limit', quota?.limit, 1, 2_147_483_647);
  const limit = quota?.limit !== undefined && !Token.isUnresolved(quota.limit) ? quota.limit : 2_147_483_647;
  // The requests taken off the first period's quota: fewer than the quota itself.
  validateIntegerRange(scope, 'usagePlan.quota.offset', quota?.offset, 0, limit - 1);
  const throttle = props.usagePlan?.throttle;
  if (!throttle) return;
  validateIntegerRange(scope, 'usagePlan.throttle.burstLimit', throttle.burstLimit, 1, 5_000);
  validateNumberRange(scope, 'usagePlan.throttle.rateLimit', throttle.rateLimit, 1, 10_000);
  const { burstLimit, rateLimit } = throttle;
  const known = (n: number | undefined): n is number => n !== undefined && !Token.isUnresolved(n);
  if (known(burstLimit) && known(rateLimit) && burstLimit < rateLimit) {
    throw new ValidationError(scope, 'usagePlan.throttle.burstLimit', `must be at least the rate limit (${rateLimit}), got ${burstLimit}`);
  }
}

function validateCors(scope: Construct, props: HardenedRestApiProps): void {
  const origins = props.allowOrigins ?? [];
  for (const origin of origins) {
    if (origin !== '*' && !ORIGIN.test(origin)) {
      throw new ValidationError(scope, 'allowOrigins', `must hold '*' or origins like 'https://app.example.com' (http only for localhost), got '${origin}'`);
    }
  }
  if (origins.includes('*') && origins.length > 1) {
    throw new ValidationError(scope, 'allowOrigins', `cannot mix '*' with specific origins, got ${origins.join(', ')}`);
  }
  if (origins.includes('*') && props.allowCredentials) {
    throw new ValidationError(scope, 'allowOrigins', "must list specific origins when allowCredentials is true: '*' with credentials lets every site act as the user");
  }
  if (props.allowCredentials && origins.length === 0) {
    throw new ValidationError(scope, 'allowCredentials', 'needs allowOrigins');
  }
}
