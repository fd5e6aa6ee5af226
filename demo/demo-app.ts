/**
 * The example app: every construct the library has, with default props, in one stack.
 * `npm run demo` synthesizes it; a test checks it has zero unacknowledged findings.
 */
import { App, Stack } from 'aws-cdk-lib';
import { RotatingJwtSecret, SecurityAuditTrail } from '../src';

export interface DemoApp {
  readonly app: App;
  readonly stack: Stack;
}

export function buildDemoApp(outdir?: string): DemoApp {
  const app = new App({ outdir });
  const stack = new Stack(app, 'SecurityBlocksDemo', { env: { account: '123456789012', region: 'us-east-1' } });
  new RotatingJwtSecret(stack, 'JwtSecret');
  new SecurityAuditTrail(stack, 'AuditTrail');
  return { app, stack };
}
