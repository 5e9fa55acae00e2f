import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '../..');
const PASTES = join(ROOT, 'test/fixtures/forms/pastes');

interface Diagnosis {
  readonly failedRequests: number;
  readonly byStatus: ReadonlyArray<{ key: number | null; count: number }>;
  readonly causes: ReadonlyArray<{ cause: string; count: number }>;
}

interface Verdict {
  readonly cause: string | null;
  readonly status: number | null;
  readonly line: number;
  readonly requestId?: string;
}

function diagnose(file: string) {
  const out = run(['diagnose', '--format', 'json', join(PASTES, file)]);
  return { ...out, diagnosis: out.code === 0 ? (JSON.parse(out.stdout) as Diagnosis) : undefined };
}

function classify(file: string) {
  const out = run(['classify', join(PASTES, file)]);
  const verdicts = out.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Verdict);
  return { ...out, verdicts };
}

function causes(d: Diagnosis | undefined) {
  return d?.causes.map((c) => [c.cause, c.count]);
}

// The sources of every file are in test/fixtures/forms/README.md ("Pasted logs"). Files named published-* hold
// text exactly as published; the others hold the lines of a sourced cause fixture, pasted as the file name says.
describe('apigw-5xx reads logs as people paste them', () => {
  const TIMEOUT_2019 = 'lambda_function_error/rest-proxy-function-timeout-2019.log';
  const PERMISSION = 'lambda_permission/rest-invalid-permissions-on-function.log';
  it.each([
    // [file, the cause fixture whose execution lines it pastes, failed requests, cause]
    ['html-escaped-function-timeout.txt', TIMEOUT_2019, 1, 'lambda_function_error'],
    ['curly-quotes-function-timeout.txt', TIMEOUT_2019, 1, 'lambda_function_error'],
    ['wrapped-80-columns-function-timeout.txt', TIMEOUT_2019, 1, 'lambda_function_error'],
    ['quoted-numbered-invalid-permissions.md', PERMISSION, 3, 'lambda_permission'],
    ['bom-crlf-indented-invalid-permissions.txt', PERMISSION, 3, 'lambda_permission'],
  ] as const)('%s: every line read, and each line the verdict of the line it pastes', (file, source, failed, cause) => {
    // Prepare: the verdicts of the same lines as CloudWatch holds them.
    const original = readFileSync(join(ROOT, 'test/fixtures/causes', source), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('('))
      .join('\n');
    const expected = run(['classify'], original)
      .stdout.trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as Verdict).cause);
    // Act
    const d = diagnose(file);
    const c = classify(file);
    // Assess: nothing reported unread, the requests and their cause found, and each line's own verdict
    expect(d.stderr).toBe('');
    expect(d.code).toBe(0);
    expect(d.diagnosis?.failedRequests).toBe(failed);
    expect(causes(d.diagnosis)).toEqual([[cause, failed]]);
    expect(c.stderr).toBe('');
    expect(expected.filter((v) => v === cause).length).toBeGreaterThan(0);
    expect(c.verdicts.map((v) => v.cause)).toEqual(expected);
  });

  it('joins a line wrapped at 80 columns back: one verdict per log line, the body whole', () => {
    // Prepare: the source request has 21 execution lines; wrapped, they take more than twice as many.
    const lines = readFileSync(join(PASTES, 'wrapped-80-columns-function-timeout.txt'), 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(42);
    // Act
    const { verdicts } = classify('wrapped-80-columns-function-timeout.txt');
    // Assess
    expect(verdicts).toHaveLength(21);
    expect(verdicts.every((v) => v.requestId === '4f2e5370-b201-4385-86ac-9da89621f0d7')).toBe(true);
    const body = verdicts.find((v) => lines[v.line - 1]?.includes('Endpoint response body before transformat'));
    expect(body?.cause).toBe('lambda_function_error');
  });

  it.each([
    [
      'jq-pretty-access-log-integration-timeout.txt',
      'integration_timeout/rest-access-log-only-integration-timeout.log',
    ],
    ['folded-80-access-log-not-permitted.txt', 'lambda_permission/http-api-json-integration-not-permitted.log'],
  ])('%s: each JSON access log line printed over several lines is read as the one line it was', (file, source) => {
    // Prepare: the diagnosis of the same access log lines, one per line as CloudWatch holds them.
    const compact = readFileSync(join(ROOT, 'test/fixtures/causes', source), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'));
    const expected = JSON.parse(run(['diagnose', '--format', 'json'], `${compact.join('\n')}\n`).stdout) as Diagnosis;
    const printedOver = readFileSync(join(PASTES, file), 'utf8').trimEnd().split('\n').length;
    expect(printedOver).toBeGreaterThan(compact.length * 2);
    // Act
    const d = diagnose(file);
    const c = classify(file);
    // Assess: nothing reported unread; the same requests, statuses and causes; one verdict per access log line.
    expect(d.stderr).toBe('');
    expect(d.diagnosis?.failedRequests).toBe(expected.failedRequests);
    expect(d.diagnosis?.byStatus).toEqual(expected.byStatus);
    expect(causes(d.diagnosis)).toEqual(causes(expected));
    expect(c.stderr).toBe('');
    expect(c.verdicts).toHaveLength(compact.length);
  });

  it("reads the Japanese console's Test output (2022): its labels are the response section, not unread lines", () => {
    const d = diagnose('published-ja-console-test-malformed-hello-world.txt');
    expect(d.stderr).toBe('');
    expect(d.diagnosis?.byStatus).toEqual([{ key: 502, count: 1 }]);
    expect(causes(d.diagnosis)).toEqual([['malformed_lambda_response', 1]]);
  });

  it('reads `aws logs tail` output with its colour codes (a terminal copy)', () => {
    const d = diagnose('logs-tail-color.txt');
    expect(d.stderr).toBe('');
    expect(d.diagnosis?.failedRequests).toBe(2);
    expect(causes(d.diagnosis)).toEqual([['integration_timeout', 2]]);
  });

  it('reads the console Test lines AWS published (2016): malformed proxy response, 502', () => {
    const d = diagnose('published-kc-2016-console-test.txt');
    const c = classify('published-kc-2016-console-test.txt');
    expect(d.stderr).toBe('');
    expect(d.diagnosis?.byStatus).toEqual([{ key: 502, count: 1 }]);
    expect(causes(d.diagnosis)).toEqual([['malformed_lambda_response', 1]]);
    expect(c.verdicts.map((v) => [v.cause, v.status])).toEqual([
      ['malformed_lambda_response', null],
      [null, 502],
    ]);
  });

  it('reads the 2022 article lines, its "WE" day and empty configuration error included, naming no cause they do not', () => {
    // The article prints `WE Aug 03 ...` and a configuration error with nothing after it: a 502 whose reason the
    // text does not state.
    const d = diagnose('published-kc-2022-config-error.txt');
    const c = classify('published-kc-2022-config-error.txt');
    expect(d.stderr).toBe('');
    expect(d.diagnosis?.byStatus).toEqual([{ key: 502, count: 1 }]);
    expect(c.verdicts.map((v) => [v.cause, v.status, v.line])).toEqual([
      [null, null, 1],
      [null, 502, 2],
    ]);
  });

  it('reads the 2022 article customer function error (older wording: "Lambda execution failed with status 200")', () => {
    const d = diagnose('published-kc-2022-customer-function-error.txt');
    expect(d.stderr).toBe('');
    expect(d.diagnosis?.byStatus).toEqual([{ key: 502, count: 1 }]);
    expect(causes(d.diagnosis)).toEqual([['lambda_function_error', 1]]);
  });

  it('reads bare lines in a Markdown fence, and reports only the sentence around them', () => {
    const d = diagnose('published-graphql-48-fenced-bare.md');
    expect(causes(d.diagnosis)).toEqual([['malformed_lambda_response', 1]]);
    expect(d.stderr).toContain('1 of 3 lines was not recognised');
    expect(d.stderr).toContain("line 1: I'm getting this error in APIGateway logs:");
  });

  it("reads a Lambda function's errors copied from the console with their time, traceback lines included", () => {
    // Two events as published: `<time> [ERROR] ...` with its traceback, and the time alone, then LAMBDA_WARNING,
    // [ERROR] and the traceback's first line.
    const c = classify('published-hydrocron-107-lambda-console.md');
    expect(c.verdicts.filter((v) => v.cause === 'lambda_function_error').map((v) => v.line)).toEqual([2, 11]);
    expect(c.stderr).toContain('1 of 9 lines was not recognised');
    expect(c.stderr).toContain('line 8: Recently it seems the way that the errors are logged has changed to:');
  });

  it.each([
    ['with its request id', '(4f2e5370-b201-4385-86ac-9da89621f0d7) '],
    ['without its request id', ''],
  ])('reads an error body printed over several lines %s as part of its line', (_label, prefix) => {
    // Prepare: the 2019 fixture's body (rest-proxy-function-timeout-2019.log), pretty-printed as a paste shows it.
    const text = [
      `${prefix}Endpoint response body before transformations: {`,
      '    "errorMessage": "2019-02-27T11:31:11.456Z 72c9141d-aea4-4253-827e-c46677046b77 Task timed out after 10.00 seconds"',
      '}',
      `${prefix}Method completed with status: 502`,
    ].join('\n');
    // Act
    const { code, stdout, stderr } = run(['classify'], text);
    // Assess: two log lines, the body's verdict its own, nothing unread
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const verdicts = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Verdict);
    expect(verdicts.map((v) => [v.cause, v.status, v.line])).toEqual([
      ['lambda_function_error', null, 1],
      [null, 502, 4],
    ]);
  });

  it('reads a line quoted inline in double quotes', () => {
    const c = classify('published-kc-quoted-output-mapping.txt');
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.verdicts.map((v) => v.cause)).toEqual(['status_code_mapping']);
  });

  it('reads a value API Gateway printed on the next line (`Method request path:` then `{}`) as part of its line', () => {
    const c = classify('published-serverless-webpack-314-fenced.md');
    // 7 execution lines; the two `{}` lines belong to the lines before them; only the sentence is unread.
    expect(c.verdicts.filter((v) => v.requestId === 'be80cc66-0529-11e8-b1f6-c7a3139e9f85')).toHaveLength(7);
    expect(c.stderr).toContain('1 of 10 lines was not recognised');
    expect(c.stderr).toContain('line 1: This is what I get in the API Gateway logs:');
  });
});

describe('apigw-5xx reads a short paste cut at a terminal width', () => {
  /** `fold -w 80`: each line cut every 80 characters. */
  const fold = (text: string) =>
    text
      .trimEnd()
      .split('\n')
      .flatMap((l) => l.match(/.{1,80}/g) ?? [''])
      .join('\n');

  it.each([
    'published-kc-2016-console-test.txt',
    'published-kc-2022-customer-function-error.txt',
    'published-kc-quoted-output-mapping.txt',
  ])('%s folded at 80 columns gets the verdicts it has unfolded', (file) => {
    // Prepare
    const text = readFileSync(join(PASTES, file), 'utf8');
    const folded = fold(text);
    expect(folded.split('\n').length).toBeGreaterThan(text.trimEnd().split('\n').length);
    // Act
    const whole = run(['classify'], text);
    const cut = run(['classify'], folded);
    // Assess
    const verdicts = (out: string) =>
      out
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as Verdict).cause);
    expect(cut.stderr).toBe('');
    expect(verdicts(cut.stdout)).toEqual(verdicts(whole.stdout));
    expect(verdicts(cut.stdout).some((c) => c !== null)).toBe(true);
  });
});

describe('apigw-5xx reads the console Test output whatever part of its response a paste starts at', () => {
  // The real Test output (test/fixtures/forms/console-test-malformed-502.txt): `Request: /menus`, `Status: 502`,
  // `Latency: 948 ms`, `Response Body`, its body, `Response Headers`, its headers, `Logs`, then the log.
  const whole = readFileSync(join(ROOT, 'test/fixtures/forms/console-test-malformed-502.txt'), 'utf8').split('\n');
  const log = whole.slice(whole.findIndex((l) => l.startsWith('Execution log for request')));
  const texts = log.slice(1).map((l) => l.replace(/^.* UTC \d{4} : /, ''));

  it.each([
    ['from `Status: 502` on', whole.slice(1)],
    ['from `Response Body` on', whole.slice(3)],
    // The 2023 console's labels on lines of their own, headers pretty-printed: an assumption (see line-forms.ts).
    [
      'in the 2023 layout (labels on lines of their own)',
      [
        '/menus - GET method test results',
        'Request',
        '/menus',
        'Latency ms',
        '948',
        'Status',
        '502',
        'Response body',
        '{"message": "Internal server error"}',
        'Response headers',
        '{',
        '  "x-amzn-ErrorType": "InternalServerErrorException"',
        '}',
        'Logs',
        ...log,
      ],
    ],
    ['as its status, then the log lines without their dates', ['Status: 502', ...texts]],
  ])('reads it %s: one request, 502, malformed proxy response, nothing unread', (_label, lines) => {
    // Act
    const { code, stdout, stderr } = run(['diagnose', '--format', 'json'], lines.join('\n'));
    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const d = JSON.parse(stdout) as Diagnosis;
    expect(d.byStatus).toEqual([{ key: 502, count: 1 }]);
    expect(causes(d)).toEqual([['malformed_lambda_response', 1]]);
  });
});

describe('apigw-5xx reads console Test dates in other zones', () => {
  it('reads a Test log whose dates carry a zone other than UTC, with its offset', () => {
    // The published 2016 lines with their zone written as an offset (an assumption: no published paste shows one).
    const text = readFileSync(join(PASTES, 'published-kc-2016-console-test.txt'), 'utf8').replaceAll(
      ' UTC 2016',
      ' GMT+01:00 2016',
    );
    const { code, stdout, stderr } = run(['classify'], text);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toContain('"cause":"malformed_lambda_response"');
  });
});

describe('apigw-5xx diagnose on an access log error value quoted on its own', () => {
  // Values as published: the Dynatrace API Gateway log analysis guide's integrationErrorMessage (the line in
  // classify-line.test.ts), and DataBiosphere/azul#8192's integration error (payload_too_large fixture).
  const FUNCTION_TIMEOUT =
    'The Lambda function returned the following error: RequestId: 01fe3839-4974-40d5-960a-173fcb5ec786 Error: Task timed out after 5.00 seconds. Check your Lambda function code and try again.';
  const PAYLOAD =
    'Lambda Customer Function Error:Response payload size exceeded maximum allowed payload size (6291556 bytes).';

  it.each([
    [FUNCTION_TIMEOUT, 'lambda_function_error'],
    [PAYLOAD, 'payload_too_large'],
  ])('counts %s as one failed request with the cause it names, never "no failed request"', (value, cause) => {
    // Act
    const { code, stdout } = run(['diagnose', '--format', 'json', '-'], `${value}\n`);
    // Assess
    expect(code).toBe(0);
    const d = JSON.parse(stdout) as Diagnosis & { api: { type?: string } };
    expect(d.failedRequests).toBe(1);
    expect(causes(d)).toEqual([[cause, 1]]);
    // Its status was not logged, and REST and HTTP APIs both write these texts: no status, no API type claimed.
    expect(d.byStatus).toEqual([{ key: null, count: 1 }]);
    expect(d.api.type).toBeUndefined();
  });

  it('counts each value line as a request of its own', () => {
    // Act
    const { stdout } = run(['diagnose', '--format', 'json', '-'], `${FUNCTION_TIMEOUT}\n${PAYLOAD}\n${PAYLOAD}\n`);
    // Assess
    const d = JSON.parse(stdout) as Diagnosis;
    expect(d.failedRequests).toBe(3);
    expect(causes(d)).toEqual([
      ['payload_too_large', 2],
      ['lambda_function_error', 1],
    ]);
  });

  it('takes no request from a line that only mentions such a value', () => {
    // Act
    const { stdout } = run(
      ['diagnose', '--format', 'json', '-'],
      `# notes: the log said "${PAYLOAD}"\n(r1) Method completed with status: 200\n`,
    );
    // Assess
    expect((JSON.parse(stdout) as Diagnosis).failedRequests).toBe(0);
  });
});
