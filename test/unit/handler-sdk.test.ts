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

  it("still publishes when the configuration checks' client cannot load, and says the checks failed", async () => {
    // Prepare: the logs show a malformed proxy response; SNS works; the checks' Lambda client cannot load.
    const id = '5cb7ee58-39e6-11e9-be7e-29aff96747f2';
    logs.on(FilterLogEventsCommand).resolves({
      events: [
        {
          message: `(${id}) Execution failed due to configuration error: Malformed Lambda proxy response`,
          timestamp: NOW - 120_000,
          logStreamName: 's1',
        },
        { message: `(${id}) Method completed with status: 502`, timestamp: NOW - 119_999, logStreamName: 's1' },
      ],
    });
    sns.on(PublishCommand).resolves({ MessageId: 'abc' });
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { handler } = await import('../../lambda/handler.js');

    // Act
    const outcome = await handler(event('ALARM'));

    // Assess: the notification went out, naming the failed checks; the failed load is logged as an error.
    expect(outcome).toMatchObject({ kind: 'published' });
    const [publish] = sns.commandCalls(PublishCommand);
    const text = JSON.parse(publish?.args[0].input.Message ?? '{}').default as string;
    expect(text).toContain('Malformed Lambda proxy response');
    expect(text).toContain('The configuration checks failed');
    expect(errors.join('\n')).toContain('AWS SDK client modules failed to load');
  });
});
