/**
 * The cache rules both key caches follow (decide.ts's KeyCacheRules): the Secrets Manager key
 * ring's KeyCache and the JwksCache of a ring's JWKS in S3 or an identity provider's JWKS. One
 * table of cases over each cache, called directly with the time as an argument: the TTL, the
 * unknown-kid refetch window, one fetch in flight, the failure back-off (counted from the end of
 * the failed attempt), and no expired entry served on failure.
 * How the decider calls these (and maps a rejection to `keys_unavailable`) is tested in
 * authorizer-decider.test.ts.
 */
import { KeyCacheRules } from '../../../lambda-src/authorizer/decide';
import { JwksCache } from '../../../lambda-src/authorizer/jwks-cache';
import { FETCH_FAILURE_BACKOFF_MS, KeyCache, KeysUnavailable } from '../../../lambda-src/authorizer/key-cache';
import { newKeyRing, serializeKeyRing } from '../../../lambda-src/key-ring';
import { FakeKeyStore, fakeKeyStore } from '../../helpers/fake-key-store';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const TTL_MS = 300_000;
const WINDOW_MS = 30_000;
/** The monotonic clock the caches time a failed fetch with: advanced by the tests, never by itself. */
const elapsed = { ms: 0 };
const RULES = { ttlSeconds: TTL_MS / 1000, refetchMinIntervalSeconds: WINDOW_MS / 1000, elapsedClock: () => elapsed.ms };

type Entry = { readonly fetchedAtMs: number };
type Cache = KeyCacheRules<Entry> & { readonly fetches: number };
/** Each cache, and a document it accepts. */
const CACHES: Array<{ name: string; body: string; create: (s: FakeKeyStore<string>) => Cache }> = [
  {
    name: 'KeyCache (Secrets Manager key ring)',
    body: serializeKeyRing(newKeyRing(new Date(T0 - 86_400_000))),
    create: (s) => new KeyCache({ fetchSecret: s.fetch, ...RULES }),
  },
  {
    name: 'JwksCache (JWKS document)',
    body: '{"keys":[]}',
    create: (s) => new JwksCache({ fetchJwks: s.fetch, algorithms: ['ES256'], ...RULES }),
  },
];

describe.each(CACHES)('$name', ({ body, create }) => {
  beforeEach(() => { elapsed.ms = 0; });
  function setup(): { cache: Cache; s: FakeKeyStore<string> } {
    const s = fakeKeyStore((b: string) => b, body);
    return { cache: create(s), s };
  }

  test('fetches once at the given time, then serves the entry from memory until the TTL ends', async () => {
    const { cache, s } = setup();
    const first = await cache.current(T0);
    expect(first.fetchedAtMs).toBe(T0);
    expect(cache.fresh(T0 + TTL_MS - 1)).toBe(first);
    expect(await cache.current(T0 + TTL_MS - 1)).toBe(first);
    expect(s.fetchTimes).toEqual([T0]);
    expect(cache.fresh(T0 + TTL_MS)).toBeUndefined();
    const second = await cache.current(T0 + TTL_MS);
    expect(second).not.toBe(first);
    // The fetch is made at the caller's clock (an S3 or Secrets Manager request is signed with it).
    expect(s.fetchTimes).toEqual([T0, T0 + TTL_MS]);
  });

  test('never serves an expired entry when the refresh fails', async () => {
    const { cache, s } = setup();
    await cache.current(T0);
    s.fail(true);
    await expect(cache.current(T0 + TTL_MS)).rejects.toThrow(KeysUnavailable);
    expect(cache.fresh(T0 + TTL_MS)).toBeUndefined();
    expect(s.fetchTimes).toHaveLength(2);
  });

  test('after a failed fetch, rejects without calling again for the back-off, then retries', async () => {
    const { cache, s } = setup();
    s.fail(true);
    await expect(cache.current(T0)).rejects.toThrow(KeysUnavailable);
    await expect(cache.current(T0 + FETCH_FAILURE_BACKOFF_MS - 1)).rejects.toThrow(/backing off/);
    // A forced refetch (an unknown kid) honours the back-off too.
    await expect(cache.fetch(T0 + FETCH_FAILURE_BACKOFF_MS - 1)).rejects.toThrow(/backing off/);
    expect(s.fetchTimes).toEqual([T0]);
    s.fail(false);
    expect((await cache.current(T0 + FETCH_FAILURE_BACKOFF_MS)).fetchedAtMs).toBe(T0 + FETCH_FAILURE_BACKOFF_MS);
    expect(s.fetchTimes).toEqual([T0, T0 + FETCH_FAILURE_BACKOFF_MS]);
  });

  test('one fetch in flight is shared; the back-off is counted from the end of the failed attempt, not its start', async () => {
    const settle: Array<(body: string | Error) => void> = [];
    const calls: number[] = [];
    const hanging: FakeKeyStore<string> = {
      ...fakeKeyStore((b: string) => b, body),
      fetch: (nowMs) => {
        calls.push(nowMs);
        return new Promise<string>((resolve, reject) => settle.push((v) => (typeof v === 'string' ? resolve(v) : reject(v))));
      },
    };
    const cache = create(hanging);
    const deadlineMs = 2000;
    const first = cache.current(T0);
    // Requests while it hangs share it: no second call.
    const second = cache.current(T0 + 500);
    const forced = cache.fetch(T0 + 1500);
    await Promise.resolve();
    expect(calls).toEqual([T0]);
    expect(cache.fetches).toBe(1);
    // It fails at its deadline, older than the back-off by then.
    elapsed.ms += deadlineMs;
    settle[0](new Error('deadline'));
    for (const p of [first, second, forced]) await expect(p).rejects.toThrow(KeysUnavailable);
    // Backing off until T0 + deadline + back-off: refused at once, no call.
    await expect(cache.current(T0 + deadlineMs + FETCH_FAILURE_BACKOFF_MS - 1)).rejects.toThrow(/backing off/);
    await expect(cache.fetch(T0 + deadlineMs + 1)).rejects.toThrow(/backing off/);
    expect(calls).toEqual([T0]);
    // After it, one request tries again; the others share that attempt.
    const retry = cache.current(T0 + deadlineMs + FETCH_FAILURE_BACKOFF_MS);
    const alongside = cache.current(T0 + deadlineMs + FETCH_FAILURE_BACKOFF_MS + 1);
    await Promise.resolve();
    expect(calls).toEqual([T0, T0 + deadlineMs + FETCH_FAILURE_BACKOFF_MS]);
    settle[1](body);
    expect((await retry).fetchedAtMs).toBe(T0 + deadlineMs + FETCH_FAILURE_BACKOFF_MS);
    expect(await alongside).toBe(await retry);
    expect(cache.fetches).toBe(2);
  });

  test('an unknown kid may force a refetch at most once per window, never for an entry fetched this instant', async () => {
    const { cache } = setup();
    const first = await cache.current(T0);
    // Fetched for this very request: a refetch would bring the same document.
    expect(cache.claimForcedRefetch(first, T0)).toBe(false);
    expect(cache.claimForcedRefetch(first, T0 + 1000)).toBe(true);
    const refetched = await cache.fetch(T0 + 1000);
    expect(refetched.fetchedAtMs).toBe(T0 + 1000);
    // That refetch claimed the window for every entry: invented kids inside it cost no call.
    expect(cache.claimForcedRefetch(refetched, T0 + 2000)).toBe(false);
    expect(cache.claimForcedRefetch(first, T0 + 1000 + WINDOW_MS - 1)).toBe(false);
    expect(cache.claimForcedRefetch(refetched, T0 + 1000 + WINDOW_MS)).toBe(true);
    expect(cache.claimForcedRefetch(refetched, T0 + 1000 + WINDOW_MS + 1)).toBe(false);
  });
});

describe('KeyCache', () => {
  test('a secret still holding its bootstrap value is cached as no ring, with no keys', async () => {
    const cache = new KeyCache({ fetchSecret: async () => JSON.stringify({ bootstrap: 'x'.repeat(32) }), ...RULES });
    const entry = await cache.current(T0);
    expect(entry.ring).toBeUndefined();
    expect(cache.keysOf(entry, T0)).toBeUndefined();
  });
});
