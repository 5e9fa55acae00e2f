/**
 * A JSON object printed over several lines (pretty-printed by jq or python -m json.tool, or cut at a width by fold or
 * a terminal) is read as the one line it was: through parseInput (whole text) and streamEvents (chunks, the lazy byte
 * path `diagnose` uses included). Lines that turn out to be no such object are read one by one, as before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonObjectJoiner } from '../../lambda/parse/forms/json-join.js';
import type { InputProblem } from '../../lambda/parse/input.js';
import { parseInput, streamEvents } from '../../lambda/parse/input-stream.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';

const ID = '8969f48b-3571-4d4a-9a6e-a1b9d3163409';

// Key names as API Gateway's console offers the REST JSON access log format (the record of
// https://github.com/DataBiosphere/azul/issues/6284, test/fixtures/causes/integration_timeout).
const ACCESS = {
  requestId: 'b79b637f-d054-492d-b932-f53ccfc5ea0a',
  extendedRequestId: 'gmK6azPMo8iExAW=',
  httpMethod: 'POST',
  resourcePath: '/reports',
  status: '504',
  error_message: 'Endpoint request timed out',
  error_responseType: 'INTEGRATION_TIMEOUT',
  integration_latency: '29000',
  requestTime: '25/Nov/2026:03:12:05 +0000',
};

/** `fold -w width`. */
function fold(line: string, width: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < line.length; i += width) parts.push(line.slice(i, i + width));
  return parts;
}

function text(lines: readonly string[]): string {
  return `${lines.join('\n')}\n`;
}

function read(input: string) {
  const { events, problems, report } = parseInput(input);
  return { messages: events.map((e) => e.message), lines: events.map((e) => e.line), problems, report };
}

async function streamed(input: string, chunk: number, lazy: boolean) {
  const bytes = Buffer.from(input);
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const events: LogEvent[] = [];
  const problems: InputProblem[] = [];
  for await (const e of streamEvents(chunks(), (p) => problems.push(p), { lazy })) events.push(e);
  return { messages: events.map((e) => e.message), lines: events.map((e) => e.line), problems };
}

describe('a JSON access log line printed over several lines', () => {
  it('pretty-printed by jq (two spaces) or json.tool (four), one object after another, is each its own line', () => {
    // Prepare
    const second = { ...ACCESS, requestId: '3540d8fe-11a8-4535-ab04-0bb8b75d97c2', status: '502' };
    const input = text([
      ...JSON.stringify(ACCESS, null, 2).split('\n'),
      ...JSON.stringify(second, null, 4).split('\n'),
    ]);
    // Act
    const r = read(input);
    // Assess: two access log lines, each at the line its object opens on; nothing left unread or reported.
    expect(r.messages.map((m) => JSON.parse(m))).toEqual([ACCESS, second]);
    expect(r.lines).toEqual([1, 12]);
    expect(r.problems).toEqual([]);
    expect(r.report.unrecognised).toBe(0);
  });

  it('cut at 80 columns is one line again, whatever the width (40 to 200)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 40, max: 200 }),
        fc.array(fc.record({ status: fc.constantFrom('500', '502', '504'), id: fc.uuid() }), {
          minLength: 1,
          maxLength: 4,
        }),
        (width, records) => {
          // Prepare
          const compact = records.map((r) => JSON.stringify({ ...ACCESS, requestId: r.id, status: r.status }));
          // Act
          const r = read(text(compact.flatMap((l) => fold(l, width))));
          // Assess
          expect(r.messages).toEqual(compact);
          expect(r.problems).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads the same streamed in small chunks, on the lazy byte path too, with execution lines between', async () => {
    // Prepare: a folded access log line whose continuation starts with `(` (as an execution line does) between
    // execution lines.
    const access = JSON.stringify({ ...ACCESS, error_message: '(timeout) Endpoint request timed out' });
    const input = text([
      `(${ID}) Method request body before transformations: `,
      ...fold(access, 80),
      `(${ID}) Execution failed due to a timeout error`,
      `(${ID}) Method completed with status: 504`,
    ]);
    const whole = read(input);
    // Act / Assess
    expect(whole.messages).toContain(access);
    for (const chunk of [7, 64, 4096]) {
      for (const lazy of [false, true]) {
        const s = await streamed(input, chunk, lazy);
        expect(s.messages).toEqual(whole.messages);
        expect(s.lines).toEqual(whole.lines);
      }
    }
  });

  it('a continuation that reads as an execution line stays part of the object on the lazy byte path', async () => {
    // Prepare: a filter-log-events event cut where its message starts, so that the next line is `(id) text`.
    const message = `(${ID}) Method completed with status: 502`;
    const event = JSON.stringify({
      logStreamName: '659876710097e9b16b4ed2507a5788a1',
      timestamp: 1795576325184,
      message,
    });
    const folded = fold(event, event.indexOf('('));
    expect(folded[1]?.startsWith(`(${ID}) `)).toBe(true);
    // Act
    const s = await streamed(text(folded), 1 << 16, true);
    // Assess: one event, the message whole.
    expect(s.messages).toEqual([message]);
  });

  it('filter-log-events events pretty-printed (jq .events[]) are CloudWatch events with their fields', () => {
    const events = [
      { logStreamName: 's1', timestamp: 1795576325184, message: `(${ID}) Method completed with status: 502` },
      { logStreamName: 's1', timestamp: 1795576325185, message: `(${ID}) Execution failed due to a timeout error` },
    ];
    const r = parseInput(text(events.flatMap((e) => JSON.stringify(e, null, 2).split('\n'))));
    expect(r.events.map((e) => [e.message, e.timestamp, e.logStreamName])).toEqual(
      events.map((e) => [e.message, e.timestamp, e.logStreamName]),
    );
  });
});

describe('lines that are no such object are read one by one, as before', () => {
  it('a JSON line cut short is reported, and every line after it read', () => {
    // Prepare: a line cut at 60 characters (no fold: the next lines are longer).
    const cut = JSON.stringify(ACCESS).slice(0, 60);
    const lines = [cut, `(${ID}) Execution failed due to a timeout error`, `(${ID}) Method completed with status: 504`];
    // Act
    const r = read(text(lines));
    // Assess
    expect(r.messages).toEqual(lines);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.line).toBe(1);
    expect(r.problems[0]?.reason).toMatch(/^malformed JSON/);
  });

  it('a `{` that opens a body under the execution line announcing it stays that message, without a warning', () => {
    // As a 2018 stage log quoted the body of Lambda's throttling answer (test/fixtures/causes/throttling).
    const body = ['{', '    "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",', '    "Type": "User",'];
    const lines = [
      `(${ID}) Endpoint response body before transformations:`,
      ...body,
      '    "message": "Rate Exceeded."',
      '}',
      `(${ID}) Method completed with status: 502`,
    ];
    const r = read(text(lines));
    expect(r.messages).toHaveLength(2);
    expect(r.messages[0]).toContain('"message": "Rate Exceeded."');
    expect(r.problems).toEqual([]);
  });

  it('an access log line pretty-printed right after an execution line is its own line there too', () => {
    const lines = [
      `(${ID}) Endpoint response body before transformations:`,
      ...JSON.stringify(ACCESS, null, 2).split('\n'),
      `(${ID}) Method completed with status: 504`,
    ];
    const r = read(text(lines));
    expect(r.messages.map((m) => (m.startsWith('{') ? JSON.parse(m) : m))).toEqual([lines[0], ACCESS, lines.at(-1)]);
  });

  it('a pretty `{` that a line at the margin breaks gives its lines back', () => {
    const lines = ['{', '  "requestId": "abc",', `(${ID}) Method completed with status: 500`];
    const r = read(text(lines));
    expect(r.messages).toEqual(lines);
  });

  it('20,000 unclosed `{` lines of one width are each read, in order (each line joins one attempt at most)', () => {
    // Prepare: lines that all open a string and never close an object, all as long as the first.
    const lines = Array.from({ length: 20_000 }, (_, i) => `{"a":"${String(i).padStart(40, '0')}`);
    // Act
    const r = read(text(lines));
    // Assess
    expect(r.messages).toEqual(lines);
  });
});

describe('JsonObjectJoiner', () => {
  function joinAll(lines: readonly string[], mayOpen: 'yes' | 'event' | 'no' = 'yes') {
    const out: Array<[string, number] | [string, number, number]> = [];
    const joiner = new JsonObjectJoiner({
      line: (t, n) => out.push([t, n]),
      joined: (t, first, last) => out.push([t, first, last]),
    });
    lines.forEach((l, i) => {
      joiner.push(l, i + 1, mayOpen);
    });
    joiner.end();
    return out;
  }

  it('says which lines an object spans, and gives an unclosed object back at the end of the input', () => {
    expect(joinAll(['{', '  "a": 1', '}', 'x'])).toEqual([
      ['{"a": 1}', 1, 3],
      ['x', 4],
    ]);
    expect(joinAll(['{', '  "a": 1'])).toEqual([
      ['{', 1],
      ['  "a": 1', 2],
    ]);
  });

  it('opens nothing where told not to, and only a CloudWatch event or an access log line where told `event`', () => {
    const pretty = ['{', '  "message": "x"', '}'];
    expect(joinAll(pretty, 'no')).toEqual(pretty.map((l, i) => [l, i + 1]));
    expect(joinAll(pretty, 'event')).toEqual(pretty.map((l, i) => [l, i + 1]));
    expect(joinAll(['{', '  "message": "x",', '  "timestamp": 1', '}'], 'event')).toEqual([
      ['{"message": "x","timestamp": 1}', 1, 4],
    ]);
    expect(joinAll(['{', '  "requestId": "r",', '  "status": "502"', '}'], 'event')).toEqual([
      ['{"requestId": "r","status": "502"}', 1, 4],
    ]);
  });

  it('puts back the space a page took off where it wrapped a pretty-printed string', () => {
    expect(
      joinAll(['{', '  "message": "configuration error:', '    Invalid permissions",', '  "status": 500', '}']),
    ).toEqual([['{"message": "configuration error: Invalid permissions","status": 500}', 1, 5]]);
  });

  it('keeps a CR-terminated line as it came when it gives it back, and joins CRLF lines', () => {
    expect(joinAll(['{\r', '  "a": 1\r', '}\r'])).toEqual([['{"a": 1}', 1, 3]]);
    expect(joinAll(['{\r', 'x\r'])).toEqual([
      ['{\r', 1],
      ['x\r', 2],
    ]);
  });
});
