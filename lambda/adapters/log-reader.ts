/**
 * Reads one CloudWatch Logs log group for a time window with FilterLogEvents, bounded by a page cap, an event cap
 * and a deadline. Read problems (missing group, access denied, throttling, anything else) never throw: the result
 * carries what was read plus the problem with an actionable fix, so the caller can still publish a partial diagnosis.
 */
import type {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  FilterLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { type LogEvent, parseExecutionLogGroupName } from '../parse/log-event.js';
import type { ReadRateLimiter } from './read-rate-limiter.js';

/** What to read. */
export interface LogReadRequest {
  readonly logGroupName: string;
  /** Epoch ms; events before it are not returned. */
  readonly startTime: number;
  /** Epoch ms; events after it are not returned. */
  readonly endTime: number;
  /**
   * CloudWatch Logs filter pattern applied by the service.
   * @default - every event in the window
   */
  readonly filterPattern?: string;
  /**
   * Only streams whose name starts with this.
   * @default - all streams
   */
  readonly logStreamNamePrefix?: string;
  /**
   * Count the matching events without keeping them (to count all failed requests of a huge incident cheaply).
   * @default false
   */
  readonly countOnly?: boolean;
}

/** How much work one read may do. */
export interface LogReadLimits {
  /** Most FilterLogEvents calls (pages) to make. */
  readonly maxPages: number;
  /** Most events to return. */
  readonly maxEvents: number;
  /** Epoch ms by which the read must be over, retries and the call in flight included. */
  readonly deadlineMs: number;
  /**
   * The clock the deadline is measured with.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Most events asked for per page (FilterLogEvents `limit`, at most 10,000).
   * @default 10_000
   */
  readonly pageSize?: number;
}

/**
 * Why the read stopped: `end` everything in the window was read; `pages`, `events` a cap was reached with more
 * to read; `budget` the deadline came first; `error` a read problem (see `problem`) ended it.
 */
export type LogReadStopReason = 'end' | 'pages' | 'events' | 'budget' | 'error';

export type LogReadProblemKind = 'missing_group' | 'access_denied' | 'throttled' | 'other';

/** A read that could not be completed: what happened and what the operator can do about it. */
export interface LogReadProblem {
  readonly kind: LogReadProblemKind;
  readonly logGroupName: string;
  /** One sentence on what went wrong, with the service's own message. */
  readonly message: string;
  /** What to change, with the commands to run where there are some. */
  readonly fix: string;
  /** The SDK error's name (`ResourceNotFoundException`, ...), for the function's own log. */
  readonly errorName: string;
}

export interface LogReadResult {
  /** Events in the order the service returned them, each with `logGroupName` set. */
  readonly events: LogEvent[];
  /** FilterLogEvents calls that returned a page. */
  readonly pages: number;
  /** Sum of the returned messages' lengths (characters). */
  readonly bytes: number;
  /** Events that matched, kept or (countOnly) only counted. */
  readonly matched: number;
  readonly stoppedBy: LogReadStopReason;
  /** Set when a read problem ended the read (stoppedBy `error`, or `budget` when retries ran into the deadline). */
  readonly problem?: LogReadProblem;
}

export interface CloudWatchLogsReaderOptions {
  /**
   * Attempts per page when CloudWatch Logs throttles (ThrottlingException, LimitExceededException,
   * ServiceUnavailableException), the first one included.
   * @default 4
   */
  readonly maxAttempts?: number;
  /**
   * Backoff before the first retry; doubled per retry, with full jitter.
   * @default 100
   */
  readonly baseDelayMs?: number;
  /**
   * Longest backoff between two attempts.
   * @default 2_000
   */
  readonly maxDelayMs?: number;
  /**
   * Waits between attempts (injected by tests).
   * @default - a timer
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Source of jitter in [0, 1) (injected by tests).
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * Asked for a slot before every FilterLogEvents call, retries included, so that all responders together stay
   * within their share of the account's quota (lambda/adapters/read-rate-limiter.ts). When no slot is free before
   * the deadline the read stops with `budget` and a problem that says so.
   * @default - no limit but the service's own throttling
   */
  readonly limiter?: ReadRateLimiter;
  /**
   * The account (and Region) whose log groups this reader reads through CloudWatch cross-account observability: the
   * client carries the monitoring account's own credentials, and each request names the group by its ARN in that
   * source account (`logGroupIdentifier`) instead of by name. The events keep the plain group name.
   * @default - the groups are in the client's own account
   */
  readonly sourceAccount?: ObservabilitySource;
}

/** A source account linked to this (monitoring) account through OAM. */
export interface ObservabilitySource {
  readonly account: string;
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
}

/**
 * The log group's ARN in a source account, as FilterLogEvents' `logGroupIdentifier` takes it. AWS: "If the log group
 * is in a source account and you are using a monitoring account, you must use the log group ARN"
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html, logGroupIdentifier;
 * the same text in https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/cloudwatchlogs/aws.sdk.kotlin.services.cloudwatchlogs.model/-filter-log-events-request/log-group-identifier.html).
 */
export function sourceLogGroupArn(source: ObservabilitySource, logGroupName: string): string {
  return `arn:${source.partition ?? 'aws'}:logs:${source.region}:${source.account}:log-group:${logGroupName}`;
}

/** Most events FilterLogEvents returns per call. */
const MAX_PAGE_SIZE = 10_000;

/** A slot later than this before the deadline is not worth taking: the call would not finish in time. */
const MIN_CALL_MS = 100;

/** Raised internally when the deadline cuts a call short. */
class DeadlineReachedError extends Error {
  constructor() {
    super('The log read reached its deadline');
    this.name = 'DeadlineReachedError';
  }
}

/**
 * Reads a log group with FilterLogEvents (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html).
 *
 * Give it a client whose own retries are off (`maxAttempts: 1`) so that this reader's deadline-aware retries are
 * the only ones; otherwise the SDK's retries also run, inside the per-call deadline.
 */
export class CloudWatchLogsReader {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly limiter: ReadRateLimiter | undefined;
  private readonly source: ObservabilitySource | undefined;

  constructor(
    private readonly client: CloudWatchLogsClient,
    options: CloudWatchLogsReaderOptions = {},
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 2_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((done) => setTimeout(done, ms)));
    this.random = options.random ?? Math.random;
    this.limiter = options.limiter;
    this.source = options.sourceAccount;
  }

  /** Reads the window page by page until the end, a cap, the deadline or a read problem; never throws for the latter. */
  async read(request: LogReadRequest, limits: LogReadLimits): Promise<LogReadResult> {
    const now = limits.now ?? Date.now;
    const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, limits.pageSize ?? MAX_PAGE_SIZE));
    const events: LogEvent[] = [];
    let pages = 0;
    let bytes = 0;
    let matched = 0;
    let nextToken: string | undefined;
    const result = (stoppedBy: LogReadStopReason, problem?: LogReadProblem): LogReadResult =>
      problem === undefined
        ? { events, pages, bytes, matched, stoppedBy }
        : { events, pages, bytes, matched, stoppedBy, problem };

    for (;;) {
      if (pages >= limits.maxPages) return result('pages');
      if (matched >= limits.maxEvents) return result('events');
      if (now() >= limits.deadlineMs) return result('budget');

      const page = await this.readPage(request, nextToken, Math.min(pageSize, limits.maxEvents - matched), {
        deadlineMs: limits.deadlineMs,
        now,
      });
      if (page.kind === 'budget') return result('budget', page.problem);
      if (page.kind === 'problem') return result('error', page.problem);

      pages++;
      for (const event of page.output.events ?? []) {
        if (matched >= limits.maxEvents) return result('events');
        if (event.message === undefined) continue;
        matched++;
        if (request.countOnly !== true) events.push(toLogEvent(event, request.logGroupName));
        bytes += event.message.length;
      }
      nextToken = page.output.nextToken;
      if (nextToken === undefined || nextToken === '') return result('end');
    }
  }

  /** One page, retried with exponential backoff and full jitter while throttled and the deadline allows. */
  private async readPage(
    request: LogReadRequest,
    nextToken: string | undefined,
    limit: number,
    clock: { deadlineMs: number; now: () => number },
  ): Promise<
    | { kind: 'page'; output: FilterLogEventsCommandOutput }
    | { kind: 'budget'; problem?: LogReadProblem }
    | { kind: 'problem'; problem: LogReadProblem }
  > {
    // Loaded when first used (lambda/adapters/lazy-clients.ts): importing this module loads no AWS SDK code.
    const { FilterLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    const command = new FilterLogEventsCommand({
      // Through OAM the group is named by its ARN in the source account (logGroupIdentifier), never by name.
      ...(this.source === undefined
        ? { logGroupName: request.logGroupName }
        : { logGroupIdentifier: sourceLogGroupArn(this.source, request.logGroupName) }),
      startTime: request.startTime,
      endTime: request.endTime,
      limit,
      ...(request.filterPattern === undefined ? {} : { filterPattern: request.filterPattern }),
      ...(request.logStreamNamePrefix === undefined ? {} : { logStreamNamePrefix: request.logStreamNamePrefix }),
      ...(nextToken === undefined ? {} : { nextToken }),
    });

    let lastThrottle: unknown;
    for (let attempt = 1; ; attempt++) {
      if (this.limiter !== undefined && !(await this.limiter.acquire(clock.deadlineMs - MIN_CALL_MS))) {
        return { kind: 'budget', problem: quotaProblem(request, lastThrottle, attempt - 1, this.source) };
      }
      const remainingMs = clock.deadlineMs - clock.now();
      if (remainingMs <= 0) return { kind: 'budget' };
      try {
        return { kind: 'page', output: await this.sendBefore(command, remainingMs) };
      } catch (error) {
        if (error instanceof DeadlineReachedError) return { kind: 'budget' };
        const kind = problemKind(error);
        if (kind !== 'throttled')
          return { kind: 'problem', problem: describeProblem(kind, error, request, attempt, this.source) };
        lastThrottle = error;
        if (attempt >= this.maxAttempts) {
          return { kind: 'problem', problem: describeProblem(kind, error, request, attempt, this.source) };
        }
        const delayMs = Math.floor(this.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1)));
        if (clock.now() + delayMs >= clock.deadlineMs) {
          return { kind: 'budget', problem: describeProblem(kind, error, request, attempt, this.source) };
        }
        await this.sleep(delayMs);
      }
    }
  }

  /** Sends with an abort signal, and gives up at the deadline even if the call ignores the signal. */
  private async sendBefore(
    command: FilterLogEventsCommand,
    remainingMs: number,
  ): Promise<FilterLogEventsCommandOutput> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new DeadlineReachedError());
      }, remainingMs);
    });
    try {
      return await Promise.race([this.client.send(command, { abortSignal: controller.signal }), deadline]);
    } catch (error) {
      if (controller.signal.aborted) throw new DeadlineReachedError();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

function toLogEvent(
  event: { message?: string; timestamp?: number; logStreamName?: string },
  logGroupName: string,
): LogEvent {
  return {
    message: event.message ?? '',
    ...(event.timestamp === undefined ? {} : { timestamp: event.timestamp }),
    ...(event.logStreamName === undefined ? {} : { logStreamName: event.logStreamName }),
    logGroupName,
  };
}

interface ErrorFacts {
  readonly name: string;
  readonly message: string;
  readonly httpStatusCode: number | undefined;
}

function errorFacts(error: unknown): ErrorFacts {
  if (error instanceof Error) {
    const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
    return { name: error.name, message: error.message, httpStatusCode: metadata?.httpStatusCode };
  }
  return { name: 'UnknownError', message: String(error), httpStatusCode: undefined };
}

/** The SDK's error names for throttling (by name: the exception classes are in the lazily loaded SDK module). */
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'LimitExceededException',
  'ServiceUnavailableException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

function problemKind(error: unknown): LogReadProblemKind {
  const { name, httpStatusCode } = errorFacts(error);
  if (name === 'ResourceNotFoundException') return 'missing_group';
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || httpStatusCode === 403) return 'access_denied';
  if (THROTTLING_NAMES.has(name) || httpStatusCode === 429) return 'throttled';
  return 'other';
}

function rereadCommand(request: LogReadRequest, source?: ObservabilitySource): string {
  const group =
    source === undefined
      ? `--log-group-name '${request.logGroupName}'`
      : `--log-group-identifier '${sourceLogGroupArn(source, request.logGroupName)}' --region ${source.region}`;
  return `aws logs filter-log-events ${group} ` + `--start-time ${request.startTime} --end-time ${request.endTime}`;
}

function missingGroupFix(logGroupName: string): string {
  const execution = parseExecutionLogGroupName(logGroupName);
  if (execution !== undefined) {
    // https://repost.aws/knowledge-center/api-gateway-cloudwatch-logs
    return (
      `Execution logging is off for REST API ${execution.apiId} stage ${execution.stage} (or its log group was deleted). ` +
      `Turn it on: \`aws apigateway update-stage --rest-api-id ${execution.apiId} --stage-name ${execution.stage} ` +
      "--patch-operations 'op=replace,path=/*/*/logging/loglevel,value=INFO'`. " +
      'API Gateway writes these logs only when the account has a CloudWatch Logs role: ' +
      '`aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=ROLE_ARN` ' +
      '(a role that apigateway.amazonaws.com can assume, with the AmazonAPIGatewayPushToCloudWatchLogs managed policy). ' +
      'The log group appears with the first request after that.'
    );
  }
  const lambda = /^\/aws\/lambda\/(.+)$/.exec(logGroupName);
  if (lambda?.[1] !== undefined) {
    return (
      `Function ${lambda[1]} has not written a log yet, or it logs to another log group. ` +
      `Check \`aws lambda get-function-configuration --function-name ${lambda[1]} --query LoggingConfig\` ` +
      "and put the group it names in the responder's configuration, then redeploy."
    );
  }
  return (
    `No log group named ${logGroupName} exists in this account and Region. If it is an access log group, turn on ` +
    'access logging with it as destination (REST: `aws apigateway update-stage --rest-api-id ID --stage-name STAGE ' +
    '--patch-operations op=replace,path=/accessLogSettings/destinationArn,value=LOG_GROUP_ARN ' +
    'op=replace,path=/accessLogSettings/format,value=FORMAT`; HTTP API: `aws apigatewayv2 update-stage --api-id ID ' +
    "--stage-name STAGE --access-log-settings DestinationArn=LOG_GROUP_ARN,Format=FORMAT`); otherwise correct the log group name in the responder's configuration and redeploy."
  );
}

/** The read ran out of time waiting for its share of the FilterLogEvents quota (the limiter had no slot). */
function quotaProblem(
  request: LogReadRequest,
  throttle: unknown,
  throttledAttempts: number,
  source?: ObservabilitySource,
): LogReadProblem {
  const throttled =
    throttle !== undefined
      ? ` CloudWatch Logs also throttled ${throttledAttempts} attempt${throttledAttempts === 1 ? '' : 's'} of this page (${errorFacts(throttle).message}).`
      : '';
  return {
    kind: 'throttled',
    logGroupName: request.logGroupName,
    errorName: throttle !== undefined ? errorFacts(throttle).name : 'ReadRateLimit',
    message:
      `Reading ${request.logGroupName} stopped at the time budget while waiting for the responders' share of the ` +
      `FilterLogEvents quota: other alarms were reading at the same time.${throttled}`,
    fix:
      'The diagnosis covers only the events read before that. Read the rest with ' +
      `\`${rereadCommand(request, source)}\` once the storm is over; if alarm storms are common, give the responder a ` +
      'longer timeBudgetSec or a larger logReadsPerSecond share (the account has 5 FilterLogEvents calls per second ' +
      'for everyone, people in the console included).',
  };
}

function describeProblem(
  kind: LogReadProblemKind,
  error: unknown,
  request: LogReadRequest,
  attempts: number,
  source?: ObservabilitySource,
): LogReadProblem {
  const { name, message } = errorFacts(error);
  const group = request.logGroupName;
  const base = { kind, logGroupName: group, errorName: name };
  if (source !== undefined && (kind === 'missing_group' || kind === 'access_denied')) {
    return { ...base, ...observabilityRefusal(kind, message, request, source) };
  }
  switch (kind) {
    case 'missing_group':
      return { ...base, message: `Log group ${group} does not exist: ${message}`, fix: missingGroupFix(group) };
    case 'access_denied':
      return {
        ...base,
        message: `Access denied reading log group ${group}: ${message}`,
        fix:
          `The responder's role may not call logs:FilterLogEvents on ${group}. The stack grants it only on the log ` +
          "groups in its configuration: add this group to the API's configuration (executionLogGroup, accessLogGroup " +
          'or functionNames) and run `cdk deploy`. If it is configured already, look for a service control policy or ' +
          'permissions boundary that denies logs:FilterLogEvents, and check that the group is in the same account and Region.',
      };
    case 'throttled':
      return {
        ...base,
        message: `CloudWatch Logs throttled reads of ${group} (${attempts} attempt${attempts === 1 ? '' : 's'}): ${message}`,
        fix:
          'FilterLogEvents has a per-account, per-Region request quota shared with every other log reader. The ' +
          'diagnosis covers only the events read before the throttling. Read the rest later with ' +
          `\`${rereadCommand(request, source)}\`, ask for a higher FilterLogEvents quota in Service Quotas, or reduce other ` +
          'concurrent readers of CloudWatch Logs.',
      };
    case 'other':
      return {
        ...base,
        message: `Reading log group ${group} failed: ${name}: ${message}`,
        fix: `See the responder's own log for the full error, then repeat the read with \`${rereadCommand(request, source)}\`.`,
      };
  }
}

/**
 * A read through cross-account observability refused (AccessDenied, ResourceNotFound): most often the source account
 * is not linked to this monitoring account, or its link does not share log groups; it may also be a missing group.
 */
function observabilityRefusal(
  kind: 'missing_group' | 'access_denied',
  message: string,
  request: LogReadRequest,
  source: ObservabilitySource,
): { message: string; fix: string } {
  const group = request.logGroupName;
  const arn = sourceLogGroupArn(source, group);
  const missing =
    kind === 'missing_group' ? ` If the link is in place, the group itself is missing: ${missingGroupFix(group)}` : '';
  return {
    message:
      `Could not read log group ${group} of account ${source.account} (${source.region}) through CloudWatch ` +
      `cross-account observability (${arn}): ${message.trimEnd().replace(/\.$/, '')}.`,
    fix:
      `Link account ${source.account} to this monitoring account in ${source.region} with an OAM link that shares ` +
      'AWS::Logs::LogGroup (and whose log group filter lets this group through), or turn ' +
      "central.logsThroughObservability off so that the responder reads the member's logs through the member " +
      `role, then redeploy; see docs/deploying.md, "Many accounts".${missing}`,
  };
}
