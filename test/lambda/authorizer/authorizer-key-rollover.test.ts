/**
 * Key rollover that no attacker can delay (issue 22 R4), on the one decider over each key source
 * with a simulated clock: an attacker sends tokens with invented kids every few milliseconds,
 * the ring rotates to a key this container has never seen (the first rotation of a version-1
 * ring: its new current key was never published as `next`), and a client signs with it at once
 * and retries every second. The client is allowed within 30 s of its first token, whatever the
 * phase of the rotation against the attacker's refetches, and the key source is fetched at most
 * 4 times in any 30 s.
 */
import { parseConfig } from '../../../lambda-src/authorizer/core';
import { createDecider, Decision } from '../../../lambda-src/authorizer/decide';
import { JwksCache } from '../../../lambda-src/authorizer/jwks-cache';
import { KeyCache } from '../../../lambda-src/authorizer/key-cache';
import { jwksSource, secretRingSource } from '../../../lambda-src/authorizer/key-sources';
import { issueToken } from '../../../lambda-src/jwt/issue-token';
import { KeyRing, KeyRingAlgorithm, newKeyRing, publicJwks, rotateKeyRing, serializeKeyRing } from '../../../lambda-src/key-ring';
import { LOOPBACK_AUTHORIZER_ENV, METHOD_ARN } from '../../helpers/authorizer-env';
import { fakeKeyStore } from '../../helpers/fake-key-store';
import { AUDIENCE, ISSUER } from '../../helpers/jwt-fixtures';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const WINDOW_MS = 30_000;
const ATTACK_EVERY_MS = 5;
const CLIENT_RETRY_MS = 1000;
const config = parseConfig(LOOPBACK_AUTHORIZER_ENV);
if (!config.ok) throw new Error(config.problem);
const cfg = config.config;
const rules = { ttlSeconds: cfg.keyCacheTtlSeconds, refetchMinIntervalSeconds: cfg.keyRefetchMinIntervalSeconds, elapsedClock: () => 0 };

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'u', role: 'user' };
const event = (token: string): Record<string, unknown> => ({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN });

interface Harness {
  readonly decide: (e: unknown) => Promise<Decision>;
  readonly fetchTimes: number[];
  rotate(ring: KeyRing): void;
}

function harness(algorithm: KeyRingAlgorithm, ring: KeyRing, clock: { ms: number }): Harness {
  if (algorithm === 'HS256') {
    const s = fakeKeyStore((r: KeyRing) => serializeKeyRing(r), ring);
    const keys = new KeyCache({ fetchSecret: s.fetch, ...rules });
    const d = createDecider({ config, source: (c) => secretRingSource(c, keys), now: () => clock.ms });
    return { decide: async (e) => d(e), fetchTimes: s.fetchTimes, rotate: (r) => s.set(r) };
  }
  const s = fakeKeyStore((r: KeyRing, nowMs) => JSON.stringify(publicJwks(r, new Date(nowMs))), ring);
  const keys = new JwksCache({ fetchJwks: s.fetch, algorithms: [algorithm], ...rules });
  const d = createDecider({ config, source: (c) => jwksSource(c, [algorithm], keys), now: () => clock.ms });
  return { decide: async (e) => d(e), fetchTimes: s.fetchTimes, rotate: (r) => s.set(r) };
}

let invented = 0;
/** A well-formed token under a kid no ring holds: refused only at the key lookup. */
function attackerToken(algorithm: KeyRingAlgorithm, atMs: number): string {
  const iat = Math.floor(atMs / 1000);
  const kid = `invented-${invented++}`;
  return `${b64({ alg: algorithm, typ: 'JWT', kid })}.${b64({ ...claims, iat, exp: iat + 600 })}.${Buffer.alloc(algorithm === 'HS256' ? 32 : 64, 7).toString('base64url')}`;
}

/**
 * A ring and the ring it rotates to, whose current key this container has never seen: the first
 * rotation of a version-1 ring (HS256 only: version 1 predates the other algorithms), or, for any
 * algorithm, two rotations in a row (an emergency rotation right after a scheduled one).
 */
function neverSeenRollover(algorithm: KeyRingAlgorithm, version: 1 | 2): { before: KeyRing; rotate: (at: Date) => KeyRing } {
  const v2 = newKeyRing(new Date(T0 - 86_400_000), 3600, 32, algorithm);
  if (version === 1) {
    const v1: KeyRing = { version: 1, algorithm, current: v2.current, previous: [] };
    return { before: v1, rotate: (at) => rotateKeyRing(v1, at, 7200) };
  }
  return { before: v2, rotate: (at) => rotateKeyRing(rotateKeyRing(v2, at, 7200), at, 7200) };
}

function maxFetchesInAnyWindow(times: readonly number[]): number {
  let max = 0;
  for (let i = 0; i < times.length; i++) max = Math.max(max, times.filter((t) => t >= times[i] && t < times[i] + WINDOW_MS).length);
  return max;
}

/**
 * Runs the attack from T0 for `runMs`; the ring rotates `phaseMs` after the first unknown-kid
 * refetch the attacker caused once the cache is warm (the worst moment is just after one). The
 * client's first token comes right after the rotation. Returns how long the client waited.
 */
async function rollover(
  algorithm: KeyRingAlgorithm, version: 1 | 2, phaseMs: number, runMs = 180_000,
): Promise<{ waitedMs: number; fetchTimes: number[] }> {
  const clock = { ms: T0 };
  const { before, rotate } = neverSeenRollover(algorithm, version);
  const h = harness(algorithm, before, clock);
  expect((await h.decide(event(issueToken(serializeKeyRing(before), claims, { ttlSeconds: 600, now: new Date(T0) })))).reason).toBe('ok');
  let rotatedAt: number | undefined;
  let rotated: KeyRing | undefined;
  let nextClientMs = Infinity;
  let waitedMs: number | undefined;
  const attackStart = T0 + 60_000;
  for (clock.ms = attackStart; clock.ms < T0 + runMs && waitedMs === undefined; clock.ms += ATTACK_EVERY_MS) {
    expect((await h.decide(event(attackerToken(algorithm, clock.ms)))).reason).toBe('unknown_kid');
    if (rotatedAt === undefined && h.fetchTimes.length >= 2 && clock.ms >= h.fetchTimes[1] + phaseMs) {
      rotated = rotate(new Date(clock.ms));
      h.rotate(rotated);
      rotatedAt = clock.ms;
      nextClientMs = clock.ms;
    }
    if (clock.ms >= nextClientMs) {
      const token = issueToken(serializeKeyRing(rotated!), claims, { ttlSeconds: 600, now: new Date(clock.ms) });
      const d = await h.decide(event(token));
      if (d.reason === 'ok') waitedMs = clock.ms - rotatedAt!;
      else expect(d.reason).toBe('unknown_kid');
      nextClientMs += CLIENT_RETRY_MS;
    }
  }
  expect(waitedMs).toBeDefined();
  return { waitedMs: waitedMs!, fetchTimes: h.fetchTimes };
}

const CASES = [['HS256', 1], ['HS256', 2], ['ES256', 2], ['EdDSA', 2]] as const;
describe.each(CASES)('a %s ring of version %i rotated to a never-seen key under an unknown-kid flood', (algorithm, version) => {
  test.each([1, 10_000, 29_000, 29_999])('a client signing with the new key is allowed within 30 s (rotation %i ms after an attacker refetch)', async (phaseMs) => {
    const { waitedMs, fetchTimes } = await rollover(algorithm, version, phaseMs);
    expect(waitedMs).toBeLessThanOrEqual(WINDOW_MS);
    expect(maxFetchesInAnyWindow(fetchTimes)).toBeLessThanOrEqual(4);
  });
});

test('a new kid that arrives while an attacker\'s refetch is in flight waits for that refetch and is allowed, with no second fetch', async () => {
  const clock = { ms: T0 };
  const { before, rotate } = neverSeenRollover('HS256', 1);
  let served = before;
  const settle: Array<() => void> = [];
  let calls = 0;
  const keys = new KeyCache({
    // The first fetch answers at once; the refetch hangs until the test releases it.
    fetchSecret: () => {
      calls++;
      const value = serializeKeyRing(served);
      return calls === 1 ? Promise.resolve(value) : new Promise((resolve) => settle.push(() => resolve(value)));
    },
    ...rules,
  });
  const decide = createDecider({ config, source: (c) => secretRingSource(c, keys), now: () => clock.ms });
  expect(await decide(event(issueToken(serializeKeyRing(before), claims, { ttlSeconds: 600, now: new Date(T0) })))).toMatchObject({ reason: 'ok' });
  served = rotate(new Date(T0));
  clock.ms += 60_000;
  const attacker = decide(event(attackerToken('HS256', clock.ms)));
  clock.ms += 100;
  const client = decide(event(issueToken(serializeKeyRing(served), claims, { ttlSeconds: 600, now: new Date(clock.ms) })));
  expect(client).toBeInstanceOf(Promise);
  settle[0]();
  expect(await attacker).toMatchObject({ reason: 'unknown_kid' });
  expect(await client).toMatchObject({ reason: 'ok', kid: served.current.kid });
  expect(calls).toBe(2);
});
