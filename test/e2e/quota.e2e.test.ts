import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runStorm, type StormIncident, writeIncident } from '../../scripts/bench/storm.js';
import { clientConfig } from '../../scripts/local-aws.js';
import { maxInWindow, type QuotaProxy, startQuotaProxy } from '../../scripts/quota-proxy.js';
import { LocalAwsHarness } from './responder-harness.js';

// Several responders answering an alarm storm must together stay within their share of the account's
// FilterLogEvents quota (logReadsPerSecond, 3 of the default 5 per second), and every alarm must still be notified.
// The quota and a 100 ms network time are modelled by scripts/quota-proxy.ts in front of moto; the full volumes
// are measured by `npm run bench` (BENCHMARKS.md, "Alarm storms").
const endpoint = inject('awsEndpoint');
const aws = new LocalAwsHarness(endpoint);
const table = `quota-${randomUUID().slice(0, 8)}`;
const SHARE = 3;
const proxies: QuotaProxy[] = [];
let incidents: StormIncident[] = [];
let topic = { topicArn: '', queueUrl: '' };

async function proxy(options: { filterLogEventsPerSecond?: number; burst?: number } = {}): Promise<QuotaProxy> {
  const started = await startQuotaProxy({ target: endpoint, latencyMs: 100, ...options });
  proxies.push(started);
  return started;
}

beforeAll(async () => {
  await new DynamoDBClient({ ...clientConfig(endpoint), maxAttempts: 1 }).send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // Six APIs, each with a small incident of its own: two FilterLogEvents calls per alarm (count, then read).
  incidents = [];
  for (let i = 0; i < 6; i++) incidents.push(await writeIncident(aws, `q${i}`, 40, 7_000 + i));
  topic = await aws.topicWithQueue(`quota-${randomUUID().slice(0, 8)}`);
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
});

// A generous budget: a loaded machine slows moto and the clients, and the first test wants every read complete.
const limits = { maxPages: 20, maxEvents: 10_000, timeBudgetMs: 40_000 };

describe('responders in an alarm storm and the FilterLogEvents quota', () => {
  it('keep their FilterLogEvents calls together within their share over every 1 s window, and notify every alarm', async () => {
    // Prepare: six alarms at once, six responders (one Lambda instance each), the shared limiter in the table.
    const quota = await proxy();
    // Act
    const storm = await runStorm({
      endpoint: quota.endpoint,
      table,
      topicArn: topic.topicArn,
      incidents,
      limiter: { kind: 'shared', perSecond: SHARE },
      concurrency: incidents.length,
      limits,
    });
    // Assess: the rate at the "service", no throttling, and one complete message per alarm.
    const times = quota.calls.map((c) => c.at);
    expect(times.length).toBeGreaterThanOrEqual(2 * incidents.length);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(SHARE);
    expect(quota.calls.filter((c) => c.throttled)).toEqual([]);
    expect(storm.responders.map((r) => [r.outcome, r.problems])).toEqual(incidents.map(() => ['published', []]));
    const subjects = (await aws.drain(topic.queueUrl)).map((m) => m.Subject ?? '');
    expect(subjects).toHaveLength(incidents.length);
    for (const incident of incidents)
      expect(subjects.some((s) => s.includes(`storm-${incident.label}/prod`))).toBe(true);
  });

  it('would exceed the share without the limiter (the check above can fail)', async () => {
    // Prepare: the same storm, each responder reading as fast as the service answers.
    const quota = await proxy();
    // Act
    await runStorm({
      endpoint: quota.endpoint,
      table,
      topicArn: topic.topicArn,
      incidents: incidents.map((i) => ({ ...i, alarmAt: i.alarmAt + 1 })),
      limiter: { kind: 'none' },
      concurrency: incidents.length,
      limits,
    });
    await aws.drain(topic.queueUrl);
    // Assess
    expect(
      maxInWindow(
        quota.calls.map((c) => c.at),
        1000,
      ),
    ).toBeGreaterThan(SHARE);
  });

  it('back off on ThrottlingException and still read everything when the budget allows', async () => {
    // Prepare: an account whose quota is nearly used up by others (1 call per second left, no burst).
    const quota = await proxy({ filterLogEventsPerSecond: 1, burst: 1 });
    const three = incidents.slice(0, 3).map((i) => ({ ...i, alarmAt: i.alarmAt + 2 }));
    // Act
    const storm = await runStorm({
      endpoint: quota.endpoint,
      table,
      topicArn: topic.topicArn,
      incidents: three,
      limiter: { kind: 'none' },
      concurrency: three.length,
      limits,
    });
    // Assess: throttled calls were retried until they went through; every message is complete.
    expect(quota.calls.filter((c) => c.throttled).length).toBeGreaterThan(0);
    expect(storm.responders.map((r) => [r.outcome, r.problems])).toEqual(three.map(() => ['published', []]));
    expect(await aws.drain(topic.queueUrl)).toHaveLength(three.length);
  });

  it('publish when the budget runs out waiting for the share, saying what could not be read', async () => {
    // Prepare: a share of one call every 2 s and a 2 s budget for four alarms: not every read can get a slot.
    const quota = await proxy();
    const four = incidents.slice(0, 4).map((i) => ({ ...i, alarmAt: i.alarmAt + 3 }));
    // Act
    const storm = await runStorm({
      endpoint: quota.endpoint,
      table,
      topicArn: topic.topicArn,
      incidents: four,
      limiter: { kind: 'shared', perSecond: 0.5 },
      concurrency: four.length,
      limits: { ...limits, timeBudgetMs: 2_000 },
    });
    // Assess: every alarm is notified; those left without a slot say which log group was not read and how to.
    expect(storm.responders.map((r) => r.outcome)).toEqual(four.map(() => 'published'));
    const partial = storm.responders.filter((r) => r.problems.length > 0);
    expect(partial.length).toBeGreaterThan(0);
    for (const r of partial) {
      expect(r.problems.join(' ')).toMatch(
        /stopped at the time budget while waiting for the responders' share of the FilterLogEvents quota.*aws logs filter-log-events --log-group-name 'API-Gateway-Execution-Logs_/,
      );
    }
    expect(await aws.drain(topic.queueUrl)).toHaveLength(four.length);
  });
});
