/**
 * The forwarder's work for one invocation: each SNS record's message becomes a Slack webhook payload and is posted.
 * Everything it talks to is passed in (ports): the webhook URL source, the poster, the clock, the log.
 */
import { FORWARDER_SAFETY_MARGIN_MS } from './forwarder-config.js';
import { toSlackPayload } from './slack-payload.js';
import { type PostResult, SlackWebhookError } from './webhook-poster.js';
import { redactWebhookUrl } from './webhook-url.js';

/** The event is not what an SNS subscription delivers. */
export class ForwarderEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForwarderEventError';
  }
}

/** One record of the event SNS invokes a subscribed function with (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html). */
export interface SnsRecordMessage {
  readonly messageId: string | undefined;
  readonly message: string;
  /** String message attributes (cause, api, stage, status, state), for the log. */
  readonly attributes: Readonly<Record<string, string>>;
}

export type LogFunction = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

export interface ForwardDeps {
  readonly webhookUrl: { get(): Promise<URL>; invalidate(): void };
  readonly poster: {
    post(url: URL, payload: ReturnType<typeof toSlackPayload>, deadline: number): Promise<PostResult>;
  };
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Time left in the invocation (Lambda's `getRemainingTimeInMillis`). @default - only `maxBudgetMs` bounds the work */
  readonly remainingMs?: () => number;
  /** Most milliseconds one invocation spends posting. */
  readonly maxBudgetMs: number;
  readonly log: LogFunction;
}

export interface ForwardOutcome {
  readonly posted: number;
}

/** Statuses after which the cached webhook URL is dropped: the next try reads the secret again (it may be rotated). */
const STALE_URL_STATUSES = new Set([403, 404, 410]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The messages of an SNS event, in order.
 * @throws ForwarderEventError when the event is not an SNS event
 */
export function snsMessagesOf(event: unknown): SnsRecordMessage[] {
  const records = isRecord(event) ? event.Records : undefined;
  if (!Array.isArray(records) || records.length === 0) {
    throw new ForwarderEventError(
      'The event has no Records: the forwarder handles SNS events only; subscribe it to the responder topic',
    );
  }
  return records.map((record: unknown, i: number) => {
    const sns = isRecord(record) ? record.Sns : undefined;
    if (!isRecord(sns) || typeof sns.Message !== 'string') {
      throw new ForwarderEventError(
        `Records[${i}] has no Sns.Message string: the forwarder handles SNS events only; subscribe it to the responder topic`,
      );
    }
    const attributes: Record<string, string> = {};
    if (isRecord(sns.MessageAttributes)) {
      for (const [name, attribute] of Object.entries(sns.MessageAttributes)) {
        if (isRecord(attribute) && typeof attribute.Value === 'string') attributes[name] = attribute.Value;
      }
    }
    return {
      messageId: typeof sns.MessageId === 'string' ? sns.MessageId : undefined,
      message: sns.Message,
      attributes,
    };
  });
}

/**
 * Posts every message of an SNS event to the webhook. SNS delivers one record per invocation; should there be more,
 * they are posted in order and the first failure stops the invocation.
 *
 * @throws ForwarderEventError for an event that is not from SNS
 * @throws WebhookSecretError when the webhook URL cannot be read
 * @throws SlackWebhookError when Slack refuses the post or no attempt succeeded in time
 */
export async function forwardSnsEvent(event: unknown, deps: ForwardDeps): Promise<ForwardOutcome> {
  const start = deps.now();
  const remaining = deps.remainingMs !== undefined ? deps.remainingMs() - FORWARDER_SAFETY_MARGIN_MS : Infinity;
  const deadline = start + Math.max(0, Math.min(deps.maxBudgetMs, remaining));
  const messages = snsMessagesOf(event);
  let posted = 0;
  for (const { messageId, message, attributes } of messages) {
    const context = { messageId, ...attributes };
    let url: URL | undefined;
    try {
      url = await deps.webhookUrl.get();
      const payload = toSlackPayload(message);
      const result = await deps.poster.post(url, payload, deadline);
      posted += 1;
      deps.log('info', 'posted to Slack', {
        ...context,
        status: result.status,
        attempts: result.attempts,
        format: payload.blocks !== undefined ? 'blocks' : 'text',
        elapsedMs: deps.now() - start,
      });
    } catch (error) {
      if (error instanceof SlackWebhookError && error.status !== undefined && STALE_URL_STATUSES.has(error.status)) {
        deps.webhookUrl.invalidate();
      }
      const errorText = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      deps.log('error', 'Slack post failed', {
        ...context,
        error: redactWebhookUrl(errorText, url),
        ...(error instanceof SlackWebhookError
          ? { status: error.status, attempts: error.attempts, retryable: error.retryable }
          : {}),
        elapsedMs: deps.now() - start,
      });
      throw error;
    }
  }
  return { posted };
}
