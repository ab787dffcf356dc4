// Runs the IoT Hub simulator as a process (the local stack spawns it with
// spawnNode). Options come from argv (`--name value`) or IOTHUB_SIM_* env.
// When listening it prints ONE JSON line `{"ready":true,...}` on stdout; that
// line holds the hubs' connection strings, so the parent must not log it.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { eventHubsPublisher } from '../eventhubs/publisher';
import { generateFleet, startIotHubSimulator } from './index';
import { DEFAULT_HUBS } from './fleet';

const { values } = parseArgs({
  options: {
    'state-dir': { type: 'string' },
    fleet: { type: 'string' },
    'devices-per-hub': { type: 'string' },
    seed: { type: 'string' },
    'admin-port': { type: 'string' },
    'hub-ports': { type: 'string' },
    'apply-delay-ms': { type: 'string' },
    'heartbeat-ms': { type: 'string' },
  },
  strict: true,
});

const env = process.env;
const option = (name: keyof typeof values, envName: string): string | undefined => (values[name]) ?? env[envName];
const int = (text: string | undefined, fallback: number, name: string): number => {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${text}'`);
  return n;
};

async function main(): Promise<void> {
  const stateDir = resolve(option('state-dir', 'IOTHUB_SIM_STATE_DIR') ?? '.local/iothub');
  const seed = int(option('seed', 'IOTHUB_SIM_SEED'), 1, 'seed');
  const ports = (option('hub-ports', 'IOTHUB_SIM_HUB_PORTS') ?? '').split(',').filter(Boolean).map((p) => int(p, 0, 'hub-ports'));
  const hubs = DEFAULT_HUBS.map((h, i) => ({ ...h, port: ports[i] ?? 0 }));
  let fleet = option('fleet', 'IOTHUB_SIM_FLEET');
  if (!fleet) {
    // The default fleet is written once so a user can read and edit it.
    fleet = join(stateDir, 'fleet.json');
    if (!existsSync(fleet)) {
      const perHub = int(option('devices-per-hub', 'IOTHUB_SIM_DEVICES_PER_HUB'), 100, 'devices-per-hub');
      mkdirSync(stateDir, { recursive: true });
      writeFileSync(fleet, JSON.stringify(generateFleet(seed, perHub, hubs), null, 1));
    }
  }
  const delay = option('apply-delay-ms', 'IOTHUB_SIM_APPLY_DELAY_MS')?.split('-').map((p) => int(p, 0, 'apply-delay-ms'));
  // Routed events go to the local Event Hubs endpoint when the stack gives one (in the environment:
  // the connection string holds a key and must not show in the process list).
  const eventHubs = env.IOTHUB_SIM_EVENTHUBS_CONNECTION_STRING;
  const publisher = eventHubs ? eventHubsPublisher(eventHubs, env.IOTHUB_SIM_EVENTHUBS_NAME ?? 'device-health') : undefined;
  const handle = await startIotHubSimulator({
    ...(publisher ? { publisher } : {}),
    stateDir,
    seed,
    hubs,
    fleet,
    adminPort: int(option('admin-port', 'IOTHUB_SIM_ADMIN_PORT'), 0, 'admin-port'),
    agent: {
      ...(delay?.length ? { applyDelayMs: { min: delay[0]!, max: delay[1] ?? delay[0]! } } : {}),
      heartbeatMs: int(option('heartbeat-ms', 'IOTHUB_SIM_HEARTBEAT_MS'), 60000, 'heartbeat-ms'),
    },
  });
  const stop = () => {
    handle
      .stop()
      .then(() => publisher?.close())
      .then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const hubsOut = handle.hubs.map(({ name, region, labels, hostName, connectionString, localEndpoint, caFile }) => ({ name, region, labels, hostName, connectionString, localEndpoint, caFile }));
  process.stdout.write(`${JSON.stringify({ ready: true, hubs: hubsOut, adminUrl: handle.adminUrl, caFile: handle.caFile, stateDir })}\n`);
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ event: 'iothub-sim-failed', error: error instanceof Error ? error.message : String(error) }));
  process.exit(1);
});
