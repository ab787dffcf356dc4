// Every call to a hub goes through its rate limiter and the bounded retry
// policy; a 429's Retry-After pauses the hub's limiter for every caller. A
// caller's signal (the request deadline, the reconcile pass's deadline or lost
// lease) ends the wait at once: no try starts after it, and the one under way
// is abandoned (the SDK cannot cancel it; its answer is simply not waited for).
import { AppError } from '../../errors';
import type { RateLimiter } from './rateLimiter';
import { defaultRetry, type RetryOptions, withRetry } from './retry';

export interface HubCallOptions {
  readonly retry?: RetryOptions;
  readonly maxRateWaitMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Why a caller stopped waiting: the error it aborted with (the reconciler's
 * PassStopped ends the whole pass), else a retryable DeadlineExceeded, so the
 * sync ends `pending` and the reconciler finishes it.
 */
export function stoppedWaiting(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== 'AbortError' && reason.name !== 'TimeoutError') return reason;
  return new AppError('DeadlineExceeded', 504, 'the caller stopped waiting for the hub (its deadline passed)', { retryable: true });
}

/** Settles with `promise`, or rejects as soon as `signal` aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(stoppedWaiting(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stoppedWaiting(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export function hubCall<T>(limiter: RateLimiter, operation: () => Promise<T>, options: HubCallOptions = {}): Promise<T> {
  const { signal } = options;
  const retry = options.retry ?? defaultRetry;
  return untilAborted(
    withRetry(
      async () => {
        if (signal?.aborted) throw stoppedWaiting(signal);
        await limiter.acquire(options.maxRateWaitMs ?? 15000);
        if (signal?.aborted) throw stoppedWaiting(signal);
        return operation();
      },
      {
        ...retry,
        onThrottled: (seconds) => limiter.pause(seconds),
        // A try the caller no longer waits for is not retried either.
        ...(signal ? { sleep: (ms: number) => untilAborted((retry.sleep ?? ((t: number) => new Promise<void>((r) => setTimeout(r, t))))(ms), signal) } : {}),
      },
    ),
    signal,
  );
}
