import { toEvent } from './input.js';
import type { LogEvent } from './log-event.js';

type Slice = (this: Buffer, start: number, end: number) => string;

/**
 * Bytes [start, end) of a buffer as a string. Buffer's own latin1Slice / utf8Slice (what `toString(encoding, start,
 * end)` calls after normalising its arguments, once per line here: a tenth of the time spent cutting lines) when
 * this Node has them, else toString.
 */
function sliceOf(encoding: 'latin1' | 'utf8'): Slice {
  const own = (Buffer.prototype as unknown as Record<string, unknown>)[`${encoding}Slice`];
  if (typeof own === 'function') return own as Slice;
  return function (this: Buffer, start: number, end: number): string {
    return this.toString(encoding, start, end);
  };
}
export const latin1 = sliceOf('latin1');
export const utf8 = sliceOf('utf8');

/** Longest request id accepted, as requestIdEnd (execution-log.ts). */
const MAX_REQUEST_ID = 128;
const NO_BYTES = Buffer.alloc(0);

/**
 * An execution log line still in the bytes it was read in (ASCII, or UTF-8 with an ASCII request id): a raw line
 * (`(<request id>) text`), or a JSON line whose `message` is one (`aws logs filter-log-events --output json | jq -c
 * '.events[]'`), its structure checked and the message's place found but nothing decoded. The trace builder reads
 * the request id and the "Method completed" status straight from the bytes (they hold no character JSON escapes),
 * so a request that ends well is dropped without a string ever having been made of its lines; a line that is kept
 * is decoded on first use, exactly as the reader decodes such a line (a JSON line: JSON.parse and the same fields
 * as readLine). The bytes are the reader's chunk: the builder turns a line it holds for long into a string (pin),
 * so that a request that stays open does not keep its chunk in memory.
 */
export class ByteLineEvent implements LogEvent {
  /** The line's text, once made (or set by a reader that joined a continued line onto it). */
  protected text: string | undefined;

  constructor(
    protected bytes: Buffer,
    /** Where the message starts: its `(`. */
    readonly start: number,
    /** Where the message ends: the line's end (raw), or its closing quote (JSON). */
    readonly end: number,
    readonly line: number,
    /** The chunk is UTF-8 with characters outside ASCII (decoded as UTF-8), not ASCII (a byte is a character). */
    protected readonly utf8: boolean,
  ) {
    this.text = undefined;
  }

  /** Bytes [from, to) of the line's chunk as text. */
  protected slice(from: number, to: number): string {
    return (this.utf8 ? utf8 : latin1).call(this.bytes, from, to);
  }

  /** The bytes that hold the line, or undefined once it is a string (decoded, pinned, or its message changed). */
  get buffer(): Buffer | undefined {
    return this.text === undefined ? this.bytes : undefined;
  }

  get message(): string {
    if (this.text === undefined) {
      this.text = this.slice(this.start, this.end);
      this.bytes = NO_BYTES;
    }
    return this.text;
  }

  /** A reader that joins a continued line onto this one changes its message. */
  set message(message: string) {
    this.text = message;
    this.bytes = NO_BYTES;
  }

  get timestamp(): number | undefined {
    return undefined;
  }

  get logStreamName(): string | undefined {
    return undefined;
  }

  get logGroupName(): string | undefined {
    return undefined;
  }

  /** Whether the line's log group is `name` (compared in the bytes). */
  inGroup(name: string | undefined): boolean {
    return name === undefined;
  }

  /** Makes the line a string and lets its chunk go. */
  pin(): void {
    void this.message;
  }
}

/** A JSON line in its bytes (a subclass, so that a raw line's event stays small). */
class JsonByteLineEvent extends ByteLineEvent {
  private decoded: LogEvent | undefined;
  private group: string | undefined;
  /** Whether the group's characters hold an escape: undefined until asked. */
  private escapedGroup: boolean | undefined;

  constructor(
    bytes: Buffer,
    start: number,
    end: number,
    line: number,
    utf8: boolean,
    /** The line is bytes [lineStart, lineEnd). */
    private readonly lineStart: number,
    private readonly lineEnd: number,
    /** The `timestamp` when it is plain digits (read without JSON.parse: the same number), else -1. */
    private readonly ts: number,
    /** The `logGroupName` string's characters [groupAt, groupEnd), or -1 (none, or not a string). */
    private readonly groupAt: number,
    private readonly groupEnd: number,
  ) {
    super(bytes, start, end, line, utf8);
    this.decoded = undefined;
    this.group = undefined;
    this.escapedGroup = undefined;
  }

  override get buffer(): Buffer | undefined {
    return this.decoded === undefined ? this.bytes : undefined;
  }

  /** The event, decoded once. */
  private get event(): LogEvent {
    if (this.decoded === undefined) {
      const line = this.line;
      // A line JSON.parse cannot read even so: its message's characters as written.
      this.decoded = decodeJsonLine(this.slice(this.lineStart, this.lineEnd), line) ?? {
        message: this.slice(this.start, this.end),
        line,
      };
      this.bytes = NO_BYTES;
    }
    return this.decoded;
  }

  override get message(): string {
    return this.event.message;
  }

  override set message(message: string) {
    this.decoded = { ...this.event, message };
  }

  override get timestamp(): number | undefined {
    return this.decoded === undefined && this.ts !== -1 ? this.ts : this.event.timestamp;
  }

  override get logStreamName(): string | undefined {
    return this.event.logStreamName;
  }

  override get logGroupName(): string | undefined {
    if (this.groupAt === -1) return undefined;
    if (this.decoded !== undefined || this.groupEscaped()) return this.event.logGroupName;
    this.group ??= this.slice(this.groupAt, this.groupEnd);
    return this.group;
  }

  private groupEscaped(): boolean {
    if (this.escapedGroup === undefined) {
      const b = this.bytes.indexOf(92, this.groupAt);
      this.escapedGroup = b !== -1 && b < this.groupEnd;
    }
    return this.escapedGroup;
  }

  override inGroup(name: string | undefined): boolean {
    if (this.groupAt === -1) return name === undefined;
    if (this.decoded === undefined && name !== undefined && name.length === this.groupEnd - this.groupAt) {
      const bytes = this.bytes;
      const at = this.groupAt;
      // From the end: log groups of one account share their start (`API-Gateway-Execution-Logs_`, `/aws/lambda/`).
      let i = name.length - 1;
      while (i >= 0 && bytes[at + i] === name.charCodeAt(i)) i--;
      // The same characters: the same name, when the name is plain ASCII without a backslash (bytes equal to it are
      // then no escape and no part of a multi-byte character).
      if (i < 0 && plainName(name)) return true;
    }
    return this.logGroupName === name;
  }

  override pin(): void {
    void this.event;
  }
}

/**
 * A JSON line decoded as readLine decodes it. The scan that made the event checked the line's structure but not every
 * character: a string holding a raw control character (a tab pasted into a message) is no valid JSON, and is read
 * with that character escaped rather than not at all.
 */
function decodeJsonLine(raw: string, line: number): LogEvent | undefined {
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
  return toEvent(value, line);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters JSON strings may not hold raw
const CONTROL = /[\u0000-\u001f]/g;

/**
 * requestIdEnd on bytes: the index of the `)` that closes the id of the line at [start, end), or -1. A byte outside
 * ASCII (the id is cut from bytes as characters) or a backslash (in a JSON line, an escape) is refused too: such a
 * line is read as text instead.
 */
export function requestIdEndIn(bytes: Buffer, start: number, end: number): number {
  if (bytes[start] !== 40 /* ( */) return -1;
  const limit = Math.min(end, start + MAX_REQUEST_ID + 2);
  for (let i = start + 1; i < limit; i++) {
    const c = bytes[i] as number;
    if (c === 41 /* ) */) return i < start + 2 ? -1 : i;
    // No whitespace or parenthesis inside the id.
    if (c <= 32 || c === 40 || c === 92 || c >= 128) return -1;
  }
  return -1;
}

/** textStart on bytes: where the text after the id's `)` at `close` starts. */
export function textStartIn(bytes: Buffer, close: number, end: number): number {
  return close + 1 < end && bytes[close + 1] === 32 ? close + 2 : close + 1;
}

const STATUS_PREFIX = Buffer.from('Method completed with status: ', 'latin1');
/** completedStatusIn's answer when a JSON escape follows the digits: only the decoded text can tell. */
export const STATUS_UNKNOWN = -1;

/**
 * completedStatusAt on bytes: the status of a "Method completed with status: NNN" text at [start, end);
 * STATUS_UNKNOWN when a JSON escape follows the three digits (`\u0041` would make them part of a word).
 */
export function completedStatusIn(bytes: Buffer, start: number, end: number): number | undefined {
  const n = STATUS_PREFIX.length;
  if (bytes[start] !== 77 /* M */ || end - start < n + 3) return undefined;
  for (let i = 1; i < n; i++) if (bytes[start + i] !== STATUS_PREFIX[i]) return undefined;
  const at = start + n;
  const a = (bytes[at] as number) - 48;
  const b = (bytes[at + 1] as number) - 48;
  const c = (bytes[at + 2] as number) - 48;
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9)) return undefined;
  // \b after the three digits: a fourth digit or a word character makes it another line.
  if (at + 3 < end) {
    const next = bytes[at + 3] as number;
    if ((next >= 48 && next <= 57) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next === 95)
      return undefined;
    if (next === 92 /* \ */) return STATUS_UNKNOWN;
  }
  return a * 100 + b * 10 + c;
}

/**
 * A raw execution line at bytes [start, end) as a ByteLineEvent; undefined when it is none. `utf8`: the chunk holds
 * characters outside ASCII.
 */
export function rawLineEvent(
  bytes: Buffer,
  start: number,
  end: number,
  lineNo: number,
  utf8 = false,
): ByteLineEvent | undefined {
  if (requestIdEndIn(bytes, start, end) === -1) return undefined;
  return new ByteLineEvent(bytes, start, end, lineNo, utf8);
}

/** The length in UTF-16 code units (a string's length) of valid UTF-8 bytes [start, end). */
export function utf16Length(bytes: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    // A continuation byte adds nothing; a 4-byte character is a surrogate pair.
    if ((b & 0xc0) !== 0x80) n += b >= 0xf0 ? 2 : 1;
  }
  return n;
}

/**
 * Whether a log group name is plain: ASCII, no backslash (cached: the builder asks of the same name line after
 * line).
 */
let lastName = '';
let lastNamePlain = true;
function plainName(name: string): boolean {
  if (name !== lastName) {
    lastName = name;
    lastNamePlain = /^[\x20-\x5b\x5d-\x7e]*$/.test(name);
  }
  return lastNamePlain;
}

/** Keys the JSON scan tells apart (bits, so that a key given twice is noticed). */
const MESSAGE = 1;
const TIMESTAMP = 2;
const GROUP = 4;
const KEY_MESSAGE = Buffer.from('message', 'latin1');
const KEY_TIMESTAMP = Buffer.from('timestamp', 'latin1');
const KEY_GROUP = Buffer.from('logGroupName', 'latin1');
/** Digits a timestamp may have to be read without JSON.parse: below 2^53, every such number is exact. */
const MAX_TS_DIGITS = 15;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

function equalAt(bytes: Buffer, at: number, word: Buffer): boolean {
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word[i]) return false;
  return true;
}

/** The index of the `"` that closes the JSON string whose characters start at `from` (before `end`), or -1. */
function stringEndIn(bytes: Buffer, from: number, end: number): number {
  let i = from;
  for (;;) {
    const q = bytes.indexOf(34, i);
    if (q === -1 || q >= end) return -1;
    if (bytes[q - 1] !== 92 /* \ */) return q;
    let b = q - 2;
    while (bytes[b] === 92) b--;
    // An even number of backslashes before it: the quote is not escaped.
    if (((q - 1 - b) & 1) === 0) return q;
    i = q + 1;
  }
}

/** Where the JSON number starting at `i` ends, or -1 when none starts there. */
function numberEndIn(bytes: Buffer, i: number): number {
  let j = i;
  if (bytes[j] === 45 /* - */) j++;
  const digits = j;
  while (isDigit(bytes[j])) j++;
  if (j === digits || (bytes[digits] === 48 && j > digits + 1)) return -1;
  if (bytes[j] === 46 /* . */) {
    const f = ++j;
    while (isDigit(bytes[j])) j++;
    if (j === f) return -1;
  }
  const e = bytes[j];
  if (e === 101 || e === 69 /* e E */) {
    j++;
    const s = bytes[j];
    if (s === 43 || s === 45) j++;
    const x = j;
    while (isDigit(bytes[j])) j++;
    if (j === x) return -1;
  }
  return j;
}

function literalEndIn(bytes: Buffer, i: number): number {
  const c = bytes[i];
  // true, null, false
  if (c === 116 && bytes[i + 1] === 114 && bytes[i + 2] === 117 && bytes[i + 3] === 101) return i + 4;
  if (c === 110 && bytes[i + 1] === 117 && bytes[i + 2] === 108 && bytes[i + 3] === 108) return i + 4;
  if (c === 102 && bytes[i + 1] === 97 && bytes[i + 2] === 108 && bytes[i + 3] === 115 && bytes[i + 4] === 101)
    return i + 5;
  return -1;
}

/**
 * A JSON line at bytes [start, end) (ASCII, or UTF-8 with `utf8`) whose message is an execution log line, as a ByteLineEvent; undefined
 * for any other line (it is then read by readLine as before). Only a flat object is taken: string, number,
 * true/false/null values, keys without escapes, each of message/timestamp/logGroupName once, `"message"` a string
 * that starts `(<request id>)` with no escape up to the `)`. Spaces around `:` and after `,` (Python's json.dumps)
 * and a CR at the end are allowed. One loop that jumps from quote to quote with indexOf: it runs on every line of a
 * JSON-lines file.
 */
export function jsonLineEvent(
  bytes: Buffer,
  start: number,
  lineEnd: number,
  lineNo: number,
  utf8 = false,
): ByteLineEvent | undefined {
  let end = lineEnd;
  if (bytes[end - 1] === 13) end--;
  if (bytes[start] !== 123 /* { */) return undefined;
  let i = start + 1;
  let at = -1;
  let messageEnd = -1;
  let ts = -1;
  let groupAt = -1;
  let groupEnd = -1;
  let seen = 0;
  for (;;) {
    while (bytes[i] === 32) i++;
    if (bytes[i] !== 34 /* " */) return undefined;
    // The key: short, read in a loop; one with an escape may decode to any name, left to JSON.parse.
    let keyEnd = i + 1;
    for (;;) {
      const c = bytes[keyEnd];
      if (c === 34) break;
      if (c === 92 || keyEnd >= end) return undefined;
      keyEnd++;
    }
    const keyLength = keyEnd - i - 1;
    let key = 0;
    if (keyLength === 7) key = equalAt(bytes, i + 1, KEY_MESSAGE) ? MESSAGE : 0;
    else if (keyLength === 9) key = equalAt(bytes, i + 1, KEY_TIMESTAMP) ? TIMESTAMP : 0;
    else if (keyLength === 12) key = equalAt(bytes, i + 1, KEY_GROUP) ? GROUP : 0;
    if (key !== 0) {
      // A key given twice: JSON.parse keeps the last, which this scan does not follow.
      if ((seen & key) !== 0) return undefined;
      seen |= key;
    }
    let v = keyEnd + 1;
    while (bytes[v] === 32) v++;
    if (bytes[v] !== 58 /* : */) return undefined;
    v++;
    while (bytes[v] === 32) v++;
    const c = bytes[v];
    let after: number;
    if (c === 34) {
      const close = stringEndIn(bytes, v + 1, end);
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
      // JSON has no leading zero (`0123`): such a line is left to JSON.parse, which refuses it.
      if (c === 48 && isDigit(bytes[v + 1])) return undefined;
      let j = v + 1;
      while (isDigit(bytes[j])) j++;
      const d = bytes[j];
      if (d === 46 /* . */ || d === 101 /* e */ || d === 69 /* E */) {
        j = numberEndIn(bytes, v);
        if (j === -1) return undefined;
      } else if (key === TIMESTAMP && j - v <= MAX_TS_DIGITS) {
        let n = 0;
        for (let k = v; k < j; k++) n = n * 10 + ((bytes[k] as number) - 48);
        ts = n;
      }
      after = j;
    } else {
      after = c === 45 /* - */ ? numberEndIn(bytes, v) : literalEndIn(bytes, v);
      if (after === -1) return undefined;
    }
    // A message that is no string makes no event (readLine reads such a line as raw text).
    if (key === MESSAGE && at === -1) return undefined;
    while (bytes[after] === 32) after++;
    const d = bytes[after];
    if (d === 44 /* , */) {
      i = after + 1;
      continue;
    }
    if (d !== 125 /* } */) return undefined;
    let rest = after + 1;
    while (bytes[rest] === 32 && rest < end) rest++;
    if (rest !== end) return undefined;
    break;
  }
  if (at === -1) return undefined;
  // The message is an execution line, its request id inside the message (and free of escapes: see requestIdEndIn).
  const close = requestIdEndIn(bytes, at, messageEnd);
  if (close === -1) {
    return undefined;
  }
  return new JsonByteLineEvent(bytes, at, messageEnd, lineNo, utf8, start, lineEnd, ts, groupAt, groupEnd);
}
