import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cutEscaped,
  FALLBACK_TEXT_MAX_CHARS,
  parseSlackPayload,
  toSlackPayload,
} from '../../../lambda/forwarder/slack-payload.js';

describe('toSlackPayload', () => {
  it('posts the responder’s {text, blocks} as given, with link previews off', () => {
    // Prepare
    const blocks = [{ type: 'header', text: { type: 'plain_text', text: '502 on orders-api/prod' } }];
    const message = JSON.stringify({ text: '502 Lambda function error', blocks });
    // Act
    const payload = toSlackPayload(message);
    // Assess
    expect(payload).toEqual({ text: '502 Lambda function error', blocks, unfurl_links: false, unfurl_media: false });
  });

  it('keeps the unfurl choices the payload makes and drops fields webhooks do not take from us', () => {
    const payload = toSlackPayload(JSON.stringify({ text: 't', unfurl_links: true, channel: '#general' }));
    expect(payload).toEqual({ text: 't', unfurl_links: true, unfurl_media: false });
  });

  it('accepts blocks without text', () => {
    const blocks = [{ type: 'divider' }];
    expect(toSlackPayload(JSON.stringify({ blocks }))).toMatchObject({ blocks });
  });

  it.each([
    ['plain text', 'ALARM: orders-api 5XXError > 5'],
    ['JSON without text or blocks', '{"AlarmName":"orders-5xx","NewStateValue":"ALARM"}'],
    ['JSON with a non-string text', '{"text":42}'],
    ['JSON with blocks that are not a list', '{"text":"t","blocks":{"type":"divider"}}'],
    ['a JSON array', '[{"text":"t"}]'],
    ['a JSON string', '"just a string"'],
  ])('posts %s as escaped plain text', (_case, message) => {
    // Act
    const payload = toSlackPayload(message);
    // Assess
    expect(payload.blocks).toBeUndefined();
    expect(payload.text).toBe(message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  });

  it('escapes mentions and links in a plain-text message so they stay text', () => {
    // Act
    const payload = toSlackPayload('<!channel> look: <https://evil.example|click> & @here');
    // Assess
    expect(payload.text).toBe('&lt;!\u200Bchannel&gt; look: &lt;https://evil.example|click&gt; &amp; @\u200Bhere');
    expect(payload.text).not.toMatch(/[<>]/);
  });

  it('cuts a long plain-text message to 3000 characters, ending in an ellipsis', () => {
    // Act
    const payload = toSlackPayload(`start ${'y'.repeat(10_000)}`);
    // Assess
    expect(payload.text).toHaveLength(FALLBACK_TEXT_MAX_CHARS);
    expect(payload.text?.endsWith('…')).toBe(true);
  });
});

describe('parseSlackPayload', () => {
  it('returns undefined for text that is not JSON', () => {
    expect(parseSlackPayload('not json {')).toBeUndefined();
  });

  it('returns undefined for an empty text and no blocks', () => {
    expect(parseSlackPayload('{"text":"","blocks":[]}')).toBeUndefined();
  });
});

describe('cutEscaped', () => {
  it('does not cut inside an entity', () => {
    // "aaaaaa&amp;" cut to 10 would end in "&am"
    expect(cutEscaped('aaaaaa&amp;bbbb', 10)).toBe('aaaaaa…');
  });

  it('does not split a surrogate pair', () => {
    expect(cutEscaped('aaa😀bbbb', 5)).toBe('aaa…');
  });

  it('never exceeds the limit and never leaves a partial entity (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: 2, max: 120 }), (raw, max) => {
        const escaped = raw.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
        const out = cutEscaped(escaped, max);
        expect(out.length).toBeLessThanOrEqual(Math.max(max, 0));
        const body = out.endsWith('…') && out !== escaped ? out.slice(0, -1) : out;
        // Every & still begins a whole entity.
        expect(body.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
      }),
    );
  });
});
