// Starts the local IoT Hub simulator in-process: several hubs (one TLS port
// each, all sharing one certificate signed by a local CA), the simulated
// edgeAgents, and the admin API. main.ts runs the same thing as a child process.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAdminServer } from './admin';
import { ensureTlsMaterial } from './certs';
import { type EdgeAgentOptions, EdgeAgentSimulator } from './edgeAgent';
import { type DeviceEventPublisher, InMemoryEventPublisher } from './events';
import { DEFAULT_HUBS, type FleetInput, fleetSchema, generateFleet, readFleetFile, seedFleet } from './fleet';
import { SimulatedHub } from './hub';
import { DEFAULT_LIMITS, type HubLimits } from './limits';
import { ScenarioBook } from './scenarios';
import { HubListener } from './server';

export { InMemoryEventPublisher, type DeviceEventPublisher, type RoutedEvent } from './events';
export { generateFleet, type Fleet, type FleetInput } from './fleet';
export { type HubLimits, DEFAULT_LIMITS } from './limits';

export interface HubOptions {
  readonly name: string;
  readonly region: string;
  readonly labels?: Record<string, string>;
  readonly units?: number;
  /** Fixed port; 0 or absent lets the OS choose. */
  readonly port?: number;
}

export interface IotHubSimulatorOptions {
  readonly hubs?: readonly HubOptions[];
  /** Hub host names are `<resource name>.<domain>`, the resource name `iot-<token>-<name>` as infra/ names hubs. */
  readonly domain?: string;
  /** The `<token>` in resource names (default: derived from the seed, like uniqueString in infra/). */
  readonly resourceToken?: string;
  /** Keeps the CA, certificate and hub keys across runs; a temporary folder (removed on stop) otherwise. */
  readonly stateDir?: string;
  /** Devices to seed: a fleet, a fleet file path, or a number of generated devices per hub. */
  readonly fleet?: FleetInput | string | number;
  readonly seed?: number;
  readonly limits?: Partial<HubLimits>;
  readonly agent?: Partial<Omit<EdgeAgentOptions, 'seed'>>;
  readonly publisher?: DeviceEventPublisher;
  readonly adminPort?: number;
}

export interface HubInfo {
  readonly name: string;
  /** The IoT Hub's resource name, on every routed event (`user-id`, `hubName`). */
  readonly resourceName: string;
  readonly region: string;
  readonly labels: Record<string, string>;
  readonly hostName: string;
  readonly connectionString: string;
  readonly localEndpoint: string;
  readonly caFile: string;
}

export interface IotHubSimulatorHandle {
  readonly hubs: readonly HubInfo[];
  readonly adminUrl: string;
  readonly caFile: string;
  /** Direct access for tests: the hub models, scenarios and published events. */
  readonly simulator: {
    readonly hubs: readonly SimulatedHub[];
    readonly scenarios: ScenarioBook;
    readonly publisher: DeviceEventPublisher;
  };
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

function ownerKeys(stateDir: string, names: readonly string[]): Record<string, string> {
  const file = join(stateDir, 'keys.json');
  const keys = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  let changed = false;
  for (const name of names) {
    if (!keys[name]) {
      keys[name] = randomBytes(32).toString('base64');
      changed = true;
    }
  }
  if (changed) writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}

export async function startIotHubSimulator(options: IotHubSimulatorOptions = {}): Promise<IotHubSimulatorHandle> {
  const temporary = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'iothub-sim-'));
  mkdirSync(stateDir, { recursive: true });
  const seed = options.seed ?? 1;
  const domain = options.domain ?? 'hubs.localhost';
  const hubOptions = options.hubs ?? DEFAULT_HUBS;
  const token = options.resourceToken ?? createHash('sha256').update(`hub-token:${seed}`).digest('hex').replace(/[^a-z]/g, '').slice(0, 13).padEnd(13, 'x');
  const resourceName = (name: string) => `iot-${token}-${name}`;
  const hostName = (name: string) => `${resourceName(name)}.${domain}`;
  const tls = ensureTlsMaterial(join(stateDir, 'tls'), hubOptions.map((h) => hostName(h.name)));
  const keys = ownerKeys(stateDir, hubOptions.map((h) => h.name));
  const publisher = options.publisher ?? new InMemoryEventPublisher();
  const scenarios = new ScenarioBook(seed);
  const agentOptions: EdgeAgentOptions = {
    seed,
    applyDelayMs: options.agent?.applyDelayMs ?? { min: 1000, max: 5000 },
    crashRestartMs: options.agent?.crashRestartMs ?? 10000,
    failAfterRestarts: options.agent?.failAfterRestarts ?? 5,
    heartbeatMs: options.agent?.heartbeatMs ?? 60000,
  };
  const entries: { hub: SimulatedHub; listener: HubListener; agent: EdgeAgentSimulator }[] = [];
  for (const h of hubOptions) {
    const hub = new SimulatedHub(
      { name: h.name, resourceName: resourceName(h.name), region: h.region, labels: { ...h.labels }, hostName: hostName(h.name), units: ('units' in h ? h.units : undefined) ?? 1, ownerKey: keys[h.name]! },
      { ...DEFAULT_LIMITS, ...options.limits },
      publisher,
    );
    const listener = new HubListener(hub, tls, HOST);
    await listener.open('port' in h ? (h.port ?? 0) : 0);
    entries.push({ hub, listener, agent: new EdgeAgentSimulator(hub, scenarios, agentOptions) });
  }
  const hubs = entries.map((e) => e.hub);
  if (options.fleet !== undefined) {
    const fleet = typeof options.fleet === 'number' ? generateFleet(seed, options.fleet, hubOptions)
      : typeof options.fleet === 'string' ? readFleetFile(options.fleet) : fleetSchema.parse(options.fleet);
    await seedFleet(hubs, fleet);
  }
  const admin = await startAdminServer({ hubs: entries, scenarios, publisher, seed }, HOST, options.adminPort ?? 0);
  return {
    hubs: entries.map(({ hub, listener }) => ({
      name: hub.name,
      resourceName: hub.resourceName,
      region: hub.definition.region,
      labels: hub.definition.labels,
      hostName: hub.definition.hostName,
      connectionString: hub.connectionString(),
      localEndpoint: `https://${HOST}:${listener.port}`,
      caFile: tls.caFile,
    })),
    adminUrl: admin.url,
    caFile: tls.caFile,
    simulator: { hubs, scenarios, publisher },
    async stop() {
      for (const e of entries) e.agent.stop();
      admin.server.closeAllConnections();
      await new Promise<void>((resolve) => admin.server.close(() => resolve()));
      await Promise.all(entries.map((e) => e.listener.close()));
      if (temporary) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
