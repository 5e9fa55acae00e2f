import { describe, expect, it } from 'vitest';
import {
  parseWebhookSecret,
  redactWebhookUrl,
  WebhookSecretError,
  WebhookUrlSource,
} from '../../../lambda/forwarder/webhook-url.js';
import { fakeTime } from './webhook-server.js';

const URL_TEXT = 'https://hooks.slack.com/services/T0001/B0001/s3cr3tT0k3nXYZ';
const TOKEN = 's3cr3tT0k3nXYZ';

function secretErrorOf(act: () => unknown): WebhookSecretError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookSecretError);
    return error as WebhookSecretError;
  }
  throw new Error('expected a WebhookSecretError, but nothing was thrown');
}

describe('parseWebhookSecret', () => {
  it('reads a secret that is the URL itself', () => {
    expect(parseWebhookSecret(`${URL_TEXT}\n`).href).toBe(URL_TEXT);
  });

  it('reads a secret that is JSON with a url field', () => {
    expect(parseWebhookSecret(JSON.stringify({ url: URL_TEXT, note: 'ops channel' })).href).toBe(URL_TEXT);
  });

  it.each([
    ['not a URL', 'hello', /does not hold a URL/],
    ['plain http', URL_TEXT.replace('https:', 'http:'), /scheme is not https/],
    [
      'another host',
      'https://hooks.slack.com.evil.example/services/T0001/B0001/s3cr3tT0k3nXYZ',
      /host is not hooks\.slack\.com/,
    ],
    ['credentials in the URL', 'https://user:s3cr3tT0k3nXYZ@hooks.slack.com/services/x', /credentials or a port/],
    ['a port', 'https://hooks.slack.com:8443/services/T0001/B0001/s3cr3tT0k3nXYZ', /credentials or a port/],
    ['no path', 'https://hooks.slack.com/', /without the webhook path/],
    [
      'JSON without url',
      '{"webhook":"https://hooks.slack.com/services/T0001/B0001/s3cr3tT0k3nXYZ"}',
      /without a string "url"/,
    ],
    ['broken JSON', '{"url": "https://hooks.slack.com/services/T0001/B0001/s3cr3tT0k3nXYZ"', /does not parse/],
  ])('rejects %s, saying which check failed but not the value', (_case, value, reason) => {
    // Act
    const error = secretErrorOf(() => parseWebhookSecret(value, 'secret arn:aws:secretsmanager:...'));
    // Assess
    expect(error.message).toMatch(reason);
    expect(error.message).toContain('store the incoming-webhook URL Slack shows');
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain('evil.example');
  });
});

describe('redactWebhookUrl', () => {
  it('replaces the URL, its path and any other Slack webhook URL', () => {
    const url = new URL(URL_TEXT);
    const text = `posting to ${URL_TEXT} failed; path ${url.pathname}; old https://hooks.slack.com/services/T9/B9/zzz`;
    expect(redactWebhookUrl(text, url)).toBe('posting to <webhook-url> failed; path <webhook-url>; old <webhook-url>');
  });
});

describe('WebhookUrlSource', () => {
  it('reads the secret once and reuses the URL within the TTL', async () => {
    // Prepare
    const time = fakeTime();
    let reads = 0;
    const source = new WebhookUrlSource({
      readSecret: async () => {
        reads += 1;
        return URL_TEXT;
      },
      now: time.now,
      ttlMs: 60_000,
    });
    // Act
    await source.get();
    time.advance(59_000);
    await source.get();
    // Assess
    expect(reads).toBe(1);
  });

  it('reads the secret again once the TTL has passed, picking up a rotated URL', async () => {
    // Prepare
    const time = fakeTime();
    const values = [URL_TEXT, `${URL_TEXT}ROTATED`];
    const source = new WebhookUrlSource({
      readSecret: async () => values.shift() ?? '',
      now: time.now,
      ttlMs: 60_000,
    });
    // Act
    const first = await source.get();
    time.advance(60_000);
    const second = await source.get();
    // Assess
    expect(first.href).toBe(URL_TEXT);
    expect(second.href).toBe(`${URL_TEXT}ROTATED`);
  });

  it('reads the secret again after invalidate()', async () => {
    // Prepare
    const time = fakeTime();
    let reads = 0;
    const source = new WebhookUrlSource({
      readSecret: async () => {
        reads += 1;
        return URL_TEXT;
      },
      now: time.now,
    });
    // Act
    await source.get();
    source.invalidate();
    await source.get();
    // Assess
    expect(reads).toBe(2);
  });

  it('does not cache a value that fails the checks', async () => {
    // Prepare
    const time = fakeTime();
    const values = ['http://example.com/x', URL_TEXT];
    const source = new WebhookUrlSource({ readSecret: async () => values.shift() ?? '', now: time.now });
    // Act
    await expect(source.get()).rejects.toThrow(/scheme is not https/);
    const url = await source.get();
    // Assess
    expect(url.href).toBe(URL_TEXT);
  });
});
