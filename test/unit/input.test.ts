import { describe, expect, it } from 'vitest';
import { decodeInput, parseCloudWatchInput } from '../../lambda/parse/input.js';

const EXEC = '(5cb7ee58-39e6-11e9-be7e-29aff96747f2) Method completed with status: 502';

describe('parseCloudWatchInput', () => {
  it('reads raw lines, one event per line, skipping blank lines', () => {
    // Act
    const parsed = parseCloudWatchInput(`${EXEC}\n\n${EXEC}\n`);
    // Assess
    expect(parsed.format).toBe('raw-lines');
    expect(parsed.events.map((e) => e.message)).toEqual([EXEC, EXEC]);
    expect(parsed.problems).toEqual([]);
  });

  it('strips CR from CRLF line endings', () => {
    const parsed = parseCloudWatchInput(`${EXEC}\r\n${EXEC}\r\n`);
    expect(parsed.events.map((e) => e.message)).toEqual([EXEC, EXEC]);
  });

  it('says empty for empty or whitespace-only input', () => {
    expect(parseCloudWatchInput('')).toEqual({ format: 'empty', events: [], problems: [] });
    expect(parseCloudWatchInput(' \n\t\n').format).toBe('empty');
  });

  it('reads the JSON document that aws logs filter-log-events prints, with timestamps and streams', () => {
    // Prepare: shape from awscli/examples/logs/filter-log-events.rst
    const doc = JSON.stringify(
      {
        events: [
          {
            logStreamName: 'e369853df766fa44e1ed0ff613f563bd',
            timestamp: 1551267071458,
            message: EXEC,
            ingestionTime: 1551267071500,
            eventId: '34594411695455654567377324341387189237550210269215719442',
          },
        ],
        searchedLogStreams: [],
      },
      null,
      4,
    );
    // Act
    const parsed = parseCloudWatchInput(doc);
    // Assess
    expect(parsed.format).toBe('filter-log-events-json');
    expect(parsed.events).toEqual([
      { message: EXEC, timestamp: 1551267071458, logStreamName: 'e369853df766fa44e1ed0ff613f563bd' },
    ]);
  });

  it('reports events without a message field and keeps the others', () => {
    const parsed = parseCloudWatchInput(JSON.stringify({ events: [{ timestamp: 1 }, { message: EXEC }] }));
    expect(parsed.events.map((e) => e.message)).toEqual([EXEC]);
    expect(parsed.problems).toEqual([{ line: 1, reason: 'events[0] has no string "message" field; skipped' }]);
  });

  it('salvages the messages of a filter-log-events document that was cut short', () => {
    // Prepare
    const doc = `{\n    "events": [\n        {\n            "logStreamName": "s1",\n            "timestamp": 1551267071458,\n            "message": ${JSON.stringify(EXEC)},\n            "eventId": "1"\n        },\n        {\n            "logStreamName": "s1",\n            "message": "(5cb7ee58-39e6-11e9-be7e-29aff96747f2) Execution failed`;
    // Act
    const parsed = parseCloudWatchInput(doc);
    // Assess
    expect(parsed.events).toEqual([{ message: EXEC, timestamp: 1551267071458, logStreamName: 's1' }]);
    expect(parsed.problems[0]?.reason).toMatch(
      /^not a valid JSON document \(.+\); read its "message" fields line by line$/,
    );
  });

  it('reads JSON lines with a message field and strips the newline CloudWatch keeps', () => {
    const lines = [
      JSON.stringify({ timestamp: 1700000000000, logStreamName: 'a', message: `${EXEC}\n` }),
      JSON.stringify({ timestamp: '2023-11-14T22:13:20.000Z', message: EXEC }),
    ].join('\n');
    const parsed = parseCloudWatchInput(lines);
    expect(parsed.format).toBe('json-lines');
    expect(parsed.events).toEqual([
      { message: EXEC, timestamp: 1700000000000, logStreamName: 'a' },
      { message: EXEC, timestamp: 1700000000000 },
    ]);
  });

  it('keeps a JSON access log line without a message field as a raw line', () => {
    const access = '{"requestId":"Vdn1pgs-oAMEVaA=","status":"502","routeKey":"ANY /"}';
    const parsed = parseCloudWatchInput(access);
    expect(parsed.events).toEqual([{ message: access }]);
    expect(parsed.problems).toEqual([]);
  });

  it('reports malformed JSON with its line number and still reads the line as raw text', () => {
    const parsed = parseCloudWatchInput(`${EXEC}\n{"message": "cut off\n${EXEC}`);
    expect(parsed.events.map((e) => e.message)).toEqual([EXEC, '{"message": "cut off', EXEC]);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]?.line).toBe(2);
    expect(parsed.problems[0]?.reason).toMatch(/^malformed JSON \(.+\); read as raw text$/);
  });

  it('reads a 1 MB line whole', () => {
    const huge = `(5cb7ee58-39e6-11e9-be7e-29aff96747f2) Endpoint response body before transformations: ${'x'.repeat(1024 * 1024)}`;
    const parsed = parseCloudWatchInput(`${huge}\n${EXEC}`);
    expect(parsed.events).toHaveLength(2);
    expect(parsed.events[0]?.message.length).toBe(huge.length);
  });
});

describe('decodeInput', () => {
  it('replaces invalid UTF-8 and reports each line that held it', () => {
    // Prepare: line 2 holds a lone continuation byte, line 3 a truncated sequence.
    const bytes = Buffer.concat([
      Buffer.from(`${EXEC}\n`),
      Buffer.from([0x28, 0x80, 0x29, 0x0a]),
      Buffer.from([0xe2, 0x82, 0x0a]),
    ]);
    // Act
    const decoded = decodeInput(bytes);
    // Assess
    expect(decoded.text.split('\n')[1]).toBe('(\uFFFD)');
    expect(decoded.problems).toEqual([
      { line: 2, reason: 'invalid UTF-8 bytes replaced with U+FFFD' },
      { line: 3, reason: 'invalid UTF-8 bytes replaced with U+FFFD' },
    ]);
  });

  it('reports nothing for valid UTF-8 with non-ASCII text', () => {
    expect(decodeInput(Buffer.from('(id) 日本語 ✓\n')).problems).toEqual([]);
  });
});

describe('parseCloudWatchInput with raw lines that start with a bracket', () => {
  it('reads Python [ERROR] lines as raw lines instead of dropping them as a broken JSON document', () => {
    // Regression input: test/fixtures/fuzz/logs/known-data-loss-first-line-bracket.log
    const parsed = parseCloudWatchInput(
      "[ERROR] KeyError: 'id'\n[WARNING]\t2024-10-03T13:11:59.748Z\t6795fe66-02b7-4e64-98b5-1061b6d08b6d\tretrying\n",
    );
    expect(parsed.format).toBe('raw-lines');
    expect(parsed.events).toHaveLength(2);
  });
});
