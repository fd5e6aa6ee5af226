/**
 * HardenedRestApi with its JwtAuthorizer, deployed: the probe signs tokens with the ring and
 * calls the API. 200 for an allowed role, 403 for a forbidden one, 401 without a token or with a
 * forged one; WAF blocks an SQL injection; rejected responses carry the documented security and
 * CORS headers; access and WAF logs arrive without a token.
 *
 * Needs the account's API Gateway CloudWatch Logs role (README, Integration tests).
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { HardenedRestApi, RotatingJwtSecret } from '../../src';
import { destroyWithStack, integApp, integStack, integTest, probe, probeFunction } from './support/integ-stack';

const ORIGIN = 'https://app.integ.invalid';
const app = integApp();
const stack = integStack(app, 'IntegHardenedRestApi');
const keys = new RotatingJwtSecret(stack, 'Keys');
const api = new HardenedRestApi(stack, 'Api', {
  signingKeys: keys,
  issuer: 'https://issuer.integ.invalid',
  audience: 'integ',
  rolePermissions: { user: ['orders:read'], admin: ['orders:read', 'orders:write'] },
  permissionMethods: { 'orders:read': ['GET /orders'], 'orders:write': ['POST /orders'] },
  allowOrigins: [ORIGIN],
});
const ok = new apigateway.MockIntegration({
  requestTemplates: { 'application/json': '{"statusCode": 200}' },
  integrationResponses: [{ statusCode: '200' }],
});
api.addMethod('/orders', 'GET', ok, { methodResponses: [{ statusCode: '200' }] });
api.addMethod('/orders', 'POST', ok, { methodResponses: [{ statusCode: '200' }] });

const fn = probeFunction(stack, {
  SECRET_ID: keys.secret.secretArn,
  API_URL: api.restApi.url,
  ISSUER: 'https://issuer.integ.invalid',
  AUDIENCE: 'integ',
  ALLOWED_ORIGIN: ORIGIN,
  ACCESS_LOG_GROUP: api.accessLogGroup.logGroupName,
  WAF_LOG_GROUP: api.wafLogGroup!.logGroupName,
});
keys.grantRead(fn);
api.accessLogGroup.grantRead(fn);
api.wafLogGroup!.grantRead(fn);
destroyWithStack(stack);

const integ = integTest(app, 'HardenedRestApiTest', stack);
const HEADERS = {
  'strict-transport-security': Match.stringLikeRegexp('max-age=\\d+'),
  'x-content-type-options': 'nosniff',
  'x-frame-options': Match.stringLikeRegexp('DENY'),
  'content-security-policy': Match.stringLikeRegexp("default-src 'none'"),
  'cache-control': Match.stringLikeRegexp('no-store'),
  'access-control-allow-origin': ORIGIN,
};
// The web ACL association takes effect within minutes of the deploy: retry until WAF answers.
probe(integ, fn, 'api')
  .expect(ExpectedResult.objectLike({
    Payload: Match.serializedJson(Match.objectLike({
      allowedRole: 200,
      forbiddenRole: 403,
      noToken: 401,
      forgedToken: 401,
      sqlInjection: 403,
      rejectedHeaders: Match.objectLike(HEADERS),
      preflight: Match.objectLike({ 'access-control-allow-origin': ORIGIN }),
    })),
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) })
  .next(probe(integ, fn, 'logs')
    .expect(ExpectedResult.objectLike({
      Payload: Match.serializedJson({
        accessLogLines: true, wafLogLines: true, tokenInAccessLogs: false, tokenInWafLogs: false, wafAuthorizationRedacted: true,
      }),
    }))
    .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.minutes(1) }));
