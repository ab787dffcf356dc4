// The local Event Hubs endpoint: what the unmodified @azure/event-hubs SDK
// talks to with `UseDevelopmentEmulator=true` (plain AMQP over TCP). The
// official emulator needs Docker, which cannot run here. See docs/eventhubs-endpoint.md.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { startAmqpServer } from './amqpServer';
import { EventHubLog, type Retention } from './partitionStore';

export interface HubDefinition {
  readonly name: string;
  readonly partitions?: number;
  readonly consumerGroups?: readonly string[];
}

export interface EventHubsEndpointOptions {
  /** 0 lets the OS choose (tests); the stack uses 5672, the emulator's port. */
  readonly port?: number;
  readonly host?: string;
  readonly hubs?: readonly HubDefinition[];
  /** Keeps events (and the namespace key) across restarts; in memory when absent. */
  readonly dataDir?: string;
  readonly retention?: Partial<Retention>;
  readonly maxMessageSize?: number;
}

export interface EventHubsEndpoint {
  readonly port: number;
  readonly keyName: string;
  readonly hubs: ReadonlyMap<string, EventHubLog>;
  connectionString(hub?: string): string;
  stop(): Promise<void>;
}

export const DEFAULT_HUBS: readonly HubDefinition[] = [{ name: 'device-health', partitions: 4, consumerGroups: ['control-plane', 'tools'] }];
const KEY_NAME = 'RootManageSharedAccessKey';

function namespaceKey(dataDir: string | undefined): string {
  if (!dataDir) return randomBytes(32).toString('base64');
  const file = join(dataDir, 'namespace-key.json');
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { key: string }).key;
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, JSON.stringify({ key }), { mode: 0o600 });
  return key;
}

export async function startEventHubsEndpoint(options: EventHubsEndpointOptions = {}): Promise<EventHubsEndpoint> {
  const retention: Retention = { maxEvents: options.retention?.maxEvents ?? 1_000_000, maxBytes: options.retention?.maxBytes ?? 512 * 1024 * 1024 };
  const hubs = new Map((options.hubs ?? DEFAULT_HUBS).map((h) => [h.name, new EventHubLog(h.name, h.partitions ?? 4, h.consumerGroups ?? [], retention, options.dataDir)]));
  const key = namespaceKey(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  let server: Server;
  try {
    server = await startAmqpServer({ hubs, keys: { [KEY_NAME]: key }, maxMessageSize: options.maxMessageSize ?? 1024 * 1024 }, options.port ?? 5672, host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`Port ${options.port ?? 5672} needed by the local Event Hubs endpoint is already in use. Stop whatever holds it, or choose another port.`);
    }
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    keyName: KEY_NAME,
    hubs,
    connectionString: (hub) =>
      `Endpoint=sb://${host}:${port}/;SharedAccessKeyName=${KEY_NAME};SharedAccessKey=${key};UseDevelopmentEmulator=true${hub ? `;EntityPath=${hub}` : ''}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open client connections would keep close() waiting: end them.
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        setTimeout(resolve, 1000).unref();
      }),
  };
}
