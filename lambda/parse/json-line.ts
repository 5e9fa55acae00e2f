import { requestIdEnd } from './execution-log.js';
import { toEvent } from './input.js';
import type { LogEvent } from './log-event.js';

/**
 * A JSON line (`aws logs filter-log-events --output json | jq -c '.events[]'`, a Firehose record, any flat event
 * object) whose message is an execution log line, read lazily: the line's structure was checked and the message's
 * place in it found, but nothing was decoded. The trace builder reads the request id and the "Method completed"
 * status straight from the line (they hold no character JSON escapes), so a request that ends well is dropped
 * without its lines ever going through JSON.parse; a line that is kept is decoded on first use, exactly as readLine
 * decodes it (the same JSON.parse, the same fields).
 */
export class JsonLineEvent implements LogEvent {
  // Assigned in the constructor, not as class fields: a field initialiser is a define-property per object.
  private decoded: LogEvent | undefined;
  private group: string | undefined;
  private groupRead: boolean;

  constructor(
    /** The whole line, as read. */
    readonly raw: string,
    /** Where the message's characters start in `raw` (after its opening quote): `(<request id>) ...`. */
    readonly at: number,
    readonly line: number,
    /** The `timestamp` value's digits in `raw` ([tsAt, tsEnd)), or -1 when it is absent or not plain digits. */
    private readonly tsAt: number,
    private readonly tsEnd: number,
    /** The `logGroupName` string's characters in `raw`, or -1 when the line has none (or not a string). */
    private readonly groupAt: number,
    private readonly groupEnd: number,
    private readonly groupEscaped: boolean,
  ) {
    this.decoded = undefined;
    this.group = undefined;
    this.groupRead = false;
  }

  /** The event as readLine reads the line: JSON.parse, once. */
  private get event(): LogEvent {
    this.decoded ??= decodeLine(this.raw, this.at, this.line);
    return this.decoded;
  }

  get message(): string {
    return this.event.message;
  }

  get timestamp(): number | undefined {
    if (this.decoded === undefined && this.tsAt !== -1) return Number(this.raw.slice(this.tsAt, this.tsEnd));
    return this.event.timestamp;
  }

  get logStreamName(): string | undefined {
    return this.event.logStreamName;
  }

  get logGroupName(): string | undefined {
    if (this.decoded !== undefined) return this.decoded.logGroupName;
    if (!this.groupRead) {
      this.groupRead = true;
      if (this.groupAt !== -1) {
        this.group = this.groupEscaped
          ? (JSON.parse(this.raw.slice(this.groupAt - 1, this.groupEnd + 1)) as string)
          : this.raw.slice(this.groupAt, this.groupEnd);
      }
    }
    return this.group;
  }

  /** Whether the line's log group is `name` (compared in place: no string is cut). */
  inGroup(name: string | undefined): boolean {
    if (this.groupAt === -1) return name === undefined;
    if (this.groupEscaped || name === undefined) return this.logGroupName === name;
    return name.length === this.groupEnd - this.groupAt && this.raw.startsWith(name, this.groupAt);
  }
}

/**
 * The line decoded. The scan that made the event checked the line's structure but not every character: a string
 * holding a raw control character (a tab pasted into a message) is no valid JSON, and is read with that character
 * escaped rather than not at all.
 */
function decodeLine(raw: string, at: number, line: number): LogEvent {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    try {
      value = JSON.parse(raw.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
    } catch {
      value = undefined;
    }
  }
  return toEvent(value, line) ?? { message: raw.slice(at, stringEnd(raw, at)), line };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters JSON strings may not hold raw
const CONTROL = /[\u0000-\u001f]/g;

/** The index of the `"` that closes the JSON string whose characters start at `from`, or -1. */
function stringEnd(text: string, from: number): number {
  let i = from;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q === -1) return -1;
    let b = q - 1;
    while (text.charCodeAt(b) === 92 /* \ */) b--;
    // An even number of backslashes before it: the quote is not escaped.
    if (((q - 1 - b) & 1) === 0) return q;
    i = q + 1;
  }
}

/** Where the JSON number starting at `i` ends, or -1 when none starts there. */
function numberEnd(text: string, i: number): number {
  let j = i;
  if (text.charCodeAt(j) === 45 /* - */) j++;
  const digits = j;
  while (isDigit(text.charCodeAt(j))) j++;
  if (j === digits) return -1;
  if (text.charCodeAt(j) === 46 /* . */) {
    const f = ++j;
    while (isDigit(text.charCodeAt(j))) j++;
    if (j === f) return -1;
  }
  const e = text.charCodeAt(j);
  if (e === 101 || e === 69 /* e E */) {
    j++;
    const s = text.charCodeAt(j);
    if (s === 43 || s === 45) j++;
    const x = j;
    while (isDigit(text.charCodeAt(j))) j++;
    if (j === x) return -1;
  }
  return j;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Keys the scan tells apart (bits, so that a key given twice is noticed). */
const MESSAGE = 1;
const TIMESTAMP = 2;
const GROUP = 4;

/**
 * A JSON line whose message is an execution log line, as a lazy event; undefined for any other line (it is then
 * read by readLine as before). Only a flat object is taken: string, number, true/false/null values, keys without
 * escapes, each of message/timestamp/logGroupName once, `"message"` a string that starts `(<request id>)` with no
 * escape up to the `)`. Spaces around `:` and after `,` (Python's json.dumps) and a CR at the end are allowed.
 * Written as one loop that jumps from quote to quote with indexOf: it runs on every line of a JSON-lines file.
 */
export function scanJsonLine(line: string, lineNo: number): JsonLineEvent | undefined {
  let end = line.length;
  if (line.charCodeAt(end - 1) === 13) end--;
  if (line.charCodeAt(0) !== 123 /* { */) return undefined;
  let i = 1;
  let at = -1;
  let messageEnd = -1;
  let tsAt = -1;
  let tsEnd = -1;
  let groupAt = -1;
  let groupEnd = -1;
  let seen = 0;
  for (;;) {
    let c = line.charCodeAt(i);
    while (c === 32) c = line.charCodeAt(++i);
    if (c !== 34 /* " */) return undefined;
    const keyEnd = line.indexOf('"', i + 1);
    if (keyEnd === -1) return undefined;
    const keyLength = keyEnd - i - 1;
    let key = 0;
    if (keyLength === 7) key = line.startsWith('message', i + 1) ? MESSAGE : 0;
    else if (keyLength === 9) key = line.startsWith('timestamp', i + 1) ? TIMESTAMP : 0;
    else if (keyLength === 12) key = line.startsWith('logGroupName', i + 1) ? GROUP : 0;
    if (key === 0) {
      if (hasBackslash(line, i + 1, keyEnd)) return undefined;
    } else {
      // A key given twice: JSON.parse keeps the last, which this scan does not follow.
      if ((seen & key) !== 0) return undefined;
      seen |= key;
    }
    let v = keyEnd + 1;
    c = line.charCodeAt(v);
    while (c === 32) c = line.charCodeAt(++v);
    if (c !== 58 /* : */) return undefined;
    c = line.charCodeAt(++v);
    while (c === 32) c = line.charCodeAt(++v);
    let after: number;
    if (c === 34) {
      const close = stringEnd(line, v + 1);
      if (close === -1) return undefined;
      if (key === MESSAGE) {
        at = v + 1;
        messageEnd = close;
      } else if (key === GROUP) {
        groupAt = v + 1;
        groupEnd = close;
      }
      after = close + 1;
    } else if (isDigit(c)) {
      let j = v + 1;
      c = line.charCodeAt(j);
      while (isDigit(c)) c = line.charCodeAt(++j);
      if (c === 46 /* . */ || c === 101 /* e */ || c === 69 /* E */) {
        j = numberEnd(line, v);
        if (j === -1) return undefined;
      } else if (key === TIMESTAMP) {
        // Digits only: read without JSON.parse, the same number.
        tsAt = v;
        tsEnd = j;
      }
      after = j;
    } else {
      after = c === 45 /* - */ ? numberEnd(line, v) : literalEnd(line, v);
      if (after === -1) return undefined;
    }
    // A message that is no string makes no event (readLine reads such a line as raw text).
    if (key === MESSAGE && at === -1) return undefined;
    c = line.charCodeAt(after);
    while (c === 32) c = line.charCodeAt(++after);
    if (c === 44 /* , */) {
      i = after + 1;
      continue;
    }
    if (c !== 125 /* } */) return undefined;
    let rest = after + 1;
    while (line.charCodeAt(rest) === 32) rest++;
    if (rest !== end) return undefined;
    break;
  }
  if (at === -1) return undefined;
  // The message is an execution line, its request id free of escapes and inside the message.
  const close = requestIdEnd(line, at);
  if (close === -1 || close >= messageEnd || escapedBefore(line, at, close)) return undefined;
  const groupEscaped = groupAt !== -1 && escapedBefore(line, groupAt, groupEnd);
  return new JsonLineEvent(line, at, lineNo, tsAt, tsEnd, groupAt, groupEnd, groupEscaped);
}

/** Whether characters [from, to) of a JSON line hold a backslash: an escape (found with indexOf, not a loop). */
function escapedBefore(text: string, from: number, to: number): boolean {
  const b = text.indexOf('\\', from);
  return b !== -1 && b < to;
}

/**
 * Whether a key's characters [from, to) hold a backslash: a key with an escape may decode to any name
 * (`"mess\\u0061ge"`), so such a line is left to JSON.parse. Keys are short: a loop.
 */
function hasBackslash(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 92) return true;
  return false;
}

function literalEnd(text: string, i: number): number {
  if (text.startsWith('true', i) || text.startsWith('null', i)) return i + 4;
  if (text.startsWith('false', i)) return i + 5;
  return -1;
}
