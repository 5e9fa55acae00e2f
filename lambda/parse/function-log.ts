import { isRecord } from './input.js';

/**
 * The backend Lambda function's own log (log group `/aws/lambda/{name}`), text and JSON log formats, Node.js and
 * Python runtimes. Only lines that the Lambda service or runtime writes are recognised; application `console.log`
 * output is not evidence of anything. Formats: test/fixtures/lambda (each names its source).
 */
export type FunctionLogKind =
  | 'start'
  | 'end'
  | 'report'
  | 'timeout'
  | 'init_error'
  | 'runtime_exit'
  | 'out_of_memory'
  | 'error';

export interface FunctionLogRecord {
  readonly kind: FunctionLogKind;
  /** The Lambda request id (the integration's x-amzn-RequestId), when the line carries it. */
  readonly requestId?: string;
  readonly errorType?: string;
  readonly errorMessage?: string;
  /** First frames of the stack, as logged. */
  readonly stackTop?: readonly string[];
  readonly timeoutSeconds?: number;
  readonly durationMs?: number;
  readonly memorySizeMb?: number;
  readonly maxMemoryUsedMb?: number;
  /** REPORT `Status:` field (`timeout`, `error`) written by newer runtimes. */
  readonly reportStatus?: string;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const START = new RegExp(`^START RequestId: (${UUID})`);
const END = new RegExp(`^END RequestId: (${UUID})`);
const REPORT = new RegExp(`^REPORT RequestId: (${UUID})`);
const TIMEOUT = new RegExp(`^(?:\\S+\\s+)?(?:(${UUID})\\s+)?Task timed out after (\\d+(?:\\.\\d+)?) seconds`);
const RUNTIME_EXIT = new RegExp(`^(?:RequestId: (${UUID}) )?Error: (Runtime exited.*)`);
// Node.js: `<time>\t<request id>\tERROR\tInvoke Error \t{json}` / `Uncaught Exception \t{json}` /
// `Unhandled Promise Rejection \t{json}`.
const NODE_ERROR = new RegExp(
  `^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\t(${UUID}|undefined)\\tERROR\\t(Invoke Error|Uncaught Exception|Unhandled Promise Rejection)\\s*\\t(\\{.*)$`,
  's',
);
// Python: `[ERROR] KeyError: 'id'` then the traceback (one event, newline separated).
const PYTHON_ERROR = /^\[ERROR\] ([A-Za-z_][A-Za-z0-9_.]*): ?([^\n]*)(?:\n([\s\S]*))?$/;
const NUMBER_FIELD = (name: string): RegExp => new RegExp(`\\b${name}: (\\d+(?:\\.\\d+)?)`);
const REPORT_DURATION = NUMBER_FIELD('Duration');
const REPORT_MEMORY = NUMBER_FIELD('Memory Size');
const REPORT_MAX_MEMORY = NUMBER_FIELD('Max Memory Used');
const REPORT_STATUS = /\bStatus: ([a-z]+)/;
const REPORT_ERROR_TYPE = /\bError Type: ([A-Za-z.]+)/;

/**
 * Older runtimes' init failures, written without an error type: Node.js 4.3-8.10 `Unable to import module 'index':
 * Error` then the stack, one `at ...` frame a line (https://github.com/CodeGenieApp/serverless-express/issues/150,
 * https://github.com/serverless/serverless/issues/3017), and Python's `Unable to import module 'lambda_function': No
 * module named ...`; Python 2.7/3.6 `module initialization error: [Errno 2] No such file or directory`
 * (https://github.com/aws-samples/aws-keyspaces-lambda-python/issues/1; after a log tool's time and stream columns
 * in GitHub index id 38277362976).
 */
const OLD_IMPORT_ERROR = /^Unable to import module '[^'\n]{1,256}':/;
const OLD_INIT_ERROR = /^module initialization error: /;
/**
 * The Node.js 4.3/6.10 runtime's unhandled error: `<time>\t<request id>\t<ErrorName>: <message>` then the stack, with
 * no level column (https://github.com/AWSinAction/apigateway/issues/1, 2016, quoted with its year's first digit lost
 * and the tabs as spaces; https://github.com/cboscolo/elb2loggly/issues/26, 2019). Only an error name in the message's
 * place: any other text there is the function's own console.log output.
 */
const OLD_NODE_ERROR = new RegExp(
  `^\\d{1,4}-\\d{2}-\\d{2}T[\\d:.]+Z[ \\t]+(${UUID})[ \\t]+((?:[A-Z][A-Za-z]*)?(?:Error|Exception)): ?([^\\n]*)(?:\\n([\\s\\S]*))?$`,
);
/**
 * The `Error Type: Runtime.InvalidEntrypoint` field of a REPORT or INIT_REPORT line quoted on its own
 * (https://github.com/nishidemasami/contactform-api/issues/30; the whole REPORT line in issue 29 of the same
 * repository). Only Lambda's own namespaces.
 */
const ERROR_TYPE_FIELD = /^Error Type: ((?:Runtime|Sandbox|Function)\.[A-Z][A-Za-z]{1,64})\s*$/;

const INIT_ERROR_TYPES = /^Runtime\.(ImportModuleError|HandlerNotFound|UserCodeSyntaxError|MalformedHandlerName)/;

/** Parses one function log line; undefined when the line is not one the service or runtime writes. */
export function parseFunctionLogLine(message: string): FunctionLogRecord | undefined {
  const c = message.charCodeAt(0);
  if (c === 83 /* S */) {
    const m = START.exec(message);
    return m?.[1] !== undefined ? { kind: 'start', requestId: m[1] } : undefined;
  }
  if (c === 69 /* E */) {
    const m = END.exec(message);
    if (m?.[1] !== undefined) return { kind: 'end', requestId: m[1] };
    if (message.startsWith('Error Type: ')) return errorTypeField(message);
    return runtimeExit(message);
  }
  if (c === 85 /* U */ && OLD_IMPORT_ERROR.test(message)) return oldInitError(message);
  if (c === 109 /* m */ && OLD_INIT_ERROR.test(message)) return oldInitError(message);
  if (c === 82 /* R */) {
    const m = REPORT.exec(message);
    if (m?.[1] !== undefined) return report(m[1], message);
    return runtimeExit(message);
  }
  if (c === 73 /* I */ && message.startsWith('INIT_REPORT')) {
    const status = REPORT_STATUS.exec(message)?.[1];
    if (status === undefined || status === 'success') return undefined;
    const errorType = REPORT_ERROR_TYPE.exec(message)?.[1];
    return { kind: 'init_error', reportStatus: status, ...(errorType !== undefined ? { errorType } : {}) };
  }
  if (c === 91 /* [ */) return pythonError(message);
  if (c === 123 /* { */) return jsonFormat(message);
  if (c >= 48 && c <= 57 /* digit: timestamped line */) {
    const node = NODE_ERROR.exec(message);
    if (node?.[3] !== undefined) return nodeError(node[1], node[3]);
    return timeout(message) ?? oldNodeError(message);
  }
  return undefined;
}

function report(requestId: string, message: string): FunctionLogRecord {
  const duration = REPORT_DURATION.exec(message)?.[1];
  const memory = REPORT_MEMORY.exec(message)?.[1];
  const maxMemory = REPORT_MAX_MEMORY.exec(message)?.[1];
  const status = REPORT_STATUS.exec(message)?.[1];
  const errorType = REPORT_ERROR_TYPE.exec(message)?.[1];
  const oom = errorType === 'Runtime.OutOfMemory';
  // Newer runtimes write `Status: error` / `failure` with an `Error Type` (Runtime.ExitError, init errors).
  const failed = status === 'error' || status === 'failure';
  return {
    kind: oom ? 'out_of_memory' : status === 'timeout' ? 'timeout' : failed ? 'error' : 'report',
    requestId,
    ...(duration !== undefined ? { durationMs: Number(duration) } : {}),
    ...(memory !== undefined ? { memorySizeMb: Number(memory) } : {}),
    ...(maxMemory !== undefined ? { maxMemoryUsedMb: Number(maxMemory) } : {}),
    ...(status !== undefined ? { reportStatus: status } : {}),
    ...(errorType !== undefined ? { errorType } : {}),
  };
}

function timeout(message: string): FunctionLogRecord | undefined {
  const m = TIMEOUT.exec(message);
  if (m?.[2] === undefined) return undefined;
  return { kind: 'timeout', timeoutSeconds: Number(m[2]), ...(m[1] !== undefined ? { requestId: m[1] } : {}) };
}

function runtimeExit(message: string): FunctionLogRecord | undefined {
  const m = RUNTIME_EXIT.exec(message);
  if (m === null) return undefined;
  const detail = (m[2] ?? '').split('\n', 1)[0] ?? '';
  return {
    kind: /signal: killed/.test(detail) ? 'out_of_memory' : 'runtime_exit',
    errorType: 'Runtime.ExitError',
    errorMessage: detail.trim(),
    ...(m[1] !== undefined ? { requestId: m[1] } : {}),
  };
}

/** The stack frames (`at ...`) on the lines after an error's first line, the first three. */
function framesAfter(rest: string | undefined): string[] {
  if (rest === undefined) return [];
  return rest
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('at '))
    .slice(0, 3);
}

function oldInitError(message: string): FunctionLogRecord {
  const nl = message.indexOf('\n');
  const first = (nl === -1 ? message : message.slice(0, nl)).trim();
  const stack = framesAfter(nl === -1 ? undefined : message.slice(nl + 1));
  return { kind: 'init_error', errorMessage: first, ...(stack.length > 0 ? { stackTop: stack } : {}) };
}

function oldNodeError(message: string): FunctionLogRecord | undefined {
  const m = OLD_NODE_ERROR.exec(message);
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  return errorRecord(m[1], m[2], (m[3] ?? '').trim(), framesAfter(m[4]));
}

function errorTypeField(message: string): FunctionLogRecord | undefined {
  const errorType = ERROR_TYPE_FIELD.exec(message)?.[1];
  if (errorType === undefined) return undefined;
  if (errorType === 'Runtime.OutOfMemory') return { kind: 'out_of_memory', errorType };
  const timedOut = errorType === 'Sandbox.Timedout';
  const init = INIT_ERROR_TYPES.test(errorType) || errorType === 'Runtime.InvalidEntrypoint';
  return { kind: init ? 'init_error' : timedOut ? 'timeout' : 'error', errorType };
}

function stackOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').slice(0, 3);
  if (typeof value === 'string') return value.split('\n').slice(0, 3);
  return [];
}

function errorRecord(
  requestId: string | undefined,
  errorType: string,
  errorMessage: string,
  stack: string[],
): FunctionLogRecord {
  const init = INIT_ERROR_TYPES.test(errorType);
  const timedOut = /^Task timed out after/.test(errorMessage) || errorType === 'Sandbox.Timedout';
  return {
    kind: init ? 'init_error' : timedOut ? 'timeout' : 'error',
    errorType,
    errorMessage,
    ...(stack.length > 0 ? { stackTop: stack } : {}),
    ...(requestId !== undefined && requestId !== 'undefined' ? { requestId } : {}),
  };
}

function nodeError(requestId: string | undefined, json: string): FunctionLogRecord | undefined {
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isRecord(body)) return undefined;
  const errorType = typeof body.errorType === 'string' ? body.errorType : 'Error';
  const errorMessage = typeof body.errorMessage === 'string' ? body.errorMessage : '';
  return errorRecord(requestId, errorType, errorMessage, stackOf(body.stack ?? body.trace));
}

function pythonError(message: string): FunctionLogRecord | undefined {
  const m = PYTHON_ERROR.exec(message);
  if (m?.[1] === undefined) return undefined;
  const trace = (m[3] ?? '').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Traceback'));
  return errorRecord(
    undefined,
    m[1],
    m[2] ?? '',
    trace.slice(0, 3).map((l) => l.trim()),
  );
}

/** Lambda's JSON log format: platform events (`platform.report`) and runtime errors with `errorType`. */
function jsonFormat(message: string): FunctionLogRecord | undefined {
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isRecord(body)) return undefined;
  const record = isRecord(body.record) ? body.record : undefined;
  if (body.type === 'platform.report' && record !== undefined) {
    const requestId = typeof record.requestId === 'string' ? record.requestId : undefined;
    const metrics = isRecord(record.metrics) ? record.metrics : {};
    const status = typeof record.status === 'string' ? record.status : undefined;
    const errorType = typeof record.errorType === 'string' ? record.errorType : undefined;
    if (requestId === undefined) return undefined;
    return {
      kind: errorType === 'Runtime.OutOfMemory' ? 'out_of_memory' : status === 'timeout' ? 'timeout' : 'report',
      requestId,
      ...(typeof metrics.durationMs === 'number' ? { durationMs: metrics.durationMs } : {}),
      ...(typeof metrics.memorySizeMB === 'number' ? { memorySizeMb: metrics.memorySizeMB } : {}),
      ...(typeof metrics.maxMemoryUsedMB === 'number' ? { maxMemoryUsedMb: metrics.maxMemoryUsedMB } : {}),
      ...(status !== undefined ? { reportStatus: status } : {}),
      ...(errorType !== undefined ? { errorType } : {}),
    };
  }
  if (body.type === 'platform.start' && record !== undefined && typeof record.requestId === 'string') {
    return { kind: 'start', requestId: record.requestId };
  }
  // Node.js writes `level`; Python's runtime writes unhandled errors with `log_level` (awslambdaric bootstrap.py).
  if (typeof body.errorType === 'string' && (body.level === 'ERROR' || body.log_level === 'ERROR')) {
    const requestId = typeof body.requestId === 'string' ? body.requestId : undefined;
    const errorMessage = typeof body.errorMessage === 'string' ? body.errorMessage : '';
    return errorRecord(requestId, body.errorType, errorMessage, stackOf(body.stackTrace ?? body.stack));
  }
  return undefined;
}

/** True for records that say the invocation failed. */
export function isFailure(record: FunctionLogRecord): boolean {
  return record.kind !== 'start' && record.kind !== 'end' && record.kind !== 'report';
}
