// Load figures of the IoT Hub simulator: configuration operations and twin
// queries per second it sustains through the azure-iothub SDK with 10,000
// IoT Edge devices in one hub, throttling relaxed. Last line: BENCH iothub ...
import { type Configuration } from 'azure-iothub';
import { startIotHubSimulator } from '../local/iothub';
import { createRegistry } from '../shared/adapters/iothub/createRegistry';
import { hubSettingSchema } from '../shared/config/settings';

const DEVICES = 10_000;
const CONFIG_ROUNDS = Number(process.env.BENCH_CONFIG_ROUNDS ?? 25); // each round: create, get, update, delete
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const CONCURRENCY = 4;

function content(image: string): Configuration['content'] {
  return {
    modulesContent: {
      $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', runtime: { type: 'docker' }, systemModules: {}, modules: { web: { type: 'docker', status: 'running', settings: { image } } } } },
      $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: {} } },
    },
  };
}

async function inParallel(count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) await work(next++);
  }));
}

async function main(): Promise<void> {
  const started = Date.now();
  const sim = await startIotHubSimulator({
    hubs: [{ name: 'bench', region: 'westeurope', labels: { geo: 'eu' } }],
    fleet: DEVICES,
    seed: 42,
    limits: { configOpsPerMinutePerUnit: 1e9, queriesPerMinutePerUnit: 1e9, maxConfigurations: 1000 },
    // Agents report after the measurement, so the figures are the API's own.
    agent: { applyDelayMs: { min: 600_000, max: 600_000 }, heartbeatMs: 0 },
  });
  console.log(JSON.stringify({ event: 'seeded', devices: DEVICES, ms: Date.now() - started }));
  try {
    const hub = sim.hubs[0]!;
    const registry = createRegistry(hubSettingSchema.parse({ name: hub.name, region: hub.region, connection: hub.connectionString, local: { endpoint: hub.localEndpoint, caFile: hub.caFile } }));

    const configStart = Date.now();
    await inParallel(CONFIG_ROUNDS, async (i) => {
      const id = `bench-${i}`;
      await registry.addConfiguration({ id, schemaVersion: '1.0', content: content(`web:${i}`), targetCondition: `tags.ring = 'canary' AND tags.hw = 'x86-gen${(i % 2) + 1}'`, priority: i });
      const got = (await registry.getConfiguration(id)).responseBody;
      await registry.updateConfiguration({ ...got, priority: i + 1000 });
      await registry.removeConfiguration(id);
    });
    const configOps = (CONFIG_ROUNDS * 4) / ((Date.now() - configStart) / 1000);

    const queries = [
      "SELECT * FROM devices WHERE tags.ring = 'canary'",
      "SELECT deviceId FROM devices WHERE tags.env = 'prod' AND tags.hw IN ['x86-gen1', 'arm64-gen1']",
      "SELECT COUNT() AS n FROM devices.modules WHERE moduleId = '$edgeAgent' AND properties.reported.lastDesiredStatus.code = 200",
      "SELECT * FROM devices WHERE STARTSWITH(tags.site, 'bench-site-a')",
    ];
    const queryStart = Date.now();
    await inParallel(QUERIES, async (i) => {
      await registry.createQuery(queries[i % queries.length]!, 100).next();
    });
    const queriesPerSecond = QUERIES / ((Date.now() - queryStart) / 1000);
    console.log(`BENCH iothub config_ops_per_s=${configOps.toFixed(1)} queries_per_s=${queriesPerSecond.toFixed(1)} devices=${DEVICES}`);
  } finally {
    await sim.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
