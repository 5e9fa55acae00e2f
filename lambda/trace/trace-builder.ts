import { type AccessRecord, parseAccessLine } from '../parse/access-log.js';
import {
  ByteLineEvent,
  completedStatusIn,
  latin1,
  requestIdEndIn,
  STATUS_UNKNOWN,
  textStartIn,
} from '../parse/byte-line.js';
import {
  completedStatusAt,
  executionFacts,
  type LambdaTarget,
  lambdaTargetOf,
  requestIdEnd,
  splitExecutionLine,
  textStart,
} from '../parse/execution-log.js';
import { type FunctionLogRecord, isFailure, parseFunctionLogLine } from '../parse/function-log.js';
import { type LogEvent, type LogSource, parseExecutionLogGroupName, truncateText } from '../parse/log-event.js';
import { accessEvidenceText } from './access-evidence.js';
import { accessRecordOfValue, firstAwsText } from './aws-text.js';
import { IdFilter } from './id-filter.js';
import { type Pending, PendingIndex, prefixKeyOfId } from './pending-index.js';
import { type BackendFailure, newTrace, type RequestTrace, type TraceLine } from './request-trace.js';

/** What the API's logs revealed about the API itself. */
export interface ApiFacts {
  /** REST when execution lines or REST access fields were read, HTTP when only HTTP API access fields were. */
  type?: 'REST' | 'HTTP';
  apiId?: string;
  stage?: string;
  region?: string;
  accountId?: string;
}

export interface TraceSet {
  /**
   * Requests that failed with a 5xx, or whose outcome is unknown but whose lines show an error; in the order they
   * started. A bounded sample when the read held more than maxFailed of them (see `failed`).
   */
  readonly traces: RequestTrace[];
  /** Requests seen to complete with a status below 500. */
  readonly succeeded: number;
  /**
   * Every failed request seen. `traces` holds all of them when `failed.stride` is 1, else an evenly spread sample
   * (every stride-th failed request).
   */
  readonly failed: FailedCount;
  /**
   * Requests with lines but no outcome and no error line (ERROR-level logging cut, or the window cut them): the
   * first few, and how many there were.
   */
  readonly incomplete: RequestTrace[];
  readonly incompleteTotal: number;
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
 * Ids of requests already settled (below 500, or failed but left out of the sample), remembered so that their late
 * lines (execution-log trailers such as "X-ray Tracing ID", or the same request's access log line) neither reopen
 * them nor count them twice. Bounded: memory must not grow with traffic; the oldest is forgotten first.
 */
const MAX_SETTLED_IDS = 50_000;
/** Backend failures kept when they cannot be joined to a request (a sample is enough to show the error). */
const MAX_UNJOINED_BACKEND = 200;
/** Backend failure lines kept per backend request id, and backend request ids kept to join on. */
const MAX_BACKEND_PER_REQUEST = 10;
const MAX_BACKEND_REQUESTS = 20_000;
/** Failed requests kept whole for classification; see TraceBuilderOptions.maxFailed. */
export const MAX_FAILED_KEPT = 2_000;
/** Requests in flight held at once; see TraceBuilderOptions.maxOpen. */
const MAX_OPEN = 20_000;
/** `$context.domainName` of the default endpoint: `{api-id}.execute-api.{region}.amazonaws.com`. */
const EXECUTE_API_DOMAIN = /^([a-z0-9]{10})\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?$/;
/** A request id in parentheses right before the AWS text, after a tool's own columns (`... <stream> (<id>) `). */
const REQUEST_ID_BEFORE_TEXT = /(?:^|\s)\(([^()\s]{1,128})\) $/;
/** The console Test output's first line, naming the request. */
const BARE_HEADER = /^Execution log for request (\S{1,128})/;
/**
 * Lines REST writes after "Method completed": they belong to the request that just completed. The gateway response
 * lines too: wherever they stand in a block quoted without request ids, they are the same request's answer, never a
 * request of their own.
 */
const BARE_TRAILER =
  /^(?:AWS Integration Endpoint RequestId|X-ray Tracing ID|Gateway response (?:type|body|headers): )/;
/**
 * What may stand before an access log's error value quoted on its own line: nothing but spaces and quotes. Text
 * that merely mentions such a value (a comment, a sentence, a request body) is no record of a request.
 */
const LONE_VALUE_PREFIX = /^[\s"'`]*$/;
/**
 * Error values only HTTP APIs write (`$context.integrationErrorMessage`, `$context.authorizer.error`): permissions
 * named "configured on the integration/authorizer", and the simple response format of an HTTP API authorizer. A REST
 * API words these failures otherwise ("Invalid permissions on Lambda function"), so such a value says the API type.
 * https://repost.aws/knowledge-center/api-gateway-http-lambda-integrations
 */
const HTTP_API_ONLY_VALUE =
  /configured on the (?:integration|authorizer) or API Gateway doesn['’]t have permissions|permissions to assume the IAM role configured on the integration|Simple response did not include/;
/** Lines still in bytes that requests in flight hold are made strings once their chunk is this many chunks old. */
const PIN_AFTER_CHUNKS = 16;
/** How often (in chunks) they are looked for. */
const PIN_EVERY_CHUNKS = 8;
/** Incomplete requests kept as examples (the rest are counted). */
const MAX_INCOMPLETE_KEPT = 100;

/** True when every line of a request is a gateway response line. */
function onlyGatewayResponse(trace: RequestTrace): boolean {
  return trace.lines.every((l) => l.source === 'execution' && l.text.startsWith('Gateway response '));
}

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

/** The text of an execution line after its request id (the message decoded, for a line still in bytes). */
function textAfterId(event: LogEvent): string {
  const message = event.message;
  return message.slice(textStart(message, requestIdEnd(message)));
}

/**
 * The "Method completed" status of a line in bytes whose id's `)` is at `close`; for a JSON line whose digits an
 * escape follows, read from the decoded text.
 */
function statusOf(event: ByteLineEvent, bytes: Buffer, close: number, end: number): number | undefined {
  const status = completedStatusIn(bytes, textStartIn(bytes, close, end), end);
  if (status !== STATUS_UNKNOWN) return status;
  const message = event.message;
  return completedStatusAt(message, textStart(message, requestIdEnd(message)));
}

function functionNameOfGroup(group: string | undefined): string | undefined {
  return group?.startsWith('/aws/lambda/') ? group.slice('/aws/lambda/'.length) : undefined;
}

export interface TraceBuilderOptions {
  /** Keep requests that ended below 500 (to classify a single event with its status); default false. */
  readonly keepSucceeded?: boolean;
  /**
   * Failed requests kept whole for classification (default 2,000). Beyond it the builder keeps an evenly spread
   * sample (every k-th failed request in the order they completed, k doubling as needed) and counts the rest, so
   * memory does not grow with the size of the incident.
   */
  readonly maxFailed?: number;
  /**
   * Requests in flight (lines but no outcome yet) held at once (default 20,000). When more arrive, the oldest is
   * decided early: failed when its lines show an error, otherwise incomplete.
   */
  readonly maxOpen?: number;
  /** Whether a request with no logged outcome shows an error (classify/hasErrorEvidence); default: never. */
  readonly hasErrorEvidence?: (trace: RequestTrace) => boolean;
}

/** The failed requests the logs held: how many, when, and how they were sampled. */
export interface FailedCount {
  /** Every failed request seen, sampled or not. */
  readonly total: number;
  /** 1 when every failed request was kept; k when only every k-th was. */
  readonly stride: number;
  readonly firstSeen?: number;
  readonly lastSeen?: number;
}

interface Kept {
  readonly trace: RequestTrace;
  readonly order: number;
}

/**
 * Groups log events into one trace per API request. A request's lines may be interleaved with other requests'
 * lines and spread over log streams and logs; they are joined by request id.
 *
 * Most requests succeed, so execution lines are only stored (the events as read) until the request's
 * outcome is known: a request that completes below 500 is dropped without any line having been parsed, and only a
 * failed request's lines are read for facts. Memory follows a bounded sample of the failures, not the traffic.
 */
export class TraceBuilder {
  private readonly keepSucceeded: boolean;
  private readonly maxFailed: number;
  private readonly maxOpen: number;
  private readonly evidence: (trace: RequestTrace) => boolean;
  /** Requests whose execution lines are stored but not yet read. */
  private readonly pending = new PendingIndex();
  /** Requests read for facts whose outcome is not settled (keepSucceeded keeps every request here). */
  private readonly live = new Map<string, Kept>();
  /** Failed requests in the sample, still joinable by late lines (access log, trailers). */
  private readonly kept = new Map<string, Kept>();
  /** The kept failed requests by their backend (Lambda) request id, so function log failures join on arrival. */
  private readonly keptByLambda = new Map<string, RequestTrace>();
  private readonly settled = new Set<string>();
  /** Ids that left the exact ring, remembered approximately (created when the ring first fills). */
  private older: IdFilter | undefined;
  /** The settled ids in the order they were remembered, overwritten in a ring once full: the oldest is forgotten. */
  private readonly settledOrder: string[] = [];
  private settledNext = 0;
  private readonly backendByRequest = new Map<string, BackendFailure[]>();
  private readonly unjoined: BackendFailure[] = [];
  private readonly incomplete: RequestTrace[] = [];
  private incompleteTotal = 0;
  private succeeded = 0;
  private unrecognised = 0;
  private linesRead = 0;
  private requests = 0;
  private failedTotal = 0;
  private stride = 1;
  private failedFirstSeen: number | undefined;
  private failedLastSeen: number | undefined;
  private readonly api: ApiFacts = {};
  private apiKnown = false;
  private lastGroupName: string | undefined = '';
  /** Execution lines or REST-only access fields were read / HTTP API-only access fields were. */
  private restSeen = false;
  private httpSeen = false;
  private executionSeen = false;
  /** The request that lines without a request id belong to, while such lines keep coming. */
  private bare: { id: string; closed: boolean } | undefined;
  private bareBlocks = 0;
  private lastGroupIsNotLambda = true;
  /** The last chunk a ByteLineEvent came in, and how many chunks came (see holdChunk). */
  private chunkBytes: Buffer | undefined;
  private chunks = 0;
  /** Lambda targets by endpoint URI: a stage calls a handful of functions, parsed once each. */
  private readonly targets = new Map<string, LambdaTarget | undefined>();

  constructor(options: TraceBuilderOptions = {}) {
    this.keepSucceeded = options.keepSucceeded ?? false;
    this.maxFailed = Math.max(2, options.maxFailed ?? MAX_FAILED_KEPT);
    this.maxOpen = Math.max(1, options.maxOpen ?? MAX_OPEN);
    this.evidence = options.hasErrorEvidence ?? (() => false);
  }

  /** The requests read so far whose outcome is not settled (and, with keepSucceeded, all of them). */
  openTraces(): RequestTrace[] {
    for (const p of this.pending.values()) this.materialise(p.id);
    return [...this.live.values()].map((k) => k.trace);
  }

  add(event: LogEvent): void {
    this.linesRead++;
    // A line still in its bytes (raw or JSON): read there, decoded only if its request is kept.
    const lazy = event instanceof ByteLineEvent ? event : undefined;
    // Events come in runs from one log group: parse its name once per run, not once per line.
    if (lazy !== undefined ? !lazy.inGroup(this.lastGroupName) : event.logGroupName !== this.lastGroupName) {
      const name = event.logGroupName;
      this.lastGroupName = name;
      this.lastGroupIsNotLambda = name === undefined || !name.startsWith('/aws/lambda/');
      const group = parseExecutionLogGroupName(name);
      if (group !== undefined) {
        this.api.apiId ??= group.apiId;
        this.api.stage ??= group.stage;
      }
    }
    if (lazy !== undefined && this.lastGroupIsNotLambda && !this.keepSucceeded) {
      const bytes = lazy.buffer;
      if (bytes !== undefined && this.addBytes(lazy, bytes)) return;
    }
    // Fast path for the bulk of the input: execution log lines, stored unread (no intermediate object).
    const message = event.message;
    if (message.charCodeAt(0) === 40 /* ( */ && this.lastGroupIsNotLambda) {
      if (!this.keepSucceeded) {
        // Most lines belong to a request already in flight: found without cutting the id out of the line.
        const p = this.pending.findByLine(message);
        if (p !== undefined) {
          const start = textStart(message, p.id.length + 1);
          if (!this.apiKnown) this.readApiFacts(message.slice(start));
          this.addPendingLine(p, event, completedStatusAt(message, start));
          return;
        }
      }
      const close = requestIdEnd(message);
      if (close !== -1) {
        this.executionSeen = true;
        const id = message.slice(1, close);
        const start = textStart(message, close);
        if (this.keepSucceeded) this.addExecutionNow(id, message.slice(start), event.timestamp);
        else this.addExecution(event, id, completedStatusAt(message, start), undefined);
        return;
      }
    }
    const r = recognise(event);
    switch (r.source) {
      case 'execution':
        this.executionSeen = true;
        this.addExecutionNow(r.requestId, r.text, event.timestamp);
        return;
      case 'access':
        this.addAccess(r.record, event);
        return;
      case 'lambda':
        this.addBackend(r.record, event);
        return;
      case 'other': {
        // Lines without the `(<request id>) ` prefix: pasted from the console's Test output, quoted bare, or after
        // another tool's columns. Their AWS text is read as the execution lines of one request.
        const message = event.message;
        const aws = firstAwsText(message);
        if (aws?.source === 'execution') {
          this.executionSeen = true;
          // `aws logs tail` and other tools put their columns before the `(<request id>) ` prefix: keep the id.
          const id = REQUEST_ID_BEFORE_TEXT.exec(message.slice(Math.max(0, aws.at - 132), aws.at))?.[1];
          if (id !== undefined) this.addExecutionNow(id, aws.text, event.timestamp);
          else this.addBare(aws.text, event.timestamp);
        } else if (aws?.source === 'access' && LONE_VALUE_PREFIX.test(message.slice(0, aws.at))) {
          // An access log's error value quoted on its own: the record of one request, its status unknown.
          // Which API type wrote it most values do not say (REST and HTTP APIs both log these texts); a few are HTTP
          // APIs' only.
          if (HTTP_API_ONLY_VALUE.test(aws.text)) this.httpSeen = true;
          this.addAccess(accessRecordOfValue(aws.text), event, false);
        } else this.unrecognised++;
        return;
      }
    }
  }

  /**
   * An execution line without its request id. Consecutive such lines are one request (the console Test output of
   * one request, or a block quoted from one), named by the console's `Execution log for request <id>` header when
   * there is one; the request ends at its "Method completed with status" line, after which only its trailers
   * (AWS Integration Endpoint RequestId, X-ray Tracing ID) still belong to it.
   */
  private addBare(text: string, timestamp: number | undefined): void {
    const header = BARE_HEADER.exec(text);
    if (header?.[1] !== undefined) {
      this.bare = { id: header[1], closed: false };
      return;
    }
    if (this.bare === undefined || (this.bare.closed && !BARE_TRAILER.test(text))) {
      this.bare = { id: `lines-without-request-id-${++this.bareBlocks}`, closed: false };
    }
    this.addExecutionNow(this.bare.id, text, timestamp);
    if (completedStatusAt(text, 0) !== undefined) this.bare.closed = true;
  }

  /**
   * A line in bytes (ByteLineEvent), read there; false when it is no execution line after all (it is then read as
   * text).
   */
  private addBytes(event: ByteLineEvent, bytes: Buffer): boolean {
    const start = event.start;
    const end = event.end;
    const p = this.pending.findByBytes(bytes, start);
    if (p !== undefined) {
      if (!this.apiKnown) this.readApiFacts(textAfterId(event));
      this.holdChunk(p, bytes);
      this.addPendingLine(p, event, statusOf(event, bytes, start + p.id.length + 1, end));
      return true;
    }
    const close = requestIdEndIn(bytes, start, end);
    if (close === -1) return false;
    this.executionSeen = true;
    this.addExecution(event, latin1.call(bytes, start + 1, close), statusOf(event, bytes, close, end), bytes);
    return true;
  }

  /**
   * An execution line of request `id` whose "Method completed" status is `status` (undefined for other lines);
   * `bytes` when it is a ByteLineEvent still in those bytes.
   */
  private addExecution(event: LogEvent, id: string, status: number | undefined, bytes: Buffer | undefined): void {
    let p = this.pending.get(id);
    if (p === undefined) {
      const k = this.live.get(id) ?? this.kept.get(id);
      if (k !== undefined) {
        this.addExecutionTo(k.trace, textAfterId(event), event.timestamp);
        return;
      }
      if (this.isSettled(id)) return;
      // Room first, so that the request just opened is never the one decided early.
      if (this.pending.size + this.live.size >= this.maxOpen) this.evictOldest();
      p = { id, key: prefixKeyOfId(id), events: [], order: this.requests++ };
      this.pending.add(p);
    }
    if (!this.apiKnown) this.readApiFacts(textAfterId(event));
    if (bytes !== undefined) this.holdChunk(p, bytes);
    this.addPendingLine(p, event, status);
  }

  /**
   * A request in flight is about to hold a line still in `bytes` (a reader's chunk). Chunks are counted as they
   * come; every few chunks, the lines that requests still hold from older chunks are made strings, so that a request
   * that stays open keeps no chunk in memory: at most about PIN_AFTER_CHUNKS chunks are held.
   */
  private holdChunk(p: Pending, bytes: Buffer): void {
    if (bytes !== this.chunkBytes) {
      this.chunkBytes = bytes;
      this.chunks++;
      if (this.chunks % PIN_EVERY_CHUNKS === 0) this.pinOldChunks();
    }
    p.chunk ??= this.chunks;
  }

  private pinOldChunks(): void {
    const oldest = this.chunks - PIN_AFTER_CHUNKS;
    for (const p of this.pending.values()) {
      if (p.chunk === undefined || p.chunk > oldest) continue;
      for (const e of p.events) if (e instanceof ByteLineEvent) e.pin();
      p.chunk = undefined;
    }
  }

  /** Stores a line of a request in flight; a status line settles it (dropped unread) or reads it (failed). */
  private addPendingLine(p: Pending, event: LogEvent, status: number | undefined): void {
    if (status !== undefined && status < 500) {
      // The common case: a request that ended well. Its lines are dropped unread.
      this.pending.delete(p);
      this.succeeded++;
      this.remember(p.id);
      return;
    }
    p.events.push(event);
    if (status !== undefined && this.apiKnown && this.failedTotal % this.stride !== 0) {
      // A failed request the sample leaves out (offerFailed would count it and let it go): counted, its time span
      // taken, and dropped unread. Reading its lines could tell nothing more: the API's facts are known already.
      this.pending.delete(p);
      this.skipFailed(p.events);
      this.remember(p.id);
      return;
    }
    // A failed request (or one long enough to reach the line cap) is read now; its later lines are read as they come.
    if (status !== undefined || p.events.length >= MAX_LINES_PER_TRACE) this.materialise(p.id);
  }

  /** offerFailed for a request left out of the sample, from its events as read (no trace is made). */
  private skipFailed(events: readonly LogEvent[]): void {
    this.failedTotal++;
    for (const { timestamp } of events) {
      if (timestamp === undefined) continue;
      if (this.failedFirstSeen === undefined || timestamp < this.failedFirstSeen) this.failedFirstSeen = timestamp;
      if (this.failedLastSeen === undefined || timestamp > this.failedLastSeen) this.failedLastSeen = timestamp;
    }
  }

  /** Reads the stored lines of a request for facts and moves it to the requests read. */
  private materialise(id: string): RequestTrace | undefined {
    const p = this.pending.get(id);
    if (p === undefined) return (this.live.get(id) ?? this.kept.get(id))?.trace;
    this.pending.delete(p);
    const trace = newTrace(id);
    this.live.set(id, { trace, order: p.order });
    for (const { message, timestamp } of p.events) {
      this.applyExecution(trace, message.slice(textStart(message, requestIdEnd(message))), timestamp);
    }
    if (trace.status !== undefined) this.complete(trace);
    return trace;
  }

  /** The API's own facts (stage, region, account), read from any request's lines until they are known. */
  private readApiFacts(text: string): void {
    const c = text.charCodeAt(0);
    if (c !== 69 /* E */ && c !== 86 /* V */) return;
    // Not "Endpoint request URI": before a request is read its lines' phase is unknown, and an authorizer's
    // function may live in another account or region than the API.
    if (!text.startsWith('Endpoint request headers: ') && !text.startsWith('Verifying Usage Plan')) return;
    const facts = executionFacts(text, true);
    if (facts.apiId !== undefined) this.api.apiId ??= facts.apiId;
    if (facts.stage !== undefined) this.api.stage ??= facts.stage;
    if (facts.region !== undefined) this.api.region ??= facts.region;
    if (facts.accountId !== undefined) this.api.accountId ??= facts.accountId;
    this.apiKnown =
      this.api.apiId !== undefined &&
      this.api.stage !== undefined &&
      this.api.region !== undefined &&
      this.api.accountId !== undefined;
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

  /** An execution line read at once (keepSucceeded, or a request already read). */
  private addExecutionNow(requestId: string, text: string, timestamp: number | undefined): void {
    const k = this.live.get(requestId) ?? this.kept.get(requestId);
    if (k !== undefined) {
      this.addExecutionTo(k.trace, text, timestamp);
      return;
    }
    if (this.isSettled(requestId)) return;
    const trace = newTrace(requestId);
    this.live.set(requestId, { trace, order: this.requests++ });
    this.addExecutionTo(trace, text, timestamp);
  }

  private addExecutionTo(trace: RequestTrace, text: string, timestamp: number | undefined): void {
    const before = trace.status;
    this.applyExecution(trace, text, timestamp);
    if (trace.status !== before) this.complete(trace);
  }

  /** Applies the facts one execution line states to its request's trace. */
  private applyExecution(trace: RequestTrace, text: string, timestamp: number | undefined): void {
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
    if (facts.gatewayResponse !== undefined) trace.gatewayResponse = facts.gatewayResponse;
    if (facts.status !== undefined) {
      trace.status = facts.status;
      trace.completed = true;
    }
  }

  private addAccess(record: AccessRecord, event: LogEvent, isRecord = true): void {
    const id = record.requestId ?? record.extendedRequestId;
    // A record without a status (an error value quoted alone, a format without $context.status) is not a success:
    // it stays open and is decided at the end on what its fields show.
    const status = record.status ?? 500;
    let trace: RequestTrace | undefined;
    if (id === undefined) {
      // Without a request id the line cannot be joined: it stands alone as its own request.
      if (status < 500 && !this.keepSucceeded) {
        this.succeeded++;
        return;
      }
    } else {
      trace = this.materialise(id);
      if (trace === undefined) {
        // Already settled (its execution lines said how it ended, or it was left out of the sample): counted once.
        if (this.isSettled(id)) return;
        if (status < 500 && !this.keepSucceeded) {
          this.succeeded++;
          this.remember(id);
          return;
        }
      }
    }
    if (trace === undefined) {
      if (this.pending.size + this.live.size >= this.maxOpen) this.evictOldest();
      trace = newTrace(id ?? `access-line-${this.linesRead}`);
      this.live.set(trace.requestId, { trace, order: this.requests++ });
    }
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
    if (isRecord) this.readAccessApiFacts(record);
    const timestamp = event.timestamp ?? record.requestTimeEpochMs;
    this.pushLine(trace, {
      source: 'access',
      text: truncateText(accessEvidenceText(record) ?? event.message),
      ...(timestamp !== undefined ? { timestamp } : {}),
    });
    trace.completed = true;
    if (trace.status !== undefined) this.complete(trace);
  }

  /**
   * What an access log record says about the API: its id and region in `$context.domainName`
   * (`a1b2c3d4e5.execute-api.us-east-1.amazonaws.com`), and its type. Only HTTP APIs have `$context.routeKey` and
   * `$context.integrationErrorMessage`; only REST APIs have `$context.resourcePath` and execution logs.
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
   */
  private readAccessApiFacts(record: AccessRecord): void {
    const domain = record.domainName === undefined ? null : EXECUTE_API_DOMAIN.exec(record.domainName);
    if (domain?.[1] !== undefined && domain[2] !== undefined) {
      this.api.apiId ??= domain[1];
      this.api.region ??= domain[2];
    }
    if (record.resourcePath !== undefined) this.restSeen = true;
    else if (record.routeKey !== undefined || record.integrationErrorMessage !== undefined) this.httpSeen = true;
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
      const target = this.keptByLambda.get(record.requestId);
      if (target !== undefined) {
        if (target.backend.length < MAX_BACKEND_PER_REQUEST) target.backend.push(failure);
        if (this.unjoined.length < MAX_UNJOINED_BACKEND) this.unjoined.push(failure);
        return;
      }
      const list = this.backendByRequest.get(record.requestId);
      if (list !== undefined) {
        if (list.length < MAX_BACKEND_PER_REQUEST) list.push(failure);
      } else if (this.backendByRequest.size < MAX_BACKEND_REQUESTS) {
        this.backendByRequest.set(record.requestId, [failure]);
      }
    }
    if (this.unjoined.length < MAX_UNJOINED_BACKEND) this.unjoined.push(failure);
  }

  /**
   * A request's outcome became known. One that ended well is dropped (its lines are no evidence and keeping them
   * would grow with traffic); a failed one goes to the sample.
   */
  private complete(trace: RequestTrace): void {
    if (this.keepSucceeded || trace.status === undefined) return;
    const id = trace.requestId;
    const k = this.live.get(id);
    if (k === undefined) return; // already in the sample
    this.live.delete(id);
    if (trace.status < 500) {
      if (!this.isSettled(id)) this.succeeded++;
      this.remember(id);
    } else {
      this.offerFailed(k);
    }
  }

  /**
   * Counts a failed request and keeps it when it falls in the sample: every `stride`-th failed request in the order
   * they were decided. When the sample outgrows maxFailed, every other one is let go and the stride doubles, so the
   * sample stays evenly spread over the whole read.
   */
  private offerFailed(k: Kept): void {
    const trace = k.trace;
    const ordinal = this.failedTotal++;
    if (trace.firstSeen !== undefined && (this.failedFirstSeen === undefined || trace.firstSeen < this.failedFirstSeen))
      this.failedFirstSeen = trace.firstSeen;
    if (trace.lastSeen !== undefined && (this.failedLastSeen === undefined || trace.lastSeen > this.failedLastSeen))
      this.failedLastSeen = trace.lastSeen;
    if (ordinal % this.stride !== 0) {
      this.remember(trace.requestId);
      return;
    }
    this.kept.set(trace.requestId, k);
    this.joinBackend(trace);
    if (this.kept.size <= this.maxFailed) return;
    // The sample holds ordinals 0, s, 2s, ... in order: keep the even positions (ordinals 0, 2s, 4s, ...).
    this.stride *= 2;
    let i = 0;
    for (const [id, released] of this.kept) {
      if (i++ % 2 === 1) {
        this.kept.delete(id);
        const lambdaId = released.trace.lambdaRequestId;
        if (lambdaId !== undefined && this.keptByLambda.get(lambdaId) === released.trace)
          this.keptByLambda.delete(lambdaId);
        this.remember(id);
      }
    }
  }

  /** Gives a kept failed request the function log failures read so far, and the ones still to come. */
  private joinBackend(trace: RequestTrace): void {
    const lambdaId = trace.lambdaRequestId;
    if (lambdaId === undefined) return;
    const earlier = this.backendByRequest.get(lambdaId);
    if (earlier !== undefined) {
      trace.backend.push(...earlier.slice(0, MAX_BACKEND_PER_REQUEST - trace.backend.length));
      this.backendByRequest.delete(lambdaId);
    }
    if (!this.keptByLambda.has(lambdaId)) this.keptByLambda.set(lambdaId, trace);
  }

  /** Too many requests in flight: the oldest is decided now with what its lines show. */
  private evictOldest(): void {
    if (this.keepSucceeded) return;
    const p = this.pending.oldest();
    const live = this.live.entries().next().value;
    const id = p === undefined || (live !== undefined && live[1].order < p.order) ? live?.[0] : p.id;
    if (id === undefined) return;
    this.decide(id);
    this.remember(id);
  }

  /** Ends a request with no logged outcome: failed when its lines show an error, otherwise incomplete. */
  private decide(id: string, evidence: (trace: RequestTrace) => boolean = this.evidence): void {
    const trace = this.materialise(id);
    const k = this.live.get(id);
    if (trace === undefined || k === undefined) return;
    if (trace.status === undefined && trace.gatewayResponse !== undefined && !onlyGatewayResponse(trace)) {
      // No "Method completed" line (ERROR-level logging writes none): the gateway response's status is the answer.
      // Not for gateway response lines alone: the tail of a request quoted apart from it (a block of lines without
      // request ids is cut after "Method completed"), which must not count as a second failed request.
      trace.status = trace.gatewayResponse.status;
      if (!this.keepSucceeded) {
        this.complete(trace);
        return;
      }
    }
    if ((trace.status !== undefined && trace.status >= 500) || evidence(trace)) {
      this.live.delete(id);
      this.offerFailed(k);
      return;
    }
    this.live.delete(id);
    this.incompleteTotal++;
    if (this.incomplete.length < MAX_INCOMPLETE_KEPT) this.incomplete.push(trace);
  }

  private apiType(): Pick<ApiFacts, 'type'> {
    // Execution lines are REST's only: HTTP APIs write access logs alone.
    if (this.restSeen || this.executionSeen) return { type: 'REST' };
    return this.httpSeen ? { type: 'HTTP' } : {};
  }

  /** Whether a request was settled already: exactly for the last 50,000, approximately before them. */
  private isSettled(id: string): boolean {
    return this.settled.has(id) || (this.older?.has(id) ?? false);
  }

  private remember(requestId: string): void {
    if (this.settled.has(requestId)) return;
    this.settled.add(requestId);
    // A ring, not "delete the Map's first key": a Map's first live key is found by walking over the deleted
    // entries before it, which made forgetting cost O(deleted) per request on a huge read.
    if (this.settledOrder.length < MAX_SETTLED_IDS) {
      this.settledOrder.push(requestId);
      return;
    }
    const oldest = this.settledOrder[this.settledNext] as string;
    this.settled.delete(oldest);
    this.older ??= new IdFilter();
    this.older.add(oldest);
    this.settledOrder[this.settledNext] = requestId;
    this.settledNext = (this.settledNext + 1) % MAX_SETTLED_IDS;
  }

  /**
   * Ends the read: decides the requests still in flight, and joins backend function failures to the failed
   * requests that caused them.
   */
  finish(hasErrorEvidence?: (trace: RequestTrace) => boolean): TraceSet {
    const evidence = hasErrorEvidence ?? this.evidence;
    // In the order the requests started, as they were first seen.
    const ids = [
      ...this.pending.values().map((p) => [p.id, p.order] as const),
      ...[...this.live].map(([id, k]) => [id, k.order] as const),
    ]
      .sort((a, b) => a[1] - b[1])
      .map(([id]) => id);
    for (const id of ids) this.decide(id, evidence);
    const kept = [...this.kept.values()].sort((a, b) => a.order - b.order);
    const traces: RequestTrace[] = [];
    const joined = new Set<string>();
    for (const { trace } of kept) {
      // Backend lines joined on arrival, or (a Lambda request id learnt after the request was kept) now.
      this.joinBackend(trace);
      const lambdaId = trace.lambdaRequestId;
      if (lambdaId !== undefined && trace.backend.length > 0) joined.add(lambdaId);
      traces.push(trace);
    }
    const unjoinedBackend = this.unjoined.filter(
      (b) => b.record.requestId === undefined || !joined.has(b.record.requestId),
    );
    return {
      traces,
      failed: {
        total: this.failedTotal,
        stride: this.stride,
        ...(this.failedFirstSeen !== undefined ? { firstSeen: this.failedFirstSeen } : {}),
        ...(this.failedLastSeen !== undefined ? { lastSeen: this.failedLastSeen } : {}),
      },
      succeeded: this.succeeded,
      incomplete: [...this.incomplete],
      incompleteTotal: this.incompleteTotal,
      unjoinedBackend,
      unrecognised: this.unrecognised,
      api: { ...this.api, ...this.apiType() },
      linesRead: this.linesRead,
    };
  }
}
