/**
 * JwtAuthorizer on a plain RestApi, deployed: the probe signs tokens with the ring and calls the
 * API. 200 for an allowed role, 403 for a forbidden method, 401 without a token and with a
 * forged, expired or wrongly addressed one.
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { JwtAuthorizer, RotatingJwtSecret } from '../../src';
import { destroyWithStack, integApp, integStack, integTest, probe, probeFunction } from './support/integ-stack';

const app = integApp();
const stack = integStack(app, 'IntegJwtAuthorizer');
const keys = new RotatingJwtSecret(stack, 'Keys');
const authz = new JwtAuthorizer(stack, 'Authorizer', {
  signingKeys: keys,
  issuer: 'https://issuer.integ.invalid',
  audience: 'integ',
  rolePermissions: { user: ['orders:read'], admin: ['orders:read', 'orders:write'] },
  permissionMethods: { 'orders:read': ['GET /orders'], 'orders:write': ['POST /orders'] },
});
// A bare API without stage logging, so this test needs no account-level setting.
const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false });
const orders = api.root.addResource('orders');
const ok = new apigateway.MockIntegration({
  requestTemplates: { 'application/json': '{"statusCode": 200}' },
  integrationResponses: [{ statusCode: '200' }],
});
for (const method of ['GET', 'POST']) {
  orders.addMethod(method, ok, { authorizer: authz.authorizer, methodResponses: [{ statusCode: '200' }] });
}

const fn = probeFunction(stack, { SECRET_ID: keys.secret.secretArn, API_URL: api.url, ISSUER: 'https://issuer.integ.invalid', AUDIENCE: 'integ' });
keys.grantRead(fn);
destroyWithStack(stack);

const integ = integTest(app, 'JwtAuthorizerTest', stack);
probe(integ, fn, 'authorizer')
  .expect(ExpectedResult.objectLike({
    Payload: Match.serializedJson({ allowedRole: 200, forbiddenRole: 403, noToken: 401, forgedToken: 401, expiredToken: 401, wrongAudience: 401 }),
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(20) });
