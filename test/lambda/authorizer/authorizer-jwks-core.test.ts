/**
 * The pure parts of JWKS mode: the key filter (jwks.ts), the role claim mapping and settings
 * (asymmetric.ts), the cache's fetch counting under an injected clock (jwks-cache.ts) and the
 * discovery document's rules (oidc-discovery.ts).
 */
import { generateKeyPairSync, JsonWebKey, sign, verify } from 'crypto';
import { joseToDer, parseAsymmetricToken, parseJwksSettings, RoleUnions } from '../../../lambda-src/authorizer/asymmetric';
import { AuthorizerConfig, parseConfig } from '../../../lambda-src/authorizer/core';
import { ResponseTooLarge } from '../../../lambda-src/authorizer/http-transport';
import { parseJwks } from '../../../lambda-src/authorizer/jwks';
import { JwksCache, DocumentFetchError, fetchJwksDocument } from '../../../lambda-src/authorizer/jwks-cache';
import { jwksUriOf } from '../../../lambda-src/authorizer/oidc-discovery';
import { HttpRequest, Transport } from '../../../lambda-src/authorizer/transport';
import { discoveryUrlOf } from '../../../src/authorizer/authorizer-contract';
import { answering, expectGivesUpAtDeadline } from '../../helpers/signed-requests';

const ALL = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const ecJwk = (): JsonWebKey => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });

describe('parseJwks', () => {
  const ec = ecJwk();
  const ecPrivate = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['a private key', { ...ecPrivate, kid: 'k-private' }, 'private_material'],
    ['a symmetric key', { kty: 'oct', k: 'c2VjcmV0', kid: 'k-oct' }, 'private_material'],
    ['an unknown key type', { kty: 'XYZ', kid: 'k-xyz' }, 'bad_kty'],
    ['an alg of another key type', { ...ec, alg: 'RS256', kid: 'k-alg' }, 'alg_mismatch'],
    ['an HS alg', { ...ec, alg: 'HS256', kid: 'k-hs' }, 'alg_mismatch'],
    ['an encryption key', { ...ec, use: 'enc', kid: 'k-enc' }, 'bad_use'],
    ['a point off the curve', { ...ec, x: ec.y, kid: 'k-off' }, 'ec_not_on_curve'],
    ['a coordinate that is not 32 bytes', { ...ec, x: 'AAAA', kid: 'k-short' }, 'bad_key'],
    ['key_ops without verify', { ...ec, key_ops: ['sign'], kid: 'k-ops' }, 'bad_key_ops'],
    ['key_ops that is not a list', { ...ec, key_ops: 'verify', kid: 'k-ops-str' }, 'bad_key_ops'],
    ['a P-256K key', { ...ec, crv: 'secp256k1', kid: 'k-256k' }, 'bad_curve'],
    ['an X25519 key', { kty: 'OKP', crv: 'X25519', x: ec.x, kid: 'k-x25519' }, 'bad_curve'],
    ['an exp that is not a number', { ...ec, exp: '2030-01-01', kid: 'k-exp' }, 'bad_exp'],
  ];
  test.each(cases)('ignores %s with a reason code', (_name, jwk, reason) => {
    const parsed = parseJwks(JSON.stringify({ keys: [jwk, { ...ec, kid: 'good-key' }] }), ALL);
    expect(parsed.ignored).toEqual([{ kid: jwk.kid, reason }]);
    expect([...parsed.keys.keys()]).toEqual(['good-key']);
  });

  test('reads a key\'s exp (NumericDate) as the instant it stops verifying', () => {
    const parsed = parseJwks(JSON.stringify({ keys: [{ ...ec, kid: 'retired', exp: 1_900_000_000 }, { ...ecJwk(), kid: 'live' }] }), ALL);
    expect(parsed.keys.get('retired')!.expiresAtMs).toBe(1_900_000_000_000);
    expect(parsed.keys.get('live')!.expiresAtMs).toBeUndefined();
  });

  test('ignores both keys that share a kid, and keys without a kid', () => {
    const parsed = parseJwks(JSON.stringify({ keys: [{ ...ec, kid: 'twin' }, { ...ecJwk(), kid: 'twin' }, ec, 'junk'] }), ALL);
    expect(parsed.keys.size).toBe(0);
    expect(parsed.ignored.map((i) => i.reason)).toEqual(['duplicate_kid', 'no_kid', 'not_an_object']);
  });

  test('a key whose algorithms are all outside the allow-list is ignored', () => {
    expect(parseJwks(JSON.stringify({ keys: [{ ...ec, kid: 'ec-only' }] }), ['RS256']).ignored).toEqual([{ kid: 'ec-only', reason: 'no_allowed_alg' }]);
  });

  test('a document that is not a JWK Set throws (the fetch fails closed)', () => {
    for (const body of ['[]', '{}', '{"keys":{}}', 'nope', JSON.stringify({ keys: Array(101).fill(ec) })]) {
      expect(() => parseJwks(body, ALL)).toThrow();
    }
  });
});

describe('role claim mapping', () => {
  const config = parseConfig({
    JWT_ISSUER: 'i',
    JWT_AUDIENCE: 'a',
    ROLE_PERMISSIONS: JSON.stringify({ 'read:orders': ['r'], 'write:orders': ['w'], 'big': ['many'] }),
    PERMISSION_METHODS: JSON.stringify({ r: ['GET /orders'], w: ['PUT /orders/*'], many: Array.from({ length: 200 }, (_, i) => `GET /m${i}`) }),
  });
  const roles = new RoleUnions((config as { config: AuthorizerConfig }).config);

  test('scope strings are split on spaces; known values are granted together', () => {
    expect(roles.roleOf('openid read:orders profile')).toEqual({ role: 'read:orders' });
    expect(roles.roleOf('write:orders read:orders')).toEqual({ role: 'read:orders write:orders' });
    expect(roles.config.roleMethods.get('read:orders write:orders')).toEqual([{ method: 'GET', path: '/orders' }, { method: 'PUT', path: '/orders/*' }]);
  });

  test('lists, unknown values, wrong types and oversized unions', () => {
    expect(roles.roleOf(['write:orders'])).toEqual({ role: 'write:orders' });
    expect(roles.roleOf(['openid'])).toEqual({ reason: 'unknown_role' });
    expect(roles.roleOf([1, 'write:orders'])).toEqual({ reason: 'bad_role' });
    expect(roles.roleOf({ role: 'write:orders' })).toEqual({ reason: 'bad_role' });
    expect(roles.roleOf(Array(65).fill('write:orders'))).toEqual({ reason: 'bad_role' });
    expect(roles.roleOf(['big', 'read:orders'])).toEqual({ reason: 'too_many_roles' });
    // A composite name is never accepted from the token itself.
    expect(roles.roleOf(['read:orders write:orders'])).toEqual({ reason: 'unknown_role' });
  });
});

describe('parseJwksSettings', () => {
  test('https only, allow-list within the asymmetric algorithms', () => {
    expect(parseJwksSettings({})).toBeUndefined();
    expect(parseJwksSettings({ JWT_JWKS_URL: 'https://idp.example/jwks' })).toEqual({ url: 'https://idp.example/jwks', algorithms: ALL });
    expect(parseJwksSettings({ JWT_JWKS_URL: 'http://idp.example/jwks' })).toEqual({ problem: 'JWT_JWKS_URL must be an https:// URL' });
    expect(parseJwksSettings({ JWT_JWKS_URL: 'https://idp.example/jwks', JWT_ALGORITHMS: 'ES256,HS256' })).toHaveProperty('problem');
    expect(parseJwksSettings({ JWT_JWKS_URL: 'https://idp.example/jwks', JWT_ALGORITHMS: 'ES256,ES256' })).toHaveProperty('problem');
  });

  test('discovery: an https issuer URL without query or fragment, equal to JWT_ISSUER, and never with a JWKS URL', () => {
    const iss = 'https://idp.example/tenant';
    expect(parseJwksSettings({ JWT_OIDC_ISSUER_URL: iss, JWT_ISSUER: iss, JWT_ALGORITHMS: 'RS256' })).toEqual({ issuerUrl: iss, algorithms: ['RS256'] });
    expect(parseJwksSettings({ JWT_OIDC_ISSUER_URL: iss, JWT_ISSUER: `${iss}/` })).toEqual({ problem: 'JWT_OIDC_ISSUER_URL must equal JWT_ISSUER' });
    expect(parseJwksSettings({ JWT_OIDC_ISSUER_URL: iss, JWT_ISSUER: iss, JWT_JWKS_URL: `${iss}/jwks` }))
      .toEqual({ problem: 'JWT_JWKS_URL and JWT_OIDC_ISSUER_URL are exclusive' });
    for (const [bad, problem] of [['http://idp.example', 'must be an https:// URL'], [`${iss}?a=b`, 'must not have a query'], [`${iss}?`, 'must not have a query'],
      [`${iss}#`, 'must not have a fragment'], ['https://u:p@idp.example', 'must not carry credentials']]) {
      expect(parseJwksSettings({ JWT_OIDC_ISSUER_URL: bad, JWT_ISSUER: bad })).toEqual({ problem: `JWT_OIDC_ISSUER_URL ${problem}` });
    }
  });
});

describe('parseAsymmetricToken header checks (cached per header text and allow-list)', () => {
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const tokenWith = (header: unknown): string => `${b64(header)}.${b64({ sub: 'a' })}.${Buffer.alloc(64, 1).toString('base64url')}`;
  test('a header accepted under one allow-list is still judged under another, and a refused one stays refused', () => {
    const t = tokenWith({ alg: 'ES256', kid: 'k-1' });
    expect(parseAsymmetricToken(t, 8192, ['ES256'])).toMatchObject({ ok: true, token: { alg: 'ES256', kid: 'k-1' } });
    expect(parseAsymmetricToken(t, 8192, ['RS256'])).toEqual({ ok: false, reason: 'bad_alg' });
    const jku = tokenWith({ alg: 'ES256', kid: 'k-1', jku: 'https://evil.example' });
    for (let i = 0; i < 2; i++) expect(parseAsymmetricToken(jku, 8192, ['ES256'])).toEqual({ ok: false, reason: 'forbidden_header' });
  });
  test('a flood of distinct headers neither breaks parsing nor evicts correctness', () => {
    const allow = ['ES256'];
    for (let i = 0; i < 200; i++) expect(parseAsymmetricToken(tokenWith({ alg: 'ES256', kid: `k-${i}` }), 8192, allow)).toMatchObject({ ok: true, token: { kid: `k-${i}` } });
    expect(parseAsymmetricToken(tokenWith({ alg: 'ES256', kid: 'k-1' }), 8192, allow)).toMatchObject({ ok: true, token: { kid: 'k-1' } });
  });
});

describe('joseToDer (ES256 signatures handed to OpenSSL as DER)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  /** OpenSSL's DER signature as JOSE r||s: the test's independent way back. */
  function derToJose(der: Buffer): Buffer {
    const rLen = der[3];
    const r = der.subarray(4, 4 + rLen);
    const s = der.subarray(6 + rLen, 6 + rLen + der[5 + rLen]);
    const fixed = (x: Buffer): Buffer => Buffer.concat([Buffer.alloc(32), x]).subarray(-32);
    return Buffer.concat([fixed(r), fixed(s)]);
  }
  test('gives back byte for byte the DER OpenSSL itself produced, for 300 signatures', () => {
    for (let i = 0; i < 300; i++) {
      const data = Buffer.from(`message ${i}`);
      const der = sign('sha256', data, privateKey);
      expect(joseToDer(derToJose(der)).equals(der)).toBe(true);
      const jose = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      expect(verify('sha256', data, publicKey, joseToDer(jose))).toBe(true);
    }
  });
  test('minimal integers: leading zero bytes dropped, a 0x00 before a high bit', () => {
    const sig = Buffer.concat([Buffer.from('000080' + '11'.repeat(29), 'hex'), Buffer.from('ff' + '22'.repeat(31), 'hex')]);
    expect(joseToDer(sig).toString('hex')).toBe(`3044021f0080${'11'.repeat(29)}022100ff${'22'.repeat(31)}`);
    const ones = Buffer.concat([Buffer.alloc(31), Buffer.from([1]), Buffer.alloc(31), Buffer.from([2])]);
    expect(joseToDer(ones).toString('hex')).toBe('3006020101020102');
  });
});

describe('jwksUriOf (the discovery document)', () => {
  const iss = 'https://idp.example:8443/tenant';
  test('returns the jwks_uri on the issuer origin; a default port is the same origin', () => {
    expect(String(jwksUriOf(JSON.stringify({ issuer: iss, jwks_uri: 'https://idp.example:8443/keys' }), iss))).toBe('https://idp.example:8443/keys');
    expect(String(jwksUriOf(JSON.stringify({ issuer: 'https://idp.example', jwks_uri: 'https://idp.example:443/k' }), 'https://idp.example'))).toBe('https://idp.example/k');
  });
  test('refuses a sibling host, a parent domain, and a scheme other than https', () => {
    for (const uri of ['https://keys.idp.example:8443/keys', 'https://example:8443/keys', 'https://idp.example/keys']) {
      expect(jwksUriOf(JSON.stringify({ issuer: iss, jwks_uri: uri }), iss)).toBe('discovery_jwks_uri_off_origin');
    }
    expect(jwksUriOf(JSON.stringify({ issuer: iss, jwks_uri: 'ftp://idp.example:8443/keys' }), iss)).toBe('discovery_jwks_uri_not_https');
    expect(jwksUriOf(JSON.stringify({ issuer: iss, jwks_uri: 7 }), iss)).toBe('discovery_no_jwks_uri');
    expect(jwksUriOf('null', iss)).toBe('discovery_not_json');
  });
  test('the discovery document is the issuer with one trailing slash dropped, plus the well-known path', () => {
    expect(discoveryUrlOf('https://tenant.auth0.com/')).toBe('https://tenant.auth0.com/.well-known/openid-configuration');
    expect(discoveryUrlOf('https://login.microsoftonline.com/tid/v2.0')).toBe('https://login.microsoftonline.com/tid/v2.0/.well-known/openid-configuration');
  });
});

describe('JwksCache', () => {
  test('one fetch per TTL under load, one per rate-limit window under an unknown-kid flood', async () => {
    const body = JSON.stringify({ keys: [{ ...ecJwk(), kid: 'k1-abcdef' }] });
    const cache = new JwksCache({ fetchJwks: async () => body, algorithms: ALL, ttlSeconds: 300, refetchMinIntervalSeconds: 30 });
    let now = 1_000_000;
    let entry = await cache.current(now);
    for (let i = 0; i < 10_000; i++) {
      now += 10; // 100 s of traffic, every request naming an unknown kid
      expect(cache.fresh(now)).toBe(entry);
      if (cache.claimForcedRefetch(entry, now)) entry = await cache.fetch(now);
    }
    // One cold fetch, then one forced refetch per 30 s window of the flood (100 s: 4 windows at most).
    expect(cache.fetches).toBeLessThanOrEqual(5);
    expect(cache.fetches).toBeGreaterThanOrEqual(4);
  });

  test('a failed fetch backs off 1 s and an expired set is never served', async () => {
    let fail = false;
    // The failed fetch takes no time on the cache's monotonic clock, so the back-off ends at 2000.
    const cache = new JwksCache({
      fetchJwks: async () => { if (fail) throw new Error('down'); return '{"keys":[]}'; }, algorithms: ALL, ttlSeconds: 1, refetchMinIntervalSeconds: 1, elapsedClock: () => 0,
    });
    await cache.current(0);
    fail = true;
    await expect(cache.current(1000)).rejects.toThrow();
    expect(cache.fresh(1000)).toBeUndefined();
    fail = false;
    await expect(cache.current(1500)).rejects.toThrow(/backing off/);
    await expect(cache.current(2000)).resolves.toBeDefined();
  });

  test('concurrent requests that need the set share one fetch', async () => {
    let release: (body: string) => void = () => undefined;
    let calls = 0;
    const cache = new JwksCache({
      fetchJwks: () => { calls++; return new Promise<string>((resolve) => { release = resolve; }); },
      algorithms: ALL,
      ttlSeconds: 300,
      refetchMinIntervalSeconds: 30,
    });
    const waiting = Array.from({ length: 50 }, () => cache.current(1000));
    release('{"keys":[]}');
    const entries = await Promise.all(waiting);
    expect(new Set(entries).size).toBe(1);
    expect([calls, cache.fetches]).toEqual([1, 1]);
  });
});

describe('fetchJwksDocument (the JWKS and discovery GET, any transport)', () => {
  const url = new URL('https://issuer.example/.well-known/jwks.json');
  const problemOf = async (transport: Transport): Promise<string> =>
    fetchJwksDocument(url, 1000, transport).then(() => 'ok', (e: DocumentFetchError) => e.problem);

  test('gives up at the deadline even when the transport ignores it', async () => {
    await expectGivesUpAtDeadline((transport, timeoutMs) => fetchJwksDocument(url, timeoutMs, transport));
  });

  test.each<[string, Transport, string]>([
    ['a 200', answering(200, '{"keys":[]}'), 'ok'],
    ['a 503', answering(503, ''), 'http_status'],
    ['a redirect', answering(302, ''), 'http_status'],
    ['a refused connection', async () => { throw new Error('ECONNREFUSED'); }, 'unreachable'],
    ['a body over the cap', async () => { throw new ResponseTooLarge('response too large'); }, 'too_large'],
  ])('maps %s to %s', async (_name, transport, problem) => {
    expect(await problemOf(transport)).toBe(problem);
  });

  test('sends a GET with no body and the cap it was given', async () => {
    const captured: HttpRequest[] = [];
    await fetchJwksDocument(url, 1000, answering(200, '{}', captured), 4096);
    expect(captured.map((r) => [r.method, r.url.toString(), r.body, r.maxResponseBytes])).toEqual([['GET', url.toString(), '', 4096]]);
  });
});
