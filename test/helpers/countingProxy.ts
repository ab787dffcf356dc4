// An HTTP proxy in front of Azurite's table endpoint that counts the requests
// the app makes: how table requests per API call are measured (the app's own
// SDK clients, unchanged, talk to it as to any table endpoint).
import { Agent, createServer, request } from 'node:http';

export interface CountingProxy {
  readonly port: number;
  /** Requests forwarded since the last reset. */
  count(): number;
  /** "METHOD /path" of each request since the last reset (query strings dropped). */
  requests(): readonly string[];
  reset(): void;
  stop(): Promise<void>;
}

export async function startCountingProxy(target: URL): Promise<CountingProxy> {
  let seen: string[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    count: () => seen.length,
    requests: () => seen,
    reset: () => void (seen = []),
    stop: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
