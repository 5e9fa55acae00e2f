import { firstAwsText } from '../../trace/aws-text.js';
import { parseAccessLine } from '../access-log.js';
import { requestIdEnd } from '../execution-log.js';
import { parseFunctionLogLine } from '../function-log.js';

/**
 * Whether a log message is one this tool reads: an API Gateway execution line `(<request id>) text`, an access log
 * line (JSON, CLF, CSV, XML), a line the Lambda service or runtime writes, or API Gateway's own text quoted without
 * its prefix. Used to count the lines of an input that were read as no known log, so that unreadable input is
 * reported instead of answered with "no failures".
 */
export function isKnownLogText(message: string): boolean {
  const c = message.charCodeAt(0);
  if (c === 40 /* ( */ && requestIdEnd(message) !== -1) return true;
  if (isBareExecutionText(message) || isHttpApiErrorText(message)) return true;
  // Any text the classifier knows AWS writes (lambda/trace/aws-text.ts), quoted from its first character.
  if (firstAwsText(message)?.at === 0) return true;
  if (LAMBDA_LINE.test(message)) return true;
  if (parseFunctionLogLine(message) !== undefined) return true;
  return parseAccessLine(message) !== undefined;
}

// Lines the Lambda service and runtimes write, whatever they say: `START RequestId:`, `REPORT ...`, the runtime's
// `<time>\t<request id>\t<LEVEL>\t` prefix (Node.js, and Python's `[LEVEL]\t<time>\t<id>\t`), and the JSON log
// format's platform records, and the runtime's `LAMBDA_WARNING: Unhandled exception. ...` (quoted in
// https://github.com/podaac/hydrocron/issues/107). https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html
const LAMBDA_LINE =
  /^(?:(?:INIT_START|START|END|REPORT|EXTENSION|TELEMETRY|INIT_REPORT|RESTORE_START|RESTORE_REPORT) |LAMBDA_WARNING: |\d{4}-\d\d-\d\dT[\d:.]+Z\t\S+\t(?:INFO|ERROR|WARN|DEBUG|TRACE|FATAL)\t|\[(?:INFO|ERROR|WARNING|DEBUG|CRITICAL)\]\t|\{"time":"[^"]*","type":"platform\.)/;

// The texts REST API execution log lines start with after their `(<request id>) ` prefix, as API Gateway writes
// them (test/fixtures/causes cite a source for each): a line quoted without its prefix still says what happened.
const EXECUTION_TEXT =
  /^(?:Extended Request Id: |Starting execution for request: |HTTP Method: \S+, Resource Path: |Method request (?:path|query string|headers|body before transformations): |Method completed with status: \d{3}|Method response (?:body after transformations|headers): |Endpoint request (?:URI|headers|body after transformations): |Endpoint response (?:headers|body before transformations): |Sending request to |Received response\. |Execution failed due to |Execution failed: |Lambda execution failed with status |Lambda invocation failed with status: |Malformed Lambda proxy response|Successfully completed execution|Verifying Usage Plan for request: |API Key {1,2}authorized because |Usage Plan check succeeded |Key throttle limit exceeded |X-ray Tracing ID : |AWS Integration Endpoint RequestId : |Starting authorizer: |Incoming identity: |Authorizer result body |Using valid authorizer policy |Unauthorized request: |Endpoint response body before transformations: |Integration response|Execution failed due to configuration error: |Invalid permissions on Lambda function|Gateway response (?:type|body|headers): )/;

/** True when a line without a `(<request id>) ` prefix is the text of a REST API execution log line. */
export function isBareExecutionText(line: string): boolean {
  return EXECUTION_TEXT.test(line);
}

// What HTTP APIs write in `$context.integrationErrorMessage` (and REST in `$context.error.message`), quoted on its
// own: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html
const HTTP_API_ERROR_TEXT =
  /^(?:The Lambda function returned the following error: |The IAM role configured on the integration or API Gateway doesn't have permissions to call the integration|The response from the Lambda (?:Authorizer )?function doesn['’]t match the format that API Gateway expects|API Gateway doesn['’]t have permissions to assume the IAM role configured on the integration|Internal Server Error$|Service Unavailable$|Endpoint request timed out$|Network error communicating with endpoint)/;

/** True for an HTTP API integration error message (or a REST `$context.error.message`) quoted on its own. */
export function isHttpApiErrorText(line: string): boolean {
  return HTTP_API_ERROR_TEXT.test(line);
}
