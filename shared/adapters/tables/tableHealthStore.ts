// HealthStore over Table storage: a table of device health per hub (rows laid
// out by healthKeys), one for dead letters. Every change of a partition is one
// entity-group transaction, guarded by ETags, so a crash or a lost race leaves
// devices and their counters consistent.
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { type DeviceHealth, type HealthState, restartsByModule } from '../../domain/health/deviceHealth';
import { countedState, laterWatermark, seenAtOf } from '../../domain/health/silenceWatermark';
import { COUNTER_PREFIX, counterKey, counterOfRowKey, counterRowKey, DEVICE_PREFIX, deviceRowKey, healthTableName, hubOfPartition, prefixEnd } from '../../domain/health/healthKeys';
import { AppError } from '../../errors';
import type { CounterWrite, DeadLetter, DeviceEntry, DeviceWrite, HealthStore, StoredCounter, StoredDevice } from '../../services/health/healthStore';
import { WriteConflict, WriteRejected } from '../../services/health/healthStore';
import { readChunked, textProperty, writeChunked } from './chunkedJson';
import { statusOf, tableCall } from './tableErrors';
import { tableReady } from './tableReady';

type Row = Record<string, unknown> & { partitionKey?: string; rowKey?: string; etag?: string };

/** Table storage allows at most 15 comparisons in a filter; one is the partition. */
const KEYS_PER_QUERY = 14;
/** Queries per partition at once: enough to hide latency, few enough not to flood storage. */
const READ_PARALLELISM = 8;

/** The moduleRestarts column: JSON of module -> restartCount; absent or unreadable (rows written before it) is none. */
function restartsColumn(value: unknown): Record<string, number> {
  if (typeof value !== 'string' || !value) return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, number] => Number.isInteger(e[1]) && e[1] > 0));
  } catch {
    return {};
  }
}

const num = (value: unknown) => (typeof value === 'number' ? value : Number(value ?? 0) || 0);

function toStored(row: Row): StoredDevice {
  return {
    record: readChunked<DeviceHealth>('record', row),
    placement: { configurationId: textProperty(row.configurationId), state: textProperty(row.state) as HealthState },
    counter: textProperty(row.counter),
    etag: row.etag ?? '',
  };
}

function toCounter(row: Row): StoredCounter {
  return {
    ...counterOfRowKey(row.rowKey ?? ''),
    counts: { succeeded: num(row.succeeded), progressing: num(row.progressing), failed: num(row.failed), offline: num(row.offline), unknown: num(row.unknown) },
    // Rows written before restarts were counted have no such column: 0.
    restarts: num(row.restarts),
    asOf: textProperty(row.asOf),
    // Rows from before the watermark: none.
    silentBefore: textProperty(row.silentBefore),
    etag: row.etag ?? '',
  };
}

const lastSeen = (record: DeviceHealth) => new Date(seenAtOf(record));
/** The `lastSeenAt` column as ISO text (the SDK may hand a DateTime back as a Date or as text). */
const seenColumn = (value: unknown) => (value instanceof Date ? value.toISOString() : textProperty(value));

/** The transaction action for one device's row (the counters it moves are added by the caller). */
function deviceAction(partition: string, write: DeviceWrite): TransactionAction {
  const { record, placement, previous } = write;
  const row = {
    partitionKey: partition,
    rowKey: deviceRowKey(write.deviceId),
    hub: record.hub,
    deviceId: record.deviceId,
    configurationId: placement.configurationId,
    state: placement.state,
    counter: write.counter,
    lastSeenAt: lastSeen(record),
    // Beside the record so a listing of pods shows restarts without reading records.
    moduleRestarts: JSON.stringify(restartsByModule(record)),
    ...writeChunked('record', record),
  };
  return previous ? ['update', row, 'Replace', { etag: previous.etag }] : ['create', row];
}

function counterAction(partition: string, counter: CounterWrite): TransactionAction {
  const row = { partitionKey: partition, rowKey: counterRowKey(counter.configurationId, counter.writer), configurationId: counter.configurationId, ...counter.counts, restarts: counter.restarts, asOf: counter.asOf, silentBefore: counter.silentBefore };
  return counter.etag ? ['update', row, 'Replace', { etag: counter.etag }] : ['create', row];
}

const CONFLICT = new Set([404, 409, 412]);
/** Refusals of the rows themselves (a DateTime out of range, a value or entity too large): the same every time. */
const REJECTED = new Set([400, 413]);


/**
 * `tables` makes a client for a table name; each hub's devices are in the table
 * `healthTableName(prefix, hub)` (created when first used).
 */
export function tableHealthStore(tables: (name: string) => TableClient, deadLetters: TableClient, prefix = 'devicehealth'): HealthStore {
  // Per hub: the client of its table, and that table's readiness check (a failed create is retried).
  const hubTables = new Map<string, { client: TableClient; ready: () => Promise<void> }>();
  const hubTable = (partition: string) => {
    const hub = hubOfPartition(partition);
    let entry = hubTables.get(hub);
    if (!entry) {
      const client = tables(healthTableName(prefix, hub));
      hubTables.set(hub, (entry = { client, ready: tableReady(client) }));
    }
    return entry;
  };
  /** The table that holds a partition (the hub is the partition's first part), created first if this instance has not yet. */
  const readyTableOf = async (partition: string) => {
    const { client, ready } = hubTable(partition);
    await ready();
    return client;
  };
  const deadLettersReady = tableReady(deadLetters);

  /** Up to KEYS_PER_QUERY devices in one query (what is not stored is simply absent); each key is quoted by odata. */
  async function readSome(table: TableClient, partition: string, deviceIds: readonly string[]): Promise<StoredDevice[]> {
    const keys = deviceIds.map((id) => odata`RowKey eq ${deviceRowKey(id)}`).join(' or ');
    const filter = `${odata`PartitionKey eq ${partition}`} and (${keys})`;
    const out: StoredDevice[] = [];
    await tableCall('read device health', async () => {
      for await (const row of table.listEntities<Row>({ queryOptions: { filter } })) out.push(toStored(row));
    });
    return out;
  }

  return {
    async readDevices(partition, deviceIds) {
      const table = await readyTableOf(partition);
      const queries: string[][] = [];
      for (let i = 0; i < deviceIds.length; i += KEYS_PER_QUERY) queries.push(deviceIds.slice(i, i + KEYS_PER_QUERY));
      const out = new Map<string, StoredDevice>();
      for (let i = 0; i < queries.length; i += READ_PARALLELISM) {
        const found = await Promise.all(queries.slice(i, i + READ_PARALLELISM).map((ids) => readSome(table, partition, ids)));
        for (const stored of found.flat()) out.set(stored.record.deviceId, stored);
      }
      return out;
    },

    async readCounters(partition) {
      const table = await readyTableOf(partition);
      const out = new Map<string, StoredCounter>();
      const filter = odata`PartitionKey eq ${partition} and RowKey ge ${COUNTER_PREFIX} and RowKey lt ${prefixEnd(COUNTER_PREFIX)}`;
      await tableCall('read health counters', async () => {
        for await (const row of table.listEntities<Row>({ queryOptions: { filter } })) {
          const counter = toCounter(row);
          out.set(counterKey(counter.configurationId, counter.writer), counter);
        }
      });
      return out;
    },

    async write(partition, devices, counters) {
      const table = await readyTableOf(partition);
      // Sub-responses come in the order of the actions (and only creates name their row), so ETags are read by position.
      const actions: TransactionAction[] = [];
      const deviceAt = new Map<string, number>();
      for (const d of devices) {
        deviceAt.set(d.deviceId, actions.length);
        try {
          actions.push(deviceAction(partition, d));
        } catch (error) {
          // The record would not fit in a row: the same every time.
          if (error instanceof AppError && error.status === 413) throw new WriteRejected(partition, 413, `device ${d.deviceId}: ${error.message}`);
          throw error;
        }
      }
      const counterAt = new Map<string, number>();
      for (const c of counters) {
        counterAt.set(counterKey(c.configurationId, c.writer), actions.length);
        actions.push(counterAction(partition, c));
      }
      if (actions.length === 0) return { devices: new Map(), counters: new Map() };
      try {
        const response = await tableCall('write device health', () => table.submitTransaction(actions));
        const etagsAt = (positions: Map<string, number>) =>
          new Map([...positions].flatMap(([id, i]) => {
            const etag = response.subResponses[i]?.etag;
            return etag ? [[id, etag] as const] : [];
          }));
        return { devices: etagsAt(deviceAt), counters: etagsAt(counterAt) };
      } catch (error) {
        const status = statusOf(error) ?? 0;
        if (CONFLICT.has(status)) throw new WriteConflict(partition);
        if (REJECTED.has(status)) throw new WriteRejected(partition, status, `table storage refused the rows (HTTP ${status}): ${String((error as Error).message).slice(0, 300)}`);
        throw error;
      }
    },

    async listDevices(partition, { configurationId, state, silentBefore, pageSize, continuationToken }) {
      const table = await readyTableOf(partition);
      const devices = odata`PartitionKey eq ${partition} and RowKey ge ${DEVICE_PREFIX} and RowKey lt ${prefixEnd(DEVICE_PREFIX)} and configurationId eq ${configurationId}`;
      // Devices a watermark counts offline still hold their last state: ask for those too, then keep each by its counted state.
      const newest = [...silentBefore.values()].reduce(laterWatermark, '');
      const filter = !state
        ? devices
        : state === 'offline' && newest
          ? `${devices} and (${odata`state eq 'offline' or lastSeenAt lt ${new Date(newest)}`})`
          : `${devices} and ${odata`state eq ${state}`}`;
      const pages = table.listEntities<Row>({ queryOptions: { filter, select: ['hub', 'deviceId', 'configurationId', 'state', 'counter', 'lastSeenAt', 'moduleRestarts'] } }).byPage({ maxPageSize: pageSize, ...(continuationToken ? { continuationToken } : {}) });
      const page = await tableCall('list devices by state', async () => (await pages.next()) as IteratorResult<Row[] & { continuationToken?: string }>);
      if (page.done) return { items: [] };
      const items: DeviceEntry[] = page.value
        .map((row) => ({
          hub: textProperty(row.hub),
          deviceId: textProperty(row.deviceId),
          configurationId: textProperty(row.configurationId),
          state: countedState(textProperty(row.state) as HealthState, seenColumn(row.lastSeenAt), silentBefore.get(textProperty(row.counter)) ?? ''),
          restarts: restartsColumn(row.moduleRestarts),
        }))
        .filter((item) => !state || item.state === state);
      return { items, ...(page.value.continuationToken ? { continuationToken: page.value.continuationToken } : {}) };
    },

    async *silentDevices(partition, cutoff) {
      const table = await readyTableOf(partition);
      const filter = odata`PartitionKey eq ${partition} and RowKey ge ${DEVICE_PREFIX} and RowKey lt ${prefixEnd(DEVICE_PREFIX)} and lastSeenAt lt ${cutoff} and state ne 'offline'`;
      const rows = table.listEntities<Row>({ queryOptions: { filter } });
      const iterator = rows[Symbol.asyncIterator]();
      for (;;) {
        const next = await tableCall('find silent devices', () => iterator.next());
        if (next.done) return;
        yield { deviceId: textProperty(next.value.deviceId), stored: toStored(next.value) };
      }
    },

    async *silentPlacements(partition, cutoff) {
      const table = await readyTableOf(partition);
      const filter = odata`PartitionKey eq ${partition} and RowKey ge ${DEVICE_PREFIX} and RowKey lt ${prefixEnd(DEVICE_PREFIX)} and lastSeenAt lt ${cutoff} and state ne 'offline'`;
      // Only the columns the count needs: the record (chunked JSON, the bulk of a row) is never read.
      const rows = table.listEntities<Row>({ queryOptions: { filter, select: ['deviceId', 'configurationId', 'state', 'counter', 'lastSeenAt'] } });
      const iterator = rows[Symbol.asyncIterator]();
      for (;;) {
        const next = await tableCall('find silent devices', () => iterator.next());
        if (next.done) return;
        const row = next.value;
        yield { deviceId: textProperty(row.deviceId), placement: { configurationId: textProperty(row.configurationId), state: textProperty(row.state) as HealthState }, counter: textProperty(row.counter), seenAt: seenColumn(row.lastSeenAt) };
      }
    },

    async deleteCounters(partition, counters) {
      const table = await readyTableOf(partition);
      // One request each: a transaction's deletes cannot carry an ETag (the SDK sends If-Match: *), and an empty
      // counter is rare (a revision whose devices all moved on), so point deletes cost little.
      let deleted = 0;
      for (const c of counters) {
        try {
          await tableCall('delete an empty health counter', () => table.deleteEntity(partition, counterRowKey(c.configurationId, c.writer), { etag: c.etag }));
          deleted++;
        } catch (error) {
          // A device moved into it meanwhile (412), or it is gone already (404).
          if (!CONFLICT.has(statusOf(error) ?? 0)) throw error;
        }
      }
      return deleted;
    },

    async deadLetter(entries) {
      if (entries.length === 0) return;
      await deadLettersReady();
      // Keyed by where the event sits in the Event Hub, so a redelivered batch rewrites, never duplicates.
      const byPartition = new Map<string, TransactionAction[]>();
      for (const e of entries) {
        const partitionKey = `p${e.partitionId}`;
        const actions = byPartition.get(partitionKey) ?? byPartition.set(partitionKey, []).get(partitionKey)!;
        actions.push(['upsert', { partitionKey, rowKey: e.sequenceNumber.padStart(20, '0'), ...e, expiresAt: new Date(e.expiresAt) }, 'Replace']);
      }
      for (const actions of byPartition.values()) {
        for (let i = 0; i < actions.length; i += 100) await tableCall('write dead letters', () => deadLetters.submitTransaction(actions.slice(i, i + 100)));
      }
    },

    async pageDeadLetters({ now, pageSize, continuationToken }) {
      await deadLettersReady();
      const pages = deadLetters.listEntities<Row>({ queryOptions: { filter: odata`expiresAt gt ${now}` } }).byPage({ maxPageSize: pageSize, ...(continuationToken ? { continuationToken } : {}) });
      const page = await tableCall('read dead letters', async () => (await pages.next()) as IteratorResult<Row[] & { continuationToken?: string }>);
      if (page.done) return { items: [] };
      return { items: page.value.map(toDeadLetter), ...(page.value.continuationToken ? { continuationToken: page.value.continuationToken } : {}) };
    },
  };
}

function toDeadLetter(row: Row): DeadLetter {
  const at = row.expiresAt;
  return {
    reason: textProperty(row.reason),
    partitionId: textProperty(row.partitionId),
    sequenceNumber: textProperty(row.sequenceNumber),
    offset: textProperty(row.offset),
    enqueuedTimeUtc: textProperty(row.enqueuedTimeUtc),
    body: textProperty(row.body),
    properties: textProperty(row.properties),
    expiresAt: at instanceof Date ? at.toISOString() : textProperty(at),
  };
}
