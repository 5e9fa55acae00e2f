import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Pending, PendingIndex, prefixKeyOfId, prefixKeyOfLine } from '../../lambda/trace/pending-index.js';
import { TraceBuilder } from '../../lambda/trace/trace-builder.js';

function pending(id: string, order: number): Pending {
  return { id, key: prefixKeyOfId(id), events: [], order };
}

describe('PendingIndex', () => {
  it('gives a line and its id the same key, and none to a short id or a non-execution line', () => {
    const id = '5cb7ee58-39e6-11e9-be7e-29aff96747f2';
    expect(prefixKeyOfLine(`(${id}) Method completed with status: 200`)).toBe(prefixKeyOfId(id));
    expect(prefixKeyOfId('abc')).toBe(-1);
    expect(prefixKeyOfLine('(abc) Method completed with status: 200')).toBe(-1);
    expect(prefixKeyOfLine('(5cb7 ee58) x')).toBe(-1);
    expect(prefixKeyOfLine('START RequestId: 5cb7ee58')).toBe(-1);
    expect(prefixKeyOfLine('(')).toBe(-1);
  });

  it('finds a line only under its exact id: same first characters, a longer id or a shorter one are other requests', () => {
    const index = new PendingIndex();
    const a = pending('5cb7ee58-aaaa', 0);
    const b = pending('5cb7ee58-bbbb', 1); // same first seven characters as a: kept by id
    const short = pending('x1', 2);
    for (const p of [a, b, short]) index.add(p);
    expect(index.size).toBe(3);
    expect(index.findByLine('(5cb7ee58-aaaa) text')).toBe(a);
    // b shares a's key: the fast lookup does not take a for it, get() finds it by id.
    expect(index.findByLine('(5cb7ee58-bbbb) text')).toBeUndefined();
    expect(index.get('5cb7ee58-bbbb')).toBe(b);
    expect(index.findByLine('(5cb7ee58-aaaaa) text')).toBeUndefined();
    expect(index.findByLine('(5cb7ee58-aaa) text')).toBeUndefined();
    expect(index.get('x1')).toBe(short);
    expect(index.oldest()).toBe(a);
    index.delete(a);
    expect(index.findByLine('(5cb7ee58-aaaa) text')).toBeUndefined();
    expect(index.get('5cb7ee58-bbbb')).toBe(b);
    expect(index.oldest()).toBe(b);
    index.delete(b);
    index.delete(short);
    expect(index.size).toBe(0);
  });

  it('keeps requests whose ids share their first characters apart in the trace builder', () => {
    const builder = new TraceBuilder();
    const ids = ['abcdefg-1', 'abcdefg-2', 'abcdefg-3', 'ab', 'abcdefg'];
    const group = 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod';
    for (const [i, id] of ids.entries()) {
      builder.add({ message: `(${id}) HTTP Method: GET, Resource Path: /r${i}`, logGroupName: group, timestamp: i });
    }
    for (const [i, id] of ids.entries()) {
      const status = i % 2 === 0 ? 502 : 200;
      builder.add({
        message: `(${id}) Method completed with status: ${status}`,
        logGroupName: group,
        timestamp: 10 + i,
      });
    }
    const set = builder.finish();
    expect(set.succeeded).toBe(2);
    expect(set.traces.map((t) => [t.requestId, t.path, t.status, t.lines.length])).toEqual([
      ['abcdefg-1', '/r0', 502, 2],
      ['abcdefg-3', '/r2', 502, 2],
      ['abcdefg', '/r4', 502, 2],
    ]);
  });
});

describe('TraceBuilder grouping (property)', () => {
  it('groups any interleaving of requests by exact id, whatever their ids share', () => {
    const idArb = fc.constantFrom('abcdefg', 'abcdefg1', 'abcdefg2', 'abcdefg12', 'abcdefh', 'ab', 'a', 'zzzzzzzzzz');
    const lineArb = fc.record({
      id: idArb,
      text: fc.constantFrom(
        'HTTP Method: GET, Resource Path: /x',
        'Endpoint request body after transformations: {}',
        'Execution failed due to a timeout error',
      ),
    });
    fc.assert(
      fc.property(
        fc.array(lineArb, { maxLength: 60 }),
        fc.dictionary(idArb, fc.constantFrom(200, 404, 500, 502, 504)),
        (lines, statuses) => {
          const builder = new TraceBuilder();
          const expected = new Map<string, number>();
          let t = 0;
          for (const { id, text } of lines) {
            builder.add({ message: `(${id}) ${text}`, timestamp: t++ });
            expected.set(id, (expected.get(id) ?? 0) + 1);
          }
          for (const [id, status] of Object.entries(statuses)) {
            builder.add({ message: `(${id}) Method completed with status: ${status}`, timestamp: t++ });
            expected.set(id, (expected.get(id) ?? 0) + 1);
          }
          const set = builder.finish();
          const failed = Object.entries(statuses)
            .filter(([, s]) => s >= 500)
            .map(([id]) => id);
          expect(set.traces.map((tr) => tr.requestId).sort()).toEqual([...failed].sort());
          for (const tr of set.traces) {
            expect(tr.lines).toHaveLength(expected.get(tr.requestId) ?? -1);
            expect(tr.status).toBe(statuses[tr.requestId]);
          }
          expect(set.succeeded).toBe(Object.values(statuses).filter((s) => s < 500).length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
