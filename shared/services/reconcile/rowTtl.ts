// Rows with a time to live, enforced by the reconciler: one generic step for
// any table whose rows expire by age (idempotency records, dead letters).
// Each pass deletes what expired, a page at a time, within the pass deadline;
// whatever is left goes in the next pass.
import type { PassContext } from './passContext';

/** A table whose rows expire by the time they were last written. */
export interface ExpiringRows {
  /** The table, for the pass report. */
  readonly table: string;
  /** Deletes up to `limit` rows last written before `cutoff`; returns how many it deleted. */
  deleteOlderThan(cutoff: Date, limit: number): Promise<number>;
}

export interface RowTtl {
  readonly rows: ExpiringRows;
  readonly maxAgeMs: number;
}

export interface TtlReport {
  readonly table: string;
  readonly deleted: number;
  /** The pass ended before everything expired was deleted. */
  readonly unfinished: boolean;
}

const PAGE = 100;

export async function sweepExpiredRows(rules: readonly RowTtl[], ctx: Pick<PassContext, 'now' | 'outOfTime' | 'guard'>): Promise<TtlReport[]> {
  const reports: TtlReport[] = [];
  for (const { rows, maxAgeMs } of rules) {
    const guarded = ctx.guard(rows, ['deleteOlderThan']);
    const cutoff = new Date(ctx.now().getTime() - maxAgeMs);
    let deleted = 0;
    let unfinished = true;
    while (!ctx.outOfTime()) {
      const n = await guarded.deleteOlderThan(cutoff, PAGE);
      deleted += n;
      if (n < PAGE) {
        unfinished = false;
        break;
      }
    }
    reports.push({ table: rows.table, deleted, unfinished });
  }
  return reports;
}
