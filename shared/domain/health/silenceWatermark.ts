// Offline by watermark (issue 18): a mass disconnect costs a write per counter,
// not per device. Each counter row carries `silentBefore`, a time the stale
// sweep moved forward: a device that row counts, not stored `offline`, whose
// last sign of life is older than the watermark, is counted under `offline`,
// though its own row still holds the state it had when it was last seen. Every
// writer of that counter (ingestion and the sweep) moves devices by this one
// rule, so the counts always equal the devices' counted states
// (docs/health-ingestion.md, "Offline by watermark").
import type { DeviceHealth, HealthState } from './deviceHealth';

/** The time silence is judged from: the device's own last sign of life, else its last event. */
export const seenAtOf = (record: DeviceHealth) => record.lastSeenAt ?? record.lastEventAt;

/** Where a counter row with watermark `silentBefore` ('' for none) counts a device stored in `state`, last seen at `seenAt`. */
export function countedState(state: HealthState, seenAt: string, silentBefore: string): HealthState {
  if (state === 'offline' || !silentBefore) return state;
  return Date.parse(seenAt) < Date.parse(silentBefore) ? 'offline' : state;
}

/** The later of two watermarks: a watermark never moves back, or silent devices would count online again. */
export const laterWatermark = (a: string, b: string) => (!a ? b : !b ? a : Date.parse(a) >= Date.parse(b) ? a : b);
