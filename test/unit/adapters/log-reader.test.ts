import {
  AccessDeniedException,
  CloudWatchLogsClient,
  CloudWatchLogsServiceException,
  FilterLogEventsCommand,
  InvalidParameterException,
  LimitExceededException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchLogsReader, type LogReadRequest } from '../../../lambda/adapters/log-reader.js';

const logs = mockClient(CloudWatchLogsClient);
const client = new CloudWatchLogsClient({ region: 'us-east-1', maxAttempts: 1 });

const request: LogReadRequest = {
  logGroupName: 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod',
  startTime: 1_700_000_000_000,
  endTime: 1_700_000_600_000,
};

/** A clock the test moves; sleeping moves it too, so backoff costs budget without real waiting. */
function fakeClock(start = 1_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

function event(n: number, stream = 'stream-a') {
  return {
    eventId: `e${n}`,
    logStreamName: stream,
    timestamp: request.startTime + n,
    message: `(req-${n}) Method completed with status: 502`,
  };
}

describe('CloudWatchLogsReader', () => {
  beforeEach(() => {
    logs.reset();
  });
  afterEach(() => {
    logs.reset();
  });

  it('reads every page until there is no next token and sets the log group on each event', async () => {
    // Prepare
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [event(1), event(2)], nextToken: 't1' })
      .resolvesOnce({ events: [event(3, 'stream-b')] });
    const reader = new CloudWatchLogsReader(client);

    // Act
    const result = await reader.read(request, { maxPages: 5, maxEvents: 100, deadlineMs: Date.now() + 10_000 });

    // Assess
    expect(result.stoppedBy).toBe('end');
    expect(result.problem).toBeUndefined();
    expect(result.pages).toBe(2);
    expect(result.events.map((e) => e.logStreamName)).toEqual(['stream-a', 'stream-a', 'stream-b']);
    expect(result.events.every((e) => e.logGroupName === request.logGroupName)).toBe(true);
    expect(result.bytes).toBe(result.events.reduce((sum, e) => sum + e.message.length, 0));
    const calls = logs.commandCalls(FilterLogEventsCommand);
    expect(calls[0]?.args[0].input).toEqual({
      logGroupName: request.logGroupName,
      startTime: request.startTime,
      endTime: request.endTime,
      limit: 100,
    });
    expect(calls[1]?.args[0].input.nextToken).toBe('t1');
  });

  it('passes the filter pattern and stream prefix and asks no more events than the cap leaves', async () => {
    // Prepare
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    const reader = new CloudWatchLogsReader(client);

    // Act
    await reader.read(
      { ...request, filterPattern: '"Method completed"', logStreamNamePrefix: 'abc' },
      { maxPages: 1, maxEvents: 7, pageSize: 50, deadlineMs: Date.now() + 10_000 },
    );

    // Assess
    expect(logs.commandCalls(FilterLogEventsCommand)[0]?.args[0].input).toMatchObject({
      filterPattern: '"Method completed"',
      logStreamNamePrefix: 'abc',
      limit: 7,
    });
  });

  it('stops on the page cap when more pages remain', async () => {
    // Prepare
    logs.on(FilterLogEventsCommand).resolves({ events: [event(1)], nextToken: 'more' });
    const reader = new CloudWatchLogsReader(client);

    // Act
    const result = await reader.read(request, { maxPages: 3, maxEvents: 100, deadlineMs: Date.now() + 10_000 });

    // Assess
    expect(result.stoppedBy).toBe('pages');
    expect(result.pages).toBe(3);
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(3);
  });

  it('stops on the event cap even when a page holds more events than asked for', async () => {
    // Prepare
    logs.on(FilterLogEventsCommand).resolves({ events: [event(1), event(2), event(3)], nextToken: 'more' });
    const reader = new CloudWatchLogsReader(client);

    // Act
    const result = await reader.read(request, { maxPages: 10, maxEvents: 2, deadlineMs: Date.now() + 10_000 });

    // Assess
    expect(result.stoppedBy).toBe('events');
    expect(result.events).toHaveLength(2);
  });

  it('retries a throttled page with growing, jittered backoff and then reads on', async () => {
    // Prepare
    const clock = fakeClock();
    logs
      .on(FilterLogEventsCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }))
      .rejectsOnce(new LimitExceededException({ message: 'Limit exceeded', $metadata: {} }))
      .rejectsOnce(new ServiceUnavailableException({ message: 'Unavailable', $metadata: {} }))
      .resolvesOnce({ events: [event(1)] });
    const reader = new CloudWatchLogsReader(client, { sleep: clock.sleep, random: () => 0.5, baseDelayMs: 100 });

    // Act
    const result = await reader.read(request, {
      maxPages: 5,
      maxEvents: 100,
      deadlineMs: clock.now() + 10_000,
      now: clock.now,
    });

    // Assess
    expect(result.stoppedBy).toBe('end');
    expect(result.problem).toBeUndefined();
    expect(result.events).toHaveLength(1);
    expect(clock.sleeps).toEqual([50, 100, 200]);
  });

  it('fails with a throttled problem after the last attempt and keeps the events read before', async () => {
    // Prepare
    const clock = fakeClock();
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [event(1), event(2)], nextToken: 't1' })
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    const reader = new CloudWatchLogsReader(client, { sleep: clock.sleep, random: () => 0.99, maxAttempts: 3 });

    // Act
    const result = await reader.read(request, {
      maxPages: 5,
      maxEvents: 100,
      deadlineMs: clock.now() + 60_000,
      now: clock.now,
    });

    // Assess
    expect(result.stoppedBy).toBe('error');
    expect(result.events).toHaveLength(2);
    expect(result.problem).toMatchObject({ kind: 'throttled', errorName: 'ThrottlingException' });
    expect(result.problem?.message).toContain('(3 attempts): Rate exceeded');
    expect(result.problem?.fix).toContain(`aws logs filter-log-events --log-group-name '${request.logGroupName}'`);
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(4);
  });

  it('fails with a throttled problem and stops on the budget when the next backoff would pass the deadline', async () => {
    // Prepare
    const clock = fakeClock();
    logs.on(FilterLogEventsCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    const reader = new CloudWatchLogsReader(client, {
      sleep: clock.sleep,
      random: () => 0.99,
      baseDelayMs: 1_000,
      maxAttempts: 10,
    });

    // Act
    const result = await reader.read(request, {
      maxPages: 5,
      maxEvents: 100,
      deadlineMs: clock.now() + 2_500,
      now: clock.now,
    });

    // Assess
    expect(result.stoppedBy).toBe('budget');
    expect(result.problem?.kind).toBe('throttled');
    expect(clock.now()).toBeLessThan(1_000 + 2_500);
  });

  it('fails with access_denied for AccessDeniedException and names the permission to grant', async () => {
    // Prepare
    logs.on(FilterLogEventsCommand).rejects(
      new AccessDeniedException({
        message:
          'User: arn:aws:sts::123456789012:assumed-role/responder is not authorized to perform: logs:FilterLogEvents',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const reader = new CloudWatchLogsReader(client);

    // Act
    const result = await reader.read(request, { maxPages: 5, maxEvents: 100, deadlineMs: Date.now() + 10_000 });

    // Assess
    expect(result.stoppedBy).toBe('error');
    expect(result.events).toEqual([]);
    expect(result.problem?.kind).toBe('access_denied');
    expect(result.problem?.fix).toContain('logs:FilterLogEvents');
    expect(result.problem?.fix).toContain('cdk deploy');
  });

  it('fails with access_denied for a generic 403 from the SDK', async () => {
    // Prepare
    logs.on(FilterLogEventsCommand).rejects(
      new CloudWatchLogsServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        message: 'Access Denied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const reader = new CloudWatchLogsReader(client);

    // Act
    const result = await reader.read(request, { maxPages: 5, maxEvents: 100, deadlineMs: Date.now() + 10_000 });

    // Assess
    expect(result.problem).toMatchObject({ kind: 'access_denied', errorName: 'AccessDenied' });
  });

  it('fails with missing_group for a missing execution log group and gives the commands that turn logging on', async () => {
    // Prepare
    logs
      .on(FilterLogEventsCommand)
      .rejects(new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} }));
    const reader = new CloudWatchLogsReader(client);

    // Act
    const result = await reader.read(request, { maxPages: 5, maxEvents: 100, deadlineMs: Date.now() + 10_000 });

    // Assess
    expect(result.problem?.kind).toBe('missing_group');
    expect(result.problem?.message).toBe(
      `Log group ${request.logGroupName} does not exist: The specified log group does not exist.`,
    );
    expect(result.problem?.fix).toContain(
      "aws apigateway update-stage --rest-api-id a1b2c3d4e5 --stage-name prod --patch-operations 'op=replace,path=/*/*/logging/loglevel,value=INFO'",
    );
    expect(result.problem?.fix).toContain(
      'aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=ROLE_ARN',
    );
  });

  it('fails with other for an unexpected error without retrying it', async () => {
    // Prepare
    logs
      .on(FilterLogEventsCommand)
      .rejects(new InvalidParameterException({ message: 'Invalid filter pattern', $metadata: {} }));
    const reader = new CloudWatchLogsReader(client);

    // Act
    const result = await reader.read(request, { maxPages: 5, maxEvents: 100, deadlineMs: Date.now() + 10_000 });

    // Assess
    expect(result.problem).toMatchObject({
      kind: 'other',
      message: `Reading log group ${request.logGroupName} failed: InvalidParameterException: Invalid filter pattern`,
    });
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(1);
  });

  it('stops on the budget after a slow page used it up, keeping that page', async () => {
    // Prepare
    const clock = fakeClock();
    logs.on(FilterLogEventsCommand).callsFake(async () => {
      clock.advance(5_000);
      return { events: [event(1)], nextToken: 'more' };
    });
    const reader = new CloudWatchLogsReader(client);

    // Act
    const result = await reader.read(request, {
      maxPages: 10,
      maxEvents: 100,
      deadlineMs: clock.now() + 4_000,
      now: clock.now,
    });

    // Assess
    expect(result.stoppedBy).toBe('budget');
    expect(result.pages).toBe(1);
    expect(result.events).toHaveLength(1);
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(1);
  });

  it('stops on the budget when a page does not answer before the deadline', async () => {
    // Prepare
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [event(1)], nextToken: 't1' })
      .callsFake(() => new Promise(() => {}));
    const reader = new CloudWatchLogsReader(client);
    const started = Date.now();

    // Act
    const result = await reader.read(request, { maxPages: 10, maxEvents: 100, deadlineMs: started + 200 });

    // Assess
    expect(result.stoppedBy).toBe('budget');
    expect(result.problem).toBeUndefined();
    expect(result.events).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('makes no call when the deadline has already passed', async () => {
    // Prepare
    logs.on(FilterLogEventsCommand).resolves({ events: [event(1)] });
    const reader = new CloudWatchLogsReader(client);

    // Act
    const result = await reader.read(request, { maxPages: 10, maxEvents: 100, deadlineMs: Date.now() - 1 });

    // Assess
    expect(result).toEqual({ events: [], pages: 0, bytes: 0, matched: 0, stoppedBy: 'budget' });
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(0);
  });
});
