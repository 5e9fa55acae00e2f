import { describe, expect, it } from 'vitest';
import { gatherSignals } from '../../../lambda/enrich/gather-signals.js';
import type { MetricPlan } from '../../../lambda/enrich/metrics-evidence.js';

const START = Date.UTC(2026, 10, 25, 3, 0, 0);
const INPUT = {
  api: { type: 'REST' as const, name: 'orders-api', apiId: 'a1b2c3d4e5', stage: 'prod', region: 'us-east-1' },
  causes: [],
  window: { start: START, end: START + 10 * 60_000 },
  deadlineMs: Number.MAX_SAFE_INTEGER,
  now: () => START + 11 * 60_000,
};

describe('gatherSignals', () => {
  it('never throws: ports that fail (an SDK client that did not load) become lines saying what could not be read', async () => {
    // Act
    const s = await gatherSignals(
      {
        discovery: { discover: () => Promise.reject(new Error('Cannot find module @aws-sdk/client-api-gateway')) },
        metrics: { read: () => Promise.reject(new TypeError('boom')) },
        trail: { read: () => Promise.reject(new Error('no CloudTrail client')) },
      },
      INPUT,
    );
    // Assess
    expect(s.problems).toEqual([
      'Discovering the API failed (Error: Cannot find module @aws-sdk/client-api-gateway); the diagnosis goes on without it.',
      'Reading metrics failed (TypeError: boom); the diagnosis goes on without it.',
      'Reading CloudTrail failed (Error: no CloudTrail client); the diagnosis goes on without it.',
    ]);
    expect(s.inferred).toEqual([]);
  });

  it('reads the metrics of the functions discovery found and of the configured ones, and looks them up in CloudTrail', async () => {
    // Prepare
    let plan: MetricPlan | undefined;
    let resources: readonly string[] = [];
    // Act
    await gatherSignals(
      {
        discovery: {
          discover: async (request) => ({
            api: request.api,
            routes: [],
            functions: [{ name: 'found-fn', via: ['GET /x'], authorizer: false, state: 'not_readable' }],
            problems: [],
          }),
        },
        metrics: {
          read: async (p) => {
            plan = p;
            return { series: [] };
          },
        },
        trail: {
          read: async (r) => {
            resources = r.resources;
            return { events: [], calls: 0, problems: [] };
          },
        },
      },
      { ...INPUT, readableFunctions: ['configured-fn'] },
    );
    // Assess
    const functions = new Set(plan?.queries.flatMap((q) => (q.subject.kind === 'function' ? [q.subject.name] : [])));
    expect([...functions]).toEqual(['found-fn', 'configured-fn']);
    expect(resources).toEqual(['found-fn', 'configured-fn', 'a1b2c3d4e5']);
  });
});
