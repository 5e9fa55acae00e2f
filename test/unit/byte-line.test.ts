import { isAscii } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diagnoseEventBatches } from '../../lambda/diagnose.js';
import { ByteLineEvent, jsonLineEvent, rawLineEvent } from '../../lambda/parse/byte-line.js';
import { readLine } from '../../lambda/parse/input.js';
import { streamEventBatches } from '../../lambda/parse/input-stream.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';
import { TraceBuilder } from '../../lambda/trace/trace-builder.js';
import { CorpusGenerator } from '../../scripts/bench/corpus.js';

const ID = 'e346ac6c-6e9e-4f72-abde-8ea3765997f9';
const GROUP = 'API-Gateway-Execution-Logs_b3nch4pi01/prod';

/** The fields of an event, as plain values (a ByteLineEvent's are getters). */
function fields(e: LogEvent) {
  return {
    message: e.message,
    timestamp: e.timestamp,
    logStreamName: e.logStreamName,
    logGroupName: e.logGroupName,
    line: e.line,
  };
}

/** A JSON line as the reader hands it over: its UTF-8 bytes, in a chunk with other bytes around it. */
function scanJsonLine(line: string, lineNo: number): ByteLineEvent | undefined {
  const own = Buffer.from(line, 'utf8');
  const bytes = Buffer.concat([Buffer.from('é\n'), own, Buffer.from('\n{"y":1}')]);
  const start = Buffer.byteLength('é\n');
  return jsonLineEvent(bytes, start, start + own.length, lineNo, !isAscii(own));
}

describe('jsonLineEvent', () => {
  it('reads the JSON lines AWS tools print, in place, with the fields readLine decodes', () => {
    // Prepare: `aws logs filter-log-events --output json | jq -c '.events[]'` (the service's field order), the bench
    // corpus's order, Python's json.dumps spacing, a CRLF line, an escaped body after the id.
    const lines = [
      `{"logStreamName":"f311a57feb405cc8a7a41ec68d57fe86","timestamp":1790000000000,"message":"(${ID}) Method completed with status: 502","ingestionTime":1790000000450,"eventId":"33333333333333333333333333333333333333333333333333333331"}`,
      `{"message":"(${ID}) Extended Request Id: ZTM0NmFjNmMtNmU=","timestamp":1790000000001,"logStreamName":"abc","logGroupName":"${GROUP}"}`,
      `{"message": "(${ID}) Endpoint response body before transformations: {\\"errorMessage\\":\\"boom\\"}", "timestamp": 1790000000002, "logGroupName": "${GROUP}"}`,
      `{"timestamp":1790000000003,"message":"(${ID}) Lambda execution failed with status 200 due to customer function error: boom.\\n"}\r`,
    ];
    lines.forEach((line, i) => {
      // Act
      const lazy = scanJsonLine(line, i + 1);
      const read = readLine(line, i + 1, true);
      // Assess: taken, and the same event as JSON.parse gives.
      expect(lazy, line).toBeInstanceOf(ByteLineEvent);
      expect(read?.wrapped).toBe(true);
      expect(fields(lazy as LogEvent)).toEqual(fields(read?.event as LogEvent));
    });
  });

  it('gives the timestamp and log group without decoding the line, equal to the decoded ones', () => {
    const line = `{"message":"(${ID}) Method completed with status: 200","timestamp":1790000000123,"logGroupName":"${GROUP}"}`;
    const lazy = scanJsonLine(line, 7) as ByteLineEvent;
    // Read before anything else decodes the line.
    const timestamp = lazy.timestamp;
    const group = lazy.logGroupName;
    expect(lazy.inGroup(GROUP)).toBe(true);
    expect(lazy.inGroup(`${GROUP}x`)).toBe(false);
    expect(lazy.inGroup(undefined)).toBe(false);
    expect({ timestamp, group }).toEqual({ timestamp: 1790000000123, group: GROUP });
    expect(fields(lazy)).toEqual(fields(readLine(line, 7, true)?.event as LogEvent));
  });

  it('leaves every line it cannot read exactly to readLine', () => {
    const declined = [
      // not an execution line
      `{"message":"START RequestId: ${ID} Version: $LATEST","logGroupName":"/aws/lambda/orders"}`,
      // the id holds an escape, or the message is no string, or is given twice
      `{"message":"(e346ac6c\\u002d6e9e) text"}`,
      `{"message":42}`,
      `{"message":"(${ID}) a","message":"(${ID}) b"}`,
      // a key with an escape may be "message" itself
      `{"mess\\u0061ge":"(${ID}) a","message":"(${ID}) b"}`,
      // nested values, broken JSON, text after the object
      `{"message":"(${ID}) a","labels":{"k":"v"}}`,
      `{"message":"(${ID}) a"`,
      `{"message":"(${ID}) a"} trailing`,
      `{"message":"(${ID}) a",}`,
      // the id's ")" is outside the message
      `{"message":"(${ID}","x":") y"}`,
    ];
    for (const line of declined) expect(scanJsonLine(line, 1), line).toBeUndefined();
  });

  it('never disagrees with readLine on a flat object: either declines or gives the same event', () => {
    const key = fc.constantFrom(
      'message',
      'timestamp',
      'logGroupName',
      'logStreamName',
      'ingestionTime',
      'eventId',
      'x',
      'mess\\u0061ge',
      'a\\"b',
    );
    const stringValue = fc
      .array(
        fc.constantFrom(
          `(${ID}) `,
          `(${ID})`,
          '(',
          ')',
          'Method completed with status: 502',
          '\\"',
          '\\\\',
          '\\n',
          '\\u00e9',
          '\\u65e5',
          '\\/',
          'é',
          '日本',
          '🚀',
          ' ',
          'x',
          GROUP,
          '1790000000000',
        ),
        { maxLength: 6 },
      )
      .map((parts) => `"${parts.join('')}"`);
    const value = fc.oneof(
      stringValue,
      fc.constantFrom('1790000000000', '-1', '1.5', '2e3', '0', 'true', 'false', 'null', '{}', '[1]', '"a"'),
    );
    const spacing = fc.constantFrom({ colon: ':', comma: ',' }, { colon: ': ', comma: ', ' });
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 6 }), spacing, fc.boolean(), (pairs, s, crlf) => {
        const line = `{${pairs.map(([k, v]) => `"${k}"${s.colon}${v}`).join(s.comma)}}${crlf ? '\r' : ''}`;
        const lazy = scanJsonLine(line, 3);
        if (lazy === undefined) return;
        const read = readLine(line, 3, true);
        expect(read?.wrapped).toBe(true);
        // The fields read in place first, then the decoded ones: both equal readLine's.
        const inPlace = { timestamp: lazy.timestamp, logGroupName: lazy.logGroupName };
        const expected = fields(read?.event as LogEvent);
        expect(inPlace).toEqual({ timestamp: expected.timestamp, logGroupName: expected.logGroupName });
        expect(lazy.inGroup(expected.logGroupName)).toBe(true);
        expect(fields(lazy)).toEqual(expected);
      }),
      { numRuns: 3_000 },
    );
  });

  it('reads a message holding a raw control character (no valid JSON) with it escaped, not as the whole line', () => {
    // A tab pasted into a message: JSON.parse refuses the line; the scan found an execution line, which is read.
    const line = `{"message":"(${ID}) Method completed with status: 502\tx","timestamp":5}`;
    const lazy = scanJsonLine(line, 1) as ByteLineEvent;
    expect(lazy.message).toBe(`(${ID}) Method completed with status: 502\tx`);
    expect(lazy.timestamp).toBe(5);
  });

  it('reads a message holding an escape JSON has not (no valid JSON) as written, where readLine reports the line', () => {
    // The scan jumps from quote to quote and does not check escapes: `\x` is only found when the line is decoded.
    const line = `{"message":"(${ID}) Method completed with status: 502 \\x","timestamp":5}`;
    const lazy = scanJsonLine(line, 1) as ByteLineEvent;
    expect(readLine(line, 1, true)?.problem?.reason).toMatch(/^malformed JSON/);
    expect(lazy.message).toBe(`(${ID}) Method completed with status: 502 \\x`);
  });
});

describe('rawLineEvent', () => {
  it('takes a raw execution line, and decodes it only when read', () => {
    const line = `(${ID}) Method completed with status: 502`;
    const bytes = Buffer.from(`${line}\n`, 'latin1');
    const event = rawLineEvent(bytes, 0, line.length, 4) as ByteLineEvent;
    expect(event.buffer).toBe(bytes);
    expect(fields(event)).toEqual({
      message: line,
      timestamp: undefined,
      logStreamName: undefined,
      logGroupName: undefined,
      line: 4,
    });
    // Once decoded it holds no bytes.
    expect(event.buffer).toBeUndefined();
    expect(rawLineEvent(Buffer.from('(a b) c'), 0, 7, 1)).toBeUndefined();
    expect(rawLineEvent(Buffer.from('() c'), 0, 4, 1)).toBeUndefined();
  });
});

describe('TraceBuilder on lines in bytes', () => {
  it('turns the lines a request holds for long into strings, so that its chunk can go', () => {
    // Prepare: a request that makes the API known (until then every line is decoded to read it), a request that
    // stays open (no status line), then 40 requests, each line in a chunk of its own.
    const builder = new TraceBuilder();
    const first = '(f0000000-6e9e-4f72-abde-8ea3765997f9)';
    builder.add({
      message: `${first} Endpoint request headers: {X-Amz-Source-Arn=arn:aws:execute-api:us-east-1:123456789012:b3nch4pi01/prod/GET/orders}`,
    });
    builder.add({ message: `${first} Method completed with status: 200` });
    const open = `(${ID}) Extended Request Id: ZTM0NmFjNmMtNmU=`;
    const held = rawLineEvent(Buffer.from(open, 'latin1'), 0, open.length, 1) as ByteLineEvent;
    // Act
    builder.add(held);
    for (let r = 0; r < 40; r++) {
      const id = `${String(r).padStart(8, '0')}-6e9e-4f72-abde-8ea3765997f9`;
      for (const text of ['Starting execution for request', 'Method completed with status: 200']) {
        const line = `(${id}) ${text}`;
        builder.add(rawLineEvent(Buffer.from(line, 'latin1'), 0, line.length, 2) as ByteLineEvent);
      }
    }
    // Assess: the open request's line no longer holds its bytes; the request is still open, its line intact.
    expect(held.buffer).toBeUndefined();
    const result = builder.finish();
    expect(result.succeeded).toBe(41);
    expect(result.incomplete.map((t) => t.lines.map((l) => l.text))).toEqual([
      ['Extended Request Id: ZTM0NmFjNmMtNmU='],
    ]);
  });

  it('reads the text after the id decoded, also for lines that reach a request already read', () => {
    // Prepare: one failed request whose lines hold escapes, with lines after its status line (a trailer, and a body
    // line out of order); the API's facts come from an escaped headers line. Fed as JSON lines, lazily and decoded.
    const texts = [
      'Extended Request Id: ZTM0NmFjNmMtNmU=',
      'Endpoint request headers: {X-Amz-Source-Arn=arn:aws:execute-api:us-east-1:123456789012:b3nch4pi01/prod/GET/orders, User-Agent=\\"x\\"}',
      'Endpoint response body before transformations: {\\"errorMessage\\":\\"boom\\"}',
      'Method completed with status: 502',
      'X-ray Tracing ID : Root=1-67891233-abcdef012345678912345678',
      'Endpoint response body before transformations: {\\"late\\":\\"\\\\u00e9\\"}',
    ];
    const lines = texts.map(
      (t, i) => `{"timestamp":${1790000000000 + i},"message":"(${ID}) ${t}","logGroupName":"${GROUP}"}`,
    );
    const lazy = new TraceBuilder();
    const eager = new TraceBuilder();
    // Act
    lines.forEach((line, i) => {
      lazy.add(scanJsonLine(line, i + 1) as ByteLineEvent);
      eager.add(readLine(line, i + 1, true)?.event as LogEvent);
    });
    const a = lazy.finish();
    const b = eager.finish();
    // Assess: the trace's lines are the decoded texts, nothing of the JSON around them.
    expect(a.traces).toHaveLength(1);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.traces[0]?.lines.map((l) => l.text).at(-1)).toBe(
      'Endpoint response body before transformations: {"late":"\\u00e9"}',
    );
  });
});

async function* chunksOf(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function diagnoseText(text: string, lazy: boolean, chunkBytes: number) {
  const batches = streamEventBatches(chunksOf(text, chunkBytes), () => undefined, { lazy });
  // A sample of 100 failed requests: the others are counted and skipped unread.
  const { diagnosis, traces } = await diagnoseEventBatches(batches, { maxClassified: 100 });
  return { diagnosis, traces: traces.traces };
}

/**
 * 30,000 lines of every failure kind (escaped bodies included in the JSON form), more failed requests than the
 * sample keeps (so that requests are also skipped unread); every 997th message has a non-ASCII character, so that
 * some chunks are read as text and the others as bytes, a request's lines coming both ways.
 */
function corpusText(form: 'raw' | 'json'): string {
  const generator = new CorpusGenerator({ seed: 11, targetLines: 30_000, failureRate: 0.3 });
  const lines: string[] = [];
  for (let chunk = generator.nextChunk(4_096); chunk.length > 0; chunk = generator.nextChunk(4_096)) {
    for (const e of chunk) {
      const message = lines.length % 997 === 0 ? `${e.message} é` : e.message;
      lines.push(
        form === 'raw'
          ? message
          : JSON.stringify({
              logStreamName: e.logStreamName,
              timestamp: e.timestamp,
              message,
              ingestionTime: (e.timestamp ?? 0) + 450,
              logGroupName: e.logGroupName,
            }),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('diagnose on lines read in their bytes', () => {
  it('measures a UTF-8 line in characters, as pasted text is measured: a line cut at 80 columns is joined', async () => {
    // Prepare: a failed request pasted from a terminal 80 columns wide; its path line, with non-ASCII characters, was
    // cut at 80 characters (more bytes) and goes on on the next line.
    const id = '(e346ac6c-6e9e-4f72-abde-8ea3765997f9) ';
    const full = `${id}HTTP Method: GET, Resource Path: /cafés/über/1234567890`;
    const cut = full.slice(0, 80);
    expect(Buffer.byteLength(cut)).toBeGreaterThan(80);
    const text = [
      `${id}Starting execution for request: e346ac6c-6e9e-4f72-abde-8ea3765997f9`,
      cut,
      full.slice(80),
      `${id}Execution failed due to configuration error: Malformed Lambda proxy response`,
      `${id}Method completed with status: 502`,
      '',
    ].join('\n');
    // Act
    const lazy = await diagnoseText(text, true, 64 * 1024);
    const eager = await diagnoseText(text, false, 64 * 1024);
    // Assess: the same trace both ways, the cut line joined to the next.
    expect(JSON.stringify(lazy.traces)).toBe(JSON.stringify(eager.traces));
    expect(lazy.traces[0]?.lines.map((l) => l.text)).toContain(full.slice(id.length));
  });

  for (const form of ['raw', 'json'] as const) {
    for (const chunkBytes of [64 * 1024, 2 * 1024]) {
      it(`gives the same diagnosis and traces as lines decoded one by one (${form} lines, ${chunkBytes}-byte chunks)`, async () => {
        // Prepare: small chunks make requests span many chunks, so that their lines are also pinned as strings.
        const text = corpusText(form);
        if (form === 'json') expect(text.includes('\\"')).toBe(true);
        // Act
        const lazy = await diagnoseText(text, true, chunkBytes);
        const eager = await diagnoseText(text, false, chunkBytes);
        // Assess
        expect(lazy.diagnosis.failedRequests).toBeGreaterThan(400);
        expect(lazy.traces.length).toBeLessThanOrEqual(100);
        expect(JSON.stringify(lazy.diagnosis)).toBe(JSON.stringify(eager.diagnosis));
        expect(JSON.stringify(lazy.traces)).toBe(JSON.stringify(eager.traces));
      });
    }
  }
});
