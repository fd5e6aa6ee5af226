import { allowResponse, AuthorizerConfig, extractToken, parseConfig, parseMethodArn, VerifiedIdentity } from '../../../lambda-src/authorizer/core';
import { signHs256 } from '../../../lambda-src/jwt/hs256';
import { issueToken } from '../../../lambda-src/jwt/issue-token';
import { KeyRing, newKeyRing, rotateKeyRing, serializeKeyRing, verificationKeys } from '../../../lambda-src/key-ring';
import { allowPolicy, AUDIENCE, ISSUER, signRaw as signJwtRaw, validClaims, withoutClaim } from '../../helpers/jwt-fixtures';
import { verifyToken } from '../../helpers/verify-token';

const NOW = new Date('2026-03-01T12:00:00Z');
const NOW_S = NOW.getTime() / 1000;
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/GET/users/me';

const ENV = {
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: AUDIENCE,
  ROLE_PERMISSIONS: JSON.stringify({ admin: ['user:read:any', 'user:write:any', 'user:read:own'], user: ['user:read:own'] }),
  PERMISSION_METHODS: JSON.stringify({
    'user:read:own': ['GET /users/me'],
    'user:read:any': ['GET /users', 'GET /users/*'],
    'user:write:any': ['PUT /users/*', 'DELETE /users/*', 'GET /users/*'],
  }),
};

function configFrom(env: Record<string, string | undefined>): AuthorizerConfig {
  const result = parseConfig(env);
  if (!result.ok) throw new Error(result.problem);
  return result.config;
}

const config = configFrom(ENV);
const ring: KeyRing = newKeyRing(new Date(NOW.getTime() - 86_400_000));
const keys = verificationKeys(ring, NOW);
const key = Buffer.from(ring.current.key, 'base64url');
const kid = ring.current.kid;

const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => validClaims(NOW_S, overrides, 10);
const without = (name: string): Record<string, unknown> => withoutClaim(claims(), name);
const signRaw = (header: unknown, payload: unknown): string => signJwtRaw(header, payload, key);

function reasonOf(token: string, at: Date = NOW): string {
  const result = verifyToken(token, keys, at, config);
  return result.ok ? 'ok' : result.reason;
}

describe('parseConfig', () => {
  test('applies documented defaults for optional variables', () => {
    expect(config).toMatchObject({
      roleClaim: 'role',
      maxTokenLifetimeSeconds: 3600,
      maxTokenAgeSeconds: 3600,
      clockSkewSeconds: 60,
      maxTokenBytes: 8192,
      keyCacheTtlSeconds: 300,
      keyRefetchMinIntervalSeconds: 30,
    });
  });

  test('resolves each role to its deduplicated, sorted methods', () => {
    expect(config.roleMethods.get('user')).toEqual([{ method: 'GET', path: '/users/me' }]);
    expect(config.roleMethods.get('admin')!.map((m) => `${m.method} ${m.path}`)).toEqual([
      'DELETE /users/*', 'GET /users', 'GET /users/*', 'GET /users/me', 'PUT /users/*',
    ]);
  });

  test('reads every optional variable', () => {
    const c = configFrom({
      ...ENV,
      JWT_ROLE_CLAIM: 'https:role',
      JWT_MAX_TOKEN_LIFETIME_SECONDS: '900',
      JWT_MAX_TOKEN_AGE_SECONDS: '1200',
      JWT_CLOCK_SKEW_SECONDS: '0',
      JWT_MAX_TOKEN_BYTES: '4096',
      KEY_CACHE_TTL_SECONDS: '60',
      KEY_REFETCH_MIN_INTERVAL_SECONDS: '10',
    });
    expect(c).toMatchObject({
      roleClaim: 'https:role',
      maxTokenLifetimeSeconds: 900,
      maxTokenAgeSeconds: 1200,
      clockSkewSeconds: 0,
      maxTokenBytes: 4096,
      keyCacheTtlSeconds: 60,
      keyRefetchMinIntervalSeconds: 10,
    });
  });

  test.each<[string, Record<string, string | undefined>]>([
    ['missing issuer', { JWT_ISSUER: undefined }],
    ['blank audience', { JWT_AUDIENCE: ' ' }],
    ['issuer with surrounding whitespace', { JWT_ISSUER: ' https://issuer.example' }],
    ['missing role map', { ROLE_PERMISSIONS: undefined }],
    ['role map that is not JSON', { ROLE_PERMISSIONS: '{admin:[x]}' }],
    ['role map that is an array', { ROLE_PERMISSIONS: '[]' }],
    ['empty role map', { ROLE_PERMISSIONS: '{}' }],
    ['role with no permissions', { ROLE_PERMISSIONS: '{"user":[]}' }],
    ['role naming an undefined permission', { ROLE_PERMISSIONS: '{"user":["user:read:own","user:reed:any"]}' }],
    ['role name with a space', { ROLE_PERMISSIONS: '{"power user":["user:read:own"]}' }],
    ['permission list that is a string', { ROLE_PERMISSIONS: '{"user":"user:read:own"}' }],
    ['permission with no methods', { PERMISSION_METHODS: '{"user:read:own":[]}' }],
    ['method spec without a path', { PERMISSION_METHODS: '{"user:read:own":["GET"]}' }],
    ['lower-case method', { PERMISSION_METHODS: '{"user:read:own":["get /users/me"]}' }],
    ['unknown method', { PERMISSION_METHODS: '{"user:read:own":["TRACE /users/me"]}' }],
    ['relative path', { PERMISSION_METHODS: '{"user:read:own":["GET users/me"]}' }],
    ['path with a named parameter', { PERMISSION_METHODS: '{"user:read:own":["GET /users/{id}"]}' }],
    ['path with an empty segment', { PERMISSION_METHODS: '{"user:read:own":["GET /users//me"]}' }],
    ['non-integer skew', { JWT_CLOCK_SKEW_SECONDS: '1.5' }],
    ['negative lifetime', { JWT_MAX_TOKEN_LIFETIME_SECONDS: '-1' }],
    ['skew above 300 s', { JWT_CLOCK_SKEW_SECONDS: '301' }],
    ['token cap of 0', { JWT_MAX_TOKEN_BYTES: '0' }],
    ['refetch interval of 0 (no rate limit)', { KEY_REFETCH_MIN_INTERVAL_SECONDS: '0' }],
    ['role claim that is a registered claim', { JWT_ROLE_CLAIM: 'sub' }],
    ['role claim with a space', { JWT_ROLE_CLAIM: 'my role' }],
  ])('rejects a configuration with a %s', (_name, overrides) => {
    const result = parseConfig({ ...ENV, ...overrides });
    expect(result.ok).toBe(false);
  });

  test('never echoes configuration values in the problem text', () => {
    const result = parseConfig({ ...ENV, ROLE_PERMISSIONS: '{"user":["s3cr3t-looking-value"]}' });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('s3cr3t-looking-value');
  });
});

describe('verifyToken', () => {
  test('accepts a valid token and returns its subject and role', () => {
    expect(verifyToken(signHs256(claims(), key, kid), keys, NOW, config)).toEqual({ ok: true, identity: { sub: 'user-1', role: 'user' }, kid });
  });

  test('accepts an audience array that contains the audience', () => {
    expect(reasonOf(signHs256(claims({ aud: ['other', ENV.JWT_AUDIENCE] }), key, kid))).toBe('ok');
  });

  test('accepts a header without typ', () => {
    expect(reasonOf(signRaw({ alg: 'HS256', kid }, claims()))).toBe('ok');
  });

  test('accepts nbf and iat in the past and within the clock skew in the future', () => {
    expect(reasonOf(signHs256(claims({ nbf: NOW_S + 59, iat: NOW_S + 59, exp: NOW_S + 600 }), key, kid))).toBe('ok');
  });

  test('accepts a token signed with an unexpired previous key', () => {
    const rotated = rotateKeyRing(ring, NOW, 3600);
    const result = verifyToken(signHs256(claims(), key, kid), verificationKeys(rotated, NOW), NOW, config);
    expect(result.ok).toBe(true);
  });

  test('rejects a token signed with a previous key after its grace period', () => {
    const rotated = rotateKeyRing(ring, NOW, 3600);
    const later = new Date(NOW.getTime() + 3601_000);
    const token = signHs256(claims({ iat: later.getTime() / 1000 - 10, exp: later.getTime() / 1000 + 600 }), key, kid);
    expect(verifyToken(token, verificationKeys(rotated, later), later, config)).toEqual({ ok: false, reason: 'unknown_kid', kid });
  });

  test('rejects everything when there are no keys (bootstrap secret)', () => {
    expect(verifyToken(signHs256(claims(), key, kid), undefined, NOW, config)).toMatchObject({ ok: false, reason: 'no_keys' });
    expect(verifyToken(signHs256(claims(), key, kid), new Map(), NOW, config)).toMatchObject({ ok: false, reason: 'no_keys' });
  });

  test('rejects an unknown kid and reports it so the adapter can refetch', () => {
    expect(verifyToken(signHs256(claims(), key, 'someOtherKid'), keys, NOW, config)).toEqual({ ok: false, reason: 'unknown_kid', kid: 'someOtherKid' });
  });

  test.each([
    ['__proto__'], ['constructor'], ['hasOwnProperty'],
  ])('rejects the prototype-looking kid %s as unknown', (k) => {
    expect(reasonOf(signHs256(claims(), key, k))).toBe('unknown_kid');
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['missing exp', without('exp'), 'bad_exp'],
    ['exp as a string', claims({ exp: String(NOW_S + 600) }), 'bad_exp'],
    ['exp as null', claims({ exp: null }), 'bad_exp'],
    ['exp past the clock skew', claims({ iat: NOW_S - 700, exp: NOW_S - 60 }), 'expired'],
    ['nbf as a string', claims({ nbf: 'now' }), 'bad_nbf'],
    ['nbf beyond the clock skew', claims({ nbf: NOW_S + 61 }), 'not_yet_valid'],
    ['missing iat', without('iat'), 'bad_iat'],
    ['iat as an array', claims({ iat: [NOW_S] }), 'bad_iat'],
    ['iat beyond the clock skew', claims({ iat: NOW_S + 61 }), 'iat_in_future'],
    ['iat older than the maximum age', claims({ iat: NOW_S - 3601, exp: NOW_S + 600 }), 'token_too_old'],
    ['lifetime above the maximum', claims({ iat: NOW_S - 10, exp: NOW_S - 10 + 3601 }), 'lifetime_too_long'],
    ['wrong issuer', claims({ iss: 'https://evil.example' }), 'bad_iss'],
    ['issuer differing only in case', claims({ iss: 'https://ISSUER.example' }), 'bad_iss'],
    ['issuer in an array', claims({ iss: [ENV.JWT_ISSUER] }), 'bad_iss'],
    ['missing issuer', without('iss'), 'bad_iss'],
    ['wrong audience', claims({ aud: 'billing-api' }), 'bad_aud'],
    ['audience array without the audience', claims({ aud: ['billing-api'] }), 'bad_aud'],
    ['empty audience array', claims({ aud: [] }), 'bad_aud'],
    ['audience array holding a non-string', claims({ aud: [ENV.JWT_AUDIENCE, 1] }), 'bad_aud'],
    ['audience as an object', claims({ aud: { 0: ENV.JWT_AUDIENCE } }), 'bad_aud'],
    ['missing audience', without('aud'), 'bad_aud'],
    ['empty subject', claims({ sub: '' }), 'bad_sub'],
    ['subject as a number', claims({ sub: 42 }), 'bad_sub'],
    ['subject as an array', claims({ sub: ['user-1'] }), 'bad_sub'],
    ['subject over 256 characters', claims({ sub: 'u'.repeat(257) }), 'bad_sub'],
    ['missing role', without('role'), 'bad_role'],
    ['role as an array', claims({ role: ['admin'] }), 'bad_role'],
    ['unknown role', claims({ role: 'root' }), 'unknown_role'],
    ['role differing only in case', claims({ role: 'Admin' }), 'unknown_role'],
    ['role naming an Object.prototype member', claims({ role: 'constructor' }), 'unknown_role'],
    ['role __proto__', claims({ role: '__proto__' }), 'unknown_role'],
  ])('rejects a token with %s', (_name, payload, reason) => {
    expect(reasonOf(signHs256(payload, key, kid))).toBe(reason);
  });

  test('treats exp as exclusive: a token is expired at exp (zero skew)', () => {
    const strict = configFrom({ ...ENV, JWT_CLOCK_SKEW_SECONDS: '0' });
    const token = signHs256(claims({ exp: NOW_S }), key, kid);
    expect(verifyToken(token, keys, NOW, strict)).toMatchObject({ ok: false, reason: 'expired' });
    expect(verifyToken(token, keys, new Date(NOW.getTime() - 1000), strict).ok).toBe(true);
  });

  test('reads the role from the configured role claim', () => {
    const custom = configFrom({ ...ENV, JWT_ROLE_CLAIM: 'groups' });
    expect(verifyToken(signHs256(claims({ groups: 'admin', role: 'user' }), key, kid), keys, NOW, custom))
      .toMatchObject({ ok: true, identity: { role: 'admin' } });
    expect(verifyToken(signHs256(claims({ role: 'admin' }), key, kid), keys, NOW, custom)).toMatchObject({ ok: false, reason: 'bad_role' });
  });

  test.each<[string, unknown, string]>([
    ['alg none', { alg: 'none', typ: 'JWT', kid }, 'bad_alg'],
    ['alg NONE', { alg: 'NONE', kid }, 'bad_alg'],
    ['alg hs256 in lower case', { alg: 'hs256', kid }, 'bad_alg'],
    ['alg HS384', { alg: 'HS384', kid }, 'bad_alg'],
    ['alg as an array', { alg: ['HS256'], kid }, 'bad_alg'],
    ['missing alg', { kid }, 'bad_alg'],
    ['typ jwt in lower case', { alg: 'HS256', typ: 'jwt', kid }, 'bad_typ'],
    ['typ at+jwt', { alg: 'HS256', typ: 'at+jwt', kid }, 'bad_typ'],
    ['typ null', { alg: 'HS256', typ: null, kid }, 'bad_typ'],
    ['missing kid', { alg: 'HS256', typ: 'JWT' }, 'bad_kid'],
    ['kid as a number', { alg: 'HS256', kid: 12345678 }, 'bad_kid'],
    ['kid as an array', { alg: 'HS256', kid: [kid] }, 'bad_kid'],
    ['kid path traversal', { alg: 'HS256', kid: '../../etc/passwd' }, 'bad_kid'],
    ['kid SQL injection', { alg: 'HS256', kid: "' OR 1=1 --" }, 'bad_kid'],
    ['blank kid', { alg: 'HS256', kid: '' }, 'bad_kid'],
    ['kid shorter than 8 characters', { alg: 'HS256', kid: 'abc' }, 'bad_kid'],
    ['kid longer than 64 characters', { alg: 'HS256', kid: 'k'.repeat(65) }, 'bad_kid'],
    ['crit', { alg: 'HS256', kid, crit: ['exp'] }, 'forbidden_header'],
    ['jku', { alg: 'HS256', kid, jku: 'https://attacker.example/jwks.json' }, 'forbidden_header'],
    ['x5u', { alg: 'HS256', kid, x5u: 'https://attacker.example/cert.pem' }, 'forbidden_header'],
    ['jwk', { alg: 'HS256', kid, jwk: { kty: 'oct', k: 'AAAA' } }, 'forbidden_header'],
    ['x5c', { alg: 'HS256', kid, x5c: ['MIIB'] }, 'forbidden_header'],
    ['x5t', { alg: 'HS256', kid, x5t: 'abc' }, 'forbidden_header'],
    ['zip', { alg: 'HS256', kid, zip: 'DEF' }, 'forbidden_header'],
    ['enc', { alg: 'HS256', kid, enc: 'A256GCM' }, 'forbidden_header'],
    ['an unknown header parameter', { alg: 'HS256', kid, foo: 1 }, 'forbidden_header'],
    ['a header that is an array', ['HS256'], 'bad_header'],
    ['a header that is a string', '"HS256"', 'bad_header'],
    ['a header that is null', null, 'bad_header'],
  ])('rejects a correctly signed token with %s', (_name, header, reason) => {
    expect(reasonOf(signRaw(header, claims()))).toBe(reason);
  });

  test.each<[string, unknown]>([
    ['an array', []],
    ['a string', '"x"'],
    ['a number', 1],
    ['null', null],
    ['true', true],
  ])('rejects a correctly signed token whose payload is %s', (_name, payload) => {
    expect(reasonOf(signRaw({ alg: 'HS256', typ: 'JWT', kid }, payload))).toBe('bad_payload');
  });

  describe('encoding and signature', () => {
    const valid = signHs256(claims(), key, kid);
    const [h, p, s] = valid.split('.');

    test.each<[string, string, string]>([
      ['an empty string', '', 'no_token'],
      ['two segments (signature stripped)', `${h}.${p}`, 'malformed_token'],
      ['four segments', `${valid}.x`, 'malformed_token'],
      ['five segments (JWE shape)', `${h}.${p}.${s}.${s}.${s}`, 'malformed_token'],
      ['an empty signature', `${h}.${p}.`, 'bad_signature'],
      ['a truncated signature', `${h}.${p}.${s.slice(0, -2)}`, 'bad_signature'],
      ['half a signature', `${h}.${p}.${s.slice(0, 22)}`, 'bad_signature'],
      ['a flipped signature character', `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`, 'bad_signature'],
      ['a signature with padding', `${h}.${p}.${s}=`, 'bad_encoding'],
      ['a signature one character too long', `${h}.${p}.${s}A`, 'bad_signature'],
      ['a standard-base64 + in the signature', `${h}.${p}.${s.slice(0, -1)}+`, 'bad_encoding'],
      ['a standard-base64 / in the payload', `${h}.${p.slice(0, -1)}/.${s}`, 'bad_encoding'],
      ['a space inside', `${h}.${p} .${s}`, 'bad_encoding'],
      ['a newline at the end', `${valid}\n`, 'bad_encoding'],
      ['an empty header', `.${p}.${s}`, 'bad_encoding'],
      ['a header of one base64url character', `A.${p}.${s}`, 'bad_encoding'],
      ['header bytes that are not UTF-8', `${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}.${p}.${s}`, 'bad_header'],
      ['a header that is not JSON', `${Buffer.from('{alg:HS256}').toString('base64url')}.${p}.${s}`, 'bad_header'],
    ])('rejects %s', (_name, token, reason) => {
      expect(reasonOf(token)).toBe(reason);
    });

    test('rejects a non-canonical signature encoding that decodes to the right bytes', () => {
      // 32 bytes = 43 base64url chars; the last char carries 2 unused bits. Setting one changes
      // the text but not the decoded bytes, which a lenient decoder would accept.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(s[s.length - 1]);
      const tweaked = `${s.slice(0, -1)}${alphabet[last % 2 === 0 ? last + 1 : last - 1]}`;
      expect(Buffer.from(tweaked, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true);
      expect(reasonOf(`${h}.${p}.${tweaked}`)).toBe('bad_encoding');
    });

    test('rejects a token longer than the size cap before parsing it', () => {
      const big = signHs256(claims({ pad: 'x'.repeat(8192) }), key, kid);
      expect(reasonOf(big)).toBe('token_too_large');
    });

    test('rejects a token signed with a different key under the right kid', () => {
      expect(reasonOf(signHs256(claims(), Buffer.from('secret'), kid))).toBe('bad_signature');
      expect(reasonOf(signHs256(claims(), Buffer.alloc(0), kid))).toBe('bad_signature');
    });
  });
});

describe('extractToken', () => {
  test.each<[unknown, string | undefined]>([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER abc.def.ghi', 'abc.def.ghi'],
    ['abc.def.ghi', 'abc.def.ghi'],
    ['Bearer  abc.def.ghi', ' abc.def.ghi'],
    ['Bearer\tabc.def.ghi', 'Bearer\tabc.def.ghi'],
    ['', undefined],
    [undefined, undefined],
    [['Bearer x'], undefined],
  ])('extracts from %p', (header, expected) => {
    expect(extractToken(header)).toBe(expected);
  });

  test('leaves a double-spaced Bearer value for the parser to reject', () => {
    expect(reasonOf(extractToken(`Bearer  ${signHs256(claims(), key, kid)}`)!)).toBe('bad_encoding');
  });
});

/** The Allow response for an identity on the stage of `methodArn`, as the handler builds it. */
function buildPolicy(identity: VerifiedIdentity, methodArn: string, c: AuthorizerConfig): ReturnType<typeof allowResponse> {
  const arn = parseMethodArn(methodArn);
  return arn ? allowResponse(identity, arn, c) : undefined;
}

describe('allowResponse', () => {
  test('allows exactly the methods of the role, on the stage of the request', () => {
    const policy = buildPolicy({ sub: 'user-1', role: 'admin' }, METHOD_ARN, config)!;
    const prefix = 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/';
    expect(policy).toEqual(allowPolicy('user-1', 'admin',
      [`${prefix}DELETE/users/*`, `${prefix}GET/users`, `${prefix}GET/users/*`, `${prefix}GET/users/me`, `${prefix}PUT/users/*`]));
  });

  test('covers methods other than the one requested, so a cached policy stays correct', () => {
    const policy = buildPolicy({ sub: 'u', role: 'user' }, 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/POST/orders', config)!;
    expect(policy.policyDocument.Statement[0].Resource).toEqual(['arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/GET/users/me']);
  });

  test('keeps the partition of the incoming ARN, maps the root path and expands a wildcard method', () => {
    const c = configFrom({ ...ENV, ROLE_PERMISSIONS: '{"ops":["all"]}', PERMISSION_METHODS: '{"all":["* /","GET /health"]}' });
    const policy = buildPolicy({ sub: 'u', role: 'ops' }, 'arn:aws-cn:execute-api:cn-north-1:123456789012:a1b2c3/v1/GET/', c)!;
    const prefix = 'arn:aws-cn:execute-api:cn-north-1:123456789012:a1b2c3/v1/';
    expect(policy.policyDocument.Statement[0].Resource).toEqual([
      ...['DELETE', 'GET'].map((m) => `${prefix}${m}/`),
      `${prefix}GET/health`,
      ...['HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'].map((m) => `${prefix}${m}/`),
    ]);
  });

  test('puts only strings in the context', () => {
    const policy = buildPolicy({ sub: 'u', role: 'user' }, METHOD_ARN, config)!;
    expect(Object.values(policy.context).every((v) => typeof v === 'string')).toBe(true);
  });

  test.each([
    ['not an ARN'],
    ['arn:aws:lambda:eu-west-1:123456789012:function:x'],
    ['arn:aws:execute-api:eu-west-1:123456789012:abc123def4'],
    ['arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod'],
    ['arn:aws:execute-api:eu-west-1:12345:abc123def4/prod/GET/users'],
    ['arn:aws:execute-api:eu-west-1:123456789012:abc*/prod/GET/users'],
  ])('denies (returns nothing) for the malformed methodArn %s', (arn) => {
    expect(parseMethodArn(arn)).toBeUndefined();
    expect(buildPolicy({ sub: 'u', role: 'user' }, arn, config)).toBeUndefined();
  });

  test('shares one deeply frozen policy document per role and stage, never across them', () => {
    const a = buildPolicy({ sub: 'a', role: 'user' }, METHOD_ARN, config)!;
    const b = buildPolicy({ sub: 'b', role: 'user' }, METHOD_ARN.replace('/GET/users/me', '/POST/orders'), config)!;
    expect(b.policyDocument).toBe(a.policyDocument);
    expect([a.principalId, a.context.sub, b.principalId, b.context.sub]).toEqual(['a', 'a', 'b', 'b']);
    const doc = a.policyDocument;
    expect([doc, doc.Statement, doc.Statement[0], doc.Statement[0].Resource].every((o) => Object.isFrozen(o))).toBe(true);
    expect(buildPolicy({ sub: 'a', role: 'admin' }, METHOD_ARN, config)!.policyDocument).not.toBe(doc);
    const otherStage = buildPolicy({ sub: 'a', role: 'user' }, METHOD_ARN.replace('/prod/', '/beta/'), config)!;
    expect(otherStage.policyDocument.Statement[0].Resource).toEqual(['arn:aws:execute-api:eu-west-1:123456789012:abc123def4/beta/GET/users/me']);
  });

  test('returns nothing for a role the configuration does not know', () => {
    expect(buildPolicy({ sub: 'u', role: 'root' }, METHOD_ARN, config)).toBeUndefined();
  });
});

describe('issueToken', () => {
  const ringJson = serializeKeyRing(ring);

  test('signs with the current key and sets iat and exp itself', () => {
    const token = issueToken(ringJson, claims({ iat: 1, exp: 2 }), { ttlSeconds: 900, now: NOW });
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    expect(payload).toMatchObject({ iat: NOW_S, exp: NOW_S + 900 });
    expect(verifyToken(token, keys, NOW, config)).toMatchObject({ ok: true, kid });
  });

  test('uses the newest key after a rotation', () => {
    const rotated = rotateKeyRing(ring, NOW, 3600);
    const token = issueToken(serializeKeyRing(rotated), claims(), { ttlSeconds: 60, now: NOW });
    expect(verifyToken(token, verificationKeys(rotated, NOW), NOW, config)).toMatchObject({ ok: true, kid: rotated.current.kid });
  });

  test('refuses a bootstrap secret value and a non-positive ttl', () => {
    expect(() => issueToken('{"bootstrap":"x"}', claims(), { ttlSeconds: 60 })).toThrow(/invalid key ring/);
    expect(() => issueToken(ringJson, claims(), { ttlSeconds: 0 })).toThrow(RangeError);
    expect(() => issueToken(ringJson, claims(), { ttlSeconds: 1.5 })).toThrow(RangeError);
  });
});
