import { gunzipSync } from 'node:zlib';
import { parseJsonAccessLine } from '../access-log.js';
import type { LogEvent } from '../log-event.js';

/**
 * The document forms of API Gateway's logs: read whole (their events are known only once the document has been
 * parsed). Each gives the LogEvents CloudWatch holds, message exactly as written, with the timestamp, stream and
 * group the form carries, and the input line each event starts on.
 */
export type DocumentForm =
  /** `aws logs filter-log-events` / `get-log-events` JSON (`{"events": [...]}`), or a JSON array of events. */
  | 'filter-log-events-json'
  /** `aws logs get-query-results` JSON, and the Logs Insights console's "Export results" JSON. */
  | 'insights-json'
  /** The Logs Insights console's "Export results" CSV, and the CloudWatch console's CSV download. */
  | 'insights-csv'
  /** The Logs Insights console's "Export results" Markdown table. */
  | 'insights-markdown'
  /** A subscription filter payload (Lambda, Firehose, Kinesis): gzipped JSON with `logEvents`, raw or base64. */
  | 'subscription'
  /** `aws apigateway test-invoke-method` JSON: the console Test's log in its `log` field. */
  | 'test-invoke-json';

export const DOCUMENT_FORMS: readonly DocumentForm[] = [
  'filter-log-events-json',
  'insights-json',
  'insights-csv',
  'insights-markdown',
  'subscription',
  'test-invoke-json',
];

export const DOCUMENT_FORM_NAMES: Readonly<Record<DocumentForm, string>> = {
  'filter-log-events-json': 'the JSON of `aws logs filter-log-events` / `get-log-events`',
  'insights-json': 'Logs Insights results (JSON)',
  'insights-csv': 'a CSV of log events (Logs Insights export or console download)',
  'insights-markdown': 'a Logs Insights Markdown table',
  subscription: 'a CloudWatch Logs subscription / Firehose payload',
  'test-invoke-json': 'the JSON of `aws apigateway test-invoke-method`',
};

/** A part of a document that could not be read as intended. */
export interface DocumentProblem {
  readonly line: number;
  readonly reason: string;
}

export interface DocumentRead {
  readonly form: DocumentForm;
  readonly events: LogEvent[];
  readonly problems: DocumentProblem[];
  /** Items the document held that are no log event (rows without a message, control messages). */
  readonly skipped: number;
  /** The text of a Test log found inside (test-invoke-method's `log`), to be read as lines. */
  readonly testLog?: string;
  /** The input line the object that holds the Test log starts on: its events point there. */
  readonly testLogLine?: number;
  /** Rows of query results that hold no log (no `@message`, no access log field): unread, to be reported as such. */
  readonly unread?: UnreadRows;
}

/** Rows that hold no log: how many, and the first few (their line, their fields as JSON) to show. */
export interface UnreadRows {
  count: number;
  readonly samples: Array<{ line: number; text: string }>;
}

const MAX_UNREAD_SAMPLES = 3;

function noteUnread(out: { unread?: UnreadRows }, line: number, fields: Record<string, unknown>): void {
  const unread = out.unread ?? { count: 0, samples: [] };
  out.unread = unread;
  unread.count++;
  if (unread.samples.length < MAX_UNREAD_SAMPLES) unread.samples.push({ line, text: JSON.stringify(fields) });
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Epoch milliseconds from a number, digits, ISO 8601, or Logs Insights' `2026-11-25 03:12:05.123` (UTC). */
export function timestampOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^\d{10,16}$/.test(value)) return Number(value);
  const insights = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d{1,9})?)$/.exec(value);
  const n = Date.parse(insights !== null ? `${insights[1]}T${insights[2]}Z` : value);
  return Number.isFinite(n) ? n : undefined;
}

/** CloudWatch keeps the newline a runtime printed at the end of a message; it carries no meaning. */
function stripTrailingNewline(message: string): string {
  return message.endsWith('\n') ? message.replace(/\r?\n$/, '') : message;
}

/**
 * The `@message` of a Logs Insights row as text. The console's "Export results" JSON writes a message that is JSON
 * (an access log record, a structured function log) as an object, not a string (real exports:
 * CSSE6400/2024-P8-dannymaate and rajesh-gomase-omf/failed_mutation_processing_from_cwlogs logs-insights-results.json):
 * it is read back as one line of JSON, with the same fields and values.
 */
function insightsMessage(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return isRecord(value) ? JSON.stringify(value) : undefined;
}

/** Whether an item of a list of events is a Logs Insights row (its `@message` a string or an object). */
export function hasInsightsMessage(item: unknown): boolean {
  return isRecord(item) && insightsMessage(item['@message']) !== undefined;
}

/** An event from an object with CloudWatch's field names (`message`) or Logs Insights' (`@message`). */
export function eventOf(item: unknown, line: number | undefined): LogEvent | undefined {
  if (!isRecord(item)) return undefined;
  const message = typeof item.message === 'string' ? item.message : insightsMessage(item['@message']);
  if (message === undefined) return undefined;
  const event: Mutable<LogEvent> = { message: stripTrailingNewline(message) };
  const ts = timestampOf(item.timestamp ?? item['@timestamp']);
  if (ts !== undefined) event.timestamp = ts;
  const stream = item.logStreamName ?? item['@logStream'] ?? item.logStream;
  if (typeof stream === 'string' && stream !== '') event.logStreamName = stream;
  const group = item.logGroupName ?? groupOfInsightsLog(item['@log']) ?? item.logGroup;
  if (typeof group === 'string' && group !== '') event.logGroupName = group;
  if (line !== undefined) event.line = line;
  return event;
}

/**
 * An event from a Logs Insights row without `@message` whose fields are those of an API Gateway access log record
 * (`fields @timestamp, status, routeKey, integrationErrorMessage`, the access log's own field names): its message is
 * that record as a JSON access log line (the fields as named, Logs Insights' own `@` fields left out). Without a
 * status among them, the record's error text alone (`integrationErrorMessage`, `errorMessage`, ...) is its message,
 * as a value quoted on its own is read: the record of one request, its status unknown. Undefined when the row holds
 * neither.
 */
export function accessEventOf(row: Record<string, unknown>, line: number | undefined): LogEvent | undefined {
  const record: Record<string, unknown> = {};
  let fields = 0;
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('@') || value === undefined || value === null || value === '') continue;
    record[key] = value;
    fields++;
  }
  if (fields === 0) return undefined;
  let message: string | undefined;
  if (parseJsonAccessLine(record) !== undefined) message = JSON.stringify(record);
  else {
    for (const [key, value] of Object.entries(record)) {
      if (typeof value !== 'string' || !ERROR_KEYS.has(normalizeFieldName(key))) continue;
      const text = value.trim();
      if (text !== '' && text !== '-') {
        message = text;
        break;
      }
    }
  }
  return message !== undefined ? eventOf({ ...row, '@message': message }, line) : undefined;
}

/** The access log fields that carry an error's text (`$context.integrationErrorMessage`, `$context.error.message`, ...). */
const ERROR_KEYS: ReadonlySet<string> = new Set([
  'integrationerrormessage',
  'errormessage',
  'errormessagestring',
  'integrationerror',
  'authorizererror',
  'error',
]);

/** A field name as access log readers compare them: without `$context.`, dots, dashes and underscores, lower case. */
function normalizeFieldName(key: string): string {
  return key
    .replace(/^\$?context\./i, '')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
}

/** Logs Insights' `@log` is `<account id>:<log group name>`. */
function groupOfInsightsLog(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\d{12}:(.+)$/.exec(value);
  return m?.[1] ?? value;
}

/**
 * The 1-based lines on which `"key"` occurs as a JSON key or string token, in order (a quote inside a JSON string
 * is always escaped, so an unescaped `"key"` is a token of the document itself).
 */
function tokenLines(text: string, token: string): number[] {
  const lines: number[] = [];
  const needle = `"${token}"`;
  let line = 1;
  // The next newline not yet counted (found with indexOf: a document of a million events has hundreds of millions
  // of characters, too many to look at one by one).
  let newline = text.indexOf('\n');
  let at = text.indexOf(needle);
  while (at !== -1) {
    if (text.charCodeAt(at - 1) !== 92 /* \ */) {
      while (newline !== -1 && newline < at) {
        line++;
        newline = text.indexOf('\n', newline + 1);
      }
      lines.push(line);
    }
    at = text.indexOf(needle, at + needle.length);
  }
  return lines;
}

/** The values of a text of concatenated JSON documents (Firehose writes records to S3 back to back: `}{`). */
function parseConcatenated(text: string): Array<{ value: unknown; line: number }> | undefined {
  const values: Array<{ value: unknown; line: number }> = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  let line = 1;
  let startLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (depth === 0) {
        start = i;
        startLine = line;
      }
      depth++;
    } else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0 && start !== -1) {
        try {
          values.push({ value: JSON.parse(text.slice(start, i + 1)), line: startLine });
        } catch {
          return undefined;
        }
        start = -1;
      }
    } else if (depth === 0 && c !== 32 && c !== 9 && c !== 10 && c !== 13) return undefined; // JSON's whitespace only
  }
  return depth === 0 && values.length > 0 ? values : undefined;
}

const BASE64_GZIP = /^H4sI[A-Za-z0-9+/]+={0,2}$/;

/** Whether a text is base64 of gzip (a subscription payload as Lambda or Firehose hands it over), one per line. */
export function looksLikeBase64Gzip(text: string): boolean {
  const first = text.trimStart().split('\n', 1)[0]?.trim() ?? '';
  return BASE64_GZIP.test(first);
}

/**
 * Reads a JSON document (or JSON documents one after another) in any of the JSON forms; undefined when the text is
 * no JSON document of a known shape (it is then read as lines).
 */
export function readJsonDocument(text: string): DocumentRead | undefined {
  let values: Array<{ value: unknown; line: number }>;
  try {
    values = [{ value: JSON.parse(text), line: 1 }];
  } catch {
    const concatenated = parseConcatenated(text);
    if (concatenated === undefined) return undefined;
    values = concatenated;
  }
  const out: Mutable<DocumentRead> & { events: LogEvent[]; problems: DocumentProblem[] } = {
    form: 'filter-log-events-json',
    events: [],
    problems: [],
    skipped: 0,
  };
  let known = false;
  const single = values.length === 1;
  for (const { value, line } of values) {
    if (readJsonValue(value, line, single ? text : undefined, out, 0)) known = true;
  }
  return known ? out : undefined;
}

const NO_MESSAGE_FIELD =
  'the query results hold no @message field and no access log field (status, requestId, integrationErrorMessage, ...): ' +
  'run the query with `fields @timestamp, @message, @logStream, @log`';

/** A Logs Insights row (the console's JSON export): an object with a field of Logs Insights' own (`@timestamp`, `@ptr`). */
function isInsightsRow(item: unknown): boolean {
  return isRecord(item) && ('@timestamp' in item || '@ptr' in item || '@log' in item || '@logStream' in item);
}

function readJsonValue(
  value: unknown,
  line: number,
  text: string | undefined,
  out: Mutable<DocumentRead> & { events: LogEvent[]; problems: DocumentProblem[] },
  nesting: number,
): boolean {
  if (nesting > 3) return false;
  // A list of events (filter-log-events' `events`, or an array, the Logs Insights console's JSON export).
  const list = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.events) ? value.events : undefined;
  // The console's JSON export of a query without @message: every item a row of Logs Insights' fields.
  const rows = Array.isArray(value) && list !== undefined && list.length > 0 && list.every(isInsightsRow);
  if (list !== undefined && (list.length === 0 || rows || list.some((i) => eventOf(i, undefined) !== undefined))) {
    const insights = rows || list.some(hasInsightsMessage);
    out.form = insights ? 'insights-json' : 'filter-log-events-json';
    const lines = text !== undefined ? tokenLines(text, insights ? '@message' : 'message') : [];
    const rowLines = rows && text !== undefined ? tokenLines(text, Object.keys(list[0] as object)[0] ?? '') : [];
    list.forEach((item: unknown, index: number) => {
      const at = lines.length === list.length ? lines[index] : line;
      let event = eventOf(item, at);
      if (event === undefined && insights && isRecord(item)) {
        const rowLine = rowLines.length === list.length ? rowLines[index] : line;
        event = accessEventOf(item, rowLine);
        if (event === undefined) {
          // A row that holds no log: reported with the unread lines (and NO_MESSAGE_FIELD when no row holds one).
          out.skipped++;
          noteUnread(out, rowLine ?? line, item);
          return;
        }
      }
      if (event === undefined) {
        out.skipped++;
        out.problems.push({ line, reason: `events[${index}] has no string "message" field; skipped` });
      } else out.events.push(event);
    });
    if (insights && out.skipped > 0 && out.events.length === 0) out.problems.push({ line, reason: NO_MESSAGE_FIELD });
    return true;
  }
  if (!isRecord(value)) return false;
  // aws logs get-query-results: {"results": [[{"field": "@timestamp", "value": ...}, ...], ...], "status": ...}
  if (Array.isArray(value.results)) {
    out.form = 'insights-json';
    const lines = text !== undefined ? tokenLines(text, '@message') : [];
    // Each row's line: that of its first cell (a quote inside a value is escaped, so `"field"` is always a key).
    const cellLines = text !== undefined ? tokenLines(text, 'field') : [];
    let withMessage = 0;
    let cells = 0;
    for (const row of value.results) {
      if (!Array.isArray(row)) continue;
      const fields: Record<string, unknown> = {};
      for (const cell of row) {
        if (isRecord(cell) && typeof cell.field === 'string') fields[cell.field] = cell.value;
      }
      const rowLine = cellLines[cells] ?? line;
      cells += row.length;
      const at = typeof fields['@message'] === 'string' ? lines[withMessage++] : undefined;
      const event = eventOf(fields, at ?? line) ?? accessEventOf(fields, rowLine);
      if (event !== undefined) out.events.push(event);
      else {
        out.skipped++;
        noteUnread(out, rowLine, fields);
      }
    }
    if (out.skipped > 0 && out.events.length === 0) out.problems.push({ line, reason: NO_MESSAGE_FIELD });
    return true;
  }
  // A subscription filter payload: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
  if (
    typeof value.messageType === 'string' &&
    (Array.isArray(value.logEvents) || value.messageType !== 'DATA_MESSAGE')
  ) {
    out.form = 'subscription';
    if (value.messageType !== 'DATA_MESSAGE' || !Array.isArray(value.logEvents)) {
      out.skipped++;
      return true;
    }
    const group = typeof value.logGroup === 'string' ? value.logGroup : undefined;
    const stream = typeof value.logStream === 'string' ? value.logStream : undefined;
    for (const item of value.logEvents) {
      const event = eventOf(item, line) as Mutable<LogEvent> | undefined;
      if (event === undefined) {
        out.skipped++;
        continue;
      }
      if (group !== undefined) event.logGroupName = group;
      if (stream !== undefined) event.logStreamName = stream;
      out.events.push(event);
    }
    return true;
  }
  // The event a subscription hands to Lambda: {"awslogs": {"data": "<base64 gzip>"}}.
  if (isRecord(value.awslogs) && typeof value.awslogs.data === 'string') {
    return readEncoded([value.awslogs.data], line, out, nesting);
  }
  // A Firehose transformation event ({"records": [{"data": ...}]}) or a Kinesis stream event ({"Records": [{"kinesis": {"data"}}]}).
  const records = Array.isArray(value.records)
    ? value.records
    : Array.isArray(value.Records)
      ? value.Records
      : undefined;
  if (records !== undefined) {
    const data = records
      .map((r: unknown) => (isRecord(r) ? (isRecord(r.kinesis) ? r.kinesis.data : r.data) : undefined))
      .filter((d: unknown): d is string => typeof d === 'string');
    if (data.length > 0) return readEncoded(data, line, out, nesting);
  }
  const log = testInvokeLog(value);
  if (log !== undefined) {
    out.form = 'test-invoke-json';
    out.testLog = log;
    out.testLogLine = line;
    return true;
  }
  return false;
}

/**
 * The Test log of `aws apigateway test-invoke-method`'s JSON (`{"status": 502, "log": "Execution log for request
 * ...", ...}`), read wherever that object is: a whole document, or a line of a paste (joined back first when it was
 * printed over several lines, as the CLI prints it under its command line).
 */
export function testInvokeLog(value: unknown): string | undefined {
  return isRecord(value) && typeof value.log === 'string' && value.log.startsWith('Execution log for request')
    ? value.log
    : undefined;
}

function readEncoded(
  data: readonly string[],
  line: number,
  out: Mutable<DocumentRead> & { events: LogEvent[]; problems: DocumentProblem[] },
  nesting: number,
): boolean {
  let known = false;
  for (const item of data) {
    const decoded = decodePayload(item);
    if (decoded === undefined) {
      out.problems.push({ line, reason: 'a record is not base64 of gzipped JSON; skipped' });
      continue;
    }
    const inner = parseConcatenated(decoded);
    if (inner === undefined) {
      out.problems.push({ line, reason: 'a decoded record is not JSON; skipped' });
      continue;
    }
    for (const v of inner) if (readJsonValue(v.value, line, undefined, out, nesting + 1)) known = true;
  }
  out.form = 'subscription';
  return known;
}

/** Base64 of gzip (or of plain JSON, as Firehose hands over records it has already decompressed). */
function decodePayload(data: string): string | undefined {
  const bytes = Buffer.from(data.trim(), 'base64');
  if (bytes.length === 0) return undefined;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes).toString('utf8');
    } catch {
      return undefined;
    }
  }
  const text = bytes.toString('utf8');
  return text.trimStart().startsWith('{') ? text : undefined;
}

/** Reads base64 subscription payloads, one per line. */
export function readBase64Payloads(text: string): DocumentRead {
  const out: Mutable<DocumentRead> & { events: LogEvent[]; problems: DocumentProblem[] } = {
    form: 'subscription',
    events: [],
    problems: [],
    skipped: 0,
  };
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    if (!readEncoded([line], index + 1, out, 0)) {
      out.problems.push({ line: index + 1, reason: 'not a subscription payload (base64 of gzipped JSON); skipped' });
    }
  });
  return out;
}

// ----- CSV and Markdown tables ---------------------------------------------------------------------------------

const MESSAGE_COLUMNS = new Set(['@message', 'message']);

/** Logs Insights' own fields that a query's table may have without `@message`. */
const INSIGHTS_COLUMNS = new Set(['@timestamp', '@ptr', '@log', '@logStream', '@ingestionTime']);

/**
 * Whether the first line is the header of a table of log events: a column named `@message` or `message`, or a Logs
 * Insights export of a query without `@message` (a column of Logs Insights' own, such as `@timestamp`, and another).
 */
export function tableHeaderForm(firstLine: string): 'insights-csv' | 'insights-markdown' | undefined {
  const line = firstLine.trim();
  const isHeader = (cells: readonly string[]): boolean =>
    cells.some((c) => MESSAGE_COLUMNS.has(c)) ||
    (cells.length >= 2 && cells.some((c) => INSIGHTS_COLUMNS.has(c)) && cells.some((c) => !c.startsWith('@')));
  if (line.startsWith('|')) {
    return isHeader(splitMarkdownRow(line).map((c) => c.trim())) ? 'insights-markdown' : undefined;
  }
  const cells = splitCsv(line)?.rows[0]?.cells;
  return cells !== undefined && cells.length >= 2 && isHeader(cells.map((c) => c.trim())) ? 'insights-csv' : undefined;
}

interface CsvRow {
  readonly cells: string[];
  readonly line: number;
}

/** RFC 4180: fields quoted with `"` may hold commas, newlines and `""`. */
function splitCsv(text: string): { rows: CsvRow[] } | undefined {
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.length > 1 || cells[0] !== '') rows.push({ cells, line: rowLine });
      cells = [];
      cell = '';
      line++;
      rowLine = line;
    } else cell += c;
  }
  if (quoted) return undefined;
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    rows.push({ cells, line: rowLine });
  }
  return { rows };
}

function splitMarkdownRow(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  // A `|` inside a cell is written `\|`.
  return body.split(/(?<!\\)\|/).map((c) => c.replace(/\\\|/g, '|'));
}

function rowsToEvents(form: DocumentForm, header: string[], rows: readonly CsvRow[]): DocumentRead {
  const names = header.map((h) => h.trim());
  const message = names.findIndex((n) => MESSAGE_COLUMNS.has(n));
  const events: LogEvent[] = [];
  const problems: DocumentProblem[] = [];
  const out: { unread?: UnreadRows } = {};
  let skipped = 0;
  for (const row of rows) {
    const item: Record<string, unknown> = {};
    names.forEach((name, i) => {
      item[name] = row.cells[i];
    });
    if (form === 'insights-markdown' && message === names.length - 1 && row.cells.length > names.length) {
      // A message with an unescaped `|`: the rest of the row is the message.
      item[names[message] ?? '@message'] = row.cells.slice(message).join('|');
    }
    if (message === -1) {
      // A query without @message: the row's fields are those of an access log record, or no log.
      const event = accessEventOf(item, row.line);
      if (event !== undefined) events.push(event);
      else {
        skipped++;
        noteUnread(out, row.line, item);
      }
      continue;
    }
    const event = eventOf(item, row.line);
    if (event === undefined || event.message === '') {
      skipped++;
      problems.push({ line: row.line, reason: 'row without a message; skipped' });
    } else events.push(event);
  }
  if (message === -1 && events.length === 0 && skipped > 0) problems.push({ line: 1, reason: NO_MESSAGE_FIELD });
  return { form, events, problems, skipped, ...(out.unread !== undefined ? { unread: out.unread } : {}) };
}

/** Reads a CSV of log events with a header row (`@timestamp,@message,...` or `timestamp,message`). */
export function readCsv(text: string): DocumentRead | undefined {
  const parsed = splitCsv(text);
  const [header, ...rows] = parsed?.rows ?? [];
  if (header === undefined) return undefined;
  return rowsToEvents('insights-csv', header.cells, rows);
}

/** Reads a Markdown table of log events (`| @timestamp | @message |`, then `|---|---|`, then rows). */
export function readMarkdownTable(text: string): DocumentRead | undefined {
  const lines = text.split('\n');
  const header = lines[0];
  if (header === undefined) return undefined;
  const rows: CsvRow[] = [];
  lines.slice(1).forEach((raw, index) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || /^\|?\s*:?-{3,}/.test(line)) return;
    // Cells are trimmed: Markdown pads them with one space each side.
    rows.push({ cells: splitMarkdownRow(line).map((c) => c.trim()), line: index + 2 });
  });
  return rowsToEvents('insights-markdown', splitMarkdownRow(header), rows);
}
