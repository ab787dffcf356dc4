// The gate's figures set against its thresholds, one row per limit the gate
// spec has: what the chart draws and the table beside it reads out.
import type { GateSpec, RolloutView } from './apiTypes';

type Figures = NonNullable<RolloutView['gate']>['figures'];

export interface GateRow {
  readonly key: string;
  readonly label: string;
  readonly value: number | null;
  readonly limit: number;
  /** max: above the limit fails; min: below the limit holds the gate. */
  readonly kind: 'max' | 'min';
  readonly unit: '%' | '';
  readonly ok: boolean | null;
}

const row = (key: string, label: string, value: number | null, limit: number | undefined, kind: 'max' | 'min', unit: '%' | ''): GateRow[] =>
  limit === undefined ? [] : [{ key, label, value, limit, kind, unit, ok: value === null ? null : kind === 'max' ? value <= limit : value >= limit }];

export function gateRows(gate: GateSpec | undefined, figures: Figures | null | undefined): GateRow[] {
  if (!gate) return [];
  const f = figures ?? null;
  return [
    ...row('failedPercent', 'Failed devices', f ? round(f.failedPercent) : null, gate.maxFailedPercent, 'max', '%'),
    ...row('failedCount', 'Failed devices', f ? f.failed : null, gate.maxFailedCount, 'max', ''),
    ...row('succeeded', 'Succeeded devices', f ? f.succeeded : null, gate.minSucceeded, 'min', ''),
    ...row('offlinePercent', 'Offline devices', f ? round(f.offlinePercent) : null, gate.maxOfflinePercent, 'max', '%'),
    ...row('restarts', 'Restarts during soak', f ? f.restartsDuringSoak : null, gate.maxRestarts, 'max', ''),
  ];
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The scale of a row's bar: room for the value and the limit with some headroom. */
export const rowScale = (r: GateRow): number => Math.max(r.limit, r.value ?? 0, r.unit === '%' ? 0 : 1) * 1.25 || 1;
