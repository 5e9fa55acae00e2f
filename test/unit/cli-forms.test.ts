import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CLI_BIN as BIN, runCli as run } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';

const ROOT = join(import.meta.dirname, '../..');
const FORMS = join(ROOT, 'test/fixtures/forms');

interface Diagnosis {
  readonly failedRequests: number;
  readonly byStatus: ReadonlyArray<{ key: number; count: number }>;
  readonly causes: ReadonlyArray<{ cause: string; count: number }>;
}

function diagnose(file: string, extra: string[] = []) {
  const out = run(['diagnose', '--format', 'json', ...extra, join(FORMS, file)]);
  return { ...out, diagnosis: out.code === 0 ? (JSON.parse(out.stdout) as Diagnosis) : undefined };
}

// Each fixture holds the lines of a sourced cause fixture in one form (test/fixtures/forms/README.md):
// integration_timeout/rest-29s-timeout-with-access-log.log: 2 requests end in 504 (INTEGRATION_TIMEOUT);
// lambda_permission/rest-invalid-permissions-on-function.log: 3 requests end in 500 (Invalid permissions).
const TIMEOUT = { failed: 2, status: 504, cause: 'integration_timeout' };
const PERMISSION = { failed: 3, status: 500, cause: 'lambda_permission' };
const MALFORMED = { failed: 1, status: 502, cause: 'malformed_lambda_response' };

const CASES: ReadonlyArray<[string, string, typeof TIMEOUT]> = [
  ['`aws logs tail` (default, detailed)', 'logs-tail-detailed.txt', TIMEOUT],
  ['`aws logs tail` gzipped', 'logs-tail-detailed.txt.gz', TIMEOUT],
  ['`aws logs tail --format short`', 'logs-tail-short.txt', PERMISSION],
  ['`aws logs tail --format json` (access log JSON pretty-printed)', 'logs-tail-json.txt', TIMEOUT],
  ["the console's Test output pasted whole", 'console-test-malformed-502.txt', MALFORMED],
  ['`aws apigateway test-invoke-method` JSON', 'test-invoke-method.json', MALFORMED],
  ['execution lines without their request id prefix', 'bare-lines.txt', PERMISSION],
  ['`aws logs filter-log-events` JSON', 'filter-log-events.json', PERMISSION],
  ['`aws logs filter-log-events --output text`', 'filter-log-events.txt', PERMISSION],
  ['`aws logs get-log-events --output text` (its tokens first)', 'get-log-events.txt', PERMISSION],
  ['`aws logs get-query-results` JSON (newest first)', 'insights-get-query-results.json', TIMEOUT],
  ["the Logs Insights console's CSV export", 'insights-export.csv', PERMISSION],
  ["the Logs Insights console's Markdown table", 'insights-export.md', PERMISSION],
  ["the Logs Insights console's JSON export", 'insights-export.json', TIMEOUT],
  ["the CloudWatch console's CSV download", 'console-log-events.csv', PERMISSION],
  ['a CloudWatch Logs export to S3 (000000.gz)', 's3-export-000000.gz', TIMEOUT],
  ['a gzipped subscription filter payload', 'subscription-payload.json.gz', TIMEOUT],
  ['the Lambda event of a subscription filter ({"awslogs": {"data"}})', 'subscription-lambda-event.json', TIMEOUT],
  ['base64 subscription payloads, one per line', 'subscription-base64.txt', TIMEOUT],
  ['a Firehose S3 object (gzip members back to back, a control message first)', 'firehose-s3-object.gz', TIMEOUT],
  ["the CloudWatch console's log events copied (time | message; expanded JSON)", 'console-copy.txt', TIMEOUT],
  ['a REST access log in JSON', 'access-rest-json.log', TIMEOUT],
  ['a REST access log in CLF', 'access-rest-clf.log', TIMEOUT],
  ['a REST access log in CSV', 'access-rest-csv.log', TIMEOUT],
  ['a REST access log in XML', 'access-rest-xml.log', TIMEOUT],
];

describe('apigw-5xx diagnose reads every input form without flags', () => {
  it.each(CASES)('finds the failed requests and their cause in %s', (_label, file, expected) => {
    // Act
    const { code, stderr, diagnosis } = diagnose(file);
    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(diagnosis?.failedRequests).toBe(expected.failed);
    expect(diagnosis?.byStatus).toEqual([{ key: expected.status, count: expected.failed }]);
    expect(diagnosis?.causes.map((c) => [c.cause, c.count])).toEqual([[expected.cause, expected.failed]]);
  });

  it('reads HTTP API access logs in JSON and CLF (the sourced cause fixtures)', () => {
    for (const file of [
      '../causes/lambda_permission/http-api-json-integration-not-permitted.log',
      '../causes/lambda_permission/http-api-clf-integration-not-permitted.log',
    ]) {
      const { code, diagnosis } = diagnose(file);
      expect(code, file).toBe(0);
      expect(diagnosis?.failedRequests, file).toBe(2);
      expect(
        diagnosis?.causes.map((c) => c.cause),
        file,
      ).toEqual(['lambda_permission']);
    }
  });

  it('reads an HTTP API access log in CSV: the failed requests and their status (the layout holds no error text)', () => {
    const { code, diagnosis } = diagnose('access-http-csv.log');
    expect(code).toBe(0);
    expect(diagnosis?.failedRequests).toBe(2);
    expect(diagnosis?.byStatus).toEqual([{ key: 500, count: 2 }]);
    // The documented CSV layout has no $context.integrationErrorMessage: a 500 with no reason is `unknown`.
    expect(diagnosis?.causes.map((c) => c.cause)).toEqual(['unknown']);
  });

  it('reads standard input gzipped as well as a .gz file', () => {
    const bytes = readFileSync(join(FORMS, 'logs-tail-short.txt'));
    const { code, stdout } = run(['diagnose', '--format', 'json'], gzipSync(bytes));
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as Diagnosis).failedRequests).toBe(PERMISSION.failed);
  });

  it('reads a form forced with --input-format, and nothing else as that form', () => {
    const forced = diagnose('logs-tail-short.txt', ['--input-format', 'logs-tail-short']);
    expect(forced.diagnosis?.failedRequests).toBe(PERMISSION.failed);
    // Read as CloudWatch's own lines, tail output is no log at all: said so, exit 3.
    const wrong = diagnose('logs-tail-short.txt', ['--input-format', 'cloudwatch']);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('were not recognised');
  });
});

describe('apigw-5xx --input-format never falls back silently', () => {
  it.each([
    ['console-test', 'logs-tail-detailed.txt', 'logs-tail'],
    ['logs-tail', 'console-copy.txt', 'console-copy'],
    ['logs-tail', 'filter-log-events.json', 'filter-log-events-json'],
    ['insights-json', 'filter-log-events.json', 'filter-log-events-json'],
    ['bare', 'logs-tail-short.txt', 'logs-tail-short'],
    ['s3-export', 'access-rest-json.log', 'cloudwatch'],
  ])(
    'says an input forced as %s that is %s is not in that form, what it looks like, and diagnoses nothing (exit 3)',
    (form, file, looksLike) => {
      // Act
      const { code, stdout, stderr } = diagnose(file, ['--input-format', form]);
      // Assess
      expect(code).toBe(3);
      expect(stdout).toBe('');
      expect(stderr).toContain(`--input-format ${form}: the input does not look like`);
      expect(stderr).toContain(`(--input-format ${looksLike})`);
      expect(stderr).toContain('nothing was diagnosed');
    },
  );

  it('says how many lines of a forced form were not in it when some were, and reads the rest', () => {
    // Prepare: `aws logs tail` lines, then the same requests' lines copied from the console.
    const dir = tempDir('apigw-5xx-forced-');
    const file = join(dir, 'mixed.txt');
    const tail = readFileSync(join(FORMS, 'logs-tail-detailed.txt'), 'utf8');
    writeFileSync(file, `${tail}(0a1b2c3d-0000-4000-8000-000000000000) Method completed with status: 502\n`);
    // Act
    const { code, stderr } = run(['classify', '--input-format', 'logs-tail', file]);
    // Assess
    expect(code).toBe(0);
    expect(stderr).toContain('--input-format logs-tail: 1 of 21 lines is not `aws logs tail` output');
    expect(stderr).toContain('(read as they are)');
  });

  it('says nothing when the forced form is the form the input has', () => {
    const { code, stderr } = diagnose('logs-tail-detailed.txt', ['--input-format', 'logs-tail']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});

describe('apigw-5xx classify gives each verdict its input line', () => {
  it('prints the 1-based line of every event, in input order, whatever the form', () => {
    // Act: the Test output's log starts on line 9 (after the response section and the "Execution log" header).
    const { code, stdout } = run(['classify', join(FORMS, 'console-test-malformed-502.txt')]);
    // Assess
    expect(code).toBe(0);
    const rows = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { cause: string | null; line: number; requestId?: string });
    expect(rows.map((r) => r.line)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 10));
    expect(rows.every((r) => r.requestId === 'fb2dedbf-d17c-4328-9c00-6dd42b59893f')).toBe(true);
    const failed = rows.find((r) => r.cause === 'malformed_lambda_response');
    expect(failed?.line).toBe(23);
  });

  it('gives a block of bare lines one synthetic request id that names its first line', () => {
    const { stdout } = run(['classify', join(FORMS, 'bare-lines.txt')]);
    const ids = new Set(
      stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { requestId: string }).requestId),
    );
    expect([...ids]).toEqual(['input-line-1', 'input-line-18', 'input-line-21']);
  });

  it('names the file of every verdict, so line numbers that restart per file still map back', () => {
    // Act: two files, each read from its line 1.
    const { code, stdout } = run(['classify', join(FORMS, 'bare-lines.txt'), join(FORMS, 'logs-tail-short.txt')]);
    // Assess
    expect(code).toBe(0);
    const rows = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; line: number });
    const firsts = rows.filter((r) => r.line === 1).map((r) => r.file);
    expect(firsts).toEqual([join(FORMS, 'bare-lines.txt'), join(FORMS, 'logs-tail-short.txt')]);
    // Each verdict's line holds, in its own file, the text it was read from.
    for (const row of rows) {
      const text = readFileSync(row.file, 'utf8').split('\n')[row.line - 1] ?? '';
      expect(text.trim(), `${row.file}:${row.line}`).not.toBe('');
    }
    expect(new Set(rows.map((r) => `${r.file}:${r.line}`)).size).toBe(rows.length);
  });

  it('names standard input "stdin"', () => {
    const { stdout } = run(['classify'], '(394365dc-1b10-411f-9668-70521cec1205) Method completed with status: 502\n');
    expect(JSON.parse(stdout)).toMatchObject({ file: 'stdin', line: 1, status: 502 });
  });

  it('keeps blocks of bare lines of two files apart (their first lines have the same number)', () => {
    // Prepare: the same three requests in two files: six requests in all, not three merged pairs.
    const dir = tempDir('apigw-5xx-two-');
    const second = join(dir, 'again.txt');
    writeFileSync(second, readFileSync(join(FORMS, 'bare-lines.txt')));
    // Act
    const out = run(['diagnose', '--format', 'json', join(FORMS, 'bare-lines.txt'), second]);
    const ids = run(['classify', join(FORMS, 'bare-lines.txt'), second])
      .stdout.trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { requestId: string }).requestId);
    // Assess
    expect(out.code).toBe(0);
    expect((JSON.parse(out.stdout) as Diagnosis).failedRequests).toBe(2 * PERMISSION.failed);
    expect([...new Set(ids)]).toEqual([
      'input-line-1',
      'input-line-18',
      'input-line-21',
      'input-2-line-1',
      'input-2-line-18',
      'input-2-line-21',
    ]);
  });

  it('gives the line a JSON document event starts on', () => {
    const { stdout } = run(['classify', join(FORMS, 'filter-log-events.json')]);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { line: number }).line);
    const text = readFileSync(join(FORMS, 'filter-log-events.json'), 'utf8').split('\n');
    // Each event's line is the one holding its "message".
    expect(lines.every((n) => text[n - 1]?.trimStart().startsWith('"message"'))).toBe(true);
    expect(new Set(lines).size).toBe(lines.length);
  });
});

describe('apigw-5xx never answers unreadable input with "no failures"', () => {
  it('counts lines it cannot read, shows the first few with what they look like, and exits 3 when none was read', () => {
    // Prepare: 24 lines of a layout it does not know (a timestamp column, then text).
    const lines = Array.from(
      { length: 24 },
      (_, i) => `2026-11-29 10:00:${String(i).padStart(2, '0')},123 | request failed, retrying`,
    );
    // Act
    const { code, stdout, stderr } = run(['diagnose'], `${lines.join('\n')}\n`);
    // Assess
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toContain('apigw-5xx: stdin: 24 of 24 lines were not recognised: they start with a timestamp');
    expect(stderr).toContain(`  line 1: ${lines[0]}`);
    expect(stderr).not.toContain('line 4:');
  });

  it('reads what it can and reports the rest, exit 0', () => {
    const text = `hello\n${readFileSync(join(FORMS, 'bare-lines.txt'), 'utf8')}`;
    const { code, stderr } = run(['diagnose'], text);
    expect(code).toBe(0);
    expect(stderr).toMatch(
      /^apigw-5xx: stdin: 1 of \d+ lines was not recognised: .*\(the other lines were read\)\n {2}line 1: hello\n$/,
    );
  });

  it('shows an unread line with its terminal escapes neutralised and its credentials redacted', () => {
    // Prepare: log text is untrusted; a line could retitle the terminal or colour what follows, or hold a token.
    const hostile = 'hello \u001b]0;pwned\u0007 \u001b[31mred Authorization: Bearer abcdefghijklmnop1234';
    // Act
    const { code, stderr } = run(['diagnose'], `${hostile}\n`);
    // Assess
    expect(code).toBe(3);
    expect(stderr).not.toContain('\u001b');
    expect(stderr).not.toContain('\u0007');
    expect(stderr).not.toContain('abcdefghijklmnop1234');
    expect(stderr).toContain('  line 1: hello ');
  });

  it('refuses binary input once, exit 2, without reading it line by line', () => {
    const bytes = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), Buffer.alloc(5000, 0x0a)]);
    const { code, stdout, stderr } = run(['classify'], bytes);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^apigw-5xx: cannot read stdin: binary data, not a log: it holds a NUL byte at byte 5\./);
  });

  it('diagnoses a filter-log-events document cut short from the events before the cut, and says where it was cut', () => {
    // Prepare: the fixture without its last 300 bytes (inside its last item, after 42 whole events).
    const doc = readFileSync(join(FORMS, 'filter-log-events.json'));
    const whole = diagnose('filter-log-events.json').diagnosis;
    // Act
    const { code, stdout, stderr } = run(['diagnose', '--format', 'json'], doc.subarray(0, doc.length - 300));
    // Assess
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as Diagnosis).failedRequests).toBe(whole?.failedRequests);
    expect(stderr).toMatch(
      /^stdin:\d+: the document is cut short inside events\[42\]: the 42 events before it were read; save the whole output of the command to read the rest$/m,
    );
  });

  it('says a gzip stream cut short could not be read, exit 2', () => {
    const gz = readFileSync(join(FORMS, 'logs-tail-detailed.txt.gz'));
    const { code, stderr } = run(['diagnose'], gz.subarray(0, 200));
    expect(code).toBe(2);
    expect(stderr).toContain('could not be decompressed');
  });
});

describe('apigw-5xx behaves as a command', () => {
  it('prints its version from package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { code, stdout } = run(['--version']);
    expect(code).toBe(0);
    expect(stdout).toBe(`apigw-5xx ${pkg.version}\n`);
  });

  it('lists the input forms, the per-line and per-request verdicts and the exit codes in --help', () => {
    const { stdout } = run(['--help']);
    expect(stdout).toContain('aws logs tail');
    expect(stdout).toContain('Logs Insights');
    expect(stdout).toContain('subscription filter / Firehose');
    expect(stdout).toMatch(/classify +one verdict per input LINE/);
    expect(stdout).toMatch(/diagnose +one verdict per failed REQUEST/);
    expect(stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}2 .*\n {2}3 /);
  });

  it('says plainly which option is wrong', () => {
    expect(run(['classify', '--input-format', 'yaml']).stderr).toMatch(
      /^apigw-5xx: --input-format must be one of cloudwatch, logs-tail, .*, got "yaml"\n$/,
    );
    expect(run(['diagnose', '--format']).stderr).toBe('apigw-5xx: option --format needs a value (see --help)\n');
    expect(run(['diagnose', '--verbose']).stderr).toBe(
      'apigw-5xx: unknown option --verbose: see `apigw-5xx --help` for the options\n',
    );
  });

  it('exits 0 without a stack trace when the reader closes the pipe (| head)', () => {
    // Prepare: enough lines that the output outgrows the pipe after head has gone.
    const file = join(tempDir('apigw5xx-forms-'), 'many.log');
    const line = '(fbcaf9e5-d535-40a1-891c-7b70118cf7e8) Execution failed due to a timeout error\n';
    writeFileSync(file, line.repeat(50_000));
    for (const command of ['classify', 'diagnose']) {
      // Act
      const out = spawnSync(
        'bash',
        ['-c', `"${process.execPath}" "${BIN}" ${command} "${file}" | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`],
        { encoding: 'utf8', timeout: 60_000 },
      );
      // Assess
      expect(out.stdout.trim(), command).toBe('0');
      expect(out.stderr, command).toBe('');
    }
  });
});
