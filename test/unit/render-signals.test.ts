import { describe, expect, it } from 'vitest';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import { planMetrics } from '../../lambda/enrich/metrics-evidence.js';
import type { ApiDiscovery } from '../../lambda/enrich/signal-types.js';
import { judgeSignals } from '../../lambda/enrich/signals.js';
import { renderSlackPayload } from '../../lambda/render/slack-blocks.js';
import { renderSubject } from '../../lambda/render/subject.js';
import { headline, renderText } from '../../lambda/render/text.js';

const START = Date.UTC(2026, 10, 25, 3, 0, 0);
const WINDOW = { start: START, end: START + 10 * 60_000 };
const API = {
  type: 'HTTP' as const,
  apiId: 'f6g7h8i9j0',
  stage: 'prod',
  region: 'us-east-1',
  accountId: '123456789012',
};

/** A thin-log diagnosis: no log line, a function API Gateway may not invoke, removed by a principal whose name is hostile. */
function thinDiagnosis() {
  const { diagnosis } = diagnoseEvents([], {
    api: { type: 'HTTP', apiId: API.apiId, stage: 'prod', region: 'us-east-1' },
    window: WINDOW,
  });
  const discovery: ApiDiscovery = {
    api: API,
    logging: {},
    routes: [{ method: 'GET', resource: '/orders/{id}' }],
    functions: [
      {
        name: 'orders-get',
        via: ['GET /orders/{id}'],
        authorizer: false,
        state: 'found',
        policyState: 'missing',
        route: { method: 'GET', resource: '/orders/{id}' },
      },
    ],
    problems: [],
  };
  const plan = planMetrics({ api: API, functions: ['orders-get'] }, WINDOW);
  const signals = judgeSignals({
    api: API,
    causes: [],
    window: WINDOW,
    discovery,
    metrics: {
      plan,
      reading: {
        series: [
          { id: 's_5xx', points: [{ at: plan.windowStart, value: 37 }] },
          { id: 'f0_invocations', points: [{ at: plan.windowStart, value: 0 }] },
        ],
      },
    },
    trail: {
      events: [
        {
          eventName: 'RemovePermission',
          resource: 'orders-get',
          at: START - 20 * 60_000,
          principal: 'arn:aws:sts::123456789012:assumed-role/<!channel>/x',
          detail: 'statementId <https://evil.example|click>',
        },
        {
          eventName: 'UpdateFunctionConfiguration',
          resource: 'orders-get',
          at: START - 30 * 60_000,
          detail: 'description Authorization: Bearer abc.def.ghi',
        },
      ],
      calls: 1,
      problems: [],
    },
  });
  return { ...diagnosis, signals };
}

describe('rendering a diagnosis from metrics, configuration and CloudTrail', () => {
  it('leads with the inferred cause, its sources and the change, and puts it in the subject', () => {
    const d = thinDiagnosis();
    const [cause, route] = headline(d);
    expect(cause).toMatch(
      /^Cause: 500 missing Lambda invoke permission: orders-get has no resource policy: .* \(from metrics \+ configuration \+ cloudtrail; logging is off or thin\); changed: RemovePermission on orders-get/,
    );
    expect(route).toBe(
      "Route: GET /orders/{id} (from the API's configuration) on f6g7h8i9j0/prod (us-east-1), function orders-get",
    );
    expect(renderSubject(d)).toBe(
      '[ALARM] f6g7h8i9j0/prod: 500 missing Lambda invoke permission (from metrics+config+cloudtrail)',
    );
  });

  it('keeps CloudTrail text redacted in the email and escaped in Slack', () => {
    const d = thinDiagnosis();
    const text = renderText(d);
    expect(text).not.toContain('Bearer abc.def.ghi');
    const slack = JSON.stringify(renderSlackPayload(d));
    expect(slack).not.toContain('<!channel>');
    expect(slack).not.toContain('<https://evil.example|click>');
    expect(slack).toContain('Logging');
    expect(slack).toContain('From metrics + configuration + cloudtrail');
    expect(slack).toContain('assumed-role/&lt;');
    expect(text).toContain('UpdateFunctionConfiguration on orders-get (description Authorization: [REDACTED]');
  });
});
