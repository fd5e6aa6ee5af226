/**
 * The one decider (decide.ts) over each of its three key sources (key-sources.ts), with an
 * injected clock and fetch: the same pipeline for a Secrets Manager key ring, an asymmetric
 * ring's JWKS object in S3 and an identity provider's JWKS. Each source is a store the test
 * rotates and breaks; nothing here touches a network. The cache rules themselves (TTL, refetch
 * window, back-off) are tested on the caches in authorizer-key-cache.test.ts; here, that the
 * decider calls its cache at the right moments and maps what it gets to reason codes. Also how
 * the token is read from the event, and the one log line per decision.
 */
import { ConfigResult, parseConfig } from '../../../lambda-src/authorizer/core';
import { createDecider, Decision, logLine, tokenFrom } from '../../../lambda-src/authorizer/decide';
import { JwksCache } from '../../../lambda-src/authorizer/jwks-cache';
import { FETCH_FAILURE_BACKOFF_MS, KeyCache } from '../../../lambda-src/authorizer/key-cache';
import { jwksSource, parseKeySourceSettings, secretRingSource } from '../../../lambda-src/authorizer/key-sources';
import { signAsymmetric } from '../../../lambda-src/jwt/asymmetric';
import { issueToken } from '../../../lambda-src/jwt/issue-token';
import { KeyRing, KeyRingAlgorithm, newKeyRing, privateKeyOf, publicJwks, rotateKeyRing, serializeKeyRing } from '../../../lambda-src/key-ring';
import { FakeKeyStore, fakeKeyStore } from '../../helpers/fake-key-store';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/GET/users/me';
const ENV = {
  JWT_ISSUER: 'https://issuer.example',
  JWT_AUDIENCE: 'api',
  ROLE_PERMISSIONS: '{"user":["read"]}',
  PERMISSION_METHODS: '{"read":["GET /users/me"]}',
  KEY_CACHE_TTL_SECONDS: '300',
  KEY_REFETCH_MIN_INTERVAL_SECONDS: '30',
};
const GRACE_SECONDS = 7200;

interface Fixture {
  readonly decide: (event: unknown) => Promise<Decision>;
  /** The decider itself, to see whether it answered synchronously. */
  readonly raw: (event: unknown) => Decision | Promise<Decision>;
  readonly store: FakeKeyStore<KeyRing>;
  readonly clock: { ms: number };
  ring: KeyRing;
}

const valid = parseConfig(ENV);
if (!valid.ok) throw new Error(valid.problem);
const cfg = valid.config;
// A failed fetch takes no time on the caches' monotonic clock: the back-off ends FETCH_FAILURE_BACKOFF_MS after it.
const cacheRules = { ttlSeconds: cfg.keyCacheTtlSeconds, refetchMinIntervalSeconds: cfg.keyRefetchMinIntervalSeconds, elapsedClock: () => 0 };

/** The three sources, each over its own document: the ring itself, or the JWKS a rotation would publish. */
const SOURCES: Array<{ name: string; algorithm: KeyRingAlgorithm; build: (ring: KeyRing, clock: { ms: number }, config?: ConfigResult) => Omit<Fixture, 'ring' | 'clock'> }> = [
  {
    name: 'Secrets Manager key ring (HS256)',
    algorithm: 'HS256',
    build: (ring, clock, config = valid) => {
      const s = fakeKeyStore((r: KeyRing) => serializeKeyRing(r), ring);
      const keys = new KeyCache({ fetchSecret: s.fetch, ...cacheRules });
      const decider = createDecider({ config, source: (c) => secretRingSource(c, keys), now: () => clock.ms });
      return { store: s, raw: decider, decide: async (e) => decider(e) };
    },
  },
  ...(['ES256', 'EdDSA'] as const).map((algorithm) => ({
    name: `asymmetric ring's JWKS in S3 (${algorithm})`,
    algorithm,
    build: (ring: KeyRing, clock: { ms: number }, config: ConfigResult = valid) => {
      const s = fakeKeyStore((r: KeyRing, nowMs) => JSON.stringify(publicJwks(r, new Date(nowMs))), ring);
      const keys = new JwksCache({ fetchJwks: s.fetch, algorithms: [algorithm], ...cacheRules });
      const decider = createDecider({ config, source: (c) => jwksSource(c, [algorithm], keys), now: () => clock.ms });
      return { store: s, raw: decider, decide: async (e: unknown) => decider(e) };
    },
  })),
  {
    name: 'identity provider JWKS (ES256 among all four algorithms)',
    algorithm: 'ES256',
    build: (ring, clock, config = valid) => {
      const all = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
      const s = fakeKeyStore((r: KeyRing, nowMs) => JSON.stringify(publicJwks(r, new Date(nowMs))), ring);
      const keys = new JwksCache({ fetchJwks: s.fetch, algorithms: all, ...cacheRules });
      const decider = createDecider({ config, source: (c) => jwksSource(c, all, keys), now: () => clock.ms });
      return { store: s, raw: decider, decide: async (e) => decider(e) };
    },
  },
];

const tokenEvent = (token: string): Record<string, unknown> => ({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN });
const claims = { iss: ENV.JWT_ISSUER, aud: ENV.JWT_AUDIENCE, sub: 'u', role: 'user' };
/** A token signed by the ring's current key, issued 5 s before `atMs`. */
const tokenFor = (ring: KeyRing, atMs: number): string => issueToken(serializeKeyRing(ring), claims, { ttlSeconds: 600, now: new Date(atMs - 5000) });
/** A token signed by the ring's next key (published, not yet signing). */
const tokenByNext = (ring: KeyRing, atMs: number): string => tokenFor({ ...ring, current: ring.next!, next: ring.current } as KeyRing, atMs);

describe.each(SOURCES)('the decider over the $name', ({ algorithm, build }) => {
  function setup(): Fixture {
    const clock = { ms: T0 };
    const ring = newKeyRing(new Date(T0 - 86_400_000), 3600, 32, algorithm);
    return { ...build(ring, clock), clock, ring };
  }

  test('fetches once, then decides from memory until the TTL ends; an expired set is never served on failure', async () => {
    const { decide, store: s, ring, clock } = setup();
    expect(await decide(tokenEvent(tokenFor(ring, clock.ms)))).toEqual(expect.objectContaining({ reason: 'ok', kid: ring.current.kid, role: 'user' }));
    clock.ms += 299_999;
    expect((await decide(tokenEvent(tokenFor(ring, clock.ms)))).reason).toBe('ok');
    expect(s.calls()).toBe(1);
    clock.ms += 1;
    expect((await decide(tokenEvent(tokenFor(ring, clock.ms)))).reason).toBe('ok');
    expect(s.calls()).toBe(2);
    // The fetch is made at the decision's clock (an S3 or Secrets Manager request is signed with it).
    expect(s.fetchTimes).toEqual([T0, T0 + 300_000]);
    s.fail(true);
    clock.ms += 300_000;
    expect((await decide(tokenEvent(tokenFor(ring, clock.ms)))).reason).toBe('keys_unavailable');
  });

  test('the warm path is synchronous: a promise only when the keys must be fetched', async () => {
    const { raw, ring, clock } = setup();
    const cold = raw(tokenEvent(tokenFor(ring, clock.ms)));
    expect(cold).toBeInstanceOf(Promise);
    expect((await cold).reason).toBe('ok');
    const warm = raw(tokenEvent(tokenFor(ring, clock.ms)));
    expect(warm).not.toBeInstanceOf(Promise);
    expect((warm as Decision).reason).toBe('ok');
  });

  test('refuses junk and other algorithms before any fetch', async () => {
    const { decide, store: s, ring, clock } = setup();
    expect((await decide(tokenEvent('not.a.jwt'))).reason).toBe('bad_encoding');
    const other = newKeyRing(new Date(T0), 3600, 32, algorithm === 'HS256' ? 'ES256' : 'HS256');
    expect((await decide(tokenEvent(tokenFor(other, clock.ms)))).reason).toBe('bad_alg');
    expect((await decide({ type: 'TOKEN', methodArn: METHOD_ARN }))).toEqual({ reason: 'no_token' });
    expect((await decide({ ...tokenEvent(tokenFor(ring, clock.ms)), methodArn: 'arn:nope' }))).toEqual({ reason: 'bad_method_arn' });
    expect(s.calls()).toBe(0);
  });

  test('accepts current, next and unexpired previous keys; a key past its expiry or gone is refused', async () => {
    const { decide, store: s, ring, clock } = setup();
    const signedBefore = tokenFor(ring, clock.ms);
    expect((await decide(tokenEvent(tokenByNext(ring, clock.ms)))).reason).toBe('ok');
    // Rotate: the old current retires for the grace period, the old next signs.
    const rotated = rotateKeyRing(ring, new Date(clock.ms), GRACE_SECONDS);
    s.set(rotated);
    clock.ms += 300_000;
    expect((await decide(tokenEvent(tokenFor(rotated, clock.ms)))).reason).toBe('ok');
    expect((await decide(tokenEvent(signedBefore))).reason).toBe('ok');
    // Past the grace period, the next rotations drop the retired key.
    clock.ms += GRACE_SECONDS * 1000;
    const later = rotateKeyRing(rotateKeyRing(rotated, new Date(clock.ms), GRACE_SECONDS), new Date(clock.ms), GRACE_SECONDS);
    s.set(later);
    clock.ms += 300_000;
    const byRetired = tokenFor(ring, clock.ms);
    expect(await decide(tokenEvent(byRetired))).toEqual({ reason: 'unknown_kid', kid: ring.current.kid });
    expect((await decide(tokenEvent(tokenFor(later, clock.ms)))).reason).toBe('ok');
  });

  test('a retired key stops verifying at its expiresAt even while the cached keys still list it', async () => {
    const { decide, store: s, ring, clock } = setup();
    const rotated = rotateKeyRing(ring, new Date(clock.ms), GRACE_SECONDS);
    s.set(rotated);
    const expiresAtMs = Date.parse(rotated.previous[0].expiresAt);
    // Fetched 10 s before the retired key expires: the cache (TTL 300 s) outlives the key.
    clock.ms = expiresAtMs - 10_000;
    const byRetired = tokenFor(ring, clock.ms);
    expect((await decide(tokenEvent(byRetired))).reason).toBe('ok');
    const calls = s.calls();
    clock.ms = expiresAtMs;
    expect(await decide(tokenEvent(byRetired))).toEqual({ reason: 'unknown_kid', kid: ring.current.kid });
    // Denied from the cache: the refetch it may trigger brings the same ring, and still no key.
    expect(s.calls()).toBeLessThanOrEqual(calls + 1);
    expect((await decide(tokenEvent(tokenFor(rotated, clock.ms)))).reason).toBe('ok');
  });

  test('an unknown kid refetches at once, then at most once per rate-limit window', async () => {
    const { decide, store: s, ring, clock } = setup();
    expect((await decide(tokenEvent(tokenFor(ring, clock.ms)))).reason).toBe('ok');
    // One rotation costs no call: the new current key was published as `next` before.
    const once = rotateKeyRing(ring, new Date(clock.ms), GRACE_SECONDS);
    s.set(once);
    clock.ms += 1000;
    expect((await decide(tokenEvent(tokenFor(once, clock.ms)))).reason).toBe('ok');
    expect(s.calls()).toBe(1);
    // Two rotations behind the cache: the new current was never published to this cache.
    const rotated = rotateKeyRing(once, new Date(clock.ms), GRACE_SECONDS);
    s.set(rotated);
    clock.ms += 1000;
    expect((await decide(tokenEvent(tokenFor(rotated, clock.ms)))).reason).toBe('ok');
    expect(s.calls()).toBe(2);
    // A flood of invented kids costs one fetch per 30 s window.
    const strangers = Array.from({ length: 20 }, () => newKeyRing(new Date(T0), 3600, 32, algorithm));
    clock.ms += 1000;
    for (const stranger of strangers) expect((await decide(tokenEvent(tokenFor(stranger, clock.ms)))).reason).toBe('unknown_kid');
    expect(s.calls()).toBe(2);
    clock.ms += 30_000;
    for (const stranger of strangers) expect((await decide(tokenEvent(tokenFor(stranger, clock.ms)))).reason).toBe('unknown_kid');
    expect(s.calls()).toBe(3);
  });

  test('a failed fetch denies keys_unavailable with the token\'s kid; once the back-off is over, the next decision fetches again', async () => {
    // The back-off itself (no call before it ends) is the cache's rule: authorizer-key-cache.test.ts.
    const { decide, store: s, ring, clock } = setup();
    s.fail(true);
    expect(await decide(tokenEvent(tokenFor(ring, clock.ms)))).toEqual({ reason: 'keys_unavailable', kid: ring.current.kid });
    s.fail(false);
    clock.ms += FETCH_FAILURE_BACKOFF_MS;
    expect((await decide(tokenEvent(tokenFor(ring, clock.ms)))).reason).toBe('ok');
    expect(s.calls()).toBe(2);
  });

  test('denies everything, without fetching, when the configuration is invalid', async () => {
    const clock = { ms: T0 };
    const ring = newKeyRing(new Date(T0), 3600, 32, algorithm);
    const { decide, store: s } = build(ring, clock, parseConfig({}));
    expect(await decide(tokenEvent(tokenFor(ring, clock.ms)))).toEqual({ reason: 'config_invalid' });
    expect(await decide(tokenEvent('a.b.c'))).toEqual({ reason: 'config_invalid' });
    expect(s.calls()).toBe(0);
  });
});

describe('the asymmetric ring source accepts only the ring\'s algorithm', () => {
  test('an ES256 ring\'s decider refuses an EdDSA token before any fetch, even one whose key the JWKS holds', async () => {
    const clock = { ms: T0 };
    const ring = newKeyRing(new Date(T0), 3600, 32, 'ES256');
    const { decide, store: s } = SOURCES[1].build(ring, clock);
    const ed = newKeyRing(new Date(T0), 3600, 32, 'EdDSA');
    const forged = signAsymmetric({ ...claims, iat: T0 / 1000, exp: T0 / 1000 + 60 }, 'EdDSA', privateKeyOf('EdDSA', ed.current.key), ring.current.kid);
    expect(await decide(tokenEvent(forged))).toEqual({ reason: 'bad_alg' });
    expect(s.calls()).toBe(0);
  });
});

describe('parseKeySourceSettings', () => {
  const ring = { JWT_JWKS_BUCKET: 'keys-jwksbucket-1a2b', JWT_JWKS_OBJECT_KEY: '.well-known/jwks.json', JWT_JWKS_BUCKET_REGION: 'eu-west-1', JWT_ALGORITHMS: 'ES256' };

  test('names the one source the environment sets', () => {
    expect(parseKeySourceSettings({ JWT_SECRET_ID: 'arn:s' })).toEqual({ kind: 'secret', secretId: 'arn:s' });
    expect(parseKeySourceSettings(ring)).toEqual({ kind: 'ringJwks', location: { bucket: 'keys-jwksbucket-1a2b', key: '.well-known/jwks.json', region: 'eu-west-1' }, algorithms: ['ES256'] });
    expect(parseKeySourceSettings({ JWT_JWKS_URL: 'https://idp.example/jwks', JWT_ALGORITHMS: 'RS256' })).toEqual({ kind: 'jwksUrl', url: 'https://idp.example/jwks', algorithms: ['RS256'] });
  });

  test.each([
    ['no source', {}],
    ['a secret and a ring JWKS', { ...ring, JWT_SECRET_ID: 'arn:s' }],
    ['a ring JWKS and a JWKS URL', { ...ring, JWT_JWKS_URL: 'https://idp.example/jwks' }],
    ['a ring JWKS with several algorithms', { ...ring, JWT_ALGORITHMS: 'ES256,EdDSA' }],
    ['a ring JWKS with an identity provider algorithm', { ...ring, JWT_ALGORITHMS: 'RS256' }],
    ['a ring JWKS with no algorithm', { ...ring, JWT_ALGORITHMS: undefined }],
    ['a ring JWKS without an object key', { ...ring, JWT_JWKS_OBJECT_KEY: undefined }],
    ['a ring JWKS without a Region', { ...ring, JWT_JWKS_BUCKET_REGION: undefined }],
    ['a bucket name that is a URL', { ...ring, JWT_JWKS_BUCKET: 'https://evil.example/' }],
    ['an http JWKS URL', { JWT_JWKS_URL: 'http://idp.example/jwks' }],
  ])('refuses %s (every request is then denied config_invalid)', (_name, env) => {
    expect(parseKeySourceSettings(env as Record<string, string | undefined>)).toEqual({ problem: expect.any(String) });
  });
});

describe('tokenFrom', () => {
  const request = (headers: unknown, multiValueHeaders?: unknown): Record<string, unknown> => ({ type: 'REQUEST', headers, multiValueHeaders });

  test('reads the configured header of a REQUEST event in any case, and only that one', () => {
    expect(tokenFrom(request({ 'x-api-token': 'Bearer t' }), 'X-Api-Token')).toBe('t');
    expect(tokenFrom(request({ Authorization: 'Bearer t' }), 'X-Api-Token')).toBeUndefined();
    expect(tokenFrom(request({ authorization: 't' }), 'Authorization')).toBe('t');
  });

  test('refuses an ambiguous header: two spellings, or repeated values', () => {
    expect(tokenFrom(request({ 'x-api-token': 'a', 'X-Api-Token': 'b' }), 'X-Api-Token')).toBeUndefined();
    expect(tokenFrom(request({ 'x-api-token': 'a' }, { 'x-api-token': ['a', 'b'] }), 'X-Api-Token')).toBeUndefined();
  });

  test('reads authorizationToken of a TOKEN event and nothing from other event types', () => {
    expect(tokenFrom({ type: 'TOKEN', authorizationToken: 'Bearer t' }, 'X-Api-Token')).toBe('t');
    expect(tokenFrom({ type: 'OTHER', headers: { 'x-api-token': 't' } }, 'X-Api-Token')).toBeUndefined();
    expect(tokenFrom(request(null), 'X-Api-Token')).toBeUndefined();
  });
});

describe('logLine', () => {
  test('writes codes and ids only, the same fields for allow and deny', () => {
    const allow = JSON.parse(logLine({ reason: 'ok', kid: 'kid12345', role: 'user', response: {} as never }, { type: 'TOKEN' }));
    expect(allow).toEqual({ source: 'jwt-authorizer', level: 'info', decision: 'allow', reason: 'ok', eventType: 'TOKEN', kid: 'kid12345', role: 'user' });
    expect(JSON.parse(logLine({ reason: 'expired', kid: 'kid12345' }, { type: 'REQUEST', headers: { Authorization: 'secret-token' } })))
      .toEqual({ source: 'jwt-authorizer', level: 'warn', decision: 'deny', reason: 'expired', eventType: 'REQUEST', kid: 'kid12345' });
    expect(logLine({ reason: 'no_token' }, 'junk')).not.toContain('junk');
  });

  test('an allow line reused for a role never carries another kid, role or event type', () => {
    const allow = (kid: string, role: string, type: string): Record<string, unknown> =>
      JSON.parse(logLine({ reason: 'ok', kid, role, response: {} as never }, { type }));
    const cases: Array<[string, string, string]> = [
      ['kidAAAAAAAA', 'user', 'TOKEN'], ['kidAAAAAAAA', 'user', 'TOKEN'], ['kidBBBBBBBB', 'user', 'TOKEN'],
      ['kidBBBBBBBB', 'admin', 'TOKEN'], ['kidBBBBBBBB', 'user', 'REQUEST'], ['kidAAAAAAAA', 'user', 'TOKEN'],
    ];
    for (const [kid, role, type] of cases) expect(allow(kid, role, type)).toMatchObject({ kid, role, eventType: type });
  });
});
