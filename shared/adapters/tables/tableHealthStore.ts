// HealthStore over Table storage: one table for device health (rows laid out
// by healthKeys), one for dead letters. Every change of a partition is one
// entity-group transaction, guarded by ETags, so a crash or a lost race leaves
// the device, its index entry and its counters consistent.
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { DeviceHealth, HealthState, Placement } from '../../domain/health/deviceHealth';
import {
  configurationOfCounterKey,
  COUNTER_PREFIX,
  counterRowKey,
  DEVICE_PREFIX,
  deviceRowKey,
  indexPrefix,
  indexRowKey,
  parseIndexRowKey,
  prefixEnd,
} from '../../domain/health/healthKeys';
import type { CounterWrite, DeviceWrite, HealthStore, IndexEntry, StoredCounter, StoredDevice } from '../../services/health/healthStore';
import { WriteConflict } from '../../services/health/healthStore';
import { readChunked, textProperty, writeChunked } from './chunkedJson';
import { statusOf, tableCall } from './tableErrors';

type Row = Record<string, unknown> & { partitionKey?: string; rowKey?: string; etag?: string };

/** Point reads per partition at once: enough to hide latency, few enough not to flood storage. */
const READ_PARALLELISM = 16;

const num = (value: unknown) => (typeof value === 'number' ? value : Number(value ?? 0) || 0);

function toStored(row: Row): StoredDevice {
  return {
    record: readChunked<DeviceHealth>('record', row),
    placement: { configurationId: textProperty(row.configurationId), state: textProperty(row.state) as HealthState },
    etag: row.etag ?? '',
  };
}

function toCounter(row: Row): StoredCounter {
  return {
    counts: { succeeded: num(row.succeeded), progressing: num(row.progressing), failed: num(row.failed), offline: num(row.offline), unknown: num(row.unknown) },
    asOf: textProperty(row.asOf),
    etag: row.etag ?? '',
  };
}

const lastSeen = (record: DeviceHealth) => new Date(record.lastSeenAt ?? record.lastEventAt);

const samePlacement = (a: Placement | undefined, b: Placement) => !!a && a.configurationId === b.configurationId && a.state === b.state;

/** The transaction actions for one device: its row, and its index entry when the placement moved. */
function deviceActions(partition: string, write: DeviceWrite): TransactionAction[] {
  const { record, placement, previous } = write;
  const row = {
    partitionKey: partition,
    rowKey: deviceRowKey(write.deviceId),
    hub: record.hub,
    deviceId: record.deviceId,
    configurationId: placement.configurationId,
    state: placement.state,
    lastSeenAt: lastSeen(record),
    ...writeChunked('record', record),
  };
  const actions: TransactionAction[] = [previous ? ['update', row, 'Replace', { etag: previous.etag }] : ['create', row]];
  if (samePlacement(previous?.placement, placement)) return actions;
  if (previous?.placement.configurationId) {
    actions.push(['delete', { partitionKey: partition, rowKey: indexRowKey(previous.placement.configurationId, previous.placement.state, write.deviceId) }]);
  }
  if (placement.configurationId) {
    actions.push(['upsert', { partitionKey: partition, rowKey: indexRowKey(placement.configurationId, placement.state, write.deviceId), hub: record.hub, deviceId: record.deviceId, lastSeenAt: lastSeen(record) }, 'Replace']);
  }
  return actions;
}

/** Rows one device write takes in a transaction (the caller keeps a transaction at or under 100). */
export function rowsOf(write: DeviceWrite): number {
  return deviceActions('', write).length;
}

function counterAction(partition: string, counter: CounterWrite): TransactionAction {
  const row = { partitionKey: partition, rowKey: counterRowKey(counter.configurationId), configurationId: counter.configurationId, ...counter.counts, asOf: counter.asOf };
  return counter.etag ? ['update', row, 'Replace', { etag: counter.etag }] : ['create', row];
}

const CONFLICT = new Set([404, 409, 412]);

export function tableHealthStore(table: TableClient, deadLetters: TableClient): HealthStore {
  const ensured = new Map<TableClient, Promise<unknown>>();
  // A failed create is forgotten, so the next call tries again once storage is back.
  const ensure = (client: TableClient) => {
    let ready = ensured.get(client);
    if (!ready) {
      ready = tableCall('create table', () => client.createTable()).catch((error: unknown) => {
        ensured.delete(client);
        throw error;
      });
      ensured.set(client, ready);
    }
    return ready;
  };

  async function readDevice(partition: string, deviceId: string): Promise<StoredDevice | undefined> {
    try {
      return toStored(await tableCall('read device health', () => table.getEntity<Row>(partition, deviceRowKey(deviceId))));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  return {
    async readDevices(partition, deviceIds) {
      await ensure(table);
      const out = new Map<string, StoredDevice>();
      for (let i = 0; i < deviceIds.length; i += READ_PARALLELISM) {
        const slice = deviceIds.slice(i, i + READ_PARALLELISM);
        const found = await Promise.all(slice.map((id) => readDevice(partition, id)));
        found.forEach((stored, j) => stored && out.set(slice[j]!, stored));
      }
      return out;
    },

    async readCounters(partition) {
      await ensure(table);
      const out = new Map<string, StoredCounter>();
      const filter = odata`PartitionKey eq ${partition} and RowKey ge ${COUNTER_PREFIX} and RowKey lt ${prefixEnd(COUNTER_PREFIX)}`;
      await tableCall('read health counters', async () => {
        for await (const row of table.listEntities<Row>({ queryOptions: { filter } })) out.set(configurationOfCounterKey(row.rowKey ?? ''), toCounter(row));
      });
      return out;
    },

    async write(partition, devices, counters) {
      await ensure(table);
      const actions = [...devices.flatMap((d) => deviceActions(partition, d)), ...counters.map((c) => counterAction(partition, c))];
      if (actions.length === 0) return { devices: new Map(), counters: new Map() };
      try {
        const response = await tableCall('write device health', () => table.submitTransaction(actions));
        const etagOf = (rowKey: string) => response.getResponseForEntity(rowKey)?.etag;
        const pairs = <T>(items: readonly T[], id: (item: T) => string, rowKey: (item: T) => string) =>
          new Map(items.flatMap((item) => {
            const etag = etagOf(rowKey(item));
            return etag ? [[id(item), etag] as const] : [];
          }));
        return {
          devices: pairs(devices, (d) => d.deviceId, (d) => deviceRowKey(d.deviceId)),
          counters: pairs(counters, (c) => c.configurationId, (c) => counterRowKey(c.configurationId)),
        };
      } catch (error) {
        if (CONFLICT.has(statusOf(error) ?? 0)) throw new WriteConflict(partition);
        throw error;
      }
    },

    async listIndex(partition, configurationId, state, pageSize, continuationToken) {
      await ensure(table);
      const prefix = indexPrefix(configurationId, state);
      const filter = odata`PartitionKey eq ${partition} and RowKey ge ${prefix} and RowKey lt ${prefixEnd(prefix)}`;
      const pages = table.listEntities<Row>({ queryOptions: { filter } }).byPage({ maxPageSize: pageSize, ...(continuationToken ? { continuationToken } : {}) });
      const page = await tableCall('list devices by state', async () => (await pages.next()) as IteratorResult<Row[] & { continuationToken?: string }>);
      if (page.done) return { items: [] };
      const items: IndexEntry[] = [];
      for (const row of page.value) {
        const key = parseIndexRowKey(row.rowKey ?? '');
        if (key) items.push({ hub: textProperty(row.hub), ...key });
      }
      return { items, ...(page.value.continuationToken ? { continuationToken: page.value.continuationToken } : {}) };
    },

    async *silentDevices(partition, cutoff) {
      await ensure(table);
      const filter = odata`PartitionKey eq ${partition} and RowKey ge ${DEVICE_PREFIX} and RowKey lt ${prefixEnd(DEVICE_PREFIX)} and lastSeenAt lt ${cutoff} and state ne 'offline'`;
      const rows = table.listEntities<Row>({ queryOptions: { filter } });
      const iterator = rows[Symbol.asyncIterator]();
      for (;;) {
        const next = await tableCall('find silent devices', () => iterator.next());
        if (next.done) return;
        yield { deviceId: textProperty(next.value.deviceId), stored: toStored(next.value) };
      }
    },

    async deadLetter(entries) {
      if (entries.length === 0) return;
      await ensure(deadLetters);
      // Keyed by where the event sits in the Event Hub, so a redelivered batch rewrites, never duplicates.
      const byPartition = new Map<string, TransactionAction[]>();
      for (const e of entries) {
        const partitionKey = `p${e.partitionId}`;
        const actions = byPartition.get(partitionKey) ?? byPartition.set(partitionKey, []).get(partitionKey)!;
        actions.push(['upsert', { partitionKey, rowKey: e.sequenceNumber.padStart(20, '0'), ...e }, 'Replace']);
      }
      for (const actions of byPartition.values()) {
        for (let i = 0; i < actions.length; i += 100) await tableCall('write dead letters', () => deadLetters.submitTransaction(actions.slice(i, i + 100)));
      }
    },
  };
}
