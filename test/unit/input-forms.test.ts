import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readCsv, readJsonDocument, readMarkdownTable } from '../../lambda/parse/forms/documents.js';
import { isKnownLogText } from '../../lambda/parse/forms/known-text.js';
import { LineFormReader } from '../../lambda/parse/forms/line-forms.js';
import type { InputProblem } from '../../lambda/parse/input.js';
import { BinaryInputError, type InputReport, streamEvents } from '../../lambda/parse/input-stream.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';

const ID = 'fbcaf9e5-d535-40a1-891c-7b70118cf7e8';

function readLines(text: string, forced?: ConstructorParameters<typeof LineFormReader>[1]) {
  const events: LogEvent[] = [];
  const reader = new LineFormReader((e) => events.push(e), forced);
  text.split('\n').forEach((l, i) => {
    reader.push(l, i + 1);
  });
  reader.end();
  return { events, stats: reader.stats };
}

async function stream(bytes: Uint8Array | string, chunk = 7) {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes);
  async function* chunks() {
    for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk);
  }
  const events: LogEvent[] = [];
  const problems: InputProblem[] = [];
  let report: InputReport | undefined;
  for await (const e of streamEvents(chunks(), (p) => problems.push(p), { report: (r) => (report = r) })) {
    events.push(e);
  }
  return { events, problems, report };
}

describe('LineFormReader', () => {
  it('reads `aws logs tail` lines into the event CloudWatch holds: message, time and stream', () => {
    // Act
    const { events, stats } = readLines(
      `2026-11-25T03:12:05.104000+00:00 e369853df766fa44e1ed0ff613f563bd (${ID}) Execution failed due to a timeout error`,
    );
    // Assess
    expect(events).toEqual([
      {
        message: `(${ID}) Execution failed due to a timeout error`,
        timestamp: Date.parse('2026-11-25T03:12:05.104Z'),
        logStreamName: 'e369853df766fa44e1ed0ff613f563bd',
        line: 1,
      },
    ]);
    expect(stats).toMatchObject({ lines: 1, unrecognised: 0, forms: { 'logs-tail': 1 } });
  });

  it('joins a message tail printed over several lines (a Lambda error with its stack) back into one', () => {
    const { events } = readLines(
      [
        '2026-11-25T03:12:05.104000+00:00 2026/11/25/[$LATEST]0f1e 2026-11-25T03:12:05.100Z\tdcb2ab89-2d03-4b77-98cd-18d14fd2b850\tERROR\tInvoke Error \t{"errorType":"TypeError","stack":["TypeError: x","    at Runtime.handler (file:///var/task/index.mjs:12:31)"]}',
        '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
        `2026-11-25T03:12:05.110000+00:00 e369853df766fa44e1ed0ff613f563bd (${ID}) Method completed with status: 502`,
      ].join('\n'),
    );
    expect(events).toHaveLength(2);
    expect(events[0]?.message).toMatch(/\n {4}at process\.processTicksAndRejections/);
    expect(events[1]?.line).toBe(3);
  });

  it("reads the CLI's text output of an event whose message ends with a newline (its time on the next line)", () => {
    // awscli/text.py writes '\t'.join of the fields: a Lambda message keeps the newline CloudWatch stored.
    const { events, stats } = readLines(
      [
        'EVENTS\t1795576325516\tSTART RequestId: 72c9141d-aea4-4253-827e-c46677046b77 Version: $LATEST',
        '\t1795576325104',
        `EVENTS\t1795576325523\t(${ID}) Method completed with status: 502\t1795576325111`,
      ].join('\n'),
    );
    expect(events).toEqual([
      {
        message: 'START RequestId: 72c9141d-aea4-4253-827e-c46677046b77 Version: $LATEST',
        timestamp: 1795576325104,
        line: 1,
      },
      { message: `(${ID}) Method completed with status: 502`, timestamp: 1795576325111, line: 3 },
    ]);
    expect(stats.unrecognised).toBe(0);
  });

  it('reads tail lines coloured for a terminal (ANSI codes around the time and stream)', () => {
    const { events } = readLines(
      `\u001b[32m2026-11-25T03:12:05.104000+00:00\u001b[0m \u001b[36ms1\u001b[0m (${ID}) Method completed with status: 504`,
    );
    expect(events[0]).toMatchObject({ message: `(${ID}) Method completed with status: 504`, logStreamName: 's1' });
  });

  it('reads the console Test output as one request: the id of its header, the time of each line', () => {
    const { events, stats } = readLines(
      [
        'Request: /menus',
        'Status: 502',
        'Latency: 948 ms',
        'Response Body',
        '{"message": "Internal server error"}',
        'Logs',
        `Execution log for request ${ID}`,
        `Tue Oct 12 21:10:00 UTC 2021 : Execution failed due to configuration error: Malformed Lambda proxy response`,
        'Tue Oct 12 21:10:00 UTC 2021 : Method completed with status: 502',
      ].join('\n'),
    );
    expect(events.map((e) => e.message)).toEqual([
      `(${ID}) Execution failed due to configuration error: Malformed Lambda proxy response`,
      `(${ID}) Method completed with status: 502`,
    ]);
    expect(events[0]?.timestamp).toBe(Date.parse('2021-10-12T21:10:00Z'));
    expect(stats.unrecognised).toBe(0);
  });

  it('reads a Test log pasted indented (as quoted in issues), its header id kept', () => {
    const { events } = readLines(
      [
        '\tExecution log for request test-request',
        '\tSun May 07 05:37:15 UTC 2017 : Execution failed due to configuration error: Invalid permissions on Lambda function',
      ].join('\n'),
    );
    expect(events.map((e) => e.message)).toEqual([
      '(test-request) Execution failed due to configuration error: Invalid permissions on Lambda function',
    ]);
  });

  it('starts a new request for bare lines after a blank line or a completed status', () => {
    const { events } = readLines(
      [
        'Execution failed due to a timeout error',
        'Method completed with status: 504',
        'Execution failed due to configuration error: Invalid permissions on Lambda function',
        'Method completed with status: 500',
        '',
        'Method completed with status: 502',
      ].join('\n'),
    );
    expect(events.map((e) => e.message)).toEqual([
      '(input-line-1) Execution failed due to a timeout error',
      '(input-line-1) Method completed with status: 504',
      '(input-line-3) Execution failed due to configuration error: Invalid permissions on Lambda function',
      '(input-line-3) Method completed with status: 500',
      '(input-line-6) Method completed with status: 502',
    ]);
  });

  it('keeps a line it cannot read as it is, and counts it with the first few as samples', () => {
    const { events, stats } = readLines(['a', 'b', 'c', 'd', `(${ID}) Method completed with status: 504`].join('\n'));
    expect(events).toHaveLength(5);
    expect(stats.unrecognised).toBe(4);
    expect(stats.samples.map((s) => s.line)).toEqual([1, 2, 3]);
  });

  it('takes a `#` line for a comment: read, not reported as unrecognised', () => {
    const { events, stats } = readLines(
      `# source: https://example.org/issue/1\n(${ID}) Method completed with status: 504`,
    );
    expect(events).toHaveLength(2);
    expect(stats).toMatchObject({ lines: 2, unrecognised: 0 });
  });

  it('reads only the forced form when one is forced', () => {
    const { events, stats } = readLines('2026-11-25T03:12:05 Method completed with status: 504', 'cloudwatch');
    expect(events[0]?.message).toBe('2026-11-25T03:12:05 Method completed with status: 504');
    expect(stats.unrecognised).toBe(1);
  });
});

describe('isKnownLogText', () => {
  it('knows execution, access and Lambda lines and API Gateway text quoted alone, and nothing else', () => {
    expect(isKnownLogText(`(${ID}) anything`)).toBe(true);
    expect(isKnownLogText('Execution failed due to a timeout error')).toBe(true);
    expect(
      isKnownLogText(
        'The Lambda function returned the following error: boom. Check your Lambda function code and try again.',
      ),
    ).toBe(true);
    expect(isKnownLogText('START RequestId: dcb2ab89-2d03-4b77-98cd-18d14fd2b850 Version: $LATEST')).toBe(true);
    expect(isKnownLogText('{"requestId":"x","status":"502"}')).toBe(true);
    expect(isKnownLogText('hello world')).toBe(false);
    expect(isKnownLogText('{"level":"info","msg":"listening"}')).toBe(false);
  });
});

describe('document forms', () => {
  it('reads get-query-results rows by field name, the group from @log, and says when @message is missing', () => {
    const doc = JSON.stringify({
      results: [
        [
          { field: '@timestamp', value: '2026-11-25 03:12:05.104' },
          { field: '@message', value: `(${ID}) Method completed with status: 504` },
          { field: '@log', value: '123456789012:API-Gateway-Execution-Logs_a1b2c3d4e5/prod' },
        ],
      ],
      status: 'Complete',
    });
    expect(readJsonDocument(doc)?.events).toEqual([
      {
        message: `(${ID}) Method completed with status: 504`,
        timestamp: Date.parse('2026-11-25T03:12:05.104Z'),
        logGroupName: 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod',
        line: 1,
      },
    ]);
    const counts = readJsonDocument(JSON.stringify({ results: [[{ field: 'count()', value: '4' }]] }));
    expect(counts?.events).toEqual([]);
    expect(counts?.problems[0]?.reason).toMatch(
      /no @message field and no access log field \(status, requestId, integrationErrorMessage, ...\): run the query with `fields @timestamp, @message/,
    );
  });

  it('reads a CSV whose quoted message holds commas, quotes and a newline', () => {
    const read = readCsv(`@timestamp,@message\n2026-11-25 03:12:05.104,"(${ID}) a, ""b""\nc"\n`);
    expect(read?.events).toEqual([
      { message: `(${ID}) a, "b"\nc`, timestamp: Date.parse('2026-11-25T03:12:05.104Z'), line: 2 },
    ]);
  });

  it('reads a Markdown table with an escaped pipe in a message', () => {
    const read = readMarkdownTable(
      `| @timestamp | @message |\n|---|---|\n| 2026-11-25 03:12:05.104 | (${ID}) a \\| b |\n`,
    );
    expect(read?.events.map((e) => e.message)).toEqual([`(${ID}) a | b`]);
  });

  it('skips a subscription control message and takes group and stream from the payload', () => {
    const control = JSON.stringify({
      messageType: 'CONTROL_MESSAGE',
      logEvents: [{ id: '', message: 'CWL CONTROL MESSAGE' }],
    });
    const data = JSON.stringify({
      messageType: 'DATA_MESSAGE',
      logGroup: 'g',
      logStream: 's',
      logEvents: [{ id: '1', timestamp: 5, message: `(${ID}) Method completed with status: 504` }],
    });
    const read = readJsonDocument(`${control}${data}`);
    expect(read?.form).toBe('subscription');
    expect(read?.events).toEqual([
      {
        message: `(${ID}) Method completed with status: 504`,
        timestamp: 5,
        logGroupName: 'g',
        logStreamName: 's',
        line: 1,
      },
    ]);
  });
});

describe('streamEvents', () => {
  it('reads gzip through, however its bytes are cut, and says it was gzip', async () => {
    const text = `(${ID}) Execution failed due to a timeout error\n(${ID}) Method completed with status: 504\n`;
    const { events, report } = await stream(gzipSync(Buffer.from(text)), 3);
    expect(events.map((e) => [e.message, e.line])).toEqual([
      [`(${ID}) Execution failed due to a timeout error`, 1],
      [`(${ID}) Method completed with status: 504`, 2],
    ]);
    expect(report).toMatchObject({ gzip: true, lines: 2, unrecognised: 0 });
  });

  it('refuses binary input before reading any of it', async () => {
    await expect(stream(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00]))).rejects.toBeInstanceOf(
      BinaryInputError,
    );
  });

  it('reads a one-line subscription payload and base64 payloads as documents', async () => {
    const payload = JSON.stringify({
      messageType: 'DATA_MESSAGE',
      logGroup: 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod',
      logStream: 's',
      logEvents: [{ id: '1', timestamp: 5, message: `(${ID}) Method completed with status: 504` }],
    });
    for (const input of [payload, `${gzipSync(Buffer.from(payload)).toString('base64')}\n`]) {
      const { events, report } = await stream(input);
      expect(events.map((e) => e.logGroupName)).toEqual(['API-Gateway-Execution-Logs_a1b2c3d4e5/prod']);
      expect(report?.forms).toEqual({ subscription: 1 });
    }
  });
});
