// One batch of routed device events into stored device health: parse every
// event (bad ones to the dead-letter table, never failing the batch), fold
// each device's events together, and write each partition's devices in
// entity-group transactions, a few partitions at a time. A storage failure
// propagates, so the host redelivers the batch; what was already written
// makes the redelivery a no-op for those devices.
import { isDeepStrictEqual } from 'node:util';
import { applyEvent, type DeviceHealth, placementOf } from '../../domain/health/deviceHealth';
import { type EventInput, type HealthEvent, parseHealthEvent } from '../../domain/health/healthEvents';
import { healthPartition } from '../../domain/health/healthKeys';
import type { DeadLetter } from './healthStore';
import { type PartitionWriterDeps, writePartition } from './partitionWriter';
import { keyedMutex } from './keyedMutex';

export interface PositionedEvent extends EventInput {
  readonly partitionId: string;
  readonly sequenceNumber: string;
  readonly offset: string;
}

export interface IngestDeps extends PartitionWriterDeps {
  readonly offlineAfterSeconds: number;
  /** Partitions written at once. */
  readonly parallelism: number;
}

export interface IngestReport {
  readonly events: number;
  readonly ignored: number;
  readonly deadLettered: number;
  readonly devices: number;
  readonly written: number;
  readonly transactions: number;
  readonly conflicts: number;
}

/** Keeps a dead letter small enough for one table property and free of surprises. */
const MAX_DEAD_LETTER_CHARS = 8000;
const truncate = (value: unknown) => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_DEAD_LETTER_CHARS ? `${text.slice(0, MAX_DEAD_LETTER_CHARS)}…(${text.length} chars)` : text;
};

// One process may run several Event Hub partitions; their writes to the same table partition take turns.
const partitionLocks = keyedMutex();

export async function ingestHealth(deps: IngestDeps, batch: readonly PositionedEvent[]): Promise<IngestReport> {
  const deadLetters: DeadLetter[] = [];
  let ignored = 0;
  // partition -> device -> events, in arrival order (order does not matter to the fold, only to readability).
  const byPartition = new Map<string, Map<string, HealthEvent[]>>();
  for (const input of batch) {
    let parsed;
    try {
      parsed = parseHealthEvent(input);
    } catch (error) {
      parsed = { ok: false as const, ignored: false, reason: `unreadable event: ${String(error)}` };
    }
    if (!parsed.ok) {
      if (parsed.ignored) ignored++;
      else {
        deadLetters.push({
          reason: parsed.reason,
          partitionId: input.partitionId,
          sequenceNumber: input.sequenceNumber,
          offset: input.offset,
          enqueuedTimeUtc: input.enqueuedTimeUtc,
          body: truncate(input.body),
          properties: truncate({ properties: input.properties, systemProperties: input.systemProperties }),
        });
      }
      continue;
    }
    const { hub, deviceId } = parsed.event;
    const partition = healthPartition(hub, deviceId);
    const devices = byPartition.get(partition) ?? byPartition.set(partition, new Map()).get(partition)!;
    (devices.get(deviceId) ?? devices.set(deviceId, []).get(deviceId)!).push(parsed.event);
  }

  let devices = 0;
  let written = 0;
  let transactions = 0;
  let conflicts = 0;
  const queue = [...byPartition];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [partition, events] = next;
      devices += events.size;
      const result = await partitionLocks(partition, () =>
        writePartition(deps, partition, [...events.keys()], (deviceId, stored) => {
          let record: DeviceHealth | undefined = stored?.record;
          for (const event of events.get(deviceId)!) record = applyEvent(record, event);
          // Nothing new (a duplicate, a replay): leave the device as it is, including an offline mark from the stale sweep.
          if (stored && isDeepStrictEqual(stored.record, record)) return undefined;
          return { deviceId, record: record!, placement: placementOf(record!, deps.offlineAfterSeconds) };
        }),
      );
      written += result.written;
      transactions += result.transactions;
      conflicts += result.conflicts;
    }
  };
  // Every worker finishes before a failure is reported, so a redelivery never races this invocation's writes.
  const outcomes = await Promise.allSettled([deps.store.deadLetter(deadLetters), ...Array.from({ length: Math.max(1, deps.parallelism) }, worker)]);
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
  return { events: batch.length, ignored, deadLettered: deadLetters.length, devices, written, transactions, conflicts };
}
