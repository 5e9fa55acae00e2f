import { decodeInput, type InputProblem, parseInput, readLine } from './input.js';
import type { LogEvent } from './log-event.js';

/**
 * Reads a log input as it arrives, so that a file of any size is diagnosed in bounded memory: raw log lines and JSON
 * lines are read one line at a time; only a JSON document (what `aws logs filter-log-events` prints) is read whole,
 * since its events are known only once it has been parsed. The events and problems are the ones parseInput gives
 * for the same bytes (tested), except that invalid UTF-8 is reported for exactly the lines that hold it.
 */

/** How much of the start is looked at to tell a JSON document from lines, at most. */
const HEAD_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

type Mode = 'document' | 'lines';

/**
 * Whether the input starts like a JSON document; undefined while the start seen so far cannot tell. The same test
 * parseInput makes (its Unicode whitespace included), on the decoded start. Taking lines for a document is always
 * safe (the document is handed to parseInput, which falls back to lines); the other way round is avoided: `[` is a
 * document unless a word follows it on the same line, as in Python's `[ERROR] KeyError: 'id'`.
 */
function modeOf(head: Buffer, ended: boolean): Mode | undefined {
  // A byte order mark cut across chunks: wait for the rest of it.
  if (!ended && head.length < 3 && BOM.subarray(0, head.length).equals(head)) return undefined;
  const full = ended || head.length >= HEAD_BYTES;
  const text = head.toString('utf8');
  const trimmed = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trimStart();
  if (trimmed === '') return full ? 'lines' : undefined;
  const newline = trimmed.indexOf('\n');
  if (newline === -1 && !full) return undefined;
  const first = (newline === -1 ? trimmed : trimmed.slice(0, newline)).trim();
  if (first.startsWith('[')) {
    return /^\[\s*[A-Za-z_]/.test(first) && !/^\[\s*(?:true|false|null)\b/.test(first) ? 'lines' : 'document';
  }
  // Pretty-printed (`{` alone), or one line that names the document's fields (`--output json | jq -c`).
  return first === '{' || /^\{\s*"(events|searchedLogStreams|nextToken|nextForwardToken)"/.test(first)
    ? 'document'
    : 'lines';
}

function decodeLine(bytes: Uint8Array, lineNo: number, problems: (p: InputProblem) => void): string {
  try {
    return strict.decode(bytes);
  } catch {
    problems({ line: lineNo, reason: 'invalid UTF-8 bytes replaced with U+FFFD' });
    return lenient.decode(bytes);
  }
}

/**
 * The events of one input (a file or standard input) as its bytes arrive; `problems` hears of each part that could
 * not be read as intended (reading goes on).
 */
export async function* streamEvents(
  chunks: AsyncIterable<Uint8Array | string>,
  problems: (problem: InputProblem) => void,
): AsyncGenerator<LogEvent> {
  let mode: Mode | undefined;
  const held: Buffer[] = [];
  let heldBytes = 0;
  let carry: Buffer = Buffer.alloc(0);
  let lineNo = 0;

  function* lines(bytes: Buffer, ended: boolean): Generator<LogEvent> {
    const data = carry.length > 0 ? Buffer.concat([carry, bytes]) : bytes;
    let start = 0;
    for (;;) {
      const end = data.indexOf(NEWLINE, start);
      if (end === -1) break;
      yield* line(data.subarray(start, end));
      start = end + 1;
    }
    carry = data.subarray(start);
    if (ended && carry.length > 0) {
      yield* line(carry);
      carry = Buffer.alloc(0);
    }
  }

  function* line(bytes: Uint8Array): Generator<LogEvent> {
    lineNo++;
    let text = decodeLine(bytes, lineNo, problems);
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const read = readLine(text, lineNo);
    if (read === undefined) return;
    if (read.problem !== undefined) problems(read.problem);
    yield read.event;
  }

  for await (const chunk of chunks) {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (mode === undefined) {
      held.push(bytes);
      heldBytes += bytes.length;
      const head = Buffer.concat(held.splice(0), heldBytes);
      held.push(head);
      mode = modeOf(head, false);
      if (mode === 'lines') {
        held.length = 0;
        yield* lines(head, false);
      }
      continue;
    }
    if (mode === 'document') held.push(bytes);
    else yield* lines(bytes, false);
  }
  if (mode === undefined) mode = modeOf(Buffer.concat(held), true);
  if (mode === 'lines') {
    yield* lines(Buffer.concat(held.splice(0)), true);
    return;
  }
  // A JSON document: parsed whole (a document that is not JSON after all is read line by line by parseInput).
  const decoded = decodeInput(Buffer.concat(held));
  const parsed = parseInput(decoded.text);
  for (const p of [...decoded.problems, ...parsed.problems].sort((a, b) => a.line - b.line)) problems(p);
  yield* parsed.events;
}
