import { describe, expect, it } from 'vitest';
import { decodeInput, type InputProblem, parseCloudWatchInput } from '../../lambda/parse/input.js';
import { parseInput, streamEvents } from '../../lambda/parse/input-stream.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';

// A JSON document is decoded chunk by chunk (a character cut at a chunk's end is carried to the next) and its
// events' line numbers are counted from the whole text: both must give what decoding the whole input at once gives.

const ID = '5cb7ee58-39e6-11e9-be7e-29aff96747f2';
const enc = new TextEncoder();

async function streamed(bytes: Uint8Array, cuts: readonly number[]) {
  async function* chunks() {
    let start = 0;
    for (const cut of cuts) {
      yield Buffer.from(bytes.subarray(start, cut));
      start = cut;
    }
    yield Buffer.from(bytes.subarray(start));
  }
  const events: LogEvent[] = [];
  const problems: InputProblem[] = [];
  for await (const e of streamEvents(chunks(), (p) => problems.push(p))) events.push(e);
  return { events, problems };
}

const DOCUMENT = JSON.stringify(
  {
    events: [
      { logStreamName: 's1', timestamp: 1732500000000, message: `(${ID}) caf\u00e9 \u65e5\u672c \ud83d\ude80` },
      { logStreamName: 's2', timestamp: 1732500000001, message: `(${ID}) Method completed with status: 502` },
    ],
  },
  null,
  4,
);

describe('streamEvents on a JSON document', () => {
  it('decodes multi-byte characters cut between chunks at every byte, with the lines of the whole text', async () => {
    // Prepare
    const bytes = enc.encode(DOCUMENT);
    const expected = parseCloudWatchInput(decodeInput(bytes).text).events;
    // Act / Assess
    for (let cut = 1; cut < bytes.length; cut++) {
      const { events, problems } = await streamed(bytes, [cut]);
      expect(problems).toEqual([]);
      expect(events.map(({ line: _line, ...e }) => e)).toEqual(expected);
      // `"message"` is on line 6 (first event) and 11 (second) of the 4-space-indented document.
      expect(events.map((e) => e.line)).toEqual([6, 11]);
    }
  });

  it('reports invalid UTF-8 on the line that holds it, and reads the document', async () => {
    // Prepare: a lone continuation byte inside the first message.
    const text = enc.encode(DOCUMENT);
    const at = DOCUMENT.indexOf('caf');
    const bytes = new Uint8Array([...text.subarray(0, at), 0x80, ...text.subarray(at)]);
    // Act
    const { events, problems } = await streamed(bytes, [at + 1]);
    // Assess
    expect(problems).toEqual([{ line: 6, reason: 'invalid UTF-8 bytes replaced with U+FFFD' }]);
    expect(events[0]?.message).toBe(`(${ID}) \ufffdcaf\u00e9 \u65e5\u672c \ud83d\ude80`);
  });

  it('reports a multi-byte character cut short at the very end of the input, as decoding it whole does', async () => {
    // Prepare: a document followed by the first two bytes of a three-byte character.
    const bytes = new Uint8Array([...enc.encode(`${DOCUMENT}\n`), 0xe6, 0x97]);
    const decoded = decodeInput(bytes);
    // Act
    const { events, problems } = await streamed(bytes, [bytes.length - 1]);
    // Assess: the document is read as it arrives, every event on its line; the bytes after it are said to be no
    // document (the whole-document path failed on them and salvaged the events without their lines).
    expect(decoded.problems).toEqual([{ line: 15, reason: 'invalid UTF-8 bytes replaced with U+FFFD' }]);
    expect(problems.sort((a, b) => a.line - b.line)).toEqual([
      {
        line: 15,
        reason:
          'text after the end of the JSON document is no JSON document: not read (give the document alone, or documents one after another)',
      },
      ...decoded.problems,
    ]);
    expect(events.map(({ line: _line, ...e }) => e)).toEqual(parseCloudWatchInput(decoded.text).events);
    expect(events.map((e) => e.line)).toEqual([6, 11]);
  });
});

describe('a JSON document of many events', () => {
  // 300,000 events: more than a call can take as spread arguments (the stack overflowed at about 120,000).
  const COUNT = 300_000;
  const text = JSON.stringify({
    events: Array.from({ length: COUNT }, (_, i) => ({
      logStreamName: 's1',
      timestamp: 1732500000000 + i,
      message: `(${ID}) Method completed with status: 502`,
    })),
  });

  it('is read whole, every event, by the stream', async () => {
    // Act
    let count = 0;
    const { events } = await streamed(enc.encode(text), []);
    count = events.length;
    // Assess
    expect(count).toBe(COUNT);
  });

  it('is read whole, every event, by parseInput', () => {
    // Act
    const read = parseInput(text);
    // Assess
    expect(read.events).toHaveLength(COUNT);
    expect(read.report.forms['filter-log-events-json']).toBe(COUNT);
  });
});

describe('parseInput on many lines with invalid UTF-8', () => {
  it('reports every such line instead of failing (one problem per line, 200,000 of them)', () => {
    // Prepare: a Latin-1 byte (0xE9) on each line, as a log saved in another encoding has.
    const line = Buffer.concat([Buffer.from(`(${ID}) caf`), Buffer.from([0xe9]), Buffer.from('\n')]);
    const bytes = Buffer.concat(Array.from({ length: 200_000 }, () => line));
    // Act
    const read = parseInput(bytes);
    // Assess
    expect(read.problems).toHaveLength(200_000);
    expect(read.problems[0]).toEqual({ line: 1, reason: 'invalid UTF-8 bytes replaced with U+FFFD' });
  });
});
