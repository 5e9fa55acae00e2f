import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import { readsAsLogLine } from '../../lambda/parse/forms/line-forms.js';
import { unwrapPaste } from '../../lambda/parse/forms/paste.js';
import { parseInput } from '../../lambda/parse/input-stream.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/apigw-5xx.mjs');
const PASTES = join(ROOT, 'test/fixtures/forms/pastes');

/** Runs the real command as a separate process, as `npx apigw-5xx` would. */
function run(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { timeout: 30_000 });
  return { code: result.status, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
}

const LINE = 'Execution failed due to configuration error: Invalid permissions on Lambda function';

describe('a log line quoted in CJK corner brackets', () => {
  it.each([[`「${LINE}」`], [`『${LINE}』`], [`「${LINE}」。`], [`「${LINE}」、`], [`  「${LINE}」，`], [`「${LINE}`]])(
    'is read without its brackets: %s',
    (quoted) => {
      // Act
      const text = unwrapPaste(quoted, readsAsLogLine);
      // Assess
      expect(text).toBe(LINE);
    },
  );

  it('keeps brackets that are part of a text that is no log line', () => {
    // Act
    const text = unwrapPaste('「ログを確認してください」', readsAsLogLine);
    // Assess
    expect(text).toBe('「ログを確認してください」');
  });

  it('diagnoses the Japanese Knowledge Center article whose Test log is quoted in 「…」', () => {
    // Act
    const out = run(['diagnose', '--format', 'json', join(PASTES, 'published-kc-ja-vpc-500-corner-brackets.txt')]);
    // Assess
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const diagnosis = JSON.parse(out.stdout) as {
      failedRequests: number;
      causes: Array<{ cause: string; statuses: Array<{ key: number | null }> }>;
    };
    expect(diagnosis.failedRequests).toBe(1);
    // The page ran the status line on after the error line: it is read as a line of its own (status 500).
    expect(diagnosis.causes.map((c) => [c.cause, c.statuses.map((s) => s.key)])).toEqual([
      ['private_integration', [500]],
    ]);
  });

  it('reads the `Sending request to` line the Chinese article opens with 「, leaving only its translated line unread', () => {
    // Prepare
    const text = readFileSync(join(PASTES, 'published-kc-zh-hant-invalid-permissions-corner-brackets.txt'), 'utf8');
    // Act
    const read = parseInput(text);
    // Assess
    expect(read.report.unrecognised).toBe(1);
    expect(read.report.samples.map((s) => s.line)).toEqual([2]);
    expect(read.events[0]?.message).toMatch(
      /^\(input-line-1\) Sending request to https:\/\/lambda\.region\.amazonaws\.com\//,
    );
  });
});

describe('console Test lines run together on one line', () => {
  it('reads each as a line of its own, after a space or after a `]` a page left', () => {
    // Prepare: the Japanese KC article's lines, and the cut the translated Go article shows (`{}[TRUNCATED]Thu ...`).
    const text = [
      'Thu Aug 04 17:48:21 UTC 2022 : Execution failed due to configuration error: There was an internal error while executing your request Thu Aug 04 17:48:21 UTC 2022 : Method completed with status: 500',
      'Thu Apr 05 11:07:54 UTC 2018 : Method request path: {}[TRUNCATED]Thu Apr 05 11:07:54 UTC 2018 : Sending request to https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:account-id:function:books/invocations',
    ].join('\n');
    // Act
    const read = parseInput(text);
    // Assess
    expect(read.events.map((e) => [e.line, e.message.replace(/^\(\S+\) /, '')])).toEqual([
      [1, 'Execution failed due to configuration error: There was an internal error while executing your request'],
      [1, 'Method completed with status: 500'],
      [2, 'Method request path: {}[TRUNCATED]'],
      [
        2,
        'Sending request to https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:account-id:function:books/invocations',
      ],
    ]);
  });

  it('keeps a date inside a value that is no Test line start (an HTTP Date header)', () => {
    // Prepare
    const line =
      'Thu Apr 05 11:12:53 UTC 2018 : Endpoint response headers: {Content-Length=74, Date=Thu, 05 Apr 2018 11:12:53 GMT, Connection=keep-alive}';
    // Act
    const read = parseInput(line);
    // Assess
    expect(read.events.length).toBe(1);
  });
});

describe("curl -v's information lines in a paste", () => {
  it('reads the body the client got (`{"message": "Endpoint request timed out"}`) as no request of its own', () => {
    // Prepare: the shape of the 2025 note's 504 section: the client's transcript, then the stage's lines.
    const id = '(fbcaf9e5-8a66-4f86-b7b3-7a1f4bdaf3d2) ';
    const text = [
      '< HTTP/2 504',
      '{"message": "Endpoint request timed out"}',
      `${id}Execution failed due to a timeout error`,
      `${id}Method completed with status: 504`,
    ].join('\n');
    // Act
    const { diagnosis } = diagnoseEvents(parseInput(`${text}\n`).events);
    // Assess: one failed request, the one the stage logged.
    expect(diagnosis.failedRequests).toBe(1);
    expect(diagnosis.causes.map((c) => [c.cause, c.count])).toEqual([['integration_timeout', 1]]);
    // A CloudWatch event with its fields is still one.
    const event = parseInput('{"message": "Endpoint request timed out", "timestamp": 1795576325184}\n').events;
    expect(event.map((e) => e.message)).toEqual(['Endpoint request timed out']);
  });

  it('are no execution lines: `* (304) (OUT), TLS handshake` keeps its bullet, a list bullet before a log line does not', () => {
    // The 2025 Markdown note of five causes (GitHub index id 31159485353) pastes curl -v transcripts beside the logs.
    expect(unwrapPaste('* (304) (OUT), TLS handshake, Client hello (1):', readsAsLogLine)).toBe(
      '* (304) (OUT), TLS handshake, Client hello (1):',
    );
    expect(
      unwrapPaste('* (8c0a3cde-b8a3-4a3a-8b8f-0a1b2c3d4e5f) Method completed with status: 502', readsAsLogLine),
    ).toBe('(8c0a3cde-b8a3-4a3a-8b8f-0a1b2c3d4e5f) Method completed with status: 502');
  });
});
