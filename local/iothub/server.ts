// Serves one hub's REST API over TLS on its own port: outage and latency
// faults first, then SAS auth, then the API. One port per hub lets a hub be
// taken down (port closed) without touching the others.
import { createServer, type Server } from 'node:https';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { handleApi } from './api';
import { newRequestId } from './devices';
import { type SimulatedHub } from './hub';
import { errorBody, HubError, hubErrors } from './hubError';
import { verifySas } from './sas';
import { type TlsMaterial } from './certs';
import { type Json } from './twin';

const MAX_BODY_BYTES = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HubError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(chunk);
  }
  if (!size) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw hubErrors.badRequest('The request body is not valid JSON.', 'BadRequest');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function serveRequest(hub: SimulatedHub, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const trackingId = newRequestId().replace(/-/g, '');
  hub.onRequest({ method: req.method ?? 'GET', path: new URL(req.url ?? '/', 'https://hub').pathname, at: Date.now() });
  try {
    if (hub.faults.latencyMs > 0) await sleep(hub.faults.latencyMs);
    if (hub.faults.outage !== 'none') throw hubErrors.unavailable();
    const auth = verifySas(req.headers.authorization, hub.definition.hostName, hub.policies, Math.floor(Date.now() / 1000));
    if (!auth.ok) throw hubErrors.unauthorized(`Unauthorized: ${auth.reason}.`);
    const url = new URL(req.url ?? '/', 'https://hub');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
    const rawBody = await readBody(req);
    const body = rawBody !== null && typeof rawBody === 'object' && !Array.isArray(rawBody) ? (rawBody as Json) : undefined;
    const result = handleApi(hub, { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, body, rawBody });
    const payload = result.body === undefined ? '' : JSON.stringify(result.body);
    const slow = hub.faults.slowAnswers;
    if (slow && slow.remaining > 0 && slow.method === req.method) {
      slow.remaining--;
      await sleep(slow.ms);
    }
    res.writeHead(result.status, {
      ...(payload ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
      ...result.headers,
    });
    res.end(payload);
  } catch (error) {
    const hubError = error instanceof HubError ? error : new HubError(500, 'ServerError', 'Internal error in the simulator.');
    if (!(error instanceof HubError)) console.error(JSON.stringify({ event: 'iothub-sim-error', hub: hub.name, error: String(error) }));
    res.writeHead(hubError.status, { 'Content-Type': 'application/json; charset=utf-8', 'iothub-errorcode': hubError.code, ...hubError.headers });
    res.end(errorBody(hubError, trackingId));
  }
}

/** A hub's HTTPS listener that can be closed (outage 'refuse') and reopened on the same port. */
export class HubListener {
  private server: Server | undefined;
  port = 0;

  constructor(
    private readonly hub: SimulatedHub,
    private readonly tls: TlsMaterial,
    private readonly host: string,
  ) {}

  async open(port = this.port): Promise<number> {
    if (this.server) return this.port;
    const server = createServer({ cert: this.tls.cert, key: this.tls.key, keepAliveTimeout: 5000 }, (req, res) => {
      void serveRequest(this.hub, req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
