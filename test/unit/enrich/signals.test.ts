import { describe, expect, it } from 'vitest';
import { loggingFinding } from '../../../lambda/enrich/logging-settings.js';
import { type MetricPlan, planMetrics } from '../../../lambda/enrich/metrics-evidence.js';
import type { ApiDiscovery, DiscoveredFunction, TrailEvent } from '../../../lambda/enrich/signal-types.js';
import { bestChange, judgeSignals, type LogCauseRef } from '../../../lambda/enrich/signals.js';

const START = Date.UTC(2026, 10, 25, 3, 0, 0);
const WINDOW = { start: START, end: START + 10 * 60_000 };
const API = {
  type: 'REST' as const,
  apiId: 'a1b2c3d4e5',
  stage: 'prod',
  region: 'us-east-1',
  accountId: '123456789012',
};
const MINUTE = 60_000;

function fn(overrides: Partial<DiscoveredFunction> = {}): DiscoveredFunction {
  return {
    name: 'orders-get',
    via: ['GET /orders/{id}'],
    authorizer: false,
    state: 'found',
    timeoutSec: 3,
    reservedConcurrency: null,
    route: { method: 'GET', resource: '/orders/{id}' },
    sourceArn: 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/orders/{id}',
    policyState: 'found',
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'apigw',
          Effect: 'Allow',
          Principal: { Service: 'apigateway.amazonaws.com' },
          Action: 'lambda:InvokeFunction',
          Resource: 'arn:aws:lambda:us-east-1:123456789012:function:orders-get',
          Condition: {
            ArnLike: { 'AWS:SourceArn': 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/GET/orders/*' },
          },
        },
      ],
    }),
    ...overrides,
  };
}

function discovery(
  functions: DiscoveredFunction[],
  logging: ApiDiscovery['logging'] = {
    executionLevel: 'INFO',
    accessLogArn: 'arn:aws:logs:us-east-1:123456789012:log-group:access',
  },
): ApiDiscovery {
  return { api: API, logging, routes: [{ method: 'GET', resource: '/orders/{id}' }], functions, problems: [] };
}

function metrics(values: Record<string, number>): {
  plan: MetricPlan;
  reading: { series: { id: string; points: { at: number; value: number }[] }[] };
} {
  const plan = planMetrics({ api: { ...API, name: 'orders-api' }, functions: ['orders-get'] }, WINDOW);
  return {
    plan,
    reading: {
      series: Object.entries(values).map(([id, value]) => ({ id, points: [{ at: plan.windowStart, value }] })),
    },
  };
}

function logCause(cause: LogCauseRef['cause'], count = 10, functions: string[] = []): LogCauseRef {
  return {
    cause,
    count,
    functions,
    authorizerFunctions: [],
    statuses: [{ key: 500, count }],
    firstSeen: START + 5 * MINUTE,
  };
}

function event(eventName: string, resource: string, minutesBefore: number): TrailEvent {
  return {
    eventName,
    resource,
    at: START + 5 * MINUTE - minutesBefore * MINUTE,
    principal: `arn:aws:iam::123456789012:user/${eventName}`,
  };
}

describe('bestChange', () => {
  it("picks the change of the right kind on the cause's resource, not simply the newest", () => {
    // Prepare: the newest change is a code update of another function; the concurrency change is older
    const events = [
      event('UpdateFunctionCode', 'orders-list', 2),
      event('PutFunctionConcurrency', 'orders-get', 40),
      event('UpdateFunctionConfiguration', 'orders-get', 10),
    ];
    // Act
    const best = bestChange(events, 'throttling', ['orders-get'], START + 5 * MINUTE);
    // Assess
    expect(best?.event.eventName).toBe('PutFunctionConcurrency');
    expect(best?.before).toBe(40 * MINUTE);
  });

  it('ignores changes after the first failure and changes that cannot explain the cause', () => {
    const events = [event('RemovePermission', 'orders-get', -3), event('TagResource', 'orders-get', 5)];
    expect(bestChange(events, 'lambda_permission', ['orders-get'], START + 5 * MINUTE)).toBeUndefined();
  });
});

describe('judgeSignals', () => {
  it('infers throttling from metrics and configuration when the logs show nothing, with the fix and its source', () => {
    // Act
    const s = judgeSignals({
      api: API,
      causes: [],
      window: WINDOW,
      discovery: discovery([fn({ reservedConcurrency: 5 })], {}),
      metrics: metrics({ s_5xx: 412, f0_throttles: 412, f0_invocations: 300 }),
    });
    // Assess
    expect(s.inferred[0]).toMatchObject({
      cause: 'throttling',
      sources: ['metrics', 'configuration'],
      route: 'GET /orders/{id}',
    });
    expect(s.inferred[0]?.remedy?.[0]?.command).toContain('get-function-concurrency --function-name');
    expect(s.logging?.state).toContain('Execution logging is off for stage prod (no logging level set).');
  });

  it('says when the logs and the metrics disagree instead of picking one silently', () => {
    // Prepare: the logs say throttling, the function's metrics show no throttles
    const s = judgeSignals({
      api: API,
      causes: [logCause('throttling', 10, ['orders-get'])],
      window: WINDOW,
      discovery: discovery([fn()]),
      metrics: metrics({ s_5xx: 10, f0_throttles: 0, f0_invocations: 500 }),
    });
    // Assess
    expect(s.verdicts[0]?.sources).toEqual(['logs']);
    expect(s.verdicts[0]?.disagreement).toMatch(
      /^The logs show throttling but Lambda metrics show no Throttles for orders-get/,
    );
  });

  it('finds a missing invoke permission from the resource policy, confirmed by the function not being reached, and names the change', () => {
    const s = judgeSignals({
      api: API,
      causes: [],
      window: WINDOW,
      discovery: discovery([fn({ policyState: 'missing' })]),
      metrics: metrics({ s_5xx: 37, f0_invocations: 0 }),
      trail: {
        events: [event('RemovePermission', 'orders-get', 20), event('UpdateFunctionCode', 'orders-get', 2)],
        calls: 2,
        problems: [],
      },
    });
    expect(s.inferred[0]?.cause).toBe('lambda_permission');
    expect(s.inferred[0]?.sources).toEqual(['metrics', 'configuration', 'cloudtrail']);
    expect(s.inferred[0]?.evidence).toContain(
      "orders-get: Invocations 0 in the window while the stage answered 37 5xx: API Gateway's calls did not reach it",
    );
    expect(s.lead).toMatch(/^RemovePermission on orders-get by arn:aws:iam::123456789012:user\/RemovePermission at /);
  });

  it('backs a log cause with the metrics that agree and names the function the ERROR-level logs did not', () => {
    const s = judgeSignals({
      api: API,
      causes: [logCause('lambda_function_error', 6)],
      window: WINDOW,
      discovery: discovery([fn()]),
      metrics: metrics({ s_5xx: 6, f0_duration: 3_000, f0_errors: 6 }),
    });
    expect(s.verdicts[0]).toMatchObject({
      cause: 'lambda_function_error',
      sources: ['logs', 'metrics', 'configuration'],
      functionName: 'orders-get',
      route: 'GET /orders/{id}',
    });
    expect(s.verdicts[0]?.remedy?.[0]?.text).toContain('orders-get');
  });

  it('turns every read problem into a line and still judges what was read', () => {
    const s = judgeSignals({
      api: API,
      causes: [logCause('malformed_lambda_response')],
      window: WINDOW,
      metrics: {
        ...metrics({}),
        reading: { series: [], problem: 'Could not read metrics: access denied to cloudwatch:GetMetricData.' },
      },
      trail: {
        events: [],
        calls: 1,
        problems: ['Could not read CloudTrail: access denied to cloudtrail:LookupEvents.'],
      },
    });
    expect(s.problems).toEqual([
      'Could not read metrics: access denied to cloudwatch:GetMetricData.',
      'Could not read CloudTrail: access denied to cloudtrail:LookupEvents.',
    ]);
    expect(s.verdicts.map((v) => v.sources)).toEqual([['logs']]);
  });
});

describe('loggingFinding', () => {
  it('says nothing when execution logging is at INFO and the access log is on', () => {
    expect(
      loggingFinding(
        {
          executionLevel: 'INFO',
          accessLogArn: 'arn:aws:logs:us-east-1:123456789012:log-group:a',
          cloudwatchRoleArn: 'arn:aws:iam::123456789012:role/r',
        },
        API,
      ),
    ).toBeUndefined();
  });

  it('says ERROR level hides the route and function, with the command to raise it', () => {
    const f = loggingFinding(
      { executionLevel: 'ERROR', accessLogArn: 'arn:aws:logs:us-east-1:123456789012:log-group:a' },
      API,
    );
    expect(f?.hides[0]).toMatch(/^ERROR level writes only the failure lines: no route/);
    expect(f?.fix.map((s) => s.command)).toEqual([
      "aws apigateway update-stage --rest-api-id a1b2c3d4e5 --stage-name prod --region us-east-1 --patch-operations 'op=replace,path=/*/*/logging/loglevel,value=INFO'",
    ]);
  });

  it('for an HTTP API without access log, gives the access-log commands with a JSON format that names the integration error', () => {
    const f = loggingFinding({}, { ...API, type: 'HTTP' });
    expect(f?.state).toEqual([
      'Stage prod writes no access log, and HTTP APIs write no execution log: no request of this API is logged.',
    ]);
    const update = f?.fix.find((s) => s.command?.startsWith('aws apigatewayv2 update-stage'));
    expect(update?.command).toContain('$context.integrationErrorMessage');
    expect(update?.command).toContain('$context.routeKey');
  });
});
