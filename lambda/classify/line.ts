import { parseFunctionLogLine } from '../parse/function-log.js';
import type { CauseId } from '../taxonomy.js';
import { type AwsText, accessRecordOfValue, firstAwsText, type LineSource } from '../trace/aws-text.js';
import { newTrace, type RequestTrace } from '../trace/request-trace.js';
import { type ClassifyContext, RULES, type Rule, type RuleMatch } from './rules.js';

/**
 * A single line read on its own text, whatever came before it: the console Test output's date (`Tue Mar 11
 * 09:14:02 UTC 2025 : `), `aws logs tail`'s timestamp and stream, a request id or none, a quote. The line names a
 * cause when, from the first text API Gateway, Lambda or the runtime writes, the rules recognise a failure by its
 * message; a status code alone names none (`Method completed with status: 502` is a 502 whose reason another line
 * states).
 */

export interface LineVerdict {
  readonly cause: CauseId;
  readonly source: LineSource;
  readonly ruleId: string;
  /** The status the text itself states ("Method completed with status: 504"), when it states one. */
  readonly status?: number;
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

/** A text that states the status of the answer: "Method completed", or the gateway response API Gateway answered with. */
const STATUS_TEXT =
  /^(?:Method completed with status: |Gateway response type: [A-Z0-9_]{1,64} with status code: )(\d{3})\b/;

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
function traceOf(start: AwsText): RequestTrace {
  const trace = newTrace('line');
  if (start.source === 'execution') {
    trace.lines.push({ source: 'execution', text: start.text, phase: 'method' });
  } else {
    trace.access = accessRecordOfValue(start.text);
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
  const start = firstAwsText(line);
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

/**
 * The status a line's own text states (`Method completed with status: 502`, `Gateway response type: DEFAULT_5XX with
 * status code: 500`), wherever the text starts.
 */
export function statusOfLineText(line: string): number | undefined {
  const start = firstAwsText(line);
  if (start?.source !== 'execution') return undefined;
  const m = STATUS_TEXT.exec(start.text);
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

/** The request id in parentheses right before a line's AWS text (`aws logs tail`: `<time> <stream> (<id>) <text>`). */
export function requestIdOfLine(line: string): string | undefined {
  const start = firstAwsText(line);
  if (start === undefined || start.source !== 'execution') return undefined;
  return /(?:^|\s)\(([^()\s]{1,128})\) $/.exec(line.slice(Math.max(0, start.at - 132), start.at))?.[1];
}
