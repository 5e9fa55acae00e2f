import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAUSE_IDS } from '../../lambda/taxonomy.js';
import { tempDir } from '../helpers/temp-dirs.js';

const BIN = join(import.meta.dirname, '../../bin/apigw-5xx.mjs');
const FIXTURE = join(import.meta.dirname, '../fixtures/cli/mixed-incident.log');

/** Runs the real command as a separate process, as `npx apigw-5xx` would. */
function run(args: string[], input?: string | Buffer) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    input: input ?? '',
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function fixtureLines(): string {
  return readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('# '))
    .join('\n');
}

describe('apigw-5xx classify', () => {
  it('prints one JSON object per input line, in input order, with cause and status', () => {
    // Act
    const { code, stdout } = run(['classify'], fixtureLines());
    // Assess
    expect(code).toBe(0);
    const rows = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { cause: string | null; status: number | null });
    expect(rows).toHaveLength(25);
    for (const row of rows) {
      expect(row.cause === null || (CAUSE_IDS as readonly string[]).includes(row.cause)).toBe(true);
      expect(row.status === null || typeof row.status === 'number').toBe(true);
    }
    expect(rows[0]).toMatchObject({ cause: null, status: null });
    expect(rows[11]).toMatchObject({ cause: 'lambda_permission', status: null });
    expect(rows[17]).toMatchObject({ cause: 'malformed_lambda_response', status: null });
    // A status line names no cause on its own: the request's other line (row 17) does.
    expect(rows[18]).toMatchObject({ cause: null, status: 502 });
    expect(rows[22]).toMatchObject({ cause: null, status: 200 });
  });

  it('answers for a single line given on standard input', () => {
    const { code, stdout } = run(
      ['classify'],
      '(394365dc-1b10-411f-9668-70521cec1205) Lambda invocation failed with status: 429. Lambda request id: dcb2ab89-2d03-4b77-98cd-18d14fd2b850\n',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ cause: 'throttling', status: null });
  });

  it('reads the JSON of aws logs filter-log-events', () => {
    const doc = JSON.stringify({
      events: [
        {
          logStreamName: 'e369853df766fa44e1ed0ff613f563bd',
          timestamp: 1551267071458,
          message: '(fbcaf9e5-d535-40a1-891c-7b70118cf7e8) Execution failed due to a timeout error',
          eventId: '1',
        },
        {
          logStreamName: 'e369853df766fa44e1ed0ff613f563bd',
          timestamp: 1551267071459,
          message: '(fbcaf9e5-d535-40a1-891c-7b70118cf7e8) Method completed with status: 504',
          eventId: '2',
        },
      ],
    });
    const { code, stdout } = run(['classify'], doc);
    expect(code).toBe(0);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).cause),
    ).toEqual(['integration_timeout', null]);
  });
});

describe('apigw-5xx diagnose', () => {
  it('prints the cause, the route and the fix in the first three lines', () => {
    const { code, stdout } = run(['diagnose', FIXTURE]);
    expect(code).toBe(0);
    const [cause, route, fix] = stdout.split('\n');
    expect(cause).toBe('Cause: 502 malformed Lambda proxy response: 3 of 4 failed requests (75%) (+1 other cause)');
    expect(route).toMatch(
      /^Route: GET \/orders\/\{id\} .* on a1b2c3d4e5\/prod \(us-east-1\) in account 123456789012, function orders-get$/,
    );
    expect(fix).toMatch(/^Fix: Make orders-get return \{"statusCode"/);
  });

  it('never prints the bearer token or security token the log holds', () => {
    for (const format of ['text', 'json', 'email', 'slack']) {
      const { stdout } = run(['diagnose', '--format', format, FIXTURE]);
      expect(stdout, format).not.toContain('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9');
      expect(stdout, format).not.toContain('IQoJb3JpZ2luX2VjEHsa');
    }
  });

  it('prints JSON that parses, with counts per cause', () => {
    const { code, stdout } = run(['diagnose', '--format', 'json', FIXTURE]);
    expect(code).toBe(0);
    const d = JSON.parse(stdout) as { failedRequests: number; causes: Array<{ cause: string; count: number }> };
    expect(d.failedRequests).toBe(4);
    expect(d.causes.map((c) => [c.cause, c.count])).toEqual([
      ['malformed_lambda_response', 3],
      ['lambda_permission', 1],
    ]);
  });

  it('prints an ASCII subject line first in the email format', () => {
    const { stdout } = run(['diagnose', '--format', 'email', FIXTURE]);
    expect(stdout.split('\n')[0]).toBe('Subject: [ALARM] a1b2c3d4e5/prod: 502 malformed Lambda proxy response (75%)');
  });

  it('reads several files and standard input (-) together', () => {
    const dir = tempDir('apigw5xx-');
    const second = join(dir, 'second.log');
    writeFileSync(
      second,
      '(fbcaf9e5-d535-40a1-891c-7b70118cf7e8) Execution failed due to a timeout error\n(fbcaf9e5-d535-40a1-891c-7b70118cf7e8) Method completed with status: 504\n',
    );
    const { code, stdout } = run(
      ['diagnose', '--format', 'json', FIXTURE, second, '-'],
      '(aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee) Method completed with status: 503\n',
    );
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { failedRequests: number }).failedRequests).toBe(6);
  });

  it('reports unparsable input on stderr with the line number and goes on', () => {
    const { code, stdout, stderr } = run(
      ['classify'],
      '{"message": "cut\n(fbcaf9e5-d535-40a1-891c-7b70118cf7e8) Method completed with status: 504\n',
    );
    expect(code).toBe(0);
    expect(stderr).toMatch(/^stdin:1: malformed JSON \(.+\); read as raw text$/m);
    expect(stdout.trim().split('\n')).toHaveLength(2);
  });

  it('says so when there is nothing to diagnose', () => {
    const { code, stdout } = run(['diagnose'], '');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('Cause: no failed request found in the logs read for API');
  });
});

describe('apigw-5xx usage errors', () => {
  it('fails with exit 2 and one line for an unknown command', () => {
    const { code, stderr } = run(['explain']);
    expect(code).toBe(2);
    expect(stderr).toBe('apigw-5xx: unknown command "explain": use diagnose or classify (see --help)\n');
  });

  it('fails with exit 2 for a missing file, naming it', () => {
    const { code, stderr } = run(['diagnose', '/nonexistent/logs.json']);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'apigw-5xx: cannot read /nonexistent/logs.json: no such file; give a readable log file (or - for standard input)\n',
    );
  });

  it('fails with exit 2 for a bad format or option', () => {
    expect(run(['diagnose', '--format', 'html'], '').stderr).toBe(
      'apigw-5xx: --format must be one of text, json, email, slack, got "html"\n',
    );
    const unknown = run(['diagnose', '--colour'], '');
    expect(unknown.code).toBe(2);
    // Said plainly, not in Node's parseArgs wording with its stray quote.
    expect(unknown.stderr).toBe('apigw-5xx: unknown option --colour: see `apigw-5xx --help` for the options\n');
  });

  it('prints usage with --help and exits 0', () => {
    const { code, stdout } = run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage:\n {2}apigw-5xx diagnose/);
  });
});

describe('docs/cli.md', () => {
  it('shows the diagnose output the command really prints', () => {
    // Prepare: the example block, right after the command it quotes (in docs/cli.md since the README was split).
    const readme = readFileSync(join(import.meta.dirname, '../../docs/cli.md'), 'utf8');
    const marker =
      '`npx apigw-5xx diagnose test/fixtures/cli/mixed-incident.log --api-name orders-api` prints:\n\n```text\n';
    const start = readme.indexOf(marker);
    expect(start).toBeGreaterThan(0);
    const shown = readme.slice(start + marker.length, readme.indexOf('\n```', start + marker.length));
    // Act
    const { stdout } = run(['diagnose', FIXTURE, '--api-name', 'orders-api']);
    // Assess
    expect(stdout.trimEnd()).toBe(shown);
  });
});
