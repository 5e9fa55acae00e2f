import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { alarmActionEvent } from '../e2e/responder-harness.js';

// The DynamoDB client's module (the notification ledger's) cannot be loaded.
vi.mock('@aws-sdk/client-dynamodb', () => {
  throw new Error("Cannot find package '@aws-sdk/client-dynamodb'");
});

const NOW = Date.now();
const CONFIG: RuntimeConfig = {
  apis: [{ type: 'REST', name: 'orders-api', id: 'a1b2c3d4e5', stage: 'prod', alarmName: 'orders-api-prod-5xx' }],
  timeBudgetMs: 20_000,
  windowMarginMs: 120_000,
  maxPages: 10,
  maxEvents: 1_000,
};

describe("handler: the notification ledger's client cannot load", () => {
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
      LEDGER_TABLE: 'ledger',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  it('notifies anyway (a duplicate beats a lost alarm) and logs the failed load', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    sns.on(PublishCommand).resolves({ MessageId: 'abc' });
    const errors: string[] = [];
    vi.mocked(console.error).mockImplementation((line: string) => void errors.push(line));
    const { handler } = await import('../../lambda/handler.js');
    const event = alarmActionEvent({
      alarmName: 'orders-api-prod-5xx',
      apiName: 'orders-api',
      stage: 'prod',
      state: 'ALARM',
      at: NOW - 60_000,
      evaluationStart: NOW - 360_000,
    });

    const outcome = await handler(event);

    expect(outcome).toMatchObject({ kind: 'published' });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(errors.join('\n')).toContain('AWS SDK client modules failed to load');
  });
});
