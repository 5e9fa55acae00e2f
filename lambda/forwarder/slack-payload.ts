/**
 * What the forwarder posts to the Slack incoming webhook, made from the SNS message it received.
 *
 * The responder publishes the `lambda` entry of its message as the webhook payload itself:
 * `{"text": "<fallback>", "blocks": [...]}`, already redacted, escaped and inside Slack's limits. Anything else (a
 * message published to the topic by hand, another publisher) is posted as plain text, escaped and cut, so that
 * nothing sent to the topic is lost and nothing in it can mention @channel or forge a link.
 * https://api.slack.com/messaging/webhooks
 */
import { escapeSlack } from '../safety/escape.js';

/** The body of an incoming-webhook POST. */
export interface SlackWebhookPayload {
  /** The notification text, and the fallback shown where blocks cannot be (push notifications). */
  readonly text?: string;
  /** Block Kit blocks (https://api.slack.com/reference/block-kit/blocks). */
  readonly blocks?: readonly unknown[];
  readonly unfurl_links?: boolean;
  readonly unfurl_media?: boolean;
}

/** Longest plain text posted for a message that is not a Slack payload (a section's limit in Slack). */
export const FALLBACK_TEXT_MAX_CHARS = 3_000;

const ELLIPSIS = '…';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The webhook payload for one SNS message: the responder's `{text, blocks}` as given (link previews off unless it
 * says otherwise), or `{text}` with the whole message escaped for Slack and cut to {@link FALLBACK_TEXT_MAX_CHARS}.
 */
export function toSlackPayload(message: string): SlackWebhookPayload {
  const parsed = parseSlackPayload(message);
  if (parsed !== undefined) return parsed;
  return { text: cutEscaped(escapeSlack(message), FALLBACK_TEXT_MAX_CHARS), unfurl_links: false, unfurl_media: false };
}

/** The message as a Slack payload when it is one: a JSON object with a string `text` and/or an array `blocks`. */
export function parseSlackPayload(message: string): SlackWebhookPayload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const { text, blocks } = value;
  const hasText = typeof text === 'string' && text !== '';
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  if (!hasText && !hasBlocks) return undefined;
  if (text !== undefined && typeof text !== 'string') return undefined;
  if (blocks !== undefined && !Array.isArray(blocks)) return undefined;
  return {
    ...(hasText ? { text } : {}),
    ...(hasBlocks ? { blocks } : {}),
    // Console links would otherwise unfurl into sign-in page previews.
    unfurl_links: typeof value.unfurl_links === 'boolean' ? value.unfurl_links : false,
    unfurl_media: typeof value.unfurl_media === 'boolean' ? value.unfurl_media : false,
  };
}

/**
 * Cuts escaped text to at most `max` characters (UTF-16 code units, as Slack counts), ending in `…` when cut, and
 * never inside an entity (`&amp;`) or between the halves of a surrogate pair.
 */
export function cutEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - ELLIPSIS.length;
  // An entity is at most 5 characters (`&amp;`): step back over a partial one.
  const amp = text.lastIndexOf('&', end - 1);
  if (amp !== -1 && amp >= end - 4 && text.indexOf(';', amp) >= end) end = amp;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}${ELLIPSIS}`;
}
