import { isUtf8 } from 'node:buffer';
import { pipeline, Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import {
  DOCUMENT_FORM_NAMES,
  DOCUMENT_FORMS,
  type DocumentForm,
  type DocumentRead,
  looksLikeBase64Gzip,
  readBase64Payloads,
  readCsv,
  readJsonDocument,
  readMarkdownTable,
  tableHeaderForm,
  testInvokeLog,
  type UnreadRows,
} from './forms/documents.js';
import { completeUtf8End, FilterLogEventsStream } from './forms/json-document-stream.js';
import { JsonObjectJoiner, type MayOpen } from './forms/json-join.js';
import { FORM_NAMES, LINE_FORMS, type LineForm, LineFormReader, type LineStats } from './forms/line-forms.js';
import { decodeInput, type InputProblem, parseCloudWatchInput, readLine } from './input.js';
import { LineSplitter } from './line-splitter.js';
import type { LogEvent } from './log-event.js';

/**
 * Reads a log input as it arrives, in any form API Gateway's logs reach people in (docs/input-forms.md), so that a
 * file of any size is diagnosed in bounded memory: line forms (CloudWatch lines, JSON lines, `aws logs tail`, an
 * export to S3, the console's Test output, bare lines) are read one line at a time, and so is the JSON document of
 * `aws logs filter-log-events`, item by item (forms/json-document-stream.ts); only another document (Logs Insights
 * results, a CSV or Markdown table, a subscription payload) is read whole, since its events are known only once it
 * has been parsed. Gzip is recognised by its magic bytes and read through; binary input is refused once.
 */

/** Every form the reader knows; any of them can be forced (`--input-format`). */
export type InputForm = LineForm | DocumentForm;
export const INPUT_FORMS: readonly InputForm[] = [...LINE_FORMS, ...DOCUMENT_FORMS];

export function formName(form: InputForm): string {
  return (FORM_NAMES as Record<string, string>)[form] ?? (DOCUMENT_FORM_NAMES as Record<string, string>)[form] ?? form;
}

/** What reading one input found: how much was read as known log lines, and in which forms. */
export interface InputReport {
  /** The input was gzip, read through. */
  readonly gzip: boolean;
  /** Non-blank lines (for a document: its events and the items that were no event). */
  readonly lines: number;
  /** Lines read as no known form, or whose message is no log this tool knows. */
  readonly unrecognised: number;
  readonly samples: LineStats['samples'];
  /** Lines (or events) read per form. */
  readonly forms: Partial<Record<InputForm, number>>;
  /** Per container form, its lines whose message is no log this tool knows. */
  readonly unknownMessages: Partial<Record<InputForm, number>>;
  /** With a form forced (`--input-format`): how many lines were not in it, and the form the input has instead. */
  readonly forced?: ForcedReport;
}

/** How an input read with a forced form matched it. */
export interface ForcedReport {
  readonly form: InputForm;
  /** Lines (or events) that were not in the forced form: read as they are instead. */
  readonly unmatched: number;
  /** The form the input is read as without forcing, when that is another one. */
  readonly looksLike?: InputForm;
}

/** The input is not text: refused as a whole (the CLI exits 2). */
export class BinaryInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BinaryInputError';
  }
}

/** The input claims a form (gzip) it does not hold. */
export class InputFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputFormatError';
  }
}

export interface StreamOptions {
  /** Read every line as this form (`--input-format`); default: each line as the form it has. */
  readonly form?: InputForm;
  /** Hears, once the input has been read, what was read. */
  readonly report?: (report: InputReport) => void;
  /**
   * Which input this is (1-based) when several are read into one diagnosis: from the second on, a block of lines
   * without request ids is given ids of its own (`input-2-line-1`), not those of the first input's blocks.
   */
  readonly input?: number;
  /**
   * Execution lines (raw, or JSON lines whose message is one) in valid UTF-8 chunks come out as ByteLineEvent, still in
   * their bytes and decoded on first use; the trace builder reads them there and decodes only the requests it keeps.
   * For a reader that hands every event to a TraceBuilder at once (diagnose): an event holds its chunk until the
   * builder pins it. Default false: plain event objects.
   */
  readonly lazy?: boolean;
}

/** The prefix of the ids given to blocks of lines without request ids in the n-th input. */
function blockIdPrefix(input: number | undefined): string {
  return input !== undefined && input > 1 ? `input-${input}` : 'input';
}

/** How many bytes of a document held whole parseInput gives its streaming reader at a time. */
const DOCUMENT_SLICE = 1024 * 1024;

/** How much of the start is looked at to tell the form, at most. */
const HEAD_BYTES = 64 * 1024;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

type Mode = 'document' | 'lines';

// One-line JSON documents name their fields first (`--output json | jq -c`, a subscription payload, a Lambda event).
const DOCUMENT_KEYS =
  /^\{\s*"(events|searchedLogStreams|nextToken|nextForwardToken|queryLanguage|results|statistics|messageType|awslogs|records|Records|invocationId|deliveryStreamArn)"/;

// test-invoke-method's JSON as the AWS CLI prints it: its numeric `status` first (then body, headers, log, latency).
// A JSON access log line rarely starts so: most of them are ruled out here, without a look at the rest of the line.
const TEST_INVOKE_START = /^\{\s*"status"\s*:\s*\d/;

function toBuffer(chunk: Uint8Array | string): Buffer {
  return typeof chunk === 'string'
    ? Buffer.from(chunk, 'utf8')
    : Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** The first bytes of a stream (up to `want`, or all of it if shorter), and the stream from its start again. */
async function peek(
  chunks: AsyncIterable<Uint8Array | string>,
  enough: (head: Buffer) => boolean,
): Promise<{ head: Buffer; rest: AsyncIterable<Buffer>; ended: boolean }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (!enough(held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held, size))) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    const b = toBuffer(next.value);
    held.push(b);
    size += b.length;
  }
  const head = Buffer.concat(held, size);
  async function* rest(): AsyncGenerator<Buffer> {
    try {
      if (head.length > 0) yield head;
      if (ended) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) return;
        yield toBuffer(next.value);
      }
    } finally {
      // Reading stopped early (or failed): let the source close its file.
      if (!ended) await iterator.return?.();
    }
  }
  return { head, rest: rest(), ended };
}

/** A gzip stream read through (several members one after another, as Firehose writes them, included). */
async function* gunzip(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const z = createGunzip();
  pipeline(Readable.from(chunks), z, () => undefined);
  try {
    for await (const c of z) yield c as Buffer;
  } catch (error) {
    throw new InputFormatError(
      `the input starts like gzip but could not be decompressed (${(error as Error).message}); give the .gz file whole, or the log text`,
      { cause: error },
    );
  }
}

/** Binary data: NUL bytes, or mostly bytes that are no text. */
function binaryReason(head: Buffer): string | undefined {
  const nul = head.indexOf(0);
  if (nul !== -1) return `it holds a NUL byte at byte ${nul + 1}`;
  const text = lenient.decode(head.subarray(0, Math.min(head.length, 8192)));
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 27 && c !== 12)) bad++;
  }
  return text.length > 0 && bad / text.length > 0.1
    ? `${Math.round((100 * bad) / text.length)}% of its first bytes are no text`
    : undefined;
}

/**
 * Whether the input starts like a document; undefined while the start seen so far cannot tell. Taking lines for a
 * document is safe (a document of no known shape is read as lines after all); the other way round is avoided: `[`
 * is a document unless a word follows it on the same line, as in Python's `[ERROR] KeyError: 'id'`.
 */
function modeOf(head: Buffer, ended: boolean): Mode | undefined {
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
  if (first === '{' || DOCUMENT_KEYS.test(first)) return 'document';
  if (looksLikeBase64Gzip(first) || tableHeaderForm(first) !== undefined) return 'document';
  return 'lines';
}

/**
 * The events of one input (a file or standard input) as its bytes arrive; `problems` hears of each part that could
 * not be read as intended (reading goes on). Throws BinaryInputError for input that is not text (nothing is read),
 * InputFormatError for a broken gzip stream.
 */
export async function* streamEvents(
  chunks: AsyncIterable<Uint8Array | string>,
  problems: (problem: InputProblem) => void,
  options: StreamOptions = {},
): AsyncGenerator<LogEvent> {
  for await (const batch of streamEventBatches(chunks, problems, options)) yield* batch;
}

/**
 * streamEvents in batches: the events each chunk of input completes, in input order (never an empty batch). The
 * fast way to read a large input: one await per chunk instead of one per event.
 */
export async function* streamEventBatches(
  chunks: AsyncIterable<Uint8Array | string>,
  problems: (problem: InputProblem) => void,
  options: StreamOptions = {},
): AsyncGenerator<LogEvent[]> {
  let source = await peek(chunks, (head) => head.length >= 2);
  let gzip = false;
  if (source.head[0] === 0x1f && source.head[1] === 0x8b) {
    gzip = true;
    source = await peek(gunzip(source.rest), (head) => head.length >= 1);
  }
  // Enough of the start to tell the form: the first line (a slow pipe's first lines are read as they come).
  const first = await peek(source.rest, (head) => modeOf(head, false) !== undefined);
  const binary = binaryReason(first.head);
  if (binary !== undefined) {
    await first.rest[Symbol.asyncIterator]().return?.(undefined);
    throw binaryInputError(binary);
  }
  const forced = options.form;
  const mode = modeFor(forced, first.head);

  let out: LogEvent[] = [];
  const reader = lineReader((e) => out.push(e), forced, blockIdPrefix(options.input));
  reader.noticePaste(first.head.toString('utf8'));
  const documentCounts: DocumentCounts = { events: 0, skipped: 0 };
  let wholeText: string | undefined;

  /** The events read since the last batch, given out (and a new batch started), but the last `keep`. */
  const batch = (keep = 0): LogEvent[] => {
    const done = out;
    out = done.splice(done.length - keep, keep);
    return done;
  };

  if (mode === 'lines') {
    const lazy = options.lazy === true;
    const joiner = lineJoiner(reader, problems);
    const splitter = new LineSplitter(
      (text, lineNo) => {
        if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        text = reader.unescape(text);
        joiner.push(text, lineNo, mayOpenObject(reader, lineNo));
      },
      problems,
      lazy
        ? (bytes, start, end, lineNo, utf8) => {
            // The first line may start with a byte order mark; any other `(` or `{` line may be an execution line
            // (raw, or JSON) kept as bytes, unless it may go on a JSON object held open by the lines before it.
            const c = bytes[start];
            return (
              lineNo > 1 &&
              (c === 40 || c === 123) &&
              !joiner.holding &&
              reader.pushBytes(bytes, start, end, lineNo, utf8)
            );
          }
        : undefined,
    );
    for await (const bytes of first.rest) {
      splitter.push(bytes);
      // An event whose value the next line may still continue (a wrapped line) is held back until that line is read.
      const keep = reader.mayContinue ? 1 : 0;
      if (out.length > keep) yield batch(keep);
    }
    splitter.end();
    joiner.end();
    reader.end();
    if (out.length > 0) yield batch();
  } else {
    const held: Buffer[] = [];
    const iterator = first.rest[Symbol.asyncIterator]();
    let streamed = false;
    if (streamsDocument(forced)) {
      // A filter-log-events document is read as its bytes arrive; any other document (or one that stops being of that
      // shape before its first event) is read whole below, from the bytes the streaming reader held.
      const doc = documentStream(reader, problems, (e) => out.push(e));
      let ended = false;
      try {
        for (;;) {
          const next = await iterator.next();
          if (next.done === true) {
            ended = true;
            doc.end();
            break;
          }
          doc.push(next.value);
          if (doc.status === 'whole') break;
          if (out.length > 0) yield batch();
        }
      } finally {
        // Reading stopped early (or failed): let the source close its file.
        if (!ended && doc.status !== 'whole') await iterator.return?.();
      }
      if (doc.status === 'whole') for (const b of doc.held()) held.push(b);
      else {
        streamed = true;
        if (out.length > 0) yield batch();
        Object.assign(documentCounts, { form: 'filter-log-events-json', events: doc.events, skipped: doc.skipped });
      }
    }
    if (!streamed) {
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) break;
        held.push(next.value);
      }
      const decoded = decodeDocument(held);
      // The bytes are text now: let them go before the document is parsed (it takes memory of its own).
      held.length = 0;
      for (const p of decoded.problems) problems(p);
      const text = decoded.text.charCodeAt(0) === 0xfeff ? decoded.text.slice(1) : decoded.text;
      let documentEvents: LogEvent[] = [];
      Object.assign(
        documentCounts,
        readWholeDocument(text, forced as DocumentForm | undefined, reader, problems, (events) => {
          documentEvents = events;
        }),
      );
      wholeText = text;
      if (out.length > 0) yield batch();
      if (documentEvents.length > 0) yield documentEvents;
    }
  }
  const stats = reader.stats;
  const forcedReport =
    forced !== undefined
      ? forcedMatch(forced, stats, documentCounts, () => wholeText ?? first.head.toString('utf8'))
      : undefined;
  options.report?.({
    gzip,
    lines: stats.lines + documentCounts.skipped,
    ...withUnread(stats, documentCounts),
    forms: stats.forms,
    unknownMessages: stats.unknownMessages,
    ...(forcedReport !== undefined ? { forced: forcedReport } : {}),
  });
}

/**
 * How an input matched the form forced on it; when some of it did not, the form it is read as without forcing
 * (from its start, `head`): said to the user instead of a silent fallback to reading lines as they are.
 */
function forcedMatch(form: InputForm, stats: LineStats, doc: DocumentCounts, head: () => string): ForcedReport {
  const lines = stats.lines + doc.skipped;
  const unmatched = (DOCUMENT_FORMS as readonly string[]).includes(form)
    ? doc.form === form
      ? 0
      : lines
    : form === 'cloudwatch'
      ? stats.unrecognised
      : stats.unmatched;
  if (unmatched === 0) return { form, unmatched };
  const detected = parseInput(head().slice(0, HEAD_BYTES)).report.forms;
  let looksLike: InputForm | undefined;
  let most = 0;
  for (const [f, n] of Object.entries(detected)) {
    if ((n ?? 0) > most && f !== form) {
      most = n ?? 0;
      looksLike = f as InputForm;
    }
  }
  return looksLike !== undefined ? { form, unmatched, looksLike } : { form, unmatched };
}

/**
 * decodeInput of the chunks one after another, without copying their bytes into one buffer first: each chunk is
 * checked (valid UTF-8) and decoded on its own, the bytes of a character cut at its end carried to the next, and the
 * texts joined. Input with invalid UTF-8 is decoded by decodeInput after all, which reports the lines that hold it.
 */
function decodeDocument(held: readonly Buffer[]): { text: string; problems: InputProblem[] } {
  const parts: string[] = [];
  let carry: Buffer | undefined;
  for (const chunk of held) {
    const bytes = carry !== undefined ? Buffer.concat([carry, chunk]) : chunk;
    const end = completeUtf8End(bytes, bytes.length);
    carry = end < bytes.length ? bytes.subarray(end) : undefined;
    const whole = bytes.subarray(0, end);
    if (!isUtf8(whole)) return decodeInput(Buffer.concat(held));
    parts.push(whole.toString('utf8'));
  }
  if (carry !== undefined) return decodeInput(Buffer.concat(held));
  const text = parts.join('');
  // As decodeInput's TextDecoder does: a byte order mark at the start is no part of the text.
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, problems: [] };
}

/** Whether a document may be a filter-log-events document read as it arrives (not forced to be another form). */
function streamsDocument(forced: InputForm | undefined): boolean {
  return forced === undefined || forced === 'filter-log-events-json';
}

/** The streaming reader of a filter-log-events document, its events counted by the line reader and given to `out`. */
function documentStream(
  reader: LineFormReader,
  problems: (problem: InputProblem) => void,
  out: (event: LogEvent) => void,
): FilterLogEventsStream {
  return new FilterLogEventsStream({
    event: (event, form) => {
      reader.countEvent(form, event);
      out(event);
    },
    problem: problems,
  });
}

function readDocument(text: string, forced: DocumentForm | undefined): DocumentRead | undefined {
  const first = text.trimStart().split('\n', 1)[0] ?? '';
  if (forced === 'subscription' && looksLikeBase64Gzip(first)) return readBase64Payloads(text);
  if (forced === 'insights-csv') return readCsv(text.trimStart());
  if (forced === 'insights-markdown') return readMarkdownTable(text.trimStart());
  if (forced !== undefined) return readJsonDocument(text);
  if (looksLikeBase64Gzip(first)) return readBase64Payloads(text);
  const table = tableHeaderForm(first);
  if (table === 'insights-csv') return readCsv(text.trimStart());
  if (table === 'insights-markdown') return readMarkdownTable(text.trimStart());
  return readJsonDocument(text);
}

/** What a whole input read as a document gave: its form, how many events, how many items were no event. */
interface DocumentCounts {
  form?: DocumentForm;
  events: number;
  skipped: number;
  /** Of the skipped items, rows of query results that hold no log: reported as lines not recognised. */
  unread?: UnreadRows;
}

/** The reader's count of unrecognised lines and their samples, with a document's unread rows added. */
function withUnread(stats: LineStats, doc: DocumentCounts): Pick<InputReport, 'unrecognised' | 'samples'> {
  const unread = doc.unread;
  if (unread === undefined || unread.count === 0) return { unrecognised: stats.unrecognised, samples: stats.samples };
  const samples = [...stats.samples, ...unread.samples].sort((a, b) => a.line - b.line).slice(0, 3);
  return { unrecognised: stats.unrecognised + unread.count, samples };
}

function binaryInputError(reason: string): BinaryInputError {
  return new BinaryInputError(
    `binary data, not a log: ${reason}. Give the log as text, gzipped text (.gz), or the JSON the AWS CLI prints`,
  );
}

/** Documents are read as documents, everything else line by line: as forced, or as the input's start reads. */
function modeFor(forced: InputForm | undefined, head: Buffer): Mode {
  if (forced !== undefined) return (DOCUMENT_FORMS as readonly string[]).includes(forced) ? 'document' : 'lines';
  return modeOf(head, true) ?? 'lines';
}

/** The line reader, held to the forced form when that is a line form. */
function lineReader(sink: (event: LogEvent) => void, forced: InputForm | undefined, blockIds?: string): LineFormReader {
  const form =
    forced !== undefined && (LINE_FORMS as readonly string[]).includes(forced) ? (forced as LineForm) : undefined;
  return new LineFormReader(sink, form, blockIds);
}

/**
 * Reads a whole decoded text that starts like a document (JSON, a table, base64 payloads); one of no known shape is
 * read as lines after all (a JSON document cut short is salvaged as before). Events go to `out` in input order.
 */
function readWholeDocument(
  text: string,
  forced: DocumentForm | undefined,
  reader: LineFormReader,
  problems: (problem: InputProblem) => void,
  deliver: (events: LogEvent[]) => void,
): DocumentCounts {
  const read = readDocument(text, forced);
  if (read !== undefined) {
    for (const p of read.problems) problems(p);
    if (read.testLog !== undefined) reader.readEmbedded(read.testLog, read.testLogLine ?? 1);
    for (const event of read.events) reader.countEvent(read.form, event);
    // Handed over whole: a spread into push() overflows the stack on a document of a million events.
    deliver(read.events);
    return {
      form: read.form,
      events: read.events.length,
      skipped: read.skipped,
      ...(read.unread !== undefined ? { unread: read.unread } : {}),
    };
  }
  const legacy =
    text.trimStart().startsWith('{') || text.trimStart().startsWith('[') ? parseCloudWatchInput(text) : undefined;
  if (legacy?.format === 'filter-log-events-json') {
    for (const p of legacy.problems) problems(p);
    for (const event of legacy.events) reader.countEvent('filter-log-events-json', event);
    deliver(legacy.events);
    return { form: 'filter-log-events-json', events: legacy.events.length, skipped: 0 };
  }
  readWholeLines(text, reader, problems);
  reader.end();
  return { events: 0, skipped: 0 };
}

/** Reads every line of a whole text, as streamEvents reads lines as they arrive. */
function readWholeLines(text: string, reader: LineFormReader, problems: (problem: InputProblem) => void): void {
  const joiner = lineJoiner(reader, problems);
  let start = 0;
  let lineNo = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNo++;
    const l = reader.unescape(text.slice(start, end));
    start = end + 1;
    joiner.push(l, lineNo, mayOpenObject(reader, lineNo));
    if (end === text.length) break;
  }
  joiner.end();
}

/** Whether a `{` line may open a JSON object of its own, or is inside a message the lines before it opened. */
function mayOpenObject(reader: LineFormReader, lineNo: number): MayOpen {
  if (reader.continuing) return 'no';
  return reader.opensValueAt(lineNo) ? 'event' : 'yes';
}

/**
 * Each line to the reader: a JSON line read as one (its problem said, unless it sits inside a message printed over
 * several lines, as tail's pretty JSON), any other line as it is; a JSON object printed over several lines (pretty,
 * or wrapped at a width) is joined first and read as the one line it was.
 */
function lineJoiner(reader: LineFormReader, problems: (problem: InputProblem) => void): JsonObjectJoiner {
  const line = (text: string, lineNo: number): void => {
    if (text.charCodeAt(0) === 123 /* { */) {
      const read = readLine(text, lineNo, true);
      // Inside a message printed over several lines (tail's pretty JSON, a body printed under the execution line that
      // announces it), a `{` line is no JSON line of its own.
      if (read?.problem !== undefined && !reader.continuing && !reader.opensValueAt(lineNo)) problems(read.problem);
      if (read?.wrapped === true) {
        reader.push(text, lineNo, read.event);
        return;
      }
      // A document the AWS CLI printed, pasted under its command line (test-invoke-method's JSON, get-query-results,
      // filter-log-events): its events are read, not the object (unless a line form is forced). Only a line with no
      // `message` field gets here.
      if (
        read?.problem === undefined &&
        reader.form === undefined &&
        (DOCUMENT_KEYS.test(text) || (TEST_INVOKE_START.test(text) && text.includes('"log"'))) &&
        readPastedDocument(text, lineNo, reader, problems)
      )
        return;
    }
    reader.push(text, lineNo);
  };
  return new JsonObjectJoiner({ line, joined: (text, firstLine) => line(text, firstLine) });
}

/**
 * Reads a line (a JSON object joined back from the lines it was printed on, or printed on one) that is a document of
 * a known shape: test-invoke-method's JSON (its Test log), or a document of log events. Its events and problems point
 * at `lineNo`, the line the object starts on. False for any other line.
 */
function readPastedDocument(
  text: string,
  lineNo: number,
  reader: LineFormReader,
  problems: (problem: InputProblem) => void,
): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  const log = testInvokeLog(value);
  if (log !== undefined) {
    reader.readEmbedded(log, lineNo);
    return true;
  }
  if (!DOCUMENT_KEYS.test(text)) return false;
  const read = readJsonDocument(text);
  if (read === undefined) return false;
  for (const p of read.problems) problems({ ...p, line: lineNo });
  reader.readEvents(read.form, read.events, lineNo);
  const unread = read.unread;
  if (unread !== undefined) {
    // Rows that hold no log: counted as lines not recognised, shown as their fields.
    for (let i = 0; i < unread.count; i++) {
      const sample = unread.samples[Math.min(i, unread.samples.length - 1)];
      if (sample !== undefined) reader.countEvent(read.form, { message: sample.text, line: lineNo });
    }
  }
  return true;
}

/** What reading a whole input gave (parseInput). */
export interface InputRead {
  readonly events: LogEvent[];
  readonly problems: InputProblem[];
  readonly report: InputReport;
}

/**
 * Reads a whole input held in memory (a text, or its bytes, gzipped or not) in every form streamEvents reads, with
 * the same readers and the same events: for the responder's library users, fixtures and tests. Throws
 * BinaryInputError for bytes that are no text and InputFormatError for a broken gzip stream, as streamEvents does.
 */
export function parseInput(input: string | Uint8Array, options: { form?: InputForm } = {}): InputRead {
  const problems: InputProblem[] = [];
  const onProblem = (p: InputProblem): void => {
    problems.push(p);
  };
  let gzip = false;
  let text: string;
  let bytes: Buffer | undefined;
  let decodedProblems: InputProblem[] = [];
  if (typeof input === 'string') text = input;
  else {
    bytes = toBuffer(input);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      gzip = true;
      try {
        bytes = gunzipSync(bytes);
      } catch (error) {
        throw new InputFormatError(
          `the input starts like gzip but could not be decompressed (${(error as Error).message}); give the .gz file whole, or the log text`,
          { cause: error },
        );
      }
    }
    const binary = binaryReason(bytes.subarray(0, HEAD_BYTES));
    if (binary !== undefined) {
      throw binaryInputError(binary);
    }
    const decoded = decodeInput(bytes);
    decodedProblems = decoded.problems;
    text = decoded.text;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const forced = options.form;
  const mode = modeFor(forced, Buffer.from(text.slice(0, HEAD_BYTES), 'utf8'));
  const events: LogEvent[] = [];
  const reader = lineReader((e) => events.push(e), forced);
  reader.noticePaste(text.slice(0, HEAD_BYTES));
  let counts: DocumentCounts = { events: 0, skipped: 0 };
  // A filter-log-events document is read by the reader the stream reads it with, for the same events and problems.
  const doc =
    mode === 'document' && streamsDocument(forced)
      ? documentStream(reader, onProblem, (e) => events.push(e))
      : undefined;
  if (doc !== undefined) {
    const whole = bytes ?? Buffer.from(text, 'utf8');
    // In slices, as a file arrives: each slice's items are parsed at once, never the whole document.
    for (let at = 0; at < whole.length && doc.status !== 'whole'; at += DOCUMENT_SLICE) {
      doc.push(whole.subarray(at, at + DOCUMENT_SLICE));
    }
    doc.end();
  }
  if (doc !== undefined && doc.status !== 'whole') {
    counts = { form: 'filter-log-events-json', events: doc.events, skipped: doc.skipped };
  } else {
    // One problem per line with invalid bytes: a loop, since a spread of that many arguments overflows the stack.
    for (const p of decodedProblems) problems.push(p);
    if (mode === 'lines') {
      readWholeLines(text, reader, onProblem);
      reader.end();
    } else {
      counts = readWholeDocument(text, forced as DocumentForm | undefined, reader, onProblem, (read) => {
        for (const event of read) events.push(event);
      });
    }
  }
  const stats = reader.stats;
  const forcedReport = forced !== undefined ? forcedMatch(forced, stats, counts, () => text) : undefined;
  return {
    events,
    problems: problems.sort((a, b) => a.line - b.line),
    report: {
      gzip,
      lines: stats.lines + counts.skipped,
      ...withUnread(stats, counts),
      forms: stats.forms,
      unknownMessages: stats.unknownMessages,
      ...(forcedReport !== undefined ? { forced: forcedReport } : {}),
    },
  };
}
