import { describe, expect, it } from 'vitest';
import { hasErrorEvidence } from '../../lambda/classify/classify.js';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';
import { TraceBuilder } from '../../lambda/trace/trace-builder.js';

const A = '5cb7ee58-39e6-11e9-be7e-29aff96747f2';
const B = '73737819-c94c-48d7-86d7-b1700e4be29b';
const C = '8212e5af-c174-48ce-85d5-729d73c6771a';

function ev(id: string, text: string, timestamp: number, stream = 's1'): LogEvent {
  return {
    message: `(${id}) ${text}`,
    timestamp,
    logStreamName: stream,
    logGroupName: 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod',
  };
}

describe('TraceBuilder', () => {
  it('groups interleaved lines from several streams into one trace per request and drops successes', () => {
    // Prepare: A and C fail, B succeeds; their lines interleave and A's are spread over two streams.
    const events = [
      ev(A, 'HTTP Method: GET, Resource Path: /orders/1', 1, 's1'),
      ev(B, 'HTTP Method: GET, Resource Path: /health', 2, 's2'),
      ev(C, 'HTTP Method: POST, Resource Path: /orders', 3, 's2'),
      ev(A, 'Execution failed due to configuration error: Malformed Lambda proxy response', 4, 's2'),
      ev(B, 'Method completed with status: 200', 5, 's2'),
      ev(C, 'Execution failed due to configuration error: Invalid permissions on Lambda function', 6, 's1'),
      ev(A, 'Method completed with status: 502', 7, 's1'),
      ev(C, 'Method completed with status: 500', 8, 's2'),
    ];
    const builder = new TraceBuilder();
    // Act
    for (const e of events) builder.add(e);
    const set = builder.finish(() => false);
    // Assess
    expect(set.succeeded).toBe(1);
    expect(set.traces.map((t) => [t.requestId, t.status, t.method, t.path, t.lines.length])).toEqual([
      [A, 502, 'GET', '/orders/1', 3],
      [C, 500, 'POST', '/orders', 3],
    ]);
    expect(set.traces[0]?.firstSeen).toBe(1);
    expect(set.traces[0]?.lastSeen).toBe(7);
    expect(set.api).toEqual({ apiId: 'a1b2c3d4e5', stage: 'prod' });
  });

  it('keeps an incomplete trace as failed only when it shows an error', () => {
    const builder = new TraceBuilder();
    builder.add(ev(A, 'Execution failed due to a timeout error', 1));
    builder.add(ev(B, 'HTTP Method: GET, Resource Path: /slow', 2));
    const set = builder.finish((t) => hasErrorEvidence(t));
    expect(set.traces.map((t) => t.requestId)).toEqual([A]);
    expect(set.incomplete.map((t) => t.requestId)).toEqual([B]);
  });

  it('joins an access log record to the execution trace of the same request', () => {
    const builder = new TraceBuilder();
    builder.add(ev(A, 'Execution failed due to configuration error: Malformed Lambda proxy response', 1));
    builder.add({ message: `{"requestId":"${A}","status":"502","resourcePath":"/orders/{id}","httpMethod":"GET"}` });
    const set = builder.finish(() => false);
    expect(set.traces).toHaveLength(1);
    expect(set.traces[0]).toMatchObject({ status: 502, resourcePath: '/orders/{id}', method: 'GET' });
    expect(set.traces[0]?.lines.map((l) => l.source)).toEqual(['execution', 'access']);
  });

  it('attaches the function log lines of the request through the Lambda request id', () => {
    const lambdaId = 'dcb2ab89-2d03-4b77-98cd-18d14fd2b850';
    const { findings, traces } = diagnoseEvents([
      ev(
        A,
        `Lambda execution failed with status 200 due to customer function error: boom. Lambda request id: ${lambdaId}`,
        1,
      ),
      ev(A, 'Method completed with status: 502', 2),
      {
        message: `2026-11-25T03:00:00.000Z ${lambdaId} Task timed out after 3.00 seconds`,
        logGroupName: '/aws/lambda/orders-get',
      },
      {
        message: '2026-11-25T03:00:00.000Z 11111111-2222-4333-8444-555555555555 Task timed out after 3.00 seconds',
        logGroupName: '/aws/lambda/orders-get',
      },
    ]);
    expect(findings[0]?.backend?.map((b) => b.record.kind)).toEqual(['timeout']);
    expect(traces.unjoinedBackend.map((b) => b.record.requestId)).toEqual(['11111111-2222-4333-8444-555555555555']);
  });

  it('keeps at most a bounded number of lines per request', () => {
    const builder = new TraceBuilder();
    for (let i = 0; i < 1_000; i++) builder.add(ev(A, `Endpoint response body before transformations: chunk ${i}`, i));
    builder.add(ev(A, 'Method completed with status: 502', 2_000));
    const [trace] = builder.finish(() => false).traces;
    expect(trace?.lines.length).toBeLessThanOrEqual(120);
    expect(trace?.droppedLines).toBeGreaterThan(0);
    expect(trace?.status).toBe(502);
  });

  it('tracks the authorizer phase so a failure there is attributed to the authorizer', () => {
    const builder = new TraceBuilder();
    builder.add(ev(A, `Starting authorizer: q8togz for request: ${A}`, 1));
    builder.add(
      ev(
        A,
        'Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:770646514888:function:Authorize-Registrations-Lambda/invocations',
        2,
      ),
    );
    builder.add(ev(A, 'Execution failed due to configuration error: Invalid permissions on Lambda function', 3));
    builder.add(ev(A, 'Execution failed due to configuration error: Authorizer error', 4));
    builder.add(ev(A, 'Method completed with status: 500', 5));
    const [trace] = builder.finish(() => false).traces;
    expect(trace?.authorizerLambda?.functionName).toBe('Authorize-Registrations-Lambda');
    expect(trace?.lambda).toBeUndefined();
    expect(trace?.lines.slice(0, 4).map((l) => l.phase)).toEqual([
      'authorizer',
      'authorizer',
      'authorizer',
      'authorizer',
    ]);
  });

  it('does not reopen a request that completed well when its trailer lines arrive after it', () => {
    const builder = new TraceBuilder();
    builder.add(ev(A, 'Method completed with status: 200', 1));
    builder.add(ev(A, 'AWS Integration Endpoint RequestId : 57593f79-6e46-4a6f-91b1-f5d848cc2059', 2));
    builder.add(ev(A, 'X-ray Tracing ID : 1-5c755b5d-07b29b94e632d3da19d88789', 3));
    const set = builder.finish(() => false);
    expect(set.incomplete).toEqual([]);
    expect(set.succeeded).toBe(1);
  });

  it('counts a successful request once when both its execution and access log lines are read', () => {
    const builder = new TraceBuilder();
    builder.add(ev(A, 'Method completed with status: 200', 1));
    builder.add({ message: `{"requestId":"${A}","status":"200","httpMethod":"GET","resourcePath":"/orders/{id}"}` });
    builder.add({ message: `{"requestId":"${B}","status":"201","httpMethod":"POST","resourcePath":"/orders"}` });
    builder.add(ev(B, 'Method completed with status: 201', 2));
    expect(builder.finish(() => false).succeeded).toBe(2);
  });

  it("does not take an authorizer's source ARN for the stage", () => {
    const builder = new TraceBuilder();
    builder.add({
      message: `(${A}) Endpoint request headers: {x-amzn-lambda-integration-tag=${A}, X-Amz-Source-Arn=arn:aws:execute-api:us-west-2:919586034543:oo8kadh853/authorizers/elkw5b, Accept=application/json}`,
    });
    expect(builder.finish(() => false).api.stage).toBeUndefined();
  });
});
