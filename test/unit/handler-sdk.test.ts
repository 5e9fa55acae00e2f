import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { alarmActionEvent } from '../e2e/responder-harness.js';

// The Lambda client's module cannot be loaded (a broken or missing package in the runtime).
vi.mock('@aws-sdk/client-lambda', () => {
  throw new Error("Cannot find package '@aws-sdk/client-lambda'");
});

const NOW = Date.now();
const CONFIG: RuntimeConfig = {
  apis: [{ type: 'REST', name: 'orders-api', id: 'a1b2c3d4e5', stage: 'prod', alarmName: 'orders-api-prod-5xx' }],
  timeBudgetMs: 20_000,
  windowMarginMs: 120_000,
  maxPages: 10,
  maxEvents: 1_000,
};
const event = (state: 'ALARM' | 'OK') =>
  alarmActionEvent({
    alarmName: 'orders-api-prod-5xx',
    apiName: 'orders-api',
    stage: 'prod',
    state,
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
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
  });
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  it('fails the invocation before publishing when a client module cannot be loaded', async () => {
    // Prepare: the logs read and SNS would work; the configuration checks' Lambda client cannot load.
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    sns.on(PublishCommand).resolves({ MessageId: 'abc' });
    const { handler } = await import('../../lambda/handler.js');

    // Act
    const error = await handler(event('OK')).catch((e: unknown) => e);

    // Assess: loud, and nothing went out (the async retry and the on-failure destination keep the alarm).
    // (vitest wraps the module's error in its own; the runtime's import() rejects with the original.)
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).cause)).toContain("Cannot find package '@aws-sdk/client-lambda'");
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});
