import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RuntimeApiConfig, RuntimeConfig } from '../../lambda/config/runtime-config.js';
import {
  functionErrorLog,
  type IncidentApi,
  interleave,
  restTrace,
  type TimedLine,
  type TraceKind,
} from '../../scripts/incident.js';
import { localAwsEnv } from '../../scripts/local-aws.js';
import { captureLogLines } from '../helpers/log-lines.js';
import { alarmActionEvent, LocalAwsHarness, type SnsEnvelope } from './responder-harness.js';

const endpoint = inject('awsEndpoint');
const aws = new LocalAwsHarness(endpoint);
const now = Date.now();
const incidentStart = now - 8 * 60_000;
const ORDERS = { method: 'GET', resourcePath: '/orders/{id}', path: '/orders/42' };
const CREATE = { method: 'POST', resourcePath: '/orders', path: '/orders' };

interface Scenario {
  readonly name: string;
  readonly api: IncidentApi;
  readonly config: RuntimeApiConfig;
  readonly lines: TimedLine[];
  readonly functionLines?: TimedLine[];
  readonly write: boolean;
}

let counter = 0;
function scenario(
  name: string,
  mix: Array<[TraceKind, number, typeof ORDERS]>,
  options: { write?: boolean; withFunctionLog?: boolean } = {},
): Scenario {
  counter++;
  const apiId = `e2e${counter.toString().padStart(2, '0')}${randomUUID().replace(/-/g, '').slice(0, 5)}`;
  const api: IncidentApi = {
    apiId,
    stage: 'prod',
    region: 'us-east-1',
    accountId: '123456789012',
    functionName: `${name}-fn`,
  };
  const traces: TimedLine[][] = [];
  const functionLines: TimedLine[] = [];
  let t = incidentStart;
  for (const [kind, count, route] of mix) {
    for (let i = 0; i < count; i++) {
      t += 1_500;
      const lambdaRequestId = randomUUID();
      traces.push(restTrace(kind, api, route, t, { lambdaRequestId }));
      if (options.withFunctionLog === true && kind === 'function_error')
        functionLines.push(...functionErrorLog(lambdaRequestId, t + 5));
    }
  }
  return {
    name,
    api,
    config: {
      type: 'REST',
      name: `${name}-api`,
      id: apiId,
      stage: 'prod',
      alarmName: `${name}-api-prod-5xx`,
      ...(options.withFunctionLog === true ? { functionNames: [api.functionName] } : {}),
    },
    lines: interleave(traces),
    ...(functionLines.length > 0 ? { functionLines } : {}),
    write: options.write ?? true,
  };
}

const scenarios = {
  malformed: scenario('malformed', [
    ['malformed', 6, ORDERS],
    ['ok', 4, ORDERS],
  ]),
  permission: scenario('permission', [
    ['permission', 3, CREATE],
    ['ok', 2, ORDERS],
  ]),
  timeout: scenario('timeout', [['timeout', 4, ORDERS]]),
  throttle: scenario('throttle', [
    ['throttle', 5, ORDERS],
    ['ok', 5, ORDERS],
  ]),
  mixed: scenario(
    'mixed',
    [
      ['function_error', 7, ORDERS],
      ['permission', 3, CREATE],
      ['ok', 6, ORDERS],
    ],
    { withFunctionLog: true },
  ),
  loggingOff: scenario('loggingoff', [['malformed', 2, ORDERS]], { write: false }),
};

let queueUrl = '';
let handler: (event: unknown) => Promise<unknown>;
const savedEnv = { ...process.env };

beforeAll(async () => {
  // Prepare: logs for each scenario in the local CloudWatch Logs, a topic with a queue, the handler's environment.
  for (const s of Object.values(scenarios)) {
    if (s.write) await aws.writeLogGroup(`API-Gateway-Execution-Logs_${s.api.apiId}/prod`, s.lines, 3);
    if (s.functionLines !== undefined) await aws.writeLogGroup(`/aws/lambda/${s.api.functionName}`, s.functionLines);
  }
  const topic = await aws.topicWithQueue(`responder-${randomUUID().slice(0, 8)}`);
  queueUrl = topic.queueUrl;
  const config: RuntimeConfig = {
    apis: Object.values(scenarios).map((s) => s.config),
    timeBudgetMs: 20_000,
    windowMarginMs: 2 * 60_000,
    maxPages: 20,
    maxEvents: 50_000,
  };
  Object.assign(process.env, localAwsEnv(endpoint), {
    RESPONDER_CONFIG: JSON.stringify(config),
    TOPIC_ARN: topic.topicArn,
  });
  ({ handler } = await import('../../lambda/handler.js'));
});

afterAll(() => {
  process.env = savedEnv;
});

async function alarm(s: Scenario, state: 'ALARM' | 'OK' = 'ALARM'): Promise<SnsEnvelope> {
  await handler(
    alarmActionEvent({
      alarmName: s.config.alarmName ?? '',
      apiName: s.config.name ?? '',
      stage: 'prod',
      state,
      at: now - 60_000,
      previousAt: now - 13 * 60_000,
      evaluationStart: incidentStart,
    }),
  );
  const messages = await aws.drain(queueUrl);
  expect(messages).toHaveLength(1);
  return messages[0] as SnsEnvelope;
}

function attrs(m: SnsEnvelope): Record<string, string> {
  return Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value]));
}

const logLines = captureLogLines();

describe('responder end to end against a local AWS endpoint', () => {
  it('names a malformed Lambda proxy response 502 with its route, count and fix', async () => {
    const m = await alarm(scenarios.malformed);
    const [cause, route, fix] = m.Message.split('\n');
    expect(cause).toBe('Cause: 502 malformed Lambda proxy response: 6 of 6 failed requests (100%), from logs only');
    expect(route).toBe(
      `Route: GET /orders/{id} (6) on malformed-api/prod (${scenarios.malformed.api.apiId}, us-east-1) in account 123456789012, function malformed-fn`,
    );
    expect(fix).toMatch(/^Fix: Make malformed-fn return \{"statusCode"/);
    expect(m.Subject).toBe('[ALARM] malformed-api/prod: 502 malformed Lambda proxy response (100%)');
    expect(attrs(m)).toEqual({
      cause: 'malformed_lambda_response',
      api: 'malformed-api',
      stage: 'prod',
      status: '502',
      state: 'ALARM',
    });
    expect(m.Message).toContain('completed below 500: 4');
    // The function logs what it diagnosed and the id SNS gave the message it published.
    expect(logLines.lines).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'diagnosed', failedRequests: 6 }),
    );
    expect(logLines.lines).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'published', messageId: m.MessageId, subject: m.Subject }),
    );
  });

  it('names a missing invoke permission 500 with the add-permission command for the API', async () => {
    const m = await alarm(scenarios.permission);
    const id = scenarios.permission.api.apiId;
    expect(m.Message.split('\n')[0]).toBe(
      'Cause: 500 missing Lambda invoke permission: 3 of 3 failed requests (100%), from logs only',
    );
    expect(m.Message.split('\n')[1]).toMatch(/^Route: POST \/orders \(3\) on permission-api\/prod/);
    expect(m.Message).toContain(
      `aws lambda add-permission --function-name arn:aws:lambda:us-east-1:123456789012:function:permission-fn --statement-id apigateway-${id}-prod-invoke-orders --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn 'arn:aws:execute-api:us-east-1:123456789012:${id}/prod/*/orders' --region us-east-1`,
    );
    expect(attrs(m).cause).toBe('lambda_permission');
  });

  it('names an integration timeout 504', async () => {
    const m = await alarm(scenarios.timeout);
    expect(m.Message.split('\n')[0]).toBe(
      'Cause: 504 integration timeout: 4 of 4 failed requests (100%), from logs only',
    );
    // Issue 17: setting 29000 again changed nothing; the fix reads the timeout and names the quota increase.
    expect(m.Message).not.toContain('value=29000');
    expect(m.Message).toContain('--query timeoutInMillis');
    expect(m.Message).toContain('up to 300000 through Service Quotas');
    expect(attrs(m)).toMatchObject({ cause: 'integration_timeout', status: '504' });
  });

  it('names Lambda throttling behind a 500', async () => {
    const m = await alarm(scenarios.throttle);
    expect(m.Message.split('\n')[0]).toBe(
      'Cause: 500 backend throttling: 5 of 5 failed requests (100%), from logs only',
    );
    expect(m.Message).toContain('aws lambda get-function-concurrency --function-name throttle-fn --region us-east-1');
    expect(attrs(m)).toMatchObject({ cause: 'throttling', status: '500' });
  });

  it('splits a mixed incident into both causes and shows what the function itself logged', async () => {
    const m = await alarm(scenarios.mixed);
    const lines = m.Message.split('\n');
    expect(lines[0]).toBe(
      'Cause: 502 Lambda function error: 7 of 10 failed requests (70%) (+1 other cause), from logs only',
    );
    expect(lines[2]).toBe(
      "Fix: Fix the error mixed-fn reports: TypeError: Cannot read properties of undefined (reading 'items') (at Runtime.handler (file:///var/task/index.mjs:12:31))",
    );
    expect(m.Message).toMatch(/== 2\. 500 missing Lambda invoke permission \[lambda_permission\]: 3 of 10 \(30%\) ==/);
    expect(attrs(m)).toMatchObject({ cause: 'lambda_function_error', status: '502' });
  });

  it('still publishes when execution logging is off, with the command that turns it on', async () => {
    const m = await alarm(scenarios.loggingOff);
    const id = scenarios.loggingOff.api.apiId;
    const [cause, , fix] = m.Message.split('\n');
    expect(cause).toBe(
      `Cause: not diagnosed: a log of loggingoff-api/prod (${id}, us-east-1) in account 123456789012 could not be read`,
    );
    expect(fix).toMatch(new RegExp(`^Fix: .*API-Gateway-Execution-Logs_${id}/prod.*update-stage`));
    expect(m.Message).toContain(`API-Gateway-Execution-Logs_${id}/prod`);
    expect(m.Message).toContain(`aws apigateway update-stage --rest-api-id ${id} --stage-name prod`);
    expect(m.Subject).toBe('[ALARM] loggingoff-api/prod: not diagnosed, logs could not be read');
    expect(attrs(m)).toMatchObject({ cause: 'none' });
  });

  it('publishes a short recovery message on OK, with how long the alarm lasted', async () => {
    const m = await alarm(scenarios.malformed, 'OK');
    expect(m.Subject).toBe('[OK] malformed-api/prod: 5xx alarm recovered after 12 min');
    expect(m.Message.split('\n')[0]).toBe(
      'Recovered: the 5xx alarm for malformed-api/prod is OK again after 12 min in ALARM.',
    );
    expect(attrs(m)).toMatchObject({ cause: 'recovered', state: 'OK' });
  });

  it('never puts a client token from the logs into the message', async () => {
    const m = await alarm(scenarios.mixed);
    expect(m.Message).not.toContain('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9');
    expect(m.Message).not.toContain('IQoJb3JpZ2luX2Vj');
  });
});
