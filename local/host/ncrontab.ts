// Six-field NCRONTAB schedules as Azure Functions timers use them:
// {second} {minute} {hour} {day} {month} {day-of-week}, evaluated in UTC.
// Also accepts TimeSpan schedules ("00:05:00"), which the host allows on
// dedicated plans, because they are handy for local runs.

export type Schedule =
  | { readonly kind: 'cron'; readonly fields: readonly (ReadonlySet<number>)[]; readonly source: string }
  | { readonly kind: 'interval'; readonly ms: number; readonly source: string };

const RANGES: readonly [number, number][] = [
  [0, 59], // second
  [0, 59], // minute
  [0, 23], // hour
  [1, 31], // day of month
  [1, 12], // month
  [0, 6], // day of week (0 = Sunday; 7 is accepted as Sunday too)
];
const NAMES: readonly (Record<string, number> | undefined)[] = [
  undefined, undefined, undefined, undefined,
  { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
  { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 },
];
const FIELD_NAMES = ['second', 'minute', 'hour', 'day', 'month', 'day-of-week'];

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

function parseValue(text: string, field: number): number {
  const named = NAMES[field]?.[text.toLowerCase()];
  const value = named ?? (/^\d+$/.test(text) ? Number(text) : NaN);
  const [min, max] = RANGES[field]!;
  const normalized = field === 5 && value === 7 ? 0 : value;
  if (Number.isNaN(normalized) || normalized < min || normalized > max) {
    throw new ScheduleError(`'${text}' is not a valid ${FIELD_NAMES[field]} (${min}-${max})`);
  }
  return normalized;
}

function parseField(text: string, field: number): Set<number> {
  const [min, max] = RANGES[field]!;
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [rangePart, stepPart] = part.split('/');
    const step = stepPart === undefined ? 1 : Number(stepPart);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleError(`bad step '${stepPart}' in ${FIELD_NAMES[field]}`);
    let from: number;
    let to: number;
    if (rangePart === '*') {
      [from, to] = [min, max];
    } else if (rangePart?.includes('-')) {
      const [a, b] = rangePart.split('-');
      from = parseValue(a ?? '', field);
      to = parseValue(b ?? '', field);
    } else {
      from = parseValue(rangePart ?? '', field);
      to = stepPart === undefined ? from : max;
    }
    if (from > to) throw new ScheduleError(`empty range '${part}' in ${FIELD_NAMES[field]}`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

export function parseSchedule(source: string): Schedule {
  const text = source.trim();
  const span = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(text);
  if (span) {
    const [, d, h, m, s] = span;
    const ms = (((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s)) * 1000;
    if (ms <= 0) throw new ScheduleError(`interval '${source}' must be positive`);
    return { kind: 'interval', ms, source };
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 6) {
    throw new ScheduleError(
      `'${source}' must have six fields: {second} {minute} {hour} {day} {month} {day-of-week}`,
    );
  }
  return { kind: 'cron', fields: parts.map((p, i) => parseField(p, i)), source };
}

/** The first occurrence strictly after `after` (UTC). */
export function nextOccurrence(schedule: Schedule, after: Date): Date {
  if (schedule.kind === 'interval') return new Date(after.getTime() + schedule.ms);
  const [sec, min, hour, dom, mon, dow] = schedule.fields as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  // Bounded search: five years of days covers every satisfiable schedule (Feb 29 included).
  const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
  while (t.getTime() <= limit) {
    if (!mon.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0);
      continue;
    }
    if (!dom.has(t.getUTCDate()) || !dow.has(t.getUTCDay())) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0);
      continue;
    }
    if (!hour.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0);
      continue;
    }
    if (!min.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0);
      continue;
    }
    if (!sec.has(t.getUTCSeconds())) {
      t.setUTCSeconds(t.getUTCSeconds() + 1);
      continue;
    }
    return t;
  }
  throw new ScheduleError(`schedule '${schedule.source}' never fires`);
}
