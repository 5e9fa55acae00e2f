import { isAscii, isUtf8 } from 'node:buffer';
import type { LogEvent } from '../log-event.js';
import { type DocumentProblem, eventOf, hasInsightsMessage } from './documents.js';

/**
 * Reads the JSON document `aws logs filter-log-events` (or `get-log-events`) prints, `{"events": [{...}, ...],
 * "searchedLogStreams": [...], "nextToken": "..."}` (the AWS CLI's 4-space indent, or compact), as its bytes
 * arrive: memory is bounded by a chunk and the events of one batch, not by the document.
 *
 * A byte scanner finds where each item of `events` ends (it jumps from quote to quote inside strings, with the
 * native Buffer.indexOf for long ones), and the complete items of a chunk are parsed at once by JSON.parse as one
 * array: each gives the event eventOf gives on the whole-document path, on the line of its `"message"` token.
 *
 * Until its first event the reader holds the bytes it was given: anything that is not this shape before then (another
 * JSON form, a top-level array, a key that filter-log-events does not print, a document cut short before an event,
 * an `events` list without one) is handed back whole (`status` 'whole') and read by the whole-document path as
 * before. Once events have been given out, a document that breaks is reported on its line, what was read before it
 * stays read, and the rest is read as the whole path salvages a broken document: its `"message"` lines.
 */
export type DocumentStreamStatus =
  /** Nothing given out yet: the bytes are held in case the input is no document of this shape. */
  | 'pending'
  /** Events are being given out as the bytes arrive. */
  | 'streaming'
  /** Not this shape: read `held()` (and the rest of the input) whole. */
  | 'whole';

/** The form an event counts as: `@message` items are Logs Insights rows. */
export type StreamedForm = 'filter-log-events-json' | 'insights-json';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

// Parser states.
const START = 0;
const KEY = 1; // a key (or `}` right after `{`)
const COLON = 2;
const VALUE = 3; // a value to skip
const EVENTS = 4; // the `[` of events
const ITEM = 5; // an item (or `]` right after `[`)
const AFTER_ITEM = 6;
const AFTER_VALUE = 7;
const DOC_END = 8; // after the top-level `}` (another document may follow)
const SALVAGE = 9; // the rest read line by line for its `"message"` fields
const DONE = 10; // the rest is not read

/** The longest line of a broken document read for its `"message"` field (CloudWatch's events are at most 256 KB). */
const MAX_SALVAGED_LINE = 8 * 1024 * 1024;

/** The keys `aws logs filter-log-events` and `get-log-events` print besides `events`. */
const KNOWN_KEYS = new Set(['searchedLogStreams', 'nextToken', 'nextForwardToken', 'nextBackwardToken']);

const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** A field line of a pretty-printed document, as the whole path salvages a broken one (input.ts). */
const FIELD_LINE = /^\s*"(message|logStreamName|timestamp|logGroupName)"\s*:\s*(".*"|\d+)\s*,?\s*$/;

/** Where a JSON string whose content starts at `from` ends (its closing quote), or -1 if not within `n` bytes. */
function stringEnd(buf: Buffer, from: number, n: number): number {
  // Short strings (keys, numbers' neighbours) are cheaper to walk than to search; long ones (messages) are searched.
  let p = from;
  const lim = Math.min(from + 24, n);
  while (p < lim) {
    const c = buf[p] as number;
    if (c === QUOTE) return p;
    p += c === BACKSLASH ? 2 : 1;
  }
  while (p < n) {
    const q = buf.indexOf(QUOTE, p);
    if (q === -1 || q >= n) return -1;
    // Escaped when an odd number of backslashes stands before it.
    let k = q - 1;
    while (buf[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q;
    p = q + 1;
  }
  return -1;
}

/** 1 for the bytes the scanner passes over outside strings: all but `"`, `\n`, `{`, `}`, `[`, `]`. */
const PLAIN = new Uint8Array(256).fill(1);
for (const c of [QUOTE, NEWLINE, 0x7b, 0x7d, 0x5b, 0x5d]) PLAIN[c] = 0;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** A `"message"` or `"@message"` token (quotes included) of `length` bytes at `at`. */
function isMessageToken(buf: Buffer, at: number, length: number): boolean {
  let p = at + 1;
  if (length === 10) {
    if (buf[p] !== 0x40 /* @ */) return false;
    p++;
  } else if (length !== 9) return false;
  return (
    buf[p] === 0x6d &&
    buf[p + 1] === 0x65 &&
    buf[p + 2] === 0x73 &&
    buf[p + 3] === 0x73 &&
    buf[p + 4] === 0x61 &&
    buf[p + 5] === 0x67 &&
    buf[p + 6] === 0x65
  );
}

/** Counts `\n` bytes in [from, to). */
function newlines(buf: Buffer, from: number, to: number): number {
  let count = 0;
  let at = buf.indexOf(NEWLINE, from);
  while (at !== -1 && at < to) {
    count++;
    at = buf.indexOf(NEWLINE, at + 1);
  }
  return count;
}

/**
 * Where the last whole UTF-8 character of bytes [0, length) ends: before a multi-byte character cut short at the end.
 */
export function completeUtf8End(bytes: Buffer, length: number): number {
  for (let i = length - 1; i >= 0 && i >= length - 4; i--) {
    const b = bytes[i] as number;
    if (b < 0x80) return length;
    if (b >= 0xc0) {
      const size = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return i + size <= length ? length : i;
    }
  }
  return length;
}

/** An item of `events` found whole in the buffer. */
interface Item {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** The line the item starts on. */
  readonly line: number;
  /** The line of its first `"message"` (or `"@message"`) token, 0 if none. */
  readonly messageLine: number;
  /** The line it ends on. */
  readonly endLine: number;
}

export interface DocumentStreamSink {
  /** An event read (in input order), with the form it counts as. */
  readonly event: (event: LogEvent, form: StreamedForm) => void;
  readonly problem: (problem: DocumentProblem) => void;
}

/**
 * The streaming reader of a filter-log-events document: push() its chunks, then end(); after each, read `status`
 * (once 'whole', push no more: read held() and the rest of the input whole).
 */
export class FilterLogEventsStream {
  private statusNow: DocumentStreamStatus = 'pending';
  /** The chunks given so far, while pending. */
  private heldChunks: Buffer[] = [];
  /** The bytes not yet read (and the value being scanned): the offsets below are in it. */
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** The line at `pos`. */
  private line = 1;
  private state = START;
  private atStart = true;
  /** A `}` may close the object here (right after its `{`). */
  private emptyObject = false;
  /** A `]` may close events here (right after its `[`). */
  private emptyList = false;
  private key = '';
  // The value being scanned (an item, or a value skipped): where it starts, and how far and how deep it is scanned.
  private valueStart = -1;
  private valueLine = 0;
  private scanPos = 0;
  private scanDepth = 0;
  private scanLine = 0;
  private scanMessageLine = 0;
  private itemIndex = 0;
  private items: Item[] = [];
  /** Bytes before this offset have been checked as UTF-8; checkedLine is the line there. */
  private checked = 0;
  private checkedLine = 1;
  private pendingProblems: DocumentProblem[] = [];
  private eventCount = 0;
  private skippedCount = 0;
  private documentHasEvents = false;
  private documentLine = 1;
  private salvaged: Record<string, unknown> = {};
  private salvagedLine = 0;

  constructor(private readonly sink: DocumentStreamSink) {}

  get status(): DocumentStreamStatus {
    return this.statusNow;
  }

  /** The events given out so far. */
  get events(): number {
    return this.eventCount;
  }

  /** Items of `events` that were no event. */
  get skipped(): number {
    return this.skippedCount;
  }

  /** The bytes of the input given so far, once it is to be read whole. */
  held(): Buffer[] {
    return this.heldChunks;
  }

  /** How many bytes the reader holds now: the tail not yet read, and the chunks held in case it is read whole. */
  get retained(): number {
    return this.buf.length + this.heldChunks.reduce((n, c) => n + c.length, 0);
  }

  push(chunk: Buffer): void {
    if (this.statusNow === 'whole') throw new Error('the input is read whole: read held() and the rest there');
    if (chunk.length === 0) return;
    if (this.statusNow === 'pending') this.heldChunks.push(chunk);
    if (this.buf.length === 0) {
      this.buf = chunk;
      this.pos = 0;
      this.checked = 0;
    } else this.buf = Buffer.concat([this.buf, chunk]);
    this.read(false);
  }

  end(): void {
    if (this.statusNow === 'whole') return;
    this.read(true);
    if (this.statusNow === 'pending') {
      this.toWhole();
      return;
    }
    const buf = this.buf;
    if (this.state === SALVAGE) {
      this.salvageLine(this.pos, buf.length, this.line);
      this.flushSalvaged();
    } else if (this.state === ITEM && this.valueStart !== -1) {
      const before = this.eventCount;
      const read = this.salvageText(this.valueStart, buf.length, this.valueLine);
      this.problem(
        this.valueLine,
        `the document is cut short inside events[${this.itemIndex}]: the ${before} events before it were read${read ? ', and this one from its "message" line' : ''}; save the whole output of the command to read the rest`,
      );
    } else if (this.state !== DOC_END && this.state !== DONE) {
      this.problem(
        this.line,
        `the document is cut short (its closing "]" or "}" is missing): its ${this.eventCount} events were read; save the whole output of the command to read the rest`,
      );
    }
    this.check(buf.length, undefined, true);
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.checked = 0;
    this.valueStart = -1;
  }

  // ----- the parser -----------------------------------------------------------------------------------------------

  private read(final: boolean): void {
    const buf = this.buf;
    const n = buf.length;
    let p = this.pos;
    let line = this.line;
    if (this.atStart) {
      if (n < 3 && !final && buf[0] === 0xef) return;
      // A byte order mark is no part of the text.
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        p = 3;
        this.checked = 3;
      }
      this.atStart = false;
    }
    while (this.state !== SALVAGE && this.state !== DONE) {
      // Whitespace between tokens.
      let c = buf[p] as number;
      while (p < n && isWhitespace(c)) {
        if (c === NEWLINE) line++;
        c = buf[++p] as number;
      }
      if (p >= n) break;
      const state = this.state;
      if (state === START) {
        if (c !== 0x7b /* { */) {
          this.toWhole();
          return;
        }
        this.startDocument(line);
        p++;
      } else if (state === KEY) {
        if (c === 0x7d /* } */ && this.emptyObject) {
          p++;
          if (this.endDocument(line)) return;
          continue;
        }
        if (c !== QUOTE) {
          if (this.structural(p, line, 'a key')) return;
          p = this.pos;
          line = this.line;
          continue;
        }
        const end = stringEnd(buf, p + 1, n);
        if (end === -1) break;
        this.key = buf.toString('utf8', p + 1, end);
        // A key written with escapes (`"ev\u0065nts"`) is the key JSON.parse reads.
        if (this.key.includes('\\')) this.key = keyOf(buf.toString('utf8', p, end + 1));
        this.emptyObject = false;
        p = end + 1;
        this.state = COLON;
      } else if (state === COLON) {
        if (c !== 0x3a /* : */) {
          if (this.structural(p, line, '":" after a key')) return;
          p = this.pos;
          line = this.line;
          continue;
        }
        p++;
        if (this.key === 'events') this.state = EVENTS;
        // Before the first event, a key filter-log-events does not print is another form: read whole.
        else if (this.statusNow === 'pending' && !KNOWN_KEYS.has(this.key)) {
          this.toWhole();
          return;
        } else this.state = VALUE;
      } else if (state === EVENTS) {
        if (c !== 0x5b /* [ */) {
          if (this.statusNow === 'pending') {
            this.toWhole();
            return;
          }
          this.state = VALUE;
          continue;
        }
        this.documentHasEvents = true;
        this.itemIndex = 0;
        this.emptyList = true;
        this.state = ITEM;
        p++;
      } else if (state === ITEM || state === VALUE) {
        if (this.valueStart === -1) {
          if (state === ITEM && c === 0x5d /* ] */ && this.emptyList) {
            this.state = AFTER_VALUE;
            p++;
            continue;
          }
          this.valueStart = p;
          this.valueLine = line;
          this.scanPos = p;
          this.scanDepth = 0;
          this.scanLine = line;
          this.scanMessageLine = 0;
        }
        const end = this.scanValue(buf, n, final);
        if (end === -1) break;
        if (end === -2) {
          const at = this.valueStart;
          this.valueStart = -1;
          if (this.structural(at, line, 'a JSON value')) return;
          p = this.pos;
          line = this.line;
          continue;
        }
        line = this.scanLine;
        if (state === ITEM) {
          this.items.push({
            index: this.itemIndex++,
            start: this.valueStart,
            end,
            line: this.valueLine,
            messageLine: this.scanMessageLine,
            endLine: line,
          });
          this.state = AFTER_ITEM;
        } else this.state = AFTER_VALUE;
        this.valueStart = -1;
        p = end;
      } else if (state === AFTER_ITEM) {
        if (c === 0x2c /* , */) {
          this.emptyList = false;
          this.state = ITEM;
          p++;
        } else if (c === 0x5d /* ] */) {
          this.state = AFTER_VALUE;
          p++;
        } else {
          if (this.structural(p, line, `"," or "]" after events[${this.itemIndex - 1}]`)) return;
          p = this.pos;
          line = this.line;
        }
      } else if (state === AFTER_VALUE) {
        if (c === 0x2c /* , */) {
          this.state = KEY;
          p++;
        } else if (c === 0x7d /* } */) {
          p++;
          this.pos = p;
          this.line = line;
          if (this.endDocument(line)) return;
          line = this.line;
        } else {
          if (this.structural(p, line, '"," or "}" after a value')) return;
          p = this.pos;
          line = this.line;
        }
      } else if (state === DOC_END) {
        if (c === 0x7b /* { */) {
          // Another document right after (two runs appended to one file): read as one too.
          this.startDocument(line);
          p++;
        } else {
          this.problem(
            line,
            'text after the end of the JSON document is no JSON document: not read (give the document alone, or documents one after another)',
          );
          this.state = DONE;
        }
      }
    }
    this.pos = p;
    this.line = line;
    this.flushItems();
    if (this.statusNow === 'whole') return;
    if (this.state === SALVAGE || this.state === DONE) this.readRest(final);
    this.compact();
  }

  private startDocument(line: number): void {
    this.documentLine = line;
    this.documentHasEvents = false;
    this.emptyObject = true;
    this.state = KEY;
  }

  /** The top-level `}` read (pos and line are after it); whether reading stops (the input is read whole). */
  private endDocument(line: number): boolean {
    this.state = DOC_END;
    this.flushItems();
    if (this.statusNow === 'pending') {
      // A document without an event (an empty list, a list of no events, no list): the whole path says what it is.
      this.toWhole();
      return true;
    }
    if (!this.documentHasEvents) {
      this.problem(
        this.documentLine,
        `the JSON document on lines ${this.documentLine}-${line} holds no "events" list: not read`,
      );
    }
    return this.statusNow !== 'streaming';
  }

  /**
   * Scans the value at valueStart from where the last call stopped: its end (exclusive), -1 if the bytes end first,
   * -2 if it is no JSON value.
   */
  private scanValue(buf: Buffer, n: number, final: boolean): number {
    const first = buf[this.valueStart] as number;
    if (first === QUOTE) {
      const end = stringEnd(buf, this.valueStart + 1, n);
      return end === -1 ? -1 : end + 1;
    }
    let p = this.scanPos;
    if (first !== 0x7b && first !== 0x5b) {
      // A number, true, false or null: up to the next delimiter (JSON.parse says whether it is one).
      while (p < n) {
        const c = buf[p] as number;
        if (c === 0x2c || c === 0x5d || c === 0x7d || isWhitespace(c)) break;
        if (c === QUOTE || c === 0x7b || c === 0x5b) return -2;
        p++;
      }
      this.scanPos = p;
      if (p === this.valueStart && p < n) return -2;
      return p < n || final ? p : -1;
    }
    let depth = this.scanDepth;
    let line = this.scanLine;
    while (p < n) {
      // Bytes that mean nothing here (indentation, numbers, `:` and `,`) are passed in a tight loop.
      while (p < n && PLAIN[buf[p] as number] === 1) p++;
      if (p >= n) break;
      const c = buf[p] as number;
      if (c === QUOTE) {
        const end = stringEnd(buf, p + 1, n);
        if (end === -1) break;
        if (depth === 1 && this.scanMessageLine === 0 && isMessageToken(buf, p, end + 1 - p)) {
          this.scanMessageLine = line;
        }
        p = end + 1;
        continue;
      }
      if (c === NEWLINE) line++;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--depth === 0) {
          this.scanLine = line;
          return p + 1;
        }
      }
      p++;
    }
    this.scanPos = p;
    this.scanDepth = depth;
    this.scanLine = line;
    return -1;
  }

  /**
   * The document stops being of this shape at `at`: read whole if nothing was given out (true: stop); else reported
   * on its line, and its `"message"` lines after it are read as the whole path salvages a broken document.
   */
  private structural(at: number, line: number, expected: string): boolean {
    this.pos = at;
    this.line = line;
    // The items before it are read first.
    this.flushItems();
    if (this.statusNow !== 'streaming') {
      this.toWhole();
      return true;
    }
    const found = this.buf.toString('utf8', at, Math.min(this.buf.length, at + 24)).split(/\r?\n/, 1)[0] ?? '';
    this.problem(
      this.line,
      `the JSON document breaks here (${expected} expected, found ${JSON.stringify(found)}): the ${this.eventCount} events before it were read; after it, only its "message" lines are read, one by one`,
    );
    this.state = SALVAGE;
    return false;
  }

  /** The rest, after the document broke or ended in text that is no JSON: salvaged line by line, or only checked. */
  private readRest(final: boolean): void {
    const buf = this.buf;
    let p = this.pos;
    let line = this.line;
    if (this.state === SALVAGE) {
      for (;;) {
        const nl = buf.indexOf(NEWLINE, p);
        if (nl === -1) break;
        this.salvageLine(p, nl, line);
        p = nl + 1;
        line++;
      }
      if (buf.length - p > MAX_SALVAGED_LINE) {
        // No pretty-printed document has such a line (a compact one broken in the middle): not held in memory.
        this.problem(
          line,
          `line ${line} is longer than ${MAX_SALVAGED_LINE} bytes: the rest of the document is not read`,
        );
        this.state = DONE;
        this.readRest(final);
        return;
      }
    } else {
      // Not read: its lines are counted for the UTF-8 check only.
      const end = final ? buf.length : completeUtf8End(buf, buf.length);
      line += newlines(buf, p, end);
      p = end;
    }
    this.pos = p;
    this.line = line;
  }

  // ----- events ---------------------------------------------------------------------------------------------------

  /** Parses the items found whole: as one JSON array when it parses, else item by item. */
  private flushItems(): void {
    const items = this.items;
    if (items.length === 0) return;
    this.items = [];
    const buf = this.buf;
    const first = items[0] as Item;
    const last = items[items.length - 1] as Item;
    // ASCII (most logs) is copied as it is, cheaper than decoding it as UTF-8.
    const range = buf.subarray(first.start, last.end);
    const encoding = isAscii(range) ? 'latin1' : isUtf8(range) ? 'utf8' : undefined;
    const text = (from: number, to: number): string =>
      encoding !== undefined ? buf.toString(encoding, from, to) : lenient.decode(buf.subarray(from, to));
    let values: unknown[] | undefined;
    try {
      values = JSON.parse(`[${text(first.start, last.end)}]`) as unknown[];
    } catch {
      values = undefined;
    }
    if (values !== undefined && values.length === items.length) {
      // Invalid UTF-8 is reported on its line before the events that hold it are given out.
      this.check(last.end, last.endLine);
      for (let i = 0; i < items.length; i++) {
        this.item(values[i], items[i] as Item);
        if (this.statusNow === 'whole') return;
      }
      return;
    }
    // Some item is no JSON (a raw newline in a string, which the scanner does not count; a missing comma): each is
    // parsed alone, on lines counted again.
    let line = first.line;
    let at = first.start;
    const read: Array<{ value: unknown; item: Item }> = [];
    for (const item of items) {
      line += newlines(buf, at, item.start);
      at = item.start;
      read.push({ value: undefined, item: { ...item, line, messageLine: 0 } });
    }
    const endLine = line + newlines(buf, at, last.end);
    const shift = line + newlines(buf, at, this.pos) - this.line;
    this.line += shift;
    this.valueLine += shift;
    this.scanLine += shift;
    this.check(last.end, endLine);
    for (const { item } of read) {
      let value: unknown;
      try {
        value = JSON.parse(text(item.start, item.end));
      } catch (error) {
        if (this.statusNow === 'pending') {
          this.toWhole();
          return;
        }
        const read = this.salvageText(item.start, item.end, item.line);
        this.problem(
          item.line,
          `events[${item.index}] is not valid JSON (${errorText(error)}); ${read ? 'read from its "message" line' : 'skipped: it has no whole "message" line'}`,
        );
        continue;
      }
      this.item(value, { ...item, messageLine: item.line + messageOffset(buf, item.start, item.end) });
      if (this.statusNow === 'whole') return;
    }
  }

  private item(value: unknown, item: Item): void {
    const event = eventOf(value, item.messageLine > 0 ? item.messageLine : item.line);
    if (event === undefined) {
      this.skippedCount++;
      // Said as the whole path says it, on the document's line.
      this.problem(1, `events[${item.index}] has no string "message" field; skipped`);
      return;
    }
    const insights = hasInsightsMessage(value);
    if (this.statusNow === 'pending') {
      // A list of Logs Insights rows is read whole (its lines are those of its `@message` tokens).
      if (insights) {
        this.toWhole();
        return;
      }
      this.statusNow = 'streaming';
      this.heldChunks = [];
      const problems = this.pendingProblems;
      this.pendingProblems = [];
      for (const p of problems) this.sink.problem(p);
    }
    this.eventCount++;
    const form = insights && typeof (value as { message?: unknown }).message !== 'string';
    this.sink.event(event, form ? 'insights-json' : 'filter-log-events-json');
  }

  // ----- salvage --------------------------------------------------------------------------------------------------

  /**
   * Reads the `"message"` lines of bytes [from, to) that could not be parsed, as the whole path salvages them; whether
   * an event was read.
   */
  private salvageText(from: number, to: number, line: number): boolean {
    const before = this.eventCount;
    let p = from;
    let l = line;
    for (;;) {
      const nl = this.buf.indexOf(NEWLINE, p);
      const end = nl === -1 || nl >= to ? to : nl;
      this.salvageLine(p, end, l);
      if (end >= to) break;
      p = end + 1;
      l++;
    }
    this.flushSalvaged();
    return this.eventCount > before;
  }

  private salvageLine(from: number, to: number, line: number): void {
    if (this.checked < to) this.check(to, line);
    const raw = this.buf.toString('utf8', from, to);
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const m = FIELD_LINE.exec(text);
    if (m?.[1] !== undefined && m[2] !== undefined) {
      try {
        this.salvaged[m[1]] = JSON.parse(m[2]);
        if (m[1] === 'message') this.salvagedLine = line;
      } catch (error) {
        this.problem(line, `malformed JSON value (${errorText(error)}); skipped`);
      }
      return;
    }
    if (/^\s*}/.test(text)) this.flushSalvaged();
  }

  private flushSalvaged(): void {
    const fields = this.salvaged;
    this.salvaged = {};
    if (typeof fields.message !== 'string') return;
    const event = eventOf(fields, this.salvagedLine);
    if (event === undefined) return;
    this.eventCount++;
    this.sink.event(event, 'filter-log-events-json');
  }

  // ----- bytes ----------------------------------------------------------------------------------------------------

  /**
   * Checks the bytes from the last check up to `to` (on line `lineAtTo`, counted when not given) as UTF-8, and
   * reports each line that holds invalid bytes, as decodeInput does. A character cut at `to` waits, unless final.
   */
  private check(to: number, lineAtTo: number | undefined, final = false): void {
    const from = this.checked;
    if (to <= from) return;
    const end = final ? to : completeUtf8End(this.buf, to);
    const bytes = this.buf.subarray(from, end);
    const startLine = this.checkedLine;
    this.checked = end;
    if (isUtf8(bytes)) {
      this.checkedLine = end === to && lineAtTo !== undefined ? lineAtTo : startLine + newlines(this.buf, from, end);
      return;
    }
    const text = lenient.decode(bytes);
    let line = startLine;
    let reported = -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      else if (c === 0xfffd && reported !== line) {
        this.problem(line, 'invalid UTF-8 bytes replaced with U+FFFD');
        reported = line;
      }
    }
    this.checkedLine = line;
  }

  /** Lets go of the bytes read (those of the value being scanned stay). */
  private compact(): void {
    const keep = this.valueStart !== -1 ? this.valueStart : this.pos;
    this.check(keep, this.valueStart !== -1 ? this.valueLine : this.line);
    const drop = Math.min(keep, this.checked);
    if (drop === 0) return;
    this.buf = this.buf.subarray(drop);
    this.pos -= drop;
    this.checked -= drop;
    if (this.valueStart !== -1) {
      this.valueStart -= drop;
      this.scanPos -= drop;
    }
  }

  private problem(line: number, reason: string): void {
    const problem = { line, reason };
    if (this.statusNow === 'pending') this.pendingProblems.push(problem);
    else this.sink.problem(problem);
  }

  private toWhole(): void {
    this.statusNow = 'whole';
    this.pendingProblems = [];
    this.items = [];
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.checked = 0;
    this.valueStart = -1;
  }
}

/** Lines from `from` to the first `"message"` token in [from, to) (0 if none). */
function messageOffset(buf: Buffer, from: number, to: number): number {
  let at = buf.indexOf('"message"', from, 'latin1');
  while (at !== -1 && at < to && buf[at - 1] === BACKSLASH) at = buf.indexOf('"message"', at + 1, 'latin1');
  return at === -1 || at >= to ? 0 : newlines(buf, from, at);
}

/** A JSON string token's value; '' when it is no JSON string. */
function keyOf(token: string): string {
  try {
    return JSON.parse(token) as string;
  } catch {
    return '';
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
