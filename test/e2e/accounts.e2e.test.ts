/**
 * Many accounts, end to end: a central responder (central mode: RESPONDER_ACCOUNTS in its environment, as
 * lib/central.ts writes it) diagnoses alarms of member accounts against the local AWS endpoint (moto). moto keeps
 * one set of resources per account id: resources created with the credentials STS AssumeRole returns for a role in
 * account B live in account B (moto docs, "Multi-Account support"). So the member's API, its execution log and its
 * read-only role are created with credentials for the member account, the handler runs with the central account's
 * credentials, and the alarm events (EventBridge "CloudWatch Alarm State Change", as the member stack forwards them
 * to the central bus) carry the member's account id. Log lines come from scripts/incident.ts (sources cited there).
 */
import { randomUUID } from 'node:crypto';
import { GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ACCOUNTS_ENV, type AccountsConfig } from '../../lambda/adapters/account-credentials.js';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { restTrace } from '../../scripts/incident.js';
import { LOCAL_ACCOUNT } from '../../scripts/local-api.js';
import { clientConfig, LOCAL_REGION } from '../../scripts/local-aws.js';
import { captureLogLines } from '../helpers/log-lines.js';
import {
  alarmActionEvent,
  E2E_READ_LIMITS,
  LocalAwsHarness,
  localHandler,
  type SnsEnvelope,
} from './responder-harness.js';

const endpoint = inject('awsEndpoint');
const logLines = captureLogLines();
const aws = new LocalAwsHarness(endpoint);
const suffix = randomUUID().slice(0, 6);
const now = Date.now();
const inWindow = now - 3 * 60_000;
const saved = { ...process.env };

const MEMBER = '210987654321';
const OTHER_REGION = 'eu-west-1';
const EXTERNAL_ID = `apigw-5xx-${suffix}`;
const ROLE_PATTERN = 'arn:aws:iam::{account}:role/apigw-5xx-responder-read-{region}';
const route = { method: 'GET', resourcePath: '/orders/{id}', path: '/orders/42' };

/** The member's APIs: one in the central Region, one in another Region. */
const HOME_API = { name: `member-orders-${suffix}`, region: LOCAL_REGION, alarm: `member-orders-5xx-${suffix}` };
const FAR_API = { name: `member-payments-${suffix}`, region: OTHER_REGION, alarm: `member-payments-5xx-${suffix}` };
const ids: Record<string, string> = {};
const messages = new Map<string, SnsEnvelope>();
let handler: Awaited<ReturnType<typeof localHandler>>;
let queueUrl = '';
/** The handler's log lines while it answered the two alarms. */
const handlerLines: Record<string, unknown>[] = [];

/** The member account in a Region, with its credentials: what an administrator of the member (or a StackSet) uses. */
async function member(region: string): Promise<LocalAwsHarness> {
  const sts = new STSClient({ ...clientConfig(endpoint), maxAttempts: 1 });
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'member-admin',
    }),
  );
  const c = out.Credentials;
  if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined)
    throw new Error('the local endpoint returned no credentials');
  return new LocalAwsHarness(endpoint, {
    region,
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
  });
}

/**
 * The event the member stack's rule forwards to the central bus: EventBridge keeps the source account and Region
 * (shape: CloudWatch User Guide, "Alarm events and EventBridge"; the Lambda alarm action's `alarmData` is `detail`).
 */
function memberAlarmEvent(api: { name: string; region: string; alarm: string }): unknown {
  const action = alarmActionEvent({
    alarmName: api.alarm,
    apiName: api.name,
    stage: 'prod',
    state: 'ALARM',
    at: now,
    region: api.region,
    accountId: MEMBER,
  }) as { alarmArn: string; alarmData: unknown };
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: MEMBER,
    time: new Date(now).toISOString(),
    region: api.region,
    resources: [action.alarmArn],
    detail: action.alarmData,
  };
}

async function alarm(api: { name: string; region: string; alarm: string }): Promise<SnsEnvelope> {
  await handler(memberAlarmEvent(api));
  const [message, ...more] = await aws.drain(queueUrl);
  expect(more).toHaveLength(0);
  if (message === undefined) throw new Error(`nothing published for ${api.alarm}`);
  return message;
}

beforeAll(async () => {
  // Prepare: in the member account, two APIs (central Region, another Region) with execution logs. (The read-only
  // roles the member stack creates are not made here: moto grants AssumeRole on any role ARN.)
  for (const api of [HOME_API, FAR_API]) {
    const account = await member(api.region);
    const id = await account.restApiWithRoute(api.name);
    ids[api.name] = id;
    const incident = {
      apiId: id,
      stage: 'prod',
      region: api.region,
      accountId: MEMBER,
      functionName: `${api.name}-fn`,
    };
    const kind = api === HOME_API ? 'timeout' : 'permission';
    const lines = Array.from({ length: 3 }, (_, i) => restTrace(kind, incident, route, inWindow + i * 4_000)).flat();
    await account.writeLogGroup(`API-Gateway-Execution-Logs_${id}/prod`, lines);
  }
  // The central responder: its topic in the central account, no API configured, the accounts it serves.
  const topic = await aws.topicWithQueue(`accounts-${suffix}`);
  queueUrl = topic.queueUrl;
  const accounts: AccountsConfig = {
    homeAccount: LOCAL_ACCOUNT,
    homeRegion: LOCAL_REGION,
    roleArn: ROLE_PATTERN,
    externalId: EXTERNAL_ID,
  };
  process.env[ACCOUNTS_ENV] = JSON.stringify(accounts);
  const config: RuntimeConfig = { apis: [], ...E2E_READ_LIMITS };
  handler = await localHandler(endpoint, config, topic.topicArn);
  // Act
  messages.set(HOME_API.alarm, await alarm(HOME_API));
  messages.set(FAR_API.alarm, await alarm(FAR_API));
  handlerLines.push(...logLines.lines);
}, 180_000);

afterAll(() => {
  if (process.env.ACCOUNTS_PRINT === '1')
    for (const m of messages.values()) process.stderr.write(`${m.Subject}\n${m.Message}\n`);
  process.env = saved;
});

describe('a central responder and a member account', () => {
  it('keeps the member API out of the central account: only the member role can see it', async () => {
    // Assess (control): the central account's own credentials do not find the member's API.
    const { items } = await aws.apigw.send(new GetRestApisCommand({}));
    expect(items?.map((i) => i.name) ?? []).not.toContain(HOME_API.name);
  });

  it("diagnoses the member's alarm: cause, route and the member account and Region in the first lines", () => {
    const m = messages.get(HOME_API.alarm);
    const [cause, where, fix] = (m?.Message ?? '').split('\n');
    expect(cause).toMatch(/^Cause: 504 integration timeout/);
    expect(where).toContain(`GET /orders/{id}`);
    expect(where).toContain(`${HOME_API.name}/prod (${ids[HOME_API.name]}, ${LOCAL_REGION}) in account ${MEMBER}`);
    expect(fix).toMatch(/^Fix: /);
    expect(m?.Message).toContain(`REST API ${HOME_API.name} (${ids[HOME_API.name]}) stage prod was found`);
  });

  it("says the fix commands need the member account's credentials", () => {
    for (const api of [HOME_API, FAR_API]) {
      expect(messages.get(api.alarm)?.Message).toContain(
        `Account: the API is in account ${MEMBER}. Run the fix commands with that account's credentials`,
      );
    }
  });

  it('names the member account in the email subject, before the API', () => {
    for (const api of [HOME_API, FAR_API]) {
      expect(messages.get(api.alarm)?.Subject).toMatch(new RegExp(`^\\[ALARM\\] ${MEMBER} ${api.name}/prod: `));
    }
  });

  it('says the account and Region in the JSON message for Slack and in the message attributes', () => {
    const m = messages.get(HOME_API.alarm);
    expect(m?.MessageAttributes?.api?.Value).toBe(HOME_API.name);
    const body = JSON.stringify(m);
    expect(body).toContain(`in account ${MEMBER}`);
    expect(body).toContain(LOCAL_REGION);
  });

  it('reads through the member role the pattern names for the alarm account and Region', () => {
    const reads = handlerLines.filter((l) => l.message === 'reading the alarm in another account or Region');
    expect(reads).toEqual([
      expect.objectContaining({
        account: MEMBER,
        region: LOCAL_REGION,
        roleArn: `arn:aws:iam::${MEMBER}:role/apigw-5xx-responder-read-${LOCAL_REGION}`,
      }),
      expect.objectContaining({
        account: MEMBER,
        region: OTHER_REGION,
        roleArn: `arn:aws:iam::${MEMBER}:role/apigw-5xx-responder-read-${OTHER_REGION}`,
      }),
    ]);
    expect(handlerLines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('diagnoses a member alarm from another Region with clients for that Region and names the Region', () => {
    const m = messages.get(FAR_API.alarm);
    const [cause, where] = (m?.Message ?? '').split('\n');
    expect(cause).toMatch(/^Cause: 500 missing Lambda invoke permission/);
    expect(where).toContain(`${FAR_API.name}/prod (${ids[FAR_API.name]}, ${OTHER_REGION}) in account ${MEMBER}`);
    expect(m?.Message).toContain(`arn:aws:execute-api:${OTHER_REGION}:${MEMBER}:${ids[FAR_API.name]}/`);
  });
});

describe('a member role the central responder cannot assume', () => {
  // moto grants every AssumeRole (it does not evaluate trust policies), so the refusal STS gives a role that does
  // not trust the caller is mocked: the error class and code are STS's own ("AccessDenied", HTTP 403).
  it('still publishes, and the message names the role and how to fix it', async () => {
    // Prepare
    const sts = mockClient(STSClient);
    sts.on(AssumeRoleCommand).rejects(
      new STSServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        message: `User: arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/central/x is not authorized to perform: sts:AssumeRole`,
        $metadata: { httpStatusCode: 403 },
      }),
    );
    try {
      // Act
      const m = await alarm({ ...HOME_API, alarm: `${HOME_API.alarm}-denied` });
      // Assess
      const role = `arn:aws:iam::${MEMBER}:role/apigw-5xx-responder-read-${LOCAL_REGION}`;
      expect(m.Message).toContain(`could not assume ${role}`);
      // Not found, the alarm still says where it is, in the first lines.
      expect(m.Message.split('\n')[1]).toMatch(
        new RegExp(`^Route: unknown .* in account ${MEMBER}, Region ${LOCAL_REGION}$`),
      );
      expect(m.Message).toContain(`deploy the member stack in account ${MEMBER}, Region ${LOCAL_REGION}`);
      expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toMatchObject({
        RoleArn: role,
        ExternalId: EXTERNAL_ID,
      });
      // Credentials are asked for once per invocation, however many clients read.
      expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
      expect(logLines.lines).toContainEqual(
        expect.objectContaining({ level: 'error', roleArn: role, account: MEMBER, region: LOCAL_REGION }),
      );
    } finally {
      sts.restore();
    }
  });
});
