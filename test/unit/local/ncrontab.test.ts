import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextOccurrence, parseSchedule, ScheduleError } from '../../../local/host/ncrontab';

const next = (schedule: string, after: string) => nextOccurrence(parseSchedule(schedule), new Date(after)).toISOString();

describe('NCRONTAB schedules', () => {
  it('fires every minute at second 0 for the reconciler default', () => {
    assert.equal(next('0 */1 * * * *', '2026-11-24T10:15:30.500Z'), '2026-11-24T10:16:00.000Z');
    assert.equal(next('0 */1 * * * *', '2026-11-24T10:16:00.000Z'), '2026-11-24T10:17:00.000Z');
  });
  it('supports lists, ranges, steps and names, in UTC', () => {
    assert.equal(next('0 30 9 * * mon-fri', '2026-11-28T12:00:00Z'), '2026-11-30T09:30:00.000Z'); // Sat -> Mon
    assert.equal(next('*/15 * * * * *', '2026-11-24T10:00:16Z'), '2026-11-24T10:00:30.000Z');
    assert.equal(next('0 0 0 29 feb *', '2026-03-01T00:00:00Z'), '2028-02-29T00:00:00.000Z');
    assert.equal(next('0 0 12 * * 7', '2026-11-24T00:00:00Z'), '2026-11-29T12:00:00.000Z'); // 7 = Sunday
  });
  it('accepts TimeSpan intervals', () => {
    assert.equal(next('00:00:05', '2026-11-24T10:00:00Z'), '2026-11-24T10:00:05.000Z');
  });
  it('rejects five-field cron and out-of-range values with a clear message', () => {
    assert.throws(() => parseSchedule('*/5 * * * *'), (e: Error) => e instanceof ScheduleError && /six fields/.test(e.message));
    assert.throws(() => parseSchedule('0 61 * * * *'), /not a valid minute/);
    assert.throws(() => nextOccurrence(parseSchedule('0 0 0 31 feb *'), new Date()), /never fires/);
  });
});
