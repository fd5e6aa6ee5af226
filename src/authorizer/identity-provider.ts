/**
 * JwtAuthorizer's identityProvider prop turned into the handler's JWKS-mode environment, with the
 * contract module's checks (the handler applies the same ones at cold start).
 */
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { algorithmsProblem, ASYMMETRIC_ALGORITHMS, ENV, httpsUrlProblem, issuerUrlProblem } from './authorizer-contract';
import type { JwtIdentityProvider } from './jwt-identity-provider';
import { ValidationError } from '../shared/validation';

/** The handler environment of JWKS mode, after validating the provider (tokens are skipped). */
export function identityProviderEnvironment(scope: IConstruct, provider: JwtIdentityProvider, issuer: string): Record<string, string> {
  if ((provider.jwksUrl === undefined) === (provider.issuerUrl === undefined)) {
    throw new ValidationError(scope, 'identityProvider.issuerUrl', 'or identityProvider.jwksUrl must be given, exactly one of them');
  }
  const algorithms = provider.algorithms ?? [...ASYMMETRIC_ALGORITHMS];
  const algProblem = algorithmsProblem(algorithms);
  if (algProblem) throw new ValidationError(scope, 'identityProvider.algorithms', `${algProblem}, got [${algorithms.join(', ')}]`);
  return { ...keyLocation(scope, provider, issuer), [ENV.algorithms]: algorithms.join(',') };
}

function keyLocation(scope: IConstruct, provider: JwtIdentityProvider, issuer: string): Record<string, string> {
  if (provider.jwksUrl !== undefined) {
    const urlProblem = Token.isUnresolved(provider.jwksUrl) ? undefined : httpsUrlProblem(provider.jwksUrl);
    if (urlProblem) throw new ValidationError(scope, 'identityProvider.jwksUrl', `${urlProblem}, got '${provider.jwksUrl}'`);
    return { [ENV.jwksUrl]: provider.jwksUrl };
  }
  const issuerUrl = provider.issuerUrl!;
  if (!Token.isUnresolved(issuerUrl)) {
    const problem = issuerUrlProblem(issuerUrl);
    if (problem) throw new ValidationError(scope, 'identityProvider.issuerUrl', `${problem}, got '${issuerUrl}'`);
    // Discovery vouches for exactly one issuer, and the tokens accepted are that issuer's.
    if (!Token.isUnresolved(issuer) && issuerUrl !== issuer) {
      throw new ValidationError(scope, 'identityProvider.issuerUrl', `must equal issuer (the iss claim tokens carry, which discovery vouches for), got '${issuerUrl}' and '${issuer}'`);
    }
  }
  return { [ENV.oidcIssuerUrl]: issuerUrl };
}
