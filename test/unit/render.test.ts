import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';
import { renderJson } from '../../lambda/render/json.js';
import { renderSlack } from '../../lambda/render/slack.js';
import { renderSubject } from '../../lambda/render/subject.js';
import { renderText } from '../../lambda/render/text.js';

const ID = '8212e5af-c174-48ce-85d5-729d73c6771a';

function failing(extra: string[]): LogEvent[] {
  return [
    ...extra.map((text) => ({ message: `(${ID}) ${text}` })),
    { message: `(${ID}) Execution failed due to configuration error: ${extra.length > 0 ? 'Weird' : 'Odd'} thing` },
    { message: `(${ID}) Method completed with status: 500` },
  ];
}

const HOSTILE = [
  'Method request headers: {Authorization=Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl, Cookie=sid=s3cr3tC00kie, x-api-key=Zx81Zx81Zx81Zx81Zx81Zx81Zx81}',
  'Endpoint response body before transformations: <!channel> <@U024BE7LH> <https://evil.example/login|Reset your password> @here ``` \u001b[2J\u202Egnp.exe',
  `Endpoint response body before transformations: ${'A'.repeat(1024 * 1024)}`,
  'Endpoint response body before transformations: 日本語のエラー ✓ émoji 🚨',
];

describe('renderers with hostile log text', () => {
  const { diagnosis } = diagnoseEvents(failing(HOSTILE), {
    api: { name: 'orders-api', apiId: 'a1b2c3d4e5', stage: 'prod', region: 'us-east-1' },
  });
  const outputs = {
    text: renderText(diagnosis),
    json: renderJson(diagnosis),
    slack: renderSlack(diagnosis),
    subject: renderSubject(diagnosis),
  };

  it('never shows a credential in any rendering', () => {
    for (const [name, out] of Object.entries(outputs)) {
      for (const secret of ['eyJhbGciOiJIUzI1NiJ9', 's3cr3tC00kie', 'Zx81Zx81Zx81'])
        expect(out, name).not.toContain(secret);
    }
  });

  it('lets no Slack mention, link or code-block break through', () => {
    expect(outputs.slack).not.toMatch(/<[!@]|<https?:|[@!](?:channel|here|everyone)\b/);
    // Every code block the renderer opened is closed: an even number of fences.
    expect((outputs.slack.match(/```/g) ?? []).length % 2).toBe(0);
  });

  it('makes terminal escapes and bidi overrides visible in text and email', () => {
    expect(outputs.text.includes('\u001b') || outputs.text.includes('\u202E')).toBe(false);
    expect(outputs.text).toContain('\\u{1B}[2J');
  });

  it('keeps every rendering bounded even with a 1 MB line', () => {
    expect(outputs.text.length).toBeLessThan(20_000);
    expect(outputs.slack.length).toBeLessThan(20_000);
    expect(outputs.json.length).toBeLessThan(40_000);
    expect(outputs.subject.length).toBeLessThanOrEqual(99);
  });

  it('keeps non-ASCII text readable in the body and out of the subject', () => {
    expect(outputs.text).toContain('日本語のエラー ✓ émoji 🚨');
    expect(outputs.subject).toMatch(/^[\x20-\x7E]+$/);
  });

  it('holds for arbitrary log text: redaction markers stay, no raw control characters, bounded size', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 3000 }), { maxLength: 6 }), (texts) => {
        const { diagnosis: d } = diagnoseEvents(
          failing(texts.map((t) => `Endpoint response body before transformations: ${t}`)),
        );
        const text = renderText(d);
        const slack = renderSlack(d);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence.
        expect(text).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E]/);
        expect(slack).not.toMatch(/<[!@]|[@!](?:channel|here|everyone)\b/);
        expect(text.length).toBeLessThan(20_000);
      }),
      { numRuns: 50 },
    );
  });
});

describe('renderText', () => {
  it("says the function failed when only its own log was read, not 'no failed request found'", () => {
    // Prepare: a function that failed at import, its log alone (CodeGenieApp/serverless-express#150, 2018).
    const { diagnosis } = diagnoseEvents(
      ["Unable to import module 'index': Error", 'at Function.Module._resolveFilename (module.js:469:15)'].map(
        (message) => ({ message }),
      ),
    );
    // Act
    const lines = renderText(diagnosis).split('\n');
    // Assess
    expect(diagnosis.failedRequests).toBe(0);
    expect(lines[0]).toBe(
      "Cause: the backend function failed (×1): init error: Unable to import module 'index': Error; no API Gateway line in the logs read ties it to a request of API",
    );
    expect(lines[2]).toMatch(/^Fix: fix the function's error/);
    expect(renderSubject(diagnosis)).toBe('[ALARM] API: backend function failed, no request logged');
  });

  it('leads with cause, route and fix, then the details', () => {
    const { diagnosis } = diagnoseEvents(
      [
        `(${ID}) API Key authorized because method 'POST /orders' does not require API Key. Request will not contribute to throttle or quota limits`,
        `(${ID}) Sending request to https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:orders-create/invocations`,
        `(${ID}) Execution failed due to configuration error: Invalid permissions on Lambda function`,
        `(${ID}) Method completed with status: 500`,
      ].map((message) => ({ message, timestamp: 1_795_600_000_000 })),
      { api: { name: 'orders-api', apiId: 'a1b2c3d4e5', stage: 'prod', type: 'REST' } },
    );
    const lines = renderText(diagnosis).split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'Cause: 500 missing Lambda invoke permission: 1 of 1 failed requests (100%)',
      'Route: POST /orders (1) on orders-api/prod (a1b2c3d4e5, eu-west-1) in account 123456789012, function orders-create',
      "Fix: Allow API Gateway to invoke orders-create (takes effect at once, no redeployment): $ aws lambda add-permission --function-name arn:aws:lambda:eu-west-1:123456789012:function:orders-create --statement-id apigateway-a1b2c3d4e5-prod-invoke-orders --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/*/orders' --region eu-west-1",
    ]);
    expect(lines).toContain('Failures seen: 2026-11-25 09:46:40Z to 2026-11-25 09:46:40Z');
  });

  it('shows the most frequent unexplained message templates with their counts', () => {
    const events: LogEvent[] = [];
    for (let i = 0; i < 3; i++) {
      const id = `0000000${i}-aaaa-4bbb-8ccc-dddddddddddd`;
      events.push({ message: `(${id}) Execution failed due to configuration error: Invalid endpoint address` });
      events.push({ message: `(${id}) Method completed with status: 500` });
    }
    const text = renderText(diagnoseEvents(events).diagnosis);
    expect(text.split('\n')[0]).toBe('Cause: 500 unexplained 5xx: 3 of 3 failed requests (100%)');
    expect(text).toContain(
      'Most frequent unexplained messages:\n  ×3  Execution failed due to configuration error: Invalid endpoint address',
    );
  });
});
