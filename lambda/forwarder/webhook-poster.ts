/**
 * Posts a payload to a Slack incoming webhook, with a timeout per request and bounded retries.
 *
 * Retried: HTTP 429 (rate limited), 5xx, and network failures or timeouts, with exponential backoff and jitter; a
 * `Retry-After` header (seconds or an HTTP date) is waited out in full. Not retried: any other 4xx, which Slack
 * sends for a payload or a webhook that will not work on a second try (https://api.slack.com/messaging/webhooks#handling_errors).
 * Attempts are bounded by `maxAttempts` and by a deadline the caller sets inside the Lambda timeout; when either
 * runs out the poster throws, so the invocation fails and Lambda's retries and the on-failure destination keep the
 * message. The webhook URL never appears in an error message: Slack's answer is cut and redacted.
 */

import type { SlackWebhookPayload } from './slack-payload.js';
import { redactWebhookUrl } from './webhook-url.js';

/** The subset of the global `fetch` the poster uses. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** A webhook post that failed; `retryable` says whether another attempt later might succeed. */
export class SlackWebhookError extends Error {
  /** The last HTTP status Slack answered with; undefined when no answer came (network error, timeout). */
  readonly status: number | undefined;
  /** Slack's answer to the last attempt, cut and with any webhook URL redacted. */
  readonly responseBody: string | undefined;
  readonly attempts: number;
  readonly retryable: boolean;

  constructor(
    message: string,
    details: { status?: number; responseBody?: string; attempts: number; retryable: boolean },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SlackWebhookError';
    this.status = details.status;
    this.responseBody = details.responseBody;
    this.attempts = details.attempts;
    this.retryable = details.retryable;
  }
}

export interface WebhookPosterOptions {
  readonly fetch: FetchLike;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1) for the jitter. */
  readonly random: () => number;
  /** @default 5 */
  readonly maxAttempts?: number;
  /** @default 5000 */
  readonly requestTimeoutMs?: number;
  /** First backoff step. @default 500 */
  readonly baseDelayMs?: number;
  /** Largest backoff step (before jitter). @default 8000 */
  readonly maxDelayMs?: number;
}

export interface PostResult {
  readonly status: number;
  readonly attempts: number;
}

/** Most characters of Slack's answer kept in an error. */
export const MAX_RESPONSE_BODY_CHARS = 300;
/** Most bytes of Slack's answer read at all. */
const MAX_RESPONSE_BODY_BYTES = 4_096;
/** An attempt with less time than this left is not started. */
const MIN_ATTEMPT_MS = 250;
/** Added at random to a Retry-After wait, so that throttled senders do not all come back at once. */
const RETRY_AFTER_JITTER_MS = 250;

type AttemptOutcome =
  | { readonly kind: 'ok'; readonly status: number }
  | { readonly kind: 'fatal'; readonly status: number; readonly body: string }
  | {
      readonly kind: 'retry';
      readonly status?: number;
      readonly body?: string;
      readonly reason: string;
      readonly retryAfterMs?: number;
      readonly cause?: unknown;
    };

/**
 * The wait a `Retry-After` header asks for, in milliseconds: delta-seconds or an HTTP date
 * (https://www.rfc-editor.org/rfc/rfc9110#field.retry-after). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** What Slack's answer means and what to do, by status. */
function hintFor(status: number): string {
  if (status === 400) return 'the payload is not one Slack accepts; the responder renders it, so report this as a bug';
  if (status === 403)
    return 'the webhook was revoked or posting is restricted: create a new webhook and update the secret';
  if (status === 404)
    return 'the webhook no longer exists (app removed or channel deleted): create a new webhook and update the secret';
  if (status === 410) return 'the channel is archived: unarchive it or create a webhook for another channel';
  return 'see https://api.slack.com/messaging/webhooks#handling_errors';
}

export class SlackWebhookPoster {
  private readonly maxAttempts: number;
  private readonly requestTimeoutMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: WebhookPosterOptions) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 8_000;
  }

  /**
   * Posts `payload` to `url`, retrying as described above until `deadline` (milliseconds since the epoch).
   * @throws SlackWebhookError when Slack refuses the post, or no attempt succeeded within the attempts and the deadline
   */
  async post(url: URL, payload: SlackWebhookPayload, deadline: number): Promise<PostResult> {
    const body = JSON.stringify(payload);
    let last: Extract<AttemptOutcome, { kind: 'retry' }> | undefined;
    let attempts = 0;
    let gaveUpBecause = `all ${this.maxAttempts} attempts failed`;
    while (attempts < this.maxAttempts) {
      const remaining = deadline - this.options.now();
      if (remaining < MIN_ATTEMPT_MS) {
        gaveUpBecause = `the time budget ran out after ${attempts} attempt(s)`;
        break;
      }
      attempts += 1;
      const outcome = await this.attempt(url, body, Math.min(this.requestTimeoutMs, remaining));
      if (outcome.kind === 'ok') return { status: outcome.status, attempts };
      if (outcome.kind === 'fatal') {
        throw new SlackWebhookError(
          `Slack refused the webhook post with HTTP ${outcome.status}: ${JSON.stringify(outcome.body)} (not retried: ${hintFor(outcome.status)})`,
          { status: outcome.status, responseBody: outcome.body, attempts, retryable: false },
        );
      }
      last = outcome;
      if (attempts >= this.maxAttempts) break;
      const wait = this.delayBefore(attempts + 1, outcome.retryAfterMs);
      if (this.options.now() + wait + MIN_ATTEMPT_MS > deadline) {
        gaveUpBecause =
          outcome.retryAfterMs !== undefined
            ? `Slack asked to retry after ${Math.ceil(outcome.retryAfterMs / 1000)} s, past the time budget, after ${attempts} attempt(s)`
            : `the next attempt would not fit in the time budget, after ${attempts} attempt(s)`;
        break;
      }
      await this.options.sleep(wait);
    }
    const lastReason = last === undefined ? 'no attempt was made' : `last: ${last.reason}`;
    throw new SlackWebhookError(
      `Posting to the Slack webhook failed: ${gaveUpBecause} (${lastReason}); the invocation fails so that Lambda retries it and then keeps it in the failure queue`,
      {
        ...(last?.status !== undefined ? { status: last.status } : {}),
        ...(last?.body !== undefined ? { responseBody: last.body } : {}),
        attempts,
        retryable: true,
      },
      last?.cause !== undefined ? { cause: last.cause } : undefined,
    );
  }

  /** The wait before attempt `next` (2, 3, ...): Retry-After when given, else exponential backoff with jitter. */
  private delayBefore(next: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return retryAfterMs + Math.floor(this.options.random() * RETRY_AFTER_JITTER_MS);
    const step = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (next - 2));
    // "Equal jitter": at least half the step, so that retries never come back at once.
    return Math.floor(step / 2 + this.options.random() * (step / 2));
  }

  private async attempt(url: URL, body: string, timeoutMs: number): Promise<AttemptOutcome> {
    let response: Response;
    try {
      response = await this.options.fetch(url.href, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        // A webhook never redirects; following one could send the message elsewhere.
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return { kind: 'retry', reason: describeFailure(error, timeoutMs, url), cause: sanitizedCause(error, url) };
    }
    let text: string;
    try {
      text = await readBounded(response, MAX_RESPONSE_BODY_BYTES);
    } catch (error) {
      // The status arrived; a body cut off by the timeout or the network does not change what it means.
      text = `(answer unreadable: ${describeFailure(error, timeoutMs, url)})`;
    }
    const answer = cut(redactWebhookUrl(text.trim(), url), MAX_RESPONSE_BODY_CHARS);
    const { status } = response;
    if (status >= 200 && status < 300) return { kind: 'ok', status };
    if (status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.options.now());
      return {
        kind: 'retry',
        status,
        body: answer,
        reason: `HTTP ${status} ${JSON.stringify(answer)}${retryAfterMs !== undefined ? `, Retry-After ${Math.ceil(retryAfterMs / 1000)} s` : ''}`,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    return { kind: 'fatal', status, body: answer };
  }
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Reads at most `maxBytes` of the body and drops the rest. */
async function readBounded(response: Response, maxBytes: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    // Frees the connection when the answer was longer than we read.
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes));
}

/** One line about a failed request, without the URL: timeout, or the network error code. */
function describeFailure(error: unknown, timeoutMs: number, url: URL): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
    const cause = (error as { cause?: unknown }).cause;
    const code =
      typeof cause === 'object' && cause !== null && typeof (cause as { code?: unknown }).code === 'string'
        ? (cause as { code: string }).code
        : undefined;
    return redactWebhookUrl(`${error.name}: ${error.message}${code !== undefined ? ` (${code})` : ''}`, url);
  }
  return redactWebhookUrl(String(error), url);
}

/** The error to keep as `cause`: the original unless its message carries the URL. */
function sanitizedCause(error: unknown, url: URL): unknown {
  if (!(error instanceof Error)) return undefined;
  const text = `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}`;
  return redactWebhookUrl(text, url) === text ? error : undefined;
}
