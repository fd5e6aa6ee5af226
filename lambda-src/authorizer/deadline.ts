/**
 * One deadline for a whole HTTP exchange (connect, TLS, request and body), and sending one
 * request under it: what the Secrets Manager call, the S3 GetObject and the JWKS fetch share.
 * Each caller keeps its own error class and reason codes; this module only says why no response
 * came (`timeout` or `network_error`) and hands over the transport's error.
 */
import type { Deadline, HttpRequest, HttpResponse, Transport } from './transport';

function startDeadline(ms: number): Deadline & { cancel(): void } {
  const callbacks: Array<() => void> = [];
  const deadline = {
    expired: false,
    onExpire(callback: () => void): void {
      if (deadline.expired) callback();
      else callbacks.push(callback);
    },
    cancel(): void { clearTimeout(timer); },
  };
  const timer = setTimeout(() => {
    deadline.expired = true;
    for (const cb of callbacks) cb();
  }, ms);
  return deadline;
}

/** The caller's error for why no response came; `cause` is the transport's error (undefined at the deadline). */
export type SendFailure = (reason: 'timeout' | 'network_error', cause?: unknown) => Error;

/**
 * Sends `request` with a deadline of `timeoutMs` and resolves with the whole response, or rejects
 * with `fail(...)`. The deadline wins even over a transport that ignores it.
 */
export async function sendBeforeDeadline(
  transport: Transport, request: Omit<HttpRequest, 'deadline'>, timeoutMs: number, fail: SendFailure,
): Promise<HttpResponse> {
  const deadline = startDeadline(timeoutMs);
  try {
    return await new Promise<HttpResponse>((resolve, reject) => {
      deadline.onExpire(reject);
      transport({ ...request, deadline }).then(resolve, reject);
    });
  } catch (e) {
    throw fail(deadline.expired ? 'timeout' : 'network_error', e);
  } finally {
    deadline.cancel();
  }
}
