import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAccessLine } from '../../lambda/parse/access-log.js';
import {
  completedStatusAt,
  executionFacts,
  lambdaTargetOf,
  requestIdEnd,
  splitExecutionLine,
  textStart,
} from '../../lambda/parse/execution-log.js';
import { parseFunctionLogLine } from '../../lambda/parse/function-log.js';

describe('splitExecutionLine', () => {
  it('splits the request id prefix from the text', () => {
    expect(splitExecutionLine('(5cb7ee58-39e6-11e9-be7e-29aff96747f2) Method completed with status: 502')).toEqual({
      requestId: '5cb7ee58-39e6-11e9-be7e-29aff96747f2',
      text: 'Method completed with status: 502',
    });
  });

  it('is not fooled by a line that merely starts with a parenthesis', () => {
    expect(splitExecutionLine('(see below) text')).toBeUndefined();
    expect(splitExecutionLine('START RequestId: 1')).toBeUndefined();
  });
});

describe('executionFacts', () => {
  it('reads status, method, resource template, API stage, region and account', () => {
    expect(executionFacts('Method completed with status: 504')).toEqual({ status: 504 });
    expect(executionFacts('HTTP Method: GET, Resource Path: /orders/42')).toEqual({
      method: 'GET',
      path: '/orders/42',
    });
    expect(
      executionFacts(
        "API Key  authorized because method 'GET /orders/{id}' does not require API Key. Request will not contribute to throttle or quota limits",
      ),
    ).toEqual({ method: 'GET', resourcePath: '/orders/{id}' });
    expect(
      executionFacts(
        'Endpoint request headers: {x-amzn-lambda-integration-tag=1, X-Amz-Source-Arn=arn:aws:execute-api:eu-west-2:958845080241:uwe3g5jm54/Prod/GET/echo, Accept=application/json}',
      ),
    ).toEqual({ region: 'eu-west-2', accountId: '958845080241', apiId: 'uwe3g5jm54', stage: 'Prod' });
  });

  it('reads the Lambda request id and function error from response headers and failure lines', () => {
    expect(
      executionFacts(
        'Endpoint response headers: {Date=Wed, 27 Feb 2019 11:31:11 GMT, Content-Type=application/json, x-amzn-RequestId=71952965-d5cc-4974-ae08-6e2138b2275c, X-Amz-Function-Error=Unhandled, X-Amz-Executed-Version=$LATEST}',
      ),
    ).toEqual({ lambdaRequestId: '71952965-d5cc-4974-ae08-6e2138b2275c', functionError: 'Unhandled' });
    expect(
      executionFacts(
        'Lambda invocation failed with status: 429. Lambda request id: dcb2ab89-2d03-4b77-98cd-18d14fd2b850',
      ),
    ).toEqual({ integrationStatus: 429, lambdaRequestId: 'dcb2ab89-2d03-4b77-98cd-18d14fd2b850' });
    expect(executionFacts('Received response. Integration latency: 40 ms')).toEqual({ integrationLatencyMs: 40 });
    expect(executionFacts('Received response. Status: 503, Integration latency: 12 ms')).toEqual({
      integrationStatus: 503,
      integrationLatencyMs: 12,
    });
  });

  it('does not take a stage name that could inject shell syntax into a command', () => {
    expect(
      executionFacts('Verifying Usage Plan for request: x. API Key: API Stage: a1b2c3d4e5/$(reboot)').stage,
    ).toBeUndefined();
  });

  it('reads the stage variables of the proxy event', () => {
    expect(
      executionFacts(
        'Endpoint request body after transformations: {"resource":"/x","stageVariables":{"lambdaAlias":"live"},"requestContext":{}}',
      ).stageVariables,
    ).toEqual({ lambdaAlias: 'live' });
  });
});

describe('lambdaTargetOf', () => {
  it('reads function, qualifier, region and account from a Lambda invocation URI', () => {
    expect(
      lambdaTargetOf(
        'https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:quotes-api:live/invocations',
      ),
    ).toEqual({
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:quotes-api:live',
      functionName: 'quotes-api',
      qualifier: 'live',
      region: 'us-east-1',
      accountId: '123456789012',
    });
    expect(lambdaTargetOf('http://internal-nlb.example.com/orders')).toBeUndefined();
  });
});

describe('parseAccessLine', () => {
  it('reads a REST JSON access log line and treats "-" as missing', () => {
    // Format: the console's JSON example plus error fields (docs: set-up-access-logging.html).
    const line =
      '{ "requestId":"5cb7ee58-39e6-11e9-be7e-29aff96747f2", "ip": "203.0.113.7", "requestTime":"25/Nov/2026:03:12:05 +0000", "httpMethod":"GET", "resourcePath":"/orders/{id}", "status":"502", "protocol":"HTTP/1.1", "responseLength":"36", "errorMessage":"Internal server error", "integrationErrorMessage":"-", "integrationStatus":"200", "integrationLatency":"24" }';
    expect(parseAccessLine(line)).toEqual({
      requestId: '5cb7ee58-39e6-11e9-be7e-29aff96747f2',
      method: 'GET',
      resourcePath: '/orders/{id}',
      status: 502,
      errorMessage: 'Internal server error',
      integrationStatus: 200,
      integrationLatencyMs: 24,
    });
  });

  it('reads nested JSON fields such as "error": {"responseType": ...}', () => {
    expect(
      parseAccessLine(
        '{"requestId":"r1","status":504,"error":{"message":"Endpoint request timed out","responseType":"INTEGRATION_TIMEOUT"}}',
      ),
    ).toEqual({
      requestId: 'r1',
      status: 504,
      errorMessage: 'Endpoint request timed out',
      responseType: 'INTEGRATION_TIMEOUT',
    });
  });

  it('reads the HTTP API CLF line with the integration error appended', () => {
    // Real line (research: Terraform comment, HTTP API troubleshooting format).
    const line =
      '64.136.145.109 - - [15/Feb/2023:23:08:37 +0000] "GET $default HTTP/1.1" 500 35 AZzecgvEPHcEPew= The IAM role configured on the integration or API Gateway doesn\'t have permissions to call the integration. Check the permissions and try again.';
    expect(parseAccessLine(line)).toEqual({
      status: 500,
      method: 'GET',
      routeKey: '$default',
      requestId: 'AZzecgvEPHcEPew=',
      integrationErrorMessage:
        "The IAM role configured on the integration or API Gateway doesn't have permissions to call the integration. Check the permissions and try again.",
    });
  });

  it('reads the REST CLF line (no space before the quote) and the XML format', () => {
    expect(
      parseAccessLine(
        '203.0.113.7 - - [25/Nov/2026:03:12:05 +0000]"GET /orders/{id} HTTP/1.1" 502 36 5cb7ee58-39e6-11e9-be7e-29aff96747f2 Vts2pH6ArPEFcuQ=',
      ),
    ).toMatchObject({
      status: 502,
      method: 'GET',
      resourcePath: '/orders/{id}',
      requestId: '5cb7ee58-39e6-11e9-be7e-29aff96747f2',
    });
    expect(
      parseAccessLine(
        '<request id="r-9"> <ip>203.0.113.7</ip> <httpMethod>POST</httpMethod> <resourcePath>/orders</resourcePath> <status>500</status> </request>',
      ),
    ).toEqual({ requestId: 'r-9', method: 'POST', resourcePath: '/orders', status: 500 });
  });

  it('does not take arbitrary JSON for an access log line', () => {
    expect(parseAccessLine('{"level":"info","message":"hello"}')).toBeUndefined();
    expect(parseAccessLine('{"status":"oops"}')).toBeUndefined();
  });
});

describe('parseFunctionLogLine', () => {
  it('reads START, END and REPORT, with the newer Status and Error Type fields', () => {
    expect(parseFunctionLogLine('START RequestId: 4299ee26-8d1d-4ea9-bd43-77b85ed96cfe Version: $LATEST')).toEqual({
      kind: 'start',
      requestId: '4299ee26-8d1d-4ea9-bd43-77b85ed96cfe',
    });
    expect(
      parseFunctionLogLine(
        'REPORT RequestId: 13222b1e-f16b-4550-89df-869ab0a9806d\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 1024 MB\tMax Memory Used: 64 MB\tStatus: timeout',
      ),
    ).toMatchObject({
      kind: 'timeout',
      requestId: '13222b1e-f16b-4550-89df-869ab0a9806d',
      durationMs: 3000,
      memorySizeMb: 1024,
    });
    expect(
      parseFunctionLogLine(
        'REPORT RequestId: 806ab12b-e660-4a4a-8d9a-eee01e457f98\tDuration: 376256.59 ms\tBilled Duration: 376257 ms\tMemory Size: 10239 MB\tMax Memory Used: 10239 MB\tInit Duration: 551.73 ms\tStatus: error\tError Type: Runtime.OutOfMemory',
      ),
    ).toMatchObject({ kind: 'out_of_memory', maxMemoryUsedMb: 10239, memorySizeMb: 10239 });
  });

  it('reads "Task timed out" with its request id (spaces, not tabs)', () => {
    expect(
      parseFunctionLogLine(
        '2023-10-20T16:28:17.840Z 4299ee26-8d1d-4ea9-bd43-77b85ed96cfe Task timed out after 31.01 seconds',
      ),
    ).toEqual({
      kind: 'timeout',
      timeoutSeconds: 31.01,
      requestId: '4299ee26-8d1d-4ea9-bd43-77b85ed96cfe',
    });
  });

  it('reads Node.js Invoke Error and init errors logged with the request id "undefined"', () => {
    expect(
      parseFunctionLogLine(
        '2022-05-23T16:44:58.586Z\t0bf9b3be-e861-4eaa-92e9-5abc93ba53b4\tERROR\tInvoke Error \t{"errorType":"Error","errorMessage":"This execution failed","stack":["Error: This execution failed","    at Runtime.hello [as handler] (file:///var/task/index.js:2:9)"]}',
      ),
    ).toEqual({
      kind: 'error',
      errorType: 'Error',
      errorMessage: 'This execution failed',
      stackTop: ['Error: This execution failed', '    at Runtime.hello [as handler] (file:///var/task/index.js:2:9)'],
      requestId: '0bf9b3be-e861-4eaa-92e9-5abc93ba53b4',
    });
    expect(
      parseFunctionLogLine(
        '2025-02-10T07:37:10.463Z\tundefined\tERROR\tUncaught Exception \t{"errorType":"Runtime.UserCodeSyntaxError","errorMessage":"SyntaxError: Unexpected end of input","stack":["Runtime.UserCodeSyntaxError: SyntaxError: Unexpected end of input"]}',
      ),
    ).toMatchObject({ kind: 'init_error', errorType: 'Runtime.UserCodeSyntaxError' });
  });

  it('reads a Python traceback event and the out-of-memory exit', () => {
    expect(
      parseFunctionLogLine(
        '[ERROR] KeyError: \'id\'\nTraceback (most recent call last):\n\u00a0\u00a0File "/var/task/lambda_function.py", line 73, in lambda_handler\n\u00a0\u00a0\u00a0\u00a0dam_event = create_event(log_event)',
      ),
    ).toMatchObject({ kind: 'error', errorType: 'KeyError', errorMessage: "'id'" });
    expect(
      parseFunctionLogLine(
        'RequestId: d018ab48-c1d6-4075-9721-fe8ee92e458a Error: Runtime exited with error: signal: killed\nRuntime.ExitError',
      ),
    ).toEqual({
      kind: 'out_of_memory',
      errorType: 'Runtime.ExitError',
      errorMessage: 'Runtime exited with error: signal: killed',
      requestId: 'd018ab48-c1d6-4075-9721-fe8ee92e458a',
    });
  });

  it('ignores application output', () => {
    expect(parseFunctionLogLine('2024-01-01T00:00:00.000Z\tabc\tINFO\tprocessing order 42')).toBeUndefined();
    expect(parseFunctionLogLine('hello world')).toBeUndefined();
  });

  it('reads failures that newer runtimes write only in REPORT or in the JSON log format', () => {
    expect(
      parseFunctionLogLine(
        'REPORT RequestId: f8400400-dd9e-4025-b644-4c78df3287c7\tDuration: 1338.34 ms\tBilled Duration: 1339 ms\tMemory Size: 128 MB\tMax Memory Used: 71 MB\tStatus: error\tError Type: Runtime.ExitError',
      ),
    ).toMatchObject({ kind: 'error', errorType: 'Runtime.ExitError' });
    // Python's JSON log format names the level `log_level` for unhandled errors (awslambdaric bootstrap.py).
    expect(
      parseFunctionLogLine(
        '{"timestamp": "2026-11-25T03:12:05Z", "log_level": "ERROR", "errorMessage": "\'id\'", "errorType": "KeyError", "requestId": "6795fe66-02b7-4e64-98b5-1061b6d08b6d", "stackTrace": ["  File \\"/var/task/lambda_function.py\\", line 73, in lambda_handler\\n"]}',
      ),
    ).toMatchObject({ kind: 'error', errorType: 'KeyError', requestId: '6795fe66-02b7-4e64-98b5-1061b6d08b6d' });
  });
});

describe('completedStatusAt (the fast status read)', () => {
  it('agrees with executionFacts on status lines and near misses', () => {
    const near = fc.oneof(
      fc.integer({ min: 0, max: 9999 }).map((n) => `Method completed with status: ${n}`),
      fc
        .tuple(fc.integer({ min: 100, max: 599 }), fc.string({ maxLength: 4 }))
        .map(([n, tail]) => `Method completed with status: ${n}${tail}`),
      fc.string({ maxLength: 40 }).map((s) => `Method completed with status: ${s}`),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(near, (text) => {
        const message = `(5cb7ee58-39e6-11e9-be7e-29aff96747f2) ${text}`;
        const close = requestIdEnd(message);
        expect(completedStatusAt(message, textStart(message, close))).toBe(executionFacts(text).status);
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads the status API Gateway writes', () => {
    const message = '(5cb7ee58-39e6-11e9-be7e-29aff96747f2) Method completed with status: 502';
    expect(completedStatusAt(message, 39)).toBe(502);
    expect(completedStatusAt(message, 0)).toBeUndefined();
  });
});
