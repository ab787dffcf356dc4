// A wave's gate, judged on the ingested health of the wave's devices. Failure
// thresholds trip at any time (a crashing image need not wait out the soak);
// passing needs the soak to be over and enough devices to have succeeded.
// Offline devices never count as failures; they have their own limit.
import type { DeviceCounts } from './conditions';
import type { GateSpec } from './rolloutSpec';

export interface GateFigures extends DeviceCounts {
  /** Failed among reachable devices (offline ones left out), in percent. */
  readonly failedPercent: number;
  /** Offline among all the wave's devices, in percent. */
  readonly offlinePercent: number;
}

export type GateVerdict =
  | { readonly outcome: 'pass'; readonly reason: 'GatePassed'; readonly message: string }
  | { readonly outcome: 'fail'; readonly reason: 'FailedPercentExceeded' | 'FailedCountExceeded' | 'OfflinePercentExceeded'; readonly message: string }
  | { readonly outcome: 'wait'; readonly reason: 'Soaking' | 'NotEnoughSucceeded'; readonly message: string };

const round = (n: number) => Math.round(n * 10) / 10;

export function gateFigures(d: DeviceCounts): GateFigures {
  const reachable = d.succeeded + d.progressing + d.failed + d.unknown;
  const all = reachable + d.offline;
  return { ...d, failedPercent: reachable ? round((d.failed / reachable) * 100) : 0, offlinePercent: all ? round((d.offline / all) * 100) : 0 };
}

export function judgeGate(gate: GateSpec, f: GateFigures, soakOver: boolean): GateVerdict {
  if (f.failedPercent > gate.maxFailedPercent) {
    return { outcome: 'fail', reason: 'FailedPercentExceeded', message: `${f.failedPercent}% of reachable devices failed (limit ${gate.maxFailedPercent}%)` };
  }
  if (gate.maxFailedCount !== undefined && f.failed > gate.maxFailedCount) {
    return { outcome: 'fail', reason: 'FailedCountExceeded', message: `${f.failed} devices failed (limit ${gate.maxFailedCount})` };
  }
  if (!soakOver) return { outcome: 'wait', reason: 'Soaking', message: 'the soak is not over' };
  if (gate.maxOfflinePercent !== undefined && f.offlinePercent > gate.maxOfflinePercent) {
    return { outcome: 'fail', reason: 'OfflinePercentExceeded', message: `${f.offlinePercent}% of devices are offline (limit ${gate.maxOfflinePercent}%)` };
  }
  if (f.succeeded < gate.minSucceeded) {
    return { outcome: 'wait', reason: 'NotEnoughSucceeded', message: `${f.succeeded} of the ${gate.minSucceeded} succeeded devices the gate needs` };
  }
  return { outcome: 'pass', reason: 'GatePassed', message: `${f.succeeded} succeeded, ${f.failed} failed (${f.failedPercent}%), ${f.offline} offline` };
}
