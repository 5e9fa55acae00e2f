/**
 * The handler's choice for a member account's alarm in central mode: with `logsThroughObservability`, the logs are
 * read through CloudWatch cross-account observability (the function's own credentials, the group's ARN in the
 * member account), while the configuration checks, metrics and CloudTrail still go through the member role.
 *
 * aws-sdk-client-mock, not moto: moto's FilterLogEvents does not support `logGroupIdentifier` (moto/logs/responses.py
 * reads only `logGroupName`), so the local endpoint cannot answer a read through OAM. Every other client is mocked to
 * refuse, so that nothing leaves the machine; the handler treats those reads as best effort.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { AccessDeniedException, CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACCOUNTS_ENV, type AccountsConfig } from '../../lambda/adapters/account-credentials.js';
import { alarmActionEvent } from '../e2e/responder-harness.js';
import { setHandlerEnv } from './handler-env.js';

const HOME = '444455556666';
const MEMBER = '111122223333';
const MEMBER_REGION = 'eu-west-1';
const ROLE = `arn:aws:iam::${MEMBER}:role/apigw-5xx-responder-read-${MEMBER_REGION}`;
const GROUP = 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod';

/** What a client of the mocked call was built with: its Region and the access key its credentials resolve to. */
async function builtWith(call: { thisValue: unknown }): Promise<{ region: string; key: string }> {
  const config = (
    call.thisValue as { config: { region: () => Promise<string>; credentials: () => Promise<{ accessKeyId: string }> } }
  ).config;
  return { region: await config.region(), key: (await config.credentials()).accessKeyId };
}

describe('handler: logs of a member account through cross-account observability', () => {
  const logs = mockClient(CloudWatchLogsClient);
  const sns = mockClient(SNSClient);
  const sts = mockClient(STSClient);
  const apiGateway = mockClient(APIGatewayClient);
  const others = [
    mockClient(ApiGatewayV2Client),
    mockClient(LambdaClient),
    mockClient(CloudWatchClient),
    mockClient(CloudTrailClient),
  ];
  let restore: () => void = () => undefined;

  function setUp(logsThroughObservability: boolean): void {
    const accounts: AccountsConfig = {
      homeAccount: HOME,
      homeRegion: 'us-east-1',
      roleArn: 'arn:aws:iam::{account}:role/apigw-5xx-responder-read-{region}',
      externalId: 'apigw-5xx-demo-external-id',
      ...(logsThroughObservability ? { logsThroughObservability } : {}),
    };
    restore = setHandlerEnv({ [ACCOUNTS_ENV]: JSON.stringify(accounts) });
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    sns.on(PublishCommand).resolves({ MessageId: 'abc' });
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAMEMBER',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 900_000),
      },
    });
    apiGateway.rejects(new Error('not answered in this test'));
    for (const m of others) m.rejects(new Error('not answered in this test'));
  }

  beforeEach(() => {
    for (const m of [logs, sns, sts, apiGateway, ...others]) m.reset();
    vi.resetModules();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    restore();
    vi.restoreAllMocks();
  });

  const memberAlarm = () =>
    alarmActionEvent({
      alarmName: 'orders-api-prod-5xx',
      apiName: 'orders-api',
      stage: 'prod',
      state: 'ALARM',
      at: Date.now() - 60_000,
      region: MEMBER_REGION,
      accountId: MEMBER,
    });

  it("reads the member's logs with its own credentials by ARN, and the rest through the member role", async () => {
    // Prepare
    setUp(true);
    const { handler } = await import('../../lambda/handler.js');

    // Act
    const outcome = await handler(memberAlarm());

    // Assess: every log read names the group by its ARN in the member account, with the function's own key.
    expect(outcome).toMatchObject({ kind: 'published' });
    const reads = logs.commandCalls(FilterLogEventsCommand);
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) {
      expect(read.args[0].input.logGroupName).toBeUndefined();
      expect(read.args[0].input.logGroupIdentifier).toMatch(
        new RegExp(`^arn:aws:logs:${MEMBER_REGION}:${MEMBER}:log-group:`),
      );
    }
    expect(reads.map((r) => r.args[0].input.logGroupIdentifier)).toContain(
      `arn:aws:logs:${MEMBER_REGION}:${MEMBER}:log-group:${GROUP}`,
    );
    expect(await builtWith(logs.call(0))).toEqual({ region: MEMBER_REGION, key: 'testing' });
    // ... while API Gateway is read as the member role, in the member's Region.
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input.RoleArn).toBe(ROLE);
    expect(apiGateway.calls().length).toBeGreaterThan(0);
    expect(await builtWith(apiGateway.call(0))).toEqual({ region: MEMBER_REGION, key: 'ASIAMEMBER' });
  });

  it('publishes that an unlinked account refused the read, with the fix, never "no failures"', async () => {
    // Prepare: the account is not linked, so the monitoring account may not read its group.
    setUp(true);
    logs.on(FilterLogEventsCommand).rejects(
      new AccessDeniedException({
        message: `User: arn:aws:sts::${HOME}:assumed-role/apigw-5xx-responder-central/fn is not authorized to perform: logs:FilterLogEvents`,
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const { handler } = await import('../../lambda/handler.js');

    // Act
    const outcome = await handler(memberAlarm());

    // Assess
    expect(outcome).toMatchObject({ kind: 'published' });
    const [publish] = sns.commandCalls(PublishCommand);
    const text = JSON.parse(publish?.args[0].input.Message ?? '{}').default as string;
    expect(text).toContain('through CloudWatch cross-account observability');
    expect(text).toContain(`Link account ${MEMBER} to this monitoring account in ${MEMBER_REGION}`);
    expect(text).toContain('central.logsThroughObservability off');
  });

  it('reads the logs through the member role, by name, when the setting is off', async () => {
    // Prepare
    setUp(false);
    const { handler } = await import('../../lambda/handler.js');

    // Act
    await handler(memberAlarm());

    // Assess
    const [read] = logs.commandCalls(FilterLogEventsCommand);
    expect(read?.args[0].input.logGroupIdentifier).toBeUndefined();
    expect(read?.args[0].input.logGroupName).toBe(GROUP);
    expect(await builtWith(logs.call(0))).toEqual({ region: MEMBER_REGION, key: 'ASIAMEMBER' });
  });
});
