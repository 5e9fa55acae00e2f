/**
 * What changed, and who changed it: CloudTrail management events (Event history, no trail needed) for the API and
 * the functions behind it, over the hours before the first failure.
 *
 * LookupEvents takes one lookup attribute per call and "the rate of lookup requests is limited to two per second,
 * per account, per Region" (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
 * The reader therefore budgets its calls: one lookup by ResourceName per resource (most implicated first), at most
 * `maxCalls` in all, spaced at least `minIntervalMs` apart, one retry after a throttle, all inside the deadline.
 * Read-only events (Get*, List*) are dropped. Never throws for read problems.
 */
import type { CloudTrailClient, LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import type { TrailEvent, TrailReading } from '../enrich/signal-types.js';

export interface TrailLookupRequest {
  /** Resource names to look up, most implicated first: function names, the API id. */
  readonly resources: readonly string[];
  /** The API id: API Gateway changes are also looked up by event source and matched on it. */
  readonly apiId?: string;
  /** Epoch ms. */
  readonly startTime: number;
  readonly endTime: number;
  /** Epoch ms by which every call must be over. */
  readonly deadlineMs: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface TrailReaderPort {
  read(request: TrailLookupRequest): Promise<TrailReading>;
}

export interface CloudTrailReaderOptions {
  /**
   * Most LookupEvents calls per alarm.
   * @default 6
   */
  readonly maxCalls?: number;
  /**
   * Least time between two calls (two per second per account and Region).
   * @default 500
   */
  readonly minIntervalMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Most events kept. */
const MAX_EVENTS = 40;

/** `RemovePermission20150331v2` → `RemovePermission` (Lambda's CloudTrail event names carry the API version). */
export function baseEventName(name: string): string {
  return name.replace(/\d{8}(?:v\d+)?$/, '');
}

function isReadOnly(name: string, readOnly: string | undefined): boolean {
  if (readOnly === 'true') return true;
  return /^(?:Get|List|Describe|Lookup)/.test(baseEventName(name));
}

interface RawRecord {
  userIdentity?: { arn?: string; principalId?: string; userName?: string; invokedBy?: string; type?: string };
  requestParameters?: Record<string, unknown> | null;
  errorCode?: string;
}

const DETAIL_KEYS: readonly string[] = [
  'statementId',
  'name',
  'functionVersion',
  'reservedConcurrentExecutions',
  'stageName',
  'restApiId',
  'apiId',
  'routeId',
  'integrationId',
  'authorizerId',
  'timeout',
  'memorySize',
];

/** The short detail of a request: its identifying parameters, bounded. */
function detailOf(params: Record<string, unknown> | null | undefined): string | undefined {
  if (params === null || params === undefined) return undefined;
  const parts: string[] = [];
  for (const key of DETAIL_KEYS) {
    const v = params[key];
    if (typeof v === 'string' || typeof v === 'number') parts.push(`${key} ${String(v).slice(0, 80)}`);
  }
  const ops = params.patchOperations ?? params.patchOperation;
  if (Array.isArray(ops)) {
    for (const op of ops.slice(0, 3)) {
      if (typeof op === 'object' && op !== null) {
        const o = op as { op?: unknown; path?: unknown; value?: unknown };
        parts.push(
          `${String(o.op ?? '')} ${String(o.path ?? '')}${o.value !== undefined ? `=${String(o.value).slice(0, 60)}` : ''}`,
        );
      }
    }
  }
  return parts.length > 0 ? parts.join(', ').slice(0, 300) : undefined;
}

/** One LookupEvents event as a {@link TrailEvent}; undefined when it is read-only, failed or unreadable. */
export function trailEventOf(
  e: NonNullable<LookupEventsCommandOutput['Events']>[number],
  resource: string,
): TrailEvent | undefined {
  const name = e.EventName;
  const at = e.EventTime?.getTime();
  if (name === undefined || at === undefined || isReadOnly(name, e.ReadOnly)) return undefined;
  let record: RawRecord = {};
  try {
    record = JSON.parse(e.CloudTrailEvent ?? '{}') as RawRecord;
  } catch {
    record = {};
  }
  // A call that failed (AccessDenied, validation) changed nothing.
  if (record.errorCode !== undefined) return undefined;
  const who = record.userIdentity;
  const principal = who?.arn ?? who?.invokedBy ?? e.Username ?? who?.principalId;
  const detail = detailOf(record.requestParameters);
  return {
    eventName: baseEventName(name),
    ...(e.EventSource !== undefined ? { eventSource: e.EventSource } : {}),
    at,
    ...(principal !== undefined ? { principal } : {}),
    resource,
    ...(detail !== undefined ? { detail } : {}),
    ...(e.EventId !== undefined ? { eventId: e.EventId } : {}),
  };
}

function problemOf(error: unknown): string {
  const name = error instanceof Error ? error.name : 'UnknownError';
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (/AccessDenied|Unauthorized/.test(name) || status === 403)
    return `Could not read CloudTrail: access denied to cloudtrail:LookupEvents (${name}). The stack grants it (it cannot be scoped to a resource): redeploy with \`cdk deploy\`, and look for a service control policy that denies it. Check by hand: \`aws cloudtrail lookup-events --lookup-attributes AttributeKey=ResourceName,AttributeValue=<function-name>\`.`;
  // An answer that is not CloudTrail's JSON (an error page, an endpoint without LookupEvents): say so, not the parser's text.
  if (/Deserialization error/.test(message) || (status !== undefined && status >= 500))
    return `Could not read CloudTrail: LookupEvents failed on the service side (HTTP ${status ?? 'error'}, not a CloudTrail answer). Check by hand: \`aws cloudtrail lookup-events --lookup-attributes AttributeKey=ResourceName,AttributeValue=<function-name>\`.`;
  return `Could not read CloudTrail: ${name}: ${message.slice(0, 200)}. Check by hand: \`aws cloudtrail lookup-events --lookup-attributes AttributeKey=ResourceName,AttributeValue=<function-name>\`.`;
}

/** Looks up changes with the CloudTrail client it is given (`cloudtrail:LookupEvents`). */
export class CloudTrailChangeReader implements TrailReaderPort {
  private readonly maxCalls: number;
  private readonly minIntervalMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: CloudTrailClient,
    options: CloudTrailReaderOptions = {},
  ) {
    this.maxCalls = Math.max(1, options.maxCalls ?? 6);
    this.minIntervalMs = Math.max(0, options.minIntervalMs ?? 500);
    this.sleep = options.sleep ?? ((ms) => new Promise((done) => setTimeout(done, ms)));
  }

  async read(request: TrailLookupRequest): Promise<TrailReading> {
    const now = request.now ?? Date.now;
    const { LookupEventsCommand } = await import('@aws-sdk/client-cloudtrail');
    const events: TrailEvent[] = [];
    const problems: string[] = [];
    const seen = new Set<string>();
    let calls = 0;
    let last: number | undefined;
    const lookups: { key: 'ResourceName' | 'EventSource'; value: string; resource: string }[] = [
      ...[...new Set(request.resources)].map((r) => ({ key: 'ResourceName' as const, value: r, resource: r })),
      ...(request.apiId !== undefined
        ? [{ key: 'EventSource' as const, value: 'apigateway.amazonaws.com', resource: request.apiId }]
        : []),
    ];
    const skipped: string[] = [];
    for (const lookup of lookups) {
      if (calls >= this.maxCalls) {
        skipped.push(lookup.value);
        continue;
      }
      let attempt = 0;
      for (;;) {
        if (last !== undefined) {
          const wait = last + this.minIntervalMs * (attempt > 0 ? 2 : 1) - now();
          if (wait > 0) await this.sleep(wait);
        }
        const remaining = request.deadlineMs - now();
        if (remaining <= 0) {
          problems.push(
            `CloudTrail lookups stopped at the time budget after ${calls} call(s): changes to ${lookup.value} and later resources were not read.`,
          );
          return { events: sorted(events), calls, problems };
        }
        calls++;
        last = now();
        try {
          const out = await this.client.send(
            new LookupEventsCommand({
              LookupAttributes: [{ AttributeKey: lookup.key, AttributeValue: lookup.value }],
              StartTime: new Date(request.startTime),
              EndTime: new Date(request.endTime),
              MaxResults: 50,
            }),
            { abortSignal: AbortSignal.timeout(Math.max(1, Math.ceil(remaining))) },
          );
          for (const raw of out.Events ?? []) {
            const event = trailEventOf(raw, lookup.resource);
            if (event === undefined) continue;
            // By event source, keep only the changes that name this API.
            if (lookup.key === 'EventSource' && !(raw.CloudTrailEvent ?? '').includes(`"${request.apiId ?? ''}"`))
              continue;
            const key = event.eventId ?? `${event.eventName}@${event.at}@${event.resource}`;
            if (seen.has(key) || events.length >= MAX_EVENTS) continue;
            seen.add(key);
            events.push(event);
          }
          break;
        } catch (error) {
          const name = error instanceof Error ? error.name : '';
          if (/Throttl|TooManyRequests/.test(name) && attempt === 0 && calls < this.maxCalls) {
            attempt++;
            continue;
          }
          // Denied, unsupported or failing: the next lookups would meet the same; stop here.
          problems.push(problemOf(error));
          return { events: sorted(events), calls, problems };
        }
      }
    }
    if (skipped.length > 0)
      problems.push(
        `CloudTrail: ${skipped.length} lookup(s) left out to stay within LookupEvents' rate (two per second per account and Region): ${skipped.join(', ')}.`,
      );
    return { events: sorted(events), calls, problems };
  }
}

function sorted(events: TrailEvent[]): TrailEvent[] {
  return events.sort((a, b) => b.at - a.at);
}
