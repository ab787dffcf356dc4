// Every call to a hub goes through its rate limiter and the bounded retry
// policy; a 429's Retry-After pauses the hub's limiter for every caller.
import type { RateLimiter } from './rateLimiter';
import { defaultRetry, type RetryOptions, withRetry } from './retry';

export function hubCall<T>(limiter: RateLimiter, operation: () => Promise<T>, options: { retry?: RetryOptions; maxRateWaitMs?: number } = {}): Promise<T> {
  return withRetry(
    async () => {
      await limiter.acquire(options.maxRateWaitMs ?? 15000);
      return operation();
    },
    { ...(options.retry ?? defaultRetry), onThrottled: (seconds) => limiter.pause(seconds) },
  );
}
