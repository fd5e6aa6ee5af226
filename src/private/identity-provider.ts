/**
 * JwtAuthorizer's identityProvider prop turned into the handler's JWKS-mode environment, with the
 * contract module's checks (the handler applies the same ones at cold start).
 */
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { algorithmsProblem, ASYMMETRIC_ALGORITHMS, ENV, httpsUrlProblem } from './authorizer-contract';
import { ValidationError } from './validation';
import type { JwtIdentityProvider } from '../jwt-identity-provider';

/** The handler environment of JWKS mode, after validating the provider (tokens are skipped). */
export function identityProviderEnvironment(scope: IConstruct, provider: JwtIdentityProvider): Record<string, string> {
  const urlProblem = Token.isUnresolved(provider.jwksUrl) ? undefined : httpsUrlProblem(provider.jwksUrl);
  if (urlProblem) throw new ValidationError(scope, 'identityProvider.jwksUrl', `${urlProblem}, got '${provider.jwksUrl}'`);
  const algorithms = provider.algorithms ?? [...ASYMMETRIC_ALGORITHMS];
  const algProblem = algorithmsProblem(algorithms);
  if (algProblem) throw new ValidationError(scope, 'identityProvider.algorithms', `${algProblem}, got [${algorithms.join(', ')}]`);
  return { [ENV.jwksUrl]: provider.jwksUrl, [ENV.algorithms]: algorithms.join(',') };
}
