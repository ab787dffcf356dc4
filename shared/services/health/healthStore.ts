// The port health ingestion, the read APIs and the reconciler use to reach
// stored device health. One partition (a hub's shard, see healthKeys) is the
// unit of atomic change: a write changes devices and the counters of the
// configurations they move between together, or not at all.
import type { DeviceHealth, HealthState, Placement } from '../../domain/health/deviceHealth';
import type { DeviceCounts } from '../../domain/rollout/conditions';

export interface StoredDevice {
  readonly record: DeviceHealth;
  readonly placement: Placement;
  /** The writer whose counter row counts the device ('' before writers existed). */
  readonly counter: string;
  readonly etag: string;
}

export interface StoredCounter {
  readonly configurationId: string;
  /** The writer (Event Hub partition) that owns the row; see healthKeys. */
  readonly writer: string;
  readonly counts: DeviceCounts;
  /** Module restarts of the devices counted (all states): the sum of their restartCount (moduleRestarts). */
  readonly restarts: number;
  /** The newest device event behind the counts. */
  readonly asOf: string;
  /** The stale sweep's watermark ('' none): devices counted here last seen before it count as offline (silenceWatermark). */
  readonly silentBefore: string;
  readonly etag: string;
}

export interface DeviceWrite {
  readonly deviceId: string;
  readonly record: DeviceHealth;
  readonly placement: Placement;
  /** The writer whose counter row counts the device after this write. */
  readonly counter: string;
  /** What is stored now (its ETag guards the write); absent for a device not stored yet. */
  readonly previous?: StoredDevice;
}

export interface CounterWrite {
  readonly configurationId: string;
  readonly writer: string;
  readonly counts: DeviceCounts;
  readonly restarts: number;
  readonly asOf: string;
  readonly silentBefore: string;
  /** Absent for a counter not stored yet. */
  readonly etag?: string;
}

/** A write lost a race (ETag mismatch or the row appeared meanwhile): reload and recompute. */
export class WriteConflict extends Error {
  constructor(readonly partition: string) {
    super(`health partition ${partition} changed during the write`);
  }
}

export interface WrittenETags {
  readonly devices: ReadonlyMap<string, string>;
  /** By counterKey(configuration, writer). */
  readonly counters: ReadonlyMap<string, string>;
}

/** A write Table storage refuses every time (400, 413: a value out of range, a row too large): retrying cannot help. */
export class WriteRejected extends Error {
  constructor(
    readonly partition: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface SilentDevice {
  readonly deviceId: string;
  readonly placement: Placement;
  readonly counter: string;
  readonly seenAt: string;
}

export interface DeviceEntry {
  readonly hub: string;
  readonly deviceId: string;
  readonly configurationId: string;
  readonly state: HealthState;
  /** restartCount of the user modules that restarted (restartsByModule), as of the last write; empty in rows written before it was kept. */
  readonly restarts: Readonly<Record<string, number>>;
}

export interface DeadLetter {
  readonly reason: string;
  readonly partitionId: string;
  readonly sequenceNumber: string;
  readonly offset: string;
  readonly enqueuedTimeUtc: string;
  /** JSON of the event, truncated. */
  readonly body: string;
  readonly properties: string;
  /** When it may be deleted (dead letters are kept for a while, then expire). */
  readonly expiresAt: string;
}

export interface HealthStore {
  readDevices(partition: string, deviceIds: readonly string[]): Promise<Map<string, StoredDevice>>;
  /** Every counter row of the partition, by counterKey(configuration, writer). */
  readCounters(partition: string): Promise<Map<string, StoredCounter>>;
  /**
   * One entity-group transaction (at most 100 rows: the caller chunks). Returns
   * the new ETags (devices by id, counters by configuration id); throws
   * WriteConflict when a guard failed, WriteRejected when storage refuses the rows themselves.
   */
  write(partition: string, devices: readonly DeviceWrite[], counters: readonly CounterWrite[]): Promise<WrittenETags>;
  /**
   * A page of a configuration's devices in one partition, optionally in one state (a filtered scan of the
   * partition), each in its counted state: `silentBefore` holds the watermarks of the configuration's counter rows
   * in the partition, by writer. A page may hold fewer than `pageSize` items and still have a continuation.
   */
  listDevices(
    partition: string,
    query: { configurationId: string; state?: HealthState; silentBefore: ReadonlyMap<string, string>; pageSize: number; continuationToken?: string },
  ): Promise<{ items: DeviceEntry[]; continuationToken?: string }>;
  /** Devices whose last sign of life is older than `cutoff` and are not stored offline, with their records. */
  silentDevices(partition: string, cutoff: Date): AsyncIterable<{ deviceId: string; stored: StoredDevice }>;
  /** The same devices, only where they are counted and when last seen (the stale sweep: no records read). */
  silentPlacements(partition: string, cutoff: Date): AsyncIterable<SilentDevice>;
  /**
   * Deletes counter rows, each only if its ETag still matches (a row a device
   * moved into meanwhile stays); returns how many went. A lost race is not an
   * error: the rows are still there for the next try.
   */
  deleteCounters(partition: string, counters: readonly { configurationId: string; writer: string; etag: string }[]): Promise<number>;
  deadLetter(entries: readonly DeadLetter[]): Promise<void>;
  /**
   * A page of dead letters not yet expired, by Event Hub partition and position. The
   * continuation token is the store's own cursor (the HTTP edge signs it). Expired
   * ones are deleted by the reconciler's row-TTL step.
   */
  pageDeadLetters(options: { now: Date; pageSize: number; continuationToken?: string }): Promise<{ items: DeadLetter[]; continuationToken?: string }>;
}
