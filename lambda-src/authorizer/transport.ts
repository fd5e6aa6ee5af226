/**
 * The HTTP contract every key source sends through (Secrets Manager, S3, the JWKS and discovery
 * GETs): a request with its deadline, the whole response, and the injected transport, so every
 * rule is tested without a network. Types only: http-transport.ts is the Node implementation.
 */

/**
 * A one-shot timer. Not an AbortSignal: creating the first AbortController loads and compiles
 * Node's EventTarget internals, milliseconds on the cold path for a single callback.
 */
export interface Deadline {
  readonly expired: boolean;
  /** Runs `callback` at the deadline (at once if it has passed). */
  onExpire(callback: () => void): void;
}

export interface HttpRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /**
   * The path as sent, when `url` cannot hold it: WHATWG URL resolves `.` and `..` segments (even
   * percent-encoded ones), which in an S3 object key are names. The default is `url`'s.
   */
  readonly path?: string;
  /** At the deadline the transport must reject and release its socket. */
  readonly deadline: Deadline;
  /** Refuse (reject with ResponseTooLarge) a body larger than this; the transport has its own cap. */
  readonly maxResponseBytes?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** Sends one request and resolves with the whole response body. */
export type Transport = (request: HttpRequest) => Promise<HttpResponse>;
