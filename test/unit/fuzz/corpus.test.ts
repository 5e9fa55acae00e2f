/**
 * Replays every input of the hostile-input corpus (test/fixtures/fuzz, indexed in its README.md) through every
 * parser and renderer, each input timed on its own: a catastrophic regex backtrack or a quadratic loop shows up
 * as one input over the bound.
 *
 * - logs/*.log     what the CLI reads; a `# why:` header line, then `# secret:` lines for values that must never
 *                  be rendered; the rest is the input.
 * - recipes/*.json big inputs written as parts to repeat; in a repeated part, `{i}` is the repetition's number
 *                  and `{a}` the same in letters (a, b, ..., aa), taken from the innermost repeated part.
 * - bytes/*.bin    raw bytes (invalid UTF-8, UTF-16, NUL, gzip).
 * - alarm-events/  alarm events (`{"why", "event"}`); recipes of kind `alarm-event` give events too.
 *
 * Inputs listed in KNOWN reproduce a reported bug: the check they fail is withheld for them (and only for them)
 * until the bug is fixed. Remove the entry with the fix, and the replay holds the fix in place. Every other check
 * still runs on them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderChatbotNotification } from '../../../lambda/render/chatbot.js';
import { renderSlackPayload } from '../../../lambda/render/slack-blocks.js';
import { AlarmEventError, type AlarmNotice, parseAlarmEvent } from '../../../lambda/respond/alarm-event.js';
import { diagnosisNotification, linesNotification } from '../../../lambda/respond/notification.js';
import { PROJECT_ROOT } from './arbitraries.js';
import {
  expectNoSecret,
  expectRenderingsSafe,
  expectSlackSafe,
  expectSubjectSafe,
  expectTextSafe,
  unquotedSpecial,
} from './invariants.js';
import { diagnoseAndRender, processBytes, type Renderings, safetyPrimitives } from './pipeline.js';

const CORPUS = join(PROJECT_ROOT, 'test/fixtures/fuzz');
/**
 * Per input, parsing, diagnosing and rendering every way. A guard against catastrophic (super-linear) backtracking,
 * which on these inputs takes minutes, not a speed target (those are in `npm run bench`): an input takes well under
 * a second on an idle machine, and the bound leaves room for a machine loaded many times over.
 */
const MAX_MS_PER_INPUT = 15_000;

/** Checks a corpus input can have withheld while its bug is open. */
type Check = 'render-throws' | 'redaction' | 'shell' | 'size' | 'alarm-throws' | 'notification-throws';

/** Inputs that reproduce a reported bug, and the check each fails. See the README's "Known problems". */
const KNOWN: Readonly<Record<string, { readonly withheld: readonly Check[]; readonly bug: string }>> = {};

interface Part {
  readonly text?: string;
  readonly parts?: readonly Part[];
  readonly repeat?: number;
}

interface Recipe {
  readonly why: string;
  readonly kind: 'log' | 'alarm-event';
  readonly secrets?: readonly string[];
  readonly parts: readonly Part[];
}

function letters(n: number): string {
  let out = '';
  let k = n;
  do {
    out = String.fromCharCode(97 + (k % 26)) + out;
    k = Math.floor(k / 26) - 1;
  } while (k >= 0);
  return out;
}

function expand(parts: readonly Part[]): string {
  const out: string[] = [];
  for (const part of parts) {
    const times = part.repeat ?? 1;
    if (part.text !== undefined) {
      const indexed = times > 1 && (part.text.includes('{i}') || part.text.includes('{a}'));
      if (!indexed) out.push(part.text.repeat(times));
      else
        for (let i = 0; i < times; i++) out.push(part.text.replaceAll('{i}', String(i)).replaceAll('{a}', letters(i)));
    } else if (part.parts !== undefined) {
      const inner = expand(part.parts);
      for (let i = 0; i < times; i++) out.push(inner.replaceAll('{i}', String(i)).replaceAll('{a}', letters(i)));
    }
  }
  return out.join('');
}

type Input =
  | { readonly file: string; readonly why: string; readonly kind: 'log'; bytes: Uint8Array; secrets: string[] }
  | { readonly file: string; readonly why: string; readonly kind: 'alarm-event'; event: unknown; text: string };

const HEADER = /^# (why|secret): (.*)$/;

function readLog(file: string, raw: Buffer): Input {
  let offset = 0;
  let why = '';
  const secrets: string[] = [];
  for (;;) {
    const end = raw.indexOf(0x0a, offset);
    if (end === -1) break;
    const m = HEADER.exec(raw.subarray(offset, end).toString('utf8'));
    if (m === null) break;
    if (m[1] === 'why') why = m[2] ?? '';
    else secrets.push(m[2] ?? '');
    offset = end + 1;
  }
  return { file, why, kind: 'log', bytes: new Uint8Array(raw.subarray(offset)), secrets };
}

function loadCorpus(): Input[] {
  const inputs: Input[] = [];
  for (const dir of ['logs', 'recipes', 'bytes', 'alarm-events']) {
    for (const name of readdirSync(join(CORPUS, dir)).sort()) {
      const file = `${dir}/${name}`;
      const raw = readFileSync(join(CORPUS, file));
      if (dir === 'logs') inputs.push(readLog(file, raw));
      else if (dir === 'bytes') inputs.push({ file, why: '(see README.md)', kind: 'log', bytes: raw, secrets: [] });
      else if (dir === 'alarm-events') {
        const doc = JSON.parse(raw.toString('utf8')) as { why: string; event: unknown };
        inputs.push({ file, why: doc.why, kind: 'alarm-event', event: doc.event, text: JSON.stringify(doc.event) });
      } else {
        const recipe = JSON.parse(raw.toString('utf8')) as Recipe;
        const text = expand(recipe.parts);
        if (recipe.kind === 'alarm-event') {
          inputs.push({ file, why: recipe.why, kind: 'alarm-event', event: JSON.parse(text), text });
        } else {
          const bytes = new TextEncoder().encode(text);
          inputs.push({ file, why: recipe.why, kind: 'log', bytes, secrets: [...(recipe.secrets ?? [])] });
        }
      }
    }
  }
  return inputs;
}

const NOTICE: AlarmNotice = {
  alarmName: 'orders-api-prod-5xx',
  alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api-prod-5xx',
  state: 'ALARM',
  region: 'us-east-1',
  stateTime: 1_795_625_739_000,
  dimensions: {},
  envelope: 'lambda-alarm-action',
};

function withheld(file: string, check: Check): boolean {
  return KNOWN[file]?.withheld.includes(check) ?? false;
}

function checkRenderings(file: string, r: Renderings, secrets: readonly string[]): void {
  if (withheld(file, 'size')) {
    expectTextSafe(r.text);
    expectSlackSafe(r.slack);
    expectSubjectSafe(r.subject);
  } else {
    expectRenderingsSafe(r);
  }
  if (!withheld(file, 'redaction')) expectNoSecret(r, secrets);
}

function replayLog(input: Extract<Input, { kind: 'log' }>): void {
  const { file, secrets } = input;
  // With rendering withheld, the parsers and the diagnoses must still hold.
  const processed = processBytes(input.bytes, { render: !withheld(file, 'render-throws') });
  for (const event of processed.parsed.events) {
    const out = safetyPrimitives(event.message);
    expectTextSafe(out.line, 'oneLine');
    expectSlackSafe(out.slack);
    if (!withheld(file, 'redaction')) {
      for (const s of secrets) expect(out.redacted.includes(s), `redact left ${s}`).toBe(false);
    }
  }
  for (const { diagnosis, renderings } of processed.rendered) {
    checkRenderings(file, renderings, secrets);
    const payload = JSON.stringify(renderSlackPayload(diagnosis));
    const chatbot = JSON.stringify(renderChatbotNotification(diagnosis, { alarmName: NOTICE.alarmName }));
    const sns = diagnosisNotification(diagnosis, { notice: NOTICE });
    expectSubjectSafe(sns.subject);
    expectTextSafe(sns.emailText, 'email');
    if (!withheld(file, 'redaction')) {
      for (const s of secrets) {
        for (const out of [payload, chatbot, sns.emailText, sns.extraProtocols?.https ?? '']) {
          expect(out.includes(s), `a channel shows ${s}`).toBe(false);
        }
      }
    }
    if (!withheld(file, 'shell')) {
      for (const cause of diagnosis.causes) {
        for (const step of cause.remedy) {
          const problem = step.command !== undefined ? unquotedSpecial(step.command) : undefined;
          if (problem !== undefined) expect.fail(`${cause.cause}: ${problem}`);
        }
      }
    }
  }
}

function replayAlarmEvent(input: Extract<Input, { kind: 'alarm-event' }>): void {
  const { file } = input;
  let notice: AlarmNotice | undefined;
  try {
    notice = parseAlarmEvent(input.event);
  } catch (error) {
    if (!(error instanceof AlarmEventError) && !withheld(file, 'alarm-throws')) throw error;
  }
  if (notice !== undefined && !withheld(file, 'notification-throws')) {
    const { diagnosis } = diagnoseAndRender([]);
    const notifications = [
      diagnosisNotification(diagnosis, { notice, logGroups: ['/aws/lambda/orders-get'] }),
      linesNotification(`[OK] ${notice.alarmName}`, [`Recovered: ${notice.reason}`], { notice }, {}, 'Recovery'),
    ];
    for (const n of notifications) {
      expectSubjectSafe(n.subject);
      expectTextSafe(n.emailText, 'email');
      const chatbot = JSON.parse(n.extraProtocols?.https ?? '{}') as { content?: { description?: string } };
      expectSlackSafe(chatbot.content?.description ?? '');
    }
  }
  // Every file through every parser: the event's JSON as log input too.
  processBytes(new TextEncoder().encode(input.text));
}

const inputs = loadCorpus();

describe('hostile-input corpus (test/fixtures/fuzz)', () => {
  it('is indexed: every input says why it is there, and README.md lists it', () => {
    const readme = readFileSync(join(CORPUS, 'README.md'), 'utf8');
    for (const input of inputs) {
      expect(readme, `README.md must list ${input.file}`).toContain(input.file);
      if (!input.file.startsWith('bytes/')) expect(input.why.trim(), `${input.file} needs a why`).not.toBe('');
    }
    for (const file of Object.keys(KNOWN)) {
      expect(
        inputs.map((i) => i.file),
        `KNOWN names a missing file`,
      ).toContain(file);
    }
  });

  for (const input of inputs) {
    it(`${input.file} goes through every parser and renderer, safely, within ${MAX_MS_PER_INPUT} ms`, () => {
      const started = performance.now();
      if (input.kind === 'log') replayLog(input);
      else replayAlarmEvent(input);
      const ms = performance.now() - started;
      expect(ms, `${input.file} took ${Math.round(ms)} ms`).toBeLessThan(MAX_MS_PER_INPUT);
    });
  }
});
