import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbNotificationLedger } from '../../lambda/adapters/notification-ledger.js';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { interleave, restTrace } from '../../scripts/incident.js';
import { clientConfig, localAwsEnv } from '../../scripts/local-aws.js';
import { captureLogLines } from '../helpers/log-lines.js';
import { alarmActionEvent, LocalAwsHarness } from './responder-harness.js';

// Before the other hooks: the handler runs in beforeAll. Its JSON log lines are taken in, not printed.
captureLogLines();

// Lambda retries a failed async invocation and may deliver an event more than once: the same alarm state change
// must be notified once, and two alarms firing together must each get their own message.
const endpoint = inject('awsEndpoint');
const aws = new LocalAwsHarness(endpoint);
const dynamo = new DynamoDBClient({ ...clientConfig(endpoint), maxAttempts: 1 });
const table = `ledger-${randomUUID().slice(0, 8)}`;
const now = Date.now();
const saved = { ...process.env };
const apis = ['orders', 'payments'].map((name, i) => ({
  name,
  apiId: `ddp${i}${randomUUID().replace(/-/g, '').slice(0, 6)}`,
}));
let queueUrl = '';
let handler: (event: unknown) => Promise<{ kind: string }>;

function event(name: string) {
  return alarmActionEvent({
    alarmName: `${name}-prod-5xx`,
    apiName: `${name}-api`,
    stage: 'prod',
    state: 'ALARM',
    at: now - 20_000,
    evaluationStart: now - 200_000,
  });
}

beforeAll(async () => {
  await dynamo.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  for (const api of apis) {
    const target = {
      apiId: api.apiId,
      stage: 'prod',
      region: 'us-east-1',
      accountId: '123456789012',
      functionName: `${api.name}-fn`,
    };
    const route = { method: 'GET', resourcePath: '/x', path: '/x' };
    await aws.writeLogGroup(
      `API-Gateway-Execution-Logs_${api.apiId}/prod`,
      interleave([restTrace('malformed', target, route, now - 100_000)]),
    );
  }
  const topic = await aws.topicWithQueue(`dedup-${randomUUID().slice(0, 8)}`);
  queueUrl = topic.queueUrl;
  const config: RuntimeConfig = {
    apis: apis.map((a) => ({
      type: 'REST' as const,
      name: `${a.name}-api`,
      id: a.apiId,
      stage: 'prod',
      alarmName: `${a.name}-prod-5xx`,
    })),
    timeBudgetMs: 10_000,
    windowMarginMs: 60_000,
    maxPages: 5,
    maxEvents: 1_000,
  };
  Object.assign(process.env, localAwsEnv(endpoint), {
    RESPONDER_CONFIG: JSON.stringify(config),
    TOPIC_ARN: topic.topicArn,
    LEDGER_TABLE: table,
  });
  ({ handler } = (await import('../../lambda/handler.js')) as unknown as { handler: typeof handler });
});

afterAll(() => {
  process.env = saved;
});

describe('notification de-duplication with a DynamoDB ledger', () => {
  it('publishes a state change once when the same event is delivered again (async retry)', async () => {
    const first = await handler(event('orders'));
    const second = await handler(event('orders'));
    expect(first.kind).toBe('published');
    expect(second).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/^already published as /) });
    expect(await aws.drain(queueUrl)).toHaveLength(1);
  });

  it('gives two alarms firing at once a message each', async () => {
    const results = await Promise.all([
      handler(event('payments')),
      handler({
        ...(event('orders') as object),
        alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-prod-5xx-other',
      }),
    ]);
    expect(results.map((r) => r.kind)).toEqual(['published', 'published']);
    const subjects = (await aws.drain(queueUrl)).map((m) => m.Subject).sort();
    expect(subjects).toEqual([
      '[ALARM] orders-api/prod: 502 malformed Lambda proxy response (100%)',
      '[ALARM] payments-api/prod: 502 malformed Lambda proxy response (100%)',
    ]);
  });

  it('lets a retry claim a change whose first attempt crashed once the lease has expired', async () => {
    // Prepare: an invocation claimed the change and died without publishing or releasing.
    const ledger = new DynamoDbNotificationLedger(dynamo, table, { now: () => now - 10 * 60_000 });
    const key = `crashed-${randomUUID()}`;
    expect(await ledger.claim(key, 60_000)).toEqual({ kind: 'claimed' });
    // Act / Assess: while the lease runs, another invocation backs off; after it, the retry takes over.
    const during = new DynamoDbNotificationLedger(dynamo, table, { now: () => now - 10 * 60_000 + 30_000 });
    expect((await during.claim(key, 60_000)).kind).toBe('in_progress');
    const after = new DynamoDbNotificationLedger(dynamo, table, { now: () => now });
    expect(await after.claim(key, 60_000)).toEqual({ kind: 'claimed' });
  });
});
