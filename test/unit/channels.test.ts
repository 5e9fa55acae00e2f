import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';
import { renderChatbotNotification } from '../../lambda/render/chatbot.js';
import { alarmLink, functionLink, logGroupLink } from '../../lambda/render/console-links.js';
import {
  SLACK_HEADER_MAX_CHARS,
  SLACK_MAX_BLOCKS,
  SLACK_SECTION_MAX_CHARS,
  SNS_MAX_MESSAGE_BYTES,
} from '../../lambda/render/limits.js';
import { renderSlackPayload, type SlackBlock } from '../../lambda/render/slack-blocks.js';
import { parseAlarmEvent } from '../../lambda/respond/alarm-event.js';
import { diagnosisNotification, messageBytes } from '../../lambda/respond/notification.js';
import { CAUSE_IDS } from '../../lambda/taxonomy.js';
import { alarmActionEvent } from '../e2e/responder-harness.js';

const API = { name: 'orders-api', apiId: 'a1b2c3d4e5', stage: 'prod', region: 'us-east-1', type: 'REST' as const };
const NOTICE = parseAlarmEvent(
  alarmActionEvent({
    alarmName: 'orders-api-prod-5xx',
    apiName: 'orders-api',
    stage: 'prod',
    state: 'ALARM',
    at: Date.parse('2026-11-25T03:15:00Z'),
  }),
);
const HOSTILE =
  '<!channel> @here <https://evil.example|reset password> ``` Authorization=Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln \u001b[31m';

/** One failed request per message, each with its own unexplained message: many causes and templates. */
function incident(messages: readonly string[]): LogEvent[] {
  return messages.flatMap((m, i) => {
    const id = `${i.toString(16).padStart(8, '0')}-aaaa-4bbb-8ccc-dddddddddddd`;
    return [
      { message: `(${id}) Execution failed due to configuration error: ${m}` },
      { message: `(${id}) Method completed with status: 500` },
    ];
  });
}

function allText(blocks: readonly SlackBlock[]): string[] {
  return blocks.flatMap((b) =>
    b.type === 'section'
      ? [b.text.text]
      : b.type === 'context'
        ? b.elements.map((e) => e.text)
        : b.type === 'header'
          ? [b.text.text]
          : [],
  );
}

describe('renderSlackPayload', () => {
  it('leads with a header and the cause, route and fix, escaped, inside every Block Kit limit', () => {
    const { diagnosis } = diagnoseEvents(incident([HOSTILE, 'Invalid endpoint address']), { api: API });
    const payload = renderSlackPayload(diagnosis);
    expect(payload.blocks[0]).toMatchObject({ type: 'header' });
    expect(payload.blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
    for (const b of payload.blocks) {
      if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_HEADER_MAX_CHARS);
      if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_SECTION_MAX_CHARS);
    }
    const text = [payload.text, ...allText(payload.blocks)].join('\n');
    expect(text).not.toMatch(/<[!@]|<https?:|[@!](?:channel|here|everyone)\b/);
    expect(text).not.toContain('eyJhbGciOiJIUzI1NiJ9');
    expect(payload.text.split('\n')[0]).toBe('Cause: 500 unexplained 5xx: 2 of 2 failed requests (100%)');
  });

  it('stays within 50 blocks for an incident with many causes and says what did not fit', () => {
    // Prepare: a real diagnosis, its causes repeated under every cause id of the taxonomy (4 blocks each).
    const { diagnosis: real } = diagnoseEvents(
      incident(['Invalid permissions on Lambda function', 'Malformed Lambda proxy response']),
      { api: API },
    );
    const causes = CAUSE_IDS.map((cause, i) => ({
      ...(real.causes[i % real.causes.length] as (typeof real.causes)[number]),
      cause,
    }));
    const diagnosis = { ...real, causes };
    // Act
    const payload = renderSlackPayload(diagnosis);
    // Assess: whole causes in order, then one block naming the rest, and the notes still at the end.
    expect(payload.blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
    const texts = allText(payload.blocks);
    const shown = causes.filter((c) => texts.some((t) => t.includes(`\`${c.cause}\``)));
    expect(shown).toEqual(causes.slice(0, shown.length));
    const hidden = causes.slice(shown.length).map((c) => c.cause);
    expect(hidden.length).toBeGreaterThan(0);
    const more = texts.filter((t) => t.includes('not shown'));
    expect(more).toEqual([`_${hidden.length} more causes not shown here (${hidden.join(', ')}): see the email._`]);
    expect(payload.blocks.at(-1)).toMatchObject({ type: 'context' });
  });

  it('shows every cause and no "not shown" block when they fit', () => {
    const { diagnosis } = diagnoseEvents(incident(['Invalid permissions on Lambda function', 'Authorizer error']), {
      api: API,
    });
    const texts = allText(renderSlackPayload(diagnosis).blocks);
    for (const c of diagnosis.causes) expect(texts.some((t) => t.includes(`\`${c.cause}\``))).toBe(true);
    expect(texts.some((t) => t.includes('not shown'))).toBe(false);
  });
});

describe('renderChatbotNotification', () => {
  it('follows the custom notification schema with the alarm as thread, escaped markdown, short lists', () => {
    const { diagnosis } = diagnoseEvents(
      [
        '(8212e5af-c174-48ce-85d5-729d73c6771a) Endpoint response body before transformations: "<!here> Bad response"',
        '(8212e5af-c174-48ce-85d5-729d73c6771a) Execution failed due to configuration error: Malformed Lambda proxy response',
        '(8212e5af-c174-48ce-85d5-729d73c6771a) Method completed with status: 502',
      ].map((message) => ({ message })),
      { api: API },
    );
    const n = renderChatbotNotification(diagnosis, {
      alarmName: NOTICE.alarmName,
      alarmArn: NOTICE.alarmArn as string,
    });
    expect(n).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: ':rotating_light: [ALARM] orders-api/prod: 502 malformed Lambda proxy response (100%)',
      },
      metadata: {
        threadId: 'orders-api-prod-5xx',
        eventType: 'ApiGateway5xxDiagnosis',
        relatedResources: [NOTICE.alarmArn],
      },
    });
    expect(n.content.keywords).toEqual(['malformed_lambda_response', 'orders-api', 'prod', '502']);
    expect(n.content.nextSteps?.length).toBeGreaterThan(0);
    expect(n.content.description).toContain('&lt;!\u200Bhere&gt; Bad response');
    expect(JSON.stringify(n)).not.toMatch(/<!here>|@here\b/);
  });

  it('keeps description and steps short whatever the diagnosis holds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 5000 }), { minLength: 1, maxLength: 8 }),
        (messages) => {
          const { diagnosis } = diagnoseEvents(incident(messages));
          const n = renderChatbotNotification(diagnosis, { alarmName: 'a' });
          expect(n.content.description.length).toBeLessThanOrEqual(2_800);
          expect(n.content.title.length).toBeLessThanOrEqual(250);
          expect(n.content.nextSteps?.length ?? 0).toBeLessThanOrEqual(5);
          expect(JSON.stringify(n)).not.toMatch(/<[!@]|[@!](?:channel|here|everyone)\b/);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('diagnosisNotification', () => {
  it('fits SNS for a huge, hostile incident by trimming detail, never the summary', () => {
    // Prepare: 400 distinct unexplained messages of 5 KB each, and a cause for each remedy in the taxonomy.
    const messages = Array.from(
      { length: 400 },
      (_, i) => `${'Q'.repeat(5_000)} variant ${'z'.repeat(i % 50)} ${HOSTILE}`,
    );
    const { diagnosis } = diagnoseEvents(incident(messages), { api: API });
    // Act
    const n = diagnosisNotification(diagnosis, {
      notice: NOTICE,
      logGroups: ['API-Gateway-Execution-Logs_a1b2c3d4e5/prod'],
    });
    // Assess
    expect(messageBytes(n)).toBeLessThan(SNS_MAX_MESSAGE_BYTES - 8 * 1024);
    expect(n.emailText.split('\n')[0]).toBe('Cause: 500 unexplained 5xx: 400 of 400 failed requests (100%)');
    expect(n.subject.length).toBeLessThanOrEqual(100);
    expect(n.emailText).not.toContain('eyJhbGciOiJIUzI1NiJ9');
  });

  it('puts console links for the alarm, the log groups read and the function in the email', () => {
    const { diagnosis } = diagnoseEvents(
      [
        '(73737819-c94c-48d7-86d7-b1700e4be29b) Sending request to https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders-create/invocations',
        '(73737819-c94c-48d7-86d7-b1700e4be29b) Execution failed due to configuration error: Invalid permissions on Lambda function',
        '(73737819-c94c-48d7-86d7-b1700e4be29b) Method completed with status: 500',
      ].map((message) => ({ message })),
      { api: API },
    );
    const n = diagnosisNotification(diagnosis, {
      notice: NOTICE,
      logGroups: ['API-Gateway-Execution-Logs_a1b2c3d4e5/prod'],
      window: { start: 1_795_600_000_000, end: 1_795_600_600_000 },
    });
    expect(n.emailText).toContain(
      'Log group API-Gateway-Execution-Logs_a1b2c3d4e5/prod: https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/API-Gateway-Execution-Logs_a1b2c3d4e5$252Fprod/log-events$3Fstart$3D1795600000000$26end$3D1795600600000',
    );
    expect(n.emailText).toContain(
      'Alarm: https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/orders-api-prod-5xx',
    );
    expect(n.emailText).toContain(
      'Function orders-create: https://us-east-1.console.aws.amazon.com/lambda/home?region=us-east-1#/functions/orders-create',
    );
  });
});

describe('console links', () => {
  it('refuses a region or function name that is not well formed', () => {
    expect(logGroupLink('us-east-1"><script>', 'x')).toBeUndefined();
    expect(alarmLink('evil.example/', 'x')).toBeUndefined();
    expect(functionLink('us-east-1', 'a/../../b')).toBeUndefined();
    expect(alarmLink('eu-west-1', 'a b/c')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/a%20b%2Fc',
    );
  });
});
