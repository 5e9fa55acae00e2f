/**
 * Fuzz properties of what is actually published: the SNS message with its email text, the Chatbot custom
 * notification (`https` entry) and the Slack Block Kit payload (`lambda` entry), and what the webhook forwarder
 * makes of any SNS message. Log text is hostile; the API's name and log groups come from the operator's
 * configuration and are generated plain here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ForwarderEventError, snsMessagesOf } from '../../../lambda/forwarder/forward.js';
import { FALLBACK_TEXT_MAX_CHARS, toSlackPayload } from '../../../lambda/forwarder/slack-payload.js';
import type { ChatbotNotification } from '../../../lambda/render/chatbot.js';
import { renderChatbotNotification } from '../../../lambda/render/chatbot.js';
import {
  CHATBOT_DESCRIPTION_MAX_CHARS,
  CHATBOT_MAX_KEYWORDS,
  CHATBOT_MAX_NEXT_STEPS,
  CHATBOT_NEXT_STEP_MAX_CHARS,
  CHATBOT_TITLE_MAX_CHARS,
  SLACK_CONTEXT_MAX_ELEMENTS,
  SLACK_HEADER_MAX_CHARS,
  SLACK_MAX_BLOCKS,
  SLACK_SECTION_MAX_CHARS,
  SLACK_TEXT_MAX_CHARS,
  SNS_MAX_MESSAGE_BYTES,
  SNS_RESERVED_BYTES,
} from '../../../lambda/render/limits.js';
import { renderSlackPayload, type SlackPayload } from '../../../lambda/render/slack-blocks.js';
import type { AlarmNotice } from '../../../lambda/respond/alarm-event.js';
import { diagnosisNotification, linesNotification, messageBytes } from '../../../lambda/respond/notification.js';
import type { DiagnosisApi } from '../../../lambda/summarize/diagnosis.js';
import { anyText, embeddedSecret, logEvents, manyEvents, runs, timestamp } from './arbitraries.js';
import { expectNoSecret, expectSlackSafe, expectSubjectSafe, expectTextSafe } from './invariants.js';
import { diagnoseAndRender } from './pipeline.js';

/** What the operator configured: plain names (the construct validates ids and stages). */
const configuredApi: fc.Arbitrary<DiagnosisApi> = fc.record({
  type: fc.constantFrom<'REST' | 'HTTP'>('REST', 'HTTP'),
  name: fc.constantFrom('orders-api', 'payments', 'Orders API (prod)'),
  apiId: fc.constantFrom('a1b2c3d4e5', 'f6g7h8i9j0'),
  stage: fc.constantFrom('prod', '$default', 'v2_beta-1'),
  region: fc.constantFrom('us-east-1', 'eu-west-2', 'ap-southeast-2'),
  accountId: fc.constant('123456789012'),
});

/** An alarm state change as parseAlarmEvent gives it; the name and reason are free text from the event. */
const notice: fc.Arbitrary<AlarmNotice> = fc.record(
  {
    alarmName: anyText.filter((s) => s !== ''),
    alarmArn: fc.constant('arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api-prod-5xx'),
    state: fc.constantFrom<'ALARM' | 'OK'>('ALARM', 'OK'),
    previousState: fc.constantFrom('OK', 'ALARM', 'INSUFFICIENT_DATA'),
    reason: anyText,
    stateTime: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    previousStateTime: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    region: fc.constantFrom('us-east-1', 'eu-west-2'),
    accountId: fc.constant('123456789012'),
    dimensions: fc.dictionary(fc.constantFrom('ApiName', 'ApiId', 'Stage'), anyText),
    envelope: fc.constantFrom<AlarmNotice['envelope']>('lambda-alarm-action', 'sns', 'eventbridge'),
  },
  { requiredKeys: ['alarmName', 'state', 'dimensions', 'envelope'] },
);

const LOG_GROUPS = [
  'API-Gateway-Execution-Logs_a1b2c3d4e5/prod',
  '/aws/apigateway/orders-access',
  '/aws/lambda/orders-get',
];

function expectSlackPayloadSafe(payload: SlackPayload): void {
  expect(payload.blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
  expect(payload.text.length).toBeLessThanOrEqual(SLACK_TEXT_MAX_CHARS);
  expectSlackSafe(payload.text);
  for (const block of payload.blocks) {
    switch (block.type) {
      case 'header':
        // Plain text is not parsed by Slack: only its length and controls matter.
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_HEADER_MAX_CHARS);
        expectTextSafe(block.text.text, 'header');
        break;
      case 'section':
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_SECTION_MAX_CHARS);
        if (block.text.type === 'mrkdwn') expectSlackSafe(block.text.text);
        else expectTextSafe(block.text.text);
        break;
      case 'context':
        expect(block.elements.length).toBeLessThanOrEqual(SLACK_CONTEXT_MAX_ELEMENTS);
        for (const e of block.elements) {
          expect(e.text.length).toBeLessThanOrEqual(SLACK_SECTION_MAX_CHARS);
          if (e.type === 'mrkdwn') expectSlackSafe(e.text);
          else expectTextSafe(e.text);
        }
        break;
      case 'divider':
        break;
    }
  }
}

function expectChatbotSafe(n: ChatbotNotification): void {
  const c = n.content;
  expect(c.title.length).toBeLessThanOrEqual(CHATBOT_TITLE_MAX_CHARS);
  expect(c.description.length).toBeLessThanOrEqual(CHATBOT_DESCRIPTION_MAX_CHARS);
  expectSlackSafe(c.title);
  expectSlackSafe(c.description);
  expect((c.nextSteps ?? []).length).toBeLessThanOrEqual(CHATBOT_MAX_NEXT_STEPS);
  for (const step of c.nextSteps ?? []) {
    expect(step.length).toBeLessThanOrEqual(CHATBOT_NEXT_STEP_MAX_CHARS);
    expectSlackSafe(step);
  }
  expect((c.keywords ?? []).length).toBeLessThanOrEqual(CHATBOT_MAX_KEYWORDS);
  for (const k of c.keywords ?? []) expectTextSafe(k, 'keyword');
  expectTextSafe(n.metadata.summary, 'summary');
  if (n.metadata.threadId !== undefined) expectTextSafe(n.metadata.threadId, 'threadId');
}

describe('Slack payload and Chatbot notification', () => {
  it('keep Slack escaping and Block Kit limits for any diagnosis of hostile events', () => {
    fc.assert(
      fc.property(logEvents(), configuredApi, anyText, (events, api, alarmName) => {
        const { diagnosis } = diagnoseAndRender(events, { api, readProblems: ['<!channel> could not read'] });
        expectSlackPayloadSafe(renderSlackPayload(diagnosis, 'ALARM'));
        expectSlackPayloadSafe(renderSlackPayload(diagnosis, 'OK'));
        expectChatbotSafe(renderChatbotNotification(diagnosis, { alarmName }));
      }),
      { numRuns: runs(200) },
    );
  });

  it('stay inside Block Kit limits for a few thousand events of every cause', () => {
    fc.assert(
      fc.property(manyEvents(150), configuredApi, (events, api) => {
        const { diagnosis } = diagnoseAndRender(events, { api });
        expectSlackPayloadSafe(renderSlackPayload(diagnosis));
        expectChatbotSafe(renderChatbotNotification(diagnosis));
      }),
      { numRuns: runs(10) },
    );
  });
});

describe('the SNS message (email, Chatbot, Slack entries)', () => {
  function expectNotificationSafe(n: ReturnType<typeof diagnosisNotification>): void {
    expect(messageBytes(n)).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES - SNS_RESERVED_BYTES);
    expectSubjectSafe(n.subject);
    expectTextSafe(n.emailText, 'email');
    expectTextSafe(n.defaultText, 'default');
    for (const value of Object.values(n.attributes)) expectTextSafe(value, 'attribute');
    const https = n.extraProtocols?.https;
    const lambda = n.extraProtocols?.lambda;
    if (https !== undefined) expectChatbotSafe(JSON.parse(https) as ChatbotNotification);
    if (lambda !== undefined) expectSlackPayloadSafe(JSON.parse(lambda) as SlackPayload);
  }

  it('fits SNS, with a safe subject, text and channel entries, for hostile events and alarm text', () => {
    fc.assert(
      fc.property(fc.oneof(logEvents(), manyEvents(60)), configuredApi, notice, (events, api, alarm) => {
        const { diagnosis } = diagnoseAndRender(events, { api });
        expectNotificationSafe(
          diagnosisNotification(diagnosis, {
            notice: alarm,
            logGroups: LOG_GROUPS,
            window: { start: 1_795_625_000_000, end: 1_795_626_000_000 },
          }),
        );
      }),
      { numRuns: runs(60) },
    );
  });

  it('keeps recovery and unmapped-alarm messages safe too', () => {
    fc.assert(
      fc.property(anyText, fc.array(anyText, { maxLength: 5 }), notice, (subject, lines, alarm) => {
        expectNotificationSafe(
          linesNotification(subject, lines, { notice: alarm }, { cause: 'recovered', api: 'x', stage: 'y' }, 'Test'),
        );
      }),
      { numRuns: runs(200) },
    );
  });

  it('never carries a credential from the logs in any entry', () => {
    fc.assert(
      fc.property(embeddedSecret, fc.uuid(), notice, timestamp, (secret, id, alarm, ts) => {
        const events = [
          `(${id}) Execution failed due to configuration error: Malformed Lambda proxy response ${secret.fragment}`,
          `(${id}) Method completed with status: 502`,
          `(${id}x) ${secret.fragment}`,
          `(${id}x) Method completed with status: 500`,
        ].map((message) => ({ message, ...(ts !== undefined ? { timestamp: ts } : {}) }));
        const { diagnosis } = diagnoseAndRender(events);
        const n = diagnosisNotification(diagnosis, { notice: alarm });
        expectNoSecret(
          {
            text: n.emailText,
            slack: n.extraProtocols?.lambda ?? '',
            json: n.extraProtocols?.https ?? '',
            subject: n.subject,
            okSubject: n.defaultText,
          },
          secret.secrets,
        );
      }),
      { numRuns: runs(300) },
    );
  });
});

describe('the Slack webhook forwarder', () => {
  it('escapes and bounds any message that is not a responder payload, and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.json({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 5000 })), (m) => {
        const payload = toSlackPayload(m);
        JSON.stringify(payload);
        let isPayload = false;
        try {
          const v: unknown = JSON.parse(m);
          isPayload = typeof v === 'object' && v !== null && !Array.isArray(v) && ('text' in v || 'blocks' in v);
        } catch {
          isPayload = false;
        }
        if (!isPayload) {
          expect(payload.text?.length ?? 0).toBeLessThanOrEqual(FALLBACK_TEXT_MAX_CHARS);
          expectSlackSafe(payload.text ?? '');
        }
      }),
      { numRuns: runs(400) },
    );
  });

  it('reads SNS events or throws ForwarderEventError, for any JSON event', () => {
    const attributes = fc.dictionary(
      fc.constantFrom('cause', 'api', 'stage', 'status', 'state'),
      fc.record({ Type: fc.constant('String'), Value: anyText }),
    );
    const snsRecord = fc.record(
      {
        EventSource: fc.constant('aws:sns'),
        EventVersion: fc.constant('1.0'),
        Sns: fc.record(
          {
            Type: fc.constant('Notification'),
            MessageId: fc.uuid(),
            TopicArn: fc.constant('arn:aws:sns:us-east-1:123456789012:apigw-5xx'),
            Subject: anyText,
            Message: fc.oneof(anyText, fc.json({ maxDepth: 3 })),
            MessageAttributes: attributes,
          },
          { requiredKeys: ['Message'] },
        ),
      },
      { requiredKeys: ['Sns'] },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue({ maxDepth: 5 }),
          fc.array(fc.record({ Sns: fc.jsonValue({ maxDepth: 3 }) }), { maxLength: 3 }).map((Records) => ({ Records })),
          // What SNS delivers (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html).
          fc.array(snsRecord, { minLength: 1, maxLength: 3 }).map((Records) => ({ Records })),
        ),
        (event) => {
          // Act
          let result: ReturnType<typeof snsMessagesOf> | ForwarderEventError;
          try {
            result = snsMessagesOf(event);
          } catch (error) {
            if (!(error instanceof ForwarderEventError)) throw error;
            result = error;
          }
          // Assess: an SNS event is read message for message; anything else is refused.
          const expected = expectedSnsMessages(event);
          if (expected === undefined) {
            expect(result).toBeInstanceOf(ForwarderEventError);
            return;
          }
          if (result instanceof ForwarderEventError) expect.fail(`an SNS event was refused: ${result.message}`);
          expect(result).toEqual(expected);
        },
      ),
      { numRuns: runs(400) },
    );
  });
});

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The messages of an SNS event, read from the event itself; undefined when any record is not from SNS. */
function expectedSnsMessages(event: unknown): ReturnType<typeof snsMessagesOf> | undefined {
  if (!isObject(event) || !Array.isArray(event.Records) || event.Records.length === 0) return undefined;
  const out: ReturnType<typeof snsMessagesOf> = [];
  for (const record of event.Records as unknown[]) {
    const sns = isObject(record) ? record.Sns : undefined;
    if (!isObject(sns) || typeof sns.Message !== 'string') return undefined;
    const attributes: Record<string, string> = {};
    for (const [name, a] of Object.entries(isObject(sns.MessageAttributes) ? sns.MessageAttributes : {})) {
      if (isObject(a) && typeof a.Value === 'string') attributes[name] = a.Value;
    }
    out.push({
      messageId: typeof sns.MessageId === 'string' ? sns.MessageId : undefined,
      message: sns.Message,
      attributes,
    });
  }
  return out;
}
