import { randomUUID } from 'node:crypto';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { CloudWatchLogsReader, type LogReadRequest } from '../../lambda/adapters/log-reader.js';
import { clientConfig } from '../../scripts/local-aws.js';

// Execution log lines as API Gateway writes them for a REST API stage with logging at INFO
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html), shortened.
function requestLines(requestId: string): string[] {
  return [
    `(${requestId}) Extended Request Id: ${requestId.slice(0, 8)}=`,
    `(${requestId}) Starting execution for request: ${requestId}`,
    `(${requestId}) Endpoint response body before transformations: {"message":"ok"}`,
    `(${requestId}) Execution failed due to configuration error: Malformed Lambda proxy response`,
    `(${requestId}) Method completed with status: 502`,
  ];
}

const client = new CloudWatchLogsClient({ ...clientConfig(inject('awsEndpoint')), maxAttempts: 1 });
const reader = new CloudWatchLogsReader(client);
const logGroupName = `API-Gateway-Execution-Logs_e2e${randomUUID().slice(0, 7)}/prod`;
// moto, like CloudWatch Logs, rejects events older than 14 days: the incident happened a few minutes ago.
const incidentStart = Date.now() - 10 * 60_000;
const windowStart = incidentStart;
const windowEnd = incidentStart + 5 * 60_000;

async function putRequests(stream: string, requests: readonly { id: string; at: number }[]): Promise<void> {
  await client.send(new CreateLogStreamCommand({ logGroupName, logStreamName: stream }));
  const logEvents = requests.flatMap(({ id, at }) =>
    requestLines(id).map((message, i) => ({ message, timestamp: at + i })),
  );
  await client.send(new PutLogEventsCommand({ logGroupName, logStreamName: stream, logEvents }));
}

function readAll(overrides: Partial<LogReadRequest> = {}) {
  return { logGroupName, startTime: windowStart, endTime: windowEnd, ...overrides };
}

beforeAll(async () => {
  await client.send(new CreateLogGroupCommand({ logGroupName }));
  // 3 requests in the window on stream A, 2 in the window and 1 before it on stream B: 25 lines in the window.
  await putRequests('a1b2c3d4e5f6', [
    { id: 'req-a1', at: incidentStart + 1_000 },
    { id: 'req-a2', at: incidentStart + 2_000 },
    { id: 'req-a3', at: incidentStart + 3_000 },
  ]);
  await putRequests('0f9e8d7c6b5a', [
    { id: 'req-b0', at: incidentStart - 60_000 },
    { id: 'req-b1', at: incidentStart + 1_500 },
    { id: 'req-b2', at: incidentStart + 2_500 },
  ]);
});

describe('CloudWatchLogsReader against a local CloudWatch Logs', () => {
  it('reads the events of both streams inside the window and none before it', async () => {
    // Act
    const result = await reader.read(readAll(), { maxPages: 10, maxEvents: 1_000, deadlineMs: Date.now() + 20_000 });

    // Assess
    expect(result.stoppedBy).toBe('end');
    expect(result.problem).toBeUndefined();
    expect(result.pages).toBe(1);
    expect(result.events).toHaveLength(25);
    expect(new Set(result.events.map((e) => e.logStreamName))).toEqual(new Set(['a1b2c3d4e5f6', '0f9e8d7c6b5a']));
    expect(result.events.some((e) => e.message.includes('req-b0'))).toBe(false);
    expect(result.events.every((e) => e.logGroupName === logGroupName && typeof e.timestamp === 'number')).toBe(true);
    expect(result.bytes).toBe(result.events.reduce((sum, e) => sum + e.message.length, 0));
  });

  it('returns only the lines that match a quoted filter pattern', async () => {
    // Act
    const result = await reader.read(readAll({ filterPattern: '"Method completed"' }), {
      maxPages: 10,
      maxEvents: 1_000,
      deadlineMs: Date.now() + 20_000,
    });

    // Assess
    expect(result.stoppedBy).toBe('end');
    expect(result.events.map((e) => e.message).sort()).toEqual(
      ['req-a1', 'req-a2', 'req-a3', 'req-b1', 'req-b2'].map((id) => `(${id}) Method completed with status: 502`),
    );
  });

  it('follows next tokens page by page to the end', async () => {
    // Act
    const result = await reader.read(readAll(), {
      maxPages: 100,
      maxEvents: 1_000,
      pageSize: 4,
      deadlineMs: Date.now() + 20_000,
    });

    // Assess
    expect(result.stoppedBy).toBe('end');
    expect(result.pages).toBe(7);
    expect(result.events).toHaveLength(25);
    expect(new Set(result.events.map((e) => `${e.logStreamName}:${e.timestamp}:${e.message}`)).size).toBe(25);
  });

  it('stops on the page cap with the pages it read', async () => {
    // Act
    const result = await reader.read(readAll(), {
      maxPages: 2,
      maxEvents: 1_000,
      pageSize: 4,
      deadlineMs: Date.now() + 20_000,
    });

    // Assess
    expect(result.stoppedBy).toBe('pages');
    expect(result.pages).toBe(2);
    expect(result.events).toHaveLength(8);
  });

  it('stops on the event cap with exactly that many events', async () => {
    // Act
    const result = await reader.read(readAll(), {
      maxPages: 100,
      maxEvents: 10,
      pageSize: 4,
      deadlineMs: Date.now() + 20_000,
    });

    // Assess
    expect(result.stoppedBy).toBe('events');
    expect(result.events).toHaveLength(10);
    expect(result.pages).toBe(3);
  });

  it('fails with a missing_group problem for a log group that does not exist', async () => {
    // Act
    const result = await reader.read(readAll({ logGroupName: 'API-Gateway-Execution-Logs_zz9yy8xx7w/prod' }), {
      maxPages: 10,
      maxEvents: 1_000,
      deadlineMs: Date.now() + 20_000,
    });

    // Assess
    expect(result.stoppedBy).toBe('error');
    expect(result.events).toEqual([]);
    expect(result.problem).toMatchObject({ kind: 'missing_group', errorName: 'ResourceNotFoundException' });
    expect(result.problem?.fix).toContain('--rest-api-id zz9yy8xx7w --stage-name prod');
  });
});
