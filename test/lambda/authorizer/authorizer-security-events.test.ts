/**
 * The security event metric filters read what the shipped authorizer really logs: each deny line
 * of `assets/authorizer/index.js` matches exactly the filter of its event type. The filter
 * patterns are evaluated here with a small evaluator for the one shape `denyFilterPattern` writes.
 */
import { AUTHORIZER_EVENT_TYPES, denyFilterPattern } from '../../../src/authorizer/authorizer-event-types';
import { runHandler } from '../../helpers/run-handler';

const CONFIG = {
  JWT_SECRET_ID: 'jwt-keys',
  JWT_ISSUER: 'https://auth.example.com',
  JWT_AUDIENCE: 'orders-api',
  ROLE_PERMISSIONS: JSON.stringify({ user: ['orders:read'] }),
  PERMISSION_METHODS: JSON.stringify({ 'orders:read': ['GET /orders'] }),
  AWS_REGION: 'us-east-1',
};
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/orders';

/** `{ ($.source = "a") && ($.decision = "b") && (($.reason = "c") || ...) }` against a log object. */
function matches(pattern: string, line: Record<string, unknown>): boolean {
  const shape = /^\{ \(\$\.source = "([^"]+)"\) && \(\$\.decision = "([^"]+)"\) && \((.+)\) \}$/.exec(pattern);
  if (!shape) throw new Error(`unexpected pattern shape: ${pattern}`);
  const reasons = [...shape[3].matchAll(/\(\$\.reason = "([^"]+)"\)/g)].map((m) => m[1]);
  return line.source === shape[1] && line.decision === shape[2] && reasons.includes(line.reason as string);
}

async function denyLine(env: Record<string, string>, event: unknown): Promise<Record<string, unknown>> {
  const run = await runHandler('authorizer', event, { env });
  const lines = run.logs.split('\n').filter((l) => l.startsWith('{"source":"jwt-authorizer"')).map((l) => JSON.parse(l));
  const deny = lines.find((l) => l.decision === 'deny');
  expect(deny).toBeDefined();
  return deny;
}

test.each([
  ['an invalid configuration', {}, { type: 'TOKEN', authorizationToken: 'Bearer x', methodArn: METHOD_ARN }, 'config_invalid', 'ConfigInvalid'],
  ['a request without a token', CONFIG, { type: 'TOKEN', methodArn: METHOD_ARN }, 'no_token', 'MissingTokens'],
  ['a token that is not a JWT', CONFIG, { type: 'TOKEN', authorizationToken: 'Bearer not-a-jwt', methodArn: METHOD_ARN }, 'malformed_token', 'MalformedTokens'],
])('the deny line for %s is counted by its type and no other', async (_what, env, event, reason, metricName) => {
  const line = await denyLine(env as Record<string, string>, event);
  expect(line.reason).toBe(reason);
  const counted = AUTHORIZER_EVENT_TYPES.filter((t) => matches(denyFilterPattern(t.reasons), line)).map((t) => t.metricName);
  expect(counted).toEqual([metricName]);
}, 30_000);
