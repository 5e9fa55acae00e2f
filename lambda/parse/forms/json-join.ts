/**
 * One JSON object printed over several lines, joined back into the line it was: a JSON access log line (or a
 * filter-log-events event) that a user holds
 * - pretty-printed: `jq .`, `python -m json.tool`, the CloudWatch console's expanded event, one object or a stream of
 *   them (`jq '.events[].message | fromjson'`); the object opens with a line that is only `{`, each field is on an
 *   indented line of its own, and it closes with a line that starts with `}`;
 * - wrapped at a fixed width: `fold -w 80`, a terminal or a page that cut the line; every line but the last is as
 *   long as the first, the last no longer.
 *
 * Lines that turn out not to be such an object (a JSON line cut short, a `{` that opens something else) are given
 * back one by one, in order, and read as before; none of them starts a join again, so reading stays linear.
 */

import { parseJsonAccessLine } from '../access-log.js';

/** Shortest first line that is taken as cut at a width (a terminal is at least this wide). */
const MIN_WRAP_WIDTH = 40;
/** Bounds on one joined object: an access log line or a CloudWatch event is far smaller (256 KB at most). */
const MAX_JOINED_LINES = 2_000;
const MAX_JOINED_CHARS = 1024 * 1024;

/** Where a JSON text stands after some of it: inside how many brackets, inside a string, or broken. */
class JsonShape {
  depth = 0;
  private inString = false;

  /** The text so far ends inside a string (a line break there is no JSON's: a page wrapped the line). */
  get openString(): boolean {
    return this.inString;
  }
  private escaped = false;
  /** The outermost object closed; anything but whitespace after it breaks the shape. */
  closed = false;
  broken = false;

  feed(text: string): void {
    for (let i = 0; i < text.length && !this.broken; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92 /* \ */) this.escaped = true;
        else if (c === 34 /* " */) this.inString = false;
        continue;
      }
      if (this.closed) {
        if (c !== 32 && c !== 9) this.broken = true;
        continue;
      }
      if (c === 34) this.inString = true;
      else if (c === 123 /* { */ || c === 91 /* [ */) this.depth++;
      else if (c === 125 /* } */ || c === 93 /* ] */) {
        this.depth--;
        if (this.depth < 0) this.broken = true;
        else if (this.depth === 0) this.closed = true;
      }
    }
  }
}

type Mode = 'pretty' | 'wrapped';

/**
 * Where a `{` line may open an object: anywhere (`yes`), not at all (`no`: inside a message printed over several
 * lines), or only as a CloudWatch event of its own (`event`: right after an execution line whose message a value on
 * the next lines may continue, such as `Endpoint response body before transformations:`; a body there is part of it).
 */
export type MayOpen = 'yes' | 'event' | 'no';

interface Held {
  readonly mode: Mode;
  /** Only a CloudWatch event (a `message` with its `timestamp`, stream or id) is joined. */
  readonly eventOnly: boolean;
  readonly firstLine: number;
  /** The first line's length: the width a wrapped object was cut at. */
  readonly width: number;
  readonly lines: string[];
  readonly parts: string[];
  chars: number;
  readonly shape: JsonShape;
}

export interface JsonJoinSink {
  /** A line read as it is (not part of a joined object). */
  line(text: string, lineNo: number): void;
  /** The text of an object joined from lines `firstLine`..`lastLine` (it parses as a JSON object). */
  joined(text: string, firstLine: number, lastLine: number): void;
}

export class JsonObjectJoiner {
  private held: Held | undefined;
  /** Lines up to this one were given back from a join that failed: none of them opens another. */
  private noJoinThrough = 0;

  constructor(private readonly sink: JsonJoinSink) {}

  /** Lines are held (a later line may still be given back or joined to them). */
  get holding(): boolean {
    return this.held !== undefined;
  }

  /**
   * Takes one line (without its newline). `mayOpen` is false where a `{` line may not open an object of its own (inside
   * a message printed over several lines).
   */
  push(raw: string, lineNo: number, mayOpen: MayOpen = 'yes'): void {
    const text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    const held = this.held;
    if (held === undefined) {
      if (mayOpen === 'no' || lineNo <= this.noJoinThrough || !this.open(text, raw, lineNo, mayOpen === 'event')) {
        this.sink.line(raw, lineNo);
      }
      return;
    }
    if (held.mode === 'pretty') this.continuePretty(held, text, raw, lineNo);
    else this.continueWrapped(held, text, raw, lineNo);
  }

  /** The input ended: held lines are given back (an object never closed). */
  end(): void {
    const held = this.held;
    if (held !== undefined) this.release(held);
  }

  private open(text: string, raw: string, lineNo: number, eventOnly: boolean): boolean {
    const c = text.charCodeAt(0);
    let mode: Mode;
    if (c === 123 && text.length >= MIN_WRAP_WIDTH) mode = 'wrapped';
    else if ((c === 123 || c === 32 || c === 9) && text.trim() === '{') mode = 'pretty';
    else return false;
    const shape = new JsonShape();
    shape.feed(text);
    if (shape.broken || shape.closed || shape.depth === 0) return false;
    this.held = {
      mode,
      eventOnly,
      firstLine: lineNo,
      width: text.length,
      lines: [raw],
      parts: [mode === 'pretty' ? text.trim() : text],
      chars: text.length,
      shape,
    };
    return true;
  }

  private continuePretty(held: Held, text: string, raw: string, lineNo: number): void {
    const c = text.charCodeAt(0);
    const trimmed = text.trim();
    // A field line is indented; only the closing bracket may start at the margin.
    const fits = c === 32 || c === 9 || trimmed.startsWith('}') || trimmed.startsWith(']');
    if (!fits || trimmed === '') {
      this.release(held);
      this.push(raw, lineNo);
      return;
    }
    this.add(held, trimmed, raw, lineNo);
  }

  private continueWrapped(held: Held, text: string, raw: string, lineNo: number): void {
    if (text.length > held.width || text.length === 0) {
      this.release(held);
      this.push(raw, lineNo);
      return;
    }
    this.add(held, text, raw, lineNo);
    // A line shorter than the width is the last of a wrapped object: it closes it or the join fails.
    if (this.held === held && text.length < held.width) this.release(held);
  }

  private add(held: Held, part: string, raw: string, lineNo: number): void {
    held.lines.push(raw);
    // A pretty-printed line broken inside a string was wrapped by a page at a space its trim took off: put one back.
    if (held.mode === 'pretty' && held.shape.openString) part = ` ${part}`;
    held.parts.push(part);
    held.chars += part.length;
    held.shape.feed(part);
    if (held.shape.broken || held.lines.length > MAX_JOINED_LINES || held.chars > MAX_JOINED_CHARS) {
      this.release(held);
      return;
    }
    if (!held.shape.closed) return;
    const text = held.parts.join('');
    if (isJoinable(text, held.eventOnly)) {
      this.held = undefined;
      this.sink.joined(text, held.firstLine, lineNo);
    } else this.release(held);
  }

  /** Gives the held lines back one by one; none of them opens an object again. */
  private release(held: Held): void {
    this.held = undefined;
    const last = held.firstLine + held.lines.length - 1;
    this.noJoinThrough = Math.max(this.noJoinThrough, last);
    held.lines.forEach((line, i) => {
      this.push(line, held.firstLine + i);
    });
  }
}

/** The text is a JSON object (with `eventOnly`, a CloudWatch event or an access log line). */
function isJoinable(text: string, eventOnly: boolean): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (!eventOnly) return true;
  const event = value as Record<string, unknown>;
  if (
    typeof event.message === 'string' &&
    (event.timestamp !== undefined ||
      event.logStreamName !== undefined ||
      event.eventId !== undefined ||
      event.ingestionTime !== undefined)
  ) {
    return true;
  }
  // An access log line of its own (a status and a request id): no body a backend returns.
  return parseJsonAccessLine(value)?.requestId !== undefined;
}
