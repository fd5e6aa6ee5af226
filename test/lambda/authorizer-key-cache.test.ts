/**
 * The authorizer's key cache and decider with an injected clock and secret fetch: TTL, the
 * unknown-kid refetch limit, the failure back-off, and reading the token from the configured
 * header, without a network.
 */
import { parseConfig } from '../../lambda-src/authorizer/core';
import { createDecider, Decision, logLine, tokenFrom } from '../../lambda-src/authorizer/decide';
import { FETCH_FAILURE_BACKOFF_MS, KeyCache } from '../../lambda-src/authorizer/key-cache';
import { secretRingSource } from '../../lambda-src/authorizer/key-sources';
import { signHs256 } from '../../lambda-src/jwt/hs256';
import { KeyRing, newKeyRing, rotateKeyRing, serializeKeyRing } from '../../lambda-src/key-ring';

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

/** A secret store whose value tests change, counting reads; `fail` makes the next reads reject. */
interface FakeStore {
  fetchSecret(nowMs: number): Promise<string>;
  calls(): number;
  set(v: string): void;
  fail(f: boolean): void;
}

function store(initial: string): FakeStore {
  let value = initial;
  let calls = 0;
  let failing = false;
  return {
    fetchSecret: async () => {
      calls++;
      if (failing) throw new Error('unreachable');
      return value;
    },
    calls: () => calls,
    set: (v) => { value = v; },
    fail: (f) => { failing = f; },
  };
}

function tokenFor(ring: KeyRing, atMs: number): string {
  const iat = Math.floor(atMs / 1000) - 5;
  return signHs256({ iss: ENV.JWT_ISSUER, aud: ENV.JWT_AUDIENCE, sub: 'u', role: 'user', iat, exp: iat + 600 }, Buffer.from(ring.current.key, 'base64url'), ring.current.kid);
}

function setup(env: Record<string, string> = {}): {
  decide: (event: unknown) => Promise<Decision>; secret: ReturnType<typeof store>; ring: KeyRing; clock: { ms: number };
} {
  const ring = newKeyRing(new Date(T0 - 86_400_000));
  const secret = store(serializeKeyRing(ring));
  const config = parseConfig({ ...ENV, ...env });
  if (!config.ok) throw new Error(config.problem);
  const clock = { ms: T0 };
  const keys = new KeyCache({
    fetchSecret: secret.fetchSecret,
    ttlSeconds: config.config.keyCacheTtlSeconds,
    refetchMinIntervalSeconds: config.config.keyRefetchMinIntervalSeconds,
  });
  const decider = createDecider({ config, source: (c) => secretRingSource(c, keys), now: () => clock.ms });
  return { decide: async (event) => decider(event), secret, ring, clock };
}

const tokenEvent = (token: string): Record<string, unknown> => ({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN });

describe('KeyCache through the decider', () => {
  test('fetches once, then serves the ring from memory until the TTL ends', async () => {
    const { decide, secret, ring, clock } = setup();
    expect((await decide(tokenEvent(tokenFor(ring, clock.ms)))).reason).toBe('ok');
    clock.ms += 299_999;
    expect((await decide(tokenEvent(tokenFor(ring, clock.ms)))).reason).toBe('ok');
    expect(secret.calls()).toBe(1);
    clock.ms += 1;
    expect((await decide(tokenEvent(tokenFor(ring, clock.ms)))).reason).toBe('ok');
    expect(secret.calls()).toBe(2);
  });

  test('refetches for an unknown kid at most once per refetch window', async () => {
    const { decide, secret, ring, clock } = setup();
    await decide(tokenEvent(tokenFor(ring, clock.ms)));
    // One rotation costs no call: the new current key was published as `next` before.
    const once = rotateKeyRing(ring, new Date(clock.ms), 3600);
    secret.set(serializeKeyRing(once));
    clock.ms += 1000;
    expect((await decide(tokenEvent(tokenFor(once, clock.ms)))).reason).toBe('ok');
    expect(secret.calls()).toBe(1);
    // Two rotations inside one cache TTL: that current key was never in the cached ring.
    const rotated = rotateKeyRing(once, new Date(clock.ms), 3600);
    secret.set(serializeKeyRing(rotated));
    clock.ms += 1000;
    expect((await decide(tokenEvent(tokenFor(rotated, clock.ms)))).reason).toBe('ok');
    expect(secret.calls()).toBe(2);

    const other = newKeyRing(new Date(clock.ms));
    clock.ms += 1000;
    expect((await decide(tokenEvent(tokenFor(other, clock.ms)))).reason).toBe('unknown_kid');
    clock.ms += 1000;
    expect((await decide(tokenEvent(tokenFor(other, clock.ms)))).reason).toBe('unknown_kid');
    // The rotation's refetch claimed the window: invented kids inside it cost no call.
    expect(secret.calls()).toBe(2);
    clock.ms += 30_000;
    await decide(tokenEvent(tokenFor(other, clock.ms)));
    await decide(tokenEvent(tokenFor(other, clock.ms + 1)));
    expect(secret.calls()).toBe(3);
  });

  test('after a failed fetch, denies without calling again for the back-off, then retries', async () => {
    const { decide, secret, ring, clock } = setup();
    secret.fail(true);
    expect((await decide(tokenEvent(tokenFor(ring, clock.ms)))).reason).toBe('keys_unavailable');
    clock.ms += FETCH_FAILURE_BACKOFF_MS - 1;
    expect((await decide(tokenEvent(tokenFor(ring, clock.ms)))).reason).toBe('keys_unavailable');
    expect(secret.calls()).toBe(1);
    secret.fail(false);
    clock.ms += 1;
    expect((await decide(tokenEvent(tokenFor(ring, clock.ms)))).reason).toBe('ok');
    expect(secret.calls()).toBe(2);
  });

  test('does not serve an expired ring when the refresh fails', async () => {
    const { decide, secret, ring, clock } = setup();
    await decide(tokenEvent(tokenFor(ring, clock.ms)));
    secret.fail(true);
    clock.ms += 300_000;
    expect((await decide(tokenEvent(tokenFor(ring, clock.ms)))).reason).toBe('keys_unavailable');
  });

  test('refuses junk before any fetch', async () => {
    const { decide, secret } = setup();
    expect((await decide(tokenEvent('not.a.jwt'))).reason).toBe('bad_encoding');
    expect(secret.calls()).toBe(0);
  });

  test('denies everything, without fetching, when the configuration is invalid', async () => {
    const secret = store('{}');
    const keys = new KeyCache({ fetchSecret: secret.fetchSecret, ttlSeconds: 300, refetchMinIntervalSeconds: 30 });
    const decide = createDecider({ config: parseConfig({}), source: (c) => secretRingSource(c, keys), now: () => T0 });
    expect(await decide(tokenEvent('a.b.c'))).toEqual({ reason: 'config_invalid' });
    expect(secret.calls()).toBe(0);
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
