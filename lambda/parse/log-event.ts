import { redact } from '../safety/redact.js';

/** One CloudWatch Logs event, as FilterLogEvents returns it or as a raw line read from a file. */
export interface LogEvent {
  readonly message: string;
  /** Epoch milliseconds, when known. */
  readonly timestamp?: number;
  readonly logStreamName?: string;
  /** The log group, when the reader knows it (FilterLogEvents reads one group at a time). */
  readonly logGroupName?: string;
  /** The 1-based line of the input the event starts on (after decompression), when read from a file or stdin. */
  readonly line?: number;
}

/** Which log a line came from. */
export type LogSource = 'execution' | 'access' | 'lambda';

/** Longest text kept of one line for evidence; the full line is still parsed for facts. */
export const MAX_KEPT_LINE_CHARS = 2_000;

/**
 * How far past the cut redaction looks: further than the longest value a redaction rule reads (8,192 characters),
 * so a pair that starts before the cut is redacted whole.
 */
const REDACT_BEYOND_CUT_CHARS = 10_000;

/** Cuts text to `max` characters, saying how much was cut. A cut text is redacted first. */
export function truncateText(text: string, max = MAX_KEPT_LINE_CHARS): string {
  if (text.length <= max) return text;
  // Redact before cutting: half a secret is not redacted as one (its closing quote is gone), whatever its characters.
  const redacted = redact(text.slice(0, max + REDACT_BEYOND_CUT_CHARS));
  const rest = redacted.length + (text.length - Math.min(text.length, max + REDACT_BEYOND_CUT_CHARS));
  if (redacted.length <= max)
    return rest === redacted.length ? redacted : `${redacted}… [${rest - redacted.length} more characters]`;
  // Cut before a token the limit would split.
  let end = max;
  while (end > max - 200 && /[A-Za-z0-9+/=_.~-]/.test(redacted.charAt(end - 1))) end--;
  if (end === max - 200) end = max;
  return `${redacted.slice(0, end)}… [${rest - end} more characters]`;
}

const EXECUTION_GROUP = /^API-Gateway-Execution-Logs_([a-z0-9]{10})\/([A-Za-z0-9_-]{1,128})$/;

/** REST API execution log groups are named `API-Gateway-Execution-Logs_{restApiId}/{stage}`. */
export function parseExecutionLogGroupName(name: string | undefined): { apiId: string; stage: string } | undefined {
  if (name === undefined) return undefined;
  const m = EXECUTION_GROUP.exec(name);
  return m?.[1] !== undefined && m[2] !== undefined ? { apiId: m[1], stage: m[2] } : undefined;
}
