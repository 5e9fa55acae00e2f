import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handlerAlarm, setHandlerEnv } from './handler-env.js';

// SNS's client module fails to load the first time the handler loads it (a broken package in the runtime), and
// loads the second time. (Other test helpers import the module too, so the failure is armed by the test.)
const loads = vi.hoisted(() => ({ armed: false, sns: 0 }));
vi.mock('@aws-sdk/client-sns', async (importOriginal) => {
  const real = await importOriginal<typeof import('@aws-sdk/client-sns')>();
  return {
    ...real,
    get SNSClient() {
      if (loads.armed && ++loads.sns === 1) throw new Error("Cannot find package '@aws-sdk/client-sns'");
      return real.SNSClient;
    },
  };
});

describe('handler: a client the notification needs cannot load', () => {
  const logs = mockClient(CloudWatchLogsClient);
  let restore: () => void = () => undefined;

  beforeEach(() => {
    logs.reset();
    restore = setHandlerEnv();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    restore();
    vi.restoreAllMocks();
  });

  it('fails the invocation loudly, and the next invocation loads the module again', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    const { handler } = await import('../../lambda/handler.js');
    loads.armed = true;
    const event = handlerAlarm('ALARM');

    // Act: the first invocation cannot publish (Lambda's retries and the on-failure queue keep the alarm).
    const error = await handler(event).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).cause ?? (error as Error).message)).toContain(
      "Cannot find package '@aws-sdk/client-sns'",
    );
    expect(logs.commandCalls(FilterLogEventsCommand).length).toBeGreaterThan(0);
    // The failed load was not cached for the execution environment: the next invocation loads SNS again.
    await handler(event).catch(() => undefined);
    expect(loads.sns).toBe(2);
  });
});
