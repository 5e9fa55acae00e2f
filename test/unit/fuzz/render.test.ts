/**
 * Fuzz properties of the whole pure core, log events to every rendering: no exception escapes, log text cannot
 * mention or link in Slack nor control a terminal, the subject is short ASCII, and the size stays bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DiagnosisApi } from '../../../lambda/summarize/diagnosis.js';
import { anyText, logEvents, manyEvents, NASTY_FRAGMENTS, reIdentifiedBlock, runs, timestamp } from './arbitraries.js';
import { expectRenderingsSafe, expectSlackSafe, expectTextSafe } from './invariants.js';
import { diagnoseAndRender, renderAll } from './pipeline.js';

const api: fc.Arbitrary<DiagnosisApi | undefined> = fc.option(
  fc.record(
    {
      type: fc.constantFrom<'REST' | 'HTTP'>('REST', 'HTTP'),
      name: fc.oneof(anyText, fc.constant('orders-api')),
      apiId: fc.oneof(fc.constant('a1b2c3d4e5'), anyText),
      stage: fc.oneof(fc.constant('prod'), anyText),
      region: fc.oneof(fc.constant('us-east-1'), anyText),
      accountId: fc.oneof(fc.constant('123456789012'), anyText),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

const window = fc.option(
  fc
    .tuple(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 3_600_000 }))
    .map(([start, length]) => ({ start, end: start + length })),
  { nil: undefined },
);

describe('diagnoseEvents and every renderer', () => {
  it('never throw and keep every safety property, for hostile events', () => {
    fc.assert(
      fc.property(
        logEvents(),
        api,
        window,
        fc.array(anyText, { maxLength: 3 }),
        fc.record({ executionLogRead: fc.boolean(), stageVariableFunctions: fc.array(anyText, { maxLength: 2 }) }),
        (events, given, win, readProblems, context) => {
          const { renderings } = diagnoseAndRender(events, {
            ...(given !== undefined ? { api: given } : {}),
            ...(win !== undefined ? { window: win } : {}),
            readProblems,
            context,
          });
          expectRenderingsSafe(renderings);
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it('stay bounded for diagnoses of a few thousand hostile events', () => {
    fc.assert(
      fc.property(manyEvents(150), (events) => {
        const { renderings } = diagnoseAndRender(events);
        expectRenderingsSafe(renderings);
      }),
      { numRuns: runs(25) },
    );
  });

  it('keep Slack under 20,000 characters for realistic incidents of up to a few thousand events', () => {
    // The real fixture lines, re-identified: every cause at once, many times over.
    const realistic = fc
      .array(reIdentifiedBlock, { minLength: 20, maxLength: 200 })
      .map((blocks) => blocks.flat().map((message) => ({ message })));
    fc.assert(
      fc.property(realistic, (events) => {
        const { renderings } = diagnoseAndRender(events);
        expect(renderings.slack.length).toBeLessThan(20_000);
      }),
      { numRuns: runs(10) },
    );
  });

  it('neutralize hostile text wherever it lands: routes, ids, function names, errors, read problems', () => {
    const fragment = fc.oneof(fc.constantFrom(...NASTY_FRAGMENTS), anyText);
    fc.assert(
      fc.property(fragment, fragment, fragment, timestamp, (a, b, c, ts) => {
        const id = `r${a.length}${b.length}`;
        const events = [
          `(${id}) HTTP Method: GET, Resource Path: /orders/${a.replace(/\s/g, '')}`,
          `(${id}) Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders-get/invocations`,
          `(${id}) Endpoint response body before transformations: ${b}`,
          `(${id}) Execution failed due to configuration error: Malformed Lambda proxy response ${c}`,
          `(${id}) Method completed with status: 502`,
          JSON.stringify({ requestId: a, status: '500', routeKey: `GET /${b}`, integrationErrorMessage: c }),
          `2026-11-25T16:47:18.139Z\t591db018-2c8a-41f7-bfeb-f3c5a21bcd46\tERROR\tInvoke Error \t${JSON.stringify({ errorType: a, errorMessage: b, stack: [c] })}`,
          `(${id}2) ${a} ${b}`,
          `(${id}2) Method completed with status: 500`,
        ].map((message) => ({ message, ...(ts !== undefined ? { timestamp: ts } : {}) }));
        const { renderings } = diagnoseAndRender(events, {
          api: { name: a, stage: b, apiId: c },
          readProblems: [a, b, c],
        });
        expectRenderingsSafe(renderings);
      }),
      { numRuns: runs(400) },
    );
  });

  it('render any well-formed diagnosis structure, whatever its strings', () => {
    // The renderers' own contract, apart from how the diagnosis was made: counts, strings and lists at their bounds.
    const text = fc.oneof(anyText, fc.constantFrom(...NASTY_FRAGMENTS));
    const count = <K>(key: fc.Arbitrary<K>) => fc.record({ key, count: fc.integer({ min: 1, max: 10_000 }) });
    const causeId = fc.constantFrom(
      'lambda_function_error',
      'lambda_permission',
      'malformed_lambda_response',
      'integration_timeout',
      'unknown',
    ) as fc.Arbitrary<'unknown'>;
    const cause = fc.record({
      cause: causeId,
      title: text,
      count: fc.integer({ min: 1, max: 10_000 }),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
      statusOnly: fc.nat(10),
      statuses: fc.array(count(fc.option(fc.integer({ min: 500, max: 599 }), { nil: null })), { maxLength: 4 }),
      routes: fc.array(count(text), { maxLength: 10 }),
      sampleRequestIds: fc.array(text, { maxLength: 5 }),
      evidence: fc.array(text, { maxLength: 5 }),
      functions: fc.array(text, { maxLength: 5 }),
      authorizerFunctions: fc.array(text, { maxLength: 5 }),
      hints: fc.constant([]),
      rules: fc.array(text, { maxLength: 3 }),
      backend: fc.array(count(text), { maxLength: 5 }),
      remedy: fc.array(fc.record({ text, command: fc.option(text, { nil: undefined }) }, { requiredKeys: ['text'] }), {
        maxLength: 6,
      }),
      beside: fc.array(
        fc.record(
          {
            cause: causeId,
            title: text,
            kind: fc.constantFrom('inferred', 'verdict') as fc.Arbitrary<'inferred'>,
            count: fc.integer({ min: 1, max: 10_000 }),
            evidence: fc.array(text, { maxLength: 2 }),
            note: text,
          },
          { requiredKeys: ['cause', 'title', 'kind', 'count', 'evidence'] },
        ),
        { maxLength: 2 },
      ),
    });
    const diagnosis = fc.record({
      api: fc.record({ name: text, apiId: text, stage: text, region: text }, { requiredKeys: [] }),
      failedRequests: fc.nat(100_000),
      classifiedRequests: fc.nat(100_000),
      succeededRequests: fc.nat(100_000),
      linesRead: fc.nat(1_000_000),
      causes: fc.array(cause, { maxLength: 15 }),
      byStatus: fc.array(count(fc.option(fc.integer({ min: 100, max: 599 }), { nil: null })), { maxLength: 5 }),
      byRoute: fc.array(fc.record({ key: text, count: fc.nat(1000), topCause: causeId }), { maxLength: 10 }),
      unknownTemplates: fc.array(fc.record({ template: text, count: fc.nat(1000) }), { maxLength: 5 }),
      backendUnjoined: fc.array(count(text), { maxLength: 5 }),
      unreadable: fc.array(text, { maxLength: 4 }),
      limits: fc.array(text, { maxLength: 8 }),
    });
    fc.assert(
      fc.property(diagnosis, (d) => {
        const r = renderAll(d);
        expectTextSafe(r.text);
        expectSlackSafe(r.slack);
        JSON.parse(r.json);
        expect(r.subject).toMatch(/^[\x20-\x7E]{0,100}$/);
      }),
      { numRuns: runs(300) },
    );
  });
});
