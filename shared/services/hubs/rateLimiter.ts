// A token bucket per hub for configuration operations: IoT Hub allows about
// 20 per minute per unit and answers bursts with 429. Waiting here is cheaper
// than being throttled, and a 429 still gets honoured by the retry policy.

export interface RateLimiter {
  /** Resolves when one operation may start; rejects if that would take longer than maxWaitMs. */
  acquire(maxWaitMs?: number): Promise<void>;
  /** After a 429: no operation before `seconds` from now. */
  pause(seconds: number): void;
}

export class RateLimitWaitTooLong extends Error {
  constructor(readonly waitMs: number) {
    super(`the hub's rate limit would delay this operation by ${Math.ceil(waitMs / 1000)} s`);
    this.name = 'RateLimitWaitTooLong';
  }
}

export interface TokenBucketOptions {
  readonly perMinute: number;
  /** Burst size; IoT Hub tolerates short bursts before shaping traffic. */
  readonly burst?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * GCRA (virtual scheduling), equivalent to a token bucket: each operation
 * moves a "theoretical arrival time" one interval forward, and up to `burst`
 * operations may run ahead of it. Concurrent callers get successive slots, so
 * they never overbook the hub.
 */
export function tokenBucket(options: TokenBucketOptions): RateLimiter {
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const interval = 60000 / options.perMinute;
  const burst = Math.max(1, options.burst ?? Math.min(5, Math.floor(options.perMinute)));
  const tolerance = (burst - 1) * interval;
  let theoreticalArrival = 0;
  let pausedUntil = 0;

  return {
    async acquire(maxWaitMs = Infinity) {
      const t = now();
      const startAt = Math.max(t, theoreticalArrival - tolerance, pausedUntil);
      const wait = startAt - t;
      if (wait > maxWaitMs) throw new RateLimitWaitTooLong(wait);
      theoreticalArrival = Math.max(theoreticalArrival, startAt) + interval;
      if (wait > 0) await sleep(wait);
    },
    pause(seconds: number) {
      pausedUntil = Math.max(pausedUntil, now() + seconds * 1000);
    },
  };
}
