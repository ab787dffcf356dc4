// A proportional health bar: each state's share of a hub's devices, as whole
// percentages that add up to exactly 100 (largest remainder), so the widths on
// screen match the counts and never overflow the bar.
import { type DeviceCounts, HEALTH_STATES, type HealthState } from './apiTypes';

export interface Segment {
  readonly state: HealthState;
  readonly count: number;
  readonly percent: number;
}

export const totalOf = (counts: DeviceCounts): number => HEALTH_STATES.reduce((n, s) => n + counts[s], 0);

export function healthSegments(counts: DeviceCounts): Segment[] {
  const total = totalOf(counts);
  if (total === 0) return [];
  const exact = HEALTH_STATES.map((state) => ({ state, count: counts[state], share: (counts[state] * 100) / total }));
  const floors = exact.map((e) => Math.floor(e.share));
  let left = 100 - floors.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => ({ i, rest: e.share - floors[i]! })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    if (exact[i]!.count === 0) continue;
    floors[i]! += 1;
    left -= 1;
  }
  return exact.filter((e) => e.count > 0).map((e) => ({ state: e.state, count: e.count, percent: floors[HEALTH_STATES.indexOf(e.state)]! }));
}

/** What a screen reader hears for a bar: every state, zeros left out. */
export function describeCounts(counts: DeviceCounts): string {
  const total = totalOf(counts);
  if (total === 0) return 'no devices reported yet';
  const parts = HEALTH_STATES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return `${total} devices: ${parts.join(', ')}`;
}
