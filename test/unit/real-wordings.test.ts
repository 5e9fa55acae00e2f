import { describe, expect, it } from 'vitest';
import { classifyEvent, classifyTrace, hasErrorEvidence } from '../../lambda/classify/classify.js';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import { isKnownLogText } from '../../lambda/parse/forms/known-text.js';
import { parseFunctionLogLine } from '../../lambda/parse/function-log.js';
import { parseInput } from '../../lambda/parse/input-stream.js';
import { newTrace, type RequestTrace } from '../../lambda/trace/request-trace.js';
import { TraceBuilder } from '../../lambda/trace/trace-builder.js';

/**
 * Wordings API Gateway writes that real published logs showed the tool did not read. Each is quoted from its source
 * (named beside it); the fixtures under test/fixtures/causes/ hold the published lines themselves.
 */

/** https://github.com/terraform-aws-modules/terraform-aws-apigateway-v2/issues/87 (typographic apostrophe). */
const HTTP_API_ASSUME_ROLE =
  'API Gateway doesn’t have permissions to assume the IAM role configured on the integration. Check the permissions and try again.';
/** https://dev.classmethod.jp/articles/tsnote-api-gateway-lambda-authorizer-internal-server-error-troubleshooting/ */
const HTTP_API_AUTHORIZER_FORMAT =
  "The response from the Lambda Authorizer function doesn't match the format that API Gateway expects. Simple response did not include 'isAuthorized'";

function diagnose(text: string) {
  return diagnoseEvents(parseInput(text).events);
}

/** A trace of one execution line of the method. */
function methodTrace(id: string, text: string): RequestTrace {
  const trace = newTrace(id);
  trace.lines.push({ source: 'execution', phase: 'method', text });
  return trace;
}

/** A trace holding one HTTP API access record whose integration error message is `message`. */
function httpApiTrace(message: string): RequestTrace {
  const trace = newTrace('fQke_hDCDoEEMpw=');
  trace.status = 500;
  trace.routeKey = 'POST /start-step-function';
  trace.access = { requestId: 'fQke_hDCDoEEMpw=', status: 500, integrationErrorMessage: message };
  trace.lines.push({ source: 'access', text: `status: 500; integrationErrorMessage: ${message}` });
  return trace;
}

describe('the HTTP API assume-role message', () => {
  it.each([
    ['as published (typographic apostrophe)', HTTP_API_ASSUME_ROLE],
    ['with a plain apostrophe', HTTP_API_ASSUME_ROLE.replace('’', "'")],
  ])('is a permission failure of the integration credentials role, %s', (_name, message) => {
    // Act
    const finding = classifyTrace(httpApiTrace(message));
    // Assess
    expect({ cause: finding.cause, target: finding.target, hint: finding.hint, basis: finding.basis }).toEqual({
      cause: 'lambda_permission',
      target: 'integration',
      hint: 'credentials_role',
      basis: 'message',
    });
  });

  it('names its cause when quoted on a line of its own, and that line is read as one failed request', () => {
    // Act
    const verdict = classifyEvent({ message: HTTP_API_ASSUME_ROLE });
    const { diagnosis } = diagnose(`${HTTP_API_ASSUME_ROLE}\n`);
    // Assess
    expect(verdict.cause).toBe('lambda_permission');
    expect(isKnownLogText(HTTP_API_ASSUME_ROLE)).toBe(true);
    expect({ failed: diagnosis.failedRequests, top: diagnosis.causes[0]?.cause }).toEqual({
      failed: 1,
      top: 'lambda_permission',
    });
  });

  it('is not the REST execution text a client body quotes', () => {
    // Prepare: the text inside a request body is the client's, not API Gateway's.
    const body = `(3f2a1b2c-0000-4000-8000-000000000000) Method request body before transformations: {"note":"${HTTP_API_ASSUME_ROLE}"}`;
    // Act
    const verdict = classifyEvent({ message: body });
    // Assess
    expect(verdict.cause).toBeNull();
  });
});

describe('the HTTP API authorizer response-format message', () => {
  it('quoted alone is one failed request of the Lambda authorizer, not an all-clear', () => {
    // Act
    const { diagnosis } = diagnose(`${HTTP_API_AUTHORIZER_FORMAT}\n`);
    // Assess
    expect({ failed: diagnosis.failedRequests, top: diagnosis.causes[0]?.cause }).toEqual({
      failed: 1,
      top: 'authorizer_error',
    });
    expect(isKnownLogText(HTTP_API_AUTHORIZER_FORMAT)).toBe(true);
  });

  it('in an access record with a 500 is the authorizer error, also with a typographic apostrophe', () => {
    // Prepare
    const trace = httpApiTrace('-');
    trace.access = {
      requestId: trace.requestId,
      status: 500,
      authorizerError: HTTP_API_AUTHORIZER_FORMAT.replace("'", '’'),
    };
    // Act
    const finding = classifyTrace(trace);
    // Assess
    expect({ cause: finding.cause, basis: finding.basis }).toEqual({ cause: 'authorizer_error', basis: 'message' });
  });

  it('names its cause on a line of its own in classify', () => {
    // Act
    const verdict = classifyEvent({ message: HTTP_API_AUTHORIZER_FORMAT });
    // Assess
    expect(verdict.cause).toBe('authorizer_error');
  });
});

describe('an error value only HTTP APIs write, quoted alone', () => {
  it.each([
    ['the authorizer response format', HTTP_API_AUTHORIZER_FORMAT],
    ['the assume-role message', HTTP_API_ASSUME_ROLE],
    [
      'the authorizer permission message (classmethod)',
      "The IAM role configured on the authorizer or API Gateway doesn't have permissions to call the authorizer. Check the permissions and try again.",
    ],
  ])('says the API is an HTTP API, so its fix uses apigatewayv2: %s', (_name, value) => {
    // Act
    const { diagnosis } = diagnose(`${value}\n`);
    // Assess
    expect(diagnosis.api.type).toBe('HTTP');
    expect(diagnosis.causes[0]?.remedy.some((s) => s.command?.includes('aws apigateway ') === true)).toBe(false);
  });

  it('claims no type for a value both API types write', () => {
    expect(diagnose('Endpoint request timed out\n').diagnosis.api.type).toBeUndefined();
  });
});

describe('a lone "Lambda invocation failed with status"', () => {
  const ID = '(7d2f0c1e-5b8a-4c33-9a61-0e4f2b7c9d10) ';

  it.each(['400', '403', '404', '413'])('with status %s is a failed request whose cause is left unknown', (status) => {
    // Prepare
    const line = `${ID}Lambda invocation failed with status: ${status}. Lambda request id: 0c9a4a0e-2f55-4a8b-9d7e-5b1f3e6a7c21`;
    // Act
    const { diagnosis, findings } = diagnose(`${line}\n`);
    // Assess
    expect({ failed: diagnosis.failedRequests, causes: findings.map((f) => f.cause) }).toEqual({
      failed: 1,
      causes: ['unknown'],
    });
  });

  it('as the published README quotes it (GitHub index id 12099729891, a list item) is one failed request', () => {
    // Act
    const { diagnosis, findings } = diagnose('3. Lambda invocation failed with status: 403. Lambda request id:\n');
    // Assess
    expect({ failed: diagnosis.failedRequests, causes: findings.map((f) => f.cause) }).toEqual({
      failed: 1,
      causes: ['unknown'],
    });
  });

  it('is error evidence on its own, while the lines of a request still in flight are not', () => {
    // Prepare
    const failed = methodTrace('a', 'Lambda invocation failed with status: 403. Lambda request id:');
    const inFlight = methodTrace(
      'b',
      'Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders/invocations',
    );
    // Act / Assess
    expect(hasErrorEvidence(failed)).toBe(true);
    expect(hasErrorEvidence(inFlight)).toBe(false);
  });

  it('quoted in a client body is no failure', () => {
    // Prepare
    const trace = methodTrace(
      'c',
      'Method request body before transformations: {"q":"Lambda invocation failed with status: 403"}',
    );
    // Act / Assess
    expect(hasErrorEvidence(trace)).toBe(false);
  });
});

describe('the gateway response line ("Gateway response type: <TYPE> with status code: <N>")', () => {
  // Published: GitHub index id 14277472728 (2025 notes, ERROR-level lines of one request, no "Method completed").
  const ID = '(7735a87a-73d3-439b-8079-2f731fec9980) ';
  const ASSUME_ROLE = `${ID}Execution failed due to configuration error: API Gateway does not have permission to assume the provided role arn:aws:iam::202533534284:role/lambda-apigateway-role`;
  const DEFAULT_5XX = `${ID}Gateway response type: DEFAULT_5XX with status code: 500`;

  it('gives the request its status when no "Method completed" line does, so it is not reported as cut short', () => {
    // Act
    const { diagnosis, findings } = diagnose(`${ASSUME_ROLE}\n${DEFAULT_5XX}\n`);
    // Assess
    expect(findings.map((f) => ({ cause: f.cause, status: f.status }))).toEqual([
      { cause: 'lambda_permission', status: 500 },
    ]);
    expect(diagnosis.limits.filter((l) => l.includes('no logged final status'))).toEqual([]);
  });

  it('yields to a "Method completed" line that states another status', () => {
    // Act
    const { findings } = diagnose(`${ASSUME_ROLE}\n${DEFAULT_5XX}\n${ID}Method completed with status: 502\n`);
    // Assess
    expect(findings.map((f) => f.status)).toEqual([502]);
  });

  it('with a status below 500 completes the request below 500: neither failed nor left without an outcome', () => {
    // Prepare: the published form with a 4xx type and status (UNAUTHORIZED is 401 in API Gateway's gateway responses).
    const lines = `${ID}Unauthorized request: 7735a87a-73d3-439b-8079-2f731fec9980\n${ID}Gateway response type: UNAUTHORIZED with status code: 401\n`;
    // Act
    const { diagnosis } = diagnose(lines);
    // Assess
    expect({ failed: diagnosis.failedRequests, below500: diagnosis.succeededRequests }).toEqual({
      failed: 0,
      below500: 1,
    });
    expect(diagnosis.limits.filter((l) => l.includes('no outcome'))).toEqual([]);
  });

  it('after "Method completed" in lines without request ids is the same request, never a second failed one', () => {
    // Prepare: the order does not matter to the count; the lines are the published texts without their ids.
    const bare = [
      'Execution failed due to configuration error: Invalid permissions on Lambda function',
      'Method completed with status: 500',
      'Gateway response type: DEFAULT_5XX with status code: 500',
    ];
    const builder = new TraceBuilder();
    // Act: events as the trace builder gets them from a reader that leaves bare lines bare, and as the CLI reads them.
    for (const message of bare) builder.add({ message });
    const direct = builder.finish();
    const { diagnosis } = diagnose(`${bare.join('\n')}\n`);
    // Assess
    expect(direct.failed.total).toBe(1);
    expect(diagnosis.failedRequests).toBe(1);
  });

  it('alone (the tail of a request quoted apart from it) is no failed request of its own', () => {
    // Act
    const { diagnosis } = diagnose(`${DEFAULT_5XX}\n`);
    // Assess
    expect(diagnosis.failedRequests).toBe(0);
  });

  it.each([
    ['with its request id', DEFAULT_5XX],
    ['on its own', 'Gateway response type: DEFAULT_5XX with status code: 500'],
    [
      'after a timestamp and a request id (published: GitHub index id 40370491264)',
      '2020-07-02T11:34:31.882-04:00 (PDS1PEC4oAMFpyA=) Gateway response type: AUTHORIZER_CONFIGURATION_ERROR with status code: 500',
    ],
  ])('is the status of the line itself in classify, %s', (_name, message) => {
    // Act
    const verdict = classifyEvent({ message });
    // Assess
    expect(verdict.status).toBe(500);
  });

  it('names the authorizer when the gateway response is AUTHORIZER_CONFIGURATION_ERROR and nothing else is logged', () => {
    // Act
    const verdict = classifyEvent({
      message: '(PDS1PEC4oAMFpyA=) Gateway response type: AUTHORIZER_CONFIGURATION_ERROR with status code: 500',
    });
    // Assess
    expect(verdict.cause).toBe('authorizer_error');
  });
});

describe('older Lambda runtime error formats', () => {
  it.each([
    [
      "Node.js's import failure with its stack in the event (serverless/serverless#3017)",
      "Unable to import module 'index': Error\nat Function.Module._resolveFilename (module.js:325:15)\nat Function.Module._load (module.js:276:25)",
      { kind: 'init_error', errorMessage: "Unable to import module 'index': Error" },
    ],
    [
      "Python's import failure",
      "Unable to import module 'lambda_function': No module named requests",
      { kind: 'init_error', errorMessage: "Unable to import module 'lambda_function': No module named requests" },
    ],
    [
      "Python's module initialization error (aws-samples/aws-keyspaces-lambda-python#1)",
      'module initialization error: [Errno 2] No such file or directory',
      { kind: 'init_error', errorMessage: 'module initialization error: [Errno 2] No such file or directory' },
    ],
    [
      'the Node.js 4.3 unhandled error with tabs (cboscolo/elb2loggly#26)',
      "2019-02-15T12:01:38.743Z\t7a111162-fe11-4eee-a5f8-0651a0691b8f\tTypeError: Cannot read property '0' of undefined\n    at exports.handler (/var/task/index.js:9:33)",
      {
        kind: 'error',
        requestId: '7a111162-fe11-4eee-a5f8-0651a0691b8f',
        errorType: 'TypeError',
        errorMessage: "Cannot read property '0' of undefined",
      },
    ],
    [
      'the same as AWSinAction/apigateway#1 quoted it (year cut, spaces)',
      "016-02-10T04:08:20.875Z  eba2a434-cfab-11e5-bfc3-2973859d28d5    TypeError: Property 'undefined' of object #<Object> is not a function at exports.handler (/var/task/lambda.js:4:18)",
      { kind: 'error', requestId: 'eba2a434-cfab-11e5-bfc3-2973859d28d5', errorType: 'TypeError' },
    ],
    [
      "a REPORT line's error type quoted alone (nishidemasami/contactform-api#30)",
      'Error Type: Runtime.InvalidEntrypoint',
      { kind: 'init_error', errorType: 'Runtime.InvalidEntrypoint' },
    ],
  ])('reads %s as a failed invocation', (_name, message, expected) => {
    // Act
    const record = parseFunctionLogLine(message);
    // Assess
    expect(record).toMatchObject(expected);
    expect(classifyEvent({ message }).cause).toBe('lambda_function_error');
  });

  it("keeps the stack frames after Node.js's import failure", () => {
    // Act
    const record = parseFunctionLogLine(
      "Unable to import module 'index': Error\nat Function.Module._resolveFilename (module.js:469:15)\nat Function.Module._load (module.js:417:25)",
    );
    // Assess
    expect(record?.stackTop).toEqual([
      'at Function.Module._resolveFilename (module.js:469:15)',
      'at Function.Module._load (module.js:417:25)',
    ]);
  });

  it.each([
    [
      "the function's own console.log output in the old layout",
      '2016-02-10T04:08:20.875Z\teba2a434-cfab-11e5-bfc3-2973859d28d5\tUser created: 42',
    ],
    ["an error type outside Lambda's namespaces", 'Error Type: MyApp.ValidationFailed'],
    ['a sentence that mentions the import failure', "We saw Unable to import module 'index': Error in the logs"],
  ])('reads no failure in %s', (_name, message) => {
    // Act / Assess
    expect(parseFunctionLogLine(message)).toBeUndefined();
  });

  it('lists a published old-format error in backticks as a function failure not tied to a request', () => {
    // Prepare: the line as the Markdown has it (AWSinAction/apigateway#1).
    const line =
      "`016-02-10T04:08:20.875Z  eba2a434-cfab-11e5-bfc3-2973859d28d5    TypeError: Property 'undefined' of object #<Object> is not a function at exports.handler (/var/task/lambda.js:4:18)`";
    // Act
    const { diagnosis } = diagnose(`${line}\n`);
    // Assess
    expect(diagnosis.backendUnjoined.map((b) => b.key).join('\n')).toContain(
      "TypeError: Property 'undefined' of object #<Object> is not a function",
    );
  });
});
