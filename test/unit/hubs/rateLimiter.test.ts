import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimitWaitTooLong, tokenBucket } from '../../../shared/services/hubs/rateLimiter';
import { withRetry } from '../../../shared/services/hubs/retry';
import { AppError } from '../../../shared/errors';

function clock() {
  let t = 0;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    },
    slept,
  };
}

describe('per-hub rate limiter', () => {
  it('lets a burst through, then spaces operations at the per-minute rate', async () => {
    const c = clock();
    const limiter = tokenBucket({ perMinute: 20, burst: 2, now: c.now, sleep: c.sleep });
    for (let i = 0; i < 4; i++) await limiter.acquire();
    assert.deepEqual(c.slept, [3000, 3000]);
  });

  it('gives concurrent callers successive slots', async () => {
    const t = 0;
    const waits: number[] = [];
    const limiter = tokenBucket({ perMinute: 60, burst: 1, now: () => t, sleep: async (ms) => { waits.push(ms); return Promise.resolve(); } });
    await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    assert.deepEqual(waits, [1000, 2000]);
  });

  it('honours a pause after 429 and refuses waits beyond the caller’s limit', async () => {
    const c = clock();
    const limiter = tokenBucket({ perMinute: 600, now: c.now, sleep: c.sleep });
    limiter.pause(5);
    await assert.rejects(limiter.acquire(1000), RateLimitWaitTooLong);
    await limiter.acquire();
    assert.deepEqual(c.slept, [5000]);
  });
});

describe('retries', () => {
  it('retries transient errors with at least the server’s Retry-After, and stops at the bound', async () => {
    const c = clock();
    let calls = 0;
    const throttled = new AppError('ThrottlingException', 429, 'slow', { retryAfterSeconds: 2 });
    await assert.rejects(
      withRetry(async () => {
        calls++;
        return Promise.reject(throttled);
      }, { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000, sleep: c.sleep, random: () => 1 }),
      throttled,
    );
    assert.equal(calls, 3);
    assert.deepEqual(c.slept, [2000, 2000]);
  });

  it('does not retry terminal errors', async () => {
    let calls = 0;
    await assert.rejects(withRetry(async () => {
      calls++;
      return Promise.reject(new AppError('BadRequest', 400, 'no'));
    }));
    assert.equal(calls, 1);
  });
});
