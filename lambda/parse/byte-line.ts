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
 * A raw execution log line (`(<request id>) text`) still in the bytes it was read in: ASCII, so a byte is a
 * character. The trace builder reads the request id and the "Method completed" status straight from the bytes, so a
 * request that ends well is dropped without a string ever having been made of its lines; a line that is kept is
 * decoded on first use. The bytes are the reader's chunk: the builder turns a line it holds for long into a string
 * (pin), so that a request that stays open does not keep its chunk in memory.
 */
export class ByteLineEvent implements LogEvent {
  private text: string | undefined;

  constructor(
    private bytes: Buffer,
    /** The line is bytes [start, end) (without its newline). */
    readonly start: number,
    readonly end: number,
    readonly line: number,
  ) {
    this.text = undefined;
  }

  /** The bytes that hold the line, or undefined once it is a string (decoded, pinned, or its message changed). */
  get buffer(): Buffer | undefined {
    return this.text === undefined ? this.bytes : undefined;
  }

  get message(): string {
    if (this.text === undefined) {
      this.text = latin1.call(this.bytes, this.start, this.end);
      this.bytes = NO_BYTES;
    }
    return this.text;
  }

  /** A reader that joins a continued line onto this one changes its message. */
  set message(message: string) {
    this.text = message;
    this.bytes = NO_BYTES;
  }

  /** Makes the line a string and lets its chunk go. */
  pin(): void {
    if (this.text === undefined) this.text = latin1.call(this.bytes, this.start, this.end);
    this.bytes = NO_BYTES;
  }
}

/** requestIdEnd on bytes: the index of the `)` that closes the id of the line at [start, end), or -1. */
export function requestIdEndIn(bytes: Buffer, start: number, end: number): number {
  if (bytes[start] !== 40 /* ( */) return -1;
  const limit = Math.min(end, start + MAX_REQUEST_ID + 2);
  for (let i = start + 1; i < limit; i++) {
    const c = bytes[i] as number;
    if (c === 41 /* ) */) return i < start + 2 ? -1 : i;
    // No whitespace or parenthesis inside the id.
    if (c <= 32 || c === 40) return -1;
  }
  return -1;
}

/** textStart on bytes: where the text after the id's `)` at `close` starts. */
export function textStartIn(bytes: Buffer, close: number, end: number): number {
  return close + 1 < end && bytes[close + 1] === 32 ? close + 2 : close + 1;
}

const STATUS_PREFIX = Buffer.from('Method completed with status: ', 'latin1');

/** completedStatusAt on bytes: the status of a "Method completed with status: NNN" text at [start, end). */
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
  }
  return a * 100 + b * 10 + c;
}
