import { describe, expect, it } from 'vitest';
import { classifyEvent } from '../../lambda/classify/classify.js';
import type { CauseId } from '../../lambda/taxonomy.js';

/**
 * `classify` reads one line on its own: the cause its own text names, whatever prefix it came with, and null for a
 * line that names none (a status alone is no reason). Lines marked "published" are quoted as their source printed
 * them; the others are AWS's texts (named in lambda/classify/line.ts) after the prefixes the tools print.
 */
const NAMED: ReadonlyArray<readonly [string, string, CauseId]> = [
  [
    'a console Test line (published: tarkal/highchart-lambda-export-server#9)',
    'Mon Jun 07 12:16:01 UTC 2021 : Execution failed due to configuration error: Malformed Lambda proxy response',
    'malformed_lambda_response',
  ],
  [
    'an "Execution failed" line without its request id',
    'Execution failed due to configuration error: Invalid permissions on Lambda function',
    'lambda_permission',
  ],
  [
    'an `aws logs tail` line with its timestamp and stream',
    '2026-11-29T10:00:00.123000+00:00 e369853df766fa44e1ed0ff613f563bd (3f2a1b2c-0000-4000-8000-000000000000) Execution failed due to a timeout error',
    'integration_timeout',
  ],
  [
    'an HTTP API integrationErrorMessage value on its own (published: Dynatrace API Gateway log analysis guide)',
    'The Lambda function returned the following error: RequestId: 01fe3839-4974-40d5-960a-173fcb5ec786 Error: Task timed out after 5.00 seconds. Check your Lambda function code and try again.',
    'lambda_function_error',
  ],
  [
    'the HTTP API integration permission message (repost.aws knowledge-center api-gateway-http-lambda-integrations)',
    "The IAM role configured on the integration or API Gateway doesn't have permissions to call the integration. Check the permissions and try again.",
    'lambda_permission',
  ],
  [
    'the HTTP API authorizer permission message on its own (authorizer.error; see HTTP_API_AUTHORIZER_NO_PERMISSION)',
    "The authorizer or the IAM role configured on API Gateway doesn't have permissions to call the authorizer",
    'lambda_permission',
  ],
  ['REST $context.error.message for a timeout', 'Endpoint request timed out', 'integration_timeout'],
  ['a Lambda timeout line without prefix', 'Task timed out after 3.00 seconds', 'lambda_function_error'],
  [
    'a Python init error',
    "[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named 'requests'",
    'lambda_function_error',
  ],
  [
    'a REPORT line with a failed status (published: nishidemasami/contactform-api#29)',
    'REPORT RequestId: 83269395-33ee-45a8-8a99-38f67b6faf72\tDuration: 11.48 ms\tBilled Duration: 12 ms\tMemory Size: 128 MB\tMax Memory Used: 10 MB\tStatus: error\tError Type: Runtime.InvalidEntrypoint',
    'lambda_function_error',
  ],
  [
    'a runtime exit after a request id',
    'RequestId: 6f2c1a44-0000-4000-8000-000000000000 Error: Runtime exited with error: signal: killed',
    'lambda_function_error',
  ],
  [
    "Node's Invoke Error after `aws logs tail`'s timestamp and stream",
    '2026-11-29T10:00:00.123000+00:00 2024/05/01/[$LATEST]abcdef0123 2024-05-01T10:00:00.000Z\t6f2c1a44-0000-4000-8000-000000000000\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"x is undefined"}',
    'lambda_function_error',
  ],
  [
    'a customer function error on a console Test line',
    'Tue Mar 11 09:14:02 UTC 2025 : Lambda execution failed with status 200 due to customer function error: boom. Lambda request id: 6f2c1a44-0000-4000-8000-000000000000',
    'lambda_function_error',
  ],
  [
    "a function's error object as the response body",
    'Tue Mar 11 09:14:02 UTC 2025 : Endpoint response body before transformations: {"errorMessage":"Task timed out after 3.00 seconds"}',
    'lambda_function_error',
  ],
  [
    'a Logs Insights row of REST access log fields (published: DataBiosphere/azul#6624)',
    '2024-08-07 13:27:30.723\t141.80.100.141\tservice\t/repository/files/bd18fe22-a625-4fc9-9a2a-e63ab897783d\tINTEGRATION_FAILURE\tInternal server error\tExecution failed due to configuration error: Rate Exceeded.',
    'throttling',
  ],
  [
    "a Logs Insights row whose $context.integration.error holds Lambda's 6 MB limit (published: DataBiosphere/azul#6624)",
    '2024-06-13 02:24:48.874\t52.3.190.111\tservice\t/index/bundles\t\tINTEGRATION_FAILURE\tInternal server error\tLambda Customer Function Error:Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    'payload_too_large',
  ],
  [
    "the response headers of Lambda's throttling answer (published: sakazuki/lambda-ngrok-architecture NOTES.md, 2018)",
    '(a5e3de30-8d59-11e8-b2f5-9339f1c001b0) Endpoint response headers: {Connection=keep-alive, x-amzn-RequestId=a5e453c2-8d59-11e8-bf58-f5dde8cf91a3, x-amzn-ErrorType=TooManyRequestsException, Content-Length=104, Date=Sun, 22 Jul 2018 02:48:00 GMT, Content-Type=application/json}',
    'throttling',
  ],
  [
    'an authorizer console Test line (published: ExpanseLLC/lambda_authorizer#1)',
    'Wed Sep 14 21:16:33 UTC 2016 : Execution failed due to configuration error: Could not parse policy',
    'authorizer_error',
  ],
];

const NONE: ReadonlyArray<readonly [string, string, number | null]> = [
  [
    'a status line with its request id',
    '(3f2a1b2c-0000-4000-8000-000000000000) Method completed with status: 502',
    502,
  ],
  ['a status line on its own', 'Method completed with status: 502', 502],
  ['a console Test status line of a success', 'Tue Mar 11 09:14:02 UTC 2025 : Method completed with status: 200', 200],
  [
    'a client body quoting a failure message',
    'Tue Mar 11 09:14:02 UTC 2025 : Method request body before transformations: {"q":"Execution failed due to configuration error: Invalid permissions on Lambda function"}',
    null,
  ],
  [
    'Python application logging at ERROR',
    '[ERROR]\t2024-05-01T10:00:00.000Z\t6f2c1a44-0000-4000-8000-000000000000\tsomething bad',
    null,
  ],
  ['a START line', 'START RequestId: 6f2c1a44-0000-4000-8000-000000000000 Version: $LATEST', null],
  ['the client message of a 500 alone', 'Internal Server Error', null],
  ['text that is no log line', 'hello world', null],
  [
    'a CSV export row of a trace line (published: brefphp/bref#534)',
    '1579627365978,(d0a6c3bf-f5ee-4153-be2d-493031a7c885) Starting execution for request: d0a6c3bf-f5ee-4153-be2d-493031a7c885',
    null,
  ],
];

describe('classifyEvent on a single line', () => {
  it.each(NAMED)('names the cause of %s', (_name, message, cause) => {
    // Act
    const verdict = classifyEvent({ message });
    // Assess
    expect(verdict.cause).toBe(cause);
  });

  it.each(NONE)('names no cause for %s, keeping its status', (_name, message, status) => {
    // Act
    const verdict = classifyEvent({ message });
    // Assess
    expect({ cause: verdict.cause, status: verdict.status }).toEqual({ cause: null, status });
  });

  it("keeps the request id that follows `aws logs tail`'s columns", () => {
    // Act
    const verdict = classifyEvent({
      message:
        '2026-11-29T10:00:00.123000+00:00 e369853df766fa44e1ed0ff613f563bd (3f2a1b2c-0000-4000-8000-000000000000) Method completed with status: 504',
    });
    // Assess
    expect(verdict).toMatchObject({ cause: null, status: 504, requestId: '3f2a1b2c-0000-4000-8000-000000000000' });
  });

  it('gives one request one cause: the status line of a malformed response names none', () => {
    // Prepare: the two lines API Gateway writes for one failed request (ERROR-level logging).
    const lines = [
      '(7a84ffca-214a-4ce3-902b-3dd48300234d) Execution failed due to configuration error: Malformed Lambda proxy response',
      '(7a84ffca-214a-4ce3-902b-3dd48300234d) Method completed with status: 502',
    ];
    // Act
    const causes = lines.map((message) => classifyEvent({ message }).cause);
    // Assess
    expect(causes).toEqual(['malformed_lambda_response', null]);
  });
});
