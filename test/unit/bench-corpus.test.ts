import { describe, expect, it } from 'vitest';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';
import {
  CAUSE_OF_KIND,
  CorpusGenerator,
  type CorpusOptions,
  DEFAULT_API,
  FAILURE_KINDS,
  type FailureKind,
  generateCorpus,
  infoTrace,
  mulberry32,
  type RequestKind,
  truthMismatches,
} from '../../scripts/bench/corpus.js';
import { restTrace, type TraceKind } from '../../scripts/incident.js';

// A small corpus with a high failure rate, so that every failure kind occurs in 5k lines.
const SMALL: CorpusOptions = { seed: 7, targetLines: 5_000, failureRate: 0.25 };

/** What a request's lines say it was, read back from the lines alone (independently of the generator's truth). */
function kindOfLines(texts: readonly string[]): RequestKind {
  const has = (pattern: RegExp) => texts.some((t) => pattern.test(t));
  if (has(/^Method completed with status: 200$/)) return 'ok';
  if (has(/Malformed Lambda proxy response$/)) return 'malformed';
  if (has(/Invalid permissions on Lambda function$/)) return 'permission';
  if (has(/^Execution failed due to a timeout error$/)) return 'timeout';
  if (has(/^Lambda invocation failed with status: 429\./)) return 'throttle';
  if (has(/due to customer function error/)) return 'function_error';
  if (has(/No match for output mapping/)) return 'no_mapping';
  if (has(/Could not parse policy$/)) return 'authorizer';
  if (has(/vpc link error$/)) return 'vpc_link';
  if (has(/Invalid endpoint address$/)) return 'unexplained';
  throw new Error(`request of unknown kind: ${texts.join(' | ')}`);
}

function recount(events: readonly LogEvent[]): Record<RequestKind, number> {
  const byRequest = new Map<string, string[]>();
  for (const e of events) {
    const m = /^\(([^)]+)\) (.*)$/s.exec(e.message);
    if (m?.[1] === undefined || m[2] === undefined) throw new Error(`not an execution log line: ${e.message}`);
    const texts = byRequest.get(m[1]) ?? [];
    texts.push(m[2]);
    byRequest.set(m[1], texts);
  }
  const counts = { ok: 0 } as Record<RequestKind, number>;
  for (const k of FAILURE_KINDS) counts[k] = 0;
  for (const texts of byRequest.values()) counts[kindOfLines(texts)]++;
  return counts;
}

describe('benchmark corpus generator', () => {
  it('mulberry32 gives the same sequence for a seed and another for another seed', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const c = mulberry32(2);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(first);
    for (const x of first) expect(x >= 0 && x < 1).toBe(true);
  });

  it('is deterministic: the same seed gives the same lines and truth, another seed other lines', () => {
    const one = generateCorpus(SMALL);
    const two = generateCorpus(SMALL);
    expect(two.events).toEqual(one.events);
    expect(two.truth).toEqual(one.truth);
    const other = generateCorpus({ ...SMALL, seed: 8 });
    expect(other.events.slice(0, 50)).not.toEqual(one.events.slice(0, 50));
  });

  it('streaming in small chunks gives the same lines as generating at once', () => {
    const whole = generateCorpus(SMALL).events;
    const streamed = [...new CorpusGenerator(SMALL).events(97)];
    expect(streamed).toEqual(whole);
  });

  it('has a ground truth that matches what it generated (5k lines)', () => {
    const { events, truth } = generateCorpus(SMALL);
    expect(truth.lines).toBe(events.length);
    expect(truth.lines).toBeGreaterThanOrEqual(5_000);
    expect(truth.chars).toBe(events.reduce((n, e) => n + e.message.length, 0));
    expect(recount(events)).toEqual(truth.byKind);
    expect(truth.requests).toBe(truth.succeeded + truth.failed);
    for (const kind of FAILURE_KINDS) expect(truth.byKind[kind], kind).toBeGreaterThan(0);
    const byCause: Record<string, number> = {};
    for (const kind of FAILURE_KINDS)
      byCause[CAUSE_OF_KIND[kind]] = (byCause[CAUSE_OF_KIND[kind]] ?? 0) + truth.byKind[kind];
    expect(truth.byCause).toEqual(byCause);
  });

  it('interleaves requests over several streams in time order', () => {
    const { events } = generateCorpus(SMALL);
    expect(new Set(events.map((e) => e.logStreamName)).size).toBe(6);
    for (let i = 1; i < events.length; i++)
      expect((events[i]?.timestamp ?? 0) >= (events[i - 1]?.timestamp ?? 0)).toBe(true);
    // A request's lines are not contiguous: another request's line comes between two of them.
    const idOf = (e: LogEvent | undefined) => /^\(([^)]+)\)/.exec(e?.message ?? '')?.[1];
    const switches = events.filter((e, i) => i > 0 && idOf(e) !== idOf(events[i - 1])).length;
    expect(switches).toBeGreaterThan(events.length / 2);
    // Each request writes to one stream only.
    const streamOf = new Map<string, string | undefined>();
    for (const e of events) {
      const id = idOf(e) ?? '';
      if (streamOf.has(id)) expect(streamOf.get(id)).toBe(e.logStreamName);
      else streamOf.set(id, e.logStreamName);
    }
  });

  it('writes the line shapes of scripts/incident.ts restTrace for the kinds it knows', () => {
    const route = { method: 'GET', resourcePath: '/orders/{id}', path: '/orders/42', functionName: 'orders-get' };
    const ids = {
      requestId: '70a0cf2a-e996-499c-ad6c-b32e6f8a61ca',
      lambdaRequestId: 'c41ff0d1-6986-4b24-9f98-02932a90106a',
      traceHex: '2b0cf5eda79632fa09922f00',
    };
    const at = 1_790_000_123_456;
    // restTrace draws its X-Ray trace id itself: compare with the trace ids masked.
    const mask = (text: string) => text.replace(/\b1-[0-9a-f]{8}-[0-9a-f]{24}\b/g, '<trace>');
    const kinds: TraceKind[] = ['ok', 'malformed', 'permission', 'timeout', 'throttle', 'function_error'];
    for (const kind of kinds) {
      const expected = restTrace(kind, { ...DEFAULT_API, functionName: route.functionName }, route, at, ids).map((l) =>
        mask(l.message.slice(`(${ids.requestId}) `.length)),
      );
      expect(infoTrace(kind, DEFAULT_API, route, at, ids).map(mask), kind).toEqual(expected);
    }
  });

  it('diagnoseEvents agrees with the truth on a small corpus, at INFO and at ERROR level', () => {
    const info = generateCorpus(SMALL);
    const d = diagnoseEvents(info.events).diagnosis;
    expect(truthMismatches(info.truth, d)).toEqual([]);
    expect(d.succeededRequests).toBe(info.truth.succeeded);

    const errors = generateCorpus({ seed: 11, targetFailures: 500, level: 'ERROR', failureRate: 1 });
    expect(errors.truth.failed).toBe(500);
    expect(errors.truth.lines).toBeLessThan(500 * 4);
    expect(truthMismatches(errors.truth, diagnoseEvents(errors.events).diagnosis)).toEqual([]);
  });

  it('reports every difference from the truth', () => {
    const { truth } = generateCorpus(SMALL);
    const causes = Object.entries(truth.byCause).map(([cause, count]) => ({
      cause: cause as (typeof CAUSE_OF_KIND)[FailureKind],
      count: cause === 'throttling' ? count - 1 : count,
    }));
    expect(
      truthMismatches(truth, { failedRequests: truth.failed - 1, succeededRequests: truth.succeeded, causes }),
    ).toEqual([
      `failed requests: diagnosed ${truth.failed - 1}, generated ${truth.failed}`,
      `throttling: diagnosed ${(truth.byCause.throttling ?? 0) - 1}, generated ${truth.byCause.throttling}`,
    ]);
  });
  it('checks a sampled diagnosis by its count and its cause shares', () => {
    const errors = generateCorpus({ seed: 12, targetFailures: 3_000, level: 'ERROR', failureRate: 1 });
    const d = diagnoseEvents(errors.events, { maxClassified: 500 }).diagnosis;
    expect(d.sampling?.stride).toBeGreaterThan(1);
    expect(d.classifiedRequests).toBeLessThanOrEqual(500);
    expect(d.failedRequests).toBe(errors.truth.failed);
    expect(truthMismatches(errors.truth, d)).toEqual([]);
    // The same sample with one cause's share moved by more than the tolerance, or the count off by one, is caught.
    const [top, ...rest] = d.causes;
    if (top === undefined) throw new Error('no cause');
    const moved = Math.ceil(d.classifiedRequests * 0.05);
    const skewed = { ...d, causes: [{ ...top, count: top.count + moved }, ...rest] };
    expect(truthMismatches(errors.truth, { ...skewed, classifiedRequests: d.classifiedRequests + moved })).not.toEqual(
      [],
    );
    const sampling = { totalFailed: errors.truth.failed - 1, exact: true, stride: d.sampling?.stride ?? 2 };
    expect(truthMismatches(errors.truth, { ...d, sampling })).toEqual([
      `failed requests: diagnosed ${errors.truth.failed - 1}, generated ${errors.truth.failed}`,
    ]);
  });
});
