/**
 * Construct-time checks of JwtAuthorizer props: each names the prop and the allowed range. The
 * ranges come from the handler contract (authorizer-contract.ts), so synth rejects exactly what
 * the handler would refuse to run with.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkRoleMap, headerNameProblem, LIMITS, roleClaimProblem } from './authorizer-contract';
import { JwtAuthorizerType } from './jwt-authorizer-props';
import type { JwtAuthorizerProps } from './jwt-authorizer-props';
import { validateBundledFunctionOptions } from '../bundled-function/bundled-function';
import { ValidationError, validateDurationRange, validateIntegerRange } from '../shared/validation';

/** The durations the construct resolved from props and defaults, as the handler will get them. */
export interface JwtAuthorizerDurations {
  readonly maxTokenLifetime: Duration;
  readonly maxTokenAge: Duration;
  readonly clockSkew: Duration;
  readonly keyCacheTtl: Duration;
  readonly keyFetchTimeout: Duration;
  readonly resultsCacheTtl: Duration;
}

export function validateJwtAuthorizerProps(scope: Construct, props: JwtAuthorizerProps, durations: JwtAuthorizerDurations): void {
  const { maxTokenLifetime, maxTokenAge, clockSkew, keyCacheTtl, keyFetchTimeout, resultsCacheTtl } = durations;
  const seconds = (limit: { min: number; max: number }): [Duration, Duration] => [Duration.seconds(limit.min), Duration.seconds(limit.max)];
  // The handler reads whole seconds (and milliseconds for the fetch timeout), as API Gateway's cache TTL is.
  validateDurationRange(scope, 'maxTokenLifetime', maxTokenLifetime, ...seconds(LIMITS.maxTokenLifetimeSeconds), 'seconds');
  validateDurationRange(scope, 'maxTokenAge', maxTokenAge, ...seconds(LIMITS.maxTokenAgeSeconds), 'seconds');
  validateDurationRange(scope, 'clockSkew', clockSkew, ...seconds(LIMITS.clockSkewSeconds), 'seconds');
  validateDurationRange(scope, 'keyCacheTtl', keyCacheTtl, ...seconds(LIMITS.keyCacheTtlSeconds), 'seconds');
  validateDurationRange(scope, 'keyFetchTimeout', keyFetchTimeout,
    Duration.millis(LIMITS.keyFetchTimeoutMs.min), Duration.millis(LIMITS.keyFetchTimeoutMs.max), 'milliseconds');
  validateDurationRange(scope, 'resultsCacheTtl', resultsCacheTtl, Duration.seconds(0), Duration.hours(1), 'seconds');
  if (resultsCacheTtl.toSeconds() > maxTokenLifetime.toSeconds()) {
    throw new ValidationError(scope, 'resultsCacheTtl',
      `must not exceed the token lifetime (${maxTokenLifetime.toHumanString()}), or a cached Allow outlives the token; got ${resultsCacheTtl.toHumanString()}`);
  }
  if (props.signingKeys && maxTokenLifetime.toSeconds() > props.signingKeys.maxTokenLifetime.toSeconds()) {
    throw new ValidationError(scope, 'maxTokenLifetime',
      `must not exceed signingKeys.maxTokenLifetime (${props.signingKeys.maxTokenLifetime.toHumanString()}), which the key grace period covers; got ${maxTokenLifetime.toHumanString()}`);
  }
  validateIntegerRange(scope, 'reservedConcurrentExecutions', props.reservedConcurrentExecutions, 1, 1000);
  validateBundledFunctionOptions(scope, 'functionOptions', props.functionOptions);
  for (const [prop, value] of [['issuer', props.issuer], ['audience', props.audience]] as const) {
    if (!Token.isUnresolved(value) && (value.length === 0 || value.length > 256)) {
      throw new ValidationError(scope, prop, `must be 1 to 256 characters, got ${value.length}`);
    }
  }
  const claimProblem = props.roleClaim === undefined ? undefined : roleClaimProblem(props.roleClaim);
  if (claimProblem) throw new ValidationError(scope, 'roleClaim', `${claimProblem}, got '${props.roleClaim}'`);
  const headerProblem = props.headerName === undefined ? undefined : headerNameProblem(props.headerName);
  if (headerProblem) throw new ValidationError(scope, 'headerName', `${headerProblem}, got '${props.headerName}'`);
  if (props.identityValidationRegex !== undefined && props.type === JwtAuthorizerType.REQUEST) {
    throw new ValidationError(scope, 'identityValidationRegex', 'applies to TOKEN authorizers only');
  }
  if (props.identityValidationRegex !== undefined) {
    try {
      new RegExp(props.identityValidationRegex);
    } catch {
      throw new ValidationError(scope, 'identityValidationRegex', `is not a valid regular expression: '${props.identityValidationRegex}'`);
    }
  }
  validateRoleMap(scope, props.rolePermissions, props.permissionMethods);
}

/** The handler treats a bad map as "deny everything"; the same check here says why at synth. */
function validateRoleMap(scope: Construct, roles: { [role: string]: string[] }, permissions: { [permission: string]: string[] }): void {
  const result = checkRoleMap(roles, permissions);
  if (!result.ok) throw new ValidationError(scope, result.input, result.problem);
}
