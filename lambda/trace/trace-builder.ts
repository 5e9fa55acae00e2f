import { type AccessRecord, parseAccessLine } from '../parse/access-log.js';
import { executionFacts, type LambdaTarget, lambdaTargetOf, splitExecutionLine } from '../parse/execution-log.js';
import { type FunctionLogRecord, isFailure, parseFunctionLogLine } from '../parse/function-log.js';
import { type LogEvent, type LogSource, parseExecutionLogGroupName, truncateText } from '../parse/log-event.js';
import { type BackendFailure, newTrace, type RequestTrace, type TraceLine } from './request-trace.js';

/** What the API's logs revealed about the API itself. */
export interface ApiFacts {
  apiId?: string;
  stage?: string;
  region?: string;
  accountId?: string;
}

export interface TraceSet {
  /** Requests that failed with a 5xx, or whose outcome is unknown but whose lines show an error. */
  readonly traces: RequestTrace[];
  /** Requests seen to complete with a status below 500. */
  readonly succeeded: number;
  /** Requests with lines but no outcome and no error line (ERROR-level logging cut, or the window cut them). */
  readonly incomplete: RequestTrace[];
  /** Function log failures not joined to a request (no request id in the API's logs to join on). */
  readonly unjoinedBackend: BackendFailure[];
  /** Events that are not API Gateway or Lambda log lines. */
  readonly unrecognised: number;
  readonly api: ApiFacts;
  readonly linesRead: number;
}

/** At most this many lines are kept per request: an INFO-level REST trace has about 30. */
const MAX_LINES_PER_TRACE = 120;
/**
 * Ids of requests already settled below 500, remembered so that their late lines (execution-log trailers such as
 * "X-ray Tracing ID", or the same request's access log line) neither reopen them nor count them twice. Bounded:
 * memory must not grow with traffic.
 */
const MAX_SETTLED_IDS = 50_000;
/** Backend failures kept when they cannot be joined to a request (a sample is enough to show the error). */
const MAX_UNJOINED_BACKEND = 200;

export type Recognised =
  | { readonly source: 'execution'; readonly requestId: string; readonly text: string }
  | { readonly source: 'access'; readonly record: AccessRecord }
  | { readonly source: 'lambda'; readonly record: FunctionLogRecord }
  | { readonly source: 'other' };

/** Decides which log a message came from, using the log group name when the reader knows it. */
export function recognise(event: LogEvent): Recognised {
  const group = event.logGroupName;
  const message = event.message;
  const hint: LogSource | undefined =
    group === undefined
      ? undefined
      : group.startsWith('API-Gateway-Execution-Logs_')
        ? 'execution'
        : group.startsWith('/aws/lambda/')
          ? 'lambda'
          : undefined;
  if (hint !== 'lambda') {
    const exec = splitExecutionLine(message);
    if (exec !== undefined) return { source: 'execution', requestId: exec.requestId, text: exec.text };
    if (hint === 'execution') return { source: 'other' };
  }
  if (hint !== 'lambda') {
    const access = parseAccessLine(message);
    if (access !== undefined) return { source: 'access', record: access };
  }
  const fn = parseFunctionLogLine(message);
  if (fn !== undefined) return { source: 'lambda', record: fn };
  return { source: 'other' };
}

function functionNameOfGroup(group: string | undefined): string | undefined {
  return group?.startsWith('/aws/lambda/') ? group.slice('/aws/lambda/'.length) : undefined;
}

/**
 * Groups log events into one trace per API request. A request's lines may be interleaved with other requests'
 * lines and spread over log streams and logs; they are joined by request id. Requests that complete with a
 * status below 500 are dropped as soon as their outcome is known, so memory follows the failures, not the traffic.
 */
export interface TraceBuilderOptions {
  /** Keep requests that ended below 500 (to classify a single event with its status); default false. */
  readonly keepSucceeded?: boolean;
}

export class TraceBuilder {
  private readonly keepSucceeded: boolean;
  private readonly open = new Map<string, RequestTrace>();
  private readonly settled = new Map<string, true>();
  private readonly backendByRequest = new Map<string, BackendFailure[]>();
  private readonly unjoined: BackendFailure[] = [];
  private succeeded = 0;
  private unrecognised = 0;
  private linesRead = 0;
  private readonly api: ApiFacts = {};
  private lastGroupName: string | undefined = '';
  private lastGroupIsNotLambda = true;
  /** Lambda targets by endpoint URI: a stage calls a handful of functions, parsed once each. */
  private readonly targets = new Map<string, LambdaTarget | undefined>();

  constructor(options: TraceBuilderOptions = {}) {
    this.keepSucceeded = options.keepSucceeded ?? false;
  }

  /** The requests read so far whose outcome is not settled (and, with keepSucceeded, all of them). */
  openTraces(): RequestTrace[] {
    return [...this.open.values()];
  }

  add(event: LogEvent): void {
    this.linesRead++;
    // Events come in runs from one log group: parse its name once per run, not once per line.
    if (event.logGroupName !== this.lastGroupName) {
      this.lastGroupName = event.logGroupName;
      this.lastGroupIsNotLambda = event.logGroupName === undefined || !event.logGroupName.startsWith('/aws/lambda/');
      const group = parseExecutionLogGroupName(event.logGroupName);
      if (group !== undefined) {
        this.api.apiId ??= group.apiId;
        this.api.stage ??= group.stage;
      }
    }
    // Fast path for the bulk of the input: execution log lines (no intermediate object).
    if (event.message.charCodeAt(0) === 40 /* ( */ && this.lastGroupIsNotLambda) {
      const exec = splitExecutionLine(event.message);
      if (exec !== undefined) {
        this.addExecution(exec.requestId, exec.text, event.timestamp);
        return;
      }
    }
    const r = recognise(event);
    switch (r.source) {
      case 'execution':
        this.addExecution(r.requestId, r.text, event.timestamp);
        return;
      case 'access':
        this.addAccess(r.record, event);
        return;
      case 'lambda':
        this.addBackend(r.record, event);
        return;
      case 'other':
        this.unrecognised++;
        return;
    }
  }

  private trace(requestId: string): RequestTrace {
    let trace = this.open.get(requestId);
    if (trace === undefined) {
      trace = newTrace(requestId);
      this.open.set(requestId, trace);
    }
    return trace;
  }

  private pushLine(trace: RequestTrace, line: TraceLine): void {
    if (line.timestamp !== undefined) {
      if (trace.firstSeen === undefined || line.timestamp < trace.firstSeen) trace.firstSeen = line.timestamp;
      if (trace.lastSeen === undefined || line.timestamp > trace.lastSeen) trace.lastSeen = line.timestamp;
    }
    if (trace.lines.length >= MAX_LINES_PER_TRACE) {
      trace.droppedLines++;
      return;
    }
    trace.lines.push(line);
  }

  private targetOf(uri: string): LambdaTarget | undefined {
    if (this.targets.has(uri)) return this.targets.get(uri);
    const target = lambdaTargetOf(uri);
    if (this.targets.size < 1_000) this.targets.set(uri, target);
    return target;
  }

  private addExecution(requestId: string, text: string, timestamp: number | undefined): void {
    let trace = this.open.get(requestId);
    if (trace === undefined) {
      if (this.settled.has(requestId)) return;
      trace = newTrace(requestId);
      this.open.set(requestId, trace);
    }
    const facts = executionFacts(text, this.api.stage === undefined || this.api.region === undefined);
    if (facts.authorizerStart) trace.inAuthorizer = true;
    const phase = trace.inAuthorizer === true ? 'authorizer' : 'method';
    if (facts.authorizerEnd) trace.inAuthorizer = false;

    const line: TraceLine =
      timestamp !== undefined
        ? { source: 'execution', text: truncateText(text), phase, timestamp }
        : { source: 'execution', text: truncateText(text), phase };
    this.pushLine(trace, line);
    if (facts.method !== undefined) trace.method ??= facts.method;
    if (facts.resourcePath !== undefined) trace.resourcePath ??= facts.resourcePath;
    if (facts.path !== undefined) trace.path ??= facts.path;
    if (facts.apiId !== undefined) this.api.apiId ??= facts.apiId;
    if (facts.stage !== undefined) this.api.stage ??= facts.stage;
    if (facts.region !== undefined) this.api.region ??= facts.region;
    if (facts.accountId !== undefined) this.api.accountId ??= facts.accountId;
    if (facts.stageVariables !== undefined && phase === 'method') trace.stageVariables = facts.stageVariables;
    if (facts.endpointUri !== undefined) {
      const target = this.targetOf(facts.endpointUri);
      if (phase === 'authorizer') {
        if (target !== undefined) trace.authorizerLambda = target;
      } else {
        trace.endpointUri = facts.endpointUri;
        if (target !== undefined) {
          trace.lambda = target;
          this.api.region ??= target.region;
          this.api.accountId ??= target.accountId;
        }
      }
    }
    if (phase === 'method') {
      if (facts.integrationStatus !== undefined) trace.integrationStatus = facts.integrationStatus;
      if (facts.integrationLatencyMs !== undefined) trace.integrationLatencyMs = facts.integrationLatencyMs;
      if (facts.lambdaRequestId !== undefined) trace.lambdaRequestId = facts.lambdaRequestId;
      if (facts.functionError !== undefined) trace.functionError = facts.functionError;
    }
    if (facts.status !== undefined) {
      trace.status = facts.status;
      trace.completed = true;
      this.settle(trace);
    }
  }

  private addAccess(record: AccessRecord, event: LogEvent): void {
    const id = record.requestId ?? record.extendedRequestId;
    if (id === undefined) {
      // Without a request id the line cannot be joined: it stands alone as its own request.
      if ((record.status ?? 0) < 500 && !this.keepSucceeded) {
        this.succeeded++;
        return;
      }
    } else if ((record.status ?? 0) < 500 && !this.open.has(id) && !this.keepSucceeded) {
      if (!this.settled.has(id)) {
        this.succeeded++;
        this.remember(id);
      }
      return;
    }
    const trace = this.trace(id ?? `access-line-${this.linesRead}`);
    trace.access = record;
    if (record.status !== undefined) trace.status = record.status;
    if (record.method !== undefined) trace.method ??= record.method;
    if (record.resourcePath !== undefined) trace.resourcePath = record.resourcePath;
    if (record.routeKey !== undefined) trace.routeKey = record.routeKey;
    if (record.integrationStatus !== undefined) trace.integrationStatus ??= record.integrationStatus;
    if (record.integrationLatencyMs !== undefined) trace.integrationLatencyMs ??= record.integrationLatencyMs;
    if (record.integrationRequestId !== undefined) trace.lambdaRequestId ??= record.integrationRequestId;
    if (record.apiId !== undefined) this.api.apiId ??= record.apiId;
    if (record.stage !== undefined) this.api.stage ??= record.stage;
    const timestamp = event.timestamp ?? record.requestTimeEpochMs;
    this.pushLine(trace, {
      source: 'access',
      text: truncateText(event.message),
      ...(timestamp !== undefined ? { timestamp } : {}),
    });
    trace.completed = true;
    this.settle(trace);
  }

  private addBackend(record: FunctionLogRecord, event: LogEvent): void {
    if (!isFailure(record)) return;
    const functionName = functionNameOfGroup(event.logGroupName);
    const failure: BackendFailure = {
      record,
      text: truncateText(event.message),
      ...(event.timestamp !== undefined ? { timestamp: event.timestamp } : {}),
      ...(functionName !== undefined ? { functionName } : {}),
    };
    if (record.requestId !== undefined) {
      const list = this.backendByRequest.get(record.requestId) ?? [];
      if (list.length < 10) list.push(failure);
      this.backendByRequest.set(record.requestId, list);
    }
    if (this.unjoined.length < MAX_UNJOINED_BACKEND) this.unjoined.push(failure);
  }

  /** Drops a request that ended well: its lines are no evidence and keeping them would grow with traffic. */
  private settle(trace: RequestTrace): void {
    if (trace.status !== undefined && trace.status < 500 && !this.keepSucceeded) {
      this.open.delete(trace.requestId);
      if (!this.settled.has(trace.requestId)) this.succeeded++;
      this.remember(trace.requestId);
    }
  }

  private remember(requestId: string): void {
    this.settled.set(requestId, true);
    if (this.settled.size > MAX_SETTLED_IDS) {
      const oldest = this.settled.keys().next().value;
      if (oldest !== undefined) this.settled.delete(oldest);
    }
  }

  /** Ends the read: joins backend function failures to the requests that caused them. */
  finish(hasErrorEvidence: (trace: RequestTrace) => boolean): TraceSet {
    const traces: RequestTrace[] = [];
    const incomplete: RequestTrace[] = [];
    const joined = new Set<string>();
    for (const trace of this.open.values()) {
      const lambdaId = trace.lambdaRequestId;
      if (lambdaId !== undefined) {
        const backend = this.backendByRequest.get(lambdaId);
        if (backend !== undefined) {
          trace.backend.push(...backend);
          joined.add(lambdaId);
        }
      }
      if ((trace.status !== undefined && trace.status >= 500) || hasErrorEvidence(trace)) traces.push(trace);
      else incomplete.push(trace);
    }
    const unjoinedBackend = this.unjoined.filter(
      (b) => b.record.requestId === undefined || !joined.has(b.record.requestId),
    );
    return {
      traces,
      succeeded: this.succeeded,
      incomplete,
      unjoinedBackend,
      unrecognised: this.unrecognised,
      api: { ...this.api },
      linesRead: this.linesRead,
    };
  }
}
