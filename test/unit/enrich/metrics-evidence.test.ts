import { describe, expect, it } from 'vitest';
import {
  assessMetrics,
  DAY_MS,
  MAX_DATA_POINTS,
  type MetricPlan,
  type MetricReading,
  periodFor,
  planMetrics,
} from '../../../lambda/enrich/metrics-evidence.js';

const START = Date.UTC(2026, 10, 25, 3, 0, 0);
const WINDOW = { start: START, end: START + 10 * 60_000 };
const REST = { type: 'REST' as const, name: 'orders-api', apiId: 'a1b2c3d4e5', stage: 'prod' };

/** A reading with the window's and the baseline's value for each query id. */
function reading(plan: MetricPlan, values: Record<string, [number | undefined, number | undefined]>): MetricReading {
  return {
    series: Object.entries(values).map(([id, [window, baseline]]) => ({
      id,
      points: [
        ...(baseline !== undefined ? [{ at: plan.baselineStart, value: baseline }] : []),
        ...(window !== undefined ? [{ at: plan.windowStart, value: window }] : []),
      ],
    })),
  };
}

describe('periodFor', () => {
  it('picks the smallest whole-minute period that divides a day and covers the window', () => {
    expect(periodFor(60_000)).toBe(60);
    expect(periodFor(7 * 60_000)).toBe(480);
    expect(periodFor(61 * 60_000)).toBe(3_600);
  });
});

describe('planMetrics', () => {
  it('asks REST stage metrics by ApiName and Stage, and each function by FunctionName, in one call over window and baseline', () => {
    // Act
    const plan = planMetrics({ api: REST, functions: ['orders-get'] }, WINDOW);
    // Assess
    expect(plan.startTime).toBe(plan.windowStart - DAY_MS);
    expect(plan.endTime).toBe(plan.windowStart + plan.periodSec * 1000);
    expect(plan.endTime).toBeGreaterThanOrEqual(WINDOW.end);
    const fiveXX = plan.queries.find((q) => q.id === 's_5xx');
    expect(fiveXX).toMatchObject({ metricName: '5XXError', dimensions: { ApiName: 'orders-api', Stage: 'prod' } });
    expect(plan.queries.filter((q) => q.subject.kind === 'function').map((q) => `${q.metricName}:${q.stat}`)).toEqual([
      'Errors:Sum',
      'Throttles:Sum',
      'Invocations:Sum',
      'Duration:Maximum',
      'Duration:p99',
      'ConcurrentExecutions:Maximum',
    ]);
    for (const q of plan.queries) expect(q.id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
  });

  it('asks HTTP API metrics by ApiId with their lower-case names', () => {
    const plan = planMetrics({ api: { type: 'HTTP', apiId: 'f6g7h8i9j0', stage: '$default' }, functions: [] }, WINDOW);
    expect(plan.queries.map((q) => q.metricName)).toEqual(['5xx', '4xx', 'Count', 'Latency', 'IntegrationLatency']);
    expect(plan.queries[0]?.dimensions).toEqual({ ApiId: 'f6g7h8i9j0', Stage: '$default' });
  });

  it('leaves out what would not fit one GetMetricData answer and says so', () => {
    // Prepare: one-minute points over a day: 1,441 per query
    const functions = Array.from({ length: 20 }, (_, i) => `fn-${i}`);
    // Act
    const plan = planMetrics({ api: REST, functions }, { start: START, end: START + 60_000 });
    // Assess
    expect(plan.queries.length * (DAY_MS / 60_000 + 1)).toBeLessThanOrEqual(MAX_DATA_POINTS);
    expect(plan.skipped.length).toBeGreaterThan(0);
    expect(plan.skipped[0]).toMatch(/^function fn-\d+$/);
  });
});

describe('assessMetrics', () => {
  const plan = planMetrics({ api: REST, functions: ['orders-get'] }, WINDOW);

  it('says a function was throttled against the day before and its reserved concurrency', () => {
    // Act
    const a = assessMetrics(
      plan,
      reading(plan, { s_5xx: [412, 0], f0_throttles: [412, 0], f0_concurrentexecutions: [5, 2] }),
      {
        limits: [{ name: 'orders-get', reservedConcurrency: 5 }],
      },
    );
    // Assess
    expect(a.signals[0]).toMatchObject({ cause: 'throttling', functionName: 'orders-get', withConfiguration: true });
    expect(a.signals[0]?.line).toBe(
      'orders-get: Throttles 412 in the window (0 the day before), reserved concurrency 5, ConcurrentExecutions max 5 reached it',
    );
  });

  it('says requests hit the 29 s integration timeout when IntegrationLatency reaches it', () => {
    const a = assessMetrics(plan, reading(plan, { s_5xx: [30, 0], s_integrationlatency: [29_000, 120] }));
    expect(a.signals.map((s) => s.cause)).toEqual(['integration_timeout']);
    expect(a.lines).toContain('IntegrationLatency max 29,000 ms: requests hit the 29 s integration timeout');
  });

  it('calls a Duration at a short timeout a function error, and one at or past 29 s an integration timeout', () => {
    const short = assessMetrics(plan, reading(plan, { f0_duration: [3_000, 40], f0_errors: [7, 0] }), {
      limits: [{ name: 'orders-get', timeoutSec: 3 }],
    });
    expect(short.signals[0]).toMatchObject({ cause: 'lambda_function_error', withConfiguration: true });
    expect(short.signals[0]?.line).toBe("Duration max 3,000 ms = orders-get's 3 s timeout: invocations time out");
    const long = assessMetrics(plan, reading(plan, { f0_duration: [30_000, 40] }), {
      limits: [{ name: 'orders-get', timeoutSec: 30 }],
    });
    expect(long.signals[0]?.cause).toBe('integration_timeout');
  });

  it('counts errors only when the duration did not already explain them, and points at nothing on a quiet day', () => {
    const errors = assessMetrics(plan, reading(plan, { f0_errors: [9, 1], f0_invocations: [100, 90] }));
    expect(errors.signals.map((s) => s.line)).toEqual([
      'orders-get: Errors 9 in the window (1 the day before) of 100 invocations',
    ]);
    const quiet = assessMetrics(plan, reading(plan, { s_5xx: [0, 0], f0_errors: [0, 0], f0_throttles: [0, 0] }));
    expect(quiet.signals).toEqual([]);
    expect(quiet.hasData).toBe(true);
    expect(assessMetrics(plan, { series: [] }).hasData).toBe(false);
  });
});
