import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readsAsLogLine, wrapWidthOf } from '../../lambda/parse/forms/line-forms.js';
import { decodeInput, type InputProblem, parseCloudWatchInput } from '../../lambda/parse/input.js';
import { streamEvents } from '../../lambda/parse/input-stream.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';

const ID = '5cb7ee58-39e6-11e9-be7e-29aff96747f2';
const enc = new TextEncoder();

/** The bytes cut into chunks at the given positions (inside multi-byte characters too). */
async function* chunked(bytes: Uint8Array, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const cut of [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b)) {
    yield bytes.subarray(start, cut);
    start = cut;
  }
  yield bytes.subarray(start);
}

async function streamed(bytes: Uint8Array, cuts: readonly number[] = []) {
  const events: LogEvent[] = [];
  const problems: InputProblem[] = [];
  for await (const e of streamEvents(chunked(bytes, cuts), (p) => problems.push(p))) {
    // parseCloudWatchInput reads CloudWatch's forms without line numbers: compare the events themselves.
    const { line: _line, ...event } = e;
    events.push(event);
  }
  return { events, problems };
}

function whole(bytes: Uint8Array) {
  const decoded = decodeInput(bytes);
  const parsed = parseCloudWatchInput(decoded.text);
  return {
    events: parsed.events,
    problems: [...decoded.problems, ...parsed.problems].sort((a, b) => a.line - b.line),
  };
}

const LINES = [
  `(${ID}) Method completed with status: 502`,
  `(${ID}) Execution failed due to configuration error: Malformed Lambda proxy response`,
  `{"message":"(${ID}) Method completed with status: 500","timestamp":1732500000000,"logStreamName":"s1"}`,
  `{"requestId":"${ID}","status":"502","httpMethod":"GET"}`,
  '{"message": broken',
  "[ERROR] KeyError: 'id'",
  '2026-11-25T03:00:00.000Z\tdcb2ab89-2d03-4b77-98cd-18d14fd2b850\tERROR\tInvoke Error \t{"errorType":"TypeError"}',
  'caf\u00e9 \u65e5\u672c \ud83d\ude80',
  '',
  '   ',
];

describe('streamEvents', () => {
  it('reads lines exactly as parseCloudWatchInput does, however the bytes are cut into chunks', async () => {
    const input = fc.record({
      bom: fc.boolean(),
      lines: fc.array(fc.constantFrom(...LINES), { maxLength: 12 }),
      crlf: fc.boolean(),
      finalNewline: fc.boolean(),
      cuts: fc.array(fc.nat({ max: 2_000 }), { maxLength: 8 }),
    });
    await fc.assert(
      fc.asyncProperty(input, async ({ bom, lines, crlf, finalNewline, cuts }) => {
        const text = `${bom ? '\ufeff' : ''}${lines.join(crlf ? '\r\n' : '\n')}${finalNewline ? '\n' : ''}`;
        // Lines of the input's longest length followed again and again by a line of no log form read as a paste
        // wrapped at that width (test/unit/cli-pastes.test.ts), which CloudWatch's own forms never are.
        fc.pre(wrapWidthOf(text, readsAsLogLine) === -1);
        const bytes = enc.encode(text);
        expect(await streamed(bytes, cuts)).toEqual(whole(bytes));
      }),
      { numRuns: 400 },
    );
  });

  it('reads a JSON document whole, pretty-printed, on one line or as an array, and cut anywhere', async () => {
    const events = [
      { logStreamName: 's1', timestamp: 1732500000000, message: `(${ID}) Method completed with status: 502\n` },
      { logStreamName: 's2', timestamp: 1732500000001, message: `(${ID}) Execution failed due to a timeout error` },
    ];
    for (const text of [
      JSON.stringify({ events, searchedLogStreams: [] }, null, 2),
      JSON.stringify({ events }),
      JSON.stringify(events, null, 4),
      `\ufeff${JSON.stringify({ events }, null, 2)}`,
      ...['\f', '\u00a0', '\u2028', ' \t\r\n'].map((ws) => `${ws}${JSON.stringify({ events }, null, 2)}`),
      JSON.stringify([1, 2]),
      '[\n  "not an event"\n]',
    ]) {
      const bytes = enc.encode(text);
      const expected = whole(bytes);
      if (text.includes('logStreamName')) expect(expected.events).toHaveLength(2);
      for (const cuts of [[], [1], [2, 5, 40], [bytes.length - 1]])
        expect(await streamed(bytes, cuts)).toEqual(expected);
    }
  });

  it('reports invalid UTF-8 on the line that holds it and reads the rest of that line', async () => {
    const bytes = new Uint8Array([
      ...enc.encode(`(${ID}) Method completed with status: 200\n(${ID}) bad `),
      0xff,
      0xfe,
      ...enc.encode(' bytes\n'),
    ]);
    const { events, problems } = await streamed(bytes, [45, 60]);
    expect(events.map((e) => e.message)).toEqual([
      `(${ID}) Method completed with status: 200`,
      `(${ID}) bad \ufffd\ufffd bytes`,
    ]);
    expect(problems).toEqual([{ line: 2, reason: 'invalid UTF-8 bytes replaced with U+FFFD' }]);
  });

  it('yields the first lines before the input has ended', async () => {
    let ended = false;
    async function* slow() {
      yield enc.encode(`(${ID}) Method completed with status: 502\n`);
      await new Promise((r) => setTimeout(r, 5));
      ended = true;
      yield enc.encode(`(${ID}) X-ray Tracing ID : 1-5c755b5d-07b29b94e632d3da19d88789\n`);
    }
    const it = streamEvents(slow(), () => undefined);
    const first = await it.next();
    expect(first.value?.message).toBe(`(${ID}) Method completed with status: 502`);
    expect(ended).toBe(false);
  });
});
