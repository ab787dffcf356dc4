// Bounded retries with full jitter for hub operations. Only retryable
// AppErrors are retried; a 429's Retry-After is honoured (and shared with the
// hub's rate limiter so other operations on that hub back off too).
import { isAppError } from '../../errors';

export interface RetryOptions {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called with the server's requested pause before a retry after 429. */
  readonly onThrottled?: (retryAfterSeconds: number) => void;
}

export const defaultRetry: RetryOptions = { attempts: 4, baseDelayMs: 250, maxDelayMs: 10000 };

export function isRetryable(error: unknown): boolean {
  if (isAppError(error)) return error.retryable;
  // Network failures from the SDKs (ECONNREFUSED, timeouts) are transient.
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(ECONN|ETIMEDOUT|EAI_AGAIN|EPIPE|ENOTFOUND|ERR_SOCKET|UND_ERR)/.test(code);
}

export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = defaultRetry): Promise<T> {
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !isRetryable(error)) throw error;
      const retryAfter = isAppError(error) ? error.retryAfterSeconds : undefined;
      if (retryAfter !== undefined) options.onThrottled?.(retryAfter);
      const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1)) * random();
      await sleep(Math.max(backoff, (retryAfter ?? 0) * 1000));
    }
  }
}
