/**
 * Many Regions, end to end: alarms are forwarded to a home Region's responder (the member stack's rule targets the
 * home Region's bus, docs/deploying.md "Many Regions"), so the responder in us-east-1 gets an alarm of an API in
 * eu-west-1 and must read it with clients for eu-west-1. Single account: no RESPONDER_ACCOUNTS, the function's own
 * credentials. Against the local AWS endpoint (moto keeps each Region's resources apart). Log lines come from
 * scripts/incident.ts (sources cited there).
 */
import { randomUUID } from 'node:crypto';
import { GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { restTrace } from '../../scripts/incident.js';
import { LOCAL_ACCOUNT } from '../../scripts/local-api.js';
import { LOCAL_REGION } from '../../scripts/local-aws.js';
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
const FAR = 'ap-southeast-2';
const API = { name: `far-orders-${suffix}`, alarm: `far-orders-5xx-${suffix}` };
const route = { method: 'GET', resourcePath: '/orders/{id}', path: '/orders/42' };
const saved = { ...process.env };
const handlerLines: Record<string, unknown>[] = [];
let apiId = '';
let message: SnsEnvelope | undefined;

beforeAll(async () => {
  // Prepare: an API with an execution log in another Region than the responder's.
  const far = new LocalAwsHarness(endpoint, { region: FAR });
  apiId = await far.restApiWithRoute(API.name);
  const incident = { apiId, stage: 'prod', region: FAR, accountId: LOCAL_ACCOUNT, functionName: `${API.name}-fn` };
  const lines = Array.from({ length: 3 }, (_, i) => restTrace('malformed', incident, route, now - 180_000 + i * 4_000));
  await far.writeLogGroup(`API-Gateway-Execution-Logs_${apiId}/prod`, lines.flat());
  const topic = await aws.topicWithQueue(`regions-${suffix}`);
  const config: RuntimeConfig = { apis: [], ...E2E_READ_LIMITS };
  const handler = await localHandler(endpoint, config, topic.topicArn);
  // Act: the alarm, forwarded from its Region, reaches the responder in the home Region.
  await handler(
    alarmActionEvent({ alarmName: API.alarm, apiName: API.name, stage: 'prod', state: 'ALARM', at: now, region: FAR }),
  );
  [message] = await aws.drain(topic.queueUrl);
  handlerLines.push(...logLines.lines);
}, 120_000);

afterAll(() => {
  process.env = saved;
});

describe('an alarm from another Region', () => {
  it('is not visible in the home Region (the control: only clients for its Region find the API)', async () => {
    const { items } = await aws.apigw.send(new GetRestApisCommand({}));
    expect(process.env.AWS_REGION).toBe(LOCAL_REGION);
    expect(items?.map((i) => i.name) ?? []).not.toContain(API.name);
  });

  it('is diagnosed with clients for its Region, and the message names that Region and the account', () => {
    const [cause, where, fix] = (message?.Message ?? '').split('\n');
    expect(cause).toMatch(/^Cause: 502 malformed Lambda proxy response/);
    expect(where).toContain(`on ${API.name}/prod (${apiId}, ${FAR}) in account ${LOCAL_ACCOUNT}`);
    expect(fix).toMatch(/^Fix: /);
    expect(message?.Message).toContain(`https://${FAR}.console.aws.amazon.com/`);
    expect(handlerLines).toContainEqual(
      expect.objectContaining({ message: 'reading the alarm in another account or Region', region: FAR }),
    );
  });
});
