// Liveness at a cost that does not grow with heartbeats. A heartbeat that
// changes nothing but the time a device was last seen is written only once
// `lastSeenAt` has moved by DEVICE_LIVENESS_WRITE_SECONDS since what is
// stored; anything else (a state, a module, a connection) is written at once.
// The stored `lastSeenAt` therefore lags the truth by less than that step, so
// silence is judged against DEVICE_OFFLINE_AFTER_SECONDS plus the step: a
// device is never offline before it has been silent DEVICE_OFFLINE_AFTER_SECONDS,
// and always offline once silent for both together (docs/health-ingestion.md).
import { isDeepStrictEqual } from 'node:util';
import type { DeviceHealth } from './deviceHealth';

const ms = (iso: string | undefined) => (iso === undefined ? Number.NaN : Date.parse(iso));

/**
 * True when `next` differs from `stored` only in how recently the device was seen
 * (lastSeenAt, lastEventAt, the heartbeat's times with the same module statuses),
 * and by less than `stepSeconds`: such a write can wait.
 */
export function onlyLivenessMoved(stored: DeviceHealth, next: DeviceHealth, stepSeconds: number): boolean {
  if (stepSeconds <= 0) return false;
  const moved = ms(next.lastSeenAt) - ms(stored.lastSeenAt);
  if (!(moved >= 0 && moved < stepSeconds * 1000)) return false;
  const sameHeartbeat = stored.heartbeat && next.heartbeat && isDeepStrictEqual(stored.heartbeat.modules, next.heartbeat.modules);
  const normalized: DeviceHealth = {
    ...next,
    lastEventAt: stored.lastEventAt,
    ...(stored.lastSeenAt !== undefined ? { lastSeenAt: stored.lastSeenAt } : {}),
    ...(sameHeartbeat ? { heartbeat: stored.heartbeat } : {}),
  };
  return isDeepStrictEqual(normalized, stored);
}

/** How long a device must be silent, by its stored `lastSeenAt`, before it is judged offline. */
export const offlineJudgedAfterSeconds = (offlineAfterSeconds: number, livenessWriteSeconds: number) => offlineAfterSeconds + livenessWriteSeconds;
