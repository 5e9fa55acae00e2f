/**
 * Thin or missing logs, diagnosed from metrics, live configuration and CloudTrail, end to end: the real handler
 * against the local AWS endpoint (moto), which holds the APIs, functions, stage settings and the CloudWatch metrics
 * (PutMetricData, then the responder's one GetMetricData call).
 *
 * moto (5.2) does not implement CloudTrail's LookupEvents, so CloudTrail alone is answered by aws-sdk-client-mock
 * here: the events are shaped as LookupEvents returns them (API_LookupEvents / API_Event), their CloudTrailEvent
 * record as in the Lambda developer guide's CloudTrail examples (logging-using-cloudtrail), with Lambda's versioned
 * event name (RemovePermission20150331v2). Every other call goes to moto.
 */
import { randomUUID } from 'node:crypto';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { createLocalRestApi, LOCAL_ACCOUNT } from '../../scripts/local-api.js';
import {
  createHttpApiWithoutPermission,
  errorLevelTimeoutTrace,
  type MetricPoint,
  putMetrics,
  reserveConcurrency,
  setExecutionLogging,
} from '../../scripts/local-signals.js';
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
const DAY = 24 * 60 * 60_000;
/** Inside the alarm window the handler reads (evaluation start - margin .. now). */
const inWindow = now - 3 * 60_000;
const saved = { ...process.env };
const trail = mockClient(CloudTrailClient);

const A = { api: `thin-a-${suffix}`, fn: `thin-a-get-${suffix}`, alarm: `thin-a-${suffix}-5xx` };
const B = { api: `thin-b-${suffix}`, fn: `thin-b-get-${suffix}`, alarm: `thin-b-${suffix}-5xx` };
const C = { api: `thin-c-${suffix}`, fn: `thin-c-get-${suffix}`, alarm: `thin-c-${suffix}-5xx` };
const DEPLOYER = 'arn:aws:sts::123456789012:assumed-role/deployer/ci-4711';
const removedAt = now - 25 * 60_000;

const messages = new Map<string, SnsEnvelope>();
const ids: Record<string, string> = {};

function lambdaMetric(fn: string, name: string, value: number, at = inWindow): MetricPoint {
  return { namespace: 'AWS/Lambda', name, dimensions: { FunctionName: fn }, value, at };
}

function restMetric(api: string, name: string, value: number, at = inWindow): MetricPoint {
  return { namespace: 'AWS/ApiGateway', name, dimensions: { ApiName: api, Stage: 'prod' }, value, at };
}

/** A RemovePermission management event as LookupEvents returns it. */
function removePermissionEvent(functionName: string, statementId: string, at: number) {
  const eventId = randomUUID();
  const record = {
    eventVersion: '1.08',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEDEPLOYER:ci-4711',
      arn: DEPLOYER,
      accountId: LOCAL_ACCOUNT,
      accessKeyId: 'ASIAEXAMPLEKEY',
    },
    eventTime: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'lambda.amazonaws.com',
    eventName: 'RemovePermission20150331v2',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.10',
    userAgent: 'aws-cli/2.15.30 md/command#lambda.remove-permission',
    requestParameters: { functionName, statementId },
    responseElements: null,
    requestID: randomUUID(),
    eventID: eventId,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: LOCAL_ACCOUNT,
    eventCategory: 'Management',
  };
  return {
    EventId: eventId,
    EventName: 'RemovePermission20150331v2',
    ReadOnly: 'false',
    AccessKeyId: 'ASIAEXAMPLEKEY',
    EventTime: new Date(at),
    EventSource: 'lambda.amazonaws.com',
    Username: 'ci-4711',
    Resources: [{ ResourceType: 'AWS::Lambda::Function', ResourceName: functionName }],
    CloudTrailEvent: JSON.stringify(record),
  };
}

beforeAll(async () => {
  // Prepare (a): REST API, execution logging never turned on, the function throttled at its reserved concurrency.
  ids.a = await createLocalRestApi(endpoint, {
    name: A.api,
    stage: 'prod',
    routes: [{ method: 'GET', resourcePath: '/orders/{id}', functionName: A.fn, invokePermission: true }],
  });
  await reserveConcurrency(endpoint, A.fn, 5);
  // Prepare (b): REST API at ERROR level, the function timing out at its 3 s timeout.
  ids.b = await createLocalRestApi(endpoint, {
    name: B.api,
    stage: 'prod',
    routes: [{ method: 'GET', resourcePath: '/orders/{id}', functionName: B.fn, invokePermission: true }],
  });
  await setExecutionLogging(endpoint, ids.b, 'prod', 'ERROR');
  await aws.writeLogGroup(
    `API-Gateway-Execution-Logs_${ids.b}/prod`,
    [0, 1, 2, 3, 4, 5].flatMap((i) => errorLevelTimeoutTrace(inWindow + i * 5_000, 3)),
  );
  // Prepare (c): HTTP API without access log, its function's invoke permission removed.
  const c = await createHttpApiWithoutPermission(endpoint, {
    name: C.api,
    stage: 'prod',
    routeKey: 'GET /orders/{id}',
    functionName: C.fn,
  });
  ids.c = c.apiId;
  await putMetrics(endpoint, [
    restMetric(A.api, '5XXError', 412),
    restMetric(A.api, 'Count', 900),
    restMetric(A.api, '5XXError', 0, inWindow - DAY),
    lambdaMetric(A.fn, 'Throttles', 412),
    lambdaMetric(A.fn, 'Throttles', 0, inWindow - DAY),
    lambdaMetric(A.fn, 'ConcurrentExecutions', 5),
    lambdaMetric(A.fn, 'Invocations', 488),
    restMetric(B.api, '5XXError', 6),
    lambdaMetric(B.fn, 'Errors', 6),
    lambdaMetric(B.fn, 'Invocations', 6),
    lambdaMetric(B.fn, 'Duration', 3_000),
    lambdaMetric(B.fn, 'Duration', 41, inWindow - DAY),
    {
      namespace: 'AWS/ApiGateway',
      name: '5xx',
      dimensions: { ApiId: c.apiId, Stage: 'prod' },
      value: 37,
      at: inWindow,
    },
    lambdaMetric(C.fn, 'Invocations', 950, inWindow - DAY),
  ]);
  trail.on(LookupEventsCommand).resolves({ Events: [] });
  trail
    .on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: C.fn }] })
    .resolves({ Events: [removePermissionEvent(C.fn, c.statementId, removedAt)] });

  const topic = await aws.topicWithQueue(`thin-${suffix}`);
  const config: RuntimeConfig = {
    apis: [
      { type: 'REST', name: A.api, id: ids.a, stage: 'prod', alarmName: A.alarm, functionNames: [A.fn] },
      { type: 'REST', name: B.api, id: ids.b, stage: 'prod', alarmName: B.alarm, functionNames: [B.fn] },
      { type: 'HTTP', id: ids.c, stage: 'prod', alarmName: C.alarm, functionNames: [C.fn] },
    ],
    ...E2E_READ_LIMITS,
  };
  const handler = await localHandler(endpoint, config, topic.topicArn);
  // Act: one alarm per scenario.
  for (const s of [A, B, C]) {
    await handler(
      alarmActionEvent({
        alarmName: s.alarm,
        apiName: s.api,
        stage: 'prod',
        state: 'ALARM',
        at: now,
        evaluationStart: now - 5 * 60_000,
      }),
    );
    const [message, ...more] = await aws.drain(topic.queueUrl);
    expect(more).toHaveLength(0);
    if (message === undefined) throw new Error(`nothing published for ${s.alarm}`);
    messages.set(s.alarm, message);
  }
}, 180_000);

afterAll(() => {
  if (process.env.THIN_PRINT === '1')
    for (const m of messages.values()) process.stderr.write(`${m.Subject}\n${m.Message}\n`);
  trail.restore();
  process.env = saved;
});

function text(alarm: string): string {
  return messages.get(alarm)?.Message ?? '';
}

describe('execution logging off, the backend function throttled', () => {
  it('names throttling on the function from metrics and configuration in the first line', () => {
    const [cause, route, fix] = text(A.alarm).split('\n');
    expect(cause).toBe(
      `Cause: 500 backend throttling: ${A.fn}: Throttles 412 in the window (0 the day before), reserved concurrency 5, ConcurrentExecutions max 5 reached it (from metrics + configuration; logging is off or thin)`,
    );
    expect(route).toMatch(
      new RegExp(
        `^Route: GET /orders/\\{id\\} \\(from the API's configuration\\) on ${A.api}/prod .*, function ${A.fn}$`,
      ),
    );
    expect(fix).toBe(
      `Fix: Check whether ${A.fn} is capped by reserved concurrency (or the account's concurrency is exhausted): $ aws lambda get-function-concurrency --function-name ${A.fn} --region us-east-1`,
    );
  });

  it('puts the cause in the subject and the filter attributes', () => {
    const message = messages.get(A.alarm);
    expect(message?.Subject).toBe(`[ALARM] ${A.api}/prod: 500 backend throttling (from metrics+config)`);
    expect(message?.MessageAttributes?.cause?.Value).toBe('throttling');
    expect(message?.MessageAttributes?.status?.Value).toBe('500');
  });

  it('says execution logging is off, what that hides, and gives the command to turn it on with its cost', () => {
    const message = text(A.alarm);
    expect(message).toContain('Execution logging is off for stage prod (no logging level set).');
    expect(message).toContain(
      'What it hides: Without the execution log the responder cannot see why each request failed',
    );
    expect(message).toContain(
      `$ aws apigateway update-stage --rest-api-id ${ids.a} --stage-name prod --region us-east-1 --patch-operations 'op=replace,path=/*/*/logging/loglevel,value=INFO'`,
    );
    expect(message).toContain('CloudWatch Logs bills ingestion per GB');
    expect(message).toContain('The account has no CloudWatch role for API Gateway');
  });

  it('shows the stage metric against the day before', () => {
    expect(text(A.alarm)).toContain('Stage: 5xx 412 in the window (0 the day before) of 900 requests');
  });
});

describe('ERROR-level execution logs, the function timing out', () => {
  it('keeps the log cause and says metrics and configuration confirm the duration hits the timeout', () => {
    const message = text(B.alarm);
    const [cause, route, fix] = message.split('\n');
    expect(cause).toBe(
      'Cause: 502 Lambda function error: 6 of 6 failed requests (100%), from logs + metrics + configuration',
    );
    expect(route).toMatch(
      new RegExp(
        `^Route: GET /orders/\\{id\\} \\(from the API's configuration: the logs did not name it\\) on ${B.api}/prod .*, function ${B.fn}$`,
      ),
    );
    expect(fix).toContain(B.fn);
    expect(fix).not.toContain('<function-name>');
    expect(message).toContain('Sources: logs + metrics + configuration');
    expect(message).toContain(`Duration max 3,000 ms = ${B.fn}'s 3 s timeout`);
  });

  it('says ERROR level hides the route and function, and how to raise it to INFO', () => {
    const message = text(B.alarm);
    expect(message).toContain('Execution logging is at ERROR for stage prod.');
    expect(message).toContain('ERROR level writes only the failure lines: no route');
    expect(message).toContain(
      `--rest-api-id ${ids.b} --stage-name prod --region us-east-1 --patch-operations 'op=replace,path=/*/*/logging/loglevel,value=INFO'`,
    );
  });
});

describe('HTTP API without access logs whose function lost its invoke permission', () => {
  it('names the missing permission and the RemovePermission call with its principal in the first line', () => {
    const [cause, route] = text(C.alarm).split('\n');
    expect(cause).toMatch(
      new RegExp(
        `^Cause: 500 missing Lambda invoke permission: ${C.fn} has no resource policy: nothing lets apigateway.amazonaws.com invoke it for GET /orders/\\{id\\} \\(from metrics \\+ configuration \\+ cloudtrail; logging is off or thin\\); changed: RemovePermission on ${C.fn} \\(statementId apigateway-invoke-\\w+\\) by ${DEPLOYER.replace(/[/.]/g, '\\$&')} at .*, 25 minutes before the alarm window ended$`,
      ),
    );
    expect(route).toContain('GET /orders/{id}');
  });

  it('shows metrics that the function was not reached, and how to turn the access log on', () => {
    const message = text(C.alarm);
    expect(message).toContain(`${C.fn}: Invocations 0 in the window while the stage answered 37 5xx`);
    expect(message).toContain('writes no access log, and HTTP APIs write no execution log');
    expect(message).toContain(`$ aws apigatewayv2 update-stage --api-id ${ids.c} --stage-name prod`);
    expect(message).toContain('$ aws lambda add-permission');
  });

  it('looked the function up in CloudTrail by its name', () => {
    const lookups = trail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input.LookupAttributes?.[0]);
    expect(lookups).toContainEqual({ AttributeKey: 'ResourceName', AttributeValue: C.fn });
  });
});
