// One batch of routed device events into stored device health: parse every
// event (malformed ones to the dead-letter table, spoofed ones and events of
// hubs that are not configured refused and counted), fold each device's
// events together, find which configuration each device runs, and write each
// partition's devices in entity-group transactions, a few partitions at a
// time. What storage refuses for one device (a deterministic 4xx) is
// dead-lettered with that device's events and never fails the batch; only a
// transient failure propagates, so the host retries the batch, and what was
// already written makes the retry a no-op for those devices.
import { isDeepStrictEqual } from 'node:util';
import { applyEvent, type DeviceHealth, placementOf } from '../../domain/health/deviceHealth';
import { type EventInput, type HealthEvent, parseHealthEvent } from '../../domain/health/healthEvents';
import { healthPartition, writerOfPartition } from '../../domain/health/healthKeys';
import { onlyLivenessMoved } from '../../domain/health/liveness';
import type { HubDirectory } from '../../domain/health/hubDirectory';
import { deadLetterText } from './deadLetters';
import type { DeadLetter } from './healthStore';
import { keyedMutex } from './keyedMutex';
import { type PartitionWriterDeps, writePartition } from './partitionWriter';

export interface PositionedEvent extends EventInput {
  readonly partitionId: string;
  readonly sequenceNumber: string;
  readonly offset: string;
}

export interface IngestDeps extends PartitionWriterDeps {
  readonly offlineAfterSeconds: number;
  /** Partitions written at once. */
  readonly parallelism: number;
  readonly hubs: HubDirectory;
  /**
   * A change that only moves lastSeenAt is written once it moved this far (DEVICE_LIVENESS_WRITE_SECONDS);
   * 0 writes every change. Readers judge silence against DEVICE_OFFLINE_AFTER_SECONDS plus this.
   */
  readonly livenessWriteSeconds?: number;
  /** Dead letters expire after this (DEAD_LETTER_TTL_DAYS; the reconciler's row-TTL step deletes them). */
  readonly deadLetterTtlDays?: number;
  readonly now?: () => Date;
}

export interface IngestReport {
  readonly events: number;
  readonly ignored: number;
  /** Spoofed (body disagrees with the system properties) or from a hub that is not configured. */
  readonly rejected: number;
  readonly deadLettered: number;
  readonly devices: number;
  readonly written: number;
  readonly transactions: number;
  readonly conflicts: number;
  /** Devices whose only change was being seen again, within DEVICE_LIVENESS_WRITE_SECONDS: not written. */
  readonly livenessDeferred: number;
}

/** How long dead letters are kept when the deps do not say (DEAD_LETTER_TTL_DAYS' default). */
const DEFAULT_DEAD_LETTER_DAYS = 14;

// One process may run several Event Hub partitions; their writes to the same table partition take turns.
const partitionLocks = keyedMutex();

interface Positioned {
  readonly event: HealthEvent;
  readonly input: PositionedEvent;
}

export async function ingestHealth(deps: IngestDeps, batch: readonly PositionedEvent[]): Promise<IngestReport> {
  const now = deps.now?.() ?? new Date();
  const deadLetters: DeadLetter[] = [];
  const expiresAt = new Date(now.getTime() + (deps.deadLetterTtlDays ?? DEFAULT_DEAD_LETTER_DAYS) * 86_400_000).toISOString();
  const deadLetter = (input: PositionedEvent, reason: string) =>
    deadLetters.push({
      reason,
      partitionId: input.partitionId,
      sequenceNumber: input.sequenceNumber,
      offset: input.offset,
      enqueuedTimeUtc: input.enqueuedTimeUtc,
      body: deadLetterText(input.body),
      properties: deadLetterText({ properties: input.properties, systemProperties: input.systemProperties }),
      expiresAt,
    });
  let ignored = 0;
  let rejected = 0;
  // partition -> device -> events, in arrival order (order does not matter to the fold, only to readability).
  const byPartition = new Map<string, Map<string, Positioned[]>>();
  for (const input of batch) {
    let parsed;
    try {
      parsed = parseHealthEvent(input, { hubs: deps.hubs });
    } catch (error) {
      parsed = { ok: false as const, refusal: 'malformed' as const, reason: `unreadable event: ${String(error)}` };
    }
    if (!parsed.ok) {
      if (parsed.refusal === 'ignored') ignored++;
      else if (parsed.refusal === 'rejected') rejected++;
      else deadLetter(input, parsed.reason);
      continue;
    }
    for (const event of parsed.events) {
      const partition = healthPartition(event.hub, event.deviceId);
      const devices = byPartition.get(partition) ?? byPartition.set(partition, new Map()).get(partition)!;
      (devices.get(event.deviceId) ?? devices.set(event.deviceId, []).get(event.deviceId)!).push({ event, input });
    }
  }

  let devices = 0;
  let written = 0;
  let transactions = 0;
  let conflicts = 0;
  let livenessDeferred = 0;
  const queue = [...byPartition];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [partition, events] = next;
      devices += events.size;
      const result = await partitionLocks(partition, () =>
        writePartition(deps, partition, [...events.keys()], (deviceId, stored) => {
          let record: DeviceHealth | undefined = stored?.record;
          for (const { event } of events.get(deviceId)!) record = applyEvent(record, event);
          // Nothing new (a duplicate, a replay): leave the device as it is, including an offline mark from the stale sweep.
          if (!record || (stored && isDeepStrictEqual(stored.record, record))) return undefined;
          // The device's events come through one Event Hub partition: its writer owns the counter row.
          const counter = writerOfPartition(events.get(deviceId)![0]!.input.partitionId);
          const placement = placementOf(record, deps.offlineAfterSeconds);
          // Only "still alive", and not by much: not worth a write yet (a returning device's placement differs, so it is written at once).
          if (stored && stored.counter === counter && isDeepStrictEqual(stored.placement, placement) && onlyLivenessMoved(stored.record, record, deps.livenessWriteSeconds ?? 0)) {
            livenessDeferred++;
            return undefined;
          }
          return { deviceId, record, placement, counter };
        }),
      );
      written += result.written;
      transactions += result.transactions;
      conflicts += result.conflicts;
      for (const [deviceId, reason] of result.rejected) for (const { input } of events.get(deviceId)!) deadLetter(input, `storage refused device ${deviceId}: ${reason}`);
    }
  };
  // Every worker finishes before a failure is reported, so a retry never races this invocation's writes.
  const outcomes = await Promise.allSettled(Array.from({ length: Math.max(1, deps.parallelism) }, worker));
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
  await deps.store.deadLetter(deadLetters);
  return { events: batch.length, ignored, rejected, deadLettered: deadLetters.length, devices, written, transactions, conflicts, livenessDeferred };
}
