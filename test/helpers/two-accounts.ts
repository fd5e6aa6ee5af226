/**
 * Two stacks of two accounts in one app: an asymmetric (or HS256) RotatingJwtSecret in account A
 * and a JwtAuthorizer on an API in account B, the layout issue 23 (3) supports. Shared by the
 * template test (test/authorizer) and the shipped-asset test against moto (test/lambda).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { JwtAuthorizer } from '../../src/authorizer/jwt-authorizer';
import { JwtSigningAlgorithm, RotatingJwtSecret } from '../../src/jwt-keys/rotating-jwt-secret';

export const RING_ACCOUNT = '111111111111';
export const VERIFIER_ACCOUNT = '222222222222';
export const REGION = 'eu-west-1';
export const PROPS = {
  issuer: 'https://issuer.example.com',
  audience: 'orders-api',
  rolePermissions: { user: ['orders:read'] },
  permissionMethods: { 'orders:read': ['GET /orders'] },
};

export interface TwoAccounts {
  readonly ringStack: Stack;
  readonly verifierStack: Stack;
  readonly keys: RotatingJwtSecret;
  readonly authz: JwtAuthorizer;
}

/** The ring in account A, the authorizer (on an API) in account B, same Region, one app. */
export function twoAccounts(algorithm = JwtSigningAlgorithm.ES256): TwoAccounts {
  const app = new App();
  const ringStack = new Stack(app, 'Issuer', { env: { account: RING_ACCOUNT, region: REGION } });
  const verifierStack = new Stack(app, 'Verifier', { env: { account: VERIFIER_ACCOUNT, region: REGION } });
  const keys = new RotatingJwtSecret(ringStack, 'Keys', { algorithm });
  const authz = new JwtAuthorizer(verifierStack, 'Authz', { signingKeys: keys, ...PROPS });
  new apigateway.RestApi(verifierStack, 'Api', { cloudWatchRole: false })
    .root.addResource('orders').addMethod('GET', new apigateway.MockIntegration(), { authorizer: authz.authorizer });
  return { ringStack, verifierStack, keys, authz };
}

