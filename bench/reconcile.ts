// npm run bench:reconcile — one reconcile pass over 20 hubs x 100 deployments, at two fleet sizes 10x apart, side
// by side: pass time and peak memory, to show how the cost grows with the fleet. 5% of the devices are silent past
// the threshold, so the pass's stale sweep has real work; hubs are in memory (the pass's hub calls are the fan-out's,
// measured by bench:fanout), storage is real (Azurite). Each pass runs in a fresh process (after a warm-up that
// creates the hubs' configurations), so its peak memory is its own.
//
// Sizes: 100,000 and 1,000,000 health rows. Azurite's in-memory store (LokiJS) evaluates every query against a whole
// table, finds a row by scanning its partition and splices sorted indexes on every write, so its cost per row grows
// with the table; Table storage's does not. So each size also measures a yardstick that is not our code: the
// storage's own cost of the sweep's kind of write (2,000 rows of one hub table rewritten in 100-row transactions,
// 4 at a time) at that size, and the pass time is read against it (`storage_write_growth_10x`, and
// `time_growth_10x_at_constant_storage_cost`: the sweep's time scaled by that growth, the rest as measured).
// Mass disconnect (issue 18): 10% of the devices, picked by a hash of their id, go silent at once, and the stale
// sweep alone runs over them at both sizes: its table write requests (`sweep_writes_growth_10x`: they grow with the
// counter rows the silent devices move, not with the devices), its time against the storage's own cost of the
// sweep's query at that size (`time_growth_10x_at_constant_storage_cost`) and its peak live heap (`memory_growth`).
// BENCH_RECONCILE_PHASE=mass-disconnect runs only that phase (the full pass at 1M rows takes ~20 min on 2 cores).
// BENCH_RECONCILE_FACTOR sets the larger size's multiple (default 10; the `_10x` keys are then at that factor).
// BENCH_RECONCILE_DEVICES sets the smaller size. BENCH_RECONCILE_STORAGE=<connection string> runs against a real
// storage account instead of Azurite (it creates tables named *s1 / *s10 and deletes them at the end).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TableClient, TableServiceClient, type TableServiceClientOptions, type TransactionAction } from '@azure/data-tables';
import { ContainerClient } from '@azure/storage-blob';
import { startAzurite } from '../local/azurite';
import { blobPassLease } from '../shared/adapters/blobs/blobPassLease';
import { writeChunked } from '../shared/adapters/tables/chunkedJson';
import { tableDeploymentStore } from '../shared/adapters/tables/tableDeploymentStore';
import { tableHealthStore } from '../shared/adapters/tables/tableHealthStore';
import { tableRolloutStatusStore } from '../shared/adapters/tables/tableRolloutStatusStore';
import { configurationId } from '../shared/domain/deployments/configurationId';
import type { DeviceHealth } from '../shared/domain/health/deviceHealth';
import { counterRowKey, deviceRowKey, fnv1a, healthPartition, healthTableName } from '../shared/domain/health/healthKeys';
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
const MASS_SILENT_PERCENT = 10;
const FACTOR = Number(process.env.BENCH_RECONCILE_FACTOR ?? 10);
const PHASE = process.env.BENCH_RECONCILE_PHASE ?? 'all';
const OFFLINE_AFTER_SECONDS = 600;
const NOW = Date.UTC(2026, 11, 1, 12);

/** Table requests sent by this process: the pass's own work, whatever each one costs the storage behind it. */
let tableRequests = 0;
/** Of which writes (a $batch transaction, a PUT, MERGE or DELETE each count one). */
let tableWrites = 0;
type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];
const counting: PipelinePolicy = {
  name: 'countRequests',
  sendRequest: (request, next) => {
    tableRequests++;
    if (request.method !== 'GET') tableWrites++;
    return next(request);
  },
};
const client = (cs: string, table: string) => TableClient.fromConnectionString(cs, table, { allowInsecureConnection: !process.env.BENCH_RECONCILE_STORAGE, additionalPolicies: [{ policy: counting, position: 'perCall' }] });
const tables = (suffix: string) => ({ deployments: `deployments${suffix}`, rollout: `rollout${suffix}`, health: `health${suffix}`, dead: `dead${suffix}` });

function deviceRecord(hub: string, deviceId: string, seenAt: string): DeviceHealth {
  return {
    hub,
    deviceId,
    connection: { connected: true, since: '2026-12-01T08:00:00.000Z', sequenceNumber: '0001' },
    lastDesiredVersion: { value: 2, version: 3 },
    desiredStatusCode: { value: 200, version: 3 },
    desiredVersion: { value: 2, version: 2 },
    modules: { web: { clearedAt: -1, fields: { runtimeStatus: { value: 'running', version: 3 }, restartCount: { value: 0, version: 3 }, exitCode: { value: 0, version: 3 }, image: { value: 'nginx:1.25', version: 3 } } } },
    desiredModules: { web: { clearedAt: -1, fields: { image: { value: 'nginx:1.25', version: 2 }, status: { value: 'running', version: 2 } } } },
    lastEventAt: seenAt,
    lastSeenAt: seenAt,
  };
}

/** Deployments in their table, and `devices` health rows with consistent counters, written in 100-row transactions. */
async function seed(cs: string, suffix: string, devices: number, silentOf: (i: number, deviceId: string) => boolean = (i) => i % 100 < SILENT_PERCENT): Promise<void> {
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
    const silent = silentOf(i, deviceId);
    const seenAt = new Date(NOW - (silent ? 20 : 1) * 60_000);
    const partition = healthPartition(hub, deviceId);
    const entry = byPartition.get(partition) ?? byPartition.set(partition, { table: healthTableName(t.health, hub), actions: [] }).get(partition)!;
    entry.actions.push(['upsert', { partitionKey: partition, rowKey: deviceRowKey(deviceId), hub, deviceId, configurationId: configuration, state: 'succeeded', lastSeenAt: seenAt, ...writeChunked('record', deviceRecord(hub, deviceId, seenAt.toISOString())) }, 'Replace']);
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
  await submitInTransactions([...byPartition.values()].map(({ table, actions }) => ({ table: client(cs, table), actions })), 8);
}

/** Each partition's actions in transactions of at most 100 rows, `parallel` transactions at a time. */
async function submitInTransactions(partitions: readonly { table: TableClient; actions: readonly TransactionAction[] }[], parallel: number): Promise<void> {
  const transactions = partitions.flatMap(({ table, actions }) => Array.from({ length: Math.ceil(actions.length / 100) }, (_, i) => ({ table, actions: actions.slice(i * 100, i * 100 + 100) })));
  await Promise.all(Array.from({ length: parallel }, async () => {
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
    sweepSilentDevices: async ({ deadline }) => {
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

interface SweepFigures {
  readonly sweepSeconds: number;
  readonly requests: number;
  /** Write requests (transactions): what the sweep costs Table storage's per-account transaction budget. */
  readonly writes: number;
  /** Counter rows written (entities): what it costs each partition's entity budget. */
  readonly countersMoved: number;
  readonly markedOffline: number;
  readonly conflicts: number;
  readonly peakHeapMb: number;
}

/** The mass-disconnect phase, in this (child) process: the stale sweep alone over the seeded tables. */
async function sweepChild(suffix: string): Promise<void> {
  const cs = process.env.BENCH_STORAGE!;
  const t = tables(suffix);
  const health = tableHealthStore((name) => client(cs, name), client(cs, t.dead), t.health);
  const gc = (globalThis as { gc?: () => void }).gc!;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    gc();
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 250);
  const [requestsBefore, writesBefore] = [tableRequests, tableWrites];
  const started = performance.now();
  const sweep = await markSilentOffline({ store: health, cache: lruHealthCache(SWEEP_CACHE_DEVICES), hubs: HUBS, offlineAfterSeconds: OFFLINE_AFTER_SECONDS, now: () => new Date(NOW) });
  const sweepSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  gc();
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const figures: SweepFigures = {
    sweepSeconds,
    requests: tableRequests - requestsBefore,
    writes: tableWrites - writesBefore,
    countersMoved: sweep.countersMoved,
    markedOffline: sweep.markedOffline,
    conflicts: sweep.conflicts,
    peakHeapMb: Math.round(peakHeap / 1048576),
  };
  console.log(JSON.stringify(figures));
}

/** Rows read in the yardstick of the sweep's kind of query: fewer than one partition holds at the smaller size. */
const CALIBRATION_READ_ROWS = Math.min(500, Math.floor(BASE_DEVICES / HUBS.length / 8 / 2));

/**
 * The storage's own cost per row of the sweep's kind of read at this size (ms): the first CALIBRATION_READ_ROWS
 * device rows of one partition of the first hub, through the same filtered, projected query the sweep sends.
 */
async function storageReadMs(cs: string, suffix: string): Promise<number> {
  const hub = HUBS[0]!;
  const health = tableHealthStore((name) => client(cs, name), client(cs, tables(suffix).dead), tables(suffix).health);
  const partition = healthPartition(hub, 'dev-0000000');
  const started = performance.now();
  let rows = 0;
  for await (const _ of health.silentPlacements(partition, new Date(8.64e15))) if (++rows >= CALIBRATION_READ_ROWS) break;
  return (performance.now() - started) / rows;
}

async function runSweep(cs: string, suffix: string): Promise<SweepFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', __filename, 'sweep', suffix], { env: { ...process.env, BENCH_STORAGE: cs }, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as SweepFigures;
}

/** A mass disconnect at both sizes: the keys of the BENCH line it adds. */
async function massDisconnect(cs: string): Promise<string> {
  const silent = (_: number, deviceId: string) => fnv1a(`silent:${deviceId}`) % 100 < MASS_SILENT_PERCENT;
  const results: { devices: number; figures: SweepFigures; readMs: number }[] = [];
  for (const [suffix, devices] of [['m1', BASE_DEVICES], ['m10', BASE_DEVICES * FACTOR]] as const) {
    const seedStart = performance.now();
    await seed(cs, suffix, devices, silent);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const readMs = await storageReadMs(cs, suffix);
    const figures = await runSweep(cs, suffix);
    results.push({ devices, figures, readMs });
    console.log(
      `mass disconnect, ${devices} devices (seeded in ${seedSeconds.toFixed(0)} s): sweep ${figures.sweepSeconds.toFixed(1)} s, ${figures.markedOffline} marked offline with ${figures.writes} write requests (${figures.countersMoved} counter rows), ${figures.requests} table requests, ${figures.conflicts} conflicts, peak live heap ${figures.peakHeapMb} MB; storage alone: ${readMs.toFixed(3)} ms per row read`,
    );
  }
  const [small, large] = [results[0]!, results[1]!];
  const [a, b] = [small.figures, large.figures];
  const readGrowth = large.readMs / small.readMs;
  console.log(`${HUBS.length} hubs x ${DEPLOYMENTS.length} deployments; ${MASS_SILENT_PERCENT}% of devices silent at once; sizes ${BASE_DEVICES} and ${BASE_DEVICES * FACTOR}`);
  return [
    `sweep_writes_growth_10x=${(b.writes / a.writes).toFixed(2)}`,
    `sweep_counter_rows_growth_10x=${(b.countersMoved / a.countersMoved).toFixed(2)}`,
    `sweep_devices_growth_10x=${(b.markedOffline / a.markedOffline).toFixed(2)}`,
    `time_growth_10x_at_constant_storage_cost=${(b.sweepSeconds / readGrowth / a.sweepSeconds).toFixed(2)}`,
    `memory_growth=${(b.peakHeapMb / a.peakHeapMb).toFixed(2)}`,
    `sweep_time_growth_10x=${(b.sweepSeconds / a.sweepSeconds).toFixed(2)}`,
    `storage_read_growth_10x=${readGrowth.toFixed(2)}`,
    `sweep_s=${a.sweepSeconds.toFixed(2)} sweep_10x_s=${b.sweepSeconds.toFixed(2)} sweep_writes=${a.writes} sweep_writes_10x=${b.writes} counter_rows=${a.countersMoved} counter_rows_10x=${b.countersMoved} marked_offline=${a.markedOffline} marked_offline_10x=${b.markedOffline}`,
    `sweep_live_heap_mb=${a.peakHeapMb} sweep_live_heap_10x_mb=${b.peakHeapMb} mass_devices=${BASE_DEVICES} mass_devices_10x=${BASE_DEVICES * FACTOR} factor=${FACTOR}`,
  ].join(' ');
}

/** The same rows at both sizes (at most what the smaller size's hub holds), so the two figures compare. */
const CALIBRATION_ROWS = Math.min(2_000, Math.floor(BASE_DEVICES / HUBS.length));

/**
 * The storage's own cost per row of the sweep's kind of write at this size (ms): CALIBRATION_ROWS device rows
 * spread over the first hub's table, one column merged, in 100-row transactions per partition, 4 at a time.
 */
async function storageWriteMs(cs: string, suffix: string, devices: number): Promise<number> {
  const hub = HUBS[0]!;
  const table = client(cs, healthTableName(tables(suffix).health, hub));
  const ofHub = Math.floor(devices / HUBS.length);
  const step = Math.max(1, Math.floor(ofHub / CALIBRATION_ROWS));
  const byPartition = new Map<string, TransactionAction[]>();
  for (let k = 0; k < CALIBRATION_ROWS; k++) {
    const deviceId = `dev-${String(k * step * HUBS.length).padStart(7, '0')}`; // seed(): device i is on hub i % 20
    const partition = healthPartition(hub, deviceId);
    const actions = byPartition.get(partition) ?? byPartition.set(partition, []).get(partition)!;
    actions.push(['update', { partitionKey: partition, rowKey: deviceRowKey(deviceId), calibration: k }, 'Merge']);
  }
  const started = performance.now();
  await submitInTransactions([...byPartition.values()].map((actions) => ({ table, actions })), 4);
  return (performance.now() - started) / CALIBRATION_ROWS;
}

/** Asynchronously: a blocked event loop would miss storage closing this process's idle keep-alive sockets (EPIPE on the next request). */
async function runPass(cs: string, suffix: string): Promise<PassFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', __filename, 'pass', suffix], { env: { ...process.env, BENCH_STORAGE: cs }, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as PassFigures;
}

/** Azurite, or the real storage account BENCH_RECONCILE_STORAGE names (its bench tables are deleted at the end). */
async function storage(): Promise<{ connectionString: string; stop: () => Promise<void> }> {
  const real = process.env.BENCH_RECONCILE_STORAGE;
  if (!real) return startAzurite();
  return {
    connectionString: real,
    stop: async () => {
      const service = TableServiceClient.fromConnectionString(real);
      for await (const t of service.listTables()) if (t.name && /^(deployments|rollout|health|dead)[sm]10?(hub\d\d[0-9a-f]{8})?$/.test(t.name)) await service.deleteTable(t.name);
      await new ContainerClient(real, 'leases1').deleteIfExists();
      await new ContainerClient(real, 'leases10').deleteIfExists();
    },
  };
}

async function main(): Promise<void> {
  const store = await storage();
  try {
    const mass = PHASE === 'pass' ? '' : await massDisconnect(store.connectionString);
    if (PHASE === 'mass-disconnect') {
      console.log(`BENCH reconcile ${mass}`);
      return;
    }
    const results: { devices: number; figures: PassFigures; seedSeconds: number; writeMs: number }[] = [];
    for (const [suffix, devices] of [['s1', BASE_DEVICES], ['s10', BASE_DEVICES * FACTOR]] as const) {
      const seedStart = performance.now();
      await seed(store.connectionString, suffix, devices);
      const seedSeconds = (performance.now() - seedStart) / 1000;
      const figures = await runPass(store.connectionString, suffix);
      const writeMs = await storageWriteMs(store.connectionString, suffix, devices);
      results.push({ devices, figures, seedSeconds, writeMs });
      console.log(
        `${devices} devices (seeded in ${seedSeconds.toFixed(0)} s): pass ${figures.passSeconds.toFixed(1)} s (stale sweep ${figures.sweepSeconds.toFixed(1)} s), ${figures.requests} table requests, ${figures.markedOffline} marked offline, ${figures.conditionsChanged} conditions changed, peak live heap ${figures.peakHeapMb} MB, RSS ${figures.maxRssMb} MB; storage alone: ${writeMs.toFixed(3)} ms per row written`,
      );
    }
    const [small, large] = [results[0]!, results[1]!];
    const [a, b] = [small.figures, large.figures];
    const storageGrowth = large.writeMs / small.writeMs;
    // What the 10x pass would take if a row write cost storage what it did at 1x (as in Table storage): the sweep is
    // storage-bound (its queries and transactions), so it is scaled; the rest (hub calls, counters, conditions) is not.
    const constantStoragePass = b.passSeconds - b.sweepSeconds + b.sweepSeconds / storageGrowth;
    console.log(`${HUBS.length} hubs x ${DEPLOYMENTS.length} deployments; ${SILENT_PERCENT}% of devices silent past ${OFFLINE_AFTER_SECONDS} s; storage: ${process.env.BENCH_RECONCILE_STORAGE ? 'BENCH_RECONCILE_STORAGE' : 'Azurite'}`);
    console.log(
      `BENCH reconcile time_growth_10x=${(b.passSeconds / a.passSeconds).toFixed(2)} memory_growth_10x=${(b.peakHeapMb / a.peakHeapMb).toFixed(2)} requests_growth_10x=${(b.requests / a.requests).toFixed(2)} storage_write_growth_10x=${storageGrowth.toFixed(2)} time_growth_10x_at_constant_storage_cost=${(constantStoragePass / a.passSeconds).toFixed(2)} pass_s=${a.passSeconds.toFixed(2)} pass_10x_s=${b.passSeconds.toFixed(2)} sweep_s=${a.sweepSeconds.toFixed(2)} sweep_10x_s=${b.sweepSeconds.toFixed(2)} storage_write_ms=${small.writeMs.toFixed(3)} storage_write_10x_ms=${large.writeMs.toFixed(3)} live_heap_mb=${a.peakHeapMb} live_heap_10x_mb=${b.peakHeapMb} rss_mb=${a.maxRssMb} rss_10x_mb=${b.maxRssMb} devices=${BASE_DEVICES} devices_10x=${BASE_DEVICES * FACTOR}${mass ? ` ${mass}` : ''}`,
    );
  } finally {
    await store.stop();
  }
}

if (require.main !== module) {
  // imported: run nothing
} else if (process.argv[2] === 'sweep') {
  sweepChild(process.argv[3]!).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
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
