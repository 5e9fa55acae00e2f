import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInput } from '../../lambda/parse/input-stream.js';
import { runCli as run } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '../..');
const PUBLISHED = join(
  ROOT,
  'test/fixtures/forms/pastes/published-sans-insights-results-integration-error-message.json',
);

interface Diagnosis {
  readonly failedRequests: number;
  readonly causes: ReadonlyArray<{
    cause: string;
    count: number;
    statuses: ReadonlyArray<{ key: number | null }>;
    routes: ReadonlyArray<{ key: string }>;
  }>;
}

function diagnose(input: string) {
  const out = run(['diagnose', '--format', 'json'], input);
  return { ...out, diagnosis: out.code === 0 ? (JSON.parse(out.stdout) as Diagnosis) : undefined };
}

// Values of the published results (the HTTP API's $context.integrationErrorMessage as API Gateway writes it).
const ERROR_TEXT =
  "The Lambda function returned the following error: argument should be a bytes-like object or ASCII string, not 'NoneType'. Check your Lambda function code and try again.";
const PTR =
  'CmIKKQolMjA2NzU3ODIwMTUxOi9hd3MvYXBpX2d3L2V2aWRlbmNlX2FwaRABEjUaGAIF5f2FfQAAAAUgNzcmAAYtVS+AAAAA0iABKI6Js4qhMDDrqLWKoTA4BkCwEUisFFDTDRABGAE=';
const NO_MESSAGE = /no @message field and no access log field .*run the query with `fields @timestamp, @message/;

/** get-query-results JSON of rows given as field → value, `@ptr` last, as the CLI prints it (4-space indent). */
function queryResults(rows: ReadonlyArray<Record<string, string>>): string {
  const results = rows.map((row) => Object.entries(row).map(([field, value]) => ({ field, value })));
  return `${JSON.stringify({ results, statistics: { recordsMatched: rows.length }, status: 'Complete' }, null, 4)}\n`;
}

describe('Logs Insights results of a query without @message', () => {
  it('diagnoses the published get-query-results of `fields integrationErrorMessage` (was: a false all-clear)', () => {
    // Act
    const { code, stderr, diagnosis } = diagnose(readFileSync(PUBLISHED, 'utf8'));
    // Assess: 7 rows hold a Lambda error; the 8th holds only its @ptr (the record had no such field) and is said.
    expect(code).toBe(0);
    expect(diagnosis?.failedRequests).toBe(7);
    expect(diagnosis?.causes.map((c) => [c.cause, c.count])).toEqual([['lambda_function_error', 7]]);
    expect(stderr).toContain('1 of 8 lines was not recognised');
    expect(stderr).not.toMatch(NO_MESSAGE);
  });

  it('points each row at the line its first field is on', () => {
    // Act
    const read = parseInput(readFileSync(PUBLISHED, 'utf8'));
    // Assess: rows are 10 lines apart, the first row's first field on line 5.
    expect(read.events.map((e) => e.line)).toEqual([5, 15, 25, 35, 45, 55, 65]);
    expect(read.events[6]?.message).toBe(ERROR_TEXT);
    expect(read.report.samples.map((s) => s.line)).toEqual([75]);
  });

  it('reads rows with access log fields as access log records: status, route and request id', () => {
    // Prepare
    const text = queryResults([
      {
        '@timestamp': '2022-07-18 12:34:31.195',
        status: '500',
        routeKey: 'POST /api',
        requestId: 'Vdn1pgs-oAMEVaA=',
        integrationErrorMessage: ERROR_TEXT,
        '@ptr': PTR,
      },
      { '@timestamp': '2022-07-18 12:34:30.964', status: '200', routeKey: 'ANY /', requestId: 'Vdn1ng7PIAMEVPw=' },
    ]);
    // Act
    const read = parseInput(text);
    const { code, diagnosis } = diagnose(text);
    // Assess
    expect(JSON.parse(read.events[0]?.message ?? '')).toEqual({
      status: '500',
      routeKey: 'POST /api',
      requestId: 'Vdn1pgs-oAMEVaA=',
      integrationErrorMessage: ERROR_TEXT,
    });
    expect(read.events[0]?.timestamp).toBe(Date.parse('2022-07-18T12:34:31.195Z'));
    expect(read.report.unrecognised).toBe(0);
    expect(code).toBe(0);
    expect(diagnosis?.failedRequests).toBe(1);
    expect(diagnosis?.causes.map((c) => [c.cause, c.statuses.map((s) => s.key), c.routes.map((r) => r.key)])).toEqual([
      ['lambda_function_error', [500], ['POST /api']],
    ]);
  });

  it('reads rows with @message as before beside rows without it', () => {
    // Prepare
    const text = queryResults([
      { '@timestamp': '2022-07-18 12:34:31.195', '@message': '{"status":"200","requestId":"a"}' },
      { '@timestamp': '2022-07-18 12:34:30.964', integrationErrorMessage: ERROR_TEXT },
    ]);
    // Act
    const read = parseInput(text);
    // Assess
    expect(read.events.map((e) => e.message)).toEqual(['{"status":"200","requestId":"a"}', ERROR_TEXT]);
  });

  it('exits 3 saying what to query when no row holds a log (a stats query)', () => {
    // Prepare
    const text = queryResults([{ '@timestamp': '2022-07-18 12:34:00.000', 'count()': '4' }]);
    // Act
    const { code, stderr, stdout } = diagnose(text);
    // Assess
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toMatch(NO_MESSAGE);
    expect(stderr).toContain('nothing was diagnosed');
  });
});

describe("the Logs Insights console's exports of a query without @message", () => {
  const rows = [
    { '@timestamp': '2022-07-18 12:34:31.195', integrationErrorMessage: ERROR_TEXT },
    { '@timestamp': '2022-07-18 12:34:30.964', integrationErrorMessage: ERROR_TEXT },
  ];

  it.each([
    ['JSON (an array of rows)', `${JSON.stringify(rows, null, 4)}\n`],
    [
      'CSV',
      `@timestamp,integrationErrorMessage\n${rows.map((r) => `${r['@timestamp']},"${r.integrationErrorMessage}"`).join('\n')}\n`,
    ],
    [
      'Markdown',
      `| @timestamp | integrationErrorMessage |\n|---|---|\n${rows.map((r) => `| ${r['@timestamp']} | ${r.integrationErrorMessage} |`).join('\n')}\n`,
    ],
  ])('reads each row of the %s export as the record of one request', (_form, text) => {
    // Act
    const read = parseInput(text);
    const { code, diagnosis } = diagnose(text);
    // Assess
    expect(read.events.map((e) => e.message)).toEqual([ERROR_TEXT, ERROR_TEXT]);
    expect(read.events[0]?.timestamp).toBe(Date.parse('2022-07-18T12:34:31.195Z'));
    expect(code).toBe(0);
    expect(diagnosis?.causes.map((c) => [c.cause, c.count])).toEqual([['lambda_function_error', 2]]);
  });

  it.each([
    [
      'JSON (an array of rows)',
      '[\n    {\n        "@timestamp": "2022-07-18 12:34:00.000",\n        "count()": "4"\n    }\n]\n',
    ],
    ['CSV', '@timestamp,count()\n2022-07-18 12:34:00.000,4\n'],
    ['Markdown', '| @timestamp | count() |\n|---|---|\n| 2022-07-18 12:34:00.000 | 4 |\n'],
  ])('exits 3 saying what to query when the %s export holds no log', (_form, text) => {
    // Act
    const { code, stderr } = diagnose(text);
    // Assess
    expect(code).toBe(3);
    expect(stderr).toMatch(NO_MESSAGE);
  });
});
