/**
 * The authorizer ships as two assets, one per key source family (assets/authorizer: the HS256
 * ring in Secrets Manager; assets/authorizer-jwks: a ring's JWKS in S3, a JWKS URL, OIDC
 * discovery). A function given the other family's key source denies every request
 * (config_invalid) and logs the problem once, naming the variable and the asset that serves it;
 * it never falls back to a guess.
 */
import { runHandler } from '../../helpers/run-handler';

const COMMON = {
  JWT_ISSUER: 'https://auth.example.com',
  JWT_AUDIENCE: 'orders-api',
  ROLE_PERMISSIONS: JSON.stringify({ user: ['orders:read'] }),
  PERMISSION_METHODS: JSON.stringify({ 'orders:read': ['GET /orders'] }),
  AWS_REGION: 'us-east-1',
};
const RING_JWKS = { JWT_JWKS_BUCKET: 'keys-jwksbucket-1a2b', JWT_JWKS_OBJECT_KEY: '.well-known/jwks.json', JWT_JWKS_BUCKET_REGION: 'us-east-1', JWT_ALGORITHMS: 'ES256' };
const EVENT = { type: 'TOKEN', authorizationToken: 'Bearer not-a-jwt', methodArn: 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/orders' };

interface Logged { readonly level?: string; readonly msg?: string; readonly problem?: string; readonly decision?: string; readonly reason?: string }

async function run(asset: string, env: Record<string, string>): Promise<{ ok: boolean; lines: Logged[] }> {
  const out = await runHandler(asset, EVENT, { env: { ...COMMON, ...env } });
  const lines = out.logs.split('\n').filter((l) => l.startsWith('{"source":"jwt-authorizer"')).map((l) => JSON.parse(l) as Logged);
  return { ok: out.ok, lines };
}

test.each([
  ['authorizer', 'a ring JWKS in S3', RING_JWKS, 'JWT_JWKS_BUCKET', 'assets/authorizer-jwks'],
  ['authorizer', 'a JWKS URL', { JWT_JWKS_URL: 'https://idp.example/jwks', JWT_ALGORITHMS: 'RS256' }, 'JWT_JWKS_URL', 'assets/authorizer-jwks'],
  ['authorizer', 'an OIDC issuer', { JWT_OIDC_ISSUER_URL: 'https://idp.example', JWT_ALGORITHMS: 'RS256' }, 'JWT_OIDC_ISSUER_URL', 'assets/authorizer-jwks'],
  ['authorizer-jwks', 'a Secrets Manager key ring', { JWT_SECRET_ID: 'jwt-keys' }, 'JWT_SECRET_ID', 'assets/authorizer'],
])('assets/%s refuses %s (config_invalid, the problem logged)', async (asset, _what, env, variable, owner) => {
  const { ok, lines } = await run(asset, env);
  expect(ok).toBe(false);
  const problem = lines.find((l) => l.level === 'error');
  expect(problem?.msg).toBe('invalid authorizer configuration: every request is denied');
  expect(problem?.problem).toContain(`${variable} is a key source of ${owner};`);
  expect(problem?.problem).toContain(`this handler (assets/${asset})`);
  expect(lines.find((l) => l.decision !== undefined)).toMatchObject({ decision: 'deny', reason: 'config_invalid' });
}, 30_000);

test.each([
  ['authorizer', { JWT_SECRET_ID: 'jwt-keys' }],
  ['authorizer-jwks', RING_JWKS],
  ['authorizer-jwks', { JWT_JWKS_URL: 'https://idp.example/jwks', JWT_ALGORITHMS: 'RS256' }],
])('assets/%s accepts its own key source %j (a malformed token is denied as such, before any key fetch)', async (asset, env) => {
  const { ok, lines } = await run(asset, env);
  expect(ok).toBe(false);
  expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  expect(lines.find((l) => l.decision !== undefined)).toMatchObject({ decision: 'deny', reason: 'malformed_token' });
}, 30_000);
