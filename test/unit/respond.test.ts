import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-cloudwatch-logs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogReadLimits, LogReadRequest, LogReadResult } from '../../lambda/adapters/log-reader.js';
import type { Notification } from '../../lambda/adapters/publisher.js';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { parseAlarmEvent } from '../../lambda/respond/alarm-event.js';
import { apiForAlarm, type RespondDeps, respond, windowFor } from '../../lambda/respond/respond.js';
import { alarmActionEvent } from '../e2e/responder-harness.js';
import { captureLogLines } from '../helpers/log-lines.js';

const NOW = Date.parse('2026-11-25T03:20:00.000Z');
const CONFIG: RuntimeConfig = {
  apis: [
    { type: 'REST', name: 'orders-api', id: 'a1b2c3d4e5', stage: 'prod', alarmName: 'orders-api-prod-5xx' },
    { type: 'HTTP', id: 'f6g7h8i9j0', stage: '$default', accessLogGroup: '/aws/apigateway/payments' },
  ],
  timeBudgetMs: 20_000,
  windowMarginMs: 120_000,
  maxPages: 10,
  maxEvents: 1_000,
};

function event(state: 'ALARM' | 'OK' = 'ALARM', alarmName = 'orders-api-prod-5xx', apiName = 'orders-api') {
  return alarmActionEvent({
    alarmName,
    apiName,
    stage: 'prod',
    state,
    at: NOW - 60_000,
    evaluationStart: NOW - 360_000,
    previousAt: NOW - 780_000,
  });
}

/** A reader port serving fixed results per log group, recording what was asked. */
function readerServing(results: Record<string, Partial<LogReadResult>>) {
  const calls: Array<{ request: LogReadRequest; limits: LogReadLimits }> = [];
  return {
    calls,
    read: async (request: LogReadRequest, limits: LogReadLimits): Promise<LogReadResult> => {
      calls.push({ request, limits });
      return { events: [], pages: 1, bytes: 0, matched: 0, stoppedBy: 'end', ...results[request.logGroupName] };
    },
  };
}

function deps(overrides: Partial<RespondDeps> & { published?: Notification[] } = {}): RespondDeps {
  const published = overrides.published ?? [];
  return {
    reader: readerServing({}),
    publisher: {
      publish: async (n) => {
        published.push(n);
        return { messageId: 'm-1' };
      },
    },
    config: CONFIG,
    now: () => NOW,
    log: () => {},
    ...overrides,
  };
}

describe('respond', () => {
  it('reads the execution log for the alarm window with the narrowing filter, within the budget', async () => {
    const reader = readerServing({
      'API-Gateway-Execution-Logs_a1b2c3d4e5/prod': {
        events: [
          {
            message:
              '(8212e5af-c174-48ce-85d5-729d73c6771a) Execution failed due to configuration error: Malformed Lambda proxy response',
          },
          { message: '(8212e5af-c174-48ce-85d5-729d73c6771a) Method completed with status: 502' },
        ],
      },
    });
    const published: Notification[] = [];
    const outcome = await respond(event(), deps({ reader, published, remainingMs: () => 60_000 }));
    expect(outcome.kind).toBe('published');
    // First the failed requests are counted (status lines only, not kept), then the window is read.
    expect(reader.calls).toHaveLength(2);
    expect(reader.calls[0]?.request).toMatchObject({
      filterPattern: '"Method completed with status: 5"',
      countOnly: true,
    });
    const call = reader.calls[1];
    expect(call?.request).toMatchObject({
      logGroupName: 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod',
      startTime: NOW - 480_000,
      endTime: NOW,
    });
    expect(call?.request.filterPattern).toContain('?"Method completed"');
    // The count's page is part of the page cap.
    expect(call?.limits).toMatchObject({ maxPages: 9, maxEvents: 1_000, deadlineMs: NOW + 20_000 });
    expect(published[0]?.subject).toBe('[ALARM] orders-api/prod: 502 malformed Lambda proxy response (100%)');
    expect(published[0]?.attributes).toEqual({
      cause: 'malformed_lambda_response',
      api: 'orders-api',
      stage: 'prod',
      status: '502',
      state: 'ALARM',
    });
  });

  it('shortens the budget when the function has little time left, keeping time to publish', async () => {
    const reader = readerServing({});
    await respond(event(), deps({ reader, remainingMs: () => 12_000 }));
    expect(reader.calls[1]?.limits.deadlineMs).toBe(NOW + 4_000);
  });

  it('publishes a partial diagnosis that says the budget ran out', async () => {
    const reader = readerServing({ 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod': { stoppedBy: 'budget', pages: 7 } });
    const published: Notification[] = [];
    await respond(event(), deps({ reader, published }));
    expect(published[0]?.emailText).toContain(
      'stopped at the time budget after 7 page(s) and 0 event(s): this diagnosis is partial',
    );
  });

  it('still reads the events when the count of failed requests was cut by throttling (an alarm storm)', async () => {
    // Prepare: the count read (status-line filter) gets no slot of the shared rate; the events read works.
    const group = 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod';
    const calls: LogReadRequest[] = [];
    const reader = {
      read: async (request: LogReadRequest): Promise<LogReadResult> => {
        calls.push(request);
        if (request.countOnly === true)
          return {
            events: [],
            pages: 0,
            bytes: 0,
            matched: 0,
            stoppedBy: 'budget',
            problem: {
              kind: 'throttled',
              logGroupName: group,
              errorName: 'ReadRateLimit',
              message: 'no slot',
              fix: 'later',
            },
          };
        return {
          events: [
            {
              message:
                '(8212e5af-c174-48ce-85d5-729d73c6771a) Execution failed due to configuration error: Malformed Lambda proxy response',
            },
            { message: '(8212e5af-c174-48ce-85d5-729d73c6771a) Method completed with status: 502' },
          ],
          pages: 1,
          bytes: 100,
          matched: 2,
          stoppedBy: 'end',
        };
      },
    };
    const published: Notification[] = [];
    // Act
    await respond(event(), deps({ reader, published }));
    // Assess: both reads were made, the diagnosis comes from the events, and nothing claims a partial read.
    expect(calls.map((c) => c.countOnly === true)).toEqual([true, false]);
    expect(published[0]?.subject).toContain('502 malformed Lambda proxy response');
    expect(published[0]?.emailText).not.toContain('no slot');
  });

  it('fails the invocation when publishing fails, so the async retry and the on-failure destination keep the alarm', async () => {
    const failing = deps({ publisher: { publish: async () => Promise.reject(new Error('SNS down')) } });
    await expect(respond(event(), failing)).rejects.toThrow('SNS down');
  });

  it('ignores a malformed event with a logged error instead of throwing into a retry loop', async () => {
    const log = vi.fn();
    const published: Notification[] = [];
    const outcome = await respond({ detail: 'nonsense' }, deps({ log, published }));
    expect(outcome).toEqual({ kind: 'ignored', reason: expect.stringMatching(/^not an alarm event/) });
    expect(published).toEqual([]);
    expect(log).toHaveBeenCalledWith('error', expect.stringMatching(/^malformed alarm event: not an alarm event/), {
      event: { keys: ['detail'] },
    });
  });

  it('still tells someone when an alarm matches no configured API', async () => {
    const published: Notification[] = [];
    await respond(
      event('ALARM', 'someone-elses-alarm', 'someone-elses-api'),
      deps({
        published,
        config: { ...CONFIG, apis: [...CONFIG.apis, { type: 'REST', name: 'other', id: 'zzzzzzzzzz', stage: 'dev' }] },
      }),
    );
    expect(published[0]?.subject).toBe('[ALARM] someone-elses-alarm: API not configured in the 5xx responder');
    expect(published[0]?.emailText).toMatch(
      /^Cause: unknown: alarm someone-elses-alarm is in ALARM but matches no API/,
    );
  });

  it('sends a short recovery on OK without reading logs', async () => {
    const reader = readerServing({});
    const published: Notification[] = [];
    await respond(event('OK'), deps({ reader, published }));
    expect(reader.calls).toEqual([]);
    expect(published[0]?.subject).toBe('[OK] orders-api/prod: 5xx alarm recovered after 12 min');
  });

  it('reads only the access log of an HTTP API and says when a REST execution log is missing', async () => {
    const reader = readerServing({});
    await respond(
      alarmActionEvent({ alarmName: 'x', apiName: '', stage: '$default', state: 'ALARM', at: NOW }),
      deps({ reader, config: { ...CONFIG, apis: [CONFIG.apis[1] as RuntimeConfig['apis'][number]] } }),
    );
    expect(reader.calls.map((c) => [c.request.logGroupName, c.request.filterPattern])).toEqual([
      ['/aws/apigateway/payments', undefined],
    ]);
  });
});

describe('apiForAlarm and windowFor', () => {
  it('maps by alarm name, then by dimensions', () => {
    const byName = parseAlarmEvent(event());
    expect(apiForAlarm(byName, CONFIG)?.id).toBe('a1b2c3d4e5');
    const byDims = parseAlarmEvent(event('ALARM', 'renamed-alarm'));
    expect(apiForAlarm(byDims, CONFIG)?.id).toBe('a1b2c3d4e5');
  });

  it('bounds the window to an hour and never reads the future', () => {
    const notice = { ...parseAlarmEvent(event()), evaluationStart: NOW - 10 * 3_600_000 };
    expect(windowFor(notice, CONFIG, NOW)).toEqual({ start: NOW - 3_600_000, end: NOW });
  });
});

describe('handler', () => {
  const logLines = captureLogLines();
  const logs = mockClient(CloudWatchLogsClient);
  const sns = mockClient(SNSClient);
  const saved = { ...process.env };

  beforeEach(() => {
    logs.reset();
    sns.reset();
    vi.resetModules();
    Object.assign(process.env, {
      // A short budget: the reader retries throttling until the budget runs out.
      RESPONDER_CONFIG: JSON.stringify({ ...CONFIG, timeBudgetMs: 4_000 }),
      TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:responder',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('throws when SNS refuses the message, carrying the SDK error as the cause', async () => {
    logs
      .on(FilterLogEventsCommand)
      .rejects(new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} }));
    sns.on(PublishCommand).rejects(new Error('Rate exceeded'));
    const { handler } = await import('../../lambda/handler.js');
    const error = await handler(event()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('PublishError');
    expect(((error as Error).cause as Error).message).toBe('Rate exceeded');
    // The unreadable log group is logged, as is the (empty) diagnosis, before the publish fails.
    expect(logLines.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'log read incomplete', problem: 'missing_group' }),
    );
    expect(logLines.lines).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'diagnosed', failedRequests: 0 }),
    );
  });

  it('publishes a partial diagnosis that says so when CloudWatch Logs keeps throttling', async () => {
    // Prepare: the first page arrives, then every read is throttled (the real exception class).
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [] })
      .resolvesOnce({
        events: [
          {
            message:
              '(8212e5af-c174-48ce-85d5-729d73c6771a) Execution failed due to configuration error: Malformed Lambda proxy response',
            timestamp: NOW - 100_000,
          },
          {
            message: '(8212e5af-c174-48ce-85d5-729d73c6771a) Method completed with status: 502',
            timestamp: NOW - 100_000,
          },
        ],
        nextToken: 'page-2',
      })
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    sns.on(PublishCommand).resolves({ MessageId: 'abc' });
    const { handler } = await import('../../lambda/handler.js');
    // Act
    await handler(event());
    // Assess
    const body = JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '{}') as Record<
      string,
      string
    >;
    expect(body.email?.split('\n')[0]).toBe(
      'Cause: 502 malformed Lambda proxy response: 1 of 1 failed requests (100%), from logs only',
    );
    // The reader backs off and retries until the time budget (not a fixed 4 attempts), then says what it missed.
    const attempts =
      /CloudWatch Logs throttled reads of API-Gateway-Execution-Logs_a1b2c3d4e5\/prod \((\d+) attempts\): Rate exceeded/.exec(
        body.email ?? '',
      );
    expect(Number(attempts?.[1])).toBeGreaterThan(4);
    expect(body.email).toContain('The diagnosis covers only the events read before the throttling.');
  }, 30_000);

  it('publishes MessageStructure json with default and email texts and the filter attributes', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    sns.on(PublishCommand).resolves({ MessageId: 'abc' });
    const { handler } = await import('../../lambda/handler.js');
    await handler(event());
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.MessageStructure).toBe('json');
    const body = JSON.parse(input?.Message ?? '{}') as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['default', 'email', 'https', 'lambda']);
    // Chatbot's HTTPS subscription receives the custom-notification JSON; the Slack forwarder (a Lambda
    // subscription) receives the Block Kit payload.
    expect(JSON.parse(body.https ?? '{}')).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown' },
      metadata: { threadId: 'orders-api-prod-5xx' },
    });
    expect(JSON.parse(body.lambda ?? '{}')).toMatchObject({
      text: expect.stringMatching(/^Cause: /),
      blocks: expect.any(Array),
    });
    expect(body.email?.split('\n')[0]).toBe(
      'Cause: no failed request found in the logs read for orders-api/prod (a1b2c3d4e5, us-east-1) in account 123456789012',
    );
    expect(input?.MessageAttributes?.cause).toEqual({ DataType: 'String', StringValue: 'none' });
  });
});

describe('respond with a huge incident', () => {
  it('counts every failed request, reads an evenly spread sample, and says so with the ratio', async () => {
    // Prepare: 48,113 failed requests counted; each slice of the window yields one failed request.
    const calls: Array<{ request: LogReadRequest; limits: LogReadLimits }> = [];
    let slice = 0;
    const reader = {
      read: async (request: LogReadRequest, limits: LogReadLimits): Promise<LogReadResult> => {
        calls.push({ request, limits });
        if (request.countOnly === true) return { events: [], pages: 5, bytes: 0, matched: 48_113, stoppedBy: 'end' };
        const id = `${(slice++).toString(16).padStart(8, '0')}-aaaa-4bbb-8ccc-dddddddddddd`;
        return {
          events: [
            { message: `(${id}) Execution failed due to configuration error: Malformed Lambda proxy response` },
            { message: `(${id}) Method completed with status: 502` },
          ],
          pages: 1,
          bytes: 0,
          matched: 2,
          stoppedBy: 'events',
        };
      },
    };
    const published: Notification[] = [];
    // Act
    await respond(event(), deps({ reader, published }));
    // Assess
    const reads = calls.filter((c) => c.request.countOnly !== true);
    expect(reads).toHaveLength(10);
    const starts = reads.map((c) => c.request.startTime);
    expect(starts[0]).toBe(NOW - 480_000);
    expect(reads.at(-1)?.request.endTime).toBe(NOW);
    // Evenly spread: every slice has the same length, and each reads only its share of the event cap.
    expect(new Set(reads.map((c) => c.request.endTime - c.request.startTime)).size).toBeLessThanOrEqual(2);
    expect(reads[0]?.limits.maxEvents).toBe(100);
    const lines = published[0]?.emailText.split('\n') ?? [];
    // The headline says the true total and the sample's size, never the sample as the total (issue 11 item 4).
    expect(lines[0]).toBe(
      'Cause: 502 malformed Lambda proxy response: 100% of 48,113 failed requests (10 of 10 classified)',
    );
    expect(lines[3]).toBe(
      'Sampled: classified 10 of 48,113 failed requests, sampled evenly across the window (10 slices); counts and shares are from the sample.',
    );
  });
});
