/**
 * An alarm storm against the local AWS endpoint behind the quota proxy (scripts/quota-proxy.ts): several alarms fire
 * at once and each is answered by its own responder, composed as lambda/handler.ts composes one Lambda instance
 * (its own CloudWatch Logs, DynamoDB and SNS clients, a CloudWatchLogsReader with the handler's retry settings, the
 * notification ledger), so nothing is shared between responders but what Lambda instances share: the ledger table
 * and the account's FilterLogEvents quota. Used by the quota test (test/e2e/quota.e2e.test.ts) with small incidents
 * and by `npm run bench` with the full ones.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { CloudWatchLogsReader } from '../../lambda/adapters/log-reader.js';
import { DynamoDbNotificationLedger } from '../../lambda/adapters/notification-ledger.js';
import { SnsPublisher } from '../../lambda/adapters/publisher.js';
import {
  DynamoDbRateLimiter,
  LocalRateLimiter,
  type ReadRateLimiter,
  slotIntervalMs,
} from '../../lambda/adapters/read-rate-limiter.js';
import type { RuntimeApiConfig, RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { type RespondOutcome, respond } from '../../lambda/respond/respond.js';
import { alarmActionEvent, type LocalAwsHarness } from '../../test/e2e/responder-harness.js';
import { clientConfig } from '../local-aws.js';
import { CorpusGenerator, type CorpusTruth } from './corpus.js';

/** How the responders keep to their share of the quota. */
export type StormLimiter =
  /** The shared GCRA item in the ledger table (as deployed). */
  | { readonly kind: 'shared'; readonly perSecond: number }
  /** Each instance spaces its own calls at `perSecond / concurrency` (the quota split by reserved concurrency). */
  | { readonly kind: 'per-instance'; readonly perSecond: number }
  /** No limiter: only the service's throttling and the reader's backoff. */
  | { readonly kind: 'none' };

export interface StormIncident {
  readonly label: string;
  readonly failed: number;
  readonly api: RuntimeApiConfig;
  readonly truth: CorpusTruth;
  readonly alarmAt: number;
  readonly evaluationStart: number;
}

/** Writes a generated ERROR-level incident of `failed` failed requests into its own execution log group. */
export async function writeIncident(
  harness: LocalAwsHarness,
  label: string,
  failed: number,
  seed: number,
): Promise<StormIncident> {
  const apiId = `st${label.replace(/[^a-z0-9]/g, '')}${seed.toString(36)}`.padEnd(10, '0').slice(-10);
  const now = Date.now();
  const span = Math.ceil(failed * 2.5);
  const generator = new CorpusGenerator({
    seed,
    targetFailures: failed,
    level: 'ERROR',
    failureRate: 1,
    startMs: now - span - 5 * 60_000,
    msPerLine: 1,
    api: { apiId, stage: 'prod', region: 'us-east-1', accountId: '123456789012' },
  });
  const lines: { message: string; timestamp: number }[] = [];
  for (;;) {
    const chunk = generator.nextChunk();
    if (chunk.length === 0) break;
    for (const e of chunk) lines.push({ message: e.message, timestamp: e.timestamp ?? 0 });
  }
  await harness.writeLogGroup(generator.logGroupName, lines, 6);
  const truth = generator.truth;
  return {
    label,
    failed,
    api: { type: 'REST', name: `storm-${label}`, id: apiId, stage: 'prod', alarmName: `storm-${label}-prod-5xx` },
    truth,
    alarmAt: (truth.lastTimestamp ?? now) + 1_000,
    evaluationStart: truth.firstTimestamp ?? now,
  };
}

export interface StormOptions {
  /** The quota proxy's endpoint: every responder call goes through it. */
  readonly endpoint: string;
  readonly table: string;
  readonly topicArn: string;
  readonly incidents: readonly StormIncident[];
  readonly limiter: StormLimiter;
  /** Responders that may run at once (reserved concurrency); the others wait for one to finish. */
  readonly concurrency: number;
  readonly limits: Pick<RuntimeConfig, 'maxPages' | 'maxEvents' | 'timeBudgetMs'>;
  /** Reader retries on throttling (the handler's setting). @default 30 */
  readonly maxAttempts?: number;
}

export interface ResponderRun {
  readonly label: string;
  /** From the storm's start (every alarm fires then) to the publish call's return; undefined when none. */
  readonly notifiedAfterMs?: number;
  /** Time spent waiting for a free responder (reserved concurrency). */
  readonly queuedMs: number;
  readonly outcome?: RespondOutcome['kind'];
  readonly error?: string;
  readonly pages: number;
  readonly events: number;
  readonly failedCounted?: number;
  readonly failedClassified?: number;
  /** The read problems the message states (what could not be read). */
  readonly problems: readonly string[];
  readonly subject?: string;
  /** Slots the shared limiter gave up because this responder woke up too late for them. */
  readonly missedSlots: number;
}

export interface StormRun {
  readonly wallMs: number;
  readonly responders: readonly ResponderRun[];
}

function limiterFor(options: StormOptions, dynamo: DynamoDBClient): ReadRateLimiter | undefined {
  const l = options.limiter;
  if (l.kind === 'none') return undefined;
  if (l.kind === 'per-instance') return new LocalRateLimiter(slotIntervalMs(l.perSecond) * options.concurrency);
  return new DynamoDbRateLimiter(dynamo, options.table, {
    perSecond: l.perSecond,
    concurrency: options.concurrency,
    onFallback: (error) => {
      throw new Error(`the shared limiter fell back: ${String(error)}`);
    },
  });
}

/** Fires every incident's alarm at once and lets the responders answer them; resolves when all have ended. */
export async function runStorm(options: StormOptions): Promise<StormRun> {
  const config: RuntimeConfig = {
    apis: options.incidents.map((i) => i.api),
    windowMarginMs: 60_000,
    ...options.limits,
  };
  const started = performance.now();
  const queue = [...options.incidents.entries()];
  const results: ResponderRun[] = new Array(options.incidents.length);
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [index, incident] = next;
      results[index] = await respondTo(incident, config, options, performance.now() - started, started);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.incidents.length) }, worker));
  return { wallMs: performance.now() - started, responders: results };
}

async function respondTo(
  incident: StormIncident,
  config: RuntimeConfig,
  options: StormOptions,
  queuedMs: number,
  stormStart: number,
): Promise<ResponderRun> {
  // One Lambda instance: its own clients (SDK retries off for the reader, as the handler builds them).
  const aws = clientConfig(options.endpoint);
  const dynamo = new DynamoDBClient({ ...aws, maxAttempts: 2 });
  const limiter = limiterFor(options, dynamo);
  const missed = () => (limiter instanceof DynamoDbRateLimiter ? limiter.missedSlots : 0);
  const reader = new CloudWatchLogsReader(new CloudWatchLogsClient({ ...aws, maxAttempts: 1 }), {
    maxAttempts: options.maxAttempts ?? 30,
    ...(limiter !== undefined ? { limiter } : {}),
  });
  const publisher = new SnsPublisher(new SNSClient(aws), options.topicArn);
  const ledger = new DynamoDbNotificationLedger(dynamo, options.table);
  let pages = 0;
  let events = 0;
  const event = alarmActionEvent({
    alarmName: incident.api.alarmName ?? '',
    apiName: incident.api.name ?? '',
    stage: 'prod',
    state: 'ALARM',
    at: incident.alarmAt,
    evaluationStart: incident.evaluationStart,
  });
  let publishedAt: number | undefined;
  try {
    const outcome = await respond(event, {
      config,
      now: Date.now,
      log: () => {},
      ledger,
      reader: {
        read: async (request, limits) => {
          const result = await reader.read(request, limits);
          pages += result.pages;
          events += result.events.length;
          return result;
        },
      },
      publisher: {
        publish: async (notification) => {
          const out = await publisher.publish(notification);
          publishedAt = performance.now();
          return out;
        },
      },
    });
    const diagnosis = outcome.kind === 'published' ? outcome.diagnosis : undefined;
    const sampling = (diagnosis as { sampling?: { totalFailed: number } } | undefined)?.sampling;
    return {
      label: incident.label,
      ...(publishedAt !== undefined ? { notifiedAfterMs: publishedAt - stormStart } : {}),
      queuedMs,
      outcome: outcome.kind,
      pages,
      events,
      ...(diagnosis !== undefined
        ? {
            failedClassified: diagnosis.failedRequests,
            failedCounted: sampling?.totalFailed ?? diagnosis.failedRequests,
          }
        : {}),
      problems: diagnosis?.unreadable ?? [],
      ...(outcome.kind === 'published' ? { subject: outcome.notification.subject } : {}),
      missedSlots: missed(),
    };
  } catch (error) {
    return {
      label: incident.label,
      queuedMs,
      error: error instanceof Error ? error.message : String(error),
      pages,
      events,
      problems: [],
      missedSlots: missed(),
    };
  }
}
