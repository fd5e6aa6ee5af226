/**
 * The construct (synth time) and the handler (run time) must agree on every configuration: the
 * same cases go to JwtAuthorizer's validation and to the handler's parseConfig. When synth
 * accepts, the environment the construct actually wrote is fed to the handler, which must accept
 * it too; when synth refuses, the same values as environment must make the handler fail closed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { parseJwksSettings } from '../../../lambda-src/authorizer/asymmetric';
import { parseConfig } from '../../../lambda-src/authorizer/core';
import { JwtAuthorizer, JwtAuthorizerProps, JwtAuthorizerType } from '../../../src';
import { ENV, HTTP_METHODS, LIMITS, MAX_METHODS_PER_ROLE } from '../../../src/authorizer/authorizer-contract';
import { RotatingJwtSecret } from '../../../src/jwt-keys/rotating-jwt-secret';
import { ValidationError } from '../../../src/shared/validation';
import { testStack } from '../../helpers/stack';

type Roles = { [role: string]: string[] };
type Permissions = { [permission: string]: string[] };

interface Case {
  readonly roles?: Roles;
  readonly permissions?: Permissions;
  readonly roleClaim?: string;
  readonly headerName?: string;
  readonly clockSkewSeconds?: number;
  readonly keyCacheTtlSeconds?: number;
  readonly keyFetchTimeoutMs?: number;
}

const ROLES: Roles = { user: ['read'] };
const PERMS: Permissions = { read: ['GET /users/me'] };
const many = (n: number): string[] => Array.from({ length: n }, (_, i) => `GET /r${i}`);

const CASES: Array<[string, Case]> = [
  ['the minimal map', {}],
  ['a root path', { permissions: { read: ['GET /'] } }],
  ['a whole-segment wildcard', { permissions: { read: ['GET /users/*'] } }],
  ['a wildcard in the middle', { permissions: { read: ['GET /users/*/orders'] } }],
  ['a wildcard method', { permissions: { read: ['* /orders'] } }],
  ['every explicit method', { permissions: { read: ['GET /a', 'POST /a', 'PUT /a', 'PATCH /a', 'DELETE /a', 'HEAD /a', 'OPTIONS /a'] } }],
  ['URL-safe punctuation in a segment', { permissions: { read: ["GET /a.b~c:d@e!f$g&h'i(j)k+l,m;n=o%20-p_q"] } }],
  ['a partial-segment wildcard', { permissions: { read: ['GET /users/ab*'] } }],
  ['a wildcard inside a segment', { permissions: { read: ['GET /users/a*b'] } }],
  ['a named path parameter', { permissions: { read: ['GET /users/{id}'] } }],
  ['an empty segment', { permissions: { read: ['GET /users//me'] } }],
  ['a trailing slash', { permissions: { read: ['GET /users/'] } }],
  ['a relative path', { permissions: { read: ['GET users'] } }],
  ['a lower-case method', { permissions: { read: ['get /users'] } }],
  ['an unknown method', { permissions: { read: ['TRACE /users'] } }],
  ['ANY as a method', { permissions: { read: ['ANY /users'] } }],
  ['two spaces', { permissions: { read: ['GET  /users'] } }],
  ['a query string', { permissions: { read: ['GET /users?x=1'] } }],
  ['a permission with no methods', { permissions: { read: [] } }],
  ['a role with no permissions', { roles: { user: [] } }],
  ['no roles', { roles: {} }],
  ['a dangling permission', { roles: { user: ['read', 'write'] } }],
  ['a permission named like an Object built-in', { roles: { user: ['constructor'] } }],
  ['a role named __proto__', { roles: { ['__proto__']: ['read'] } as Roles }],
  ['a role name with a space', { roles: { 'power user': ['read'] } }],
  ['a permission name of 129 characters', { roles: { user: ['p'.repeat(129)] }, permissions: { ['p'.repeat(129)]: ['GET /'] } }],
  ['200 methods for one role', { permissions: { read: many(200) } }],
  ['201 methods for one role', { permissions: { read: many(201) } }],
  ['29 wildcard methods (203 explicit)', { permissions: { read: many(29).map((m) => m.replace('GET', '*')) } }],
  ['28 wildcard methods (196 explicit)', { permissions: { read: many(28).map((m) => m.replace('GET', '*')) } }],
  ['a namespaced role claim', { roleClaim: 'https:role' }],
  ['a registered claim as role claim', { roleClaim: 'sub' }],
  ['a role claim with a space', { roleClaim: 'my role' }],
  ['a custom header', { headerName: 'X-Api-Token' }],
  ['a header name with a space', { headerName: 'X Token' }],
  ['a header name with a colon', { headerName: 'X-Token:' }],
  ['the largest clock skew', { clockSkewSeconds: LIMITS.clockSkewSeconds.max }],
  ['a clock skew over the limit', { clockSkewSeconds: LIMITS.clockSkewSeconds.max + 1 }],
  ['a key cache TTL of 0', { keyCacheTtlSeconds: 0 }],
  ['a key cache TTL over the limit', { keyCacheTtlSeconds: LIMITS.keyCacheTtlSeconds.max + 1 }],
  ['the shortest key fetch timeout', { keyFetchTimeoutMs: LIMITS.keyFetchTimeoutMs.min }],
  ['a key fetch timeout under the limit', { keyFetchTimeoutMs: LIMITS.keyFetchTimeoutMs.min - 1 }],
  ['a key fetch timeout over the limit', { keyFetchTimeoutMs: LIMITS.keyFetchTimeoutMs.max + 1 }],
];

function propsOf(c: Case): Partial<JwtAuthorizerProps> {
  return {
    rolePermissions: c.roles ?? ROLES,
    permissionMethods: c.permissions ?? PERMS,
    roleClaim: c.roleClaim,
    headerName: c.headerName,
    clockSkew: c.clockSkewSeconds === undefined ? undefined : Duration.seconds(c.clockSkewSeconds),
    keyCacheTtl: c.keyCacheTtlSeconds === undefined ? undefined : Duration.seconds(c.keyCacheTtlSeconds),
    keyFetchTimeout: c.keyFetchTimeoutMs === undefined ? undefined : Duration.millis(c.keyFetchTimeoutMs),
  };
}

/** The environment the construct would write, for a case it refuses (so it wrote none). */
function envOf(c: Case): Record<string, string | undefined> {
  return {
    [ENV.issuer]: 'https://issuer.example',
    [ENV.audience]: 'api',
    [ENV.rolePermissions]: JSON.stringify(c.roles ?? ROLES),
    [ENV.permissionMethods]: JSON.stringify(c.permissions ?? PERMS),
    [ENV.roleClaim]: c.roleClaim,
    [ENV.headerName]: c.headerName,
    [ENV.clockSkewSeconds]: c.clockSkewSeconds?.toString(),
    [ENV.keyCacheTtlSeconds]: c.keyCacheTtlSeconds?.toString(),
    [ENV.keyFetchTimeoutMs]: c.keyFetchTimeoutMs?.toString(),
  };
}

type SynthVerdict = { ok: true; env: Record<string, string> } | { ok: false; message: string };

function synthVerdict(c: Case): SynthVerdict {
  const stack = testStack();
  try {
    const keys = new RotatingJwtSecret(stack, 'Keys');
    const authz = new JwtAuthorizer(stack, 'Authz', {
      signingKeys: keys,
      issuer: 'https://issuer.example',
      audience: 'api',
      ...propsOf(c),
      type: c.headerName ? JwtAuthorizerType.REQUEST : undefined,
    } as JwtAuthorizerProps);
    const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false });
    api.root.addMethod('GET', new apigateway.MockIntegration(), { authorizer: authz.authorizer });
  } catch (e) {
    // The library's own error: aws-cdk-lib throws errors named ValidationError too.
    if (!(e instanceof ValidationError)) throw e;
    return { ok: false, message: e.message };
  }
  const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
    .find((r) => r.Properties.Environment?.Variables?.[ENV.rolePermissions]);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn!.Properties.Environment.Variables)) env[name] = typeof value === 'string' ? value : 'resolved-at-deploy';
  return { ok: true, env };
}

describe('construct and handler give the same verdict', () => {
  test.each(CASES)('for %s', (_name, c) => {
    const atSynth = synthVerdict(c);
    const atRunTime = parseConfig(atSynth.ok ? atSynth.env : envOf(c));
    expect({ ok: atRunTime.ok }).toEqual({ ok: atSynth.ok });
  });

  test('the table holds cases both sides accept and cases both refuse', () => {
    const verdicts = CASES.map(([, c]) => synthVerdict(c).ok);
    expect(verdicts.filter((v) => v).length).toBeGreaterThanOrEqual(10);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThanOrEqual(10);
  });

  test('synth names the prop of a role-map problem and quotes the offending entry', () => {
    expect(synthVerdict({ permissions: { read: ['GET /users/ab*'] } })).toEqual({
      ok: false, message: expect.stringMatching(/Authz: permissionMethods 'read' has 'GET \/users\/ab\*': use "<DELETE\|GET\|/),
    });
  });
});

/** Where an identity provider's keys are: (issuer claim, issuerUrl or jwksUrl). */
const PROVIDER_CASES: Array<[string, { issuer: string; issuerUrl?: string; jwksUrl?: string }]> = [
  ['discovery from a Cognito-style issuer', { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc', issuerUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc' }],
  ['discovery from an issuer with a trailing slash', { issuer: 'https://tenant.auth0.com/', issuerUrl: 'https://tenant.auth0.com/' }],
  ['discovery from an issuer with a port', { issuer: 'https://idp.example:8443/realms/a', issuerUrl: 'https://idp.example:8443/realms/a' }],
  ['a JWKS URL', { issuer: 'https://accounts.google.com', jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs' }],
  ['a JWKS URL with a query', { issuer: 'https://idp.example', jwksUrl: 'https://idp.example/keys?appid=1' }],
  ['discovery from an http issuer', { issuer: 'http://idp.example', issuerUrl: 'http://idp.example' }],
  ['discovery from an issuer with a query', { issuer: 'https://idp.example/?t=a', issuerUrl: 'https://idp.example/?t=a' }],
  ['discovery from an issuer with an empty fragment', { issuer: 'https://idp.example/#', issuerUrl: 'https://idp.example/#' }],
  ['discovery from an issuer with credentials', { issuer: 'https://u:p@idp.example', issuerUrl: 'https://u:p@idp.example' }],
  ['discovery from a relative issuer', { issuer: '/realms/a', issuerUrl: '/realms/a' }],
  ['discovery from another issuer than the iss claim', { issuer: 'https://idp.example/a', issuerUrl: 'https://idp.example/b' }],
  ['discovery from the issuer with a slash the iss claim lacks', { issuer: 'https://idp.example/a', issuerUrl: 'https://idp.example/a/' }],
  ['an http JWKS URL', { issuer: 'https://idp.example', jwksUrl: 'http://idp.example/keys' }],
  ['both a JWKS URL and an issuer URL', { issuer: 'https://idp.example', issuerUrl: 'https://idp.example', jwksUrl: 'https://idp.example/keys' }],
];

describe('construct and handler give the same verdict on where an identity provider keeps its keys', () => {
  function synthProvider(c: { issuer: string; issuerUrl?: string; jwksUrl?: string }): SynthVerdict {
    const stack = testStack();
    try {
      const authz = new JwtAuthorizer(stack, 'Authz', {
        identityProvider: { issuerUrl: c.issuerUrl, jwksUrl: c.jwksUrl }, issuer: c.issuer, audience: 'api', rolePermissions: ROLES, permissionMethods: PERMS,
      });
      new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false }).root.addMethod('GET', new apigateway.MockIntegration(), { authorizer: authz.authorizer });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return { ok: false, message: e.message };
    }
    const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).find((r) => r.Properties.Environment?.Variables?.[ENV.issuer]);
    return { ok: true, env: fn!.Properties.Environment.Variables };
  }

  test.each(PROVIDER_CASES)('for %s', (_name, c) => {
    const atSynth = synthProvider(c);
    const env = atSynth.ok ? atSynth.env : { [ENV.issuer]: c.issuer, [ENV.oidcIssuerUrl]: c.issuerUrl, [ENV.jwksUrl]: c.jwksUrl };
    const atRunTime = parseJwksSettings(env);
    expect(atRunTime).toBeDefined();
    expect({ ok: !('problem' in atRunTime!) }).toEqual({ ok: atSynth.ok });
  });

  test('the table holds cases both sides accept and cases both refuse', () => {
    const verdicts = PROVIDER_CASES.map(([, c]) => synthProvider(c).ok);
    expect(verdicts.filter((v) => v).length).toBeGreaterThanOrEqual(5);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThanOrEqual(8);
  });
});

describe('the contract module', () => {
  const source = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'src', 'authorizer', 'authorizer-contract.ts'), 'utf8');

  test('imports nothing, so the handler bundle stays free of aws-cdk-lib', () => {
    expect(source).not.toMatch(/^\s*import\b|\brequire\(/m);
  });

  test('every environment variable it names is set by the construct with default props', () => {
    const verdict = synthVerdict({});
    expect(verdict.ok).toBe(true);
    const written = Object.keys((verdict as { env: Record<string, string> }).env);
    // The refetch interval and token size cap keep their handler defaults; everything else is explicit.
    const handlerDefaults: string[] = [ENV.keyRefetchMinIntervalSeconds, ENV.maxTokenBytes];
    // JWKS modes (an identity provider by URL or discovery, or an asymmetric ring's published JWKS, instead of an
    // HS256 key ring) have variables of their own, and no secret.
    const jwksOnly: string[] = [ENV.jwksUrl, ENV.oidcIssuerUrl, ENV.algorithms, ENV.jwksBucket, ENV.jwksObjectKey, ENV.jwksBucketRegion];
    expect(jwksOnly.filter((name) => written.includes(name))).toEqual([]);
    handlerDefaults.push(...jwksOnly);
    expect(Object.values(ENV).filter((name) => !handlerDefaults.includes(name)).filter((name) => !written.includes(name))).toEqual([]);
  });
});

describe('the README states the contract', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## JwtAuthorizer'), readme.indexOf('### Token contract'));

  test('lists exactly the methods a * stands for, and the per-role limit', () => {
    const grammar = section.replace(/\s+/g, ' ');
    const listed = /METHOD one of ((?:`[A-Z]+`,? (?:or )?)+)/.exec(grammar)![1].match(/`([A-Z]+)`/g)!.map((m) => m.slice(1, -1));
    expect(listed).toEqual([...HTTP_METHODS]);
    expect(grammar).toContain(`A role resolves to at most ${MAX_METHODS_PER_ROLE} explicit methods`);
  });

  test('gives the key fetch default the contract sets', () => {
    expect(section).toContain(`keyFetchTimeout: Duration.seconds(${LIMITS.keyFetchTimeoutMs.default / 1000})`);
    expect(section).toContain(`\`keyFetchTimeout\` (default ${LIMITS.keyFetchTimeoutMs.default / 1000} s)`);
  });
});
