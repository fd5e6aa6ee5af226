import { App, Stack } from 'aws-cdk-lib';

/** A stack with a concrete account and region, as platform teams synthesize for real. */
export function testStack(id = 'TestStack'): Stack {
  const app = new App();
  return new Stack(app, id, { env: { account: '123456789012', region: 'us-east-1' } });
}
