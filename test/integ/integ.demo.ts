/**
 * The demo app (every construct, default props, an ES256 ring), deployed: the first rotation has
 * run, the API answers by role through the authorizer (verifying against the published JWKS) and
 * WAF, and the trail is logging.
 *
 * Needs the account's API Gateway CloudWatch Logs role (README, Integration tests).
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import { buildDemoApp } from '../../demo/demo-app';
import { HardenedRestApi, RotatingJwtSecret, SecurityAuditTrail } from '../../src';
import { destroyWithStack, integApp, integTest, probe, probeFunction } from './support/integ-stack';

const { app, stack } = buildDemoApp(undefined, { env: {}, app: integApp() });
const find = <T>(cls: abstract new (...args: any[]) => T): T => stack.node.findAll().find((c) => c instanceof cls) as T;
const keys = find(RotatingJwtSecret);
const api = find(HardenedRestApi);
const trail = find(SecurityAuditTrail);

const fn = probeFunction(stack, {
  SECRET_ID: keys.secret.secretArn,
  API_URL: api.restApi.url,
  ISSUER: 'https://auth.example.com',
  AUDIENCE: 'orders-api',
});
keys.grantRead(fn);
destroyWithStack(stack, ['AWS::S3::Bucket']);

const integ = integTest(app, 'DemoTest', stack);
probe(integ, fn, 'ring')
  .expect(ExpectedResult.objectLike({ Payload: Match.serializedJson(Match.objectLike({ bootstrap: false, algorithm: 'ES256' })) }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) })
  .next(probe(integ, fn, 'authorizer')
    .expect(ExpectedResult.objectLike({
      Payload: Match.serializedJson({ allowedRole: 200, forbiddenRole: 403, noToken: 401, forgedToken: 401, expiredToken: 401, wrongAudience: 401 }),
    }))
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(20) }))
  .next(integ.assertions.awsApiCall('CloudTrail', 'getTrailStatus', { Name: trail.trailArn })
    .expect(ExpectedResult.objectLike({ IsLogging: true })));
