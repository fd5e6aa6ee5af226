/**
 * The one rule every key fetch of the authorizer follows (the Secrets Manager key ring's
 * KeyCache and the JwksCache of a ring's JWKS in S3 or an identity provider's JWKS): at most one
 * fetch in flight per container and key source, which every request that needs keys meanwhile
 * shares; and after a failed attempt, no new attempt for FETCH_FAILURE_BACKOFF_MS counted from
 * when that attempt ENDED, during which requests are refused at once (the caller denies
 * `keys_unavailable`) and no connection is opened. Counted from the end because a fetch that
 * runs into its deadline (2 s by default) is older than the back-off when it fails: counted from
 * its start, a hanging endpoint would hold every request for the whole deadline.
 *
 * The caller's clock (`nowMs`, possibly patched or simulated) gives the start; how long the
 * attempt took is measured on a monotonic clock (injected), so the end is on the caller's clock.
 */

/** After a failed fetch, refuse at once for this long, so an outage is not amplified. */
export const FETCH_FAILURE_BACKOFF_MS = 1000;

/** Thrown (as a rejection) whenever no usable keys can be had: the caller denies `keys_unavailable`. */
export class KeysUnavailable extends Error {}

/** One instance: a refusal during the back-off costs no stack trace (a third of its time). */
const BACKING_OFF = /* @__PURE__ */ new KeysUnavailable('backing off after a failed fetch');

export class FetchGate<E> {
  private inFlight: Promise<E> | undefined;
  private backoffUntilMs = -Infinity;
  /** Attempts started (connections the key source was asked for), for tests and the benchmark. */
  attempts = 0;

  /** `elapsedClock`: a monotonic millisecond clock (performance.now by default). */
  constructor(private readonly elapsedClock: () => number = () => performance.now()) {}

  /** The attempt in flight, if any. */
  pending(): Promise<E> | undefined {
    return this.inFlight;
  }

  /**
   * The attempt in flight, or a new one of `load` started at `nowMs`, or a rejection during the
   * back-off. `what` names the document in the KeysUnavailable message.
   */
  run(nowMs: number, what: string, load: (nowMs: number) => Promise<E>): Promise<E> {
    if (this.inFlight) return this.inFlight;
    if (nowMs < this.backoffUntilMs) return Promise.reject(BACKING_OFF);
    this.attempts++;
    const started = this.elapsedClock();
    let loading: Promise<E>;
    try {
      loading = load(nowMs);
    } catch (e) {
      loading = Promise.reject(e);
    }
    // The handlers run a microtask later at the earliest: after this attempt is marked in flight.
    const attempt = loading.then(
      (entry) => {
        this.inFlight = undefined;
        return entry;
      },
      () => {
        this.inFlight = undefined;
        this.backoffUntilMs = nowMs + Math.max(0, this.elapsedClock() - started) + FETCH_FAILURE_BACKOFF_MS;
        throw new KeysUnavailable(`fetching or parsing the ${what} failed`);
      },
    );
    this.inFlight = attempt;
    return attempt;
  }
}
