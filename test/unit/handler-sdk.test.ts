import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handlerAlarm, setHandlerEnv } from './handler-env.js';

// The Lambda client's module cannot be loaded (a broken or missing package in the runtime).
vi.mock('@aws-sdk/client-lambda', () => {
  throw new Error("Cannot find package '@aws-sdk/client-lambda'");
});

const NOW = Date.now();

describe('handler: the AWS SDK loaded on demand', () => {
  const logs = mockClient(CloudWatchLogsClient);
  const sns = mockClient(SNSClient);
  let restore: () => void = () => undefined;

  beforeEach(() => {
    logs.reset();
    sns.reset();
    vi.resetModules();
    restore = setHandlerEnv();
  });
  afterEach(() => {
    restore();
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
    const outcome = await handler(handlerAlarm('ALARM'));

    // Assess: the notification went out, naming the failed checks; the failed load is logged as an error.
    expect(outcome).toMatchObject({ kind: 'published' });
    const [publish] = sns.commandCalls(PublishCommand);
    const text = JSON.parse(publish?.args[0].input.Message ?? '{}').default as string;
    expect(text).toContain('Malformed Lambda proxy response');
    expect(text).toContain('The configuration checks failed');
    expect(errors.join('\n')).toContain('AWS SDK client modules failed to load');
  });
});
