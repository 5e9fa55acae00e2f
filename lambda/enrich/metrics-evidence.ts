/**
 * Metric evidence, pure: which CloudWatch metrics to read for an alarm (one GetMetricData call: the API stage, its
 * routes when detailed metrics are on, every Lambda function behind it), and what the values say, in the words an
 * on-call engineer reads ("orders-get: Throttles 412 in the window (0 the day before), reserved concurrency 5").
 *
 * One call covers the alarm window and the same window a day before: the query runs from the baseline's start to the
 * window's end with a period that divides a day, so the first data point is the baseline and the last one the window.
 * Metric names and dimensions:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html (REST),
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html (HTTP),
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html (Lambda).
 */
import type { CauseId } from '../taxonomy.js';

export const DAY_MS = 24 * 60 * 60_000;
/** GetMetricData takes at most 500 queries per call. */
export const MAX_METRIC_QUERIES = 500;
/** GetMetricData returns at most 100,800 data points per call (more needs a second page). */
export const MAX_DATA_POINTS = 100_800;
/** The longest window one data point covers (the responder's window is at most an hour). */
const MAX_PERIOD_SEC = 3_600;
/** API Gateway's default (and, for HTTP APIs, maximum) integration timeout. */
export const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;

export type MetricSubject =
  | { readonly kind: 'stage' }
  | { readonly kind: 'route'; readonly method: string; readonly resource: string }
  | { readonly kind: 'function'; readonly name: string };

export type MetricName =
  | '5xx'
  | '4xx'
  | 'Count'
  | 'Latency'
  | 'IntegrationLatency'
  | 'Errors'
  | 'Throttles'
  | 'Invocations'
  | 'Duration'
  | 'DurationP99'
  | 'ConcurrentExecutions';

export interface MetricQuery {
  /** GetMetricData query id: `^[a-z][a-zA-Z0-9_]*$`. */
  readonly id: string;
  readonly subject: MetricSubject;
  /** What the query measures, in the responder's terms (`5xx` is 5XXError for REST APIs). */
  readonly metric: MetricName;
  readonly namespace: 'AWS/ApiGateway' | 'AWS/Lambda';
  /** CloudWatch's metric name (`5XXError`, `5xx`, `Duration`). */
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Sum`, `Maximum`, `p99`. */
  readonly stat: string;
}

export interface MetricPlan {
  readonly queries: readonly MetricQuery[];
  /** Epoch ms: the baseline's start (the window's start a day earlier). */
  readonly startTime: number;
  /** Epoch ms: the window's end (start + period). */
  readonly endTime: number;
  readonly periodSec: number;
  /** Epoch ms of the data point that covers the alarm window. */
  readonly windowStart: number;
  /** Epoch ms of the data point that covers the same window a day before. */
  readonly baselineStart: number;
  /** Subjects left out to stay inside GetMetricData's bounds. */
  readonly skipped: readonly string[];
}

export interface MetricTargets {
  readonly api: {
    readonly type: 'REST' | 'HTTP';
    /** REST metrics are keyed by the API's name (ApiName). */
    readonly name?: string;
    readonly apiId: string;
    readonly stage: string;
  };
  /** Unqualified function names: the API's integrations and authorizers. */
  readonly functions: readonly string[];
  /** Routes with per-method metrics (detailed metrics on): `GET` and `/orders/{id}`. */
  readonly routes?: readonly { readonly method: string; readonly resource: string }[];
  /**
   * Ask for Duration p99 as well as the maximum.
   * @default true
   */
  readonly percentiles?: boolean;
}

const STAGE_METRICS: readonly [MetricName, string, string, string][] = [
  // [ours, REST name, HTTP name, stat]
  ['5xx', '5XXError', '5xx', 'Sum'],
  ['4xx', '4XXError', '4xx', 'Sum'],
  ['Count', 'Count', 'Count', 'Sum'],
  ['Latency', 'Latency', 'Latency', 'Maximum'],
  ['IntegrationLatency', 'IntegrationLatency', 'IntegrationLatency', 'Maximum'],
];

const ROUTE_METRICS: readonly [MetricName, string, string, string][] = [
  ['5xx', '5XXError', '5xx', 'Sum'],
  ['Count', 'Count', 'Count', 'Sum'],
  ['IntegrationLatency', 'IntegrationLatency', 'IntegrationLatency', 'Maximum'],
];

const FUNCTION_METRICS: readonly [MetricName, string, string][] = [
  ['Errors', 'Errors', 'Sum'],
  ['Throttles', 'Throttles', 'Sum'],
  ['Invocations', 'Invocations', 'Sum'],
  ['Duration', 'Duration', 'Maximum'],
  ['DurationP99', 'Duration', 'p99'],
  ['ConcurrentExecutions', 'ConcurrentExecutions', 'Maximum'],
];

/** The smallest period (whole minutes, dividing a day) that covers `lengthMs`, at most an hour. */
export function periodFor(lengthMs: number): number {
  const minutes = Math.max(1, Math.ceil(lengthMs / 60_000));
  for (let m = minutes; m <= MAX_PERIOD_SEC / 60; m++) if (1440 % m === 0) return m * 60;
  return MAX_PERIOD_SEC;
}

/**
 * The queries for the targets over `window` and its baseline a day before, bounded so one GetMetricData call answers
 * them all (at most {@link MAX_METRIC_QUERIES} queries and {@link MAX_DATA_POINTS} data points): the stage first,
 * then the functions, then the routes; what does not fit is listed in `skipped`.
 */
export function planMetrics(targets: MetricTargets, window: { start: number; end: number }): MetricPlan {
  const periodSec = periodFor(window.end - window.start);
  // Aligned to the minute, and the window's point ends at (or after) the window's end.
  const windowStart = Math.floor(window.start / 60_000) * 60_000;
  const baselineStart = windowStart - DAY_MS;
  const pointsPerQuery = DAY_MS / (periodSec * 1000) + 1;
  const maxQueries = Math.min(MAX_METRIC_QUERIES, Math.floor(MAX_DATA_POINTS / pointsPerQuery));
  const { api } = targets;
  const rest = api.type === 'REST';
  const apiDims: Record<string, string> = rest
    ? { ApiName: api.name ?? api.apiId, Stage: api.stage }
    : { ApiId: api.apiId, Stage: api.stage };
  const queries: MetricQuery[] = [];
  const skipped: string[] = [];
  const add = (group: MetricQuery[], label: string) => {
    if (queries.length + group.length > maxQueries) skipped.push(label);
    else queries.push(...group);
  };
  add(
    STAGE_METRICS.map(([metric, restName, httpName, stat]) => ({
      id: `s_${metric.toLowerCase()}`,
      subject: { kind: 'stage' },
      metric,
      namespace: 'AWS/ApiGateway',
      metricName: rest ? restName : httpName,
      dimensions: apiDims,
      stat,
    })),
    `stage ${api.stage}`,
  );
  const percentiles = targets.percentiles ?? true;
  [...new Set(targets.functions)].forEach((name, i) => {
    add(
      FUNCTION_METRICS.filter(([metric]) => percentiles || metric !== 'DurationP99').map(
        ([metric, metricName, stat]) => ({
          id: `f${i}_${metric.toLowerCase()}`,
          subject: { kind: 'function', name },
          metric,
          namespace: 'AWS/Lambda',
          metricName,
          dimensions: { FunctionName: name },
          stat,
        }),
      ),
      `function ${name}`,
    );
  });
  (targets.routes ?? []).forEach((route, i) => {
    add(
      ROUTE_METRICS.map(([metric, restName, httpName, stat]) => ({
        id: `r${i}_${metric.toLowerCase()}`,
        subject: { kind: 'route', method: route.method, resource: route.resource },
        metric,
        namespace: 'AWS/ApiGateway',
        metricName: rest ? restName : httpName,
        dimensions: { ...apiDims, Method: route.method, Resource: route.resource },
        stat,
      })),
      `route ${route.method} ${route.resource}`,
    );
  });
  return {
    queries,
    startTime: baselineStart,
    endTime: windowStart + periodSec * 1000,
    periodSec,
    windowStart,
    baselineStart,
    skipped,
  };
}

/** One query's answer: data points (epoch ms, value), in any order. */
export interface MetricSeries {
  readonly id: string;
  readonly points: readonly { readonly at: number; readonly value: number }[];
}

/** The window's and the baseline's value of one query; absent = no data point (no traffic, or not published). */
export interface MetricValue {
  readonly window?: number;
  readonly baseline?: number;
}

/** What the metrics reader brings back; `problem` says what could not be read and how to fix it. */
export interface MetricReading {
  readonly series: readonly MetricSeries[];
  readonly problem?: string;
}

/** The window's and the baseline's values, by query id. */
export function valuesOf(plan: MetricPlan, reading: MetricReading): Map<string, MetricValue> {
  const out = new Map<string, MetricValue>();
  const tolerance = 1_000;
  for (const series of reading.series) {
    let window: number | undefined;
    let baseline: number | undefined;
    for (const p of series.points) {
      if (!Number.isFinite(p.value)) continue;
      if (Math.abs(p.at - plan.windowStart) < tolerance) window = p.value;
      else if (Math.abs(p.at - plan.baselineStart) < tolerance) baseline = p.value;
    }
    out.set(series.id, {
      ...(window !== undefined ? { window } : {}),
      ...(baseline !== undefined ? { baseline } : {}),
    });
  }
  return out;
}

/** What the configuration says about a function the metrics are compared with. */
export interface FunctionLimits {
  readonly name: string;
  readonly timeoutSec?: number;
  /** Reserved concurrency; `null` = none reserved (the account's unreserved pool); absent = not read. */
  readonly reservedConcurrency?: number | null;
}

/** A cause the metrics point at, with the line that says why. */
export interface MetricSignal {
  readonly cause: CauseId;
  /** The function it concerns, when it concerns one. */
  readonly functionName?: string;
  /** How many failed requests or invocations it accounts for, to rank signals. */
  readonly weight: number;
  /** Whether the configuration took part (timeout, reserved concurrency). */
  readonly withConfiguration: boolean;
  readonly line: string;
}

export interface FunctionMetrics {
  readonly name: string;
  readonly values: Readonly<Partial<Record<MetricName, MetricValue>>>;
}

export interface MetricAssessment {
  /** The stage's values. */
  readonly stage: Readonly<Partial<Record<MetricName, MetricValue>>>;
  readonly functions: readonly FunctionMetrics[];
  /** Lines about the stage and functions, whether or not they point at a cause. */
  readonly lines: readonly string[];
  /** Causes the metrics point at, strongest first. */
  readonly signals: readonly MetricSignal[];
  /** Whether any data point came back at all (none: metrics not published, or the reader failed). */
  readonly hasData: boolean;
}

/** 29000 → "29,000". */
export function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function ms(n: number): string {
  return `${thousands(n)} ms`;
}

function seconds(sec: number): string {
  return `${Number.isInteger(sec) ? sec : sec.toFixed(1)} s`;
}

/** "412 in the window (0 the day before)". */
function countLine(value: MetricValue): string {
  return `${thousands(value.window ?? 0)} in the window (${thousands(value.baseline ?? 0)} the day before)`;
}

function reservedText(limits: FunctionLimits | undefined): string | undefined {
  if (limits?.reservedConcurrency === undefined) return undefined;
  return limits.reservedConcurrency === null
    ? 'no reserved concurrency (it shares the account pool)'
    : `reserved concurrency ${limits.reservedConcurrency}`;
}

/** Duration at or within 2% of the timeout counts as hitting it (Duration is measured in ms, rounded). */
function hitsTimeout(durationMs: number, timeoutSec: number): boolean {
  return durationMs >= timeoutSec * 1000 * 0.98;
}

/**
 * What the metrics say: the stage's 5xx against the day before, latency against the 29 s integration timeout, and
 * each function's throttles, errors and duration against its configuration.
 */
export function assessMetrics(
  plan: MetricPlan,
  reading: MetricReading,
  options: {
    readonly limits?: readonly FunctionLimits[];
    /** The integration timeout the API uses, when the configuration said (HTTP API timeoutInMillis). */
    readonly integrationTimeoutMs?: number;
  } = {},
): MetricAssessment {
  const values = valuesOf(plan, reading);
  const stage: Partial<Record<MetricName, MetricValue>> = {};
  const byFunction = new Map<string, Partial<Record<MetricName, MetricValue>>>();
  let hasData = false;
  for (const q of plan.queries) {
    const v = values.get(q.id);
    if (v === undefined) continue;
    if (v.window !== undefined || v.baseline !== undefined) hasData = true;
    if (q.subject.kind === 'stage') stage[q.metric] = v;
    else if (q.subject.kind === 'function') {
      const entry = byFunction.get(q.subject.name) ?? {};
      entry[q.metric] = v;
      byFunction.set(q.subject.name, entry);
    }
  }
  const limits = new Map((options.limits ?? []).map((l) => [l.name, l]));
  const lines: string[] = [];
  const signals: MetricSignal[] = [];
  const fiveXX = stage['5xx'];
  const count = stage.Count;
  if (fiveXX?.window !== undefined) {
    lines.push(
      `Stage: 5xx ${countLine(fiveXX)}${count?.window !== undefined ? ` of ${thousands(count.window)} requests` : ''}`,
    );
  }
  const timeoutMs = options.integrationTimeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS;
  const integration = stage.IntegrationLatency?.window;
  if (integration !== undefined) {
    if (integration >= timeoutMs * 0.98) {
      const line = `IntegrationLatency max ${ms(integration)}: requests hit the ${seconds(timeoutMs / 1000)} integration timeout`;
      lines.push(line);
      signals.push({ cause: 'integration_timeout', weight: fiveXX?.window ?? 1, withConfiguration: false, line });
    } else {
      lines.push(`IntegrationLatency max ${ms(integration)} (the integration timeout is ${seconds(timeoutMs / 1000)})`);
    }
  }
  const functions: FunctionMetrics[] = [];
  for (const [name, v] of byFunction) {
    functions.push({ name, values: v });
    const limit = limits.get(name);
    const reserved = reservedText(limit);
    const throttles = v.Throttles;
    if (throttles?.window !== undefined && throttles.window > 0) {
      const parts = [`${name}: Throttles ${countLine(throttles)}`];
      if (reserved !== undefined) parts.push(reserved);
      const concurrent = v.ConcurrentExecutions?.window;
      const reservedN = limit?.reservedConcurrency;
      if (concurrent !== undefined && typeof reservedN === 'number') {
        parts.push(
          concurrent >= reservedN
            ? `ConcurrentExecutions max ${thousands(concurrent)} reached it`
            : `ConcurrentExecutions max ${thousands(concurrent)}`,
        );
      } else if (concurrent !== undefined) parts.push(`ConcurrentExecutions max ${thousands(concurrent)}`);
      const line = parts.join(', ');
      lines.push(line);
      signals.push({
        cause: 'throttling',
        functionName: name,
        weight: throttles.window,
        withConfiguration: reserved !== undefined,
        line,
      });
    }
    const duration = v.Duration?.window;
    const timeoutSec = limit?.timeoutSec;
    const p99 = v.DurationP99?.window;
    if (duration !== undefined && timeoutSec !== undefined && hitsTimeout(duration, timeoutSec)) {
      const line = `Duration max ${ms(duration)} = ${name}'s ${seconds(timeoutSec)} timeout${p99 !== undefined ? ` (p99 ${ms(p99)})` : ''}: invocations time out`;
      lines.push(line);
      // A function that times out inside the integration timeout is a function error (502); one that outlives
      // API Gateway's timeout shows up as an integration timeout (504).
      const cause: CauseId = timeoutSec * 1000 >= timeoutMs ? 'integration_timeout' : 'lambda_function_error';
      signals.push({
        cause,
        functionName: name,
        weight: v.Errors?.window ?? 1,
        withConfiguration: true,
        line,
      });
    } else if (duration !== undefined) {
      lines.push(
        `${name}: Duration max ${ms(duration)}${p99 !== undefined ? `, p99 ${ms(p99)}` : ''}${timeoutSec !== undefined ? ` (timeout ${seconds(timeoutSec)})` : ''}`,
      );
    }
    const errors = v.Errors;
    const timedOut = signals.some((s) => s.functionName === name && s.cause !== 'throttling');
    if (errors?.window !== undefined && errors.window > 0 && !timedOut) {
      const invocations = v.Invocations?.window;
      const line = `${name}: Errors ${countLine(errors)}${invocations !== undefined ? ` of ${thousands(invocations)} invocations` : ''}`;
      lines.push(line);
      signals.push({
        cause: 'lambda_function_error',
        functionName: name,
        weight: errors.window,
        withConfiguration: false,
        line,
      });
    }
    const invocations = v.Invocations;
    if ((fiveXX?.window ?? 0) > 0 && (invocations?.window ?? 0) === 0) {
      lines.push(
        `${name}: Invocations ${countLine(invocations ?? {})} while the stage answered ${thousands(fiveXX?.window ?? 0)} 5xx: requests did not reach it`,
      );
    }
  }
  signals.sort((a, b) => b.weight - a.weight);
  return { stage, functions, lines, signals, hasData };
}

/** True when the stage failed requests while the function was never invoked: a permission or wiring problem. */
export function notReached(assessment: MetricAssessment, name: string): boolean {
  const fiveXX = assessment.stage['5xx']?.window ?? 0;
  const fn = assessment.functions.find((f) => f.name === name);
  return fiveXX > 0 && fn !== undefined && (fn.values.Invocations?.window ?? 0) === 0;
}
