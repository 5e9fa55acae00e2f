import {
  GetSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ForwarderEventError } from '../../../lambda/forwarder/forward.js';
import { WEBHOOK_SECRET_ARN_ENV } from '../../../lambda/forwarder/forwarder-config.js';
import { composeForwarder, type ForwarderOverrides } from '../../../lambda/forwarder/handler.js';
import { type FetchLike, SlackWebhookError } from '../../../lambda/forwarder/webhook-poster.js';
import { WebhookSecretError } from '../../../lambda/forwarder/webhook-url.js';
import { fakeTime, startWebhookServer, type WebhookServer } from './webhook-server.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:apigw-5xx/slack-webhook-AbC123';
const TOKEN = 'Zq9sEcReTwEbHoOkToKeN';
const WEBHOOK_PATH = `/services/T0001/B0001/${TOKEN}`;
const WEBHOOK_URL = `https://hooks.slack.com${WEBHOOK_PATH}`;
const ENV = { [WEBHOOK_SECRET_ARN_ENV]: SECRET_ARN };

const secretsManager = mockClient(SecretsManagerClient);
let server: WebhookServer;
let logs: string[];

beforeAll(async () => {
  server = await startWebhookServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  secretsManager.reset();
  secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ url: WEBHOOK_URL }) });
  server.received.length = 0;
  server.script({ status: 200 });
  logs = [];
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Sends what is addressed to hooks.slack.com to the local server instead, keeping the path. */
function toLocalServer(): FetchLike {
  return (url, init) => {
    const target = new URL(url);
    expect(target.origin).toBe('https://hooks.slack.com');
    return fetch(`${server.origin}${target.pathname}`, init);
  };
}

function forwarder(overrides: ForwarderOverrides = {}) {
  const time = fakeTime();
  const forward = composeForwarder(ENV, {
    secretsClient: new SecretsManagerClient({ region: 'eu-west-1' }),
    fetch: toLocalServer(),
    now: time.now,
    sleep: time.sleep,
    random: () => 0,
    log: (level, message, data) => logs.push(JSON.stringify({ level, message, ...data })),
    ...overrides,
  });
  return { forward, time };
}

function snsEvent(message: string, attributes: Record<string, string> = { cause: 'lambda_permission' }) {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        Sns: {
          Type: 'Notification',
          MessageId: 'a1b2c3d4-0000-4000-8000-000000000001',
          TopicArn: 'arn:aws:sns:eu-west-1:123456789012:responder-topic',
          Subject: '[ALARM] orders-api/prod: 500 missing Lambda invoke permission (100%)',
          Message: message,
          MessageAttributes: Object.fromEntries(
            Object.entries(attributes).map(([name, value]) => [name, { Type: 'String', Value: value }]),
          ),
        },
      },
    ],
  };
}

const SLACK_PAYLOAD = {
  text: '500 missing Lambda invoke permission on orders-api/prod',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*500 missing Lambda invoke permission*' } }],
};

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected the invocation to fail, but it succeeded');
}

/** Everything that left the function as text: its log lines, console output and the error it threw. */
function everythingWritten(error?: Error): string {
  return [...logs, error?.message ?? '', error?.stack ?? '', JSON.stringify(error ?? {})].join('\n');
}

describe('the forwarder handler', () => {
  it('posts the responder’s Slack payload to the webhook URL from the secret', async () => {
    // Prepare
    const { forward } = forwarder();
    // Act
    const outcome = await forward(snsEvent(JSON.stringify(SLACK_PAYLOAD)));
    // Assess
    expect(outcome).toEqual({ posted: 1 });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]?.path).toBe(WEBHOOK_PATH);
    expect(JSON.parse(server.received[0]?.body ?? '')).toEqual({
      ...SLACK_PAYLOAD,
      unfurl_links: false,
      unfurl_media: false,
    });
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET_ARN });
    const posted = JSON.parse(logs[0] ?? '{}') as Record<string, unknown>;
    expect(posted).toMatchObject({ level: 'info', message: 'posted to Slack', status: 200, attempts: 1 });
    expect(posted.cause).toBe('lambda_permission');
  });

  it('posts a message that is not a Slack payload as escaped text, so nothing is lost', async () => {
    // Prepare
    const { forward } = forwarder();
    // Act
    await forward(snsEvent('Hand-published: <!here> 5xx on <https://evil.example|orders> & more'));
    // Assess
    const body = JSON.parse(server.received[0]?.body ?? '') as { text: string; blocks?: unknown };
    expect(body.blocks).toBeUndefined();
    expect(body.text).toBe('Hand-published: &lt;!\u200Bhere&gt; 5xx on &lt;https://evil.example|orders&gt; &amp; more');
  });

  it('reads the secret once per execution environment while the URL is fresh', async () => {
    // Prepare
    const { forward } = forwarder();
    // Act
    await forward(snsEvent(JSON.stringify(SLACK_PAYLOAD)));
    await forward(snsEvent(JSON.stringify(SLACK_PAYLOAD)));
    // Assess
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(server.received).toHaveLength(2);
  });

  it('waits out a 429’s Retry-After and posts again within the invocation', async () => {
    // Prepare
    server.script({ status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' }, { status: 200 });
    const { forward, time } = forwarder();
    // Act
    await forward(snsEvent(JSON.stringify(SLACK_PAYLOAD)), { getRemainingTimeInMillis: () => 30_000 });
    // Assess
    expect(time.sleeps).toEqual([2_000]);
    expect(server.received).toHaveLength(2);
  });

  it('fails the invocation when Slack’s Retry-After reaches past the Lambda timeout', async () => {
    // Prepare: 6 s left, 2 s of them kept as a margin
    server.script({ status: 429, headers: { 'retry-after': '5' } });
    const { forward, time } = forwarder();
    // Act
    const error = await failureOf(
      forward(snsEvent(JSON.stringify(SLACK_PAYLOAD)), { getRemainingTimeInMillis: () => 6_000 }),
    );
    // Assess
    expect(error).toBeInstanceOf(SlackWebhookError);
    expect(error.message).toContain('past the time budget');
    expect(time.sleeps).toEqual([]);
  });

  it('fails the invocation after the retries are spent, so Lambda keeps the event', async () => {
    // Prepare
    server.script({ status: 503, body: 'service_unavailable' });
    const { forward } = forwarder();
    // Act
    const error = await failureOf(forward(snsEvent(JSON.stringify(SLACK_PAYLOAD))));
    // Assess
    expect(error).toBeInstanceOf(SlackWebhookError);
    expect((error as SlackWebhookError).retryable).toBe(true);
    expect(server.received).toHaveLength(5);
    expect(logs.some((line) => line.includes('"level":"error"') && line.includes('Slack post failed'))).toBe(true);
  });

  it('reads the secret again on the next invocation after Slack says the webhook is gone', async () => {
    // Prepare
    server.script({ status: 404, body: 'no_service' }, { status: 200 });
    const { forward } = forwarder();
    // Act
    await failureOf(forward(snsEvent(JSON.stringify(SLACK_PAYLOAD))));
    await forward(snsEvent(JSON.stringify(SLACK_PAYLOAD)));
    // Assess
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('fails with WebhookSecretError when the function may not read the secret', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).rejects(
      new SecretsManagerServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: {},
        message: 'not authorized to perform: secretsmanager:GetSecretValue',
      }),
    );
    const { forward } = forwarder();
    // Act
    const error = await failureOf(forward(snsEvent(JSON.stringify(SLACK_PAYLOAD))));
    // Assess
    expect(error).toBeInstanceOf(WebhookSecretError);
    expect(error.message).toContain('AccessDeniedException');
    expect(server.received).toHaveLength(0);
  });

  it('refuses a secret that points anywhere but hooks.slack.com, and posts nothing', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: `https://collector.example/${TOKEN}` });
    const { forward } = forwarder();
    // Act
    const error = await failureOf(forward(snsEvent(JSON.stringify(SLACK_PAYLOAD))));
    // Assess
    expect(error).toBeInstanceOf(WebhookSecretError);
    expect(error.message).toContain('host is not hooks.slack.com');
    expect(server.received).toHaveLength(0);
    expect(everythingWritten(error)).not.toContain(TOKEN);
  });

  it('throws ForwarderEventError for an event that is not from SNS', async () => {
    const { forward } = forwarder();
    await expect(forward({ detail: {} })).rejects.toThrow(ForwarderEventError);
    await expect(forward({ Records: [{ body: 'sqs' }] })).rejects.toThrow(/Records\[0\] has no Sns.Message/);
  });

  it.each([
    ['a success', [{ status: 200 }]],
    ['a 400 whose answer quotes the URL', [{ status: 400, body: `invalid_payload for ${WEBHOOK_URL}` }]],
    ['repeated 500s', [{ status: 500, body: `upstream ${WEBHOOK_PATH}` }]],
    ['a 429 past the budget', [{ status: 429, headers: { 'retry-after': '600' } }]],
  ])('never writes the webhook URL anywhere, after %s', async (_case, responses) => {
    // Prepare
    server.script(...responses);
    const consoleLines: string[] = [];
    for (const method of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        consoleLines.push(args.map(String).join(' '));
      });
    }
    const { forward } = forwarder();
    // Act
    let thrown: Error | undefined;
    try {
      await forward(snsEvent(JSON.stringify(SLACK_PAYLOAD)), { getRemainingTimeInMillis: () => 30_000 });
    } catch (error) {
      thrown = error as Error;
    }
    // Assess
    expect(server.received.length).toBeGreaterThan(0);
    const written = `${everythingWritten(thrown)}\n${consoleLines.join('\n')}`;
    expect(written).not.toContain(TOKEN);
    expect(written).not.toContain('/services/T0001');
  });

  it('logs JSON lines through console by default, without the URL', async () => {
    // Prepare
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    const forward = composeForwarder(ENV, {
      secretsClient: new SecretsManagerClient({ region: 'eu-west-1' }),
      fetch: toLocalServer(),
    });
    // Act
    await forward(snsEvent(JSON.stringify(SLACK_PAYLOAD)));
    // Assess
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'info', message: 'posted to Slack' });
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});

describe('composeForwarder', () => {
  it('throws when WEBHOOK_SECRET_ARN is missing', () => {
    expect(() => composeForwarder({})).toThrow(/WEBHOOK_SECRET_ARN is not set/);
  });

  it('throws when WEBHOOK_SECRET_ARN is a name, not a full ARN', () => {
    expect(() => composeForwarder({ [WEBHOOK_SECRET_ARN_ENV]: 'apigw-5xx/slack-webhook' })).toThrow(
      /must be the full ARN of a Secrets Manager secret, got "apigw-5xx\/slack-webhook"/,
    );
  });
});
