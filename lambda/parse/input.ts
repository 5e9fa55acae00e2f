import type { LogEvent } from './log-event.js';

/** A part of the input that could not be read as intended; reading went on. */
export interface InputProblem {
  /** 1-based line number in the input (for a whole-document problem, 1). */
  readonly line: number;
  readonly reason: string;
}

export type InputFormat = 'empty' | 'filter-log-events-json' | 'json-lines' | 'raw-lines';

export interface ParsedInput {
  readonly format: InputFormat;
  readonly events: LogEvent[];
  readonly problems: InputProblem[];
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes bytes as UTF-8. Invalid sequences become U+FFFD and each line that held one is reported,
 * so a corrupted line is still read (its valid text may be the only evidence there is).
 */
export function decodeInput(bytes: Uint8Array): { text: string; problems: InputProblem[] } {
  try {
    return { text: strictDecoder.decode(bytes), problems: [] };
  } catch {
    const text = decoder.decode(bytes);
    const problems: InputProblem[] = [];
    let line = 1;
    let reported = -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      else if (c === 0xfffd && reported !== line) {
        problems.push({ line, reason: 'invalid UTF-8 bytes replaced with U+FFFD' });
        reported = line;
      }
    }
    return { text, problems };
  }
}

/**
 * Reads CloudWatch's own three shapes and says which it found (the salvage of a broken `filter-log-events` document
 * included); every other form is read by `parseInput` in input-stream.ts, which falls back on this one:
 * - the JSON document `aws logs filter-log-events` (or `get-log-events`) prints: `{"events": [...]}`;
 * - JSON lines, each an object with a `message` field (`timestamp`, `logStreamName`, `logGroupName` used when present);
 * - raw log lines, one event per line (a JSON line without `message`, such as a JSON access log line, is a raw line).
 */
export function parseCloudWatchInput(text: string): ParsedInput {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const trimmed = body.trimStart();
  if (trimmed === '') return { format: 'empty', events: [], problems: [] };

  if (trimmed.startsWith('[') || looksLikeMultiLineDocument(trimmed)) {
    const whole = parseDocument(body);
    if (whole !== undefined) return whole;
  }
  return parseLines(body);
}

/** A pretty-printed JSON document starts with a line that is only `{` (or `{"events": [`). */
function looksLikeMultiLineDocument(trimmed: string): boolean {
  const firstLineEnd = trimmed.indexOf('\n');
  const first = (firstLineEnd === -1 ? trimmed : trimmed.slice(0, firstLineEnd)).trim();
  if (first === '{') return true;
  // A one-line document: {"events":[...]} printed with --output json and jq -c.
  return first.startsWith('{') && /^\{\s*"(events|searchedLogStreams|nextToken|nextForwardToken)"/.test(first);
}

function parseDocument(body: string): ParsedInput | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (error) {
    // A pretty-printed document that does not parse (cut short, edited by hand): keep every message we can read.
    // Only a pretty-printed document (first line `{` or `[` alone) is salvaged; anything else is read line by line
    // (a raw line may start with `[`, like Python's `[ERROR] KeyError: 'id'`).
    const firstLine = body.trimStart().split('\n', 1)[0]?.trim();
    if (firstLine !== '{' && firstLine !== '[') return undefined;
    const salvaged = salvageDocument(body, errorText(error));
    return salvaged.events.length > 0 ? salvaged : undefined;
  }
  const list = Array.isArray(doc) ? doc : isRecord(doc) && Array.isArray(doc.events) ? doc.events : undefined;
  if (list === undefined) return undefined;
  const events: LogEvent[] = [];
  const problems: InputProblem[] = [];
  list.forEach((item: unknown, index: number) => {
    const event = toEvent(item);
    if (event === undefined) {
      problems.push({ line: 1, reason: `events[${index}] has no string "message" field; skipped` });
    } else {
      events.push(event);
    }
  });
  return { format: 'filter-log-events-json', events, problems };
}

const FIELD_LINE = /^\s*"(message|logStreamName|timestamp|logGroupName)"\s*:\s*(".*"|\d+)\s*,?\s*$/;

/** Reads `"field": value` lines of a broken pretty-printed document, one event per `"message"`. */
function salvageDocument(body: string, why: string): ParsedInput {
  const events: LogEvent[] = [];
  const problems: InputProblem[] = [
    { line: 1, reason: `not a valid JSON document (${why}); read its "message" fields line by line` },
  ];
  let pending: Record<string, unknown> = {};
  const lines = body.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const m = FIELD_LINE.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) {
      const parsed = tryParseJson(m[2]);
      if (parsed.ok) pending[m[1]] = parsed.value;
      else problems.push({ line: index + 1, reason: `malformed JSON value (${parsed.error}); skipped` });
      return;
    }
    if (/^\s*}/.test(line) && pending.message !== undefined) {
      const event = toEvent(pending);
      if (event !== undefined) events.push(event);
      pending = {};
    }
  });
  if (pending.message !== undefined) {
    const event = toEvent(pending);
    if (event !== undefined) events.push(event);
  }
  return { format: 'filter-log-events-json', events, problems };
}

function parseLines(body: string): ParsedInput {
  const events: LogEvent[] = [];
  const problems: InputProblem[] = [];
  let wrapped = 0;
  let lineNo = 0;
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    lineNo++;
    const line = body.slice(start, end);
    start = end + 1;
    const read = readLine(line, lineNo);
    if (read !== undefined) {
      if (read.problem !== undefined) problems.push(read.problem);
      if (read.wrapped) wrapped++;
      events.push(read.event);
    }
    if (end === body.length) break;
  }
  return { format: wrapped > 0 && wrapped * 2 >= events.length ? 'json-lines' : 'raw-lines', events, problems };
}

/** One line of a line-oriented input. */
export interface LineRead {
  readonly event: LogEvent;
  /** The line was a JSON object with a `message` (JSON lines), not a raw log line. */
  readonly wrapped: boolean;
  readonly problem?: InputProblem;
}

/**
 * Reads one line of raw log lines or JSON lines (a trailing CR is dropped); undefined for a blank line. A JSON
 * line with a `message` field is that event; any other line, a JSON access log line included, is a raw line.
 */
export function readLine(raw: string, lineNo: number, keepLine = false): LineRead | undefined {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line.trim() === '') return undefined;
  if (!line.startsWith('{')) return { event: { message: line }, wrapped: false };
  const parsed = tryParseJson(line);
  if (!parsed.ok) {
    return {
      event: { message: line },
      wrapped: false,
      problem: { line: lineNo, reason: `malformed JSON (${parsed.error}); read as raw text` },
    };
  }
  if (isClientBody(parsed.value)) return { event: { message: line }, wrapped: false };
  const event = toEvent(parsed.value, keepLine ? lineNo : undefined);
  return event !== undefined ? { event, wrapped: true } : { event: { message: line }, wrapped: false };
}

/** What API Gateway answers a client with when a request fails (the body of its default gateway responses). */
const CLIENT_BODY_MESSAGE =
  /^(?:Internal server error|Endpoint request timed out|Service Unavailable|Network error communicating with endpoint)$/i;

/**
 * `{"message": "Endpoint request timed out"}` alone: the body a client received (a pasted `curl -i` transcript), no
 * log event. A CloudWatch event has its timestamp, stream or id beside its message; the request's own log lines say
 * what failed.
 */
function isClientBody(value: unknown): boolean {
  if (!isRecord(value) || typeof value.message !== 'string') return false;
  return Object.keys(value).length === 1 && CLIENT_BODY_MESSAGE.test(value.message);
}

export function toEvent(item: unknown, line?: number): LogEvent | undefined {
  if (!isRecord(item) || typeof item.message !== 'string') return undefined;
  const event: { -readonly [K in keyof LogEvent]: LogEvent[K] } = { message: stripTrailingNewline(item.message) };
  const ts = item.timestamp;
  if (typeof ts === 'number' && Number.isFinite(ts)) event.timestamp = ts;
  else if (typeof ts === 'string' && ts !== '') {
    const n = /^\d+$/.test(ts) ? Number(ts) : Date.parse(ts);
    if (Number.isFinite(n)) event.timestamp = n;
  }
  if (typeof item.logStreamName === 'string') event.logStreamName = item.logStreamName;
  if (typeof item.logGroupName === 'string') event.logGroupName = item.logGroupName;
  if (line !== undefined) event.line = line;
  return event;
}

/** CloudWatch keeps the newline a runtime printed at the end of a message; it carries no meaning. */
function stripTrailingNewline(message: string): string {
  return message.endsWith('\n') ? message.replace(/\r?\n$/, '') : message;
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
