/**
 * One verdict from four sources: joins what the logs found with what the metrics, the live configuration and
 * CloudTrail show. Pure; never throws for missing or odd facts.
 *
 * - Every log cause gets the sources that back it, and a disagreement line when another source contradicts it.
 * - Causes the logs did not show (logging off, ERROR level, no access log) are inferred from metrics and
 *   configuration: a throttled function, a function whose Duration reaches its timeout, Errors up, an integration
 *   latency at the integration timeout, a function API Gateway may not invoke (resource policy) and that metrics
 *   show was not invoked.
 * - The change CloudTrail recorded that best explains the top cause (right kind of change, on its resource, before
 *   the first failure) leads the message; not simply the newest.
 */
import { formatTime } from '../render/text.js';
import { type RemedyStep, remedyFor } from '../summarize/remedy.js';
import type { CauseId } from '../taxonomy.js';
import { loggingFinding } from './logging-settings.js';
import {
  assessMetrics,
  type FunctionLimits,
  type MetricAssessment,
  type MetricPlan,
  type MetricReading,
  notReached,
  thousands,
} from './metrics-evidence.js';
import { evaluatePolicy, parsePolicy } from './resource-policy.js';
import type {
  ApiDiscovery,
  DiscoveredFunction,
  EvidenceSource,
  Signals,
  SourcedVerdict,
  TrailEvent,
  TrailReading,
} from './signal-types.js';
import { evidenceLine } from './verdicts.js';

/** The parts of a log cause the judge uses (a CauseSummary is one). */
export interface LogCauseRef {
  readonly cause: CauseId;
  readonly count: number;
  readonly firstSeen?: number;
  readonly functions: readonly string[];
  readonly authorizerFunctions: readonly string[];
  readonly statuses: readonly { readonly key: number | null; readonly count: number }[];
}

export interface SignalsInput {
  readonly api: {
    readonly type: 'REST' | 'HTTP';
    readonly apiId: string;
    readonly stage: string;
    readonly region?: string;
    readonly accountId?: string;
  };
  /** The log diagnosis's causes, most frequent first. */
  readonly causes: readonly LogCauseRef[];
  /** Epoch ms of the first failure the logs showed. */
  readonly firstSeen?: number;
  /** The window read (epoch ms). */
  readonly window: { readonly start: number; readonly end: number };
  readonly discovery?: ApiDiscovery;
  readonly metrics?: { readonly plan: MetricPlan; readonly reading: MetricReading };
  readonly trail?: TrailReading;
  /** The window's execution log had lines (the stage logs, whatever its settings read now). */
  readonly executionLogSeen?: boolean;
  /** Problems met before any read (a client that failed to load). */
  readonly problems?: readonly string[];
}

/** A cause another source points at, before it is joined with the logs. */
interface Candidate {
  readonly cause: CauseId;
  readonly functionName?: string;
  weight: number;
  readonly sources: Set<EvidenceSource>;
  readonly evidence: string[];
}

const EVENTS_BY_CAUSE: Readonly<Partial<Record<CauseId, readonly string[]>>> = {
  lambda_permission: [
    'RemovePermission',
    'AddPermission',
    'UpdateAlias',
    'CreateAlias',
    'UpdateIntegration',
    'PutIntegration',
    'CreateDeployment',
    'UpdateRoute',
  ],
  stage_variable_permission: ['RemovePermission', 'AddPermission', 'UpdateStage', 'CreateDeployment'],
  throttling: [
    'PutFunctionConcurrency',
    'DeleteFunctionConcurrency',
    'PutProvisionedConcurrencyConfig',
    'DeleteProvisionedConcurrencyConfig',
    'UpdateStage',
    'UpdateUsagePlan',
  ],
  lambda_function_error: [
    'UpdateFunctionCode',
    'UpdateFunctionConfiguration',
    'UpdateAlias',
    'PublishVersion',
    'PutRuntimeManagementConfig',
  ],
  integration_timeout: [
    'UpdateFunctionConfiguration',
    'UpdateFunctionCode',
    'UpdateAlias',
    'PutIntegration',
    'UpdateIntegration',
    'CreateDeployment',
  ],
  malformed_lambda_response: ['UpdateFunctionCode', 'UpdateAlias', 'PublishVersion'],
  integration_http_method: ['PutIntegration', 'UpdateIntegration', 'CreateDeployment'],
  status_code_mapping: [
    'PutIntegrationResponse',
    'UpdateIntegrationResponse',
    'DeleteIntegrationResponse',
    'PutMethodResponse',
    'CreateDeployment',
  ],
  private_integration: ['UpdateVpcLink', 'DeleteVpcLink', 'UpdateIntegration', 'PutIntegration', 'CreateDeployment'],
  authorizer_error: [
    'UpdateAuthorizer',
    'CreateAuthorizer',
    'UpdateFunctionCode',
    'UpdateFunctionConfiguration',
    'RemovePermission',
    'CreateDeployment',
  ],
  bad_gateway: ['UpdateIntegration', 'PutIntegration', 'UpdateFunctionCode', 'CreateDeployment'],
};

/** How far before the first failure a change may be and still lead. */
export const TRAIL_LOOKBACK_MS = 6 * 60 * 60_000;

function minutes(ms: number): string {
  if (ms < 60_000) return 'less than a minute';
  const n = Math.round(ms / 60_000);
  return n < 120 ? (n === 1 ? '1 minute' : `${n} minutes`) : `${(n / 60).toFixed(1)} hours`;
}

/** "RemovePermission on orders-get (statementId apigw-get) by arn:aws:sts::…:assumed-role/deployer/ci at 03:02Z". */
export function describeChange(e: TrailEvent): string {
  return `${e.eventName} on ${e.resource}${e.detail !== undefined ? ` (${e.detail})` : ''} by ${e.principal ?? 'an unknown principal'} at ${formatTime(e.at)}`;
}

function limitsOf(discovery: ApiDiscovery | undefined): FunctionLimits[] {
  return (discovery?.functions ?? [])
    .filter((f) => f.state === 'found')
    .map((f) => ({
      name: f.name,
      ...(f.timeoutSec !== undefined ? { timeoutSec: f.timeoutSec } : {}),
      ...(f.reservedConcurrency !== undefined ? { reservedConcurrency: f.reservedConcurrency } : {}),
    }));
}

/** Whether API Gateway may invoke the function for its route, per its resource policy: a line when it may not. */
function permissionGap(fn: DiscoveredFunction, accountId: string | undefined): string | undefined {
  if (fn.authorizer || fn.state !== 'found' || fn.policyState === undefined || fn.policyState === 'failed')
    return undefined;
  const via = fn.via[0] ?? 'its route';
  if (fn.policyState === 'missing' || fn.policy === undefined)
    return `${fn.name} has no resource policy: nothing lets apigateway.amazonaws.com invoke it for ${via}`;
  const statements = parsePolicy(fn.policy);
  if (statements === undefined || fn.sourceArn === undefined) return undefined;
  const outcome = evaluatePolicy(statements, {
    sourceArn: fn.sourceArn,
    ...(accountId !== undefined ? { sourceAccount: accountId } : {}),
  });
  if (outcome.kind !== 'not_allowed') return undefined;
  return `${fn.name}: no statement of its resource policy lets apigateway.amazonaws.com invoke it from ${fn.sourceArn}`;
}

function candidatesOf(input: SignalsInput, assessment: MetricAssessment | undefined): Candidate[] {
  const byKey = new Map<string, Candidate>();
  const add = (cause: CauseId, fn: string | undefined, source: EvidenceSource[], line: string, weight: number) => {
    const key = `${cause}|${fn ?? ''}`;
    const c = byKey.get(key) ?? {
      cause,
      ...(fn !== undefined ? { functionName: fn } : {}),
      weight: 0,
      sources: new Set(),
      evidence: [],
    };
    for (const s of source) c.sources.add(s);
    if (!c.evidence.includes(line)) c.evidence.push(line);
    c.weight = Math.max(c.weight, weight);
    byKey.set(key, c);
  };
  for (const s of assessment?.signals ?? []) {
    add(s.cause, s.functionName, s.withConfiguration ? ['metrics', 'configuration'] : ['metrics'], s.line, s.weight);
  }
  const fiveXX = assessment?.stage['5xx']?.window ?? 0;
  for (const fn of input.discovery?.functions ?? []) {
    const gap = permissionGap(fn, input.api.accountId);
    if (gap === undefined) continue;
    const reached = assessment !== undefined && !notReached(assessment, fn.name);
    const unreached = assessment !== undefined && notReached(assessment, fn.name);
    // A function that metrics show invoked normally is not refused: the policy gap is for another source ARN.
    if (reached && assessment?.functions.some((f) => f.name === fn.name && (f.values.Invocations?.window ?? 0) > 0)) {
      add(
        'lambda_permission',
        fn.name,
        ['configuration'],
        `${gap} (yet metrics show it invoked: check the source ARN)`,
        0.5,
      );
      continue;
    }
    add('lambda_permission', fn.name, ['configuration'], gap, Math.max(1, fiveXX));
    if (unreached) {
      add(
        'lambda_permission',
        fn.name,
        ['metrics'],
        `${fn.name}: Invocations 0 in the window while the stage answered ${thousands(fiveXX)} 5xx: API Gateway's calls did not reach it`,
        fiveXX,
      );
    }
  }
  return [...byKey.values()].sort((a, b) => b.weight - a.weight);
}

function sourcesText(sources: readonly EvidenceSource[]): string {
  return sources.join(', ');
}

/** A fix for an inferred cause: the taxonomy's remedy with what discovery found (route, function, timeout). */
function remedyOf(c: Candidate, input: SignalsInput): RemedyStep[] {
  const fn = input.discovery?.functions.find((f) => f.name === c.functionName);
  return remedyFor(c.cause, {
    apiType: input.api.type,
    apiId: input.api.apiId,
    stage: input.api.stage,
    ...(input.api.region !== undefined ? { region: input.api.region } : {}),
    ...(input.api.accountId !== undefined ? { accountId: input.api.accountId } : {}),
    ...(fn?.route !== undefined && /^[A-Z]+$/.test(fn.route.method)
      ? { method: fn.route.method, resourcePath: fn.route.resource }
      : {}),
    ...(c.functionName !== undefined ? { functionName: c.functionName } : {}),
    ...(fn?.arn !== undefined ? { functionArn: fn.arn } : {}),
    ...(fn?.qualifier !== undefined ? { qualifier: fn.qualifier } : {}),
    ...(fn?.timeoutSec !== undefined ? { timeoutSeconds: fn.timeoutSec } : {}),
    ...(input.firstSeen !== undefined ? { firstSeen: input.firstSeen } : { firstSeen: input.window.start }),
    hints: new Set(),
  });
}

function routeOf(c: Candidate, input: SignalsInput): string | undefined {
  return input.discovery?.functions.find((f) => f.name === c.functionName)?.via[0];
}

/** The change that best explains `cause` on `fn`: the right kind, on its resource, before the first failure. */
export function bestChange(
  events: readonly TrailEvent[],
  cause: CauseId,
  resources: readonly string[],
  firstFailure: number,
): { event: TrailEvent; before: number } | undefined {
  const relevant = EVENTS_BY_CAUSE[cause] ?? [];
  let best: { event: TrailEvent; before: number; score: number } | undefined;
  for (const e of events) {
    const before = firstFailure - e.at;
    if (before < 0 || before > TRAIL_LOOKBACK_MS) continue;
    const kind = relevant.indexOf(e.eventName);
    if (kind < 0) continue;
    const onResource = resources.includes(e.resource);
    // The right resource first, then the more telling kind of change, then the closest in time.
    const score = (onResource ? 1_000 : 0) + (relevant.length - kind) * 10 - before / TRAIL_LOOKBACK_MS;
    if (best === undefined || score > best.score) best = { event: e, before, score };
  }
  return best !== undefined ? { event: best.event, before: best.before } : undefined;
}

/** Judges the sources together. */
export function judgeSignals(input: SignalsInput): Signals {
  const problems: string[] = [...(input.problems ?? []), ...(input.discovery?.problems ?? [])];
  const assessment =
    input.metrics !== undefined
      ? assessMetrics(input.metrics.plan, input.metrics.reading, {
          limits: limitsOf(input.discovery),
          ...(input.discovery?.integrationTimeoutMs !== undefined
            ? { integrationTimeoutMs: input.discovery.integrationTimeoutMs }
            : {}),
        })
      : undefined;
  if (input.metrics?.reading.problem !== undefined) problems.push(input.metrics.reading.problem);
  if (input.metrics !== undefined && input.metrics.plan.skipped.length > 0)
    problems.push(`Metrics not read, to fit one GetMetricData call: ${input.metrics.plan.skipped.join(', ')}.`);
  if (assessment !== undefined && !assessment.hasData && input.metrics?.reading.problem === undefined)
    problems.push(
      'CloudWatch returned no data points for the stage or its functions in the window or the day before: check the metric dimensions (REST metrics are keyed by the API name).',
    );
  problems.push(...(input.trail?.problems ?? []));

  const candidates = candidatesOf(input, assessment);
  const logCauses = new Set(input.causes.map((c) => c.cause));
  const trailEvents = input.trail?.events ?? [];
  const firstFailure = input.firstSeen ?? input.window.end;
  const changeFor = (cause: CauseId, resources: readonly string[]): string | undefined => {
    const best = bestChange(trailEvents, cause, [...resources, input.api.apiId], firstFailure);
    if (best === undefined) return undefined;
    const when = input.firstSeen !== undefined ? 'before the first failure' : 'before the alarm window ended';
    return `${describeChange(best.event)}, ${minutes(best.before)} ${when}`;
  };

  const verdicts: SourcedVerdict[] = input.causes.map((c) => {
    const fns = [...c.functions, ...c.authorizerFunctions];
    const matching = candidates.filter(
      (k) => k.cause === c.cause && (k.functionName === undefined || fns.length === 0 || fns.includes(k.functionName)),
    );
    const sources = new Set<EvidenceSource>(['logs']);
    const evidence: string[] = [];
    for (const k of matching) {
      for (const s of k.sources) sources.add(s);
      evidence.push(...k.evidence);
    }
    let disagreement: string | undefined;
    const fnMetrics = assessment?.functions.filter((f) => fns.length === 0 || fns.includes(f.name)) ?? [];
    if (
      c.cause === 'throttling' &&
      fnMetrics.length > 0 &&
      fnMetrics.every((f) => (f.values.Throttles?.window ?? 0) === 0)
    ) {
      disagreement = `The logs show throttling but Lambda metrics show no Throttles for ${fnMetrics.map((f) => f.name).join(', ')}: the limit hit is API Gateway's (stage, usage plan or account rate) or another backend's, not the function's concurrency.`;
    } else if (
      c.cause === 'lambda_function_error' &&
      fnMetrics.length > 0 &&
      fnMetrics.every((f) => (f.values.Errors?.window ?? 0) === 0 && f.values.Errors !== undefined)
    ) {
      disagreement = `The logs show function errors but Lambda metrics count no Errors for ${fnMetrics.map((f) => f.name).join(', ')} in the window: the logged function may be another version or Region, or the metrics lag.`;
    }
    const others = candidates.filter((k) => !logCauses.has(k.cause) && k.weight >= Math.max(1, c.count));
    if (disagreement === undefined && others[0] !== undefined && c === input.causes[0]) {
      const o = others[0];
      disagreement = `The logs point at ${c.cause} but ${sourcesText([...o.sources])} point at ${o.cause}${o.functionName !== undefined ? ` on ${o.functionName}` : ''} (${o.evidence[0] ?? ''}): both may be at work; see below.`;
    }
    const change = changeFor(c.cause, fns);
    if (change !== undefined) sources.add('cloudtrail');
    // The logs did not name the function (ERROR level): metrics and configuration did; the fix names it.
    const named = fns.length === 0 ? matching.find((k) => k.functionName !== undefined) : undefined;
    const route = named !== undefined ? routeOf(named, input) : undefined;
    return {
      cause: c.cause,
      sources: orderSources(sources),
      evidence: [...new Set(evidence)].map(evidenceLine).slice(0, 6),
      ...(disagreement !== undefined ? { disagreement: evidenceLine(disagreement) } : {}),
      ...(fns[0] !== undefined
        ? { functionName: fns[0] }
        : named?.functionName !== undefined
          ? { functionName: named.functionName }
          : {}),
      ...(route !== undefined ? { route } : {}),
      ...(named !== undefined ? { remedy: remedyOf({ ...named, cause: c.cause }, input) } : {}),
      ...(change !== undefined ? { change: evidenceLine(change) } : {}),
    };
  });

  const inferred: SourcedVerdict[] = candidates
    .filter((k) => !logCauses.has(k.cause) && k.weight >= 1)
    .slice(0, 3)
    .map((k) => {
      const change = changeFor(k.cause, k.functionName !== undefined ? [k.functionName] : []);
      return {
        cause: k.cause,
        sources: orderSources(change !== undefined ? [...k.sources, 'cloudtrail'] : k.sources),
        evidence: k.evidence.map(evidenceLine).slice(0, 6),
        ...(k.functionName !== undefined ? { functionName: k.functionName } : {}),
        ...(routeOf(k, input) !== undefined ? { route: routeOf(k, input) } : {}),
        remedy: remedyOf(k, input),
        ...(input.causes.length > 0
          ? {
              disagreement: evidenceLine(`The logs read did not show ${k.cause}; ${sourcesText([...k.sources])} do.`),
            }
          : {}),
        ...(change !== undefined ? { change: evidenceLine(change) } : {}),
      };
    });

  const logging =
    input.discovery?.logging !== undefined
      ? loggingFinding(input.discovery.logging, {
          type: input.api.type,
          ...(input.executionLogSeen === true ? { executionLogSeen: true } : {}),
          apiId: input.api.apiId,
          stage: input.api.stage,
          ...(input.api.region !== undefined ? { region: input.api.region } : {}),
          ...(input.api.accountId !== undefined ? { accountId: input.api.accountId } : {}),
        })
      : undefined;

  const top = verdicts[0] ?? inferred[0];
  const lead = top?.change;
  const changes = trailEvents
    .filter((e) => e.at <= input.window.end)
    .slice(0, 8)
    .map((e) => evidenceLine(describeChange(e)));
  return {
    verdicts,
    inferred,
    ...(logging !== undefined ? { logging } : {}),
    metrics: (assessment?.lines ?? []).map(evidenceLine).slice(0, 12),
    changes,
    ...(lead !== undefined ? { lead } : {}),
    problems: [...new Set(problems)],
  };
}

const ORDER: readonly EvidenceSource[] = ['logs', 'metrics', 'configuration', 'cloudtrail'];

function orderSources(sources: Iterable<EvidenceSource>): EvidenceSource[] {
  const set = new Set(sources);
  return ORDER.filter((s) => set.has(s));
}
