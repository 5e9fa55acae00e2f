/**
 * What to read of the configuration for a diagnosis: the routes and functions its causes name, bounded, most
 * frequent first. Pure: the adapter reads the plan, {@link enrich} joins what it read back to the causes with the
 * same targets.
 */
import { unmappedEndpointStatus } from '../classify/rules.js';
import type { CauseId } from '../taxonomy.js';
import { parseFunctionArn } from './integration-uri.js';
import type { CheckPlan, DiagnosisRef, FindingRef, FunctionRef, RouteRef } from './types.js';

/** Causes the configuration can confirm or contradict. */
export const CHECKABLE_CAUSES: ReadonlySet<CauseId> = new Set<CauseId>([
  'integration_http_method',
  'lambda_permission',
  'stage_variable_permission',
  'private_integration',
  'status_code_mapping',
  // Judged against the integration's timeout (item 4 of issue 17: an HTTP API answers 503 at its integration timeout).
  'service_unavailable',
  'integration_timeout',
]);

/** Causes whose check needs the invoked function's resource policy. */
export const POLICY_CAUSES: ReadonlySet<CauseId> = new Set<CauseId>(['lambda_permission', 'stage_variable_permission']);

/** Most routes read per run (each: GetMethod, maybe GetIntegration and GetVpcLink). */
export const MAX_ROUTES = 6;
/** Most functions read per run (each: GetFunctionConfiguration, maybe GetPolicy and GetAlias). */
export const MAX_FUNCTIONS = 6;
/** Most distinct targets checked per cause. */
export const MAX_TARGETS_PER_CAUSE = 3;

/** One thing to check for a cause: the route it failed on, the function it names, whether that is an authorizer. */
export interface CauseTarget {
  readonly cause: CauseId;
  readonly route?: RouteRef;
  readonly fn?: { readonly name: string; readonly arn?: string; readonly qualifier?: string };
  readonly authorizer: boolean;
  /** The longest integration latency the logs show for this target, in ms. */
  readonly maxLatencyMs?: number;
  /** How many findings had this target. */
  readonly count: number;
  /**
   * The backend statuses no integration response mapped ("No match for output mapping ... Endpoint Response Status
   * Code: 403"), for status_code_mapping.
   */
  readonly endpointStatuses?: readonly string[];
}

/** The backend status a status_code_mapping finding's evidence names. */
function endpointStatusOf(f: FindingRef): string | undefined {
  if (f.cause !== 'status_code_mapping' || f.evidence === undefined) return undefined;
  for (const line of f.evidence) {
    const status = unmappedEndpointStatus(line.text);
    if (status !== undefined) return status;
  }
  return undefined;
}

export function routeKey(ref: { readonly method: string; readonly path: string }): string {
  return `${ref.method} ${ref.path}`;
}

export function functionKey(ref: { readonly name: string; readonly qualifier?: string }): string {
  return ref.qualifier !== undefined ? `${ref.name}:${ref.qualifier}` : ref.name;
}

/** The route a finding failed on: method and template (or path); HTTP API route keys split into the two. */
export function routeOf(f: FindingRef): { method: string; path: string } | undefined {
  if (f.routeKey !== undefined) {
    if (f.routeKey === '$default') return { method: f.method ?? 'ANY', path: '$default' };
    const space = f.routeKey.indexOf(' ');
    if (space > 0) return { method: f.routeKey.slice(0, space), path: f.routeKey.slice(space + 1) };
    if (f.method !== undefined) return { method: f.method, path: f.routeKey };
  }
  const path = f.resourcePath ?? f.path;
  if (f.method === undefined || path === undefined) return undefined;
  return { method: f.method, path };
}

function functionOf(f: FindingRef, authorizer: boolean): CauseTarget['fn'] {
  const name = authorizer ? f.authorizerFunctionName : f.functionName;
  const arn = authorizer ? f.authorizerFunctionArn : f.functionArn;
  if (name === undefined) return undefined;
  const parsed = arn !== undefined ? parseFunctionArn(arn) : undefined;
  const qualifier = authorizer ? parsed?.qualifier : (f.qualifier ?? parsed?.qualifier);
  return {
    name,
    ...(parsed !== undefined
      ? { arn: `arn:${parsed.partition}:lambda:${parsed.region}:${parsed.accountId}:function:${parsed.name}` }
      : {}),
    ...(qualifier !== undefined ? { qualifier } : {}),
  };
}

/** The distinct targets of one cause's findings, most frequent first, at most {@link MAX_TARGETS_PER_CAUSE}. */
export function targetsOf(cause: CauseId, findings: readonly FindingRef[]): CauseTarget[] {
  const byKey = new Map<string, CauseTarget & { count: number; maxLatencyMs?: number; endpointStatuses?: string[] }>();
  for (const f of findings) {
    if (f.cause !== cause) continue;
    const authorizer = f.target === 'authorizer';
    const route = routeOf(f);
    const fn = functionOf(f, authorizer);
    const key = `${route !== undefined ? routeKey(route) : ''}|${fn !== undefined ? functionKey(fn) : ''}|${authorizer}`;
    const existing = byKey.get(key);
    const latency = f.integrationLatencyMs;
    const endpointStatus = endpointStatusOf(f);
    if (existing !== undefined) {
      existing.count++;
      if (latency !== undefined && (existing.maxLatencyMs === undefined || latency > existing.maxLatencyMs))
        existing.maxLatencyMs = latency;
      if (endpointStatus !== undefined && existing.endpointStatuses?.includes(endpointStatus) !== true) {
        existing.endpointStatuses = [...(existing.endpointStatuses ?? []), endpointStatus];
      }
    } else
      byKey.set(key, {
        cause,
        authorizer,
        count: 1,
        ...(route !== undefined ? { route } : {}),
        ...(fn !== undefined ? { fn } : {}),
        ...(latency !== undefined ? { maxLatencyMs: latency } : {}),
        ...(endpointStatus !== undefined ? { endpointStatuses: [endpointStatus] } : {}),
      });
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count).slice(0, MAX_TARGETS_PER_CAUSE);
}

export interface PlanOptions {
  /**
   * The API to read, from the responder's configuration (it wins over what the logs revealed).
   * @default - the diagnosis's API, when its type, id and stage are known
   */
  readonly api?: { readonly type: 'REST' | 'HTTP'; readonly apiId: string; readonly stage: string };
  /**
   * Functions the responder may read (the API's configured `functionNames`).
   * @default - every function
   */
  readonly readableFunctions?: readonly string[];
}

/** The routes and functions to read for the diagnosis's causes, bounded by {@link MAX_ROUTES} / {@link MAX_FUNCTIONS}. */
export function planChecks(
  diagnosis: DiagnosisRef,
  findings: readonly FindingRef[],
  options: PlanOptions = {},
): CheckPlan {
  const d = diagnosis.api;
  const api =
    options.api ??
    (d.type !== undefined && d.apiId !== undefined && d.stage !== undefined
      ? { type: d.type, apiId: d.apiId, stage: d.stage }
      : undefined);
  const routes = new Map<string, RouteRef>();
  const functions = new Map<string, FunctionRef>();
  const skipped: string[] = [];

  const addRoute = (route: { method: string; path: string }, resolveFunction: RouteRef['resolveFunction']) => {
    const key = routeKey(route);
    const existing = routes.get(key);
    if (existing !== undefined) {
      // A permission check needs more of the function than the change history: keep the stronger need.
      if (resolveFunction === 'policy' && existing.resolveFunction !== 'policy')
        routes.set(key, { ...existing, resolveFunction });
      return;
    }
    if (routes.size >= MAX_ROUTES) {
      skipped.push(`route ${key}`);
      return;
    }
    routes.set(key, { ...route, ...(resolveFunction !== undefined ? { resolveFunction } : {}) });
  };
  const addFunction = (fn: NonNullable<CauseTarget['fn']>, policy: boolean) => {
    const key = functionKey(fn);
    const existing = functions.get(key);
    if (existing !== undefined) {
      if (policy && !existing.policy) functions.set(key, { ...existing, policy });
      return;
    }
    if (functions.size >= MAX_FUNCTIONS) {
      skipped.push(`function ${key}`);
      return;
    }
    functions.set(key, { ...fn, policy });
  };

  for (const summary of diagnosis.causes) {
    const checkable = CHECKABLE_CAUSES.has(summary.cause);
    const policy = POLICY_CAUSES.has(summary.cause);
    for (const target of targetsOf(summary.cause, findings)) {
      if (checkable && api !== undefined && target.route !== undefined) {
        // The integration names the function the logs may not have: read it when the logs did not.
        const resolve =
          target.fn === undefined && !target.authorizer ? (policy ? 'policy' : 'configuration') : undefined;
        addRoute(target.route, resolve);
        // So does the route's authorizer, for an authorizer permission failure that did not name the function.
        const key = routeKey(target.route);
        const added = routes.get(key);
        if (target.authorizer && target.fn === undefined && policy && added !== undefined)
          routes.set(key, { ...added, resolveAuthorizer: true });
      }
      // Every named function is read for the change history; permission causes need its policy too.
      if (target.fn !== undefined) addFunction(target.fn, policy);
    }
  }
  return {
    ...(api !== undefined ? { api } : {}),
    routes: [...routes.values()],
    functions: [...functions.values()],
    ...(options.readableFunctions !== undefined ? { readableFunctions: options.readableFunctions } : {}),
    skipped,
  };
}
