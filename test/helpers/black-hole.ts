/**
 * A key endpoint that hangs: a TCP server on 127.0.0.1 that accepts connections and never writes
 * a byte, until told to forward new connections to a real peer (moto). Handlers reach it through
 * the usual AWS_ENDPOINT_URL_* variables, so their fetch deadline is what ends the wait.
 */
import * as net from 'net';

export interface BlackHole {
  readonly endpoint: string;
  connections(): number;
  /** From now on, new connections are piped to `target` (host:port). */
  forwardTo(target: URL): void;
  close(): Promise<void>;
}

export async function startBlackHole(): Promise<BlackHole> {
  let connections = 0;
  let target: URL | undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (target) {
      const upstream = net.connect(Number(target.port), target.hostname);
      upstream.on('error', () => socket.destroy());
      socket.pipe(upstream).pipe(socket);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => connections,
    forwardTo: (t) => { target = t; },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
