/**
 * The log reader through CloudWatch cross-account observability (OAM): a central responder in a monitoring account
 * reads a member (source) account's log group with its own credentials, naming the group by its ARN.
 *
 * aws-sdk-client-mock, not moto: moto's FilterLogEvents does not support `logGroupIdentifier` (it reads only
 * `logGroupName`, see moto/logs/responses.py), and it has no OAM links, so neither the request shape nor a refusal
 * by an unlinked account can be produced by the local endpoint.
 */
import {
  AccessDeniedException,
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchLogsReader, type LogReadRequest, sourceLogGroupArn } from '../../../lambda/adapters/log-reader.js';

const logs = mockClient(CloudWatchLogsClient);
const client = new CloudWatchLogsClient({ region: 'eu-west-1', maxAttempts: 1 });
const MEMBER = { account: '111122223333', region: 'eu-west-1' };
const GROUP = 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod';
const ARN = `arn:aws:logs:eu-west-1:111122223333:log-group:${GROUP}`;

const request: LogReadRequest = { logGroupName: GROUP, startTime: 1_700_000_000_000, endTime: 1_700_000_600_000 };
const limits = () => ({ maxPages: 5, maxEvents: 100, deadlineMs: Date.now() + 10_000 });

describe('CloudWatchLogsReader through cross-account observability', () => {
  beforeEach(() => {
    logs.reset();
  });
  afterEach(() => {
    logs.reset();
  });

  it("names the member's log group by its ARN (logGroupIdentifier, no logGroupName) and keeps the plain name on events", async () => {
    // Prepare
    logs.on(FilterLogEventsCommand).resolves({
      events: [
        {
          eventId: 'e1',
          logStreamName: 's1',
          timestamp: request.startTime + 1,
          message: '(r1) Method completed with status: 502',
        },
      ],
    });
    const reader = new CloudWatchLogsReader(client, { sourceAccount: MEMBER });

    // Act
    const result = await reader.read(request, limits());

    // Assess
    const input = logs.commandCalls(FilterLogEventsCommand)[0]?.args[0].input;
    expect(input).toEqual({
      logGroupIdentifier: ARN,
      startTime: request.startTime,
      endTime: request.endTime,
      limit: 100,
    });
    expect(result.stoppedBy).toBe('end');
    expect(result.events.map((e) => e.logGroupName)).toEqual([GROUP]);
  });

  it('builds the ARN in the partition it is given', () => {
    // Act
    const arn = sourceLogGroupArn({ ...MEMBER, region: 'cn-north-1', partition: 'aws-cn' }, '/aws/lambda/orders');
    // Assess
    expect(arn).toBe('arn:aws-cn:logs:cn-north-1:111122223333:log-group:/aws/lambda/orders');
  });

  it('says an access-denied read is the OAM link, with both fixes (link the account, or turn the setting off)', async () => {
    // Prepare
    logs.on(FilterLogEventsCommand).rejects(
      new AccessDeniedException({
        message: 'User: arn:aws:sts::444455556666:assumed-role/apigw-5xx-responder-central/fn is not authorized',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const reader = new CloudWatchLogsReader(client, { sourceAccount: MEMBER });

    // Act
    const result = await reader.read(request, limits());

    // Assess
    expect(result.stoppedBy).toBe('error');
    expect(result.problem?.kind).toBe('access_denied');
    expect(result.problem?.message).toContain(
      'account 111122223333 (eu-west-1) through CloudWatch cross-account observability',
    );
    expect(result.problem?.message).toContain('is not authorized');
    expect(result.problem?.fix).toContain('Link account 111122223333 to this monitoring account in eu-west-1');
    expect(result.problem?.fix).toContain('AWS::Logs::LogGroup');
    expect(result.problem?.fix).toContain('turn central.logsThroughObservability off');
  });

  it('says a not-found read may be a missing link, and gives the missing group its own fix too', async () => {
    // Prepare
    logs
      .on(FilterLogEventsCommand)
      .rejects(new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} }));
    const reader = new CloudWatchLogsReader(client, { sourceAccount: MEMBER });

    // Act
    const result = await reader.read(request, limits());

    // Assess
    expect(result.problem?.kind).toBe('missing_group');
    expect(result.problem?.message).toContain(ARN);
    expect(result.problem?.fix).toContain('turn central.logsThroughObservability off');
    expect(result.problem?.fix).toContain('aws apigateway update-stage --rest-api-id a1b2c3d4e5 --stage-name prod');
  });
});
