// npm run bench:reconcile — one reconcile pass over 20 hubs x 100 deployments, at two fleet sizes 10x apart, side
// by side: pass time and peak memory, to show how the cost grows with the fleet. 5% of the devices are silent past
// the threshold, so the pass's stale sweep has real work; hubs are in memory (the pass's hub calls are the fan-out's,
// measured by bench:fanout), storage is real (Azurite). Each pass runs in a fresh process (after a warm-up that
// creates the hubs' configurations), so its peak memory is its own.
//
// Sizes: 100,000 and 1,000,000 health rows. Azurite's in-memory store evaluates every query against a whole table
// and splices a sorted index on each insert, so its costs grow with table size where Table storage's grow with the
// partition; with a table per hub (as the store lays it out) that stays within what Azurite can answer.
// BENCH_RECONCILE_DEVICES sets the smaller size.
import { execFileSync } from 'node:child_process';
import { TableClient, type TableServiceClientOptions, type TransactionAction } from '@azure/data-tables';
import { ContainerClient } from '@azure/storage-blob';
import { startAzurite } from '../local/azurite';
import { blobPassLease } from '../shared/adapters/blobs/blobPassLease';
import { writeChunked } from '../shared/adapters/tables/chunkedJson';
import { tableDeploymentStore } from '../shared/adapters/tables/tableDeploymentStore';
import { tableHealthStore } from '../shared/adapters/tables/tableHealthStore';
import { tableRolloutStatusStore } from '../shared/adapters/tables/tableRolloutStatusStore';
import { configurationId } from '../shared/domain/deployments/configurationId';
import type { DeviceHealth } from '../shared/domain/health/deviceHealth';
import { counterRowKey, deviceRowKey, healthPartition, healthTableName } from '../shared/domain/health/healthKeys';
import { lruHealthCache } from '../shared/services/health/healthCache';
import { healthDeviceCounts } from '../shared/services/health/healthQueries';
import { markSilentOffline, SWEEP_CACHE_DEVICES } from '../shared/services/health/markSilentOffline';
import { reconcileHubs } from '../shared/services/reconcile/reconcileHubs';
import { reconcilePass } from '../shared/services/reconcile/reconcilePass';
import { memoryFleet, MemoryHub } from '../test/helpers/memoryHub';
import { buildConfiguration, newRevision } from '../test/helpers/revisions';

const HUBS = Array.from({ length: 20 }, (_, i) => `hub${String(i).padStart(2, '0')}`);
const DEPLOYMENTS = Array.from({ length: 100 }, (_, i) => `app${String(i).padStart(3, '0')}`);
const BASE_DEVICES = Number(process.env.BENCH_RECONCILE_DEVICES ?? 100_000);
const SILENT_PERCENT = 5;
const OFFLINE_AFTER_SECONDS = 600;
const NOW = Date.UTC(2026, 11, 1, 12);

/** Table requests sent by this process: the pass's own work, whatever each one costs the storage behind it. */
let tableRequests = 0;
type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];
const counting: PipelinePolicy = {
  name: 'countRequests',
  sendRequest: (request, next) => {
    tableRequests++;
    return next(request);
  },
};
const client = (cs: string, table: string) => TableClient.fromConnectionString(cs, table, { allowInsecureConnection: true, additionalPolicies: [{ policy: counting, position: 'perCall' }] });
const tables = (suffix: string) => ({ deployments: `deployments${suffix}`, rollout: `rollout${suffix}`, health: `health${suffix}`, dead: `dead${suffix}` });

function deviceRecord(hub: string, deviceId: string, configuration: string, seenAt: string): DeviceHealth {
  return {
    hub,
    deviceId,
    connection: { connected: true, since: '2026-12-01T08:00:00.000Z', sequenceNumber: '0001' },
    lastDesiredVersion: { value: 2, version: 3 },
    desiredStatusCode: { value: 200, version: 3 },
    desiredVersion: { value: 2, version: 2 },
    modules: { web: { value: { runtimeStatus: 'running', restartCount: 0, exitCode: 0, image: 'nginx:1.25' }, version: 3 } },
    desiredModules: { web: { value: { image: 'nginx:1.25', status: 'running' }, version: 2 } },
    configurations: { [configuration]: { value: 'Applied', version: 2 } },
    lastEventAt: seenAt,
    lastSeenAt: seenAt,
  };
}

/** Deployments in their table, and `devices` health rows with consistent counters, written in 100-row transactions. */
async function seed(cs: string, suffix: string, devices: number): Promise<void> {
  const t = tables(suffix);
  const store = tableDeploymentStore(client(cs, t.deployments));
  for (const id of DEPLOYMENTS) await store.create(id, newRevision(id, 1, HUBS));
  // Rows by table (one per hub) and partition, as the store lays them out.
  const byPartition = new Map<string, { table: string; actions: TransactionAction[] }>();
  const counters = new Map<string, Map<string, number>>();
  for (let i = 0; i < devices; i++) {
    const hub = HUBS[i % HUBS.length]!;
    const deviceId = `dev-${String(i).padStart(7, '0')}`;
    const configuration = configurationId(DEPLOYMENTS[Math.floor(i / HUBS.length) % DEPLOYMENTS.length]!, 1);
    const silent = i % 100 < SILENT_PERCENT;
    const seenAt = new Date(NOW - (silent ? 20 : 1) * 60_000);
    const partition = healthPartition(hub, deviceId);
    const entry = byPartition.get(partition) ?? byPartition.set(partition, { table: healthTableName(t.health, hub), actions: [] }).get(partition)!;
    entry.actions.push(['upsert', { partitionKey: partition, rowKey: deviceRowKey(deviceId), hub, deviceId, configurationId: configuration, state: 'succeeded', lastSeenAt: seenAt, ...writeChunked('record', deviceRecord(hub, deviceId, configuration, seenAt.toISOString())) }, 'Replace']);
    const c = counters.get(partition) ?? counters.set(partition, new Map()).get(partition)!;
    c.set(configuration, (c.get(configuration) ?? 0) + 1);
  }
  for (const [partition, c] of counters) {
    const { actions } = byPartition.get(partition)!;
    for (const [configuration, n] of c) {
      actions.push(['upsert', { partitionKey: partition, rowKey: counterRowKey(configuration), configurationId: configuration, succeeded: n, progressing: 0, failed: 0, offline: 0, unknown: 0, asOf: new Date(NOW).toISOString() }, 'Replace']);
    }
  }
  const tablesUsed = new Set([...byPartition.values()].map((e) => e.table));
  for (const name of tablesUsed) await client(cs, name).createTable();
  const transactions = [...byPartition.values()].flatMap(({ table, actions }) => Array.from({ length: Math.ceil(actions.length / 100) }, (_, i) => ({ table: client(cs, table), actions: actions.slice(i * 100, i * 100 + 100) })));
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let tx = transactions.shift(); tx; tx = transactions.shift()) await tx.table.submitTransaction(tx.actions);
  }));
}

interface PassFigures {
  readonly passSeconds: number;
  /** Of which the stale sweep. */
  readonly sweepSeconds: number;
  /** Table requests the pass sent. */
  readonly requests: number;
  /** Peak live heap during the pass (sampled after a full collection). */
  readonly peakHeapMb: number;
  readonly maxRssMb: number;
  readonly markedOffline: number;
  readonly conditionsChanged: number;
}

/** The measured pass, in this (child) process: a warm-up sync creates the configurations, then one full pass. */
async function child(suffix: string): Promise<void> {
  const cs = process.env.BENCH_STORAGE!;
  const t = tables(suffix);
  const store = tableDeploymentStore(client(cs, t.deployments));
  const fleet = memoryFleet(HUBS.map((h) => new MemoryHub(h)));
  await reconcileHubs({ store, configurationFor: buildConfiguration, fleet, budgetMs: 600_000 });
  const health = tableHealthStore((name) => client(cs, name), client(cs, t.dead), t.health);
  const deps = { store: health, cache: lruHealthCache(SWEEP_CACHE_DEVICES) };
  // Live heap: a full collection before each sample, so garbage not yet collected does not count (costs a few % of time).
  const gc = (globalThis as { gc?: () => void }).gc!;
  let peakHeap = 0;
  let sweepSeconds = 0;
  const sampler = setInterval(() => {
    gc();
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 250);
  const requestsBefore = tableRequests;
  const started = performance.now();
  const report = await reconcilePass(blobPassLease(new ContainerClient(cs, `lease${suffix}`), 'reconcile'), {
    store,
    configurationFor: buildConfiguration,
    fleet,
    budgetMs: 600_000,
    deviceCounts: healthDeviceCounts(health, () => HUBS, { count: () => Promise.resolve({ byHub: new Map(), asOf: null, source: 'health' }) }),
    rolloutStatus: tableRolloutStatusStore(client(cs, t.rollout)),
    sweepSilentDevices: async (deadline) => {
      const sweepStart = performance.now();
      const sweep = await markSilentOffline({ ...deps, hubs: HUBS, offlineAfterSeconds: OFFLINE_AFTER_SECONDS, now: () => new Date(NOW), deadline });
      sweepSeconds = (performance.now() - sweepStart) / 1000;
      return sweep;
    },
    now: () => new Date(NOW),
  });
  const passSeconds = (performance.now() - started) / 1000;
  const requests = tableRequests - requestsBefore;
  clearInterval(sampler);
  if (!report.ran) throw new Error('the pass did not run');
  const figures: PassFigures = {
    passSeconds,
    sweepSeconds,
    requests,
    peakHeapMb: Math.round(peakHeap / 1048576),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    markedOffline: report.summary.devicesMarkedOffline,
    conditionsChanged: report.summary.conditionsChanged,
  };
  console.log(JSON.stringify(figures));
}

function runPass(cs: string, suffix: string): PassFigures {
  const out = execFileSync(process.execPath, ['--expose-gc', __filename, 'pass', suffix], { env: { ...process.env, BENCH_STORAGE: cs }, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as PassFigures;
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  try {
    const results: { devices: number; figures: PassFigures; seedSeconds: number }[] = [];
    for (const [suffix, devices] of [['s1', BASE_DEVICES], ['s10', BASE_DEVICES * 10]] as const) {
      const seedStart = performance.now();
      await seed(azurite.connectionString, suffix, devices);
      const seedSeconds = (performance.now() - seedStart) / 1000;
      const figures = runPass(azurite.connectionString, suffix);
      results.push({ devices, figures, seedSeconds });
      console.log(
        `${devices} devices (seeded in ${seedSeconds.toFixed(0)} s): pass ${figures.passSeconds.toFixed(1)} s (stale sweep ${figures.sweepSeconds.toFixed(1)} s), ${figures.requests} table requests, ${figures.markedOffline} marked offline, ${figures.conditionsChanged} conditions changed, peak live heap ${figures.peakHeapMb} MB, RSS ${figures.maxRssMb} MB`,
      );
    }
    const [small, large] = [results[0]!.figures, results[1]!.figures];
    console.log(`${HUBS.length} hubs x ${DEPLOYMENTS.length} deployments; ${SILENT_PERCENT}% of devices silent past ${OFFLINE_AFTER_SECONDS} s`);
    console.log(
      `BENCH reconcile time_growth_10x=${(large.passSeconds / small.passSeconds).toFixed(2)} memory_growth_10x=${(large.peakHeapMb / small.peakHeapMb).toFixed(2)} requests_growth_10x=${(large.requests / small.requests).toFixed(2)} pass_s=${small.passSeconds.toFixed(2)} pass_10x_s=${large.passSeconds.toFixed(2)} live_heap_mb=${small.peakHeapMb} live_heap_10x_mb=${large.peakHeapMb} rss_mb=${small.maxRssMb} rss_10x_mb=${large.maxRssMb} devices=${BASE_DEVICES} devices_10x=${BASE_DEVICES * 10}`,
    );
  } finally {
    await azurite.stop();
  }
}

if (require.main !== module) {
  // imported: run nothing
} else if (process.argv[2] === 'pass') {
  child(process.argv[3]!).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
