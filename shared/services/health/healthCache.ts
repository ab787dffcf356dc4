// What this instance last wrote or read of each device and counter, so the hot
// path need not read before it writes. Event Hubs routes a device's events to
// one partition, and one instance owns a partition at a time, so the cache is
// almost always right; when it is not, the ETag guard fails the write and the
// writer forgets the partition and reloads. Bounded (least recently used), so
// memory stays flat however many events flow through.
import type { StoredCounter, StoredDevice } from './healthStore';

export interface HealthCache {
  /** undefined: not known; null: known not to be stored. */
  device(partition: string, deviceId: string): StoredDevice | null | undefined;
  setDevice(partition: string, deviceId: string, stored: StoredDevice | null | undefined): void;
  counters(partition: string): Map<string, StoredCounter> | undefined;
  setCounters(partition: string, counters: Map<string, StoredCounter>): void;
  forgetPartition(partition: string): void;
}

export function lruHealthCache(maxDevices: number): HealthCache {
  const devices = new Map<string, StoredDevice | null>();
  const byPartition = new Map<string, Set<string>>();
  const counters = new Map<string, Map<string, StoredCounter>>();
  const key = (partition: string, deviceId: string) => `${partition}\u0000${deviceId}`;

  const drop = (partition: string, k: string) => {
    devices.delete(k);
    byPartition.get(partition)?.delete(k);
  };

  return {
    device(partition, deviceId) {
      const k = key(partition, deviceId);
      const hit = devices.get(k);
      if (hit === undefined) return undefined;
      devices.delete(k); // re-insert: Map order is recency
      devices.set(k, hit);
      return hit;
    },
    setDevice(partition, deviceId, stored) {
      const k = key(partition, deviceId);
      if (stored === undefined) return drop(partition, k);
      devices.delete(k);
      devices.set(k, stored);
      (byPartition.get(partition) ?? byPartition.set(partition, new Set()).get(partition)!).add(k);
      while (devices.size > maxDevices) {
        const oldest = devices.keys().next().value!;
        drop(oldest.slice(0, oldest.indexOf('\u0000')), oldest);
      }
    },
    counters: (partition) => counters.get(partition),
    setCounters: (partition, value) => void counters.set(partition, value),
    forgetPartition(partition) {
      for (const k of byPartition.get(partition) ?? []) devices.delete(k);
      byPartition.delete(partition);
      counters.delete(partition);
    },
  };
}
