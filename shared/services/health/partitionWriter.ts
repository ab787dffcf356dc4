// Changes the devices of one health partition: loads what is stored (from a
// cache when it can), lets the caller compute new records and placements, and
// commits them with the counters they move, in transactions of at most 100
// rows. A lost race reloads and recomputes after a jittered backoff; because
// records only ever take newer values and unchanged devices are not written, a
// retry (or a whole redelivered batch) converges to the same state. A device
// whose row storage refuses outright (WriteRejected) is written alone, so one
// bad row never holds back the others; the caller is told which it was.
import { isDeepStrictEqual } from 'node:util';
import { type DeviceHealth, moduleRestarts, type Placement } from '../../domain/health/deviceHealth';
import type { DeviceCounts } from '../../domain/rollout/conditions';
import { noDevices } from '../reconcile/deviceCounts';
import type { HealthCache } from './healthCache';
import { counterKey } from '../../domain/health/healthKeys';
import { countedState, seenAtOf } from '../../domain/health/silenceWatermark';
import { type CounterWrite, type DeviceWrite, type HealthStore, type StoredCounter, type StoredDevice, WriteConflict, WriteRejected } from './healthStore';

/** Rows in one entity-group transaction: Table storage's limit. */
export const MAX_TRANSACTION_ROWS = 100;
const MAX_ATTEMPTS = 6;

export interface Update {
  readonly deviceId: string;
  readonly record: DeviceHealth;
  readonly placement: Placement;
  /** The writer whose counter row counts the device from now on. */
  readonly counter: string;
}

/** Given what is stored (undefined: nothing), the new state of each device, or nothing to leave it alone. */
export type Compute = (deviceId: string, stored: StoredDevice | undefined) => Update | undefined;

export interface PartitionWriteResult {
  readonly written: number;
  readonly transactions: number;
  readonly conflicts: number;
  /** Devices storage refused (deterministically), with why: the caller dead-letters them. */
  readonly rejected: ReadonlyMap<string, string>;
}

const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** attempt));

function move(counts: DeviceCounts, state: keyof DeviceCounts, by: number): DeviceCounts {
  return { ...counts, [state]: Math.max(0, counts[state] + by) };
}

const laterOf = (a: string, b: string) => (a > b ? a : b);

export interface PartitionWriterDeps {
  readonly store: HealthStore;
  readonly cache: HealthCache;
}

export async function writePartition(deps: PartitionWriterDeps, partition: string, deviceIds: readonly string[], compute: Compute): Promise<PartitionWriteResult> {
  const { store, cache } = deps;
  let written = 0;
  let transactions = 0;
  const rejected = new Map<string, string>();
  for (let attempt = 1; ; attempt++) {
    try {
      const stored = await load(deps, partition, deviceIds);
      let counters = cache.counters(partition) ?? (await store.readCounters(partition));
      cache.setCounters(partition, counters);

      const writes: DeviceWrite[] = [];
      for (const id of deviceIds) {
        if (rejected.has(id)) continue;
        const previous = stored.get(id);
        const update = compute(id, previous);
        if (!update || (previous && previous.counter === update.counter && isDeepStrictEqual(previous.record, update.record) && isDeepStrictEqual(previous.placement, update.placement))) continue;
        writes.push({ ...update, ...(previous ? { previous } : {}) });
      }

      // Chunks of whole devices (one row each) plus the counters they move, each at most 100 rows.
      let chunk: DeviceWrite[] = [];
      let moved = new Set<string>();
      const flush = async () => {
        if (chunk.length === 0) return;
        const taken = chunk;
        chunk = [];
        moved = new Set();
        try {
          counters = await commit(deps, partition, taken, counters);
          written += taken.length;
          transactions++;
        } catch (error) {
          if (!(error instanceof WriteRejected)) throw error;
          // Which row it was is not said: write each device alone, so only the bad one is left out.
          if (taken.length === 1) {
            rejected.set(taken[0]!.deviceId, error.message);
            return;
          }
          for (const one of taken) {
            try {
              counters = await commit(deps, partition, [one], counters);
              written++;
              transactions++;
            } catch (single) {
              if (!(single instanceof WriteRejected)) throw single;
              rejected.set(one.deviceId, single.message);
            }
          }
        }
      };
      for (const write of writes) {
        const ids = countersOf(write);
        if (chunk.length + 1 + moved.size + ids.filter((id) => !moved.has(id)).length > MAX_TRANSACTION_ROWS) await flush();
        chunk.push(write);
        for (const id of ids) moved.add(id);
      }
      await flush();
      return { written, transactions, conflicts: attempt - 1, rejected };
    } catch (error) {
      if (!(error instanceof WriteConflict) || attempt >= MAX_ATTEMPTS) throw error;
      // Someone else wrote this partition (the stale sweep, an instance that just lost the Event Hub partition): forget what we knew.
      cache.forgetPartition(partition);
      await backoff(attempt);
    }
  }
}

/** The counter rows a device write updates (where it was counted and where it is). */
const countersOf = (w: DeviceWrite) => [
  ...(w.placement.configurationId ? [counterKey(w.placement.configurationId, w.counter)] : []),
  ...(w.previous?.placement.configurationId ? [counterKey(w.previous.placement.configurationId, w.previous.counter)] : []),
];

async function load(deps: PartitionWriterDeps, partition: string, deviceIds: readonly string[]): Promise<Map<string, StoredDevice>> {
  const out = new Map<string, StoredDevice>();
  const misses: string[] = [];
  for (const id of deviceIds) {
    const hit = deps.cache.device(partition, id);
    if (hit === undefined) misses.push(id);
    else if (hit) out.set(id, hit);
  }
  if (misses.length) {
    const found = await deps.store.readDevices(partition, misses);
    for (const id of misses) {
      const stored = found.get(id);
      deps.cache.setDevice(partition, id, stored ?? null);
      if (stored) out.set(id, stored);
    }
  }
  return out;
}

/** One transaction: the devices and the counters they move; the cache learns the new ETags. */
async function commit(deps: PartitionWriterDeps, partition: string, chunk: readonly DeviceWrite[], counters: Map<string, StoredCounter>): Promise<Map<string, StoredCounter>> {
  const next = new Map<string, { configurationId: string; writer: string; counts: DeviceCounts; restarts: number; asOf: string; silentBefore: string; etag?: string }>();
  const counter = (configurationId: string, writer: string) => {
    const key = counterKey(configurationId, writer);
    let c = next.get(key);
    if (!c) {
      const stored = counters.get(key);
      next.set(key, (c = stored ? { ...stored } : { configurationId, writer, counts: noDevices, restarts: 0, asOf: '', silentBefore: '' }));
    }
    return c;
  };
  // Counted where the counter's watermark puts them: a silent device its row counts offline moves out of `offline`.
  const watermark = (configurationId: string, writer: string) => (configurationId ? (next.get(counterKey(configurationId, writer)) ?? counters.get(counterKey(configurationId, writer)))?.silentBefore ?? '' : '');
  for (const w of chunk) {
    const stored = w.previous?.placement;
    const before = stored && { configurationId: stored.configurationId, state: countedState(stored.state, seenAtOf(w.previous.record), watermark(stored.configurationId, w.previous.counter)) };
    const after = { configurationId: w.placement.configurationId, state: countedState(w.placement.state, seenAtOf(w.record), watermark(w.placement.configurationId, w.counter)) };
    const seen = w.record.lastSeenAt ?? w.record.lastEventAt;
    // A device's restarts move with it exactly as its state count does, so the row's sum is its devices' sum.
    const restartsBefore = w.previous ? moduleRestarts(w.previous.record) : 0;
    const restartsAfter = moduleRestarts(w.record);
    if (before && before.configurationId === after.configurationId && w.previous.counter === w.counter) {
      if (!after.configurationId) continue;
      const c = counter(after.configurationId, w.counter);
      if (before.state !== after.state) c.counts = move(move(c.counts, before.state, -1), after.state, 1);
      // Clamped like the counts: a row written before restarts were counted starts at 0 under devices that had some.
      c.restarts = Math.max(0, c.restarts + restartsAfter - restartsBefore);
      c.asOf = laterOf(c.asOf, seen);
      continue;
    }
    if (before?.configurationId) {
      const c = counter(before.configurationId, w.previous!.counter);
      c.counts = move(c.counts, before.state, -1);
      c.restarts = Math.max(0, c.restarts - restartsBefore);
    }
    if (after.configurationId) {
      const c = counter(after.configurationId, w.counter);
      c.counts = move(c.counts, after.state, 1);
      c.restarts += restartsAfter;
      c.asOf = laterOf(c.asOf, seen);
    }
  }
  const counterWrites: CounterWrite[] = [...next.values()].map((c) => ({ configurationId: c.configurationId, writer: c.writer, counts: c.counts, restarts: c.restarts, asOf: c.asOf, silentBefore: c.silentBefore, ...(c.etag ? { etag: c.etag } : {}) }));
  const etags = await deps.store.write(partition, chunk, counterWrites);
  for (const w of chunk) {
    const etag = etags.devices.get(w.deviceId);
    deps.cache.setDevice(partition, w.deviceId, etag ? { record: w.record, placement: w.placement, counter: w.counter, etag } : undefined);
  }
  const updated = new Map(counters);
  for (const c of counterWrites) {
    const key = counterKey(c.configurationId, c.writer);
    const etag = etags.counters.get(key);
    if (!etag) {
      // Without the new ETag the next guarded write would fail anyway: read the counters afresh next time.
      const fresh = await deps.store.readCounters(partition);
      deps.cache.setCounters(partition, fresh);
      return fresh;
    }
    updated.set(key, { configurationId: c.configurationId, writer: c.writer, counts: c.counts, restarts: c.restarts, asOf: c.asOf, silentBefore: c.silentBefore, etag });
  }
  deps.cache.setCounters(partition, updated);
  return updated;
}
