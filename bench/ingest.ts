// npm run bench:ingest — device health events per second into Azurite, side by side in one run:
//   ingest   the real path (trigger-shaped batches -> parse -> coalesce -> ETag-guarded transactions with index
//            and counters), batches of 1000 events as the host delivers them (host.json maxEventBatchSize)
//   ceiling  the same number of pre-built device entities written straight to Azurite in 100-entity
//            transactions, as many at once as ingest writes partitions: what storage allows at best
//   naive    one read and one upsert per event, in order
// and peak memory of the ingest path (a fresh process each) for N and 10N events over the same fleet: it must
// stay flat, because batches are streamed and the record cache is bounded.
// Workload: a rollout wave, each device sending what a real one sends in a few seconds, as IoT Hub routes it:
// the desired-property patch the configuration writes on $edgeAgent, two reported patches from the agent (the
// first with what changed on the new version, the second only the module that came up) and a heartbeat.
// Then a steady-state phase: the same fleet heartbeating with nothing else changing (writes_per_heartbeat,
// issue 18: a heartbeat that only moves lastSeenAt is written once per DEVICE_LIVENESS_WRITE_SECONDS).
// The ingest runs as two instances side by side (Event Hub partitions 0 and 1, one each, sharing the tables),
// so `conflicts_per_1k_events` shows whether two instances fight over rows.
import { execFileSync } from 'node:child_process';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { startAzurite } from '../local/azurite';
import { heartbeatEvent, type RoutedEvent, twinChangeEvent } from '../local/iothub/events';
import { tableHealthStore } from '../shared/adapters/tables/tableHealthStore';
import { writeChunked } from '../shared/adapters/tables/chunkedJson';
import { applyEvent, type DeviceHealth } from '../shared/domain/health/deviceHealth';
import { parseHealthEvent } from '../shared/domain/health/healthEvents';
import { deviceRowKey, fnv1a, healthPartition } from '../shared/domain/health/healthKeys';
import { hubDirectory } from '../shared/domain/health/hubDirectory';
import { lruHealthCache } from '../shared/services/health/healthCache';
import { ingestBatch, positionedEvents } from '../shared/services/health/ingestBatch';
import type { IngestDeps } from '../shared/services/health/ingestHealth';

const HUBS = ['weu', 'eus', 'sea'];
const realName = (hub: string) => `iot-benchtoken-${hub}`;
const hubs = hubDirectory(HUBS.map((name) => ({ name, connection: `${realName(name)}.azure-devices.net` })));
const ROUNDS = 40;
const sensorImage = (round: number) => `contoso.azurecr.io/sensor:1.${round}.0`;
/** The desired modules a configuration writes, with the `configuration.id` IoT Hub stamps on each. */
const modulesOf = (round: number) => {
  const configuration = { id: `sensors-r${round + 1}` };
  return {
    sensor: { type: 'docker', status: 'running', restartPolicy: 'always', configuration, settings: { image: sensorImage(round), createOptions: '{"HostConfig":{"Privileged":false}}' } },
    filter: { type: 'docker', status: 'running', restartPolicy: 'always', configuration, settings: { image: 'contoso.azurecr.io/filter:2.1.0', createOptions: '{}' } },
  };
};
/** IoT Hub routes a device's events with its id as partition key: two partitions here, one per instance. */
const partitionOf = (deviceId: string) => String(fnv1a(deviceId) % 2);
const DEVICES_PER_HUB = 1000;
const EVENTS_PER_DEVICE = 4;
const BATCH = 1000;
const PARALLELISM = 8;
const BASE_EVENTS = 24_000;
const NAIVE_EVENTS = 2_000;
/** DEVICE_LIVENESS_WRITE_SECONDS' default. */
const LIVENESS_WRITE_SECONDS = 300;
/** The steady-state phase: every device heartbeats every 30 s of hub time, nothing else changes. */
const HEARTBEAT_INTERVAL_MS = 30_000;
const HEARTBEAT_ROUNDS = 30;

interface TriggerBatch {
  readonly messages: unknown[];
  readonly metadata: Record<string, unknown>;
}

/** The events of one device's rollout step `round`, routed-shaped: patches, as IoT Hub routes twin changes. */
function deviceEvents(hub: string, deviceId: string, round: number, at: number): RoutedEvent[] {
  const source = { hubName: realName(hub), deviceId, moduleId: '$edgeAgent' };
  const image = sensorImage(round);
  const v = round * 10;
  // The first round writes the whole desired modules; later ones what changed: the sensor image and every module's configuration id.
  const configuration = { id: `sensors-r${round + 1}` };
  const desired = round === 0
    ? { schemaVersion: '1.1', systemModules: { edgeAgent: { configuration }, edgeHub: { configuration } }, modules: modulesOf(round) }
    : { systemModules: { edgeAgent: { configuration }, edgeHub: { configuration } }, modules: { sensor: { configuration, settings: { image } }, filter: { configuration } } };
  const firstReport = round === 0
    ? {
        lastDesiredVersion: round + 1,
        lastDesiredStatus: { code: 200, description: '' },
        modules: {
          sensor: { runtimeStatus: 'backoff', exitCode: 0, restartCount: 0, statusDescription: 'backoff', lastStartTimeUtc: new Date(at + 1).toISOString(), settings: { image } },
          filter: { runtimeStatus: 'running', exitCode: 0, restartCount: 0, lastStartTimeUtc: new Date(at).toISOString(), settings: { image: 'contoso.azurecr.io/filter:2.1.0' } },
        },
      }
    : { lastDesiredVersion: round + 1, modules: { sensor: { runtimeStatus: 'backoff', lastStartTimeUtc: new Date(at + 1).toISOString(), settings: { image } } } };
  return [
    twinChangeEvent(source, v + 1, { properties: { desired: { ...desired, $version: round + 1 } } }, 'updateTwin', new Date(at)),
    twinChangeEvent(source, v + 2, { properties: { reported: { ...firstReport, $version: v + 2 } } }, 'updateTwin', new Date(at + 1000)),
    twinChangeEvent(source, v + 3, { properties: { reported: { modules: { sensor: { runtimeStatus: 'running', statusDescription: 'running' } }, $version: v + 3 } } }, 'updateTwin', new Date(at + 2000)),
    heartbeatEvent(realName(hub), { type: 'heartbeat', deviceId, sentAtUtc: new Date(at + 3000).toISOString(), modules: { sensor: 'running', filter: 'running' } }, new Date(at + 3000)),
  ];
}

/** As the Functions host hands a batch over: bodies, and metadata arrays (first letters lower-cased). */
function triggerBatch(events: RoutedEvent[], firstSequence: number, partitionId: string): TriggerBatch {
  const lower = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]));
  return {
    messages: events.map((e) => e.body),
    metadata: {
      partitionContext: { partitionId },
      propertiesArray: events.map((e) => lower(e.properties)),
      systemPropertiesArray: events.map((e) => e.systemProperties),
      enqueuedTimeUtcArray: events.map((e) => new Date(Number(e.systemProperties['iothub-enqueuedtime']) + 50).toISOString()),
      sequenceNumberArray: events.map((_, i) => firstSequence + i),
      offsetArray: events.map((_, i) => String((firstSequence + i) * 1024)),
    },
  };
}

/**
 * The workload, streamed batch by batch (never held whole): rounds over the fleet, devices in a fixed shuffled
 * order; with `partition`, only the devices whose events that Event Hub partition carries.
 */
export function* workload(totalEvents: number, partition?: string): Generator<TriggerBatch> {
  const devices = HUBS.flatMap((hub) => Array.from({ length: DEVICES_PER_HUB }, (_, i) => ({ hub, deviceId: `${hub}-edge-${String(i).padStart(5, '0')}` })));
  for (let i = devices.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [devices[i], devices[j]] = [devices[j]!, devices[i]!];
  }
  const mine = partition === undefined ? devices : devices.filter((d) => partitionOf(d.deviceId) === partition);
  const start = Date.UTC(2026, 11, 1);
  let sequence = 0;
  let pending: RoutedEvent[] = [];
  for (let round = 0; round < ROUNDS && sequence + pending.length < totalEvents; round++) {
    for (const d of mine) {
      pending.push(...deviceEvents(d.hub, d.deviceId, round, start + round * 600_000));
      if (pending.length >= BATCH) {
        yield triggerBatch(pending.slice(0, BATCH), sequence, partition ?? '0');
        sequence += BATCH;
        pending = pending.slice(BATCH);
        if (sequence >= totalEvents) return;
      }
    }
  }
}

const client = (connectionString: string, table: string) => TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });

function ingestDeps(connectionString: string, suffix: string): IngestDeps {
  const store = tableHealthStore((name) => client(connectionString, name), client(connectionString, `dead${suffix}`), `health${suffix}`);
  return { store, cache: lruHealthCache(50_000), offlineAfterSeconds: 600, livenessWriteSeconds: LIVENESS_WRITE_SECONDS, parallelism: PARALLELISM, hubs };
}

interface IngestRun {
  readonly seconds: number;
  readonly written: number;
  readonly transactions: number;
  readonly conflicts: number;
}

/** Two instances (each its own cache, as two hosts) on Event Hub partitions 0 and 1, over the same tables, at once. */
async function runIngest(connectionString: string, suffix: string, events: number, afterBatch: (n: number) => void = () => undefined): Promise<IngestRun> {
  await client(connectionString, `health${suffix}`).createTable();
  let written = 0;
  let transactions = 0;
  let conflicts = 0;
  const started = performance.now();
  await Promise.all(['0', '1'].map(async (partition) => {
    const deps = ingestDeps(connectionString, suffix);
    for (const batch of workload(events / 2, partition)) {
      const report = await ingestBatch(deps, batch.messages, batch.metadata);
      written += report.written;
      transactions += report.transactions;
      conflicts += report.conflicts;
      afterBatch(written);
    }
  }));
  return { seconds: (performance.now() - started) / 1000, written, transactions, conflicts };
}

/**
 * Steady state after the rollout: every device heartbeats every HEARTBEAT_INTERVAL_MS with the same module
 * statuses, through the same two instances' path over the tables the rollout left. A first round (the first
 * heartbeat after the rollout, and fresh caches) is not counted; then HEARTBEAT_ROUNDS rounds are.
 */
async function runHeartbeats(connectionString: string, suffix: string): Promise<{ heartbeats: number; written: number; seconds: number }> {
  const devices = HUBS.flatMap((hub) => Array.from({ length: DEVICES_PER_HUB }, (_, i) => ({ hub, deviceId: `${hub}-edge-${String(i).padStart(5, '0')}` })));
  const after = Date.UTC(2026, 11, 1) + ROUNDS * 600_000;
  let heartbeats = 0;
  let written = 0;
  let seconds = 0;
  await Promise.all(['0', '1'].map(async (partition) => {
    const deps = ingestDeps(connectionString, suffix);
    const mine = devices.filter((d) => partitionOf(d.deviceId) === partition);
    let sequence = 1_000_000;
    for (let round = 0; round <= HEARTBEAT_ROUNDS; round++) {
      const at = after + round * HEARTBEAT_INTERVAL_MS;
      const events = mine.map((d) => heartbeatEvent(realName(d.hub), { type: 'heartbeat', deviceId: d.deviceId, sentAtUtc: new Date(at).toISOString(), modules: { sensor: 'running', filter: 'running' } }, new Date(at)));
      for (let i = 0; i < events.length; i += BATCH) {
        const batch = triggerBatch(events.slice(i, i + BATCH), sequence, partition);
        sequence += BATCH;
        const started = performance.now();
        const report = await ingestBatch(deps, batch.messages, batch.metadata);
        if (round === 0) continue;
        seconds += (performance.now() - started) / 1000;
        heartbeats += report.events;
        written += report.written;
      }
    }
  }));
  return { heartbeats, written, seconds };
}

/** Pre-built device entities (the size ingest stores), 100 per transaction, PARALLELISM transactions at once. */
async function runCeiling(connectionString: string, events: number): Promise<number> {
  const table = client(connectionString, 'ceiling');
  await table.createTable();
  const sample = [...workload(EVENTS_PER_DEVICE * 4)][0]!;
  let record: DeviceHealth | undefined;
  for (const e of positionedEvents(sample.messages.slice(0, EVENTS_PER_DEVICE), sample.metadata)) {
    const parsed = parseHealthEvent(e, { hubs });
    if (parsed.ok) for (const event of parsed.events) record = applyEvent(record, event);
  }
  const payload = writeChunked('record', record);
  const partitions = HUBS.flatMap((hub) => Array.from({ length: 8 }, (_, s) => `${hub}~${s}`));
  const transactions: TransactionAction[][] = [];
  for (let i = 0; i < events; i += 100) {
    const partitionKey = partitions[(i / 100) % partitions.length]!;
    transactions.push(Array.from({ length: Math.min(100, events - i) }, (_, j) => ['upsert', { partitionKey, rowKey: `d~dev-${i + j}`, state: 'succeeded', configurationId: 'sensors-r1', lastSeenAt: new Date(), ...payload }, 'Replace'] as TransactionAction));
  }
  const started = performance.now();
  const queue = [...transactions];
  await Promise.all(Array.from({ length: PARALLELISM }, async () => {
    for (let t = queue.shift(); t; t = queue.shift()) await table.submitTransaction(t);
  }));
  return (performance.now() - started) / 1000;
}

/** One read and one upsert per event, in order: what ingestion would be without batching or coalescing. */
async function runNaive(connectionString: string, events: number): Promise<number> {
  const table = client(connectionString, 'naive');
  await table.createTable();
  const started = performance.now();
  for (const batch of workload(events)) {
    for (const e of positionedEvents(batch.messages, batch.metadata)) {
      const parsed = parseHealthEvent(e, { hubs });
      if (!parsed.ok) continue;
      const { hub, deviceId } = parsed.events[0]!;
      const partitionKey = healthPartition(hub, deviceId);
      const rowKey = deviceRowKey(deviceId);
      let record: DeviceHealth | undefined;
      try {
        const row = await table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
        record = JSON.parse(String(row.record0)) as DeviceHealth;
      } catch {
        record = undefined;
      }
      for (const event of parsed.events) record = applyEvent(record, event);
      await table.upsertEntity({ partitionKey, rowKey, ...writeChunked('record', record) }, 'Replace');
    }
  }
  return (performance.now() - started) / 1000;
}

/** A fresh process runs the ingest path alone, so its peak RSS is the ingest path's. */
interface MemoryFigures {
  /** Peak resident set size of the process (includes what the garbage collector has not collected yet). */
  readonly maxRssMb: number;
  /** Peak live heap: measured after a full collection every 10 batches, so it shows what is really retained. */
  readonly liveHeapMb: number;
}

function memoryRun(connectionString: string, events: number, suffix: string): MemoryFigures {
  const out = execFileSync(process.execPath, ['--expose-gc', __filename, 'memory', String(events), suffix], { env: { ...process.env, BENCH_STORAGE: connectionString }, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as MemoryFigures;
}

async function child(events: number, suffix: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  let live = 0;
  let batches = 0;
  await runIngest(process.env.BENCH_STORAGE!, suffix, events, () => {
    if (++batches % 10 !== 0) return;
    gc();
    live = Math.max(live, process.memoryUsage().heapUsed);
  });
  console.log(JSON.stringify({ maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), liveHeapMb: Math.round(live / 1048576) }));
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  const cs = azurite.connectionString;
  try {
    const ceiling = BASE_EVENTS / (await runCeiling(cs, BASE_EVENTS));
    const ingest = await runIngest(cs, 'main', BASE_EVENTS);
    const ingestRate = BASE_EVENTS / ingest.seconds;
    const naive = NAIVE_EVENTS / (await runNaive(cs, NAIVE_EVENTS));
    const steady = await runHeartbeats(cs, 'main');
    const writesPerHeartbeat = steady.written / steady.heartbeats;
    console.log(`fleet ${HUBS.length * DEVICES_PER_HUB} devices, ${EVENTS_PER_DEVICE} events per device per rollout step, batches of ${BATCH}`);
    console.log(`ceiling: ${ceiling.toFixed(0)} entities/s (pre-built, 100 per transaction, ${PARALLELISM} at once)`);
    console.log(`ingest:  ${ingestRate.toFixed(0)} events/s (${BASE_EVENTS} events -> ${ingest.written} device writes in ${ingest.transactions} transactions, 2 instances, ${ingest.conflicts} conflicts)`);
    console.log(`naive:   ${naive.toFixed(0)} events/s (${NAIVE_EVENTS} events, read + upsert each)`);
    console.log(`steady heartbeats: ${steady.heartbeats} heartbeats every ${HEARTBEAT_INTERVAL_MS / 1000} s of hub time -> ${steady.written} writes (${writesPerHeartbeat.toFixed(3)} per heartbeat, DEVICE_LIVENESS_WRITE_SECONDS=${LIVENESS_WRITE_SECONDS}), ${(steady.heartbeats / steady.seconds).toFixed(0)} heartbeats/s`);
    const small = memoryRun(cs, BASE_EVENTS, 'mem1');
    const large = memoryRun(cs, BASE_EVENTS * 10, 'mem10');
    console.log(`peak memory of the ingest path: live heap ${small.liveHeapMb} MB, RSS ${small.maxRssMb} MB for ${BASE_EVENTS} events; live heap ${large.liveHeapMb} MB, RSS ${large.maxRssMb} MB for ${BASE_EVENTS * 10}`);
    console.log(
      `BENCH ingest ratio_to_ceiling=${(ingestRate / ceiling).toFixed(2)} ratio_to_naive=${(ingestRate / naive).toFixed(1)} events_per_s=${ingestRate.toFixed(0)} ceiling_per_s=${ceiling.toFixed(0)} naive_per_s=${naive.toFixed(0)} live_heap_mb=${small.liveHeapMb} live_heap_10x_mb=${large.liveHeapMb} memory_growth_10x=${(large.liveHeapMb / small.liveHeapMb).toFixed(2)} peak_rss_mb=${small.maxRssMb} peak_rss_10x_mb=${large.maxRssMb} hosts=2 conflicts_per_1k_events=${((ingest.conflicts / BASE_EVENTS) * 1000).toFixed(2)} writes_per_heartbeat=${writesPerHeartbeat.toFixed(3)} heartbeat_interval_s=${HEARTBEAT_INTERVAL_MS / 1000} liveness_write_s=${LIVENESS_WRITE_SECONDS} heartbeats_per_s=${(steady.heartbeats / steady.seconds).toFixed(0)}`,
    );
  } finally {
    await azurite.stop();
  }
}

if (require.main !== module) {
  // imported (by a profiling script): run nothing
} else if (process.argv[2] === 'memory') {
  child(Number(process.argv[3]), process.argv[4] ?? 'mem').catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
