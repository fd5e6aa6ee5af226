/**
 * A small HTTP proxy on 127.0.0.1 in front of a loopback peer (moto): it counts the AWS JSON-protocol
 * operations that pass (by their `X-Amz-Target`, e.g. `secretsmanager.GetSecretValue`) and can
 * rewrite a response, so a test or bench sees how often a handler calls a service, or shows the
 * handler a state the peer cannot produce (a replica still in progress). Point the SDK at
 * `endpoint` through the usual AWS_ENDPOINT_URL_* variables.
 */
import * as http from 'http';

export interface ProxiedResponse {
  readonly statusCode: number;
  readonly body: Buffer;
}

/**
 * Returns the response body to send instead of the peer's, or undefined to pass it unchanged.
 * `operation` is the request's `X-Amz-Target` without the service prefix (`DescribeSecret`).
 */
export type ResponseRewriter = (operation: string, response: ProxiedResponse) => Buffer | undefined;

export interface LoopbackProxy {
  readonly endpoint: string;
  /** How many requests of each operation passed (key: `DescribeSecret`; `''` for requests without X-Amz-Target). */
  readonly calls: Map<string, number>;
  /** Requests of `operation` so far. */
  count(operation: string): number;
  /** Requests of every operation so far. */
  total(): number;
  /** Forgets the counts so far. */
  resetCounts(): void;
  close(): Promise<void>;
}

function operationOf(req: http.IncomingMessage): string {
  const target = String(req.headers['x-amz-target'] ?? '');
  return target.slice(target.indexOf('.') + 1);
}

export async function startLoopbackProxy(target: string, rewrite?: ResponseRewriter): Promise<LoopbackProxy> {
  const port = Number(new URL(target).port);
  const calls = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const operation = operationOf(req);
    calls.set(operation, (calls.get(operation) ?? 0) + 1);
    const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      if (!rewrite) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const original = Buffer.concat(chunks);
        const body = rewrite(operation, { statusCode: up.statusCode ?? 502, body: original }) ?? original;
        res.writeHead(up.statusCode ?? 502, { ...up.headers, 'content-length': String(body.length) });
        res.end(body);
      });
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    calls,
    count: (operation) => calls.get(operation) ?? 0,
    total: () => [...calls.values()].reduce((a, b) => a + b, 0),
    resetCounts: () => calls.clear(),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
