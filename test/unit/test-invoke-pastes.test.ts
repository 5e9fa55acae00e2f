import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseInput, streamEvents } from '../../lambda/parse/input-stream.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';
import { runCli as run } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '../..');
const PASTES = join(ROOT, 'test/fixtures/forms/pastes');
const FORMS = join(ROOT, 'test/fixtures/forms');

interface Diagnosis {
  readonly failedRequests: number;
  readonly causes: ReadonlyArray<{
    cause: string;
    count: number;
    statuses: ReadonlyArray<{ key: number; count: number }>;
    routes: ReadonlyArray<{ key: string; count: number }>;
  }>;
}

function diagnoseText(text: string) {
  const out = run(['diagnose', '--format', 'json'], text);
  return { ...out, diagnosis: out.code === 0 ? (JSON.parse(out.stdout) as Diagnosis) : undefined };
}

function summary(d: Diagnosis | undefined) {
  return d?.causes.map((c) => ({
    cause: c.cause,
    statuses: c.statuses.map((s) => s.key),
    routes: c.routes.map((r) => r.key),
  }));
}

async function streamed(text: string, lazy: boolean): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  for await (const e of streamEvents(Readable.from([Buffer.from(text, 'utf8')]), () => undefined, { lazy })) {
    events.push({ message: e.message, ...(e.line !== undefined ? { line: e.line } : {}) });
  }
  return events;
}

const MALFORMED = 'published-alexedwards-test-invoke-method-malformed.txt';
const PERMISSION_FENCED = 'published-lctt-test-invoke-method-permission-fenced.md';
const COMMAND =
  '$ aws apigateway test-invoke-method --rest-api-id rest-api-id --resource-id resource-id --http-method "GET"';

/** The published JSON object (the lines after the command line) as one compact line. */
function compactObject(file: string): string {
  const text = readFileSync(join(PASTES, file), 'utf8');
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return JSON.stringify(JSON.parse(text.slice(start, end + 1)));
}

describe('aws apigateway test-invoke-method output pasted under its command line', () => {
  it.each([
    [MALFORMED, 'malformed_lambda_response', 502],
    [PERMISSION_FENCED, 'lambda_permission', 500],
  ] as const)(
    '%s: its Test log is read, with the cause, status and route the bare JSON gives',
    (file, cause, status) => {
      // Prepare
      const pasted = readFileSync(join(PASTES, file), 'utf8');
      const bare = `${compactObject(file)}\n`;
      // Act
      const fromPaste = diagnoseText(pasted);
      const fromBare = diagnoseText(bare);
      // Assess
      expect(fromPaste.stderr).toBe('');
      expect(fromPaste.code).toBe(0);
      expect(fromPaste.diagnosis?.failedRequests).toBe(1);
      expect(summary(fromPaste.diagnosis)).toEqual([{ cause, statuses: [status], routes: ['GET /books'] }]);
      expect(summary(fromPaste.diagnosis)).toEqual(summary(fromBare.diagnosis));
    },
  );

  it('reads the object on one line after the command, its events pointing at that line, and no line left unread', () => {
    // Prepare: a sentence, the command, the object printed on one line (`--output json | jq -c`), a sentence.
    const text = `The result:\n\n${COMMAND}\n${compactObject(MALFORMED)}\nThat is all.\n`;
    // Act
    const read = parseInput(text);
    // Assess
    const fromObject = read.events.filter((e) => e.line === 4);
    expect(fromObject.length).toBe(9);
    expect(read.events.map((e) => e.line)).toEqual([1, ...fromObject.map(() => 4), 5]);
    expect(read.events.some((e) => e.message.includes('Malformed Lambda proxy response'))).toBe(true);
    // The two sentences are the only lines not read; neither the command nor the object is one of them.
    expect(read.report.unrecognised).toBe(2);
    expect(read.report.samples.map((s) => s.line)).toEqual([1, 5]);
  });

  it('points the events of an object printed over several lines at the line it starts on', () => {
    // Prepare
    const text = readFileSync(join(PASTES, PERMISSION_FENCED), 'utf8');
    // Act
    const read = parseInput(text);
    // Assess: line 1 is the fence, line 2 the command, the object starts on line 3.
    expect(read.events.length).toBeGreaterThan(0);
    expect(new Set(read.events.map((e) => e.line))).toEqual(new Set([3]));
    expect(read.report.unrecognised).toBe(0);
  });

  it('gives the same events streamed, on the lazy byte path too, as read whole', async () => {
    // Prepare: the one-line object is not on the first line, where the lazy path reads `{` lines in their bytes.
    const text = `${COMMAND}\n${compactObject(MALFORMED)}\n${readFileSync(join(PASTES, MALFORMED), 'utf8')}`;
    const whole = parseInput(text).events.map((e) => ({ message: e.message, line: e.line }));
    // Act
    const plain = await streamed(text, false);
    const lazy = await streamed(text, true);
    // Assess
    expect(whole.length).toBe(18);
    expect(plain).toEqual(whole);
    expect(lazy).toEqual(whole);
  });

  it('reads the whole-document form as before, its events pointing at the line the object starts on', () => {
    // Act
    const read = parseInput(readFileSync(join(FORMS, 'test-invoke-method.json'), 'utf8'));
    // Assess
    expect(read.events.length).toBeGreaterThan(5);
    expect(new Set(read.events.map((e) => e.line))).toEqual(new Set([1]));
    expect(read.report.unrecognised).toBe(0);
  });

  it('leaves a JSON line with a `log` field of another shape to be read as before', () => {
    // Prepare: a structured application log line, not test-invoke-method's output.
    const text = '{"level":"error","log":"connection refused"}\n';
    // Act
    const read = parseInput(text);
    // Assess
    expect(read.events.map((e) => e.message)).toEqual(['{"level":"error","log":"connection refused"}']);
    expect(read.report.unrecognised).toBe(1);
  });
});

describe('a shell command line pasted above its output', () => {
  it.each([
    ['$ aws logs tail /aws/apigateway/orders --since 1h'],
    ['    $ aws apigateway test-invoke-method --rest-api-id a1b2c3d4e5'],
    ['% aws logs filter-log-events --log-group-name x'],
    ['PS C:\\Users\\me> aws logs tail x'],
    ['C:\\> aws logs tail x'],
  ])('is no log line and not reported as unread: %s', (line) => {
    // Act
    const read = parseInput(`${line}\n(455b8df4-5f69-4217-8ba5-0138fdeb3266) Method completed with status: 500\n`);
    // Assess
    expect(read.report.unrecognised).toBe(0);
    expect(read.events.map((e) => e.message)).toEqual([
      '(455b8df4-5f69-4217-8ba5-0138fdeb3266) Method completed with status: 500',
    ]);
  });

  it('ends the message before it: a tail event does not take the next command as its continuation', () => {
    // Prepare
    const text = [
      '2026-11-25T03:12:05.104000+00:00 e369853df766fa44e1ed0ff613f563bd (455b8df4-5f69-4217-8ba5-0138fdeb3266) Method completed with status: 500',
      '$ aws logs tail /aws/apigateway/orders',
    ].join('\n');
    // Act
    const read = parseInput(text);
    // Assess
    expect(read.events.map((e) => e.message)).toEqual([
      '(455b8df4-5f69-4217-8ba5-0138fdeb3266) Method completed with status: 500',
    ]);
  });

  it('stays a line of text where no prompt is before `aws`, or `aws` is no command', () => {
    // Act
    const read = parseInput('aws logs tail shows nothing\n$ awsome things\n');
    // Assess
    expect(read.report.unrecognised).toBe(2);
  });
});

describe('a document of log events pasted under the AWS CLI command that printed it', () => {
  it.each([
    ['$ aws logs filter-log-events --log-group-name x', 'filter-log-events.json'],
    ['$ aws logs get-query-results --query-id x', 'insights-get-query-results.json'],
  ])('%s: read as the document alone is, its events pointing at the line it starts on', (command, file) => {
    // Prepare
    const document = readFileSync(join(FORMS, file), 'utf8');
    const pasted = `${command}\n\`\`\`json\n${document}\`\`\`\n`;
    // Act
    const alone = parseInput(document);
    const read = parseInput(pasted);
    const cli = diagnoseText(pasted);
    // Assess
    expect(read.events.map((e) => e.message)).toEqual(alone.events.map((e) => e.message));
    expect(new Set(read.events.map((e) => e.line))).toEqual(new Set([3]));
    expect(read.report.unrecognised).toBe(0);
    expect(cli.stderr).toBe('');
    expect(summary(cli.diagnosis)).toEqual(summary(diagnoseText(document).diagnosis));
  });
});
