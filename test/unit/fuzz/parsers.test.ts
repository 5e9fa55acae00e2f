/**
 * Fuzz properties of the parsers: no exception escapes whatever the bytes, and what can be read is read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyEvent } from '../../../lambda/classify/classify.js';
import { parseAccessLine, parseJsonAccessLine } from '../../../lambda/parse/access-log.js';
import { executionFacts, splitExecutionLine } from '../../../lambda/parse/execution-log.js';
import { parseFunctionLogLine } from '../../../lambda/parse/function-log.js';
import { decodeInput, parseCloudWatchInput } from '../../../lambda/parse/input.js';
import { anyText, FIXTURE_LINES, logEvents, mutatedBlock, requestId, runs } from './arbitraries.js';
import { parseEveryWay } from './pipeline.js';

const INPUT_FORMATS = ['empty', 'filter-log-events-json', 'json-lines', 'raw-lines'];

/** Text that starts like a line the parsers look at, then goes anywhere. */
const PREFIXES = [
  'Method completed with status: ',
  'HTTP Method: ',
  'Received response. Status: ',
  'Received response. Integration latency: ',
  "API Key authorized because method '",
  'AWS Integration Endpoint RequestId : ',
  'Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/',
  'Endpoint request headers: {',
  'Endpoint request body after transformations: {"stageVariables":',
  'Endpoint response headers: {',
  'Endpoint response body before transformations: ',
  'Sending request to ',
  'Starting authorizer',
  'Verifying Usage Plan for request: x. API Key: API Stage: ',
  'Lambda execution failed with status 200 due to customer function error: ',
  'Lambda invocation failed with status: ',
  'Execution failed due to configuration error: ',
  'START RequestId: ',
  'END RequestId: ',
  'REPORT RequestId: ',
  'INIT_REPORT Init Duration: 1 ms Phase: init Status: ',
  'RequestId: 00000000-0000-0000-0000-000000000000 Error: Runtime exited',
  '[ERROR] ',
  '2026-01-01T00:00:00.000Z\t00000000-0000-0000-0000-000000000000\tERROR\tInvoke Error \t',
  '2026-01-01T00:00:00.000Z 00000000-0000-0000-0000-000000000000 Task timed out after ',
  '1.2.3.4 - - [25/Nov/2026:16:47:18 +0000] "GET /orders HTTP/1.1" ',
  '<request id="',
  '{"type":"platform.report","record":',
  '{"level":"ERROR","errorType":',
  '{"status":',
];

const prefixed: fc.Arbitrary<string> = fc
  .tuple(fc.option(requestId, { nil: undefined }), fc.constantFrom(...PREFIXES), anyText)
  .map(([id, prefix, rest]) => `${id !== undefined ? `(${id}) ` : ''}${prefix}${rest}`);

const jsonish: fc.Arbitrary<string> = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ message: v, timestamp: v })),
  fc
    .dictionary(
      fc.constantFrom(
        'status',
        'requestId',
        'httpMethod',
        'resourcePath',
        'routeKey',
        'integrationErrorMessage',
        'error',
        'integration',
        '$context.status',
        'constructor',
        '__proto__',
        'toString',
      ),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map((o) => JSON.stringify(o)),
);

/** Any line a parser could be handed. */
const anyLine: fc.Arbitrary<string> = fc.oneof(
  anyText,
  prefixed,
  jsonish,
  fc.constantFrom(...FIXTURE_LINES),
  mutatedBlock.map((lines) => lines.join('\n')),
);

describe('line parsers', () => {
  it('never throw, whatever the line', () => {
    fc.assert(
      fc.property(anyLine, fc.option(fc.string(), { nil: undefined }), (message, group) => {
        parseEveryWay({ message, ...(group !== undefined ? { logGroupName: group } : {}) });
      }),
      { numRuns: runs(1500) },
    );
  });

  it('read an execution line as (id) and the rest, for any id without spaces or parentheses', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 128 }).filter((s) => !/[()\s]/.test(s)),
        anyText,
        (id, rest) => {
          // The id is up to 128 UTF-16 code units.
          fc.pre(id.length <= 128);
          const split = splitExecutionLine(`(${id}) ${rest}`);
          expect(split).toEqual({ requestId: id, text: rest });
        },
      ),
    );
  });

  it('state a status only from the line AWS writes, and only a 3-digit one', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const facts = executionFacts(text);
        if (facts.status !== undefined) {
          expect(text.startsWith('Method completed with status: ')).toBe(true);
          expect(facts.status).toBeGreaterThanOrEqual(100);
          expect(facts.status).toBeLessThan(1000);
        }
      }),
    );
  });

  it('state the status of every line AWS writes when a method completes, whatever follows it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 999 }),
        fc.oneof(
          fc.constant(''),
          anyText.map((t) => ` ${t}`),
        ),
        (status, rest) => {
          // Act
          const facts = executionFacts(`Method completed with status: ${status}${rest}`);
          // Assess
          expect(facts.status).toBe(status);
        },
      ),
    );
  });

  it('give an access record only with a numeric status', () => {
    fc.assert(
      fc.property(anyLine, (line) => {
        const record = parseAccessLine(line);
        if (record !== undefined) {
          expect(Number.isInteger(record.status)).toBe(true);
        }
      }),
      { numRuns: runs(500) },
    );
  });

  it('read the status, request id and route of every access line written as JSON, CLF or XML', () => {
    // The formats the console offers (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html).
    const id = fc.uuid();
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH');
    const path = fc.constantFrom('/orders', '/orders/{id}', '/', '/a-b_c/{proxy+}');
    const status = fc.integer({ min: 100, max: 599 });
    const fields = fc.tuple(id, method, path, status);
    const line = fc.oneof(
      fc.tuple(fields, fc.boolean()).map(([[requestId, m, resourcePath, s], numeric]) => ({
        line: JSON.stringify({
          requestId,
          ip: '203.0.113.7',
          httpMethod: m,
          resourcePath,
          status: numeric ? s : `${s}`,
        }),
        expected: { requestId, method: m, resourcePath, status: s },
      })),
      fields.map(([requestId, m, resourcePath, s]) => ({
        line: `203.0.113.7 - - [25/Nov/2026:16:47:18 +0000] "${m} ${resourcePath} HTTP/1.1" ${s} 36 ${requestId}`,
        expected: { requestId, method: m, resourcePath, status: s },
      })),
      fields.map(([requestId, m, resourcePath, s]) => ({
        line: `<request id="${requestId}"> <ip>203.0.113.7</ip> <caller>-</caller> <user>-</user> <requestTime>25/Nov/2026:16:47:18 +0000</requestTime> <httpMethod>${m}</httpMethod> <resourcePath>${resourcePath}</resourcePath> <status>${s}</status> <protocol>HTTP/1.1</protocol> <responseLength>36</responseLength> </request>`,
        expected: { requestId, method: m, resourcePath, status: s },
      })),
    );
    fc.assert(
      fc.property(line, ({ line, expected }) => {
        // Act
        const record = parseAccessLine(line);
        // Assess
        expect(record).toMatchObject(expected);
      }),
      { numRuns: runs(300) },
    );
  });

  it('read JSON access log objects of any shape, prototype keys included, without throwing', () => {
    fc.assert(
      fc.property(fc.object({ maxDepth: 3, withNullPrototype: true }), (value) => {
        parseJsonAccessLine(value);
        parseJsonAccessLine({ status: '502', ...value });
      }),
    );
  });

  it('read any JSON document after a Node.js ERROR prefix or as a JSON log line without throwing', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const json = JSON.stringify(value);
        parseFunctionLogLine(
          `2026-01-01T00:00:00.000Z\t00000000-0000-0000-0000-000000000000\tERROR\tInvoke Error \t${json}`,
        );
        parseFunctionLogLine(json);
        parseFunctionLogLine(JSON.stringify({ level: 'ERROR', errorType: 'Error', errorMessage: value, stack: value }));
        parseFunctionLogLine(JSON.stringify({ type: 'platform.report', record: value }));
      }),
    );
  });

  it('classify each event to a known cause or null, with a 3-digit status or null', () => {
    fc.assert(
      fc.property(logEvents({ maxBlocks: 3, maxNoise: 10 }), (events) => {
        for (const event of events) {
          const c = classifyEvent(event);
          expect(c.status === null || (Number.isInteger(c.status) && c.status >= 100 && c.status <= 999)).toBe(true);
          expect(['execution', 'access', 'lambda', 'other']).toContain(c.source);
        }
      }),
      { numRuns: runs(200) },
    );
  });
});

describe('decodeInput', () => {
  it('never throws for arbitrary bytes, and reports exactly the lines that hold a replacement character', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const { text, problems } = decodeInput(bytes);
        const reported = problems.map((p) => p.line);
        if (reported.length === 0) {
          // Nothing reported: the bytes were valid UTF-8, and the text is what they encode.
          expect(Buffer.from(new TextEncoder().encode(text)).equals(Buffer.from(bytes))).toBe(true);
          return;
        }
        const withReplacement = text.split('\n').flatMap((line, i) => (line.includes('\uFFFD') ? [i + 1] : []));
        expect(reported).toEqual(withReplacement);
      }),
      { numRuns: runs(500) },
    );
  });

  it('reports each line that held invalid UTF-8, once, and no other', () => {
    // Byte sequences that are invalid UTF-8 whatever stands around them (they follow a complete character).
    const invalid = fc.constantFrom(
      [0xff],
      [0xfe],
      [0x80],
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82, 0x78],
    );
    const line = fc.tuple(
      fc.string({ unit: 'grapheme', maxLength: 40 }).filter((t) => !/[\n\uFFFD]/.test(t)),
      fc.array(fc.tuple(fc.nat(), invalid), { maxLength: 2 }),
    );
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), (lines) => {
        // Prepare: each line's text, with its invalid sequences put between characters.
        const encoder = new TextEncoder();
        const bytes: number[] = [];
        lines.forEach(([text, inserts], i) => {
          if (i > 0) bytes.push(0x0a);
          const chars = [...text];
          const at = inserts
            .map(([pick, seq]) => [pick % (chars.length + 1), seq] as const)
            .sort((x, y) => x[0] - y[0]);
          let from = 0;
          for (const [to, seq] of at) {
            bytes.push(...encoder.encode(chars.slice(from, to).join('')), ...seq);
            from = to;
          }
          bytes.push(...encoder.encode(chars.slice(from).join('')));
        });
        // Act
        const { problems } = decodeInput(Uint8Array.from(bytes));
        // Assess
        expect(problems.map((p) => p.line)).toEqual(
          lines.flatMap(([, inserts], i) => (inserts.length > 0 ? [i + 1] : [])),
        );
      }),
      { numRuns: runs(300) },
    );
  });

  it('gives back valid UTF-8 unchanged, with no problem', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => {
        const { text, problems } = decodeInput(new TextEncoder().encode(s));
        expect(text).toBe(s);
        expect(problems).toEqual([]);
      }),
    );
  });
});

describe('parseCloudWatchInput', () => {
  it('never throws, whatever the text, and says which format it read', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          fc.array(anyLine, { maxLength: 20 }).map((lines) => lines.join('\n')),
          fc.array(anyLine, { maxLength: 20 }).map((lines) => lines.join('\r\n')),
          fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify({ events: v })),
          fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify({ events: [v, { message: 'x' }] }, null, 2)),
          fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify([v], null, 2).slice(0, -3)),
          fc.uint8Array({ maxLength: 500 }).map((b) => decodeInput(b).text),
        ),
        (text) => {
          const parsed = parseCloudWatchInput(text);
          expect(INPUT_FORMATS).toContain(parsed.format);
          for (const event of parsed.events) {
            expect(typeof event.message).toBe('string');
            if (event.timestamp !== undefined) expect(Number.isFinite(event.timestamp)).toBe(true);
          }
          for (const p of parsed.problems) expect(p.line).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: runs(800) },
    );
  });

  it('reads raw lines one event per non-blank line, CRLF or LF, lines starting with [ or { included', () => {
    const rawLine = fc
      .oneof(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 120 }),
        fc
          .tuple(
            fc.constantFrom('[', '{', '[ERROR] ', '{"level":', '  [', '[{'),
            fc.string({ unit: 'binary', maxLength: 80 }),
          )
          .map(([lead, rest]) => `${lead}${rest}`),
      )
      .filter((l) => !/[\n]/.test(l) && !l.endsWith('\r') && l.trim() !== '' && !l.startsWith('\uFEFF'));
    fc.assert(
      fc.property(fc.array(rawLine, { minLength: 1, maxLength: 30 }), fc.boolean(), (lines, crlf) => {
        const parsed = parseCloudWatchInput(lines.join(crlf ? '\r\n' : '\n'));
        expect(parsed.format).toBe('raw-lines');
        expect(parsed.events.map((e) => e.message)).toEqual(lines);
      }),
      { numRuns: runs(300) },
    );
  });

  it('reads JSON lines and filter-log-events documents message for message', () => {
    const event = fc.record({
      message: fc.string({ unit: 'binary', maxLength: 200 }).filter((m) => !m.endsWith('\n')),
      timestamp: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      logStreamName: fc.string({ maxLength: 20 }),
    });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 20 }), fc.constantFrom(0, 2), (events, indent) => {
        const lines = parseCloudWatchInput(events.map((e) => JSON.stringify(e)).join('\n'));
        expect(lines.format).toBe('json-lines');
        expect(lines.events).toEqual(events);
        const doc = parseCloudWatchInput(JSON.stringify({ events, searchedLogStreams: [] }, null, indent));
        expect(doc.format).toBe('filter-log-events-json');
        expect(doc.events).toEqual(events);
      }),
      { numRuns: runs(300) },
    );
  });

  it('survives deep nesting: 10,000 levels of [ and {, closed or not', () => {
    for (const text of [
      '['.repeat(10_000),
      `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      `{"events":${'['.repeat(10_000)}`,
      `{\n"events": [${'{"message":'.repeat(10_000)}`,
      `{"message":"x","a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    ]) {
      const parsed = parseCloudWatchInput(text);
      expect(INPUT_FORMATS).toContain(parsed.format);
    }
  });
});
