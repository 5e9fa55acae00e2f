import { jsonLineEvent, rawLineEvent, utf16Length } from '../byte-line.js';
import { requestIdEnd } from '../execution-log.js';
import { parseFunctionLogLine } from '../function-log.js';
import { readLine } from '../input.js';
import type { LogEvent } from '../log-event.js';
import { isBareExecutionText, isKnownLogText } from './known-text.js';
import { isCommandLine, isFence, looksWebEscaped, stripAnsi, unescapeWeb, unwrapPaste } from './paste.js';

/**
 * The line-oriented forms API Gateway's logs reach people in, read one line at a time (so a file of any size is read
 * in bounded memory). Each line is turned into the LogEvent CloudWatch holds for it: the message exactly as the
 * service wrote it (`(<request id>) text` for execution logs), with the timestamp and stream the form carries.
 */
export type LineForm =
  /** CloudWatch's own lines: `(<request id>) text`, access log lines, Lambda lines, or JSON lines with a `message`. */
  | 'cloudwatch'
  /** `aws logs tail` (default `--format detailed`): `<ISO time, microseconds, +00:00> <stream> <message>`. */
  | 'logs-tail'
  /** `aws logs tail --format short`: `<ISO time to the second> <message>`. */
  | 'logs-tail-short'
  /** `aws logs tail --format json`: as detailed, but a JSON message pretty-printed on the lines after it. */
  | 'logs-tail-json'
  /** A CloudWatch export to S3 (`000000.gz`): `<ISO time>Z <message>`. */
  | 's3-export'
  /** The API Gateway console's Test output: `Execution log for request <id>`, then `<date> : <text>` lines. */
  | 'console-test'
  /** Execution log texts without their `(<request id>) ` prefix. */
  | 'bare'
  /** The CloudWatch console's log events copied: `<time> | <message>`, or the time on a line of its own. */
  | 'console-copy'
  /** `aws logs filter-log-events --output text` (or get-log-events): `EVENTS<TAB>...<TAB><message><TAB><timestamp>`. */
  | 'cli-text';

export const LINE_FORMS: readonly LineForm[] = [
  'cloudwatch',
  'logs-tail',
  'logs-tail-short',
  'logs-tail-json',
  's3-export',
  'console-test',
  'bare',
  'console-copy',
  'cli-text',
];

/** What each form is called in messages to the user. */
export const FORM_NAMES: Readonly<Record<LineForm, string>> = {
  cloudwatch: 'CloudWatch log lines',
  'logs-tail': '`aws logs tail` output with its timestamp and stream columns',
  'logs-tail-short': '`aws logs tail --format short` output',
  'logs-tail-json': '`aws logs tail --format json` output',
  's3-export': 'a CloudWatch Logs export to S3',
  'console-test': "the API Gateway console's Test output",
  bare: 'execution log lines without their request id',
  'console-copy': "the CloudWatch console's log events copied with their time",
  'cli-text': '`aws logs filter-log-events --output text` (or get-log-events)',
};

// awscli/customizations/logs/tail.py (v2): DetailedLogEventsFormatter prints
// `timestamp.isoformat(timespec='microseconds')` (a UTC datetime: `+00:00`), the stream name and the message;
// PrettyJSONLogEventsFormatter prints `timestamp.isoformat()` (no fraction when it is zero). Both end every event
// with `rstrip() + '\n'`. With colour on (a terminal, or --color on) each column is wrapped in ANSI codes.
const TAIL = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?[+-]\d\d:\d\d) (\S+)(?: (.*))?$/s;
// ShortLogEventsFormatter: `timestamp.strftime("%Y-%m-%dT%H:%M:%S")` and the message.
const TAIL_SHORT = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d) (.*)$/s;
// CreateExportTask writes `<ISO 8601 time, milliseconds, Z> <message>` per event.
const EXPORT = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z) (.*)$/s;
// The console's Test log: Java's Date.toString() (`EEE MMM dd HH:mm:ss zzz yyyy`), ` : `, the text.
// The day is read loosely (AWS's own knowledge-center article prints `WE Aug 03 09:10:00 UTC 2022 : ...`,
// https://repost.aws/knowledge-center/malformed-502-api-gateway). The console prints UTC; a zone other than UTC (a JVM's local zone, `GMT+01:00`) is read too: its offset when it
// states one, else its time is taken as UTC.
const TEST_LINE =
  /^[ \t]*[A-Z][A-Za-z]{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(\d{1,2}) (\d\d:\d\d:\d\d) (UTC|GMT|Z|[A-Z]{2,5}|(?:GMT|UTC)?[+-]\d\d:?\d\d) (\d{4}) ?: (.*)$/s;
const TEST_HEADER = /^[ \t]*Execution log for request (\S+)\s*$/;
/** A Test line's start inside another's text, after a space or a `]` (`... request Thu Aug 04 17:48:21 UTC 2022 : `). */
const RUN_ON_TEST_LINE =
  /[ \]][A-Z][a-z]{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}\d{1,2} \d\d:\d\d:\d\d (?:UTC|GMT|Z|[A-Z]{2,5}|(?:GMT|UTC)?[+-]\d\d:?\d\d) \d{4} ?: /;
// The response the console shows above the log: every line up to the log belongs to it. It starts with the request
// (`Request: /menus`), or with whichever of its labels a paste starts at: `Status: 502`, `Latency: 948 ms`,
// `Response Body`, `Response Headers`, `Logs` (the Japanese console's: `リクエスト: /`, `ステータス: 502`, `レーテンシー:
// 407 ms`, `レスポンス本文`, `レスポンスヘッダー`, `ログ`, as a 2022 paste shows them, GitHub index id 5270803061). The
// 2023 console's labels on lines of their own (`/menus - GET method
// test results`, `Request`, `Latency ms`, `Status`, `Response body`, `Response headers`) are an assumption: not seen
// in a published paste.
const TEST_RESPONSE_START =
  /^(?:Request: \/\S*|Request(?: path)?|Status(?:: \d{3})?|Latency(?: ms|: \d+ ?ms)?|Response [Bb]ody|Response [Hh]eaders|Logs|\S* - [A-Z]+ method test results|リクエスト: \/\S*|ステータス: \d{3}|レーテンシー: \d+ ?ms|レスポンス本文|レスポンスヘッダー|ログ)\s*$/;
// The CloudWatch console's log events table copied: `2023-10-27T14:40:57.744+01:00 | (<id>) text`, or the time
// alone on a line with the message on the next lines (an expanded JSON event pretty-printed). Seen in
// https://github.com/ministryofjustice/modernisation-platform-environments/pull/3807 (2023).
const COPY_TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d))(?: \| (.*))?\s*$/s;
// A time column and a message column copied from a table (the CloudWatch console's log events, a Logs Insights
// result grid, a spreadsheet): separated by a tab, two or more spaces, or a `|`; the time with or without its zone
// (none: UTC), `T` or a space between date and time.
const COPY_COLUMNS =
  /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d(?:\.\d{1,9})?)(Z|[+-]\d\d:?\d\d)?(?:\t+| {2,}|[ \t]*\|[ \t]*)(\S.*)$/s;
// The CloudWatch console's log events copied as published (https://github.com/podaac/hydrocron/issues/107, 2024):
// `2024-02-11T16:50:54.943-05:00 [ERROR] ...`, the time in milliseconds with its offset, one space, the message
// (`aws logs tail` prints microseconds or none, an export `Z`).
const COPY_SPACE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,3}[+-]\d\d:\d\d) (\S.*)$/s;
/** A line number as unwrapPaste takes it off (paste.ts NUMBER), the number captured. */
const NUMBERED = /^[ \t]*(\d{1,6})(?:[.):|][ \t]*|[ \t]+)/;
/** Markdown quote markers before a line (paste.ts QUOTE). */
const QUOTED = /^[ \t]*(?:>[ \t]?)+/;
/** The widths terminals and `fold` wrap at (80 by default), where a line of a short paste may have been cut. */
const TERMINAL_WIDTHS: ReadonlySet<number> = new Set([80, 100, 120, 132, 160, 200]);
/** Where a timestamp column starts a line. */
const TIMESTAMP_START = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/;

const MONTHS: Readonly<Record<string, string>> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
};

/** A line no form could read, kept for the report. */
export interface UnreadLine {
  readonly line: number;
  readonly text: string;
}

/** How much of the input was read as known log lines. */
export interface LineStats {
  /** Non-blank lines seen. */
  lines: number;
  /** Lines read as no known form, or whose message is no log this tool knows. */
  unrecognised: number;
  /** The first few of them. */
  readonly samples: UnreadLine[];
  /** Lines read per form. */
  readonly forms: Partial<Record<string, number>>;
  /** Lines of a known container form whose message is unknown, per form. */
  readonly unknownMessages: Partial<Record<string, number>>;
  /** With a form forced: lines that were not in that form (read as they are instead). */
  unmatched: number;
}

export function emptyStats(): LineStats {
  return { lines: 0, unrecognised: 0, samples: [], forms: {}, unknownMessages: {}, unmatched: 0 };
}

const MAX_SAMPLES = 3;
const MAX_SAMPLE_CHARS = 200;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Pending {
  event: Mutable<LogEvent>;
  form: LineForm;
  /** Lines that continue the message (tail's JSON, a multi-line Lambda message, a Test log body). */
  readonly parts: string[];
  /** Input lines the event spans. */
  lines: number;
}

/**
 * Reads lines of any line form, each line by the form it has (a pasted mix is read too), unless one is forced.
 * Events come out through `emit` in input order; a form whose messages may span lines (tail, the console's Test
 * output) holds its last event until the next line shows whether it continues.
 */
export class LineFormReader {
  private readonly counted: LineStats = emptyStats();
  /** Execution lines read on the fast path (counted apart: a property update per line costs). */
  private cloudwatchLines = 0;

  /** Every line is read as this form (`--input-format`), or undefined: each as the form it has. */
  get form(): LineForm | undefined {
    return this.forced;
  }

  /** How much was read so far. */
  get stats(): LineStats {
    const stats = this.counted;
    if (this.cloudwatchLines > 0) {
      stats.lines += this.cloudwatchLines;
      stats.forms.cloudwatch = (stats.forms.cloudwatch ?? 0) + this.cloudwatchLines;
      this.cloudwatchLines = 0;
    }
    return stats;
  }
  private pending: Pending | undefined;
  /** The request the console's Test output (or a block of bare lines) is about. */
  private blockId: string | undefined;
  private blockEnded = false;
  /** The block of bare lines holds a line already / holds its "Starting execution" line. */
  private blockStarted = false;
  private blockSawStart = false;
  /** Inside the response section the console's Test output shows above its log. */
  private testResponse = false;

  /**
   * @param idPrefix starts the id a block without request ids is given (`<idPrefix>-line-<N>`): the CLI gives each
   *   input after the first its own (`input-2`), so blocks of two files that start on the same line stay apart.
   */
  constructor(
    private emit: (event: LogEvent) => void,
    private readonly forced?: LineForm,
    private readonly idPrefix = 'input',
  ) {}

  /**
   * Reads one line (without its newline; a trailing CR is dropped). `parsed` is the event of a JSON line with a
   * `message` field, when the caller read one.
   */
  push(raw: string, lineNo: number, parsed?: LogEvent): void {
    const line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    const c = line.charCodeAt(0);
    const prevWidth = this.widthBefore();
    this.prevWidth = line.length;
    const forced = this.forced;
    // CloudWatch's own lines first: the common case, kept fast.
    if (this.pending === undefined && !this.testResponse && (forced === undefined || forced === 'cloudwatch')) {
      if (parsed !== undefined) {
        const m = parsed.message;
        // An execution line (the common case) is known without a closer look.
        if (m.charCodeAt(0) === 40 && requestIdEnd(m) !== -1) this.cloudwatchLines++;
        else this.count('cloudwatch', m, lineNo, line);
        this.emit(parsed);
        return;
      }
      if (c === 40 && requestIdEnd(line) !== -1) {
        this.cloudwatchLines++;
        const event = { message: line, line: lineNo };
        this.lastExec = event;
        this.lastExecLine = lineNo;
        this.emit(event);
        return;
      }
      if (forced === 'cloudwatch') {
        if (line.trim() === '') return;
        this.count('cloudwatch', line, lineNo, line);
        this.emit({ message: line, line: lineNo });
        return;
      }
    }
    // Whether the line before this one filled the width the paste was wrapped at (this line goes on with it).
    const wrappedOnto = prevWidth === this.wrapWidth;
    // With no width seen (a paste too short to show one), a line exactly as long as a terminal's usual width may
    // have been cut there: the next line goes on with it if it reads as no log line of its own.
    const maybeWrapped = !wrappedOnto && this.wrapWidth === -1 && TERMINAL_WIDTHS.has(prevWidth);
    if (isFence(line)) {
      // A Markdown code fence opens or closes a pasted block: it ends what came before, and is no log line.
      this.flush();
      this.endBlock();
      return;
    }
    const text = this.unnumber(line, unwrapPaste(stripAnsi(line), this.readable));
    if (isCommandLine(text)) {
      // The command that printed what follows (`$ aws apigateway test-invoke-method ...`): no log line, and the end of
      // what came before; not counted, as a fence is not.
      this.flush();
      this.endBlock();
      return;
    }
    if (text.trim() === '') {
      // A blank line ends a block of bare lines; inside a message that spans lines it is part of the message.
      if (this.pending !== undefined) this.pending.parts.push('');
      else if (!this.testResponse) this.endBlock();
      return;
    }
    const isExec = text.charCodeAt(0) === 40 && requestIdEnd(text) !== -1;
    if (parsed === undefined && text !== line && text.charCodeAt(0) === 123 /* { */) {
      // A JSON line with a `message` field under what pasting put before it (a quote marker, a line number).
      const read = readLine(text, lineNo, true);
      if (read?.wrapped === true) parsed = read.event;
    }
    // A CloudWatch line ends the console's response section: what was taken for one was not.
    if (this.testResponse && isExec) this.testResponse = false;
    if (this.readTimestamped(text, lineNo)) return;
    if (this.readCliText(text, lineNo)) return;
    if (this.readConsoleTest(text, lineNo)) return;
    const p = this.pending;
    if (p !== undefined && p.form === 'console-copy' && p.event.message === '' && p.parts.every((x) => x === '')) {
      // The console's time on a line of its own: this line is its message.
      p.event.message = parsed?.message ?? text;
      p.parts.length = 0;
      p.lines++;
      return;
    }
    if (p !== undefined && !isExec && parsed === undefined) {
      // A line that continues the message before it (tail prints a message's own newlines as they are); a line
      // wrapped at the paste's width goes on without a break.
      const last = p.parts.length - 1;
      const cut = wrappedOnto || maybeWrapped;
      if (cut && last >= 0) p.parts[last] += line;
      else if (cut && p.event.message !== '') p.event.message += line;
      else p.parts.push(text);
      p.lines++;
      if (p.form === 'cli-text') this.endCliEvent();
      return;
    }
    if (
      p === undefined &&
      !isExec &&
      parsed === undefined &&
      this.continueExecution(text, wrappedOnto || maybeWrapped ? line : text, lineNo, wrappedOnto, maybeWrapped)
    )
      return;
    this.flush();
    // With a form forced, a line that reaches here is not in it: it is read as it is, and counted so that the
    // mismatch is said (never a silent fallback).
    if (forced !== undefined && forced !== 'cloudwatch' && !(forced === 'bare' && isBareExecutionText(text))) {
      this.counted.unmatched++;
    }
    if (parsed !== undefined) {
      this.count('cloudwatch', parsed.message, lineNo, line);
      this.emit(parsed);
      return;
    }
    if ((forced === undefined || forced === 'bare') && isBareExecutionText(text)) {
      this.readBare(text, lineNo, line);
      return;
    }
    this.count(forced ?? 'cloudwatch', text, lineNo, line);
    const event = { message: text, line: lineNo };
    if (isExec) {
      this.lastExec = event;
      this.lastExecLine = lineNo;
    }
    this.emit(event);
  }

  /**
   * A line still in bytes (ASCII, or UTF-8 with `utf8`) that starts `(` or `{`: given out as a ByteLineEvent when push would give it out
   * at once as an execution line (a raw one, or a JSON line whose message is one), the reader being in its plain
   * state and the input no web paste. False otherwise: the caller decodes the line and pushes it.
   */
  pushBytes(bytes: Buffer, start: number, end: number, lineNo: number, utf8 = false): boolean {
    const forced = this.forced;
    if (this.pending !== undefined || this.testResponse || (forced !== undefined && forced !== 'cloudwatch'))
      return false;
    if (this.webEscaped) return false;
    const cr = bytes[end - 1] === 13;
    if (bytes[start] === 123 /* { */) {
      const event = jsonLineEvent(bytes, start, end, lineNo, utf8);
      if (event === undefined) return false;
      this.widthIs(bytes, start, cr ? end - 1 : end, utf8);
      this.cloudwatchLines++;
      this.emit(event);
      return true;
    }
    const event = cr ? undefined : rawLineEvent(bytes, start, end, lineNo, utf8);
    if (event === undefined) return false;
    this.widthIs(bytes, start, end, utf8);
    this.cloudwatchLines++;
    this.lastExec = event;
    this.lastExecLine = lineNo;
    this.emit(event);
    return true;
  }

  /** The last execution line given out, and its last input line: the next line may continue its message. */
  private lastExec: Mutable<LogEvent> | undefined;
  private lastExecLine = -2;
  /** The execution line whose message the lines after it have continued. */
  private continued: { readonly event: Mutable<LogEvent> } | undefined;
  /** The width a paste was wrapped at (its longest line, when many lines have it), or -1. */
  private wrapWidth = -1;

  /** The number an editor or a numbered list put before the line before (`  3  `), or -1. */
  private lastNumber = -1;

  /**
   * A numbered paste numbers every line, its values' continuation lines too (`  2  does not match the certificate
   * ...` after `  1  ... Execution failed due to configuration error: Host name '...' `): unwrapPaste takes a number
   * off only before a log line; the line right after a numbered one loses the next number as well.
   */
  private unnumber(line: string, text: string): string {
    const m = NUMBERED.exec(text);
    if (m?.[1] !== undefined && this.lastNumber !== -1 && Number(m[1]) === this.lastNumber + 1) {
      this.lastNumber++;
      return text.slice(m[0].length);
    }
    // The number unwrapPaste took off this line, if it took one: the next line may go on with the next number.
    const bare = stripAnsi(line).replace(QUOTED, '');
    const taken = NUMBERED.exec(bare);
    this.lastNumber = taken?.[1] !== undefined && bare.slice(taken[0].length) === text ? Number(taken[1]) : -1;
    return text;
  }
  /** The length of the line before, as it came (see widthBefore). */
  private prevWidth = -2;
  /** A UTF-8 line given out in its bytes: its length is measured only when asked (most lines never are). */
  private prevBytes: Buffer | undefined;
  private prevStart = 0;
  private prevEnd = 0;

  /** The length (in UTF-16 code units, as a string's) of the line before. */
  private widthBefore(): number {
    if (this.prevBytes !== undefined) {
      this.prevWidth = utf16Length(this.prevBytes, this.prevStart, this.prevEnd);
      this.prevBytes = undefined;
    }
    return this.prevWidth;
  }

  /** The line before was bytes [start, end): ASCII (a byte is a character), or UTF-8 (measured when asked). */
  private widthIs(bytes: Buffer, start: number, end: number, utf8: boolean): void {
    if (utf8) {
      this.prevBytes = bytes;
      this.prevStart = start;
      this.prevEnd = end;
    } else {
      this.prevWidth = end - start;
      this.prevBytes = undefined;
    }
  }
  /** The input was pasted through a web page (HTML entities, typographic quotes): see noticePaste. */
  private webEscaped = false;

  /**
   * A line as it was before a web page escaped it, when the input was pasted through one (noticePaste); else the
   * line itself. Callers give lines through this before reading them (a JSON line's quotes may be entities).
   */
  unescape(line: string): string {
    return this.webEscaped ? unescapeWeb(line) : line;
  }

  /**
   * Looks at the start of the input for signs of how it was pasted that apply to every line (HTML entities or
   * typographic quotes: text copied from a web page; lines cut at a fixed width).
   */
  noticePaste(head: string): void {
    this.webEscaped = looksWebEscaped(head);
    this.wrapWidth = wrapWidthOf(head, this.readable);
  }

  private readonly readable = readsAsLogLine;

  /**
   * A line that reads as no log line of its own, right after an execution line whose message it continues: a body
   * pasted over several lines (`Method request path:` then `{}`), or a long line wrapped at a fixed width. The
   * message is made whole again (the event is given out last, so nothing has read it yet).
   */
  private continueExecution(
    text: string,
    segment: string,
    lineNo: number,
    wrappedOnto: boolean,
    maybeWrapped: boolean,
  ): boolean {
    const event = this.lastExec;
    const forced = this.forced;
    if (event === undefined || lineNo !== this.lastExecLine + 1) return false;
    if (forced !== undefined && forced !== 'cloudwatch' && forced !== 'bare') return false;
    // After a line that filled the paste's width, only a line that starts like a log line of its own is one.
    if (wrappedOnto ? TIMESTAMP_START.test(text) || TEST_LINE.test(text) : this.readable(text)) return false;
    const cut = wrappedOnto || maybeWrapped;
    if (this.continued?.event !== event && !cut && !opensContinuation(event.message)) return false;
    this.continued = { event };
    // Cut at the paste's width: the text goes on; else the value was printed on lines of its own.
    event.message = cut ? `${event.message}${segment}` : `${event.message}\n${segment}`;
    this.lastExecLine = lineNo;
    this.counted.lines++;
    this.counted.forms.cloudwatch = (this.counted.forms.cloudwatch ?? 0) + 1;
    return true;
  }

  /** A message is open that the next lines may continue. */
  get continuing(): boolean {
    // Inside the console's response section, a `{` line is part of a body or headers shown there.
    return this.pending !== undefined || this.testResponse;
  }

  /**
   * Line `lineNo` may go on the message of the execution line right before it (that message opens a value printed on
   * the lines after it, or lines already went on it): a `{` there is part of that value, no object of its own.
   */
  opensValueAt(lineNo: number): boolean {
    const e = this.lastExec;
    return (
      e !== undefined &&
      lineNo === this.lastExecLine + 1 &&
      (this.continued?.event === e || opensContinuation(e.message))
    );
  }

  /**
   * The last event given out may still be continued by the next line (a value wrapped onto it): a streaming caller
   * holds it back until the next line has been read.
   */
  get mayContinue(): boolean {
    const e = this.lastExec;
    return (
      e !== undefined &&
      (this.continued?.event === e ||
        this.widthBefore() === this.wrapWidth ||
        (this.wrapWidth === -1 && TERMINAL_WIDTHS.has(this.widthBefore())) ||
        opensContinuation(e.message))
    );
  }

  /**
   * Reads the lines of a log held in one JSON string of the input (`aws apigateway test-invoke-method`'s `log`) as
   * lines of their own, every event (and every unread line reported) pointing at `at`, the input line the object
   * starts on. Nothing before the object goes on its lines, nor do they go on after it; no paste width applies inside
   * a JSON string.
   */
  readEmbedded(log: string, at: number): void {
    this.flush();
    this.endBlock();
    this.lastExec = undefined;
    const emit = this.emit;
    const wrapWidth = this.wrapWidth;
    this.emit = (event) => {
      (event as Mutable<LogEvent>).line = at;
      emit(event);
    };
    this.embeddedAt = at;
    // -3: a width no line has (and not -1, which lets a line of a terminal's width be taken as cut).
    this.wrapWidth = -3;
    try {
      const lines = log.split('\n');
      for (let i = 0; i < lines.length; i++) this.push(lines[i] ?? '', at + i);
      this.flush();
    } finally {
      this.emit = emit;
      this.embeddedAt = undefined;
      this.wrapWidth = wrapWidth;
    }
    this.endBlock();
    this.lastExec = undefined;
    this.prevWidth = -2;
  }

  /**
   * Gives out the events of a JSON document pasted among the lines (under the command that printed it), each pointing
   * at `at`, the input line the document starts on, and counts them as `form`'s.
   */
  readEvents(form: string, events: readonly LogEvent[], at: number): void {
    this.flush();
    this.endBlock();
    this.lastExec = undefined;
    for (const event of events) {
      const e = { ...event, line: at };
      this.count(form, e.message, at, e.message);
      this.emit(e);
    }
  }

  /** While readEmbedded reads: the input line its lines are reported on. */
  private embeddedAt: number | undefined;

  /** Counts an event a document form gave (read whole, not line by line). */
  countEvent(form: string, event: LogEvent): void {
    this.count(form, event.message, event.line ?? 1, event.message);
  }

  /** Ends the input: the event held back is given out. */
  end(): void {
    this.flush();
  }

  private readTimestamped(text: string, lineNo: number): boolean {
    const c = text.charCodeAt(0);
    if (!(c >= 48 && c <= 57) || text.charCodeAt(4) !== 45 /* - */) return false;
    const f = this.forced;
    // A Lambda line that starts with its own time (`<time> <request id> Task timed out after 10.00 seconds`, as older
    // runtimes wrote it) is CloudWatch's line itself, not an export's `<time> <message>`: its time is part of it.
    if (f === undefined && parseFunctionLogLine(text) !== undefined) return false;
    if (f === undefined || f === 'console-copy') {
      const m = COPY_TIME.exec(text);
      if (m?.[1] !== undefined) {
        this.start('console-copy', { message: m[2] ?? '', timestamp: Date.parse(m[1]), line: lineNo }, text);
        return true;
      }
      const sp = COPY_SPACE.exec(text);
      if (sp?.[1] !== undefined && sp[2] !== undefined) {
        this.start('console-copy', { message: sp[2], timestamp: Date.parse(sp[1]), line: lineNo }, text);
        return true;
      }
      const k = COPY_COLUMNS.exec(text);
      if (k?.[1] !== undefined && k[2] !== undefined && k[4] !== undefined) {
        const offset = k[3] === undefined || k[3] === 'Z' ? 'Z' : `${k[3].slice(0, 3)}:${k[3].slice(-2)}`;
        const timestamp = Date.parse(`${k[1]}T${k[2]}${offset}`);
        this.start('console-copy', { message: k[4], timestamp, line: lineNo }, text);
        return true;
      }
    }
    if (f === undefined || f === 'logs-tail' || f === 'logs-tail-json') {
      const m = TAIL.exec(text);
      if (m?.[1] !== undefined && m[2] !== undefined) {
        const message = m[3] ?? '';
        const form: LineForm = f ?? (message === '' ? 'logs-tail-json' : 'logs-tail');
        this.start(form, { message, timestamp: Date.parse(m[1]), logStreamName: m[2], line: lineNo }, text);
        return true;
      }
    }
    if (f === undefined || f === 's3-export') {
      const m = EXPORT.exec(text);
      if (m?.[1] !== undefined && m[2] !== undefined) {
        this.start('s3-export', { message: m[2], timestamp: Date.parse(m[1]), line: lineNo }, text);
        return true;
      }
    }
    if (f === undefined || f === 'logs-tail-short') {
      const m = TAIL_SHORT.exec(text);
      if (m?.[1] !== undefined && m[2] !== undefined) {
        this.start('logs-tail-short', { message: m[2], timestamp: Date.parse(`${m[1]}Z`), line: lineNo }, text);
        return true;
      }
    }
    return false;
  }

  private readConsoleTest(text: string, lineNo: number): boolean {
    const f = this.forced;
    if (f !== undefined && f !== 'console-test') return false;
    const header = TEST_HEADER.exec(text);
    if (header?.[1] !== undefined) {
      this.flush();
      this.endBlock();
      this.blockId = header[1];
      this.structural(lineNo);
      return true;
    }
    const m = TEST_LINE.exec(text);
    if (
      m?.[1] !== undefined &&
      m[2] !== undefined &&
      m[3] !== undefined &&
      m[4] !== undefined &&
      m[5] !== undefined &&
      m[6] !== undefined
    ) {
      this.testResponse = false;
      const offset = /([+-]\d\d):?(\d\d)$/.exec(m[4]);
      const zone = offset !== null ? `${offset[1]}:${offset[2]}` : 'Z';
      const iso = `${m[5]}-${MONTHS[m[1]]}-${m[2].padStart(2, '0')}T${m[3]}${zone}`;
      const id = this.blockId ?? this.newBlock(lineNo);
      // The next Test line run on at the end of this one (a page joined the lines with a space): read as its own.
      const next = RUN_ON_TEST_LINE.exec(m[6]);
      const cut = next === null ? -1 : next.index + (m[6].charCodeAt(next.index) === 93 /* ] */ ? 1 : 0);
      const message = cut === -1 ? m[6] : m[6].slice(0, cut);
      this.start('console-test', { message: `(${id}) ${message}`, timestamp: Date.parse(iso), line: lineNo }, text);
      if (next !== null) this.readConsoleTest(m[6].slice(next.index + 1), lineNo);
      return true;
    }
    // An execution text quoted without its prefix ends the response section: the log has started.
    if (this.testResponse && isBareExecutionText(text)) this.testResponse = false;
    // The response the console shows above the log (status, latency, body, headers): part of the output, not a
    // log line; every line up to the log belongs to it.
    if (this.testResponse || (this.pending === undefined && TEST_RESPONSE_START.test(text))) {
      this.flush();
      this.testResponse = true;
      this.structural(lineNo);
      return true;
    }
    return false;
  }

  /** A line of a known form that holds no log event (a header, the console's response section). */
  private structural(_lineNo: number, form: LineForm = 'console-test'): void {
    this.counted.lines++;
    this.counted.forms[form] = (this.counted.forms[form] ?? 0) + 1;
  }

  /**
   * The AWS CLI's text output of filter-log-events / get-log-events (awscli/text.py): per event `EVENTS`, then the
   * event's scalar fields in key order, tab-separated: `eventId ingestionTime logStreamName message timestamp`
   * (get-log-events: `ingestionTime message timestamp`). A message's own newlines break the line: the event ends at
   * the line that ends with `<TAB><timestamp>`. `SEARCHEDLOGSTREAMS` rows and the `b/…<TAB>f/…` tokens are no events.
   */
  private readCliText(text: string, lineNo: number): boolean {
    const f = this.forced;
    if (f !== undefined && f !== 'cli-text') return false;
    if (text.startsWith('EVENTS\t')) {
      const fields = text.split('\t');
      // filter-log-events: an event id (56 digits) first; get-log-events: the ingestion time.
      const rest = /^\d{20,}$/.test(fields[1] ?? '') ? fields.slice(4) : fields.slice(2);
      const event: Mutable<LogEvent> = { message: rest.join('\t'), line: lineNo };
      if (/^\d{20,}$/.test(fields[1] ?? '') && fields[3] !== undefined) event.logStreamName = fields[3];
      this.start('cli-text', event, text);
      this.endCliEvent();
      return true;
    }
    if (/^SEARCHEDLOGSTREAMS\t/.test(text) || /^b\/\d+\tf\/\d+$/.test(text)) {
      this.flush();
      this.structural(lineNo, 'cli-text');
      return true;
    }
    return false;
  }

  /** An event of the CLI's text output ends at `<TAB><timestamp>`: its time, and no more lines to wait for. */
  private endCliEvent(): void {
    const p = this.pending;
    if (p === undefined || p.form !== 'cli-text') return;
    const last = p.parts.length > 0 ? (p.parts[p.parts.length - 1] ?? '') : p.event.message;
    const m = /(?:^|\t)(\d{10,16})$/.exec(last);
    if (m?.[1] === undefined) return;
    const cut = last.slice(0, last.length - m[0].length);
    if (p.parts.length > 0) p.parts[p.parts.length - 1] = cut;
    else p.event.message = cut;
    p.event.timestamp = Number(m[1]);
    this.flush();
  }

  /**
   * An execution log text without its prefix. A block of them reads as one request: a blank line, a line after
   * "Method completed with status", or a second "Starting execution" starts the next one.
   */
  private readBare(text: string, lineNo: number, raw: string): void {
    const starts = text.startsWith('Starting execution') || text.startsWith('Extended Request Id');
    if (this.blockEnded || (starts && this.blockStarted && !text.startsWith('Starting execution'))) this.endBlock();
    else if (starts && this.blockStarted && text.startsWith('Starting execution') && this.blockSawStart)
      this.endBlock();
    const id = this.blockId ?? this.newBlock(lineNo);
    this.blockStarted = true;
    if (text.startsWith('Starting execution')) this.blockSawStart = true;
    const message = `(${id}) ${text}`;
    this.count('bare', message, lineNo, raw);
    const event = { message, line: lineNo };
    this.lastExec = event;
    this.lastExecLine = lineNo;
    this.emit(event);
    if (text.startsWith('Method completed with status')) this.blockEnded = true;
  }

  private newBlock(lineNo: number): string {
    // A synthetic id that says where the request starts in the input.
    this.blockId = `${this.idPrefix}-line-${lineNo}`;
    this.blockEnded = false;
    this.blockStarted = false;
    this.blockSawStart = false;
    return this.blockId;
  }

  private endBlock(): void {
    this.blockId = undefined;
    this.blockEnded = false;
    this.blockStarted = false;
    this.blockSawStart = false;
    this.testResponse = false;
  }

  private start(form: LineForm, event: Mutable<LogEvent>, raw: string): void {
    this.flush();
    // Messages may continue on the next lines in every form that prints them as they are.
    this.pending = { event, form, parts: [], lines: 1 };
    this.pendingRaw = raw;
  }

  private pendingRaw = '';

  private flush(): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    const event = p.event;
    if (p.parts.length > 0) {
      while (p.parts.length > 0 && p.parts[p.parts.length - 1] === '') p.parts.pop();
      if (p.parts.length > 0) event.message = joinContinuation(event.message, p.parts);
    }
    this.count(p.form, event.message, event.line ?? 0, this.pendingRaw, p.lines);
    this.emit(event);
  }

  /** Counts an event of `lines` input lines, and whether its message is a log this tool knows. */
  private count(form: string, message: string, lineNo: number, raw: string, lines = 1): void {
    const stats = this.counted;
    stats.lines += lines;
    stats.forms[form] = (stats.forms[form] ?? 0) + lines;
    // A `#` line is a comment (a note on where a log came from, as this project's fixtures carry): read, not reported.
    if (message.charCodeAt(0) === 35 /* # */ || isKnownLogText(message)) return;
    stats.unrecognised += lines;
    if (form !== 'cloudwatch') stats.unknownMessages[form] = (stats.unknownMessages[form] ?? 0) + lines;
    if (stats.samples.length < MAX_SAMPLES) {
      stats.samples.push({
        line: this.embeddedAt ?? lineNo,
        text: raw.length > MAX_SAMPLE_CHARS ? `${raw.slice(0, MAX_SAMPLE_CHARS)}…` : raw,
      });
    }
  }
}

/**
 * A message printed over several lines. `aws logs tail --format json` prints a JSON message as `\n` + json.dumps
 * (indent 4): it is read back as the compact JSON CloudWatch holds (the same fields and values). Any other message
 * keeps its own newlines.
 */
function joinContinuation(first: string, parts: readonly string[]): string {
  const rest = parts.join('\n');
  if (first === '' && rest.trimStart().startsWith('{')) {
    try {
      return JSON.stringify(JSON.parse(rest));
    } catch {
      return rest;
    }
  }
  return first === '' ? rest : `${first}\n${rest}`;
}

/** Texts whose value may be printed over the next lines (a body, headers, a path's parameters). */
const CONTENT_TEXT =
  /(?:body before transformations|body after transformations|request headers|response headers|request path|query string|customer function error|Gateway response body|Endpoint request URI):/;

/**
 * Whether an execution line's message may go on on the next input line: its text ends with `:` (the value on the next
 * line), or it holds a value (a body, headers, a function's error) that is unclosed (`{`, `[`, a string) or long
 * enough to have been wrapped at a fixed width. Other lines (a status, a verdict) are whole.
 */
export function opensContinuation(message: string): boolean {
  if (message.trimEnd().endsWith(':')) return true;
  return CONTENT_TEXT.test(message) && (message.length >= 60 || unclosed(message));
}

/** A `{`, `[` or `"` that the text opens and does not close. */
function unclosed(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 || ch === 91) depth++;
    else if (ch === 125 || ch === 93) depth--;
  }
  return inString || depth > 0;
}

/** Whether a text, on its own, reads as a log line of some form (not the continuation of one). */
export function readsAsLogLine(text: string): boolean {
  const c = text.charCodeAt(0);
  if (c === 40) return requestIdEnd(text) !== -1 || isKnownLogText(text);
  // A JSON line with a `message` field (the JSON-lines form).
  if (c === 123 && text.includes('"message"') && readLine(text, 0)?.wrapped === true) return true;
  if (c >= 48 && c <= 57 && TIMESTAMP_START.test(text)) return true;
  return TEST_LINE.test(text) || TEST_HEADER.test(text) || isBareExecutionText(text) || isKnownLogText(text);
}

/**
 * The width lines were wrapped at (a terminal's, `fold -w 80`, a fixed-width page), seen at the start of an input:
 * its longest line length, when lines of exactly that length are followed, again and again, by a line that reads as
 * no log line of its own (lines of a log vary in length; lines cut at a width go on on the next line). -1 when the
 * lines were not wrapped.
 */
export function wrapWidthOf(head: string, readable: (text: string) => boolean): number {
  const lines = head.split('\n');
  if (lines.length > 1) lines.pop(); // the last may be cut short by the end of the head
  const lengths = lines.map((l) => (l.charCodeAt(l.length - 1) === 13 ? l.length - 1 : l.length));
  const max = Math.max(0, ...lengths);
  if (max < 60) return -1;
  let atMax = 0;
  let cut = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lengths[i] !== max) continue;
    atMax++;
    const next = lines[i + 1]?.trim() ?? '';
    if (next !== '' && !readable(next)) cut++;
  }
  return cut >= 3 && cut * 2 >= atMax ? max : -1;
}
