import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
    const diagnosis = JSON.parse(out.stdout) as { failedRequests: number; causes: Array<{ cause: string }> };
    expect(diagnosis.failedRequests).toBe(1);
    expect(diagnosis.causes.map((c) => c.cause)).toEqual(['private_integration']);
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
