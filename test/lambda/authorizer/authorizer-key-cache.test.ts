/**
 * The cache rules both key caches follow (decide.ts's KeyCacheRules): the Secrets Manager key
 * ring's KeyCache and the JwksCache of a ring's JWKS in S3 or an identity provider's JWKS. One
 * table of cases over each cache, called directly with the time as an argument: the TTL, the
 * unknown-kid refetch window, the failure back-off, and no expired entry served on failure.
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
const RULES = { ttlSeconds: TTL_MS / 1000, refetchMinIntervalSeconds: WINDOW_MS / 1000 };

type Entry = { readonly fetchedAtMs: number };
/** Each cache, and a document it accepts. */
const CACHES: Array<{ name: string; body: string; create: (s: FakeKeyStore<string>) => KeyCacheRules<Entry> }> = [
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
  function setup(): { cache: KeyCacheRules<Entry>; s: FakeKeyStore<string> } {
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
