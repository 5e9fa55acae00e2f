/**
 * Keeps every responder's FilterLogEvents calls, together, within a share of the account's quota.
 *
 * FilterLogEvents has a default quota of 5 requests per second per account and Region, shared with every engineer
 * searching logs in the console (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits.html).
 * During an alarm storm several responders read at once; each of them asks this limiter for a slot before each call.
 *
 * The shared limiter is a GCRA (generic cell rate algorithm) kept in one item of the notification ledger's DynamoDB
 * table: `tat`, the theoretical arrival time, is the earliest moment the next call may start. A responder reserves the
 * next slot with one conditional UpdateItem (`SET tat = tat + interval`, only if `tat` is not past the latest start
 * it can use), then sleeps until its slot. Reserved slots are at least `interval` apart, whichever Lambda instance
 * holds them. A slot is reserved a little ahead (`lead`, twice the last UpdateItem round trip), so the reservation
 * is back before the slot begins; a responder that wakes up more than `tolerance` after its slot (a slow write, a
 * late timer) gives the slot up and takes the next one. So two calls start at least `interval - tolerance` apart,
 * which the safety margin keeps above `1000 / perSecond` ms: no window of one second holds more than `perSecond`
 * call starts. There is no burst.
 *
 * When DynamoDB cannot be reached the responder falls back to spacing its own calls `interval × concurrency` apart
 * (every responder that may run at once then stays within its part of the share) and says so in its log: the
 * limiter never stops a notification.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The SDK module, loaded when first used (lambda/adapters/lazy-clients.ts). */
const sdk = () => import('@aws-sdk/client-dynamodb');

/** What the log reader asks before each FilterLogEvents call. */
export interface ReadRateLimiter {
  /**
   * Waits for the next slot and resolves true once the call may start; resolves false at once when no slot is free
   * before `latestStartMs` (the caller then stops reading: its time budget is spent on waiting).
   */
  acquire(latestStartMs: number): Promise<boolean>;
}

/** Spacing between call starts for a rate, with a safety margin for timer and network jitter. */
export function slotIntervalMs(perSecond: number, margin = SLOT_MARGIN): number {
  return Math.ceil((1000 / perSecond) * (1 + margin));
}

/**
 * Slots are spaced 15% wider than the rate asks: half of that is the lateness a call may start with (`tolerance`),
 * the other half absorbs network jitter on the way to the service, so two calls never arrive closer than the rate
 * allows where the service counts them.
 */
export const SLOT_MARGIN = 0.15;

/** How late after its slot a call may still start: half the safety margin. */
export function slotToleranceMs(perSecond: number): number {
  return Math.floor((slotIntervalMs(perSecond) - 1000 / perSecond) / 2);
}

export interface RateLimiterClock {
  /** @default Date.now */
  readonly now?: () => number;
  /** @default - a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Spaces one process's calls `intervalMs` apart (the fallback, and the per-instance model of the benchmark). */
export class LocalRateLimiter implements ReadRateLimiter {
  private next = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly intervalMs: number,
    clock: RateLimiterClock = {},
  ) {
    this.now = clock.now ?? Date.now;
    this.sleep = clock.sleep ?? defaultSleep;
  }

  async acquire(latestStartMs: number): Promise<boolean> {
    const now = this.now();
    const slot = Math.max(now, this.next);
    if (slot > latestStartMs) return false;
    this.next = slot + this.intervalMs;
    if (slot > now) await this.sleep(slot - now);
    // Spaced from the actual start: a late timer does not bring the next call closer.
    this.next = Math.max(this.next, this.now() + this.intervalMs);
    return true;
  }
}

export interface DynamoDbRateLimiterOptions extends RateLimiterClock {
  /** Calls per second that all responders together may start. */
  readonly perSecond: number;
  /** Responders that may run at once (the function's reserved concurrency): the fallback divides the rate by it. */
  readonly concurrency: number;
  /**
   * The item's key in the table.
   * @default 'rate-limit#FilterLogEvents'
   */
  readonly key?: string;
  /** Told once when the limiter falls back to local spacing (DynamoDB unreachable or refusing). */
  readonly onFallback?: (error: unknown) => void;
}

/** The shared limiter: one GCRA item in the ledger table (see the module comment). */
export class DynamoDbRateLimiter implements ReadRateLimiter {
  readonly intervalMs: number;
  readonly toleranceMs: number;
  /** Slots given up because the responder woke up too late for them (for the benchmark). */
  missedSlots = 0;
  /** How far ahead a slot is reserved: twice the last UpdateItem round trip, 20 ms to 1 s. */
  private leadMs = 100;
  private readonly key: string;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fallback: LocalRateLimiter;
  private readonly onFallback: ((error: unknown) => void) | undefined;
  private failed = false;
  /** The last `tat` seen: decides which of the two conditional writes to try first. */
  private knownTat = 0;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: DynamoDbRateLimiterOptions,
  ) {
    this.intervalMs = slotIntervalMs(options.perSecond);
    this.toleranceMs = slotToleranceMs(options.perSecond);
    this.key = options.key ?? 'rate-limit#FilterLogEvents';
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.fallback = new LocalRateLimiter(this.intervalMs * Math.max(1, options.concurrency), options);
    this.onFallback = options.onFallback;
  }

  async acquire(latestStartMs: number): Promise<boolean> {
    if (this.failed) return this.fallback.acquire(latestStartMs);
    for (let attempt = 0; attempt < 20; attempt++) {
      let slot: number | undefined;
      try {
        slot = await this.reserve(latestStartMs);
      } catch (error) {
        this.failed = true;
        this.onFallback?.(error);
        return this.fallback.acquire(latestStartMs);
      }
      if (slot === undefined) return false;
      const wait = slot - this.now();
      if (wait > 0) await this.sleep(wait);
      if (this.now() - slot <= this.toleranceMs) return true;
      // Too late for this slot: starting now could crowd the next responder's call. Take the next one.
      this.missedSlots++;
    }
    return false;
  }

  /** One UpdateItem, timed: its round trip sets how far ahead the next slot is reserved. */
  private async timed<T>(call: () => Promise<T>): Promise<T> {
    const started = this.now();
    try {
      return await call();
    } finally {
      this.leadMs = Math.min(1_000, Math.max(20, 2 * (this.now() - started)));
    }
  }

  /** The start of the reserved slot, or undefined when the next free slot is after `latestStartMs`. */
  private async reserve(latestStartMs: number): Promise<number | undefined> {
    const { ConditionalCheckFailedException, UpdateItemCommand } = await sdk();
    const Key = { pk: { S: this.key } };
    // A few rounds settle the race between an idle bucket and a busy one; more would mean a clock gone wrong.
    for (let round = 0; round < 8; round++) {
      // The earliest slot this reservation can be back for.
      const now = this.now() + this.leadMs;
      if (this.knownTat > now) {
        // Busy: take the slot after the last one reserved, if it is soon enough.
        if (this.knownTat > latestStartMs) return undefined;
        try {
          const out = await this.timed(() =>
            this.client.send(
              new UpdateItemCommand({
                TableName: this.tableName,
                Key,
                UpdateExpression: 'SET tat = tat + :interval',
                ConditionExpression: 'tat >= :now AND tat <= :latest',
                ExpressionAttributeValues: {
                  ':interval': { N: String(this.intervalMs) },
                  ':now': { N: String(now) },
                  ':latest': { N: String(latestStartMs) },
                },
                ReturnValues: 'UPDATED_NEW',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }),
            ),
          );
          const tat = Number(out.Attributes?.tat?.N);
          // Not a DynamoDB answer this limiter can trust: fall back rather than wait on nonsense.
          if (!Number.isFinite(tat)) throw new Error('UpdateItem returned no numeric tat');
          this.knownTat = tat;
          return tat - this.intervalMs;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          this.knownTat = tatOf(error);
          if (this.knownTat > latestStartMs) return undefined;
        }
      } else {
        // Idle (or unknown): start now, unless another responder reserved a slot in the meantime.
        try {
          await this.timed(() =>
            this.client.send(
              new UpdateItemCommand({
                TableName: this.tableName,
                Key,
                UpdateExpression: 'SET tat = :next',
                ConditionExpression: 'attribute_not_exists(tat) OR tat < :now',
                ExpressionAttributeValues: {
                  ':next': { N: String(now + this.intervalMs) },
                  ':now': { N: String(now) },
                },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }),
            ),
          );
          this.knownTat = now + this.intervalMs;
          return now;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          // Busy after all: the old item says until when; at least `now`, so the busy branch runs next.
          this.knownTat = Math.max(tatOf(error), now + 1);
        }
      }
    }
    throw new Error('the read rate limiter could not reserve a slot in 8 rounds (clocks apart?)');
  }
}

/** The `tat` of the item a failed condition saw (ReturnValuesOnConditionCheckFailure ALL_OLD); 0 when absent. */
function tatOf(error: unknown): number {
  const item = (error as { Item?: Record<string, { N?: string }> }).Item;
  const tat = Number(item?.tat?.N);
  return Number.isFinite(tat) ? tat : 0;
}
