import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyEvent } from '../../lambda/classify/classify.js';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import { parseInput } from '../../lambda/parse/input-stream.js';

/**
 * Every sourced cause fixture (test/fixtures/causes: real published logs and lines built from sourced ones), pasted
 * each way people paste logs, is read as the lines it pastes: each event gets the verdict of the line it pastes, the
 * requests the same causes, and no line is reported unread that was read before. parseInput is the reader the CLI
 * streams with (test/unit/parse-input.test.ts); test/unit/cli-pastes.test.ts runs the real command on pastes.
 */

const CAUSES = join(import.meta.dirname, '../fixtures/causes');
const FIXTURES = readdirSync(CAUSES)
  .flatMap((folder) =>
    readdirSync(join(CAUSES, folder))
      .filter((f) => f.endsWith('.log'))
      .map((f) => `${folder}/${f}`),
  )
  .sort();

/** Typographic quotes in turn for every `"`, as a word processor writes them. */
function curly(line: string): string {
  let open = true;
  return line.replace(/"/g, () => {
    const q = open ? '\u201c' : '\u201d';
    open = !open;
    return q;
  });
}

/** What a web page's source shows (Python's html.escape with quote=True). */
function htmlEscape(line: string): string {
  return line
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;');
}

/** What `fold -w WIDTH` prints: the line cut every WIDTH characters. */
function fold(line: string, width: number): string {
  const parts: string[] = [];
  for (let i = 0; i < line.length; i += width) parts.push(line.slice(i, i + width));
  return parts.join('\n');
}

/** What `jq .` prints for a line that is a JSON object (two spaces a level); any other line as it is. */
function pretty(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    return JSON.stringify(JSON.parse(line), null, 2);
  } catch {
    return line;
  }
}

const PASTES: ReadonlyArray<[string, (lines: readonly string[]) => string]> = [
  ['in a Markdown fence', (ls) => `\`\`\`\n${ls.join('\n')}\n\`\`\`\n`],
  ['quoted (> ) and numbered', (ls) => `${ls.map((l, i) => `> ${String(i + 1).padStart(3)}  ${l}`).join('\n')}\n`],
  ['indented, CRLF, with a BOM', (ls) => `\uFEFF${ls.map((l) => `    ${l}`).join('\r\n')}\r\n`],
  ['HTML-escaped', (ls) => `${ls.map(htmlEscape).join('\n')}\n`],
  ['in typographic quotes', (ls) => `${ls.map(curly).join('\n')}\n`],
  [
    'its JSON lines folded at 80 columns (fold -w 80)',
    (ls) => `${ls.map((l) => (l.startsWith('{') ? fold(l, 80) : l)).join('\n')}\n`,
  ],
  ['its JSON lines pretty-printed (jq .)', (ls) => `${ls.map(pretty).join('\n')}\n`],
];

function read(text: string) {
  const { events, report } = parseInput(text);
  return {
    verdicts: events.map((e) => classifyEvent(e).cause),
    causes: diagnoseEvents(events).diagnosis.causes.map((c) => [c.cause, c.count]),
    unrecognised: report.unrecognised,
  };
}

describe('every sourced cause fixture, pasted', () => {
  for (const fixture of FIXTURES) {
    const lines = readFileSync(join(CAUSES, fixture), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    const original = read(`${lines.join('\n')}\n`);
    it.each(PASTES)(`${fixture} %s reads as the lines it pastes`, (_label, paste) => {
      // Act
      const pasted = read(paste(lines));
      // Assess
      expect(pasted.verdicts).toEqual(original.verdicts);
      expect(pasted.causes).toEqual(original.causes);
      expect(pasted.unrecognised).toBe(original.unrecognised);
    });
  }
});
