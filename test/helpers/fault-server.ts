/**
 * A key endpoint on 127.0.0.1 that fails the way real ones do, for the key fetch back-off tests
 * and benchmark: a black hole (accepts TCP, never answers: a hanging Secrets Manager, S3 or
 * identity provider, whatever the protocol, TLS included), an HTTP error status, or a 200 with a
 * body (recovery). Plain HTTP: the handlers take it through the AWS_ENDPOINT_URL_* overrides.
 * Counts every TCP connection, the number that matters for "one fetch in flight".
 */
import * as http from 'http';
import * as net from 'net';

export type FaultMode = { readonly kind: 'blackhole' } | { readonly kind: 'status'; readonly status: number } | { readonly kind: 'answer'; readonly body: string };

export interface FaultServer {
  /** `http://127.0.0.1:<port>` (use `https://` with the same port for a TLS black hole). */
  readonly endpoint: string;
  readonly port: number;
  mode: FaultMode;
  /** TCP connections accepted so far. */
  connections: number;
  stop(): Promise<void>;
}

export async function startFaultServer(mode: FaultMode = { kind: 'blackhole' }): Promise<FaultServer> {
  const sockets = new Set<net.Socket>();
  const responder = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const m = state.mode;
      if (m.kind === 'blackhole') return;
      const body = m.kind === 'answer' ? m.body : '{"message":"internal error"}';
      res.writeHead(m.kind === 'answer' ? 200 : m.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    // A black hole holds the connection and never reads a byte back: not even a TLS handshake.
    if (state.mode.kind !== 'blackhole') responder.emit('connection', socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const state: FaultServer = {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    mode,
    connections: 0,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return state;
}
