/**
 * The Allow policy must mean what the role map says under any reading of `*`. The resources the
 * handler emits are matched here with a plain IAM-style matcher, where `*` matches any run of
 * characters including `/` (the widest reading): every request ARN it matches must be one the
 * role map grants, and every granted one must match. A `*` in the verb position would fail this
 * (`*`/orders matches `DELETE/admin/orders`), which is why `*` methods are expanded.
 */
import { allowResponse, AuthorizerConfig, parseConfig, parseMethodArn } from '../../../lambda-src/authorizer/core';
import { ApiMethod, HTTP_METHODS } from '../../../src/authorizer/authorizer-contract';

/** IAM-style glob: `*` matches any run of characters, `/` included; everything else literally. */
function globMatches(pattern: string, text: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === text;
  if (!text.startsWith(parts[0])) return false;
  let at = parts[0].length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = text.indexOf(parts[i], at);
    if (found < 0) return false;
    at = found + parts[i].length;
  }
  const last = parts[parts.length - 1];
  return text.length - at >= last.length && text.endsWith(last);
}

/** The documented meaning of the role map: the same verb, and the path glob where `*` crosses `/`. */
function grants(roleMethods: readonly ApiMethod[], method: string, path: string): boolean {
  return roleMethods.some((m) => m.method === method && globMatches(m.path, path));
}

const PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:abc123def4/prod/';

function configFor(permissionMethods: Record<string, string[]>): AuthorizerConfig {
  const result = parseConfig({
    JWT_ISSUER: 'i',
    JWT_AUDIENCE: 'a',
    ROLE_PERMISSIONS: JSON.stringify({ r: Object.keys(permissionMethods) }),
    PERMISSION_METHODS: JSON.stringify(permissionMethods),
  });
  if (!result.ok) throw new Error(result.problem);
  return result.config;
}

/** IAM-style: the wildcard crosses `/`, and a `*` anywhere in the resource may match anything. */
function iamAllows(resources: readonly string[], requestArn: string): boolean {
  return resources.some((r) => globMatches(r, requestArn));
}

const PATHS = ['/', '/orders', '/orders/1', '/orders/1/items', '/admin/orders', '/admin', '/users', '/users/me',
  '/users/1/orders', '/users/1/2/orders', '/users/orders', '/ordersx', '/x/orders'];
const VERBS = [...HTTP_METHODS, 'TRACE'];

describe.each<[string, Record<string, string[]>]>([
  ['a wildcard method on one path', { p: ['* /orders'] }],
  ['a wildcard method on the root', { p: ['* /'] }],
  ['a trailing path wildcard', { p: ['GET /orders/*'] }],
  ['a wildcard in the middle of the path', { p: ['GET /users/*/orders'] }],
  ['wildcard method and path together', { p: ['* /users/*'], q: ['DELETE /admin'] }],
])('for %s', (_name, permissionMethods) => {
  const config = configFor(permissionMethods);
  const resources = allowResponse({ sub: 's', role: 'r' }, parseMethodArn(`${PREFIX}GET/`)!, config)!.policyDocument.Statement[0].Resource;
  const roleMethods = config.roleMethods.get('r')!;

  test('the policy names every method explicitly (no * in the verb position)', () => {
    for (const r of resources) expect(HTTP_METHODS).toContain(r.slice(PREFIX.length).split('/')[0]);
  });

  test('an IAM-style matcher allows exactly the requests the role map grants', () => {
    const mismatches: string[] = [];
    for (const verb of VERBS) {
      for (const path of PATHS) {
        const arn = `${PREFIX}${verb}/${path.slice(1)}`;
        if (iamAllows(resources, arn) !== grants(roleMethods, verb, path)) mismatches.push(`${verb} ${path}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

test('the matcher itself lets * cross /, so the check above is the wide reading', () => {
  expect(globMatches(`${PREFIX}*/orders`, `${PREFIX}DELETE/admin/orders`)).toBe(true);
  expect(globMatches('/users/*', '/users/1/orders')).toBe(true);
  expect(globMatches('/users/*/orders', '/users/orders')).toBe(false);
  expect(globMatches('/orders', '/ordersx')).toBe(false);
});
