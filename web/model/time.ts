// Durations and ages as an operator reads them ("4 min 10 s", "12 s ago").

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

export function ago(iso: string | null | undefined, now: Date): string {
  if (!iso) return 'never';
  const ms = now.getTime() - Date.parse(iso);
  if (!Number.isFinite(ms)) return 'unknown';
  return ms < 1000 ? 'just now' : `${duration(ms)} ago`;
}

/** The soak left until `soakUntil`, or null when there is none (or it is over). */
export function soakLeft(soakUntil: string | null, now: Date): string | null {
  if (!soakUntil) return null;
  const ms = Date.parse(soakUntil) - now.getTime();
  return ms > 0 ? duration(ms) : null;
}

/** Freshness: data older than this many seconds is called stale on screen. */
export const STALE_AFTER_MS = 5 * 60_000;
export const isStale = (iso: string | null, now: Date) => !iso || now.getTime() - Date.parse(iso) > STALE_AFTER_MS;
