/**
 * Where, in a line of any form, the text API Gateway, Lambda or the runtime wrote starts: after the console Test
 * output's date (`Tue Mar 11 09:14:02 UTC 2025 : `), `aws logs tail`'s timestamp and stream, a request id, or nothing.
 * The trace builder reads such lines as a request's execution lines; `classify` reads one line's own verdict from it.
 */
import type { AccessRecord } from '../parse/access-log.js';

/** Which log a line's own text comes from. */
export type LineSource = 'execution' | 'access' | 'lambda';

/**
 * The starts of texts API Gateway writes in a REST execution log (and the console Test output, which prints the same
 * texts after a date). The first one found in a line is where its text starts: what comes before is a prefix.
 * Texts that carry a client's or a backend's content (request bodies, headers, response bodies) are here too, so that
 * a failure message quoted inside them is read as the content it is, never as API Gateway's verdict.
 */
const EXECUTION_STARTS = [
  'Execution failed due to ',
  'Lambda execution failed with status',
  'Lambda invocation failed with status',
  'Method completed with status: ',
  'Endpoint response body before transformations: ',
  'Endpoint response headers: ',
  'Endpoint request body after transformations: ',
  'Endpoint request headers: ',
  'Endpoint request URI: ',
  'Method request body before transformations: ',
  'Method request headers: ',
  'Method request query string: ',
  'Method request path: ',
  'Method response body after transformations: ',
  'Method response headers: ',
  'Received response. ',
  'Sending request to ',
  'AuthorizerConfigurationException',
  'Incoming identity: ',
  'Unauthorized request: ',
  'Key throttle limit exceeded',
  'Execution log for request ',
  'Starting execution for request',
  'HTTP Method: ',
  'Extended Request Id: ',
  'Verifying Usage Plan for request',
  'Usage Plan check succeeded',
  'Starting authorizer',
  'Successfully completed authorizer execution',
  'Authorizer result body before parsing',
  'Using valid authorizer policy',
  'AWS Integration Endpoint RequestId',
  'X-ray Tracing ID',
  'Gateway response type: ',
  'Gateway response body: ',
  'Gateway response headers: ',
] as const;

/**
 * The values HTTP APIs write in `$context.integrationErrorMessage` and `$context.authorizer.error` (and REST's
 * `$context.integration.error`), as a line on their own or after a prefix.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html,
 * https://repost.aws/knowledge-center/api-gateway-http-lambda-integrations
 */
const ACCESS_VALUE_STARTS = [
  'The Lambda function returned the following error',
  'Lambda Customer Function Error',
  'The IAM role configured on the ',
  // `$context.authorizer.error` when API Gateway may not invoke a Lambda authorizer (the rule in rules.ts cites it).
  'The authorizer or the IAM role configured on API Gateway ',
  'The response from the Lambda ',
  // `$context.integrationErrorMessage` when API Gateway cannot assume the integration's role (rules.ts cites it).
  'API Gateway doesn’t have permissions to assume ',
  "API Gateway doesn't have permissions to assume ",
  'The request for the IAM Authorizer',
  'Malformed Lambda proxy response',
  'Rate Exceeded',
  'Response payload size exceeded maximum allowed payload size',
  'Function.ResponseSizeTooLarge',
  'TooManyRequestsException',
  // REST `$context.error.message` / HTTP API `$context.integrationErrorMessage` for a timed-out or failed connection.
  'Endpoint request timed out',
  'Network error communicating with endpoint',
] as const;

/**
 * Texts the Lambda service and runtimes write when an invocation fails (or, for START/END/REPORT, the lines around
 * every invocation, which name no failure unless their status does).
 * https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html
 */
const LAMBDA_STARTS = [
  'START RequestId: ',
  'END RequestId: ',
  'REPORT RequestId: ',
  'INIT_REPORT ',
  'Task timed out after ',
  'Error: Runtime exited',
  'Runtime exited with error',
  'Process exited before completing request',
  '[ERROR] ',
  // Older runtimes' init failures and a REPORT line's error type quoted alone (lambda/parse/function-log.ts cites them).
  "Unable to import module '",
  'module initialization error: ',
  'Error Type: Runtime.',
] as const;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The AWS-written text found in a line: where it starts, which log writes it, and the text from there. */
export interface AwsText {
  readonly source: LineSource;
  readonly at: number;
  readonly text: string;
}

const STARTS: ReadonlyArray<readonly [LineSource, RegExp]> = [
  ['execution', new RegExp(EXECUTION_STARTS.map(escapeRegex).join('|'))],
  ['access', new RegExp(ACCESS_VALUE_STARTS.map(escapeRegex).join('|'))],
  ['lambda', new RegExp(LAMBDA_STARTS.map(escapeRegex).join('|'))],
];

/** The first AWS-written text in a line: where it starts and which log writes it. */
export function firstAwsText(line: string): AwsText | undefined {
  let best: AwsText | undefined;
  for (const [source, pattern] of STARTS) {
    const m = pattern.exec(line);
    if (m !== null && (best === undefined || m.index < best.at))
      best = { source, at: m.index, text: line.slice(m.index) };
  }
  return best;
}

/**
 * An access log's error value quoted on its own (`The Lambda function returned the following error: ...`), as the
 * fields of the record it came from: `$context.integrationErrorMessage`, and `$context.authorizer.error` too when the
 * text names the authorizer. No status, no request id: the record says only what failed.
 */
export function accessRecordOfValue(text: string): AccessRecord {
  return /\bauthorizer\b/i.test(text)
    ? { authorizerError: text, integrationErrorMessage: text }
    : { integrationErrorMessage: text };
}
