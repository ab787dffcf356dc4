// When a hub that could not be synced is tried again: exponential backoff
// with jitter, so a hub coming back is not hit by every deployment at once.

export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly random?: () => number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 30_000, maxMs: 15 * 60_000 };

/** `attempts` failures so far (1 after the first); the delay lies in [d/2, d]. */
export function nextAttemptAt(now: Date, attempts: number, options: BackoffOptions = defaultBackoff): string {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempts - 1));
  return new Date(now.getTime() + ceiling * (0.5 + random() / 2)).toISOString();
}
