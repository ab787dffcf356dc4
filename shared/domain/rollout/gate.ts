// A wave's gate, judged on the ingested health of the wave's devices. Failure
// thresholds trip at any time (a crashing image need not wait out the soak);
// passing needs the soak to be over and enough devices to have succeeded.
// Offline devices never count as failures; they have their own limit. Module
// restarts during the soak catch what the failure thresholds cannot: an image
// that keeps restarting but is never reported failed.
import type { DeviceCounts } from './conditions';
import type { GateSpec } from './rolloutSpec';

export interface GateFigures extends DeviceCounts {
  /** Failed among reachable devices (offline ones left out), in percent. */
  readonly failedPercent: number;
  /** Offline among all the wave's devices, in percent. */
  readonly offlinePercent: number;
  /** Module restarts on the wave's devices since its soak began; null before the soak, or when no health was ingested. */
  readonly restartsDuringSoak: number | null;
}

export type GateVerdict =
  | { readonly outcome: 'pass'; readonly reason: 'GatePassed'; readonly message: string }
  | { readonly outcome: 'fail'; readonly reason: 'FailedPercentExceeded' | 'FailedCountExceeded' | 'RestartsExceeded' | 'OfflinePercentExceeded'; readonly message: string }
  | { readonly outcome: 'wait'; readonly reason: 'Soaking' | 'NotEnoughSucceeded'; readonly message: string };

const round = (n: number) => Math.round(n * 10) / 10;

export function gateFigures(d: DeviceCounts, restartsDuringSoak: number | null = null): GateFigures {
  const reachable = d.succeeded + d.progressing + d.failed + d.unknown;
  const all = reachable + d.offline;
  return { ...d, failedPercent: reachable ? round((d.failed / reachable) * 100) : 0, offlinePercent: all ? round((d.offline / all) * 100) : 0, restartsDuringSoak };
}

export function judgeGate(gate: GateSpec, f: GateFigures, soakOver: boolean): GateVerdict {
  if (f.failedPercent > gate.maxFailedPercent) {
    return { outcome: 'fail', reason: 'FailedPercentExceeded', message: `${f.failedPercent}% of reachable devices failed (limit ${gate.maxFailedPercent}%)` };
  }
  if (gate.maxFailedCount !== undefined && f.failed > gate.maxFailedCount) {
    return { outcome: 'fail', reason: 'FailedCountExceeded', message: `${f.failed} devices failed (limit ${gate.maxFailedCount})` };
  }
  // Like the failure thresholds, at any time during the soak: a restart loop need not wait it out.
  if (gate.maxRestarts !== undefined && f.restartsDuringSoak !== null && f.restartsDuringSoak > gate.maxRestarts) {
    return { outcome: 'fail', reason: 'RestartsExceeded', message: `${f.restartsDuringSoak} module restarts since the soak began (limit ${gate.maxRestarts})` };
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
