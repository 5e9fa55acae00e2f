/**
 * Zero configuration, end to end: the real handler against the local AWS endpoint (moto) with NO per-API
 * configuration. The API is found from the alarm's dimensions alone (GetRestApis by ApiName, GetStage), its
 * execution log read by the name API Gateway gives it, and the alarm diagnosed; a REST API name shared by two APIs
 * is reported as ambiguous and the logs of both are read. The alarms reach the handler in the two envelopes it
 * gets in production: CloudWatch's Lambda alarm action and EventBridge's "CloudWatch Alarm State Change" (the
 * existing-alarms mode). Log lines come from scripts/incident.ts (sources cited there).
 */
import { randomUUID } from 'node:crypto';
import { APIGatewayClient, UpdateRestApiCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { restTrace } from '../../scripts/incident.js';
import { createLocalRestApi, LOCAL_ACCOUNT } from '../../scripts/local-api.js';
import { clientConfig, LOCAL_REGION } from '../../scripts/local-aws.js';
import { createHttpApiWithoutPermission } from '../../scripts/local-signals.js';
import { captureLogLines } from '../helpers/log-lines.js';
import {
  alarmActionEvent,
  E2E_READ_LIMITS,
  LocalAwsHarness,
  localHandler,
  type SnsEnvelope,
} from './responder-harness.js';

const endpoint = inject('awsEndpoint');
// The handler's JSON log lines are taken in, not printed (what it published is asserted on the topic).
captureLogLines();
const aws = new LocalAwsHarness(endpoint);
const suffix = randomUUID().slice(0, 6);
const now = Date.now();
const inWindow = now - 3 * 60_000;
const saved = { ...process.env };

const SOLO = { api: `zero-solo-${suffix}`, fn: `zero-solo-get-${suffix}`, alarm: `team-made-solo-${suffix}` };
const TWIN = { api: `zero-twin-${suffix}`, fn: `zero-twin-get-${suffix}`, alarm: `team-made-twin-${suffix}` };
const HTTP_READ = {
  api: `zero-http-a-${suffix}`,
  fn: `zero-http-a-get-${suffix}`,
  alarm: `team-made-http-a-${suffix}`,
};
const HTTP_NOT = { api: `zero-http-b-${suffix}`, fn: `zero-http-b-get-${suffix}`, alarm: `team-made-http-b-${suffix}` };
const ACCESS_READ = `/aws/apigateway/zero-${suffix}-a`;
const ACCESS_NOT = `/other-team/zero-${suffix}-b`;
const route = { method: 'GET', resourcePath: '/orders/{id}', path: '/orders/42' };
const ids: Record<string, string> = {};
const messages = new Map<string, SnsEnvelope>();

/**
 * The EventBridge event CloudWatch sends when an alarm changes state: the Lambda alarm action's `alarmData`
 * becomes `detail` (shape: CloudWatch User Guide, "Alarm events and EventBridge", cloudwatch-and-eventbridge.html).
 */
function eventBridgeEvent(options: Parameters<typeof alarmActionEvent>[0]): unknown {
  const action = alarmActionEvent(options) as { alarmArn: string; alarmData: unknown };
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: LOCAL_ACCOUNT,
    time: new Date(options.at).toISOString(),
    region: LOCAL_REGION,
    resources: [action.alarmArn],
    detail: action.alarmData,
  };
}

/** An HTTP API's alarm: metric 5xx by ApiId and Stage (the alarm-action event, its metric swapped). */
function httpAlarm(alarmName: string, apiId: string): unknown {
  const event = alarmActionEvent({ alarmName, apiName: 'unused', stage: 'live', state: 'ALARM', at: now }) as {
    alarmData: { configuration: { metrics: { metricStat: { metric: Record<string, unknown> } }[] } };
  };
  const [m] = event.alarmData.configuration.metrics;
  if (m !== undefined)
    m.metricStat.metric = { namespace: 'AWS/ApiGateway', name: '5xx', dimensions: { ApiId: apiId, Stage: 'live' } };
  return event;
}

function incident(apiId: string, fn: string, kind: 'timeout' | 'permission', count: number) {
  const api = { apiId, stage: 'prod', region: LOCAL_REGION, accountId: LOCAL_ACCOUNT, functionName: fn };
  return Array.from({ length: count }, (_, i) => restTrace(kind, api, route, inWindow + i * 4_000)).flat();
}

beforeAll(async () => {
  // Prepare: APIs in the account that the responder's configuration does not list.
  ids.solo = await createLocalRestApi(endpoint, {
    name: SOLO.api,
    stage: 'prod',
    routes: [{ method: 'GET', resourcePath: route.resourcePath, functionName: SOLO.fn, invokePermission: true }],
  });
  await aws.writeLogGroup(`API-Gateway-Execution-Logs_${ids.solo}/prod`, incident(ids.solo, SOLO.fn, 'timeout', 4));
  // Two REST APIs with the same name and stage: one 5XXError metric (ApiName+Stage) adds up both.
  ids.twin1 = await createLocalRestApi(endpoint, {
    name: TWIN.api,
    stage: 'prod',
    routes: [{ method: 'GET', resourcePath: route.resourcePath, functionName: TWIN.fn, invokePermission: true }],
  });
  // The helper names the functions' role after the API: create the second under another name, then rename it.
  ids.twin2 = await createLocalRestApi(endpoint, {
    name: `${TWIN.api}-b`,
    stage: 'prod',
    routes: [
      { method: 'GET', resourcePath: route.resourcePath, functionName: `${TWIN.fn}-2`, invokePermission: false },
    ],
  });
  await new APIGatewayClient({ ...clientConfig(endpoint), maxAttempts: 1 }).send(
    new UpdateRestApiCommand({
      restApiId: ids.twin2,
      patchOperations: [{ op: 'replace', path: '/name', value: TWIN.api }],
    }),
  );
  await aws.writeLogGroup(
    `API-Gateway-Execution-Logs_${ids.twin2}/prod`,
    incident(ids.twin2, `${TWIN.fn}-2`, 'permission', 3),
  );
  // HTTP APIs found by ApiId, each stage writing its access log to a group: one the responder may read, one not.
  const v2 = new ApiGatewayV2Client({ ...clientConfig(endpoint), maxAttempts: 1 });
  for (const [h, group] of [
    [HTTP_READ, ACCESS_READ],
    [HTTP_NOT, ACCESS_NOT],
  ] as const) {
    const { apiId } = await createHttpApiWithoutPermission(endpoint, {
      name: h.api,
      stage: 'prod',
      routeKey: 'GET /orders/{id}',
      functionName: h.fn,
    });
    ids[h.api] = apiId;
    await aws.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    // A second stage that logs access (moto has no apigatewayv2 UpdateStage; CreateStage takes the settings).
    await v2.send(
      new CreateStageCommand({
        ApiId: apiId,
        StageName: 'live',
        AutoDeploy: true,
        AccessLogSettings: {
          DestinationArn: `arn:aws:logs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:log-group:${group}`,
          Format: '{"requestId":"$context.requestId","status":"$context.status"}',
        },
      }),
    );
  }
  const topic = await aws.topicWithQueue(`zero-${suffix}`);
  const config: RuntimeConfig = {
    accessLogGroupPatterns: ['/aws/apigateway/*'],
    apis: [],
    ...E2E_READ_LIMITS,
  };
  const handler = await localHandler(endpoint, config, topic.topicArn);
  // Act: the solo API's alarm through EventBridge (existing-alarms mode), the twins' through the alarm action.
  const events: [string, unknown][] = [
    [
      SOLO.alarm,
      eventBridgeEvent({ alarmName: SOLO.alarm, apiName: SOLO.api, stage: 'prod', state: 'ALARM', at: now }),
    ],
    [
      TWIN.alarm,
      alarmActionEvent({ alarmName: TWIN.alarm, apiName: TWIN.api, stage: 'prod', state: 'ALARM', at: now }),
    ],
  ];
  for (const h of [HTTP_READ, HTTP_NOT]) {
    events.push([h.alarm, httpAlarm(h.alarm, ids[h.api] ?? '')]);
  }
  for (const [alarm, event] of events) {
    await handler(event);
    const [message, ...more] = await aws.drain(topic.queueUrl);
    expect(more).toHaveLength(0);
    if (message === undefined) throw new Error(`nothing published for ${alarm}`);
    messages.set(alarm, message);
  }
}, 180_000);

afterAll(() => {
  if (process.env.ZERO_PRINT === '1')
    for (const m of messages.values()) process.stderr.write(`${m.Subject}\n${m.Message}\n`);
  process.env = saved;
});

function text(alarm: string): string {
  return messages.get(alarm)?.Message ?? '';
}

describe('an alarm the stack did not create, with no per-API configuration', () => {
  it('finds the API by its name and diagnoses the timeout from its execution log', () => {
    const [cause, where] = text(SOLO.alarm).split('\n');
    expect(cause).toMatch(/^Cause: .*timeout/i);
    expect(where).toContain('GET /orders/{id}');
    expect(text(SOLO.alarm)).not.toContain('not configured in the 5xx responder');
  });

  it('says the API was found from the alarm and read its execution log by the name API Gateway gives it', () => {
    expect(text(SOLO.alarm)).toContain(
      `REST API ${SOLO.api} (${ids.solo}) stage prod was found from the alarm's dimensions`,
    );
    expect(text(SOLO.alarm)).toContain(`API-Gateway-Execution-Logs_${ids.solo}/prod`);
  });
});

describe('a REST API name shared by two APIs', () => {
  it('reports the name as ambiguous and names both API ids', () => {
    const message = text(TWIN.alarm);
    expect(message).toContain(`Ambiguous API name: 2 REST APIs are named ${TWIN.api} and have a stage prod`);
    expect(message).toContain(ids.twin1);
    expect(message).toContain(ids.twin2);
  });

  it('reads the execution logs of both, so the failing one is diagnosed whichever comes first', () => {
    const [cause] = text(TWIN.alarm).split('\n');
    expect(cause).toMatch(/^Cause: .*permission/i);
    expect(text(TWIN.alarm)).toContain(`${TWIN.fn}-2`);
  });

  it('names the API whose log shows the failures in the route line and the fix, not the first of the two', () => {
    const [, where, fix] = text(TWIN.alarm).split('\n');
    expect(where).toContain(`(${ids.twin2}, ${LOCAL_REGION})`);
    expect(fix).toContain(`:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${ids.twin2}/`);
    expect(fix).not.toContain(ids.twin1);
  });
});

describe('HTTP APIs found by ApiId, with access logs', () => {
  it('reads the access log group named in the stage settings when discovery.accessLogGroups covers it', () => {
    const message = text(HTTP_READ.alarm);
    expect(message).toContain(
      `HTTP API ${HTTP_READ.api} (${ids[HTTP_READ.api]}) stage live was found from the alarm's dimensions`,
    );
    expect(message).toContain(`Log group ${ACCESS_READ}:`);
    expect(message).not.toContain('was not read: the responder may read only');
  });

  it('does not read an access log group outside those patterns, and says how to allow it', () => {
    const message = text(HTTP_NOT.alarm);
    expect(message).toContain(
      `The access log group ${ACCESS_NOT} of ${ids[HTTP_NOT.api]}/live was not read: the responder may read only access log groups matching discovery.accessLogGroups (/aws/apigateway/*)`,
    );
    expect(message).not.toContain(`Log group ${ACCESS_NOT}:`);
  });
});
