/**
 * RotatingJwtSecret, deployed: the first rotation has replaced the bootstrap value, and a forced
 * rotation changes the kid while a token signed before it keeps verifying.
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RotatingJwtSecret } from '../../src';
import { destroyWithStack, integApp, integStack, integTest, probe, probeFunction } from './support/integ-stack';

const app = integApp();
const stack = integStack(app, 'IntegRotatingJwtSecret');
const keys = new RotatingJwtSecret(stack, 'Keys');
const fn = probeFunction(stack, { SECRET_ID: keys.secret.secretArn, ISSUER: 'https://issuer.integ.invalid', AUDIENCE: 'integ' });
keys.grantRead(fn);
// The probe forces one rotation; Secrets Manager then invokes the rotation function itself.
fn.addToRolePolicy(new iam.PolicyStatement({
  actions: ['secretsmanager:RotateSecret', 'secretsmanager:DescribeSecret'],
  resources: [keys.secret.secretArn],
}));
destroyWithStack(stack);

const integ = integTest(app, 'RotatingJwtSecretTest', stack);
probe(integ, fn, 'ring')
  .expect(ExpectedResult.objectLike({
    Payload: Match.serializedJson(Match.objectLike({ bootstrap: false, algorithm: 'HS256', currentKeyBytes: 32, currentKid: Match.stringLikeRegexp('^[A-Za-z0-9_-]{8,64}$') })),
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) })
  .next(probe(integ, fn, 'rotate').expect(ExpectedResult.objectLike({
    Payload: Match.serializedJson({ kidChanged: true, oldKidRetired: true, tokenSignedBeforeVerifies: true }),
  })));
