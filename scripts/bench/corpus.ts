/**
 * Seeded, deterministic generator of API Gateway REST execution-log corpora for the benchmark, with ground truth.
 *
 * The lines have the exact shapes of scripts/incident.ts `restTrace` for the kinds it knows (ok, malformed,
 * permission, timeout, throttle, function_error); test/unit/bench-corpus.test.ts compares them line for line.
 * The kinds restTrace does not know take their lines verbatim from the cause fixtures and research notes:
 * - no_mapping: test/fixtures/causes/status_code_mapping/aws-integration-no-matching-integration-response.log;
 * - authorizer: test/fixtures/causes/authorizer_error/rest-authorizer-crash-and-null-policy.log and
 *   /work/research/exec-log-formats.md ("Authorizer result body before parsing: null" / "Could not parse policy";
 *   whether a "Method completed" line follows is unverified, so none is written);
 * - vpc_link: test/fixtures/causes/private_integration/vpc-link-error-stage-log.log;
 * - unexplained: test/fixtures/causes/unknown/rest-invalid-endpoint-address.log (a 500 whose message no cause names).
 *
 * ERROR-level corpora keep only what API Gateway writes at ERROR level: the failure lines and the 5xx
 * "Method completed" line (and, for a malformed proxy response, the body, as the ERROR-level fixture shows);
 * successful requests write nothing at ERROR level.
 *
 * No dependencies, no clock, no Math.random: the same options give the same lines.
 */
import type { LogEvent } from '../../lambda/parse/log-event.js';
import type { CauseId } from '../../lambda/taxonomy.js';
import { pathParameters } from '../incident.js';

/** mulberry32: a small, fast 32-bit PRNG (public domain, Tommy Ettinger). Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FAILURE_KINDS = [
  'malformed',
  'permission',
  'timeout',
  'throttle',
  'function_error',
  'no_mapping',
  'authorizer',
  'vpc_link',
  'unexplained',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];
export type RequestKind = 'ok' | FailureKind;

/** The cause id the diagnosis must give each failure kind. */
export const CAUSE_OF_KIND: Readonly<Record<FailureKind, CauseId>> = {
  malformed: 'malformed_lambda_response',
  permission: 'lambda_permission',
  timeout: 'integration_timeout',
  throttle: 'throttling',
  function_error: 'lambda_function_error',
  no_mapping: 'status_code_mapping',
  authorizer: 'authorizer_error',
  vpc_link: 'private_integration',
  unexplained: 'unknown',
};

/** Status the client gets, per failure kind (undefined: no "Method completed" line is logged). */
export const STATUS_OF_KIND: Readonly<Record<FailureKind, number | undefined>> = {
  malformed: 502,
  permission: 500,
  timeout: 504,
  throttle: 500,
  function_error: 502,
  no_mapping: 500,
  authorizer: undefined,
  vpc_link: 500,
  unexplained: 500,
};

/**
 * Shares of failed requests per kind in the default mix (they sum to 1): a bad deploy's function errors and
 * malformed responses first, then timeouts and throttling, then configuration errors.
 */
export const DEFAULT_FAILURE_MIX: Readonly<Record<FailureKind, number>> = {
  function_error: 0.22,
  malformed: 0.17,
  timeout: 0.15,
  throttle: 0.13,
  permission: 0.1,
  no_mapping: 0.07,
  authorizer: 0.06,
  vpc_link: 0.05,
  unexplained: 0.05,
};

export type LogLevel = 'INFO' | 'ERROR';

export interface CorpusApi {
  readonly apiId: string;
  readonly stage: string;
  readonly region: string;
  readonly accountId: string;
}

export const DEFAULT_API: CorpusApi = {
  apiId: 'b3nch4pi01',
  stage: 'prod',
  region: 'us-east-1',
  accountId: '123456789012',
};

export interface CorpusOptions {
  readonly seed: number;
  /** Stop once at least this many lines were written; whole requests only, so the total may be a little over. */
  readonly targetLines?: number;
  /** Stop once this many failed requests were written (and their lines emitted). */
  readonly targetFailures?: number;
  /** @default 'INFO' */
  readonly level?: LogLevel;
  /** Share of requests that fail. @default 0.03 */
  readonly failureRate?: number;
  readonly failureMix?: Readonly<Record<FailureKind, number>>;
  /** Log streams the requests are spread over. @default 6 */
  readonly streams?: number;
  /** Requests in flight at once, whose lines interleave. @default 24 */
  readonly concurrency?: number;
  /** Timestamp of the first line, epoch ms. @default 1_790_000_000_000 */
  readonly startMs?: number;
  /** Milliseconds between two consecutive lines of the corpus. @default 1 */
  readonly msPerLine?: number;
  readonly api?: CorpusApi;
}

/** What was generated: the counts the diagnosis must reproduce. */
export interface CorpusTruth {
  readonly seed: number;
  readonly level: LogLevel;
  lines: number;
  /** Sum of the messages' lengths (characters; the lines are ASCII, so also bytes). */
  chars: number;
  requests: number;
  succeeded: number;
  failed: number;
  readonly byKind: Record<RequestKind, number>;
  /** Expected diagnosis: failed requests per cause id. */
  readonly byCause: Partial<Record<CauseId, number>>;
  firstTimestamp?: number;
  lastTimestamp?: number;
}

export interface CorpusRoute {
  readonly method: string;
  readonly resourcePath: string;
  readonly path: string;
  readonly functionName: string;
}

const ROUTES = {
  getOrder: { method: 'GET', resourcePath: '/orders/{id}', path: '/orders/42', functionName: 'orders-get' },
  createOrder: { method: 'POST', resourcePath: '/orders', path: '/orders', functionName: 'orders-create' },
  getCustomer: {
    method: 'GET',
    resourcePath: '/customers/{id}',
    path: '/customers/7',
    functionName: 'customers-get',
  },
  batch: { method: 'POST', resourcePath: '/orders/batch', path: '/orders/batch', functionName: 'orders-batch' },
  account: { method: 'GET', resourcePath: '/account/{id}', path: '/account/9', functionName: 'account-get' },
  inventory: {
    method: 'GET',
    resourcePath: '/inventory/{id}',
    path: '/inventory/42',
    functionName: 'inventory-get',
  },
  reports: { method: 'GET', resourcePath: '/reports/{id}', path: '/reports/3', functionName: 'reports-get' },
} as const satisfies Record<string, CorpusRoute>;

const OK_ROUTES: readonly CorpusRoute[] = [ROUTES.getOrder, ROUTES.getOrder, ROUTES.createOrder, ROUTES.getCustomer];

/** The route each failure kind hits: in a real incident a cause sits on one route and function. */
const ROUTE_OF_KIND: Readonly<Record<FailureKind, CorpusRoute>> = {
  function_error: ROUTES.getOrder,
  timeout: ROUTES.getOrder,
  throttle: ROUTES.getOrder,
  malformed: ROUTES.createOrder,
  permission: ROUTES.getCustomer,
  no_mapping: ROUTES.batch,
  authorizer: ROUTES.account,
  vpc_link: ROUTES.inventory,
  unexplained: ROUTES.reports,
};

const HEX = '0123456789abcdef';

function hex(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += HEX[(random() * 16) | 0];
  return out;
}

/** A version-4-shaped UUID from the PRNG. */
export function seededUuid(random: () => number): string {
  const variant = HEX[8 + ((random() * 4) | 0)];
  return `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${variant}${hex(random, 3)}-${hex(random, 12)}`;
}

function amzDate(at: number): string {
  return new Date(at)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function lambdaUri(api: CorpusApi, functionName: string): string {
  return `https://lambda.${api.region}.amazonaws.com/2015-03-31/functions/arn:aws:lambda:${api.region}:${api.accountId}:function:${functionName}/invocations`;
}

const STARS_312 = '*'.repeat(312);
const STARS_300 = '*'.repeat(300);

/** The texts (without the request-id prefix) of one request's INFO-level trace; shapes as scripts/incident.ts. */
export function infoTrace(
  kind: RequestKind,
  api: CorpusApi,
  route: CorpusRoute,
  at: number,
  ids: { requestId: string; lambdaRequestId: string; traceHex: string },
): string[] {
  const id = ids.requestId;
  const lambdaId = ids.lambdaRequestId;
  const trace = `1-${Math.floor(at / 1000).toString(16)}-${ids.traceHex}`;
  const uri = lambdaUri(api, route.functionName);
  const extended = `Extended Request Id: ${Buffer.from(id).toString('base64').slice(0, 15)}=`;
  if (kind === 'authorizer') {
    const authorizerUri = lambdaUri(api, 'orders-authorizer');
    return [
      extended,
      `Starting authorizer: q8t0gz for request: ${id}`,
      `Incoming identity: ${STARS_300}${ids.traceHex.slice(0, 6)}`,
      `Endpoint request URI: ${authorizerUri}`,
      `Sending request to ${authorizerUri}`,
      'Authorizer result body before parsing: null',
      'Execution failed due to configuration error: Could not parse policy',
    ];
  }
  const lines: string[] = [
    extended,
    `Verifying Usage Plan for request: ${id}. API Key:  API Stage: ${api.apiId}/${api.stage}`,
    `API Key  authorized because method '${route.method} ${route.resourcePath}' does not require API Key. Request will not contribute to throttle or quota limits`,
    `Usage Plan check succeeded for API Key  and API Stage ${api.apiId}/${api.stage}`,
    `Starting execution for request: ${id}`,
    `HTTP Method: ${route.method}, Resource Path: ${route.path}`,
    `Method request path: ${pathParameters(route)}`,
    'Method request query string: {}',
    `Method request headers: {Accept=application/json, Authorization=Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkZW1vLXVzZXIifQ.c2lnbmF0dXJlLW5vdC1yZWFs, Host=${api.apiId}.execute-api.${api.region}.amazonaws.com, User-Agent=okhttp/4.12.0, X-Amzn-Trace-Id=Root=${trace}, X-Forwarded-For=203.0.113.24}`,
  ];
  switch (kind) {
    case 'permission':
      lines.push(
        `Sending request to ${uri}`,
        'Execution failed due to configuration error: Invalid permissions on Lambda function',
        'Method completed with status: 500',
      );
      return lines;
    case 'no_mapping':
      lines.push(
        'Received response. Status: 400, Integration latency: 10 ms',
        `Endpoint response headers: {x-amzn-RequestId=${lambdaId}, Content-Type=application/x-amz-json-1.0, Content-Length=63}`,
        'Endpoint response body before transformations: {"__type":"com.amazon.coral.service#UnknownOperationException"}',
        'Execution failed due to configuration error: No match for output mapping and no default output mapping configured. Endpoint Response Status Code: 400',
        'Method completed with status: 500',
      );
      return lines;
    case 'vpc_link':
      lines.push('Execution failed due to an vpc link error', 'Method completed with status: 500');
      return lines;
    case 'unexplained':
      lines.push(
        'Execution failed due to configuration error: Invalid endpoint address',
        'Method completed with status: 500',
      );
      return lines;
    default:
      break;
  }
  lines.push(
    `Endpoint request URI: ${uri}`,
    `Endpoint request headers: {x-amzn-lambda-integration-tag=${id}, Authorization=${STARS_312}9a1c2e, X-Amz-Date=${amzDate(at)}, x-amzn-apigateway-api-id=${api.apiId}, X-Amz-Source-Arn=arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${api.stage}/${route.method}${route.path}, Accept=application/json, User-Agent=AmazonAPIGateway_${api.apiId}, X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQCt4f0Yh3a1q9l2Z0e5ZxKj7QKp1m2b3n4v5c6x7z8a9 [TRUNCATED]`,
    `Sending request to ${uri}`,
  );
  const date = new Date(at).toUTCString();
  const headers = (length: number, extra = '') =>
    `Endpoint response headers: {Date=${date}, Content-Type=application/json, Content-Length=${length}, Connection=keep-alive, x-amzn-RequestId=${lambdaId}${extra}, x-amzn-Remapped-Content-Length=0, X-Amz-Executed-Version=$LATEST, X-Amzn-Trace-Id=Root=${trace};Sampled=0}`;
  switch (kind) {
    case 'ok':
      lines.push(
        'Received response. Status: 200, Integration latency: 38 ms',
        headers(79),
        'Endpoint response body before transformations: {"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\\"id\\":\\"42\\"}"}',
        'Method response body after transformations: {"id":"42"}',
        `Method response headers: {content-type=application/json, X-Amzn-Trace-Id=Root=${trace}}`,
        'Successfully completed execution',
        'Method completed with status: 200',
      );
      break;
    case 'malformed':
      lines.push(
        'Received response. Status: 200, Integration latency: 24 ms',
        headers(42),
        'Endpoint response body before transformations: {"status":200,"body":{"id":"42","total":12.5}}',
        'Execution failed due to configuration error: Malformed Lambda proxy response',
        'Method completed with status: 502',
      );
      break;
    case 'function_error':
      lines.push(
        'Received response. Status: 200, Integration latency: 61 ms',
        headers(211, ', X-Amz-Function-Error=Unhandled'),
        `Endpoint response body before transformations: {"errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading 'items')","trace":["TypeError: Cannot read properties of undefined (reading 'items')","    at Runtime.handler (file:///var/task/index.mjs:12:31)"]}`,
        `Lambda execution failed with status 200 due to customer function error: Cannot read properties of undefined (reading 'items'). Lambda request id: ${lambdaId}`,
        'Method completed with status: 502',
      );
      break;
    case 'throttle':
      lines.push(
        'Received response. Status: 429, Integration latency: 3 ms',
        headers(107),
        'Endpoint response body before transformations: {"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}',
        `Lambda invocation failed with status: 429. Lambda request id: ${lambdaId}`,
        'Execution failed due to configuration error: Rate Exceeded.',
        'Method completed with status: 500',
      );
      break;
    case 'timeout':
      lines.push('Execution failed due to a timeout error', 'Method completed with status: 504');
      break;
  }
  return lines;
}

const ERROR_LEVEL_LINE =
  /^(?:Execution failed|Lambda execution failed|Lambda invocation failed|Method completed with status: 5)/;

/** What an ERROR-level stage writes for the request: nothing for a success, the failure lines for a failure. */
export function errorTrace(kind: RequestKind, info: readonly string[]): string[] {
  if (kind === 'ok') return [];
  return info.filter(
    (text) =>
      ERROR_LEVEL_LINE.test(text) ||
      (kind === 'malformed' && text.startsWith('Endpoint response body before transformations: ')),
  );
}

/** Stream names as API Gateway writes them: 32 lower-case hex characters. */
function streamNames(random: () => number, count: number): string[] {
  return Array.from({ length: count }, () => hex(random, 32));
}

interface InFlight {
  readonly prefix: string;
  readonly texts: readonly string[];
  readonly stream: string;
  next: number;
}

/**
 * Emits the corpus chunk by chunk: requests are started `concurrency` at a time and their lines interleave in the
 * order a random scheduler picks, one line per `msPerLine`; each request writes to one stream. The truth is filled
 * in as lines are emitted, so it describes exactly what was emitted so far.
 */
export class CorpusGenerator {
  readonly truth: CorpusTruth;
  readonly logGroupName: string;
  private readonly random: () => number;
  private readonly api: CorpusApi;
  private readonly level: LogLevel;
  private readonly failureRate: number;
  private readonly cumulative: Array<[FailureKind, number]>;
  private readonly streams: string[];
  private readonly concurrency: number;
  private readonly startMs: number;
  private readonly msPerLine: number;
  private readonly targetLines: number;
  private readonly targetFailures: number;
  private readonly active: InFlight[] = [];
  private startedFailures = 0;

  constructor(options: CorpusOptions) {
    this.random = mulberry32(options.seed);
    this.api = options.api ?? DEFAULT_API;
    this.level = options.level ?? 'INFO';
    this.failureRate = options.failureRate ?? 0.03;
    const mix = options.failureMix ?? DEFAULT_FAILURE_MIX;
    const total = FAILURE_KINDS.reduce((sum, k) => sum + mix[k], 0);
    let acc = 0;
    this.cumulative = FAILURE_KINDS.map((k) => {
      acc += mix[k] / total;
      return [k, acc];
    });
    this.streams = streamNames(this.random, options.streams ?? 6);
    this.concurrency = options.concurrency ?? 24;
    this.startMs = options.startMs ?? 1_790_000_000_000;
    this.msPerLine = options.msPerLine ?? 1;
    this.targetLines = options.targetLines ?? Number.POSITIVE_INFINITY;
    this.targetFailures = options.targetFailures ?? Number.POSITIVE_INFINITY;
    if (this.targetLines === Number.POSITIVE_INFINITY && this.targetFailures === Number.POSITIVE_INFINITY) {
      throw new Error('CorpusGenerator needs targetLines or targetFailures');
    }
    this.logGroupName = `API-Gateway-Execution-Logs_${this.api.apiId}/${this.api.stage}`;
    const byKind = { ok: 0 } as Record<RequestKind, number>;
    for (const k of FAILURE_KINDS) byKind[k] = 0;
    this.truth = {
      seed: options.seed,
      level: this.level,
      lines: 0,
      chars: 0,
      requests: 0,
      succeeded: 0,
      failed: 0,
      byKind,
      byCause: {},
    };
  }

  private pickKind(): RequestKind {
    if (this.failureRate < 1 && this.random() >= this.failureRate) return 'ok';
    const r = this.random();
    for (const [kind, upTo] of this.cumulative) if (r < upTo) return kind;
    return this.cumulative[this.cumulative.length - 1]?.[0] ?? 'unexplained';
  }

  private wantsMore(): boolean {
    return this.truth.lines + this.pendingLines() < this.targetLines && this.startedFailures < this.targetFailures;
  }

  private pendingLines(): number {
    let n = 0;
    for (const r of this.active) n += r.texts.length - r.next;
    return n;
  }

  /** Starts one request: draws its kind, ids and route, and counts it in the truth. */
  private startRequest(): void {
    const kind = this.pickKind();
    const random = this.random;
    const requestId = seededUuid(random);
    const lambdaRequestId = seededUuid(random);
    const traceHex = hex(random, 24);
    const route =
      kind === 'ok' ? (OK_ROUTES[(random() * OK_ROUTES.length) | 0] ?? ROUTES.getOrder) : ROUTE_OF_KIND[kind];
    const stream = this.streams[(random() * this.streams.length) | 0] ?? '';
    const at = this.startMs + Math.floor((this.truth.lines + this.pendingLines()) * this.msPerLine);
    const info = infoTrace(kind, this.api, route, at, { requestId, lambdaRequestId, traceHex });
    const texts = this.level === 'INFO' ? info : errorTrace(kind, info);
    const truth = this.truth;
    truth.requests++;
    truth.byKind[kind]++;
    if (kind === 'ok') truth.succeeded++;
    else {
      this.startedFailures++;
      truth.failed++;
      const cause = CAUSE_OF_KIND[kind];
      truth.byCause[cause] = (truth.byCause[cause] ?? 0) + 1;
    }
    if (texts.length > 0) this.active.push({ prefix: `(${requestId}) `, texts, stream, next: 0 });
  }

  /** True when every line has been emitted. */
  get done(): boolean {
    return this.active.length === 0 && !this.wantsMore();
  }

  /** Up to `size` more lines, in time order; an empty array once the corpus is complete. */
  nextChunk(size = 65_536): LogEvent[] {
    const out: LogEvent[] = [];
    const random = this.random;
    const truth = this.truth;
    while (out.length < size) {
      while (this.active.length < this.concurrency && this.wantsMore()) this.startRequest();
      if (this.active.length === 0) break;
      const index = (random() * this.active.length) | 0;
      const request = this.active[index] as InFlight;
      const message = request.prefix + (request.texts[request.next] as string);
      request.next++;
      if (request.next >= request.texts.length) {
        const last = this.active.pop() as InFlight;
        if (index < this.active.length) this.active[index] = last;
      }
      const timestamp = this.startMs + Math.floor(truth.lines * this.msPerLine);
      out.push({ message, timestamp, logStreamName: request.stream, logGroupName: this.logGroupName });
      truth.lines++;
      truth.chars += message.length;
      truth.firstTimestamp ??= timestamp;
      truth.lastTimestamp = timestamp;
    }
    // Materialise the events as the reader receives them, from JSON (a FilterLogEvents page): flat strings, not
    // the concatenations built above, which V8 would have to flatten on first use, in the measured code.
    return out.length === 0 ? out : (JSON.parse(JSON.stringify(out)) as LogEvent[]);
  }

  /** Every remaining line, one at a time (for streaming into the core without holding the corpus). */
  *events(chunkSize = 4_096): Generator<LogEvent> {
    for (;;) {
      const chunk = this.nextChunk(chunkSize);
      if (chunk.length === 0) return;
      yield* chunk;
    }
  }
}

/** The whole corpus in memory, with its truth. */
export function generateCorpus(options: CorpusOptions): { events: LogEvent[]; truth: CorpusTruth } {
  const generator = new CorpusGenerator(options);
  const events: LogEvent[] = [];
  for (;;) {
    const chunk = generator.nextChunk();
    if (chunk.length === 0) break;
    for (const e of chunk) events.push(e);
  }
  return { events, truth: generator.truth };
}

/** Compares a diagnosis's per-cause counts (and failed/succeeded totals) with the truth; empty when they agree. */
/** How far a sampled diagnosis's cause shares may be from the truth's before it counts as a mismatch. */
export const SHARE_TOLERANCE = 0.03;

/**
 * What the diagnosis got wrong against the generated truth. A diagnosis of every failed request must match the
 * counts exactly; a sampled one (the core's stride, or the reader's window slices) must give each cause's share
 * within SHARE_TOLERANCE, and when the whole window was read, count every failed request.
 */
export function truthMismatches(
  truth: CorpusTruth,
  diagnosis: {
    readonly failedRequests: number;
    /** The failed requests classified (the sample's size); absent means every failed request was. */
    readonly classifiedRequests?: number;
    readonly succeededRequests: number;
    readonly causes: readonly { readonly cause: CauseId; readonly count: number }[];
    readonly sampling?: { readonly totalFailed: number; readonly stride?: number; readonly slices?: number };
  },
  options: { checkSucceeded?: boolean } = {},
): string[] {
  const problems: string[] = [];
  const s = diagnosis.sampling;
  const sampled = s?.stride !== undefined || s?.slices !== undefined;
  // A sample of the whole read counts every failed request; a read of window slices counts status lines (which
  // some failures do not write), so only its shares are checked.
  if (s?.slices === undefined) {
    const counted = sampled ? (s?.totalFailed ?? 0) : diagnosis.failedRequests;
    if (counted !== truth.failed) problems.push(`failed requests: diagnosed ${counted}, generated ${truth.failed}`);
  }
  if ((options.checkSucceeded ?? truth.level === 'INFO') && diagnosis.succeededRequests !== truth.succeeded)
    problems.push(`succeeded requests: diagnosed ${diagnosis.succeededRequests}, generated ${truth.succeeded}`);
  const got = new Map(diagnosis.causes.map((c) => [c.cause, c.count]));
  const causes = new Set<CauseId>([...got.keys(), ...(Object.keys(truth.byCause) as CauseId[])]);
  for (const cause of causes) {
    const expected = truth.byCause[cause] ?? 0;
    const actual = got.get(cause) ?? 0;
    if (!sampled) {
      if (expected !== actual) problems.push(`${cause}: diagnosed ${actual}, generated ${expected}`);
      continue;
    }
    const classified = diagnosis.classifiedRequests ?? diagnosis.failedRequests;
    const share = classified === 0 ? 0 : actual / classified;
    const truthShare = truth.failed === 0 ? 0 : expected / truth.failed;
    if (Math.abs(share - truthShare) > SHARE_TOLERANCE)
      problems.push(
        `${cause}: ${(share * 100).toFixed(1)}% of the sample, ${(truthShare * 100).toFixed(1)}% generated`,
      );
  }
  return problems;
}

/** Max |share in diagnosis - share in truth| over the causes, in percentage points. */
export function shareDeviation(truth: CorpusTruth, causes: Record<string, number>): number {
  const diagnosed = Object.values(causes).reduce((a, b) => a + b, 0);
  const all = new Set([...Object.keys(causes), ...Object.keys(truth.byCause)]);
  let worst = 0;
  for (const cause of all) {
    const expected = (truth.byCause[cause as keyof typeof truth.byCause] ?? 0) / Math.max(1, truth.failed);
    const actual = (causes[cause] ?? 0) / Math.max(1, diagnosed);
    worst = Math.max(worst, Math.abs(expected - actual) * 100);
  }
  return worst;
}
