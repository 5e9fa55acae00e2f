import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { alarmActionEvent } from '../e2e/responder-harness.js';

const NOW = Date.now();
const CONFIG: RuntimeConfig = {
  apis: [{ type: 'REST', name: 'orders-api', id: 'a1b2c3d4e5', stage: 'prod', alarmName: 'orders-api-prod-5xx' }],
  timeBudgetMs: 20_000,
  windowMarginMs: 120_000,
  maxPages: 10,
  maxEvents: 1_000,
};
const event = () =>
  alarmActionEvent({
    alarmName: 'orders-api-prod-5xx',
    apiName: 'orders-api',
    stage: 'prod',
    state: 'ALARM',
    at: NOW - 60_000,
    evaluationStart: NOW - 360_000,
  });

describe('handler: the AWS SDK loaded on demand', () => {
  const logs = mockClient(CloudWatchLogsClient);
  const sns = mockClient(SNSClient);
  const saved = { ...process.env };

  beforeEach(() => {
    logs.reset();
    sns.reset();
    vi.resetModules();
    Object.assign(process.env, {
      RESPONDER_CONFIG: JSON.stringify(CONFIG),
      TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:responder',
      LEDGER_TABLE: '',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
  });
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  it('says when each client was ready on the first invocation only, and reuses the clients', async () => {
    // Prepare
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    sns.on(PublishCommand).resolves({ MessageId: 'abc' });
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const { handler } = await import('../../lambda/handler.js');

    // Act: a cold and a warm invocation.
    await handler(event());
    await handler(event());

    // Assess
    const loaded = lines
      .map((l) => JSON.parse(l))
      .filter((l) => String(l.message).startsWith('AWS SDK clients loaded'));
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({
      level: 'info',
      readyAfterMs: {
        logs: expect.any(Number),
        sns: expect.any(Number),
        configurationChecks: expect.any(Number),
      },
      waitedMs: expect.any(Number),
    });
    expect(loaded[0].readyAfterMs).not.toHaveProperty('dynamodb');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });
});
