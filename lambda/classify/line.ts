import { parseFunctionLogLine } from '../parse/function-log.js';
import type { CauseId } from '../taxonomy.js';
import { newTrace, type RequestTrace } from '../trace/request-trace.js';
import { type ClassifyContext, RULES, type Rule, type RuleMatch } from './rules.js';

/**
 * A single line read on its own text, whatever came before it: the console Test output's date (`Tue Mar 11
 * 09:14:02 UTC 2025 : `), `aws logs tail`'s timestamp and stream, a request id or none, a quote. The line names a
 * cause when, from the first text API Gateway, Lambda or the runtime writes, the rules recognise a failure by its
 * message; a status code alone names none (`Method completed with status: 502` is a 502 whose reason another line
 * states).
 */

/** Which log a line's own text comes from. */
export type LineSource = 'execution' | 'access' | 'lambda';

export interface LineVerdict {
  readonly cause: CauseId;
  readonly source: LineSource;
  readonly ruleId: string;
  /** The status the text itself states ("Method completed with status: 504"), when it states one. */
  readonly status?: number;
}

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
  'The response from the Lambda ',
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
] as const;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type Start = { readonly source: LineSource; readonly at: number; readonly text: string };

const STARTS: ReadonlyArray<readonly [LineSource, RegExp]> = [
  ['execution', new RegExp(EXECUTION_STARTS.map(escapeRegex).join('|'))],
  ['access', new RegExp(ACCESS_VALUE_STARTS.map(escapeRegex).join('|'))],
  ['lambda', new RegExp(LAMBDA_STARTS.map(escapeRegex).join('|'))],
];

/** The first AWS-written text in a line: where it starts and which log writes it. */
function firstStart(line: string): Start | undefined {
  let best: Start | undefined;
  for (const [source, pattern] of STARTS) {
    const m = pattern.exec(line);
    if (m !== null && (best === undefined || m.index < best.at))
      best = { source, at: m.index, text: line.slice(m.index) };
  }
  return best;
}

/** Node.js runtime: `<time>\t<request id>\tERROR\tInvoke Error \t{...}` (also Uncaught Exception, Unhandled Rejection). */
const NODE_RUNTIME_ERROR = /\bERROR\s+(?:Invoke Error|Uncaught Exception|Unhandled Promise Rejection)\s/;
/** Error types in the Lambda service's and runtimes' own namespaces (`Runtime.ImportModuleError`, `Sandbox.Timedout`). */
const LAMBDA_ERROR_TYPE =
  /\b(?:Runtime\.(?:ImportModuleError|HandlerNotFound|UserCodeSyntaxError|MalformedHandlerName|InvalidEntrypoint|ExitError|OutOfMemory|Unknown)|Sandbox\.Timedout)\b/;
/** REPORT / platform.report with a failed status: `Status: timeout`, `Status: error`. */
const FAILED_STATUS = /\bStatus: (?:timeout|error|failure)\b/;
/** Python's unhandled exception: `[ERROR] KeyError: 'id'` (application logging writes `[ERROR]\t<time>\t...`). */
const PYTHON_RUNTIME_ERROR = /^\[ERROR\] [A-Za-z_][A-Za-z0-9_.]*: /;
/** A function error object as the response body: `{"errorMessage": ..., "errorType": ...}`. */
const ERROR_BODY = /^Endpoint response body before transformations: \{\s*"error(?:Message|Type)"\s*:/;

const STATUS_TEXT = /^Method completed with status: (\d{3})\b/;

function lambdaVerdict(text: string, whole: string): LineVerdict | undefined {
  const record = parseFunctionLogLine(text);
  if (record !== undefined) {
    const failed = record.kind !== 'start' && record.kind !== 'end' && record.kind !== 'report';
    return failed
      ? { cause: 'lambda_function_error', source: 'lambda', ruleId: `function-log-${record.kind}` }
      : undefined;
  }
  if (/^Task timed out after \d/.test(text) || /^(?:Error: )?Runtime exited/.test(text))
    return { cause: 'lambda_function_error', source: 'lambda', ruleId: 'function-log-runtime' };
  if (text.startsWith('Process exited before completing request'))
    return { cause: 'lambda_function_error', source: 'lambda', ruleId: 'function-log-runtime' };
  if (PYTHON_RUNTIME_ERROR.test(text))
    return { cause: 'lambda_function_error', source: 'lambda', ruleId: 'function-log-error' };
  if (/^(?:REPORT|INIT_REPORT) /.test(text) && FAILED_STATUS.test(text))
    return { cause: 'lambda_function_error', source: 'lambda', ruleId: 'function-log-report' };
  return whole === text ? undefined : lambdaAnywhere(whole);
}

/** Runtime texts that may stand anywhere in a line (after a timestamp and a request id, inside a JSON record). */
function lambdaAnywhere(line: string): LineVerdict | undefined {
  if (NODE_RUNTIME_ERROR.test(line) || LAMBDA_ERROR_TYPE.test(line))
    return { cause: 'lambda_function_error', source: 'lambda', ruleId: 'function-log-error' };
  return undefined;
}

/** A one-line trace: the text as an execution line of the method, and as an access log's error value. */
function traceOf(start: Start): RequestTrace {
  const trace = newTrace('line');
  if (start.source === 'execution') {
    trace.lines.push({ source: 'execution', text: start.text, phase: 'method' });
  } else {
    const authorizer = /\bauthorizer\b/i.test(start.text);
    trace.access = authorizer
      ? { authorizerError: start.text, integrationErrorMessage: start.text }
      : { integrationErrorMessage: start.text };
    trace.lines.push({ source: 'access', text: start.text });
  }
  return trace;
}

function ruleMatch(rule: Rule, trace: RequestTrace, context: ClassifyContext): RuleMatch | undefined {
  try {
    return rule.match(trace, context);
  } catch {
    // A rule that throws on one line says nothing about the line; classifyTrace reports rule errors per request.
    return undefined;
  }
}

/**
 * The cause a line's own text names, or undefined when it names none. Only a rule that knew from a message counts:
 * a status-only match is no verdict for a line.
 */
export function classifyLineText(line: string, context: ClassifyContext = {}): LineVerdict | undefined {
  const start = firstStart(line);
  if (start === undefined) return lambdaAnywhere(line);
  if (start.source === 'lambda') return lambdaVerdict(start.text, line);
  const trace = traceOf(start);
  const status = start.source === 'execution' ? STATUS_TEXT.exec(start.text)?.[1] : undefined;
  for (const rule of RULES) {
    const m = ruleMatch(rule, trace, context);
    if (m === undefined || m.basis !== 'message') continue;
    return { cause: rule.cause, source: start.source, ruleId: rule.id };
  }
  // A function's error object as the integration's answer: a function error, whatever status it became.
  if (start.source === 'execution' && ERROR_BODY.test(start.text)) {
    return { cause: 'lambda_function_error', source: 'execution', ruleId: 'lambda-function-error' };
  }
  return status !== undefined ? undefined : start.source === 'execution' ? undefined : lambdaAnywhere(start.text);
}

/** The status a line's own text states (`Method completed with status: 502`), wherever the text starts. */
export function statusOfLineText(line: string): number | undefined {
  const start = firstStart(line);
  if (start?.source !== 'execution') return undefined;
  const m = STATUS_TEXT.exec(start.text);
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}
