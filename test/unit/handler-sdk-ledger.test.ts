import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handlerAlarm, setHandlerEnv } from './handler-env.js';

// The DynamoDB client's module (the notification ledger's) cannot be loaded.
vi.mock('@aws-sdk/client-dynamodb', () => {
  throw new Error("Cannot find package '@aws-sdk/client-dynamodb'");
});

describe("handler: the notification ledger's client cannot load", () => {
  const logs = mockClient(CloudWatchLogsClient);
  const sns = mockClient(SNSClient);
  let restore: () => void = () => undefined;
  beforeEach(() => {
    logs.reset();
    sns.reset();
    vi.resetModules();
    restore = setHandlerEnv({ LEDGER_TABLE: 'ledger' });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    restore();
    vi.restoreAllMocks();
  });

  it('notifies anyway (a duplicate beats a lost alarm) and logs the failed load', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    sns.on(PublishCommand).resolves({ MessageId: 'abc' });
    const errors: string[] = [];
    vi.mocked(console.error).mockImplementation((line: string) => void errors.push(line));
    const { handler } = await import('../../lambda/handler.js');
    const event = handlerAlarm('ALARM');

    const outcome = await handler(event);

    expect(outcome).toMatchObject({ kind: 'published' });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(errors.join('\n')).toContain('AWS SDK client modules failed to load');
  });
});
