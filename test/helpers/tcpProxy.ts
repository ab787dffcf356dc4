// A TCP proxy in front of a real service, so a test can make it fail the way a
// network does: connections refused and cut (an outage), or accepted and
// never answered (a black hole: a hung socket, a dropped route), then come back.
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Connections the proxy accepted so far (each try of a client that opens a new socket counts). */
  readonly accepted: number;
  /** Refuse new connections and cut the open ones. */
  cut(): void;
  /**
   * Accept connections but pass nothing on, either way, on new and open
   * connections alike: a caller waits on its socket until it gives up itself.
   */
  blackHole(): void;
  /** Back to passing everything; black-holed connections are cut (a client reconnects, as after a real outage). */
  restore(): void;
  stop(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let mode: 'open' | 'down' | 'blackHole' = 'open';
  let accepted = 0;
  const sockets = new Set<Socket>();
  const held = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => {
      sockets.delete(s);
      held.delete(s);
    });
    s.on('error', () => undefined);
  };
  const server = createServer((client) => {
    accepted++;
    if (mode === 'down') return client.destroy();
    track(client);
    if (mode === 'blackHole') {
      // Accepted, read and ignored: the client sees a socket that never answers.
      held.add(client);
      client.resume();
      return;
    }
    const upstream = createConnection(targetPort, targetHost);
    track(upstream);
    // Written by hand, not piped, so that black-holing takes hold on connections already open.
    client.on('data', (chunk: Buffer) => {
      if (mode === 'open') upstream.write(chunk);
      else held.add(client);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (mode === 'open') client.write(chunk);
      else held.add(client);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    get accepted() {
      return accepted;
    },
    cut() {
      mode = 'down';
      for (const s of sockets) s.destroy();
    },
    blackHole() {
      mode = 'blackHole';
    },
    restore() {
      mode = 'open';
      // A connection that lost bytes in the hole is broken for good; cutting it lets the client reconnect.
      for (const s of held) s.destroy();
      held.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
