// The stale sweep: devices that have said nothing for longer than the offline
// threshold are counted `offline` (never `failed`) by moving the watermark of
// the counter rows that count them (silenceWatermark): one write per counter
// row, whatever the number of devices, and no device row is written. Reading
// a device (GET .../health, the device lists) judges it by the same rule, so
// each silent device still reads offline; its next event recomputes it, and
// moves it out of `offline` in the same transaction.
//
// Counter rows have two writers, ingestion and this sweep; ETags keep them from
// fighting. The sweep reads a partition's counters (and their ETags) before it
// looks for silent devices, and writes only those counters, each guarded by
// its ETag. Every ingestion write changes the counter row of each device it
// writes (in the same transaction), so any device that spoke after the sweep
// read its counter makes the sweep's write fail: it reads again and recounts.
// Ingestion in turn holds the counter's ETag from its cache: once the sweep
// moved a watermark, ingestion's next write there fails, reloads, and counts
// by the new watermark.
//
// Visiting every partition anyway, it also deletes counters that count no
// device any more: a superseded revision's, once its devices moved on, would
// otherwise stay in every shard it ever reached, and every read of a shard's
// counters would grow with the revisions ever made. A device arriving later
// makes its counter again.
import type { HealthState } from '../../domain/health/deviceHealth';
import { counterKey, hubPartitions } from '../../domain/health/healthKeys';
import { countedState } from '../../domain/health/silenceWatermark';
import type { DeviceCounts } from '../../domain/rollout/conditions';
import { type CounterWrite, type StoredCounter, WriteConflict } from './healthStore';
import { MAX_TRANSACTION_ROWS, type PartitionWriterDeps } from './partitionWriter';

export interface SweepDeps extends PartitionWriterDeps {
  readonly hubs: readonly string[];
  readonly offlineAfterSeconds: number;
  readonly now: () => Date;
  /** Partitions swept at once. */
  readonly parallelism?: number;
  /** Stop starting partitions after this time (the pass's budget); the next pass continues. */
  readonly deadline?: number;
  /** Where in the list of partitions to begin: the previous sweep's `resumeAt`, so a sweep cut short by the budget never starves the same partitions. */
  readonly startAt?: number;
}

export interface SweepReport {
  readonly partitions: number;
  /** Devices now counted offline (by watermark: their rows were not written). */
  readonly markedOffline: number;
  /** Counter rows whose watermark moved, and the transactions that wrote them: what a mass disconnect costs. */
  readonly countersMoved: number;
  readonly counterTransactions: number;
  /** Lost races with ingestion (the partition was read and counted again). */
  readonly conflicts: number;
  /** Partitions left to the next pass after losing every race. */
  readonly partitionsDeferred: number;
  /** Counter rows deleted because they counted no device. */
  readonly emptyCountersDropped: number;
  readonly stoppedEarly: boolean;
  /** Pass as `startAt` to the next sweep. */
  readonly resumeAt: number;
}

/** Kept for callers that size the sweep's cache (the sweep itself keeps only counters, never devices). */
export const SWEEP_CACHE_DEVICES = 4000;
/** Tries per partition before it is left to the next pass (ingestion keeps winning there). */
const MAX_ATTEMPTS = 4;

const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** attempt));

function moveToOffline(counts: DeviceCounts, state: HealthState, by: number): DeviceCounts {
  return { ...counts, [state]: Math.max(0, counts[state] - by), offline: counts.offline + Math.min(by, counts[state]) };
}

export async function markSilentOffline(deps: SweepDeps): Promise<SweepReport> {
  const now = deps.now();
  const cutoff = new Date(now.getTime() - deps.offlineAfterSeconds * 1000);
  const watermark = cutoff.toISOString();
  const all = deps.hubs.flatMap(hubPartitions);
  const start = all.length ? (deps.startAt ?? 0) % all.length : 0;
  const queue = [...all.slice(start), ...all.slice(0, start)];
  let partitions = 0;
  let markedOffline = 0;
  let countersMoved = 0;
  let counterTransactions = 0;
  let conflicts = 0;
  let partitionsDeferred = 0;
  let emptyCountersDropped = 0;
  let stoppedEarly = false;

  /** One try: count the partition's newly silent devices by counter row, then move those rows' watermarks. */
  const sweepOnce = async (partition: string) => {
    // Counters first: their ETags must predate every device row the count reads.
    const counters = await deps.store.readCounters(partition);
    const moves = new Map<string, { counter: StoredCounter; by: Map<HealthState, number>; devices: number }>();
    for await (const device of deps.store.silentPlacements(partition, cutoff)) {
      if (!device.placement.configurationId) continue; // counted nowhere (no configuration known, or deleted)
      const counter = counters.get(counterKey(device.placement.configurationId, device.counter));
      // Already counted offline by the present watermark, or a row made after the read (the next pass counts it).
      if (!counter || countedState(device.placement.state, device.seenAt, counter.silentBefore) === 'offline') continue;
      const key = counterKey(counter.configurationId, counter.writer);
      const move = moves.get(key) ?? moves.set(key, { counter, by: new Map(), devices: 0 }).get(key)!;
      move.by.set(device.placement.state, (move.by.get(device.placement.state) ?? 0) + 1);
      move.devices++;
    }
    const writes: CounterWrite[] = [...moves.values()].map(({ counter, by }) => {
      let counts = counter.counts;
      for (const [state, n] of by) counts = moveToOffline(counts, state, n);
      return { configurationId: counter.configurationId, writer: counter.writer, counts, restarts: counter.restarts, asOf: counter.asOf, silentBefore: watermark, etag: counter.etag };
    });
    // Each transaction is all-or-nothing and guards its own rows, so chunks commit independently and stay right.
    let moved = 0;
    for (let i = 0; i < writes.length; i += MAX_TRANSACTION_ROWS) {
      const chunk = writes.slice(i, i + MAX_TRANSACTION_ROWS);
      await deps.store.write(partition, [], chunk);
      counterTransactions++;
      countersMoved += chunk.length;
      for (const w of chunk) moved += moves.get(counterKey(w.configurationId, w.writer))!.devices;
    }
    markedOffline += moved;
    // Whatever the sweep's cache knew of this partition's counters is stale now.
    if (writes.length) deps.cache.forgetPartition(partition);
  };

  const sweep = async (partition: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await sweepOnce(partition);
        break;
      } catch (error) {
        if (!(error instanceof WriteConflict)) throw error;
        conflicts++;
        if (attempt >= MAX_ATTEMPTS) {
          partitionsDeferred++; // a device there spoke during every try; the next pass counts again
          break;
        }
        await backoff(attempt);
      }
    }
    const dropped = await dropEmptyCounters(deps, partition); // not `+= await`: workers run at once
    emptyCountersDropped += dropped;
    partitions++;
  };

  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (deps.deadline !== undefined && Date.now() > deps.deadline) {
        stoppedEarly = true;
        return;
      }
      await sweep(next);
    }
  };
  await Promise.all(Array.from({ length: deps.parallelism ?? 4 }, worker));
  const resumeAt = stoppedEarly && all.length ? (start + partitions) % all.length : 0;
  return { partitions, markedOffline, countersMoved, counterTransactions, conflicts, partitionsDeferred, emptyCountersDropped, stoppedEarly, resumeAt };
}

const isEmpty = (c: StoredCounter) => c.restarts === 0 && Object.values(c.counts).every((n) => n === 0);

async function dropEmptyCounters(deps: SweepDeps, partition: string): Promise<number> {
  const counters = deps.cache.counters(partition) ?? (await deps.store.readCounters(partition));
  const empty = [...counters.values()].filter(isEmpty).map((c) => ({ configurationId: c.configurationId, writer: c.writer, etag: c.etag }));
  if (!empty.length) return 0;
  const dropped = await deps.store.deleteCounters(partition, empty);
  // Whatever did not go changed meanwhile: read afresh next time.
  deps.cache.forgetPartition(partition);
  return dropped;
}
