// The simulator's admin API: plain HTTP JSON on its own port (never the hubs'
// ports), to inject scenarios and faults at run time and to read events.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { z } from 'zod';
import { type EdgeAgentSimulator } from './edgeAgent';
import { type DeviceEventPublisher, InMemoryEventPublisher } from './events';
import { type SimulatedHub } from './hub';
import { type HubListener } from './server';
import { type ScenarioBook, selects } from './scenarios';
import { parseCondition, QuerySyntaxError } from './query';

export interface AdminContext {
  readonly hubs: readonly { hub: SimulatedHub; listener: HubListener; agent: EdgeAgentSimulator }[];
  readonly scenarios: ScenarioBook;
  readonly publisher: DeviceEventPublisher;
  readonly seed: number;
}

const hubPatchSchema = z.object({
  outage: z.enum(['none', 'refuse', 'unavailable']).optional(),
  latencyMs: z.number().int().min(0).optional(),
  limits: z.object({
    maxConfigurations: z.number().int().min(0),
    configOpsPerMinutePerUnit: z.number().positive(),
    queriesPerMinutePerUnit: z.number().positive(),
    maxDesiredBytes: z.number().int().positive(),
    maxPageSize: z.number().int().positive(),
    throttleBurst: z.number().int().min(0),
  }).partial().optional(),
});

const connectionSchema = z.object({
  connected: z.boolean(),
  selector: z.string().optional(),
  percent: z.number().min(0).max(100).default(100),
});

class AdminError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req as AsyncIterable<Buffer>) text += chunk.toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AdminError(400, 'body is not JSON');
  }
}

async function route(ctx: AdminContext, method: string, url: URL, req: IncomingMessage): Promise<unknown> {
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] !== 'admin') throw new AdminError(404, 'not found');
  const entry = (name: string | undefined) => {
    const found = ctx.hubs.find((h) => h.hub.name === name);
    if (!found) throw new AdminError(404, `no hub '${name}'`);
    return found;
  };
  const [, resource, name, sub] = parts;
  if (resource === 'hubs' && method === 'GET' && !name) {
    return ctx.hubs.map(({ hub, listener }) => ({ name: hub.name, port: listener.port, faults: hub.faults, limits: hub.limits, devices: hub.devices.size }));
  }
  if (resource === 'hubs' && method === 'PATCH' && name && !sub) {
    const { hub, listener } = entry(name);
    const patch = hubPatchSchema.parse(await readJson(req));
    if (patch.limits) Object.assign(hub.limits, patch.limits);
    if (patch.latencyMs !== undefined) hub.faults.latencyMs = patch.latencyMs;
    if (patch.outage) {
      hub.faults.outage = patch.outage === 'unavailable' ? 'unavailable' : 'none';
      if (patch.outage === 'refuse') await listener.close();
      else await listener.open();
    }
    return { name, faults: hub.faults, limits: hub.limits };
  }
  if (resource === 'hubs' && method === 'POST' && name && sub === 'connection') {
    const { hub, agent } = entry(name);
    const body = connectionSchema.parse(await readJson(req));
    const filter = { id: `connection:${body.selector ?? ''}`, condition: body.selector ? parseCondition(body.selector) : undefined, percent: body.percent };
    const hit = [...hub.devices.values()].filter((d) => selects(ctx.seed, filter, hub.name, d));
    for (const device of hit) {
      await hub.setConnected(device, body.connected);
      if (body.connected) agent.reconnected(device);
    }
    return { devices: hit.map((d) => d.deviceId) };
  }
  if (resource === 'scenarios') {
    if (method === 'GET') return ctx.scenarios.list().map(({ condition: _c, ...rest }) => rest);
    if (method === 'POST') {
      const { condition: _c, ...scenario } = ctx.scenarios.add(await readJson(req));
      return scenario;
    }
    if (method === 'DELETE') {
      ctx.scenarios.remove(name);
      return { removed: name ?? 'all' };
    }
  }
  if (resource === 'events' && method === 'GET') {
    if (!(ctx.publisher instanceof InMemoryEventPublisher)) throw new AdminError(404, 'events are published elsewhere');
    const since = Number(url.searchParams.get('since') ?? 0);
    return { next: ctx.publisher.events.length, events: ctx.publisher.events.slice(since) };
  }
  throw new AdminError(404, `no route for ${method} ${url.pathname}`);
}

export async function startAdminServer(ctx: AdminContext, host: string, port: number): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    route(ctx, req.method ?? 'GET', url, req).then(
      (body) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      },
      (error: unknown) => {
        const status = error instanceof AdminError ? error.status : error instanceof z.ZodError || error instanceof QuerySyntaxError ? 400 : 500;
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, server };
}
