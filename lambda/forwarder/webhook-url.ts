/**
 * The Slack incoming-webhook URL: read from the secret, checked, and cached for a short time per execution
 * environment. The URL is a credential (anyone holding it can post to the channel): it is never logged and never
 * put into an error message; errors say which check failed, not what the value was.
 */

/** Slack's incoming-webhook host (https://api.slack.com/messaging/webhooks). */
export const SLACK_WEBHOOK_HOST = 'hooks.slack.com';

/** How long a URL read from the secret is used before it is read again, so a rotated URL is picked up. */
export const DEFAULT_WEBHOOK_URL_TTL_MS = 5 * 60_000;

/** The secret does not hold a usable webhook URL, or could not be read; `cause` holds the underlying error. */
export class WebhookSecretError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookSecretError';
  }
}

const FIX =
  'store the incoming-webhook URL Slack shows (https://hooks.slack.com/services/...) as the secret value, either ' +
  'the URL itself or {"url": "<the URL>"}';

/**
 * Reads the webhook URL from a secret value: the URL itself, or JSON `{"url": "..."}`. Accepts only
 * `https://hooks.slack.com/...` without credentials or a port, so a mistyped or planted value cannot send the
 * diagnosis anywhere else.
 *
 * @throws WebhookSecretError saying which check failed (never the value)
 */
export function parseWebhookSecret(secretValue: string, secretName = 'the webhook secret'): URL {
  const trimmed = secretValue.trim();
  let candidate: string | undefined = trimmed;
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new WebhookSecretError(`${secretName} looks like JSON but does not parse: ${FIX}`);
    }
    const url = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).url : undefined;
    if (typeof url !== 'string') {
      throw new WebhookSecretError(`${secretName} is JSON without a string "url" field: ${FIX}`);
    }
    candidate = url.trim();
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new WebhookSecretError(`${secretName} does not hold a URL: ${FIX}`);
  }
  if (url.protocol !== 'https:') {
    throw new WebhookSecretError(`${secretName} holds a URL whose scheme is not https: ${FIX}`);
  }
  if (url.hostname !== SLACK_WEBHOOK_HOST) {
    throw new WebhookSecretError(
      `${secretName} holds a URL whose host is not ${SLACK_WEBHOOK_HOST}; the forwarder posts only to Slack: ${FIX}`,
    );
  }
  if (url.username !== '' || url.password !== '' || url.port !== '') {
    throw new WebhookSecretError(`${secretName} holds a URL with credentials or a port: ${FIX}`);
  }
  if (url.pathname.length <= 1) {
    throw new WebhookSecretError(`${secretName} holds a URL without the webhook path: ${FIX}`);
  }
  return url;
}

/** Replaces the webhook URL, and its path (the secret part), wherever it appears in `text`. */
export function redactWebhookUrl(text: string, url: URL | undefined): string {
  let out = text;
  if (url !== undefined) {
    for (const secret of [url.href, `${url.origin}${url.pathname}`, url.pathname]) {
      if (secret.length > 1) out = out.split(secret).join('<webhook-url>');
    }
  }
  // Any other Slack webhook URL (a stale one quoted back by Slack, say).
  return out.replace(/https?:\/\/hooks\.slack(?:-gov)?\.com\/[^\s"'<>]*/gi, '<webhook-url>');
}

export interface WebhookUrlSourceOptions {
  /** Returns the secret's current value. */
  readonly readSecret: () => Promise<string>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** @default DEFAULT_WEBHOOK_URL_TTL_MS */
  readonly ttlMs?: number;
  /** Names the secret in error messages (its ARN; not secret). @default 'the webhook secret' */
  readonly secretName?: string;
}

/**
 * The webhook URL, read once and then reused for `ttlMs`. `invalidate()` forgets it, so that the next call reads
 * the secret again (after Slack says the webhook is gone, say).
 */
export class WebhookUrlSource {
  private cached: { readonly url: URL; readonly readAt: number } | undefined;
  private readonly ttlMs: number;

  constructor(private readonly options: WebhookUrlSourceOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_WEBHOOK_URL_TTL_MS;
  }

  /** @throws WebhookSecretError when the secret cannot be read or holds no Slack webhook URL */
  async get(): Promise<URL> {
    const now = this.options.now();
    if (this.cached !== undefined && now - this.cached.readAt < this.ttlMs) return this.cached.url;
    const value = await this.options.readSecret();
    const url = parseWebhookSecret(value, this.options.secretName);
    this.cached = { url, readAt: now };
    return url;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
