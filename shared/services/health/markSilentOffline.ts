// The stale sweep: devices that have said nothing for longer than the offline
// threshold are moved to `offline` (never `failed`), with the counters they
// move, through the same guarded partition writes as ingestion. The record is
// left as it is, so the device's next event recomputes its state from scratch.
// Visiting every partition anyway, it also deletes counters that count no
// device any more: a superseded revision's, once its devices moved on, would
// otherwise stay in every shard it ever reached, and every read of a shard's
// counters would grow with the revisions ever made. A device arriving later
// makes its counter again.
import { effectiveState } from '../../domain/health/deviceHealth';
import { hubPartitions } from '../../domain/health/healthKeys';
import type { StoredCounter } from './healthStore';
import { type PartitionWriterDeps, writePartition } from './partitionWriter';

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
  readonly markedOffline: number;
  readonly conflicts: number;
  /** Counter rows deleted because they counted no device. */
  readonly emptyCountersDropped: number;
  readonly stoppedEarly: boolean;
  /** Pass as `startAt` to the next sweep. */
  readonly resumeAt: number;
}

/** Devices handled per partition write: bounds memory however large a shard is. */
const CHUNK = 500;
/** Enough for the chunks in flight; give the sweep a cache of its own this size. */
export const SWEEP_CACHE_DEVICES = 4 * CHUNK * 2;

export async function markSilentOffline(deps: SweepDeps): Promise<SweepReport> {
  const now = deps.now();
  const cutoff = new Date(now.getTime() - deps.offlineAfterSeconds * 1000);
  const all = deps.hubs.flatMap(hubPartitions);
  const start = all.length ? (deps.startAt ?? 0) % all.length : 0;
  const queue = [...all.slice(start), ...all.slice(0, start)];
  let partitions = 0;
  let markedOffline = 0;
  let conflicts = 0;
  let emptyCountersDropped = 0;
  let stoppedEarly = false;

  const sweep = async (partition: string) => {
    let chunk: string[] = [];
    const flush = async () => {
      const ids = chunk;
      chunk = [];
      const result = await writePartition(deps, partition, ids, (deviceId, stored) => {
        // Re-read at write time: an event may have arrived since the query.
        if (!stored || stored.placement.state === 'offline' || effectiveState(stored.record, now, deps.offlineAfterSeconds) !== 'offline') return undefined;
        return { deviceId, record: stored.record, placement: { configurationId: stored.placement.configurationId, state: 'offline' }, counter: stored.counter };
      });
      markedOffline += result.written;
      conflicts += result.conflicts;
    };
    for await (const { deviceId, stored } of deps.store.silentDevices(partition, cutoff)) {
      deps.cache.setDevice(partition, deviceId, stored); // just read: the write need not read it again
      chunk.push(deviceId);
      if (chunk.length >= CHUNK) await flush();
    }
    if (chunk.length) await flush();
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
  return { partitions, markedOffline, conflicts, emptyCountersDropped, stoppedEarly, resumeAt };
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
