/**
 * The Slack webhook forwarder's Lambda entry: the composition root. Subscribed to the responder's topic, it posts
 * each message's `lambda` entry (the Slack payload the responder rendered) to the incoming webhook whose URL is in
 * Secrets Manager. A failure propagates, so Lambda's async retries and the on-failure destination keep the message.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type ForwardOutcome, forwardSnsEvent, type LogFunction } from './forward.js';
import { parseSecretArn, WEBHOOK_SECRET_ARN_ENV } from './forwarder-config.js';
import { SecretsManagerSecretReader } from './secret-reader.js';
import { type FetchLike, SlackWebhookPoster } from './webhook-poster.js';
import { WebhookUrlSource } from './webhook-url.js';

interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/** What the composition may be given instead of the real thing (tests, local runs). */
export interface ForwarderOverrides {
  readonly secretsClient?: SecretsManagerClient;
  readonly fetch?: FetchLike;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly log?: LogFunction;
  /** @default 25000 */
  readonly maxBudgetMs?: number;
}

export type Forwarder = (event: unknown, context?: LambdaContext) => Promise<ForwardOutcome>;

function jsonLog(level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, message, ...data });
  if (level === 'error') console.error(line);
  else console.log(line);
}

/**
 * Builds the forwarder from its environment. The URL is read on first use and cached for five minutes per
 * execution environment.
 *
 * @throws Error when `WEBHOOK_SECRET_ARN` is missing or not a full secret ARN (a deployment bug)
 */
export function composeForwarder(env: NodeJS.ProcessEnv, overrides: ForwarderOverrides = {}): Forwarder {
  const secretArn = env[WEBHOOK_SECRET_ARN_ENV];
  if (secretArn === undefined || secretArn === '') {
    throw new Error(
      `${WEBHOOK_SECRET_ARN_ENV} is not set: deploy the forwarder with its stack (slackWebhook.webhookSecretArn)`,
    );
  }
  const arn = parseSecretArn(secretArn);
  if (arn === undefined) {
    throw new Error(
      `${WEBHOOK_SECRET_ARN_ENV} must be the full ARN of a Secrets Manager secret, got ${JSON.stringify(secretArn)}: redeploy with slackWebhook.webhookSecretArn set to it`,
    );
  }
  const now = overrides.now ?? Date.now;
  const log = overrides.log ?? jsonLog;
  // The secret may live in another region than the function: ask that region.
  const secretsClient = overrides.secretsClient ?? new SecretsManagerClient({ region: arn.region });
  const reader = new SecretsManagerSecretReader(secretsClient, secretArn);
  const webhookUrl = new WebhookUrlSource({ readSecret: () => reader.read(), now, secretName: `secret ${secretArn}` });
  const poster = new SlackWebhookPoster({
    fetch: overrides.fetch ?? ((url, init) => fetch(url, init)),
    now,
    sleep: overrides.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: overrides.random ?? Math.random,
  });
  const maxBudgetMs = overrides.maxBudgetMs ?? 25_000;
  return (event, context) =>
    forwardSnsEvent(event, {
      webhookUrl,
      poster,
      now,
      maxBudgetMs,
      log,
      ...(context !== undefined ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
    });
}

let forwarder: Forwarder | undefined;

export async function handler(event: unknown, context?: LambdaContext): Promise<ForwardOutcome> {
  forwarder ??= composeForwarder(process.env);
  return forwarder(event, context);
}
