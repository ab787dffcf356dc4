// Where device health lives in Table storage (see docs/health-ingestion.md).
// A hub's devices are spread over a fixed number of shards by a hash of the
// device id; one shard is one table partition holding two kinds of rows, so
// that a device and its deployment's counter change together in one
// entity-group transaction:
//   d~<device>         the device's health record (state and configuration as columns)
//   n~<configuration>~<writer>  how many of the shard's devices are in each state, counted by one writer
// '~' cannot occur in hub names, device ids or configuration ids.
import type { HealthState } from './deviceHealth';

/** Shards per hub: enough to spread writes over partitions, few enough that counting a deployment stays cheap. */
export const HEALTH_SHARDS = 8;

export const HEALTH_STATES: readonly HealthState[] = ['succeeded', 'progressing', 'failed', 'offline', 'unknown'];

/** FNV-1a: stable across processes and versions (shards and table names are derived from it). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export const shardOf = (deviceId: string) => fnv1a(deviceId) % HEALTH_SHARDS;

// Table keys may not hold / \ # ? or control characters; IoT Hub ids may hold
// '#' and '?'. Percent-encode those (and '%' itself, so decoding is exact).
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const escapeKey = (text: string) => text.replace(/[%/\\#?\u0000-\u001f\u007f-\u009f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
const unescapeKey = (text: string) => text.replace(/%([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

export const partitionOf = (hub: string, shard: number) => `${escapeKey(hub)}~${shard}`;
export const hubOfPartition = (partition: string) => unescapeKey(partition.slice(0, partition.lastIndexOf('~')));

/**
 * Each hub's devices live in a table of their own: a hub is the unit that is
 * added and removed, one hub's load never shares a table with another's, and a
 * query never has more than one hub's rows to look through. Table names are
 * letters and digits only, so the name carries a hash of the hub's real name.
 */
export function healthTableName(prefix: string, hub: string): string {
  return `${prefix}${hub.replace(/[^A-Za-z0-9]/g, '')}${fnv1a(hub).toString(16).padStart(8, '0')}`.slice(0, 63);
}
export const healthPartition = (hub: string, deviceId: string) => partitionOf(hub, shardOf(deviceId));
export const hubPartitions = (hub: string) => Array.from({ length: HEALTH_SHARDS }, (_, shard) => partitionOf(hub, shard));

export const DEVICE_PREFIX = 'd~';
export const COUNTER_PREFIX = 'n~';

export const deviceRowKey = (deviceId: string) => `${DEVICE_PREFIX}${escapeKey(deviceId)}`;
export const deviceIdOfRowKey = (rowKey: string) => unescapeKey(rowKey.slice(DEVICE_PREFIX.length));
/**
 * Counter rows are per writer: `n~<configuration>~<writer>`, the writer being
 * the Event Hub partition whose events moved the devices it counts. IoT Hub
 * routes a device's events with its id as partition key, so each device has
 * one writer, and one instance owns a partition at a time: no two instances
 * ever write the same counter row. Readers sum a configuration's rows. Rows
 * from before writers (`n~<configuration>`) read as writer ''.
 */
export const counterRowKey = (configurationId: string, writer = '') => `${COUNTER_PREFIX}${escapeKey(configurationId)}${writer ? `~${escapeKey(writer)}` : ''}`;
export function counterOfRowKey(rowKey: string): { configurationId: string; writer: string } {
  const rest = rowKey.slice(COUNTER_PREFIX.length);
  const cut = rest.lastIndexOf('~');
  return cut < 0 ? { configurationId: unescapeKey(rest), writer: '' } : { configurationId: unescapeKey(rest.slice(0, cut)), writer: unescapeKey(rest.slice(cut + 1)) };
}
/** The key a counter has in maps (configuration and writer). */
export const counterKey = (configurationId: string, writer: string) => `${configurationId}~${writer}`;
/** The writer of events from one Event Hub partition. */
export const writerOfPartition = (partitionId: string) => `p${partitionId}`;

/**
 * A key after every key that starts with `prefix` (for `RowKey lt` range ends).
 * What follows a prefix is an escaped id, whose characters all sort below '~'
 * (IoT Hub ids are ASCII without '~'), so appending '~' is enough and keeps the
 * bound free of the control characters Table storage refuses.
 */
export const prefixEnd = (prefix: string) => `${prefix}~`;
