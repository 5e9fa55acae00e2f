import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DynamoDbRateLimiter,
  LocalRateLimiter,
  slotIntervalMs,
  slotToleranceMs,
} from '../../lambda/adapters/read-rate-limiter.js';

/** A clock that only moves when the code under test sleeps. */
function fakeClock(start = 1_000_000) {
  const clock = { now: start, sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.now,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.now += ms;
    },
  };
}

describe('slot spacing', () => {
  it('keeps two calls at least 1000/perSecond ms apart even when the later one starts as late as tolerated', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 100, noNaN: true }), (perSecond) => {
        // The earlier call on time, the later one at the end of its tolerance: the gap that can shrink.
        expect(slotIntervalMs(perSecond) - slotToleranceMs(perSecond)).toBeGreaterThanOrEqual(1000 / perSecond);
        expect(slotToleranceMs(perSecond)).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('LocalRateLimiter', () => {
  it('spaces the starts one interval apart and refuses a slot after the latest start', async () => {
    // Prepare
    const { clock, now, sleep } = fakeClock();
    const limiter = new LocalRateLimiter(400, { now, sleep });
    const start = clock.now;
    // Act
    const granted = [await limiter.acquire(start + 10_000), await limiter.acquire(start + 10_000)];
    const startsAt = clock.now;
    const refused = await limiter.acquire(startsAt + 100);
    // Assess
    expect(granted).toEqual([true, true]);
    expect(startsAt - start).toBe(400);
    expect(refused).toBe(false);
    expect(clock.sleeps).toEqual([400]);
  });
});

describe('DynamoDbRateLimiter', () => {
  it('falls back to spacing this instance by its part of the rate when DynamoDB cannot be reached, and says so once', async () => {
    // Prepare: a client aimed at a closed loopback port (connection refused), no retries.
    const client = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 1,
    });
    const { clock, now, sleep } = fakeClock(Date.now());
    const fallbacks: unknown[] = [];
    const limiter = new DynamoDbRateLimiter(client, 'ledger', {
      perSecond: 3,
      concurrency: 10,
      now,
      sleep,
      onFallback: (error) => fallbacks.push(error),
    });
    const start = clock.now;
    // Act
    const granted = [await limiter.acquire(start + 60_000), await limiter.acquire(start + 60_000)];
    // Assess: the second call waits 3/s ÷ 10 instances, i.e. ten slot intervals.
    expect(granted).toEqual([true, true]);
    expect(clock.now - start).toBe(10 * slotIntervalMs(3));
    expect(fallbacks).toHaveLength(1);
  });
});
