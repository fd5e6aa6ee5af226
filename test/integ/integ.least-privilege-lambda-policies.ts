/**
 * LeastPrivilegeLambdaPolicies, deployed: the function can read the secret it was granted, and is
 * denied one step beyond (writing that secret) and beside (reading another secret).
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { LeastPrivilegeLambdaPolicies } from '../../src';
import { destroyWithStack, integApp, integStack, integTest, probe, probeFunction } from './support/integ-stack';

const app = integApp();
const stack = integStack(app, 'IntegLeastPrivilegeLambdaPolicies');
const granted = new secretsmanager.Secret(stack, 'Granted');
const other = new secretsmanager.Secret(stack, 'Other');
const fn = probeFunction(stack, { GRANTED_SECRET: granted.secretArn, OTHER_SECRET: other.secretArn });
new LeastPrivilegeLambdaPolicies(stack, 'Policies', { function: fn, secrets: [granted] });
destroyWithStack(stack);

const integ = integTest(app, 'LeastPrivilegeLambdaPoliciesTest', stack);
probe(integ, fn, 'grants').expect(ExpectedResult.objectLike({
  Payload: Match.serializedJson({ readGranted: 'allowed', writeGranted: 'denied', readOther: 'denied' }),
}));
