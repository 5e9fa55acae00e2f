import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InputProblem } from '../../lambda/parse/input.js';
import { LineSplitter } from '../../lambda/parse/line-splitter.js';

const enc = new TextEncoder();

/** The bytes cut at the given positions (inside multi-byte characters too), fed to a splitter. */
function split(bytes: Uint8Array, cuts: readonly number[]) {
  const lines: Array<{ text: string; lineNo: number }> = [];
  const problems: InputProblem[] = [];
  const splitter = new LineSplitter(
    (text, lineNo) => lines.push({ text, lineNo }),
    (p) => problems.push(p),
  );
  const buffer = Buffer.from(bytes);
  let start = 0;
  for (const cut of [...new Set(cuts)].filter((c) => c > 0 && c < buffer.length).sort((a, b) => a - b)) {
    splitter.push(buffer.subarray(start, cut));
    start = cut;
  }
  splitter.push(buffer.subarray(start));
  splitter.end();
  return { lines, problems };
}

/** What a whole-text split gives: every `\n` ends a line; text after the last one is a line too. */
function expectedLines(text: string) {
  if (text === '') return [];
  const parts = text.split('\n');
  if (text.endsWith('\n')) parts.pop();
  return parts.map((t, i) => ({ text: t, lineNo: i + 1 }));
}

describe('LineSplitter', () => {
  it('gives the lines of any text, numbered, however its bytes are cut into chunks', () => {
    const piece = fc.constantFrom('a', '(id) x', '\n', '\r\n', '\u00e9', '\u65e5', '\ud83d\ude80', ' ', '', '\ufeff');
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }),
        fc.array(fc.nat({ max: 200 }), { maxLength: 12 }),
        (pieces, cuts) => {
          const text = pieces.join('');
          expect(split(enc.encode(text), cuts)).toEqual({ lines: expectedLines(text), problems: [] });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps a carriage return before the newline (the reader drops it)', () => {
    const { lines } = split(enc.encode('one\r\ntwo\r\n'), [4]);
    expect(lines.map((l) => l.text)).toEqual(['one\r', 'two\r']);
  });

  it('reads a line longer than several chunks whole, and the lines around it', () => {
    const long = `(${'x'.repeat(10)}) ${'\u00e9y'.repeat(5_000)}`;
    const bytes = enc.encode(`first\n${long}\nlast`);
    const cuts = Array.from({ length: 20 }, (_, i) => 3 + i * 777);
    expect(split(bytes, cuts).lines).toEqual([
      { text: 'first', lineNo: 1 },
      { text: long, lineNo: 2 },
      { text: 'last', lineNo: 3 },
    ]);
  });

  it('decodes a multi-byte character cut between two chunks, at every byte of it', () => {
    const text = 'caf\u00e9\n\ud83d\ude80 launch\nplain\n';
    const bytes = enc.encode(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(split(bytes, [cut]).lines.map((l) => l.text)).toEqual(['caf\u00e9', '\ud83d\ude80 launch', 'plain']);
    }
  });

  it('reports invalid UTF-8 on its own line only, and decodes the lines beside it in the same chunk', () => {
    const bytes = new Uint8Array([
      ...enc.encode('ok \u00e9\n'),
      ...enc.encode('bad '),
      0xff,
      0xc3, // a lead byte with no continuation
      ...enc.encode(' end\nalso ok\n'),
    ]);
    for (const cuts of [[], [2], [9], [6, 11]]) {
      expect(split(bytes, cuts)).toEqual({
        lines: [
          { text: 'ok \u00e9', lineNo: 1 },
          { text: 'bad \ufffd\ufffd end', lineNo: 2 },
          { text: 'also ok', lineNo: 3 },
        ],
        problems: [{ line: 2, reason: 'invalid UTF-8 bytes replaced with U+FFFD' }],
      });
    }
  });

  it('gives blank lines and a last line without a newline, and nothing for empty input', () => {
    expect(split(enc.encode('\n\nx'), [1]).lines).toEqual([
      { text: '', lineNo: 1 },
      { text: '', lineNo: 2 },
      { text: 'x', lineNo: 3 },
    ]);
    expect(split(new Uint8Array(0), []).lines).toEqual([]);
  });
});
