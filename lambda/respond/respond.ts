import { type ApiResolverPort, logGroupOfArn, type ResolvedApi } from '../adapters/api-resolver.js';
import type { LogReadLimits, LogReadRequest, LogReadResult } from '../adapters/log-reader.js';
import type { ClaimResult } from '../adapters/notification-ledger.js';
import type { Notification } from '../adapters/publisher.js';
import type { RuntimeApiConfig, RuntimeConfig, SelfMonitoringConfig } from '../config/runtime-config.js';
import { diagnoseEvents } from '../diagnose.js';
import { checkConfiguration } from '../enrich/check-configuration.js';
import { gatherSignals, type SignalPorts } from '../enrich/gather-signals.js';
import type { ConfigurationReaderPort } from '../enrich/types.js';
import type { LogEvent } from '../parse/log-event.js';
import { formatTime } from '../render/text.js';
import type { Diagnosis } from '../summarize/diagnosis.js';
import { AlarmEventError, type AlarmNotice, parseAlarmEvent } from './alarm-event.js';
import { attributesOf, diagnosisNotification, linesNotification } from './notification.js';
import { checkTestNotification, isCheckTestEvent, selfAlarmNotification } from './self-alarm.js';

/** Reads one log group's events for a window, bounded; never throws for read problems. */
export interface LogReaderPort {
  read(request: LogReadRequest, limits: LogReadLimits): Promise<LogReadResult>;
}

/** Publishes a notification; throws when it cannot (the invocation must then fail). */
export interface PublisherPort {
  publish(notification: Notification): Promise<{ messageId: string }>;
}

export type ResponderLog = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

export interface RespondDeps {
  readonly reader: LogReaderPort;
  readonly publisher: PublisherPort;
  readonly config: RuntimeConfig;
  readonly now: () => number;
  /** Milliseconds left before the function times out (Lambda context), when known. */
  readonly remainingMs?: () => number;
  readonly log: ResponderLog;
  /** Remembers published state changes so an async retry does not notify twice; optional. */
  readonly ledger?: NotificationLedgerPort;
  /** Reads the live API Gateway and Lambda configuration to confirm or rule out causes; optional. */
  readonly configuration?: ConfigurationReaderPort;
  /** The responder's alarms on itself, and its own function name (lambda/respond/self-alarm.ts); optional. */
  readonly selfMonitoring?: { readonly config: SelfMonitoringConfig; readonly responderName?: string };
  /**
   * Evidence beyond the logs (API discovery, metrics, CloudTrail), read after the logs for every ALARM; optional.
   */
  readonly signals?: SignalPorts;
  /**
   * Finds the API of an alarm that matches no configured API from the alarm's dimensions (GetRestApis, GetStage);
   * optional: without it such an alarm is reported as not configured.
   */
  readonly resolver?: ApiResolverPort;
  /**
   * The account of a central responder (many accounts): an alarm from any other account is named in the subject
   * too, so a mailbox of many accounts' alarms sorts by account. Unset, subjects name no account.
   */
  readonly homeAccount?: string;
}

/** The de-duplication store (lambda/adapters/notification-ledger.ts); its failures never block a notification. */
export interface NotificationLedgerPort {
  claim(key: string, leaseMs: number): Promise<ClaimResult>;
  markPublished(key: string, messageId: string): Promise<void>;
  release(key: string): Promise<void>;
}

export type RespondOutcome =
  | {
      readonly kind: 'published';
      readonly messageId: string;
      readonly notification: Notification;
      readonly diagnosis?: Diagnosis;
    }
  | { readonly kind: 'ignored'; readonly reason: string };

/**
 * Server-side filter for execution logs: keeps the lines that decide a cause, name the route and function, and
 * every "Method completed" (so successful requests are recognised and dropped), and leaves out the rest of an
 * INFO trace (usage plan, method request headers and body, method response). CloudWatch Logs filter pattern
 * syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
export const EXECUTION_FILTER = [
  'Method completed',
  'Execution failed',
  'Lambda execution failed',
  'Lambda invocation failed',
  'HTTP Method',
  'authorized because method',
  'Endpoint request URI',
  'Endpoint request headers',
  'Endpoint request body after transformations',
  'Received response',
  'Endpoint response',
  'Starting authorizer',
  'Successfully completed authorizer',
  'Authorizer',
  'AuthorizerConfigurationException',
  'AWS Integration Endpoint RequestId',
]
  .map((term) => `?"${term}"`)
  .join(' ');

/** Server-side filter for the backend function's log: only what the runtime writes when an invocation fails. */
export const FUNCTION_FILTER =
  '?ERROR ?"Task timed out" ?"Runtime exited" ?"Status: timeout" ?"Status: error" ?"Runtime."';

/** Time the configuration checks may take (they run after the log reads, before publishing). */
const CONFIGURATION_BUDGET_MS = 5_000;
/** Time the evidence beyond the logs may take (discovery, then metrics and CloudTrail side by side). */
const SIGNALS_BUDGET_MS = 8_000;
/** Time kept back from the function's own timeout to render and publish. */
const PUBLISH_RESERVE_MS = 8_000;
/** The window never reaches further back than this before the alarm. */
const MAX_WINDOW_MS = 60 * 60 * 1000;

export function executionLogGroupOf(api: RuntimeApiConfig): string | undefined {
  if (api.executionLogGroup !== undefined) return api.executionLogGroup;
  return api.type === 'REST' ? `API-Gateway-Execution-Logs_${api.id}/${api.stage}` : undefined;
}

/**
 * Finds the configured API an alarm belongs to: by alarm name, then by metric dimensions, then the only one (only
 * when the alarm names no API in its dimensions: an alarm on another API is discovered, not pinned on this one).
 */
export function apiForAlarm(notice: AlarmNotice, config: RuntimeConfig): RuntimeApiConfig | undefined {
  const byName = config.apis.find((a) => a.alarmName === notice.alarmName);
  if (byName !== undefined) return byName;
  const d = notice.dimensions;
  const byDims = config.apis.find(
    (a) =>
      d.Stage === a.stage &&
      ((d.ApiName !== undefined && d.ApiName === a.name) || (d.ApiId !== undefined && d.ApiId === a.id)),
  );
  if (byDims !== undefined) return byDims;
  const namesAnApi = (d.ApiName ?? '') !== '' || (d.ApiId ?? '') !== '';
  return config.apis.length === 1 && !namesAnApi ? config.apis[0] : undefined;
}

/** The window to read: the alarm's evaluated range, widened by the margin on both sides, bounded. */
export function windowFor(notice: AlarmNotice, config: RuntimeConfig, now: number): { start: number; end: number } {
  const changed = notice.stateTime ?? now;
  const period = (notice.periodSec ?? 60) * 1000;
  const evaluated = notice.evaluationStart ?? changed - period * (notice.evaluationPeriods ?? 5);
  const end = Math.min(now, changed + config.windowMarginMs);
  const start = Math.max(evaluated - config.windowMarginMs, end - MAX_WINDOW_MS);
  return { start: Math.min(start, end), end };
}

function problemText(result: LogReadResult, group: string): string | undefined {
  if (result.problem !== undefined) return `${result.problem.message} ${result.problem.fix}`.trim();
  switch (result.stoppedBy) {
    case 'budget':
      return `Reading ${group} stopped at the time budget after ${result.pages} page(s) and ${result.events.length} event(s): this diagnosis is partial.`;
    case 'pages':
    case 'events':
      return `Reading ${group} stopped at the ${result.stoppedBy} cap (${result.pages} page(s), ${result.events.length} event(s)): this diagnosis is partial; raise maxPages/maxEvents if the function has time to spare.`;
    default:
      return undefined;
  }
}

/** Matches only the final status line of a failed REST request: one line per failure, to count them cheaply. */
export const FAILED_STATUS_FILTER = '"Method completed with status: 5"';
/** Lines the execution filter keeps per request (INFO level): to judge whether a full read fits the event cap. */
const KEPT_LINES_PER_REQUEST = 10;
/** Slices of the window a sample is spread over when the incident is too big to read whole. */
const SAMPLE_SLICES = 10;

export interface Sampling {
  /** Failed requests counted in the window (status lines), at least this many when not exact. */
  readonly totalFailed: number;
  readonly exact: boolean;
  /** Set when only a sample was read: the window was split into this many slices, each read up to a cap. */
  readonly slices?: number;
}

interface ReadStep {
  readonly group: string;
  readonly filterPattern?: string;
  readonly kind: 'execution' | 'access' | 'function';
}

async function readLogs(
  api: RuntimeApiConfig,
  window: { start: number; end: number },
  deps: RespondDeps,
  extraExecutionGroups: readonly string[] = [],
) {
  const { config, reader } = deps;
  const started = deps.now();
  const remaining = deps.remainingMs?.();
  const budget = Math.min(
    config.timeBudgetMs,
    remaining !== undefined
      ? remaining -
          PUBLISH_RESERVE_MS -
          (deps.configuration !== undefined ? CONFIGURATION_BUDGET_MS : 0) -
          (deps.signals !== undefined ? SIGNALS_BUDGET_MS : 0)
      : config.timeBudgetMs,
  );
  const deadlineMs = started + Math.max(0, budget);
  const plan: ReadStep[] = [];
  const execution = executionLogGroupOf(api);
  if (execution !== undefined) plan.push({ group: execution, filterPattern: EXECUTION_FILTER, kind: 'execution' });
  for (const group of extraExecutionGroups) plan.push({ group, filterPattern: EXECUTION_FILTER, kind: 'execution' });
  if (api.accessLogGroup !== undefined) plan.push({ group: api.accessLogGroup, kind: 'access' });
  for (const fn of api.functionNames ?? [])
    plan.push({ group: `/aws/lambda/${fn}`, filterPattern: FUNCTION_FILTER, kind: 'function' });

  const events: LogEvent[] = [];
  const problems: string[] = [];
  let pages = 0;
  let executionRead = false;
  let sampling: Sampling | undefined;
  const limitsFor = (share = 1) => ({
    maxPages: Math.max(1, Math.floor(Math.max(0, config.maxPages - pages) * share)),
    maxEvents: Math.max(0, Math.floor((config.maxEvents - events.length) * share)),
    deadlineMs,
    now: deps.now,
  });
  const take = (step: ReadStep, result: LogReadResult): void => {
    pages += result.pages;
    for (const e of result.events) events.push(e);
    const problem = problemText(result, step.group);
    if (problem !== undefined) {
      problems.push(problem);
      deps.log('warn', 'log read incomplete', {
        logGroup: step.group,
        stoppedBy: result.stoppedBy,
        problem: result.problem?.kind,
      });
    }
  };
  for (const step of plan) {
    const request = {
      logGroupName: step.group,
      startTime: window.start,
      endTime: window.end,
      ...(step.filterPattern !== undefined ? { filterPattern: step.filterPattern } : {}),
    };
    if (step.kind !== 'execution') {
      take(step, await reader.read(request, limitsFor()));
      continue;
    }
    // Count every failed request first (one status line each, not kept): it says whether the whole incident fits.
    const count = await reader.read(
      { ...request, filterPattern: FAILED_STATUS_FILTER, countOnly: true },
      {
        maxPages: Math.max(1, config.maxPages),
        maxEvents: 10_000_000,
        deadlineMs: started + budget / 4,
        now: deps.now,
      },
    );
    pages += count.pages;
    if (count.problem !== undefined && count.problem.kind !== 'throttled') {
      // The main read meets the same problem and reports it; do not read twice.
      take(step, count);
      continue;
    }
    if (count.problem !== undefined) {
      // Throttled, or no slot of the shared FilterLogEvents rate within the count's quarter of the budget (an alarm
      // storm): the events themselves may still be read in what is left; the diagnosis then counts what it reads.
      deps.log('warn', 'failed requests not counted: throttled; reading the events', { logGroup: step.group });
      const result = await reader.read(request, limitsFor());
      take(step, result);
      executionRead = result.stoppedBy === 'end';
      continue;
    }
    const totalFailed = count.matched;
    const exact = count.stoppedBy === 'end';
    if (totalFailed * KEPT_LINES_PER_REQUEST <= config.maxEvents - events.length) {
      const result = await reader.read(request, limitsFor());
      take(step, result);
      sampling = { totalFailed, exact };
      executionRead = result.stoppedBy === 'end';
      continue;
    }
    // Too big to read whole: read evenly spaced slices of the window, each up to its share of the caps.
    const sliceMs = (window.end - window.start) / SAMPLE_SLICES;
    for (let i = 0; i < SAMPLE_SLICES && deps.now() < deadlineMs; i++) {
      const slice = {
        ...request,
        startTime: Math.floor(window.start + i * sliceMs),
        endTime: Math.floor(window.start + (i + 1) * sliceMs),
      };
      const result = await reader.read(slice, limitsFor(1 / (SAMPLE_SLICES - i)));
      pages += result.pages;
      for (const e of result.events) events.push(e);
      if (result.problem !== undefined) take(step, { ...result, events: [], pages: 0 });
    }
    sampling = { totalFailed, exact, slices: SAMPLE_SLICES };
    deps.log('info', 'incident too big to read whole: sampled', { logGroup: step.group, totalFailed, exact });
  }
  if (plan.length === 0) {
    problems.push(
      `No log group to read for ${api.id}/${api.stage}: HTTP APIs have no execution log; configure accessLogGroup (with $context.integrationErrorMessage in the format) for this API.`,
    );
  }
  return { events, problems, pages, executionRead, sampling, groups: plan.map((p) => p.group) };
}

/**
 * The responder's job for one alarm event: map it to an API, read the window's logs within the time budget,
 * diagnose, and publish. Read problems never stop the notification; a publish failure throws.
 */
export async function respond(event: unknown, deps: RespondDeps): Promise<RespondOutcome> {
  if (isCheckTestEvent(event)) {
    const watched = deps.config.apis.map((a) => `${a.name ?? a.id}/${a.stage}`);
    return publish(deps, checkTestNotification(event, watched, deps.now()), undefined);
  }
  let notice: AlarmNotice;
  try {
    notice = parseAlarmEvent(event);
  } catch (error) {
    if (error instanceof AlarmEventError) {
      // Retrying cannot make a malformed event readable: log it loudly and end without an error (no retry loop).
      deps.log('error', `malformed alarm event: ${error.message}`, { event: summarizeEvent(event) });
      return { kind: 'ignored', reason: error.message };
    }
    throw error;
  }
  if (notice.state === 'INSUFFICIENT_DATA') {
    deps.log('info', 'alarm entered INSUFFICIENT_DATA: nothing to diagnose', { alarm: notice.alarmName });
    return { kind: 'ignored', reason: 'INSUFFICIENT_DATA' };
  }
  const key = changeKey(notice);
  if (key !== undefined && deps.ledger !== undefined) {
    const claim = await ledgerCall(deps, 'claim', () => deps.ledger?.claim(key, leaseMs(deps)));
    if (claim?.kind === 'already_published') {
      deps.log('info', 'already notified: this is a retry of a published state change', {
        key,
        messageId: claim.messageId,
      });
      return {
        kind: 'ignored',
        reason: `already published${claim.messageId !== undefined ? ` as ${claim.messageId}` : ''}`,
      };
    }
    if (claim?.kind === 'in_progress') {
      // Another invocation holds the lease; if it fails, its own retry claims the change once the lease expires.
      deps.log('info', 'another invocation is notifying this state change', { key, leaseUntil: claim.leaseUntil });
      return { kind: 'ignored', reason: 'in progress in another invocation' };
    }
  }
  try {
    const outcome = await diagnoseAndPublish(notice, deps);
    if (key !== undefined && deps.ledger !== undefined && outcome.kind === 'published') {
      await ledgerCall(deps, 'markPublished', () => deps.ledger?.markPublished(key, outcome.messageId));
    }
    return outcome;
  } catch (error) {
    if (key !== undefined && deps.ledger !== undefined)
      await ledgerCall(deps, 'release', () => deps.ledger?.release(key));
    throw error;
  }
}

/** One key per alarm state change: the same change delivered twice gets the same key; two alarms, two keys. */
export function changeKey(notice: AlarmNotice): string | undefined {
  if (notice.stateTime === undefined) return undefined;
  return `${notice.alarmArn ?? notice.alarmName}#${notice.state}#${notice.stateTime}`;
}

function leaseMs(deps: RespondDeps): number {
  // The lease must outlive this invocation: its remaining time, or the whole budget plus room to publish.
  return (deps.remainingMs?.() ?? deps.config.timeBudgetMs + PUBLISH_RESERVE_MS) + 5_000;
}

async function ledgerCall<T>(
  deps: RespondDeps,
  what: string,
  call: () => Promise<T> | undefined,
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    // The ledger only prevents duplicates: when it fails, notify anyway.
    deps.log('warn', `notification ledger ${what} failed; going on without de-duplication`, {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return undefined;
  }
}

/** Time finding an unconfigured API from its alarm may take (GetRestApis/GetApi and GetStage). */
const RESOLVE_BUDGET_MS = 3_000;

/** What to read for one alarm: the configured API, or the one(s) found from the alarm's dimensions. */
interface Target {
  readonly api?: RuntimeApiConfig;
  /** Execution log groups of other REST APIs with the same name and stage (their metric is one and the same). */
  readonly extraExecutionGroups: readonly string[];
  /** Said in the message: how the API was found, what could not be. */
  readonly notes: readonly string[];
  /** Several APIs feed the alarm's metric: evidence beyond the logs cannot tell them apart and is left out. */
  readonly ambiguous: boolean;
}

/** `*` matches any run of characters; everything else literally. */
function matchesPattern(name: string, pattern: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(name);
}

/** The access log group of a discovered stage, when the responder may read it; otherwise a note saying why not. */
function accessLogOf(found: ResolvedApi, config: RuntimeConfig, notes: string[]): string | undefined {
  if (found.accessLogArn === undefined) return undefined;
  const group = logGroupOfArn(found.accessLogArn);
  if (group === undefined) {
    notes.push(
      `The access log of ${found.id}/${found.stage} goes to ${found.accessLogArn}, not a CloudWatch Logs group: it was not read.`,
    );
    return undefined;
  }
  const patterns = config.accessLogGroupPatterns ?? [];
  if (patterns.some((p) => matchesPattern(group, p))) return group;
  notes.push(
    `The access log group ${group} of ${found.id}/${found.stage} was not read: the responder may read only access log groups matching discovery.accessLogGroups (${patterns.length > 0 ? patterns.join(', ') : 'none set'}); add a pattern that covers it (or configure this API with accessLogGroup) and redeploy.`,
  );
  return undefined;
}

/** Finds the API of an alarm no configured API matches, from the alarm's metric dimensions. */
async function discoverTarget(notice: AlarmNotice, deps: RespondDeps): Promise<Target> {
  const none = { extraExecutionGroups: [], ambiguous: false };
  if (deps.resolver === undefined) return { ...none, notes: [] };
  let resolution: Awaited<ReturnType<ApiResolverPort['resolve']>>;
  // The resolver shares the signal readers' SDK clients: load them before its budget starts (cold start).
  if (deps.signals?.prepare !== undefined) await deps.signals.prepare().catch(() => undefined);
  try {
    resolution = await deps.resolver.resolve({
      dimensions: notice.dimensions,
      deadlineMs: deps.now() + RESOLVE_BUDGET_MS,
      now: deps.now,
    });
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : String(error);
    return { ...none, notes: [`Finding the API from the alarm's dimensions failed (${why}).`] };
  }
  const withStage = resolution.apis.filter((a) => a.stageFound);
  const [first, ...rest] = withStage.length > 0 ? withStage : resolution.apis;
  const notes = [...resolution.problems];
  if (first === undefined) return { ...none, notes };
  const accessLogGroup = accessLogOf(first, deps.config, notes);
  const api: RuntimeApiConfig = {
    type: first.type,
    ...(first.name !== undefined ? { name: first.name } : {}),
    id: first.id,
    stage: first.stage,
    ...(accessLogGroup !== undefined ? { accessLogGroup } : {}),
    // Not configured: the role may not read its functions' logs or configuration; they get metrics only.
    functionNames: [],
  };
  const others = rest.filter((a) => a.type === 'REST');
  if (others.length > 0) {
    const ids = [first, ...others].map((a) => a.id).join(', ');
    notes.unshift(
      `Ambiguous API name: ${others.length + 1} REST APIs are named ${first.name ?? first.id} and have a stage ${first.stage} (${ids}). API Gateway's 5XXError metric for ApiName+Stage adds them all up, so the execution logs of all of them were read; metrics, configuration and CloudTrail evidence is left out because it cannot tell them apart. To diagnose one, give the APIs distinct names, or configure the one you mean in "apis" with its id.`,
    );
  } else {
    notes.push(
      `${first.type} API ${first.name ?? first.id} (${first.id}) stage ${first.stage} was found from the alarm's dimensions (it is not in the responder's configuration).`,
    );
  }
  return {
    api,
    extraExecutionGroups: others.map((a) => `API-Gateway-Execution-Logs_${a.id}/${a.stage}`),
    notes,
    ambiguous: others.length > 0,
  };
}

/**
 * Of same-named REST APIs read together, the one whose execution log had the most lines in the window: the route
 * line and the fix commands name its id. The others' ids are in the ambiguity note.
 */
function busiestOf(api: RuntimeApiConfig, others: readonly string[], events: readonly LogEvent[]): RuntimeApiConfig {
  const count = (group: string | undefined) => events.filter((e) => e.logGroupName === group).length;
  let best = { group: executionLogGroupOf(api), lines: count(executionLogGroupOf(api)) };
  for (const group of others) {
    const lines = count(group);
    if (lines > best.lines) best = { group, lines };
  }
  if (best.group === executionLogGroupOf(api)) return api;
  const id = /^API-Gateway-Execution-Logs_([^/]+)\//.exec(best.group ?? '')?.[1];
  if (id === undefined) return api;
  const { accessLogGroup: _theFirstOnes, executionLogGroup: _named, ...rest } = api;
  return { ...rest, id };
}

async function diagnoseAndPublish(notice: AlarmNotice, deps: RespondDeps): Promise<RespondOutcome> {
  const self = selfAlarmNotification(notice, deps.selfMonitoring?.config, deps.selfMonitoring?.responderName);
  if (self !== undefined) return publish(deps, self, undefined);
  const configured = apiForAlarm(notice, deps.config);
  if (notice.state === 'OK') return publish(deps, recovery(notice, configured), undefined);
  const target: Target =
    configured !== undefined
      ? { api: configured, extraExecutionGroups: [], notes: [], ambiguous: false }
      : await discoverTarget(notice, deps);
  if (target.api === undefined) return publish(deps, unmapped(notice, deps.config, target.notes), undefined);

  const window = windowFor(notice, deps.config, deps.now());
  const read = await readLogs(target.api, window, deps, target.extraExecutionGroups);
  const api = target.ambiguous ? busiestOf(target.api, target.extraExecutionGroups, read.events) : target.api;
  const { diagnosis: logOnly, findings } = diagnoseEvents(read.events, {
    api: {
      type: api.type,
      ...(api.name !== undefined ? { name: api.name } : {}),
      apiId: api.id,
      stage: api.stage,
      ...(notice.region !== undefined ? { region: notice.region } : {}),
      ...(notice.accountId !== undefined ? { accountId: notice.accountId } : {}),
    },
    window,
    readProblems: read.problems,
    ...(read.sampling !== undefined ? { sampling: read.sampling } : {}),
    context: { executionLogRead: read.executionRead },
  });
  const logDiagnosis = target.notes.length > 0 ? { ...logOnly, limits: [...logOnly.limits, ...target.notes] } : logOnly;
  // Confirm or rule out the causes against the live configuration, inside what is left of the budget.
  const checked =
    deps.configuration !== undefined && logDiagnosis.causes.length > 0
      ? {
          ...logDiagnosis,
          enrichment: await checkConfiguration(deps.configuration, {
            diagnosis: logDiagnosis,
            findings,
            api: { type: api.type, apiId: api.id, stage: api.stage },
            ...(api.functionNames !== undefined ? { readableFunctions: api.functionNames } : {}),
            deadlineMs: deps.now() + CONFIGURATION_BUDGET_MS,
            now: deps.now,
          }),
        }
      : logDiagnosis;
  // Metrics, live configuration and CloudTrail: for every alarm, so thin or missing logs still get a diagnosis.
  // Their clients load before their budget starts; a failed load shows up as read problems of the ports.
  if (deps.signals?.prepare !== undefined) await deps.signals.prepare().catch(() => undefined);
  const diagnosis =
    deps.signals !== undefined && !target.ambiguous
      ? {
          ...checked,
          signals: await gatherSignals(deps.signals, {
            api: {
              type: api.type,
              ...((api.name ?? notice.dimensions.ApiName) !== undefined
                ? { name: api.name ?? notice.dimensions.ApiName }
                : {}),
              apiId: api.id,
              stage: api.stage,
              ...(notice.region !== undefined ? { region: notice.region } : {}),
              ...(notice.accountId !== undefined ? { accountId: notice.accountId } : {}),
            },
            causes: checked.causes,
            ...(checked.firstSeen !== undefined ? { firstSeen: checked.firstSeen } : {}),
            window,
            executionLogSeen: read.events.some((e) => e.logGroupName === executionLogGroupOf(api)),
            ...(api.functionNames !== undefined ? { readableFunctions: api.functionNames } : {}),
            deadlineMs: deps.now() + SIGNALS_BUDGET_MS,
            now: deps.now,
          }),
        }
      : checked;
  deps.log('info', 'diagnosed', {
    alarm: notice.alarmName,
    failedRequests: diagnosis.failedRequests,
    causes: diagnosis.causes.map((c) => `${c.cause}:${c.count}`),
    events: read.events.length,
    pages: read.pages,
  });
  return publish(
    deps,
    diagnosisNotification(diagnosis, {
      notice,
      api,
      logGroups: read.groups,
      window,
      ...(deps.homeAccount !== undefined && notice.accountId !== deps.homeAccount ? { accountInSubject: true } : {}),
    }),
    diagnosis,
  );
}

async function publish(
  deps: RespondDeps,
  notification: Notification,
  diagnosis: Diagnosis | undefined,
): Promise<RespondOutcome> {
  const { messageId } = await deps.publisher.publish(notification);
  deps.log('info', 'published', { messageId, subject: notification.subject, attributes: notification.attributes });
  return { kind: 'published', messageId, notification, ...(diagnosis !== undefined ? { diagnosis } : {}) };
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m < 1 ? 'less than a minute' : m < 120 ? `${m} min` : `${(m / 60).toFixed(1)} h`;
}

function recovery(notice: AlarmNotice, api: RuntimeApiConfig | undefined): Notification {
  const label = api !== undefined ? `${api.name ?? api.id}/${api.stage}` : notice.alarmName;
  const lasted =
    notice.previousState === 'ALARM' && notice.stateTime !== undefined && notice.previousStateTime !== undefined
      ? minutes(notice.stateTime - notice.previousStateTime)
      : undefined;
  return linesNotification(
    `[OK] ${label}: 5xx alarm recovered${lasted !== undefined ? ` after ${lasted}` : ''}`,
    [
      `Recovered: the 5xx alarm for ${label} is OK again${lasted !== undefined ? ` after ${lasted} in ALARM` : ''}.`,
      `Since: ${formatTime(notice.stateTime)}${lasted !== undefined ? ` (ALARM began ${formatTime(notice.previousStateTime)})` : ''}`,
      'Fix: nothing to do now; follow up on the cause named in the ALARM notification.',
    ],
    { notice, ...(api !== undefined ? { api } : {}) },
    attributesOf(undefined, api, 'OK'),
    'ApiGateway5xxRecovery',
  );
}

function unmapped(notice: AlarmNotice, config: RuntimeConfig, notes: readonly string[] = []): Notification {
  const known = config.apis.map((a) => `${a.name ?? a.id}/${a.stage}`).join(', ') || 'none';
  return linesNotification(
    `[ALARM] ${notice.alarmName}: API not configured in the 5xx responder`,
    [
      `Cause: unknown: alarm ${notice.alarmName} is in ALARM but matches no API the responder is configured for.`,
      `Route: unknown (alarm dimensions: ${JSON.stringify(notice.dimensions)})${whereOf(notice)}`,
      `Fix: add this API and stage to the responder's configuration (configured: ${known}) and redeploy; meanwhile read its execution log by hand.`,
      ...(notes.length > 0 ? ['', 'Looking the API up from the alarm:', ...notes.map((n) => `  - ${n}`)] : []),
    ],
    { notice },
    { cause: 'unknown', api: 'unknown', stage: notice.dimensions.Stage ?? 'unknown', status: 'none', state: 'ALARM' },
    'ApiGateway5xxUnmappedAlarm',
  );
}

/** " in account 111122223333, Region eu-west-1": where the alarm is (central mode serves many), when the event says. */
function whereOf(notice: AlarmNotice): string {
  const parts = [
    ...(notice.accountId !== undefined && /^\d{12}$/.test(notice.accountId) ? [`account ${notice.accountId}`] : []),
    ...(notice.region !== undefined && /^[a-z]{2}(?:-[a-z]+)+-\d$/.test(notice.region)
      ? [`Region ${notice.region}`]
      : []),
  ];
  return parts.length > 0 ? ` in ${parts.join(', ')}` : '';
}

/** A bounded, redaction-free summary of an unreadable event for the log: its shape, not its content. */
function summarizeEvent(event: unknown): unknown {
  if (typeof event !== 'object' || event === null) return typeof event;
  return { keys: Object.keys(event).slice(0, 20) };
}
