import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handlerAlarm, setHandlerEnv } from './handler-env.js';

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

  it('says when each client was ready on the first invocation only, and reuses the clients', async () => {
    // Prepare
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    sns.on(PublishCommand).resolves({ MessageId: 'abc' });
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const { handler } = await import('../../lambda/handler.js');

    // Act: a cold and a warm invocation.
    await handler(handlerAlarm('ALARM'));
    await handler(handlerAlarm('ALARM'));

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
