import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import type { InputProblem } from '../../lambda/parse/input.js';
import {
  BinaryInputError,
  InputFormatError,
  type InputReport,
  parseInput,
  streamEvents,
} from '../../lambda/parse/input-stream.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';

const FORMS = join(import.meta.dirname, '../fixtures/forms');
const FILES = [
  ...readdirSync(FORMS).filter((f) => !f.endsWith('.md') && !f.endsWith('.ts')),
  ...readdirSync(join(FORMS, 'pastes')).map((f) => `pastes/${f}`),
]
  .filter((f) => statSync(join(FORMS, f)).isFile())
  .sort();

async function streamed(bytes: Buffer) {
  async function* chunks() {
    // Cut into odd pieces: the streaming reader must not depend on where a chunk ends.
    for (let i = 0; i < bytes.length; i += 4093) yield bytes.subarray(i, i + 4093);
  }
  const events: LogEvent[] = [];
  const problems: InputProblem[] = [];
  let report: InputReport | undefined;
  for await (const e of streamEvents(chunks(), (p) => problems.push(p), { report: (r) => (report = r) })) {
    events.push(e);
  }
  return { events, problems: problems.sort((a, b) => a.line - b.line), report };
}

describe('parseInput (the whole-text entry point)', () => {
  it.each(FILES)('reads %s exactly as the streaming CLI reader does', async (file) => {
    // Prepare
    const bytes = readFileSync(join(FORMS, file));
    // Act
    const whole = parseInput(bytes);
    const stream = await streamed(bytes);
    // Assess: the same events (messages, times, streams, line numbers), problems and report
    expect(whole.events.length).toBeGreaterThan(0);
    expect(whole.events).toEqual(stream.events);
    expect(whole.problems).toEqual(stream.problems);
    expect(whole.report).toEqual(stream.report);
  });

  it('reads a text (not only bytes) in every line form: a console Test output names its cause', () => {
    // Prepare
    const text = readFileSync(join(FORMS, 'console-test-malformed-502.txt'), 'utf8');
    // Act
    const { events, report } = parseInput(text);
    const { diagnosis } = diagnoseEvents(events);
    // Assess
    expect(report.forms['console-test']).toBeGreaterThan(0);
    expect(report.unrecognised).toBe(0);
    expect(diagnosis.causes.map((c) => [c.cause, c.count])).toEqual([['malformed_lambda_response', 1]]);
  });

  it('reads `aws logs tail` output, which the CloudWatch-only reader took for unknown raw lines', () => {
    // Prepare
    const text = readFileSync(join(FORMS, 'logs-tail-detailed.txt'), 'utf8');
    // Act
    const { events } = parseInput(text);
    const { diagnosis } = diagnoseEvents(events);
    // Assess
    expect(diagnosis.failedRequests).toBe(2);
    expect(diagnosis.causes.map((c) => c.cause)).toEqual(['integration_timeout']);
  });

  it('refuses binary bytes and a broken gzip stream as the CLI does', () => {
    expect(() => parseInput(Buffer.from([0x00, 0x01, 0x02, 0x03, 0x41]))).toThrow(BinaryInputError);
    expect(() => parseInput(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01]))).toThrow(InputFormatError);
  });

  it('reads a forced form only as that form', () => {
    const text = readFileSync(join(FORMS, 'logs-tail-short.txt'), 'utf8');
    const forced = parseInput(text, { form: 'cloudwatch' });
    expect(forced.report.unrecognised).toBe(forced.report.lines);
  });
});
