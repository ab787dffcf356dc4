// Token buckets for IoT Hub's per-unit throttles. The clock is injectable so
// tests can drive time instead of sleeping.

export interface HubLimits {
  /** Configurations a hub holds (100 on standard tiers). */
  maxConfigurations: number;
  /** Configuration create/update/get/list/delete per minute per unit (20 on S1/S2). */
  configOpsPerMinutePerUnit: number;
  /** Twin queries per minute per unit (20 on S1/S2). */
  queriesPerMinutePerUnit: number;
  /** Largest desired-properties document (32 KB). */
  maxDesiredBytes: number;
  /** Largest page a query returns. */
  maxPageSize: number;
  /** Tokens a bucket holds; 0 means one minute's worth (IoT Hub's behaviour). Tests lower it to hit 429 quickly. */
  throttleBurst: number;
}

export const DEFAULT_LIMITS: HubLimits = {
  maxConfigurations: 100,
  configOpsPerMinutePerUnit: 20,
  queriesPerMinutePerUnit: 20,
  maxDesiredBytes: 32 * 1024,
  maxPageSize: 1000,
  throttleBurst: 0,
};

export class TokenBucket {
  private tokens: number;
  private last: number;

  /** `capacity` tokens at most, refilled at `perMinute`; both read on every call so limits can change at run time. */
  constructor(
    private readonly rate: () => { perMinute: number; capacity: number },
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = rate().capacity;
    this.last = now();
  }

  /** Takes a token, or returns how many seconds until one is available. */
  take(): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const { perMinute, capacity } = this.rate();
    const now = this.now();
    this.tokens = Math.min(capacity, this.tokens + ((now - this.last) / 60000) * perMinute);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((1 - this.tokens) * 60) / perMinute)) };
  }
}
