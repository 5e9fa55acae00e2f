import type { Finding } from '../classify/classify.js';
import { type MatchTarget, type RuleHint, unmappedEndpointStatus } from '../classify/rules.js';
import { messageTemplate } from '../classify/template.js';
import type { Signals } from '../enrich/signal-types.js';
import type { Enrichment } from '../enrich/types.js';
import type { FunctionLogRecord } from '../parse/function-log.js';
import { redact } from '../safety/redact.js';
import { CAUSES, type CauseId } from '../taxonomy.js';
import type { BackendFailure } from '../trace/request-trace.js';
import type { ApiFacts, TraceSet } from '../trace/trace-builder.js';
import { type RemedyStep, remedyFor } from './remedy.js';

export interface DiagnosisApi {
  readonly type?: 'REST' | 'HTTP';
  readonly name?: string;
  readonly apiId?: string;
  readonly stage?: string;
  readonly region?: string;
  readonly accountId?: string;
}

export interface Count<K> {
  readonly key: K;
  readonly count: number;
}

export interface CauseSummary {
  readonly cause: CauseId;
  readonly title: string;
  /** Requests classified with this cause (of `classifiedRequests`). */
  readonly count: number;
  /** Share of the failed requests classified, 0..1: of all failed requests when every one was classified, else the sample's estimate. */
  readonly share: number;
  /** How many were recognised from the status code alone (no message named the failure). */
  readonly statusOnly: number;
  readonly statuses: readonly Count<number | null>[];
  readonly routes: readonly Count<string>[];
  readonly firstSeen?: number;
  readonly lastSeen?: number;
  readonly sampleRequestIds: readonly string[];
  /** Distinct evidence lines (by template), redacted. */
  readonly evidence: readonly string[];
  readonly functions: readonly string[];
  readonly authorizerFunctions: readonly string[];
  readonly target?: MatchTarget;
  readonly hints: readonly RuleHint[];
  readonly rules: readonly string[];
  /** What the backend function's own log said, most frequent first. */
  readonly backend: readonly Count<string>[];
  readonly remedy: readonly RemedyStep[];
  /**
   * Other readings of the same requests: a cause inferred from the backend's answer where API Gateway's verdict led
   * (`inferred`), or API Gateway's verdict where it is known to mislead (`verdict`, with the reason).
   */
  readonly beside: readonly BesideSummary[];
}

export interface BesideSummary {
  readonly cause: CauseId;
  readonly title: string;
  readonly kind: 'inferred' | 'verdict';
  /** Requests of this cause that also showed the other reading. */
  readonly count: number;
  /** A line that shows it, redacted. */
  readonly evidence: readonly string[];
  readonly note?: string;
}

export interface UnknownTemplate {
  readonly template: string;
  readonly count: number;
}

export interface Diagnosis {
  readonly api: DiagnosisApi;
  /** The window the caller read, epoch ms, when known. */
  readonly window?: { readonly start: number; readonly end: number };
  /**
   * Every failed request the logs held: the true total, also when only a sample was classified (then at least this
   * many when `sampling.exact` is false).
   */
  readonly failedRequests: number;
  /** The failed requests classified: `failedRequests`, or the sample's size. Cause counts add up to this. */
  readonly classifiedRequests: number;
  readonly succeededRequests: number;
  readonly linesRead: number;
  readonly firstSeen?: number;
  readonly lastSeen?: number;
  /** Most frequent first. */
  readonly causes: readonly CauseSummary[];
  readonly byStatus: readonly Count<number | null>[];
  readonly byRoute: readonly (Count<string> & { readonly topCause: CauseId })[];
  readonly unknownTemplates: readonly UnknownTemplate[];
  /** Function log failures not tied to a failed request (same window). */
  readonly backendUnjoined: readonly Count<string>[];
  /** How many failed requests the window held, and whether only a sample of them was classified. */
  readonly sampling?: Sampling;
  /**
   * What the live configuration said about each cause, what changed before the first error, and the checks that
   * could not run (lambda/enrich). Absent when no check was made.
   */
  readonly enrichment?: Enrichment;
  /**
   * What metrics, the live configuration and CloudTrail say, joined with the log causes (lambda/enrich/signals.ts):
   * the sources behind each verdict, causes the logs could not show, what the logging settings hide. Absent when
   * not read.
   */
  readonly signals?: Signals;
  /** Logs that could not be read (missing group, access denied, budget spent), each with its fix. */
  readonly unreadable: readonly string[];
  /** What the logs that were read could not show. */
  readonly limits: readonly string[];
}

export interface SummarizeOptions {
  /** What the caller knows of the API (configuration); it wins over what the logs revealed. */
  readonly api?: DiagnosisApi;
  readonly window?: { readonly start: number; readonly end: number };
  /** Problems the reader met (missing log group, access denied, budget spent), each with its fix. */
  readonly readProblems?: readonly string[];
  readonly maxSamples?: number;
  /** The failed requests counted in the window and how they were sampled (by the reader, the core or both). */
  readonly sampling?: Sampling;
}

/** How many failed requests there were and how the classified ones were chosen. */
export interface Sampling {
  /** Failed requests counted (status lines, or every failed request the core saw). */
  readonly totalFailed: number;
  /** False when the count itself is a lower bound (the count hit a cap). */
  readonly exact: boolean;
  /** The reader read this many evenly spaced slices of the window, not all of it. */
  readonly slices?: number;
  /** The core classified every stride-th failed request of those it read (a bounded sample). */
  readonly stride?: number;
}

const MAX_EVIDENCE = 5;
const MAX_ROUTES = 10;

function countBy<K>(items: Iterable<K>): Count<K>[] {
  const counts = new Map<K, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts.entries()]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || String(a.key).localeCompare(String(b.key)));
}

/** "GET /orders/{id}": the route a finding is reported under (template when logged, else the path). */
export function routeOfFinding(f: Finding): string {
  // HTTP API route keys carry their method ("GET /orders/{id}") except the catch-all "$default".
  if (f.routeKey !== undefined)
    return f.routeKey.includes(' ') || f.method === undefined ? f.routeKey : `${f.method} ${f.routeKey}`;
  const resource = f.resourcePath ?? f.path;
  if (f.method === undefined && resource === undefined) return 'unknown route';
  return `${f.method ?? '?'} ${resource ?? '?'}`;
}

/** One line saying what the backend said: "Task timed out after 3.00 seconds", "TypeError: Cannot read ...". */
export function describeBackend(record: FunctionLogRecord): string {
  switch (record.kind) {
    case 'timeout':
      return record.timeoutSeconds !== undefined
        ? `Task timed out after ${record.timeoutSeconds.toFixed(2)} seconds`
        : `timed out${record.durationMs !== undefined ? ` after ${record.durationMs} ms` : ''}`;
    case 'out_of_memory':
      return `out of memory${record.maxMemoryUsedMb !== undefined && record.memorySizeMb !== undefined ? ` (${record.maxMemoryUsedMb} of ${record.memorySizeMb} MB used)` : ''}: ${record.errorMessage ?? 'Runtime.OutOfMemory'}`;
    case 'init_error':
      return record.errorType !== undefined
        ? `init error ${record.errorType}${record.errorMessage !== undefined ? `: ${record.errorMessage}` : ''}`
        : `init error${record.errorMessage !== undefined ? `: ${record.errorMessage}` : ''}`;
    case 'runtime_exit':
      return record.errorMessage ?? 'Runtime exited';
    case 'error': {
      const at = record.stackTop?.find((l) => /\bat\b|File "/.test(l) && !/^\s*(?:\w+Error|Error):/.test(l));
      return `${record.errorType ?? 'Error'}: ${record.errorMessage ?? ''}${at !== undefined ? ` (${at.trim()})` : ''}`;
    }
    default:
      return record.kind;
  }
}

function oneLineSummary(b: BackendFailure): string {
  const text = redact(describeBackend(b.record)).replace(/\s+/g, ' ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function backendLine(b: BackendFailure): string {
  const short = oneLineSummary(b);
  return b.functionName !== undefined ? `${b.functionName}: ${short}` : short;
}

/**
 * A function that failed before its handler ran, as the runtime names it: the error type, or the message of an
 * older runtime ("Unable to import module 'index'", Python's "module initialization error") or of Node's loader.
 */
const INIT_ERROR_TYPE =
  /\bRuntime\.(?:ImportModuleError|HandlerNotFound|UserCodeSyntaxError|MalformedHandlerName|InvalidEntrypoint)\b/;
const INIT_ERROR_MESSAGE = /\b(?:Unable to import module|module initialization error|Cannot find module)\b/;

/** The role in an assume-role failure; IAM role names are `[\w+=,.@-]`, 64 characters at most. */
const ASSUMED_ROLE =
  /\bassume the provided role arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})\b/;

const SAFE_ID = /^[a-z0-9]{10}$/;
const HTTP_METHOD = /^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY)$/;
const SAFE_STAGE = /^[A-Za-z0-9_-]{1,128}$/;
// `$default` is the HTTP API default stage: fix commands quote it (shellQuote), and its permissions name it.
const SAFE_HTTP_STAGE = /^(?:\$default|[A-Za-z0-9_-]{1,128})$/;
/** An id from the responder's own configuration: shell-safe, any length (local endpoints use shorter ids than AWS). */
const SAFE_GIVEN_ID = /^[a-z0-9]{1,32}$/;
const SAFE_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
const SAFE_ACCOUNT = /^\d{12}$/;

/** Merges what configuration says with what the logs revealed; only well-formed values go into commands. */
function apiOf(facts: ApiFacts, given: DiagnosisApi | undefined): DiagnosisApi {
  const pick = (a: string | undefined, b: string | undefined, ok: RegExp, okGiven = ok): string | undefined =>
    a !== undefined && okGiven.test(a) ? a : b !== undefined && ok.test(b) ? b : undefined;
  const type = given?.type ?? facts.type;
  const apiId = pick(given?.apiId, facts.apiId, SAFE_ID, SAFE_GIVEN_ID);
  // HTTP APIs' default stage is named `$default`; REST stage names are word characters and hyphens only.
  const stage = pick(given?.stage, facts.stage, type === 'HTTP' ? SAFE_HTTP_STAGE : SAFE_STAGE);
  const region = pick(given?.region, facts.region, SAFE_REGION);
  const accountId = pick(given?.accountId, facts.accountId, SAFE_ACCOUNT);
  return {
    ...(type !== undefined ? { type } : {}),
    ...(given?.name !== undefined ? { name: given.name } : {}),
    ...(apiId !== undefined ? { apiId } : {}),
    ...(stage !== undefined ? { stage } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(accountId !== undefined ? { accountId } : {}),
  };
}

function minMax(values: Iterable<number | undefined>): { min?: number; max?: number } {
  let min: number | undefined;
  let max: number | undefined;
  for (const v of values) {
    if (v === undefined) continue;
    if (min === undefined || v < min) min = v;
    if (max === undefined || v > max) max = v;
  }
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

function summarizeCause(
  cause: CauseId,
  findings: Finding[],
  total: number,
  api: DiagnosisApi,
  maxSamples: number,
): CauseSummary {
  const seen = minMax(findings.flatMap((f) => [f.firstSeen, f.lastSeen]));
  const routes = countBy(findings.map(routeOfFinding)).slice(0, MAX_ROUTES);
  const evidence: string[] = [];
  const templates = new Set<string>();
  for (const f of findings) {
    for (const line of f.evidence) {
      const t = messageTemplate(line.text);
      if (templates.has(t)) continue;
      templates.add(t);
      if (evidence.length < MAX_EVIDENCE) evidence.push(line.text);
    }
    if (evidence.length >= MAX_EVIDENCE) break;
  }
  const backend = countBy(findings.flatMap((f) => (f.backend ?? []).map(backendLine)));
  const firstBackend = findings.find((f) => f.backend?.[0] !== undefined)?.backend?.[0];
  const backendSummary = firstBackend !== undefined ? oneLineSummary(firstBackend) : undefined;
  const hints = [...new Set(findings.flatMap((f) => (f.hint !== undefined ? [f.hint] : [])))];
  const targets = countBy(findings.flatMap((f) => (f.target !== undefined ? [f.target] : [])));
  // The remedy names the most frequent route and function: what the engineer should fix first.
  const topRoute = routes.find((r) => r.key !== 'unknown route')?.key;
  const top = findings.find((f) => routeOfFinding(f) === topRoute) ?? findings[0];
  const topFunction = countBy(findings.flatMap((f) => (f.functionName !== undefined ? [f.functionName] : [])))[0]?.key;
  const fnFinding = findings.find((f) => f.functionName === topFunction) ?? top;
  const timeouts = findings
    .flatMap((f) => (f.backend ?? []).map((b) => b.record.timeoutSeconds))
    .filter((v) => v !== undefined);
  const authorizerTarget = targets[0]?.key === 'authorizer';
  const texts = findings.flatMap((f) => f.evidence).map((l) => l.text);
  const firstIn = (read: (text: string) => string | undefined, of: readonly string[] = texts): string | undefined => {
    for (const text of of) {
      const value = read(text);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  // "Output mapping refers to an invalid method response: 200": the status the missing method response needs.
  const methodResponseStatus = firstIn((t) => /invalid method response: (\d{3})\b/.exec(t)?.[1]);
  // "No match for output mapping ... Endpoint Response Status Code: 403": the backend's status nothing mapped.
  const endpointStatus = firstIn(unmappedEndpointStatus);
  // What API Gateway relayed of the function's failure (its response body, the customer function error, an access
  // log's integration error): a timeout's length, or a failure before the handler ran.
  const relayed = cause === 'lambda_function_error' ? texts : [];
  const relayedTimeout = firstIn((t) => /\bTask timed out after (\d+(?:\.\d+)?) seconds/.exec(t)?.[1], relayed);
  const initError =
    firstIn((t) => INIT_ERROR_TYPE.exec(t)?.[0], relayed) ?? firstIn((t) => INIT_ERROR_MESSAGE.exec(t)?.[0], relayed);
  // "API Gateway does not have permission to assume the provided role arn:aws:iam::123456789012:role/<name>".
  const roleName = firstIn((t) => ASSUMED_ROLE.exec(t)?.[1]);
  const remedy = remedyFor(cause, {
    ...(api.type !== undefined ? { apiType: api.type } : {}),
    ...(api.apiId !== undefined ? { apiId: api.apiId } : {}),
    ...(api.stage !== undefined ? { stage: api.stage } : {}),
    ...(api.region !== undefined ? { region: api.region } : {}),
    ...(api.accountId !== undefined ? { accountId: api.accountId } : {}),
    // Only a real HTTP method goes into a command: access logs are text a client can shape.
    ...(top?.method !== undefined && HTTP_METHOD.test(top.method) ? { method: top.method } : {}),
    ...(top?.resourcePath !== undefined
      ? { resourcePath: top.resourcePath }
      : top?.routeKey !== undefined
        ? { resourcePath: top.routeKey.split(' ')[1] ?? '' }
        : {}),
    ...(!authorizerTarget && fnFinding?.functionName !== undefined ? { functionName: fnFinding.functionName } : {}),
    ...(!authorizerTarget && fnFinding?.functionArn !== undefined ? { functionArn: fnFinding.functionArn } : {}),
    ...(!authorizerTarget && fnFinding?.qualifier !== undefined ? { qualifier: fnFinding.qualifier } : {}),
    ...(authorizerTarget && top?.authorizerFunctionName !== undefined
      ? { authorizerFunctionName: top.authorizerFunctionName }
      : {}),
    ...(authorizerTarget && top?.authorizerFunctionArn !== undefined
      ? { authorizerFunctionArn: top.authorizerFunctionArn }
      : {}),
    ...(cause === 'authorizer_error' && top?.authorizerFunctionName !== undefined
      ? { authorizerFunctionName: top.authorizerFunctionName }
      : {}),
    hints: new Set(hints),
    // The route as defined and the call that failed: the permission a fix adds is scoped to them.
    ...(top?.routeKey !== undefined ? { routeKey: top.routeKey } : {}),
    ...(targets[0] !== undefined ? { target: targets[0].key } : {}),
    ...(methodResponseStatus !== undefined ? { methodResponseStatus } : {}),
    ...(endpointStatus !== undefined ? { endpointStatus } : {}),
    ...(seen.min !== undefined ? { firstSeen: seen.min } : {}),
    ...(minMax(findings.map((f) => f.integrationLatencyMs)).max !== undefined
      ? { maxIntegrationLatencyMs: minMax(findings.map((f) => f.integrationLatencyMs)).max }
      : {}),
    ...(findings[0] !== undefined ? { sampleRequestId: findings[0].requestId } : {}),
    ...(backendSummary !== undefined ? { backendSummary } : {}),
    ...(timeouts.length > 0
      ? { timeoutSeconds: Math.max(...(timeouts as number[])) }
      : relayedTimeout !== undefined
        ? { timeoutSeconds: Number(relayedTimeout) }
        : {}),
    ...(initError !== undefined ? { initError } : {}),
    ...(roleName !== undefined ? { roleName } : {}),
  });
  return {
    cause,
    title: CAUSES[cause].title,
    beside: besideOf(findings),
    count: findings.length,
    share: total === 0 ? 0 : findings.length / total,
    statusOnly: findings.filter((f) => f.basis === 'status').length,
    statuses: countBy(findings.map((f) => f.status ?? null)),
    routes,
    ...(seen.min !== undefined ? { firstSeen: seen.min } : {}),
    ...(seen.max !== undefined ? { lastSeen: seen.max } : {}),
    sampleRequestIds: findings.slice(0, maxSamples).map((f) => f.requestId),
    evidence,
    functions: [...new Set(findings.flatMap((f) => (f.functionName !== undefined ? [f.functionName] : [])))].slice(
      0,
      5,
    ),
    authorizerFunctions: [
      ...new Set(findings.flatMap((f) => (f.authorizerFunctionName !== undefined ? [f.authorizerFunctionName] : []))),
    ].slice(0, 5),
    ...(targets[0] !== undefined ? { target: targets[0].key } : {}),
    hints,
    rules: [...new Set(findings.map((f) => f.ruleId))],
    backend: backend.slice(0, 5),
    remedy,
  };
}

function besideOf(findings: readonly Finding[]): BesideSummary[] {
  const by = new Map<string, { first: NonNullable<Finding['beside']>; count: number }>();
  for (const f of findings) {
    if (f.beside === undefined) continue;
    const key = `${f.beside.kind}:${f.beside.cause}`;
    const entry = by.get(key);
    if (entry === undefined) by.set(key, { first: f.beside, count: 1 });
    else entry.count++;
  }
  return [...by.values()]
    .sort((a, b) => b.count - a.count)
    .map(({ first, count }) => ({
      cause: first.cause,
      title: CAUSES[first.cause].title,
      kind: first.kind,
      count,
      evidence: first.evidence.slice(0, 2).map((l) => l.text),
      ...(first.note !== undefined ? { note: first.note } : {}),
    }));
}

/** Summarises findings into a Diagnosis: per cause, per status, per route, with evidence and remedies. */
export function summarize(findings: readonly Finding[], set: TraceSet, options: SummarizeOptions = {}): Diagnosis {
  const api = apiOf(set.api, options.api);
  const maxSamples = options.maxSamples ?? 5;
  const byCause = new Map<CauseId, Finding[]>();
  for (const f of findings) {
    const list = byCause.get(f.cause) ?? [];
    list.push(f);
    byCause.set(f.cause, list);
  }
  const total = findings.length;
  // A sample is never shown as the total: the total is what was counted, the sample what was classified.
  const failedTotal = Math.max(total, options.sampling?.totalFailed ?? 0);
  const causes = [...byCause.entries()]
    .map(([cause, list]) => summarizeCause(cause, list, total, api, maxSamples))
    // Most frequent first; among equals, a named cause before `unknown`, then taxonomy order.
    .sort((a, b) => b.count - a.count || Number(a.cause === 'unknown') - Number(b.cause === 'unknown'));

  const routeCauses = new Map<string, Finding[]>();
  for (const f of findings) {
    const r = routeOfFinding(f);
    const list = routeCauses.get(r) ?? [];
    list.push(f);
    routeCauses.set(r, list);
  }
  const byRoute = [...routeCauses.entries()]
    .map(([key, list]) => ({
      key,
      count: list.length,
      topCause: countBy(list.map((f) => f.cause))[0]?.key ?? 'unknown',
    }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, MAX_ROUTES);

  const unknownTemplates = countBy(findings.filter((f) => f.cause === 'unknown').flatMap((f) => f.templates ?? []))
    .slice(0, 5)
    .map(({ key, count }) => ({ template: key, count }));

  // Every failed request's time range, the ones outside a sample included.
  const seen = minMax([
    ...findings.flatMap((f) => [f.firstSeen, f.lastSeen]),
    set.failed.firstSeen,
    set.failed.lastSeen,
  ]);
  const limits: string[] = [];
  if (failedTotal === 0) limits.push('No failed request was found in the logs that were read.');
  else if (total === 0)
    limits.push(
      `${failedTotal} failed request(s) were counted, but none of their lines could be read to classify them.`,
    );
  const http = api.type === 'HTTP';
  if (api.apiId === undefined)
    limits.push(
      http
        ? 'The API id did not appear in the access log (add $context.apiId or $context.domainName to its format): commands show <api-id>.'
        : 'The API id did not appear in the logs: commands show <rest-api-id>.',
    );
  if (api.region === undefined) limits.push('The region did not appear in the logs: commands show <region>.');
  const needsFunction: ReadonlySet<CauseId> = new Set<CauseId>([
    'lambda_permission',
    'stage_variable_permission',
    'integration_http_method',
    'malformed_lambda_response',
    'lambda_function_error',
    'throttling',
  ]);
  const noFunction = causes.filter(
    (c) => needsFunction.has(c.cause) && c.functions.length === 0 && c.authorizerFunctions.length === 0,
  );
  if (noFunction.length > 0) {
    limits.push(
      http
        ? `HTTP API access logs do not name the Lambda function behind ${noFunction.map((c) => c.cause).join(', ')}: commands show <function-name>.`
        : `The Lambda function behind ${noFunction.map((c) => c.cause).join(', ')} did not appear in the logs (its "Endpoint request URI" line is written at INFO level): commands show <function-name>.`,
    );
  }
  const noRoute = findings.filter((f) => routeOfFinding(f) === 'unknown route').length;
  if (noRoute > 0) {
    limits.push(
      http
        ? `${noRoute} failed request(s) logged no route (add $context.routeKey to the access log format): their route is unknown.`
        : `${noRoute} failed request(s) logged no method or resource (ERROR-level logging or no access log): their route is unknown.`,
    );
  }
  const statusOnly = findings.filter((f) => f.basis === 'status' && f.cause !== 'unknown').length;
  if (statusOnly > 0) {
    limits.push(
      http
        ? `${statusOnly} request(s) were classified from the status code alone; an access log format with $context.integrationErrorMessage and $context.error.message would show the reason.`
        : `${statusOnly} request(s) were classified from the status code alone; execution logging at INFO or an access log with $context.integration.error and $context.error.message would show the reason.`,
    );
  }
  const noStatus = findings.filter((f) => f.status === undefined).length;
  if (noStatus > 0)
    limits.push(
      `${noStatus} failed request(s) have no logged final status (${http ? 'no access log line for them' : 'the log ended before "Method completed"'}).`,
    );
  if (set.incompleteTotal > 0) {
    limits.push(
      `${set.incompleteTotal} request(s) had lines but no outcome and no error line (cut by the window or by ERROR-level logging); they are not counted.`,
    );
  }

  return {
    api,
    ...(options.window !== undefined ? { window: options.window } : {}),
    failedRequests: failedTotal,
    classifiedRequests: total,
    succeededRequests: set.succeeded,
    linesRead: set.linesRead,
    ...(seen.min !== undefined ? { firstSeen: seen.min } : {}),
    ...(seen.max !== undefined ? { lastSeen: seen.max } : {}),
    causes,
    byStatus: countBy(findings.map((f) => f.status ?? null)),
    byRoute,
    unknownTemplates,
    backendUnjoined: countBy(set.unjoinedBackend.map(backendLine)).slice(0, 5),
    ...(options.sampling !== undefined ? { sampling: options.sampling } : {}),
    unreadable: [...(options.readProblems ?? [])],
    limits,
  };
}
