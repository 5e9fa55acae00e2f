/**
 * What must hold for every rendering, whatever the logs held. Each check throws (through expect) with the
 * offending excerpt, so a fast-check counterexample says what broke.
 */
import { expect } from 'vitest';
import type { Renderings } from './pipeline.js';

// C0 controls except tab and newline, DEL, C1 controls; bidi embeddings, overrides and isolates (Trojan Source).
// biome-ignore lint/complexity/useRegexLiterals: a literal would need the control-character escapes the linter rejects.
const RAW_CONTROL = new RegExp('[\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]');

/** A Slack mention or link that mrkdwn would act on. */
const SLACK_ACTIVE = /<[!@#]|<https?:|<mailto:/i;
/** `@channel` and friends with nothing between `@` (or `!`) and the word: Slack may notify everyone. */
const BARE_MENTION = /[@!](?:channel|here|everyone)(?![A-Za-z0-9_])/i;

/** Upper bounds the renderings keep for any input (see SECURITY.md, "Output size"). */
export const LIMITS = {
  /** SNS subjects: printable ASCII, less than 100 characters. */
  subjectChars: 99,
  /**
   * Slack's documented text limit for one message: 40,000 characters
   * (https://api.slack.com/methods/chat.postMessage#truncating). Realistic input stays under 20,000 (checked apart).
   */
  slackChars: 40_000,
  /** The email text is sent twice in one SNS message (default and email, 256 KiB in all): 64 KiB leaves room. */
  textBytes: 64 * 1024,
} as const;

function excerpt(text: string, index: number): string {
  return JSON.stringify(text.slice(Math.max(0, index - 60), index + 60));
}

/** Email/terminal text: no raw control characters except newline and tab, no bidi overrides. */
export function expectTextSafe(text: string, label = 'text'): void {
  const m = RAW_CONTROL.exec(text);
  if (m !== null) expect.fail(`${label} holds a raw control character U+${hex(m[0])} at ${excerpt(text, m.index)}`);
}

/** Slack mrkdwn: no active `<...>`, no raw `<` or `>`, no bare @channel/@here/@everyone, no controls. */
export function expectSlackSafe(slack: string): void {
  expectTextSafe(slack, 'slack');
  const active = SLACK_ACTIVE.exec(slack);
  if (active !== null) expect.fail(`slack holds an active link or mention at ${excerpt(slack, active.index)}`);
  const angle = /[<>]/.exec(slack);
  if (angle !== null) expect.fail(`slack holds a raw ${angle[0]} at ${excerpt(slack, angle.index)}`);
  const mention = BARE_MENTION.exec(slack);
  if (mention !== null) expect.fail(`slack holds a bare mention at ${excerpt(slack, mention.index)}`);
  // Code fences are not checked: a ``` in log text shown outside a code block (a route, the function's error)
  // is not escaped and pairs with the renderer's own fences. Reported; see test/fixtures/fuzz/README.md.
}

export function expectSubjectSafe(subject: string): void {
  if (subject.length > LIMITS.subjectChars) expect.fail(`subject is ${subject.length} characters: ${subject}`);
  if (!/^[\x20-\x7E]*$/.test(subject)) expect.fail(`subject is not printable ASCII: ${JSON.stringify(subject)}`);
}

export function expectWithinLimits(r: Renderings): void {
  const textBytes = Buffer.byteLength(r.text);
  if (textBytes >= LIMITS.textBytes) expect.fail(`text is ${textBytes} bytes (limit ${LIMITS.textBytes})`);
  if (r.slack.length >= LIMITS.slackChars) expect.fail(`slack is ${r.slack.length} characters`);
}

/** Every safety property of one set of renderings, sizes included. */
export function expectRenderingsSafe(r: Renderings): void {
  expectTextSafe(r.text);
  expectSlackSafe(r.slack);
  expectSubjectSafe(r.subject);
  expectSubjectSafe(r.okSubject);
  expectWithinLimits(r);
  // The JSON rendering is valid JSON (control characters are escaped by JSON.stringify).
  JSON.parse(r.json);
}

/** None of the secrets appears in any rendering. */
export function expectNoSecret(r: Renderings, secrets: readonly string[]): void {
  for (const [name, out] of Object.entries(r)) {
    for (const secret of secrets) {
      const at = out.indexOf(secret);
      if (at !== -1) expect.fail(`${name} rendering shows the secret ${JSON.stringify(secret)}: ${excerpt(out, at)}`);
    }
  }
}

function hex(c: string): string {
  return (c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

// ---- shell ---------------------------------------------------------------------------------------------------------

/** Characters a POSIX shell (or bash, interactively) gives a meaning to outside quotes. */
// biome-ignore lint/complexity/useRegexLiterals: a literal would need the control-character escapes the linter rejects.
const SHELL_SPECIAL = new RegExp('[;&|$`()<>"\'\\\\!*?[\\]{}~#\\u0000-\\u001f\\u007f]');
const PLACEHOLDER = /^<[a-z][a-z0-9-]*>/;

/**
 * The first thing in `command` a shell would interpret outside single quotes (`<placeholder>`s and shellQuote's
 * `'\''` aside), or undefined. The values of the options in `unchecked` are not looked at.
 */
export function unquotedSpecial(command: string, unchecked: ReadonlySet<string> = new Set()): string | undefined {
  let i = 0;
  let previousWord = '';
  let word = '';
  const endWord = () => {
    previousWord = word;
    word = '';
  };
  while (i < command.length) {
    const c = command[i] ?? '';
    if (c === ' ') {
      endWord();
      i++;
      continue;
    }
    if (c === "'") {
      const close = command.indexOf("'", i + 1);
      if (close === -1) return `unterminated quote at ${i}: ${command.slice(i, i + 40)}`;
      word += command.slice(i, close + 1);
      i = close + 1;
      continue;
    }
    if (c === '\\' && command[i + 1] === "'") {
      // `'\''`: the escaped quote shellQuote writes between two quoted parts.
      word += "\\'";
      i += 2;
      continue;
    }
    const placeholder = PLACEHOLDER.exec(command.slice(i));
    if (placeholder !== null) {
      word += placeholder[0];
      i += placeholder[0].length;
      continue;
    }
    if (SHELL_SPECIAL.test(c) && !unchecked.has(previousWord)) {
      return `unquoted ${JSON.stringify(c)} at ${i}: ${JSON.stringify(command.slice(Math.max(0, i - 30), i + 30))}`;
    }
    word += c;
    i++;
  }
  return undefined;
}
