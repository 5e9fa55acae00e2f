import { isAscii, isUtf8 } from 'node:buffer';
import { latin1, utf8 } from './byte-line.js';
import type { InputProblem } from './input.js';

/**
 * Cuts a byte stream into lines as its chunks arrive, and decodes each line as UTF-8 (a line is given without its
 * `\n`; a `\r` before it is kept, for the reader to drop). Built for speed on large files: a chunk's complete lines
 * are checked as a whole (ASCII, else valid UTF-8, one pass each) and then cut out one by one straight from the
 * bytes; only a chunk that holds invalid UTF-8 is decoded line by line with the strict decoder, so the problem is
 * reported on the line that holds it. A line is a fresh string (never a slice of a chunk-sized string), so a line
 * kept for evidence holds no chunk in memory. The `\n` byte never occurs inside a multi-byte UTF-8 character, so
 * a character cut by a chunk boundary is always whole once its line is.
 */
export class LineSplitter {
  /** The bytes of the line not yet ended, in the chunks they came in. */
  private carry: Buffer[] = [];
  private lineNo = 0;

  /**
   * @param bytesLine when given, sees each line of a valid chunk first, as its bytes [start, end) of `bytes` (`utf8`:
   *   the chunk holds characters outside ASCII); a line it takes (true) is not decoded (a reader that keeps lines as
   *   bytes: ByteLineEvent).
   */
  constructor(
    private readonly line: (text: string, lineNo: number) => void,
    private readonly problems: (problem: InputProblem) => void,
    private readonly bytesLine?: (bytes: Buffer, start: number, end: number, lineNo: number, utf8: boolean) => boolean,
  ) {}

  /** Reads a chunk: every line it ends is given out now; the rest waits for the next chunk (or end()). */
  push(chunk: Buffer): void {
    let start = 0;
    if (this.carry.length > 0) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) {
        if (chunk.length > 0) this.carry.push(chunk);
        return;
      }
      this.carry.push(chunk.subarray(0, nl));
      const joined = Buffer.concat(this.carry);
      this.carry = [];
      this.decodeLines(joined, 0, joined.length);
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) {
      this.decodeLines(chunk, start, last);
      start = last + 1;
    }
    if (start < chunk.length) this.carry.push(chunk.subarray(start));
  }

  /** Ends the input: a last line without its newline is given out. */
  end(): void {
    if (this.carry.length === 0) return;
    const joined = Buffer.concat(this.carry);
    this.carry = [];
    this.decodeLines(joined, 0, joined.length);
  }

  /** The lines in bytes [start, end): `\n`-separated; the byte at `end` (a `\n`, or the end) is not read. */
  private decodeLines(bytes: Buffer, start: number, end: number): void {
    const region = bytes.subarray(start, end);
    const ascii = isAscii(region);
    const decode = ascii ? latin1 : isUtf8(region) ? utf8 : undefined;
    const bytesLine = decode !== undefined ? this.bytesLine : undefined;
    const utf8Chunk = !ascii;
    let s = start;
    for (;;) {
      let e = bytes.indexOf(NEWLINE, s);
      if (e === -1 || e > end) e = end;
      this.lineNo++;
      if (bytesLine?.(bytes, s, e, this.lineNo, utf8Chunk) === true) {
        // Taken as bytes.
      } else if (decode !== undefined) this.line(decode.call(bytes, s, e), this.lineNo);
      else this.line(this.strictLine(bytes.subarray(s, e)), this.lineNo);
      if (e >= end) return;
      s = e + 1;
    }
  }

  private strictLine(bytes: Uint8Array): string {
    try {
      return strict.decode(bytes);
    } catch {
      this.problems({ line: this.lineNo, reason: 'invalid UTF-8 bytes replaced with U+FFFD' });
      return lenient.decode(bytes);
    }
  }
}

const NEWLINE = 0x0a;
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
