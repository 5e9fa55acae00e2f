import { describe, expect, it } from 'vitest';
import { checkConfiguration } from '../../../lambda/enrich/check-configuration.js';
import type { CheckPlan, ConfigurationReaderPort, ConfigurationReadLimits } from '../../../lambda/enrich/types.js';
import { VERDICT_LABELS } from '../../../lambda/enrich/types.js';
import { cause, diagnosis, facts, finding, fn, route, T0 } from './helpers.js';

/** A reader that records what it was asked and answers with fixed facts. */
function fakeReader(answer: ReturnType<typeof facts> | Error) {
  const calls: { plan: CheckPlan; limits: ConfigurationReadLimits }[] = [];
  const reader: ConfigurationReaderPort = {
    read: async (plan, limits) => {
      calls.push({ plan, limits });
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { reader, calls };
}

describe('checkConfiguration', () => {
  it('plans from the diagnosis, reads within the deadline and judges every cause', async () => {
    // Prepare
    const d = diagnosis([
      cause('integration_http_method', { functions: ['orders-get'] }),
      cause('lambda_function_error', { functions: ['orders-get'], statuses: [{ key: 502, count: 1 }] }),
    ]);
    const findings = [
      finding('integration_http_method', { functionName: 'orders-get' }),
      finding('lambda_function_error', { functionName: 'orders-get' }),
    ];
    const { reader, calls } = fakeReader(
      facts({
        routes: [
          route('GET', '/orders/{id}', {
            integration: {
              type: 'AWS',
              httpMethod: 'GET',
              uri: 'arn:aws:lambda:us-east-1:123456789012:function:orders-get',
            },
          }),
        ],
        functions: [fn('orders-get')],
      }),
    );

    // Act
    const result = await checkConfiguration(reader, {
      diagnosis: d,
      findings,
      deadlineMs: T0 + 5_000,
      readableFunctions: ['orders-get'],
    });

    // Assess
    expect(calls[0]?.limits).toEqual({ deadlineMs: T0 + 5_000 });
    expect(calls[0]?.plan.routes).toEqual([{ method: 'GET', path: '/orders/{id}' }]);
    expect(calls[0]?.plan.readableFunctions).toEqual(['orders-get']);
    expect(result.checks.map((c) => VERDICT_LABELS[c.verdict])).toEqual([
      'confirmed by configuration',
      'from logs only',
    ]);
    expect(result.lead).toBe('orders-get was updated 4 minutes before the first 500');
  });

  it('answers every cause from the logs only when the reader throws', async () => {
    const { reader } = fakeReader(new Error('socket hang up'));

    const result = await checkConfiguration(reader, {
      diagnosis: diagnosis([cause('lambda_permission')]),
      findings: [finding('lambda_permission')],
      deadlineMs: T0,
    });

    expect(result).toEqual({
      checks: [{ cause: 'lambda_permission', verdict: 'unknown', evidence: [] }],
      changes: [],
      problems: [
        'The configuration checks failed (Error: socket hang up); every cause is reported from the logs only.',
      ],
    });
  });
});
