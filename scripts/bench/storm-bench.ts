/**
 * Alarm storms within the FilterLogEvents quota (issue 16, item 2): moto behind the quota proxy (100 ms per call,
 * FilterLogEvents throttled at 5 requests per second for the whole account), one alarm with 1k, 10k and 100k failed
 * requests, then ten alarms at once with 10k each, answered by responders composed as the handler composes them
 * (scripts/bench/storm.ts), with the stack's default limits. Measures time to each notification, lost notifications,
 * FilterLogEvents calls, throttling, the highest rate over any 1 s window and what share of each incident was read.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { slotIntervalMs } from '../../lambda/adapters/read-rate-limiter.js';
import { RESPONDER_DEFAULTS } from '../../lib/config.js';
import { LocalAwsHarness } from '../../test/e2e/responder-harness.js';
import { clientConfig, startMoto } from '../local-aws.js';
import { maxInWindow, startQuotaProxy } from '../quota-proxy.js';
import { type ResponderRun, runStorm, type StormIncident, type StormLimiter, writeIncident } from './storm.js';

export const STORM_LATENCY_MS = 100;
export const ACCOUNT_QUOTA_PER_SECOND = 5;
export const SHARE = RESPONDER_DEFAULTS.logReadsPerSecond;
export const NOTIFY_WITHIN_MS = 60_000;
/** The reserved concurrency the stack had before issue 16, measured for the comparison. */
const SMALL_CONCURRENCY = 5;
/** The stack's defaults (lib/config.ts). */
export const STORM_LIMITS = {
  maxPages: RESPONDER_DEFAULTS.maxLogPages,
  maxEvents: RESPONDER_DEFAULTS.maxLogEvents,
  timeBudgetMs: (RESPONDER_DEFAULTS.timeoutSec - RESPONDER_DEFAULTS.timeBudgetHeadroomSec) * 1000,
};

export interface StormScenario {
  readonly label: string;
  readonly alarms: number;
  readonly failedEach: number;
  readonly limiter: StormLimiter;
  readonly concurrency: number;
  readonly runs: readonly StormMeasure[];
  readonly error?: string;
}

export interface StormMeasure {
  readonly wallMs: number;
  readonly responders: readonly ResponderRun[];
  /** Messages that reached the topic's queue. */
  readonly delivered: number;
  readonly fleCalls: number;
  readonly throttled: number;
  /** Most FilterLogEvents calls (let through or not) arriving in any 1 s window. */
  readonly maxPerSecond: number;
  /** Calls over the storm's wall time. */
  readonly meanPerSecond: number;
  readonly updateItems: number;
}

export interface StormResults {
  readonly scenarios: StormScenario[];
  readonly error?: string;
}

export async function benchStorms(quick: boolean, seed: number, log: (line: string) => void): Promise<StormResults> {
  log('storm: starting moto and the quota proxy');
  const moto = await startMoto();
  const proxy = await startQuotaProxy({
    target: moto.endpoint,
    latencyMs: STORM_LATENCY_MS,
    filterLogEventsPerSecond: ACCOUNT_QUOTA_PER_SECOND,
  });
  const scenarios: StormScenario[] = [];
  try {
    const harness = new LocalAwsHarness(moto.endpoint);
    const table = `storm-${randomUUID().slice(0, 8)}`;
    await new DynamoDBClient({ ...clientConfig(moto.endpoint), maxAttempts: 1 }).send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const topic = await harness.topicWithQueue(`storm-${randomUUID().slice(0, 8)}`);
    const singles = quick ? [200, 1_000] : [1_000, 10_000, 100_000];
    const tenEach = quick ? 1_000 : 10_000;
    const tenCount = quick ? 4 : 10;
    const single: StormIncident[] = [];
    for (const failed of singles) {
      log(`storm: writing one incident of ${failed} failed requests`);
      single.push(await writeIncident(harness, `one${failed}`, failed, seed + failed));
    }
    const ten: StormIncident[] = [];
    log(`storm: writing ${tenCount} incidents of ${tenEach} failed requests`);
    for (let i = 0; i < tenCount; i++) ten.push(await writeIncident(harness, `ten${i}`, tenEach, seed + 7 + i));

    let shift = 0;
    const measure = async (
      incidents: StormIncident[],
      limiter: StormLimiter,
      concurrency: number,
    ): Promise<StormMeasure> => {
      // A new state change per run (the ledger would de-duplicate a repeated one).
      shift++;
      proxy.reset();
      const run = await runStorm({
        endpoint: proxy.endpoint,
        table,
        topicArn: topic.topicArn,
        incidents: incidents.map((i) => ({ ...i, alarmAt: i.alarmAt + shift })),
        limiter,
        concurrency,
        limits: STORM_LIMITS,
      });
      const delivered = (await harness.drain(topic.queueUrl)).length;
      const times = proxy.calls.map((c) => c.at);
      return {
        wallMs: run.wallMs,
        responders: run.responders,
        delivered,
        fleCalls: times.length,
        throttled: proxy.calls.filter((c) => c.throttled).length,
        maxPerSecond: maxInWindow(times, 1000),
        meanPerSecond: times.length / (run.wallMs / 1000),
        updateItems: proxy.operations.get('UpdateItem') ?? 0,
      };
    };
    const shared: StormLimiter = { kind: 'shared', perSecond: SHARE };
    const plan: Array<{
      label: string;
      incidents: StormIncident[];
      limiter: StormLimiter;
      concurrency: number;
      runs: number;
    }> = [
      ...single.map((incident) => ({
        label: `one alarm, ${incident.failed.toLocaleString('en-US')} failed requests`,
        incidents: [incident],
        limiter: shared,
        concurrency: RESPONDER_DEFAULTS.reservedConcurrency,
        runs: 1,
      })),
      {
        label: `${tenCount} alarms at once, ${tenEach.toLocaleString('en-US')} failed each: shared limiter, reserved concurrency ${RESPONDER_DEFAULTS.reservedConcurrency} (the default)`,
        incidents: ten,
        limiter: shared,
        concurrency: RESPONDER_DEFAULTS.reservedConcurrency,
        runs: quick ? 1 : 2,
      },
      {
        label: `the same, shared limiter, reserved concurrency ${SMALL_CONCURRENCY} (the default before issue 16)`,
        incidents: ten,
        limiter: shared,
        concurrency: SMALL_CONCURRENCY,
        runs: 1,
      },
      {
        label: `the same, no shared state: each instance keeps to ${SHARE}/${SMALL_CONCURRENCY} per second, reserved concurrency ${SMALL_CONCURRENCY}`,
        incidents: ten,
        limiter: { kind: 'per-instance', perSecond: SHARE },
        concurrency: SMALL_CONCURRENCY,
        runs: 1,
      },
      {
        label: `the same, no limiter (only the service's throttling and the reader's backoff), ${tenCount} at once`,
        incidents: ten,
        limiter: { kind: 'none' },
        concurrency: tenCount,
        runs: 1,
      },
    ];
    for (const p of plan) {
      const runs: StormMeasure[] = [];
      try {
        for (let r = 0; r < p.runs; r++) {
          log(`storm: ${p.label} (run ${r + 1} of ${p.runs})`);
          runs.push(await measure(p.incidents, p.limiter, p.concurrency));
        }
        scenarios.push({
          label: p.label,
          alarms: p.incidents.length,
          failedEach: p.incidents[0]?.failed ?? 0,
          limiter: p.limiter,
          concurrency: p.concurrency,
          runs,
        });
      } catch (error) {
        scenarios.push({
          label: p.label,
          alarms: p.incidents.length,
          failedEach: p.incidents[0]?.failed ?? 0,
          limiter: p.limiter,
          concurrency: p.concurrency,
          runs,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return { scenarios };
  } catch (error) {
    return { scenarios, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  } finally {
    await proxy.stop();
    await moto.stop();
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Per run: the last notification, lost ones, and whether the share held. */
export function stormVerdict(m: StormMeasure, alarms: number) {
  const notified = m.responders.map((r) => r.notifiedAfterMs ?? Number.POSITIVE_INFINITY);
  const last = Math.max(...notified);
  const lost = alarms - Math.min(m.delivered, m.responders.filter((r) => r.outcome === 'published').length);
  return {
    last,
    median: median(notified),
    lost,
    withinShare: m.maxPerSecond <= SHARE,
    inTime: last <= NOTIFY_WITHIN_MS,
    partial: m.responders.filter((r) => r.problems.length > 0).length,
  };
}

function coverage(m: StormMeasure, failed: number): string {
  const counted = m.responders.reduce((s, r) => s + (r.failedCounted ?? 0), 0);
  const classified = m.responders.reduce((s, r) => s + (r.failedClassified ?? 0), 0);
  return `${int(classified)} classified, ${int(counted)} counted, of ${int(failed)}`;
}

export function renderStorms(p: (line?: string) => void, results: StormResults): void {
  p('## 4. Alarm storms within the FilterLogEvents quota');
  p();
  p('What is measured: alarms that fire at the same moment, each answered by its own responder composed as one Lambda');
  p('instance of lambda/handler.ts (own clients; CloudWatchLogsReader with maxAttempts 30; the notification ledger;');
  p('scripts/bench/storm.ts), against moto behind scripts/quota-proxy.ts, which models the account:');
  p();
  p(
    `- **${STORM_LATENCY_MS} ms per AWS call**, added to whatever moto takes. An assumption, not a measurement: AWS publishes no`,
  );
  p(
    '  latency for FilterLogEvents. In-Region round trips from Lambda to a regional endpoint are a few ms to tens of ms;',
  );
  p(
    '  a FilterLogEvents page scans the log group server-side and takes longer. 100 ms is on the fast side for a full page,',
  );
  p(
    '  so it flatters nothing the quota decides: at 3 calls per second a responder waits ~370 ms between slots anyway.',
  );
  p(
    '  moto adds its own time per page (it filters every event of the group again for each page: ~0.3 s at 22k events,',
  );
  p('  ~0.5 s at 224k, section 2), so a page here costs 100 ms plus that.');
  p(
    `- **FilterLogEvents at ${ACCOUNT_QUOTA_PER_SECOND} requests per second for the whole account** (the default quota, which AWS says does not`,
  );
  p(
    '  qualify for an increase and is meant for people rather than automation: https://repost.aws/knowledge-center/cloudwatch-logs-throttling),',
  );
  p(
    `  a token bucket of ${ACCOUNT_QUOTA_PER_SECOND} tokens (burst assumed: AWS does not publish it). A throttled call gets HTTP 400,`,
  );
  p(
    '  `application/x-amz-json-1.1`, `{"__type":"ThrottlingException","message":"Rate exceeded"}`, as CloudWatch Logs answers',
  );
  p('  (https://github.com/maxbanton/cwh/issues/120, https://github.com/aws-robotics/cloudwatchlogs-ros1/issues/21).');
  p(
    `- The responders' share: **logReadsPerSecond ${SHARE}** (lib/config.ts default), so ${ACCOUNT_QUOTA_PER_SECOND - SHARE} calls per second stay free for people in the console.`,
  );
  p(
    `- The stack's default limits: maxLogPages ${STORM_LIMITS.maxPages}, maxLogEvents ${int(STORM_LIMITS.maxEvents)}, time budget ${STORM_LIMITS.timeBudgetMs / 1000} s (timeout 60 s).`,
  );
  p();
  p('Time to notification runs from the moment every alarm fires to the return of its SNS Publish. It leaves out what');
  p(
    'happens before the handler runs: CloudWatch invoking the alarm action and a cold start (section 3: about 0.9 s with',
  );
  p(
    '100 ms per call). "Reserved concurrency N" runs at most N responders at once; the others start when one ends, which',
  );
  p(
    'flatters that design: Lambda retries a throttled asynchronous invocation with a backoff of its own (seconds to minutes).',
  );
  p('The highest rate is the most FilterLogEvents calls arriving at the proxy in any 1 s window (sliding), throttled');
  p('calls included.');
  p();
  if (results.error !== undefined) {
    p(`The storm benchmark failed: ${results.error.split('\n')[0]}`);
    p();
  }
  p(
    '| Scenario | Run | Notified (median / last) | Lost | Partial messages | FilterLogEvents calls | Throttled | Highest rate in 1 s | Mean rate | Share held | Read | UpdateItem calls |',
  );
  p('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|');
  for (const s of results.scenarios) {
    if (s.runs.length === 0) p(`| ${s.label} | | | | | | | | | | error: ${s.error ?? 'no run'} | |`);
    for (const [i, m] of s.runs.entries()) {
      const v = stormVerdict(m, s.alarms);
      p(
        `| ${s.label} | ${i + 1} | ${secs(v.median)} / ${secs(v.last)} | ${v.lost} | ${v.partial} of ${s.alarms} | ${m.fleCalls} | ${m.throttled} | ${m.maxPerSecond} | ${m.meanPerSecond.toFixed(2)}/s | ${v.withinShare ? 'yes' : '**no**'} | ${coverage(m, s.alarms * s.failedEach)} | ${m.updateItems} |`,
      );
    }
  }
  p();
  p('"Partial messages" are notifications that say a read stopped early (time budget, a cap, throttling) and what was');
  p('not read; "Read" sums, over the alarms, the failed requests the diagnoses classified and counted (status lines;');
  p("authorizer failures write none, so the count is ~5% low, see section 2) out of the incidents' true total. The");
  p(
    'responder samples an incident too big for its caps and says so; section 2 shows the cause shares stay within 2 points).',
  );
  p(
    '"UpdateItem calls" are DynamoDB writes: one or two per FilterLogEvents slot for the shared limiter, plus the ledger.',
  );
  p();
  renderStormReading(p, results);
}

/** What the ten-alarm runs say, in numbers from this run. */
function renderStormReading(p: (line?: string) => void, results: StormResults): void {
  const many = results.scenarios.filter((s) => s.alarms > 1 && s.runs.length > 0);
  const free = many.find((s) => s.limiter.kind === 'none');
  const shared = many.find((s) => s.limiter.kind === 'shared' && s.concurrency >= s.alarms);
  const sharedSmall = many.find((s) => s.limiter.kind === 'shared' && s.concurrency < s.alarms);
  const split = many.find((s) => s.limiter.kind === 'per-instance');
  const slots = 1000 / slotIntervalMs(SHARE);
  p('Reading the storm runs:');
  p();
  if (free !== undefined && shared !== undefined) {
    const needed = (free.runs[0]?.fleCalls ?? 0) - (free.runs[0]?.throttled ?? 0);
    const capacity = (slots * STORM_LIMITS.timeBudgetMs) / 1000;
    const partial = shared.runs.map((m) => stormVerdict(m, shared.alarms).partial);
    p(
      `- Read whole, the ${free.alarms} incidents take ${needed} FilterLogEvents calls that go through (the run without a limiter, which also had ${free.runs[0]?.throttled ?? 0} calls throttled and up to ${free.runs[0]?.maxPerSecond ?? 0} in one second: the whole account's quota and more).`,
    );
    p(
      `  The share allows ${slots.toFixed(2)} call starts per second (${SHARE}/s less the limiter's 15% margin), about ${Math.round(capacity)} in one ${STORM_LIMITS.timeBudgetMs / 1000} s budget,`,
    );
    p(
      partial.every((n) => n === 0)
        ? `  and with the shared limiter no message was partial: every incident was read within the budget.`
        : `  so with the shared limiter ${partial.map((n, i) => `${n} (run ${i + 1})`).join(' and ')} of ${shared.alarms} messages were partial (each says which log group was not read and how to read it; the last went out after ${secs(Math.max(...shared.runs.map((m) => stormVerdict(m, shared.alarms).last)))}). That is the price of leaving ${ACCOUNT_QUOTA_PER_SECOND - SHARE} calls a second to people.`,
    );
  }
  if (sharedSmall !== undefined && shared !== undefined) {
    const a = stormVerdict(shared.runs[0] as StormMeasure, shared.alarms);
    const b = stormVerdict(sharedSmall.runs[0] as StormMeasure, sharedSmall.alarms);
    p(
      `- Reserved concurrency decides time, not rate: with ${shared.concurrency} responders at once the last notification came after ${secs(a.last)}, with ${sharedSmall.concurrency} after ${secs(b.last)}`,
    );
    p(
      `  (the second batch waits for the first; Lambda's own retry of a throttled invocation would add more). The rate held in both.`,
    );
  }
  if (split !== undefined) {
    const m = split.runs[0] as StormMeasure;
    p(
      `- Without shared state (each instance keeping to ${SHARE}/${split.concurrency} per second) the share holds only on average: the instances start together,`,
    );
    p(
      `  and the account saw ${m.maxPerSecond} calls in one second. Shared state is what the measurements favour; it costs one or two`,
    );
    p('  conditional DynamoDB writes per call (an on-demand write each, negligible next to the incident).');
  }
  p();
}

/** The issue-16 storm targets, for the targets table at the top of BENCHMARKS.md. */
export function renderStormTargets(p: (line?: string) => void, results: StormResults): void {
  const main = results.scenarios.filter((s) => s.limiter.kind !== 'none');
  if (main.length === 0) return;
  p(`### Alarm storms (issue 16; section 4)`);
  p();
  p('| Scenario | Every notification within 60 s | None lost | Responders within their share (≤ 3 calls in any 1 s) |');
  p('|---|---|---|---|');
  for (const s of main) {
    const verdicts = s.runs.map((m) => stormVerdict(m, s.alarms));
    const last = Math.max(...verdicts.map((v) => v.last));
    const lost = verdicts.reduce((n, v) => n + v.lost, 0);
    const highest = Math.max(...s.runs.map((m) => m.maxPerSecond));
    const mark = (ok: boolean) => (ok ? '**met**' : '**missed**');
    p(
      `| ${s.label} | ${mark(last <= NOTIFY_WITHIN_MS)}: last after ${secs(last)} | ${mark(lost === 0)}${lost > 0 ? `: ${lost} lost` : ''} | ${mark(highest <= SHARE)}: highest ${highest} |`,
    );
  }
  p();
}
