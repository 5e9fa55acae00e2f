/**
 * Reads a {@link MetricPlan} with one CloudWatch GetMetricData call (the plan is bounded to fit one page: at most 500
 * queries and 100,800 data points). Never throws for read problems: access denied, throttling or the deadline become
 * a `problem` line saying what could not be read and how to fix it, and the diagnosis goes on without metrics.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */
import type { CloudWatchClient, GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';
import type { MetricPlan, MetricReading, MetricSeries } from '../enrich/metrics-evidence.js';

export interface MetricsReadLimits {
  /** Epoch ms by which the call must be over. */
  readonly deadlineMs: number;
  /**
   * The clock the deadline is measured with.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** The reader as the responder uses it; never throws for read problems. */
export interface MetricsReaderPort {
  read(plan: MetricPlan, limits: MetricsReadLimits): Promise<MetricReading>;
}

/** Most pages followed if CloudWatch splits the answer after all (the plan is sized for one). */
const MAX_PAGES = 3;

function describe(error: unknown): { name: string; message: string; status?: number } {
  if (error instanceof Error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return { name: error.name, message: error.message, ...(status !== undefined ? { status } : {}) };
  }
  return { name: 'UnknownError', message: String(error) };
}

/** The problem line for a failed GetMetricData call. */
export function metricsProblem(error: unknown): string {
  const { name, message, status } = describe(error);
  const denied = /AccessDenied|Unauthorized|UnrecognizedClient/.test(name) || status === 401 || status === 403;
  const throttled = /Throttl|TooManyRequests|LimitExceeded/.test(name) || status === 429;
  if (denied)
    return `Could not read metrics: access denied to cloudwatch:GetMetricData (${name}). The stack grants it (it cannot be scoped to a resource): redeploy with \`cdk deploy\`, and look for a service control policy or permissions boundary that denies it.`;
  if (throttled)
    return `Could not read metrics: GetMetricData was throttled (${name}); the diagnosis is from logs and configuration only. Read them by hand in the CloudWatch console (API Gateway and Lambda metrics).`;
  if (name === 'DeadlineReachedError' || name === 'AbortError')
    return 'Could not read metrics: GetMetricData did not answer within the time budget; the diagnosis is from logs and configuration only.';
  return `Could not read metrics: ${name}: ${message.slice(0, 200)}; the diagnosis is from logs and configuration only.`;
}

/** Reads metrics with the CloudWatch client it is given (the responder's Region; `cloudwatch:GetMetricData`). */
export class CloudWatchMetricsReader implements MetricsReaderPort {
  constructor(private readonly client: CloudWatchClient) {}

  async read(plan: MetricPlan, limits: MetricsReadLimits): Promise<MetricReading> {
    const first = await this.readOnce(plan, limits);
    const percentile = plan.queries.filter((q) => /^p\d/.test(q.stat));
    const failed = first.error !== undefined ? describe(first.error) : undefined;
    // One query CloudWatch (or a local endpoint) cannot answer fails the whole call: when the service failed on its
    // side, try once more without the percentile queries, so the counts and maxima still come through.
    if (failed !== undefined && (failed.status ?? 0) >= 500 && percentile.length > 0) {
      const second = await this.readOnce(
        { ...plan, queries: plan.queries.filter((q) => !percentile.includes(q)) },
        limits,
      );
      const why = /Deserialization error/.test(failed.message) ? `HTTP ${failed.status ?? 500}` : failed.name;
      const note = `Duration p99 could not be read (GetMetricData failed with percentile queries: ${why}); maxima only.`;
      return {
        series: second.series,
        problem: second.error !== undefined ? `${metricsProblem(second.error)} ${note}` : (second.problem ?? note),
      };
    }
    return {
      series: first.series,
      ...(first.error !== undefined
        ? { problem: metricsProblem(first.error) }
        : first.problem !== undefined
          ? { problem: first.problem }
          : {}),
    };
  }

  private async readOnce(
    plan: MetricPlan,
    limits: MetricsReadLimits,
  ): Promise<{ series: MetricSeries[]; problem?: string; error?: unknown }> {
    if (plan.queries.length === 0) return { series: [] };
    const now = limits.now ?? Date.now;
    const { GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
    const byId = new Map<string, { at: number; value: number }[]>();
    let nextToken: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const remaining = limits.deadlineMs - now();
        if (remaining <= 0) {
          const partial = page > 0 ? ' (only part of the answer was read)' : '';
          return {
            series: toSeries(byId),
            problem: `Metrics: GetMetricData stopped at the time budget${partial}; the diagnosis is from logs and configuration only where metrics are missing.`,
          };
        }
        const out: GetMetricDataCommandOutput = await this.client.send(
          new GetMetricDataCommand({
            StartTime: new Date(plan.startTime),
            EndTime: new Date(plan.endTime),
            ScanBy: 'TimestampAscending',
            MetricDataQueries: plan.queries.map((q) => ({
              Id: q.id,
              ReturnData: true,
              MetricStat: {
                Metric: {
                  Namespace: q.namespace,
                  MetricName: q.metricName,
                  Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
                },
                Period: plan.periodSec,
                Stat: q.stat,
              },
            })),
            ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
          }),
          { abortSignal: AbortSignal.timeout(Math.max(1, Math.ceil(remaining))) },
        );
        for (const r of out.MetricDataResults ?? []) {
          if (r.Id === undefined) continue;
          const points = byId.get(r.Id) ?? [];
          const times = r.Timestamps ?? [];
          const values = r.Values ?? [];
          for (let i = 0; i < Math.min(times.length, values.length); i++) {
            const at = times[i]?.getTime();
            const value = values[i];
            if (at !== undefined && value !== undefined) points.push({ at, value });
          }
          byId.set(r.Id, points);
        }
        nextToken = out.NextToken;
        if (nextToken === undefined || nextToken === '') break;
      }
      return { series: toSeries(byId) };
    } catch (error) {
      return { series: toSeries(byId), error };
    }
  }
}

function toSeries(byId: Map<string, { at: number; value: number }[]>): MetricSeries[] {
  return [...byId.entries()].map(([id, points]) => ({ id, points }));
}
