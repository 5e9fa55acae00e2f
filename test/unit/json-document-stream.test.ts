import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readJsonDocument } from '../../lambda/parse/forms/documents.js';
import { FilterLogEventsStream, type StreamedForm } from '../../lambda/parse/forms/json-document-stream.js';
import { decodeInput, type InputProblem, parseCloudWatchInput } from '../../lambda/parse/input.js';
import { parseInput, streamEventBatches } from '../../lambda/parse/input-stream.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';
import { runs } from './fuzz/arbitraries.js';

// The streaming reader of `aws logs filter-log-events` JSON must give what the whole-document path (JSON.parse of the
// whole text, then readJsonDocument) gives: the same events on the same lines, however the bytes are cut into chunks.

const ID = '5cb7ee58-39e6-11e9-be7e-29aff96747f2';
const enc = new TextEncoder();

/** The reader fed `bytes` cut at `cuts`. */
function streamed(bytes: Uint8Array, cuts: readonly number[] = []) {
  const events: LogEvent[] = [];
  const forms: StreamedForm[] = [];
  const problems: InputProblem[] = [];
  const reader = new FilterLogEventsStream({
    event: (e, form) => {
      events.push(e);
      forms.push(form);
    },
    problem: (p) => problems.push(p),
  });
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (reader.status === 'whole') break;
    reader.push(Buffer.from(bytes.subarray(start, cut)));
    start = cut;
  }
  reader.end();
  // Once read whole, the caller reads the bytes the reader held and those it did not give it.
  const rest = Buffer.from(bytes.subarray(start));
  return { events, forms, problems, status: reader.status, reader, rest };
}

/** What the whole-document path reads from the same bytes. */
function whole(bytes: Uint8Array) {
  const decoded = decodeInput(bytes);
  const read = readJsonDocument(decoded.text);
  return { events: read?.events ?? [], problems: [...decoded.problems, ...(read?.problems ?? [])], form: read?.form };
}

/** CloudWatch's own whole path, that salvages a broken document (events without line numbers). */
function salvaged(bytes: Uint8Array) {
  return parseCloudWatchInput(decodeInput(bytes).text);
}

const withoutLine = (events: readonly LogEvent[]) => events.map(({ line: _line, ...e }) => e);

// Shape and field order as the AWS CLI prints them (awscli/examples/logs/filter-log-events.rst).
const EVENTS = [
  {
    logStreamName: 'e369853df766fa44e1ed0ff613f563bd',
    timestamp: 1551267071458,
    message: `(${ID}) Method request body before transformations: {"say": "\\"hi\\"", "path": "C:\\\\dir\\\\"}`,
    ingestionTime: 1551267071500,
    eventId: '34594411695455654567377324341387189237550210269215719442',
  },
  {
    logStreamName: 'e369853df766fa44e1ed0ff613f563bd',
    timestamp: 1551267071459,
    message: `(${ID}) caf\u00e9 \u65e5\u672c \ud83d\ude80 ends in a backslash \\`,
    ingestionTime: 1551267071501,
    eventId: '34594411695455654567377324341387189237550210269215719443',
  },
  {
    logStreamName: 's2',
    timestamp: 1551267071460,
    message: `(${ID}) Method completed with status: 502\n`,
    ingestionTime: 1551267071502,
    eventId: '34594411695455654567377324341387189237550210269215719444',
  },
];

const PRETTY = JSON.stringify({ events: EVENTS, searchedLogStreams: [] }, null, 4);

describe('FilterLogEventsStream', () => {
  it('gives the events of the whole path, on the same lines, cut into two chunks at every byte', () => {
    // Prepare
    const bytes = enc.encode(PRETTY);
    const expected = whole(bytes);
    expect(expected.events).toHaveLength(3);
    // Act / Assess
    for (let cut = 0; cut <= bytes.length; cut++) {
      const read = streamed(bytes, [cut]);
      expect(read.status).toBe('streaming');
      expect(read.events).toEqual(expected.events);
      expect(read.forms).toEqual(['filter-log-events-json', 'filter-log-events-json', 'filter-log-events-json']);
      expect(read.problems).toEqual([]);
    }
  });

  it('reads a Logs Insights row after the first event as the whole path reads it, counted as Logs Insights', () => {
    // Prepare: a document of Insights rows is read whole; a row among filter-log-events items is read as it comes.
    const bytes = enc.encode(
      JSON.stringify(
        { events: [EVENTS[0], { '@message': `(${ID}) b`, '@timestamp': '2026-11-25 03:12:05.123' }] },
        null,
        4,
      ),
    );
    // Act
    const read = streamed(bytes);
    // Assess
    expect(withoutLine(read.events)).toEqual(withoutLine(whole(bytes).events));
    expect(read.forms).toEqual(['filter-log-events-json', 'insights-json']);
  });

  it('gives the same events read one byte at a time, pretty-printed and compact, with the keys in any order', () => {
    const docs = [
      PRETTY,
      JSON.stringify({ events: EVENTS, searchedLogStreams: [] }),
      JSON.stringify(
        { nextToken: 'Bxkq6kVGFtq2y_Moigeqscgt', searchedLogStreams: [{ a: [1, '}'] }], events: EVENTS },
        null,
        4,
      ),
      JSON.stringify({ searchedLogStreams: [], events: EVENTS, nextToken: 'Bxkq6kVGFtq2y_Mo' }, null, 2),
      JSON.stringify({ events: EVENTS, nextForwardToken: 'f/1', nextBackwardToken: 'b/1' }, null, 4).replace(
        /\n/g,
        '\r\n',
      ),
      `\ufeff${PRETTY}\n`,
      `\n\n  ${PRETTY}`,
      PRETTY.replace('"events"', '"ev\\u0065nts"'),
    ];
    for (const doc of docs) {
      // Prepare
      const bytes = enc.encode(doc);
      const expected = whole(bytes);
      // Act
      const read = streamed(
        bytes,
        Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
      );
      // Assess
      expect(read.events).toEqual(expected.events);
      expect(read.events.map((e) => e.line)).toEqual(expected.events.map((e) => e.line));
      expect(read.problems).toEqual([]);
    }
  });

  it('gives the same events for many random cuts of a longer document', () => {
    // Prepare: 300 events, some with escapes, multi-byte characters and a nested value.
    const events = Array.from({ length: 300 }, (_, i) => ({
      ...(i % 11 === 0 ? { extra: { nested: ['}', { message: 'not the message' }] } } : {}),
      logStreamName: `s${i % 7}`,
      timestamp: 1551267071458 + i,
      message: `${i % 3 === 0 ? '"{ ' : ''}(${ID}) ${'\u00e9\\"{['.repeat(i % 5)} line ${i}`,
    }));
    const text = JSON.stringify({ events }, null, 4);
    const bytes = enc.encode(text);
    const expected = whole(bytes);
    // Each item's own "message" key (12 spaces in), not the one nested in `extra`.
    const lines = text.split('\n').flatMap((l, i) => (l.startsWith('            "message":') ? [i + 1] : []));
    expect(lines).toHaveLength(300);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 30; run++) {
      const cuts = Array.from({ length: 40 }, () => Math.floor(random() * bytes.length)).sort((a, b) => a - b);
      // Act
      const read = streamed(bytes, cuts);
      // Assess: the nested "message" keys make the whole path's token count differ: it gives line 1 to every event.
      expect(withoutLine(read.events)).toEqual(withoutLine(expected.events));
      expect(read.events.map((e) => e.line)).toEqual(lines);
    }
  });

  it('gives the events of the whole path for any events, layout, key order and chunk cuts', () => {
    // A string value that is exactly "message" is a token the whole path counts as a message's line: left out.
    const text = fc.string({ unit: 'binary', maxLength: 60 }).filter((t) => t !== 'message');
    const item = fc.record(
      {
        logStreamName: text,
        timestamp: fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constant('2026-11-25T03:12:05Z')),
        message: fc.oneof(text, fc.constant(`(${ID}) Method completed with status: 502\n`)),
        ingestionTime: fc.integer({ min: 0 }),
        eventId: text,
        logGroupName: text,
      },
      { requiredKeys: ['message'] },
    );
    const document = fc.record({
      events: fc.array(item, { minLength: 1, maxLength: 12 }),
      tokenFirst: fc.boolean(),
      indent: fc.constantFrom<string | number>(0, 2, 4, '\t'),
      cuts: fc.array(fc.nat({ max: 4_000 }), { maxLength: 10 }),
    });
    fc.assert(
      fc.property(document, ({ events, tokenFirst, indent, cuts }) => {
        // Prepare
        const body = tokenFirst
          ? {
              nextToken: 'Bxkq6kVGFtq2y_Mo',
              searchedLogStreams: [{ logStreamName: 's', searchedCompletely: true }],
              events,
            }
          : { events, searchedLogStreams: [] };
        const bytes = enc.encode(JSON.stringify(body, null, indent));
        const expected = whole(bytes);
        // Act
        const read = streamed(
          bytes,
          [...new Set(cuts.filter((c) => c < bytes.length))].sort((a, b) => a - b),
        );
        // Assess
        expect(read.status).toBe('streaming');
        expect(read.events).toEqual(expected.events);
        expect(read.problems).toEqual([]);
      }),
      { numRuns: runs(300) },
    );
  });

  it('reports invalid UTF-8 on the line that holds it, as decoding the whole input does, and reads the event', () => {
    // Prepare: a lone continuation byte in the second message.
    const text = enc.encode(PRETTY);
    const at = PRETTY.indexOf('caf') + 3;
    const bytes = new Uint8Array([...text.subarray(0, at), 0x80, ...text.subarray(at)]);
    const expected = whole(bytes);
    for (const cuts of [[], [at], [at + 1], [at - 1, at + 1]]) {
      // Act
      const read = streamed(bytes, cuts);
      // Assess
      expect(read.problems).toEqual([{ line: 13, reason: 'invalid UTF-8 bytes replaced with U+FFFD' }]);
      expect(read.problems).toEqual(expected.problems);
      expect(read.events).toEqual(expected.events);
    }
  });

  it('reports an item without a string message as the whole path does, and reads the others', () => {
    // Prepare
    const bytes = enc.encode(
      JSON.stringify({ events: [{ timestamp: 1 }, { message: `(${ID}) a` }, 'text', { message: 5 }] }, null, 4),
    );
    const expected = whole(bytes);
    // Act
    const read = streamed(bytes, [10, 40]);
    // Assess
    expect(read.problems).toEqual(expected.problems);
    expect(read.problems.map((p) => p.reason)).toEqual([
      'events[0] has no string "message" field; skipped',
      'events[2] has no string "message" field; skipped',
      'events[3] has no string "message" field; skipped',
    ]);
    expect(read.reader.skipped).toBe(3);
    // The whole path gives every event line 1 when some item has no "message" token; the stream gives its own line.
    expect(withoutLine(read.events)).toEqual(withoutLine(expected.events));
    expect(read.events.map((e) => e.line)).toEqual([7]);
  });

  it('hands a document of another shape back whole, with every byte it was given', () => {
    for (const doc of [
      JSON.stringify(EVENTS, null, 4),
      JSON.stringify({ results: [[{ field: '@message', value: 'x' }]], status: 'Complete' }),
      JSON.stringify({ messageType: 'DATA_MESSAGE', logEvents: [{ message: 'x' }] }),
      JSON.stringify({ events: [] }),
      JSON.stringify({ events: [{ timestamp: 1 }] }),
      JSON.stringify({ events: [{ '@message': 'x', '@timestamp': '2026-11-25 03:12:05.123' }] }, null, 4),
      `${JSON.stringify({ events: EVENTS }, null, 4).slice(0, 60)}`,
      `\f${PRETTY}`,
      '@timestamp,@message\n2026-11-25 03:12:05.123,x\n',
    ]) {
      // Prepare
      const bytes = enc.encode(doc);
      // Act
      const read = streamed(bytes, [5, 17]);
      // Assess
      expect(read.status).toBe('whole');
      expect(read.events).toEqual([]);
      expect(read.problems).toEqual([]);
      expect(Buffer.concat([...read.reader.held(), read.rest]).toString('utf8')).toBe(doc);
    }
  });

  it('reads a document cut short as the whole path salvages it, with a problem on the line it breaks', () => {
    // Prepare
    const bytes = enc.encode(PRETTY);
    const firstEnd = PRETTY.indexOf('\n        }') + 10;
    for (let cut = firstEnd; cut < bytes.length - 1; cut++) {
      const part = bytes.subarray(0, cut);
      const today = salvaged(part);
      // Act
      const read = streamed(part, [Math.floor(cut / 2)]);
      // Assess: the same events, read with their lines; a problem says where the document was cut.
      expect(read.status).toBe('streaming');
      expect(withoutLine(read.events)).toEqual(today.events);
      expect(read.events.every((e) => e.line !== undefined)).toBe(true);
      const [cutShort, ...utf8] = read.problems;
      expect(cutShort?.reason).toMatch(/cut short/);
      // A cut inside a character leaves invalid UTF-8 at the end, said as decoding the whole input says it.
      expect(utf8).toEqual(decodeInput(part).problems);
    }
  });

  it('reads the events after an item that is no JSON, and says which item it was', () => {
    // Prepare: the second item's timestamp is broken; its message line is still read, as the whole path salvages it.
    const doc = PRETTY.replace('"timestamp": 1551267071459', '"timestamp": 155x');
    const bytes = enc.encode(doc);
    // Act
    const read = streamed(bytes, [100, 700]);
    // Assess
    expect(withoutLine(read.events)).toEqual(salvaged(bytes).events);
    expect(read.events.map((e) => e.line)).toEqual([6, 13, 20]);
    expect(read.problems).toEqual([
      {
        line: 10,
        reason: expect.stringMatching(/^events\[1\] is not valid JSON \(.+\); read from its "message" line$/),
      },
    ]);
  });

  it('reads the events after a break between items line by line, and says where it broke', () => {
    // Prepare: a comma is missing between the second and the third item.
    const doc = PRETTY.replace(/\}, *\n( *)\{(\s*"logStreamName": "s2")/, '}\n$1{$2');
    expect(doc).not.toBe(PRETTY);
    const bytes = enc.encode(doc);
    // Act
    const read = streamed(bytes, [333]);
    // Assess
    expect(withoutLine(read.events)).toEqual(salvaged(bytes).events);
    expect(read.problems).toEqual([
      {
        line: 17,
        reason: expect.stringMatching(/^the JSON document breaks here \(",".*"\]" after events\[1\] expected/),
      },
    ]);
  });

  it('reads the items after a broken one of a compact document, which the whole path read as one raw line', () => {
    // Prepare
    const bytes = enc.encode(
      `{"events":[{"message":"(${ID}) a"},{"message":"(${ID}) b" x},{"message":"(${ID}) c"}],"searchedLogStreams":[]}`,
    );
    // Act
    const read = streamed(bytes, [30]);
    // Assess
    expect(read.events).toEqual([
      { message: `(${ID}) a`, line: 1 },
      { message: `(${ID}) c`, line: 1 },
    ]);
    expect(read.problems).toEqual([
      {
        line: 1,
        reason: expect.stringMatching(
          /^events\[1\] is not valid JSON \(.+\); skipped: it has no whole "message" line$/,
        ),
      },
    ]);
  });

  it('reads documents one after another, and says what follows a document that is no document', () => {
    // Prepare
    const bytes = enc.encode(`${PRETTY}\n${PRETTY}\nnot json\n`);
    // Act
    const read = streamed(bytes, [900]);
    // Assess
    expect(withoutLine(read.events)).toEqual([
      ...withoutLine(whole(enc.encode(PRETTY)).events),
      ...withoutLine(whole(enc.encode(PRETTY)).events),
    ]);
    expect(read.events[3]?.line).toBe(PRETTY.split('\n').length + 6);
    expect(read.problems).toEqual([
      {
        line: 2 * PRETTY.split('\n').length + 1,
        reason: expect.stringMatching(/^text after the end of the JSON document/),
      },
    ]);
  });

  it('holds no more than the item being read and a chunk, however long the document', () => {
    // Prepare: 20,000 events (about 6 MB), given in 64 KB chunks.
    const events = Array.from({ length: 20_000 }, (_, i) => ({ ...EVENTS[2], timestamp: 1551267071458 + i }));
    const bytes = Buffer.from(JSON.stringify({ events, searchedLogStreams: [] }, null, 4));
    let given = 0;
    let most = 0;
    const reader = new FilterLogEventsStream({ event: () => given++, problem: () => undefined });
    // Act
    for (let at = 0; at < bytes.length; at += 65_536) {
      reader.push(bytes.subarray(at, at + 65_536));
      most = Math.max(most, reader.retained);
      // Assess: each chunk's events are given out as it is read.
      expect(given).toBeGreaterThanOrEqual(Math.floor(at / 400));
    }
    reader.end();
    expect(given).toBe(20_000);
    expect(most).toBeLessThan(2 * 65_536);
  });
});

describe('streamEventBatches on a filter-log-events document', () => {
  it('yields batches as the chunks arrive, never an empty one, and counts every event in the report', async () => {
    // Prepare
    const events = Array.from({ length: 2_000 }, (_, i) => ({ ...EVENTS[2], timestamp: 1551267071458 + i }));
    const bytes = Buffer.from(JSON.stringify({ events }, null, 4));
    let sent = 0;
    async function* chunks() {
      for (; sent < bytes.length; sent += 16_384) yield bytes.subarray(sent, sent + 16_384);
    }
    const batches: LogEvent[][] = [];
    let firstAt = -1;
    let report: { lines: number; forms: Record<string, number | undefined> } | undefined;
    // Act
    for await (const batch of streamEventBatches(chunks(), () => undefined, { report: (r) => (report = r) })) {
      if (firstAt === -1) firstAt = sent;
      batches.push(batch);
    }
    // Assess
    expect(firstAt).toBeLessThan(bytes.length);
    expect(batches.length).toBeGreaterThan(10);
    expect(batches.every((b) => b.length > 0)).toBe(true);
    expect(batches.flat()).toEqual(parseInput(bytes).events);
    expect(report?.forms['filter-log-events-json']).toBe(2_000);
    expect(report?.lines).toBe(2_000);
  });

  it('gives what parseInput gives for a document that breaks, is cut short or is followed by text', async () => {
    for (const doc of [
      PRETTY.replace('"timestamp": 1551267071459', '"timestamp": 155x'),
      PRETTY.slice(0, PRETTY.lastIndexOf('"ingestionTime"')),
      `${PRETTY}\ntrailing words\n`,
      JSON.stringify({ events: [{ timestamp: 1 }, ...EVENTS] }),
    ]) {
      // Prepare
      const bytes = Buffer.from(doc);
      async function* chunks() {
        for (let i = 0; i < bytes.length; i += 101) yield bytes.subarray(i, i + 101);
      }
      const problems: InputProblem[] = [];
      let report: unknown;
      // Act
      const batches: LogEvent[][] = [];
      for await (const batch of streamEventBatches(chunks(), (p) => problems.push(p), {
        report: (r) => (report = r),
      })) {
        batches.push(batch);
      }
      const read = parseInput(bytes);
      // Assess
      expect(batches.flat()).toEqual(read.events);
      expect(problems.sort((a, b) => a.line - b.line)).toEqual(read.problems);
      expect(problems.length).toBeGreaterThan(0);
      expect(report).toEqual(read.report);
    }
  });

  it('reads the fixture as the whole path does, event for event and line for line', async () => {
    // Prepare
    const bytes = readFileSync(join(import.meta.dirname, '../fixtures/forms/filter-log-events.json'));
    const expected = whole(bytes);
    // Act
    const batches: LogEvent[][] = [];
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 97) yield bytes.subarray(i, i + 97);
    }
    for await (const batch of streamEventBatches(chunks(), () => undefined)) batches.push(batch);
    // Assess
    expect(expected.events.length).toBeGreaterThan(0);
    expect(batches.flat()).toEqual(expected.events);
  });
});
