import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_RESPONSE_BODY_CHARS,
  parseRetryAfter,
  SlackWebhookError,
  SlackWebhookPoster,
  type WebhookPosterOptions,
} from '../../../lambda/forwarder/webhook-poster.js';
import { fakeTime, startWebhookServer, type WebhookServer } from './webhook-server.js';

const PAYLOAD = { text: 'fallback', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*502*' } }] };
const SECRET_PATH = '/services/T0001/B0001/s3cr3tT0k3nXYZ';

let server: WebhookServer;
let url: URL;

beforeAll(async () => {
  server = await startWebhookServer();
  url = new URL(`${server.origin}${SECRET_PATH}`);
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.received.length = 0;
  server.script({ status: 200 });
});

function poster(time: ReturnType<typeof fakeTime>, options: Partial<WebhookPosterOptions> = {}): SlackWebhookPoster {
  return new SlackWebhookPoster({
    fetch: (u, init) => fetch(u, init),
    now: time.now,
    sleep: time.sleep,
    random: () => 0,
    ...options,
  });
}

/** The error a promise rejects with; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<SlackWebhookError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SlackWebhookError);
    return error as SlackWebhookError;
  }
  throw new Error('expected the post to fail, but it succeeded');
}

describe('SlackWebhookPoster', () => {
  it('posts the payload as JSON once when Slack answers 200', async () => {
    // Prepare
    const time = fakeTime();
    // Act
    const result = await poster(time).post(url, PAYLOAD, time.now() + 20_000);
    // Assess
    expect(result).toEqual({ status: 200, attempts: 1 });
    expect(server.received).toHaveLength(1);
    const [request] = server.received;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(SECRET_PATH);
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(request?.body ?? '')).toEqual(PAYLOAD);
    expect(time.sleeps).toEqual([]);
  });

  it('waits the Retry-After seconds of a 429, then posts again', async () => {
    // Prepare
    server.script({ status: 429, headers: { 'retry-after': '3' }, body: 'rate_limited' }, { status: 200 });
    const time = fakeTime();
    // Act
    const result = await poster(time).post(url, PAYLOAD, time.now() + 20_000);
    // Assess
    expect(result).toEqual({ status: 200, attempts: 2 });
    expect(time.sleeps).toEqual([3_000]);
    expect(server.received.map((r) => r.body)).toEqual([JSON.stringify(PAYLOAD), JSON.stringify(PAYLOAD)]);
  });

  it('adds at most 250 ms of jitter to a Retry-After wait, never less than asked', async () => {
    // Prepare
    server.script({ status: 429, headers: { 'retry-after': '2' } }, { status: 200 });
    const time = fakeTime();
    // Act
    await poster(time, { random: () => 0.999 }).post(url, PAYLOAD, time.now() + 20_000);
    // Assess
    expect(time.sleeps).toHaveLength(1);
    expect(time.sleeps[0]).toBeGreaterThanOrEqual(2_000);
    expect(time.sleeps[0]).toBeLessThan(2_250);
  });

  it('retries a 500 after a backoff and succeeds', async () => {
    // Prepare
    server.script({ status: 500, body: 'internal_error' }, { status: 200 });
    const time = fakeTime();
    // Act
    const result = await poster(time, { baseDelayMs: 400 }).post(url, PAYLOAD, time.now() + 20_000);
    // Assess
    expect(result).toEqual({ status: 200, attempts: 2 });
    // Equal jitter with random() = 0: half the first step.
    expect(time.sleeps).toEqual([200]);
    expect(server.received).toHaveLength(2);
  });

  it('backs off exponentially with jitter, capped at maxDelayMs', async () => {
    // Prepare
    server.script({ status: 503 });
    const time = fakeTime();
    // Act
    await rejectionOf(
      poster(time, { random: () => 0.5, maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 4_000 }).post(
        url,
        PAYLOAD,
        time.now() + 60_000,
      ),
    );
    // Assess: steps 1, 2, 4, 4, 4 s, each 3/4 of its step with random() = 0.5
    expect(time.sleeps).toEqual([750, 1_500, 3_000, 3_000, 3_000]);
    expect(server.received).toHaveLength(6);
  });

  it('retries a network failure (connection refused)', async () => {
    // Prepare: the first request goes to a closed port
    const time = fakeTime();
    let calls = 0;
    const flaky = poster(time, {
      fetch: (u, init) => {
        calls += 1;
        return fetch(calls === 1 ? 'http://127.0.0.1:1/services/x' : u, init);
      },
    });
    // Act
    const result = await flaky.post(url, PAYLOAD, time.now() + 20_000);
    // Assess
    expect(result).toEqual({ status: 200, attempts: 2 });
    expect(time.sleeps).toHaveLength(1);
  });

  it('ends a request that gets no answer with its timeout and retries it', async () => {
    // Prepare
    server.script({ status: 200, hang: true }, { status: 200 });
    const time = fakeTime();
    // Act
    const result = await poster(time, { requestTimeoutMs: 200 }).post(url, PAYLOAD, time.now() + 20_000);
    // Assess
    expect(result).toEqual({ status: 200, attempts: 2 });
  });

  it('fails fast on a 400, naming the status and Slack’s answer', async () => {
    // Prepare
    server.script({ status: 400, body: 'invalid_blocks' }, { status: 200 });
    const time = fakeTime();
    // Act
    const error = await rejectionOf(poster(time).post(url, PAYLOAD, time.now() + 20_000));
    // Assess
    expect(error.message).toMatch(/^Slack refused the webhook post with HTTP 400: "invalid_blocks" \(not retried: /);
    expect(error).toMatchObject({ status: 400, responseBody: 'invalid_blocks', attempts: 1, retryable: false });
    expect(server.received).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it.each([
    [403, 'invalid_token', /revoked/],
    [404, 'no_service', /no longer exists/],
    [410, 'channel_is_archived', /archived/],
  ])('fails fast on a %i and says what to do', async (status, body, hint) => {
    // Prepare
    server.script({ status, body });
    const time = fakeTime();
    // Act
    const error = await rejectionOf(poster(time).post(url, PAYLOAD, time.now() + 20_000));
    // Assess
    expect(error.status).toBe(status);
    expect(error.message).toContain(`HTTP ${status}: "${body}"`);
    expect(error.message).toMatch(hint);
    expect(server.received).toHaveLength(1);
  });

  it('cuts a long answer and redacts any webhook URL in it', async () => {
    // Prepare
    const echo = `bad request to ${url.href} and https://hooks.slack.com/services/T9/B9/other ${'x'.repeat(1_000)}`;
    server.script({ status: 400, body: echo });
    const time = fakeTime();
    // Act
    const error = await rejectionOf(poster(time).post(url, PAYLOAD, time.now() + 20_000));
    // Assess
    expect(error.responseBody).toHaveLength(MAX_RESPONSE_BODY_CHARS);
    expect(error.responseBody?.startsWith('bad request to <webhook-url> and <webhook-url> xxx')).toBe(true);
    expect(error.message).not.toContain(SECRET_PATH);
    expect(error.message).not.toContain('/services/T9');
  });

  it('throws a retryable error after maxAttempts failures', async () => {
    // Prepare
    server.script({ status: 502, body: 'bad gateway' });
    const time = fakeTime();
    // Act
    const error = await rejectionOf(poster(time, { maxAttempts: 3 }).post(url, PAYLOAD, time.now() + 60_000));
    // Assess
    expect(error).toMatchObject({ status: 502, attempts: 3, retryable: true });
    expect(error.message).toContain('all 3 attempts failed (last: HTTP 502 "bad gateway")');
    expect(error.message).toContain('Lambda retries it');
    expect(server.received).toHaveLength(3);
    expect(time.sleeps).toHaveLength(2);
  });

  it('gives up without waiting when Retry-After reaches past the deadline', async () => {
    // Prepare
    server.script({ status: 429, headers: { 'retry-after': '30' } });
    const time = fakeTime();
    // Act
    const error = await rejectionOf(poster(time).post(url, PAYLOAD, time.now() + 10_000));
    // Assess
    expect(error.message).toContain('Slack asked to retry after 30 s, past the time budget, after 1 attempt(s)');
    expect(error).toMatchObject({ status: 429, attempts: 1, retryable: true });
    expect(time.sleeps).toEqual([]);
  });

  it('stops retrying when the time budget is spent', async () => {
    // Prepare: every 500 costs 4 s of (fake) time before the answer
    server.script({ status: 500 });
    const time = fakeTime();
    const slow = poster(time, {
      maxAttempts: 10,
      baseDelayMs: 1_000,
      fetch: async (u, init) => {
        time.advance(4_000);
        return fetch(u, init);
      },
    });
    // Act
    const error = await rejectionOf(slow.post(url, PAYLOAD, time.now() + 12_000));
    // Assess: 4 s + 0.5 s wait + 4 s + 1 s wait leaves 2.5 s for a third attempt; after it, no time is left
    expect(error.retryable).toBe(true);
    expect(error.attempts).toBe(3);
    expect(time.sleeps).toEqual([500, 1_000]);
    expect(error.message).toContain('the next attempt would not fit in the time budget, after 3 attempt(s)');
  });

  it('does not start an attempt when the deadline has already passed', async () => {
    // Prepare
    const time = fakeTime();
    // Act
    const error = await rejectionOf(poster(time).post(url, PAYLOAD, time.now() - 1));
    // Assess
    expect(error.attempts).toBe(0);
    expect(server.received).toHaveLength(0);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('7', 0)).toBe(7_000);
  });

  it('reads an HTTP date relative to now', () => {
    const now = Date.UTC(2026, 10, 25, 16, 50, 0);
    expect(parseRetryAfter('Wed, 25 Nov 2026 16:50:05 GMT', now)).toBe(5_000);
  });

  it('returns undefined for a missing or unreadable header', () => {
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});
