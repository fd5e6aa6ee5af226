/**
 * A key document store for the authorizer's cache and decider unit tests: it renders what the
 * test last set (a key ring, as the ring itself or as the JWKS a rotation publishes) at the time
 * of each fetch, records when every fetch was made, and fails while the test says so.
 */
export interface FakeKeyStore<T> {
  /** What a cache is given as its fetch: rejects while failing. */
  readonly fetch: (nowMs: number) => Promise<string>;
  readonly calls: () => number;
  /** The time every fetch was made at (an S3 or Secrets Manager request is signed with it). */
  readonly fetchTimes: number[];
  set(value: T): void;
  fail(failing: boolean): void;
}

export function fakeKeyStore<T>(render: (value: T, nowMs: number) => string, initial: T): FakeKeyStore<T> {
  let value = initial;
  let failing = false;
  const fetchTimes: number[] = [];
  return {
    fetch: async (nowMs) => {
      fetchTimes.push(nowMs);
      if (failing) throw new Error('unreachable');
      return render(value, nowMs);
    },
    calls: () => fetchTimes.length,
    fetchTimes,
    set: (v) => { value = v; },
    fail: (f) => { failing = f; },
  };
}
