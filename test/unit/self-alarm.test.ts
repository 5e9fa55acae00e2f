import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SelfMonitoringConfig } from '../../lambda/config/runtime-config.js';
import type { AlarmNotice } from '../../lambda/respond/alarm-event.js';
import {
  CHECK_TEST_SOURCE,
  checkTestNotification,
  isCheckTestEvent,
  selfAlarmNotification,
} from '../../lambda/respond/self-alarm.js';
import { fencedBlocks } from '../docs-helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PREFIX = 'ApiGateway5xxResponder';
const CONFIG: SelfMonitoringConfig = {
  alarms: [
    { alarmName: `${PREFIX}-responder-failure-queue`, kind: 'responder-failure-queue' },
    { alarmName: `${PREFIX}-responder-throttles`, kind: 'responder-throttles' },
    { alarmName: `${PREFIX}-forwarder-errors`, kind: 'forwarder-errors' },
  ],
  responder: {
    failureQueueUrl: `https://sqs.eu-west-1.amazonaws.com/123456789012/${PREFIX}-FailedInvocations`,
    logGroup: `/aws/lambda/${PREFIX}-Function`,
    timeoutSec: 60,
    reservedConcurrency: 5,
  },
  forwarder: {
    functionName: `${PREFIX}-Forwarder`,
    failureQueueUrl: `https://sqs.eu-west-1.amazonaws.com/123456789012/${PREFIX}-ForwarderFailures`,
    logGroup: `/aws/lambda/${PREFIX}-Forwarder`,
    timeoutSec: 30,
    reservedConcurrency: 1,
  },
};

function notice(alarmName: string, state: AlarmNotice['state'] = 'ALARM'): AlarmNotice {
  return {
    alarmName,
    state,
    stateTime: Date.parse('2026-11-29T03:12:00Z'),
    region: 'eu-west-1',
    dimensions: {},
    envelope: 'lambda-alarm-action',
  };
}

describe('selfAlarmNotification', () => {
  it('renders exactly the failure-queue message docs/deploying.md shows', () => {
    // Prepare
    const docs = readFileSync(join(ROOT, 'docs', 'deploying.md'), 'utf8');
    const shown = fencedBlocks(docs).find((b) => b.example === 'self-alarm');
    // Act
    const n = selfAlarmNotification(
      notice(`${PREFIX}-responder-failure-queue`),
      { ...CONFIG, alarms: CONFIG.alarms.slice(0, 1) },
      `${PREFIX}-Function`,
    );
    // Assess
    expect(shown?.text).toBe(n?.emailText.replace(/\n$/, ''));
    expect(docs).toContain(`Subject: \`${n?.subject}\``);
  });

  it('leaves alarms that are not its own to the diagnosis', () => {
    expect(selfAlarmNotification(notice('orders-prod-5xx'), CONFIG, 'fn')).toBeUndefined();
    expect(selfAlarmNotification(notice(`${PREFIX}-responder-errors`), undefined, 'fn')).toBeUndefined();
  });

  it("names the forwarder, its queue and its function for the forwarder's alarms", () => {
    const n = selfAlarmNotification(notice(`${PREFIX}-forwarder-errors`), CONFIG, `${PREFIX}-Function`);

    expect(n?.subject).toBe('[ALARM] apigw-5xx-responder: the Slack webhook forwarder failed (forwarder-errors)');
    expect(n?.emailText).toContain(
      `$ npx apigw-5xx replay --queue-url ${CONFIG.forwarder?.failureQueueUrl} --function-name ${PREFIX}-Forwarder --region eu-west-1`,
    );
    expect(n?.attributes).toMatchObject({ cause: 'responder_failure', state: 'ALARM' });
  });

  it('says the reserved concurrency when the responder is throttled', () => {
    const n = selfAlarmNotification(notice(`${PREFIX}-responder-throttles`), CONFIG, 'fn');

    expect(n?.emailText).toMatch(/^Cause: the 5xx responder failed: .*reserved concurrency \(5\)/);
  });

  it('sends a recovery when its alarm is OK again, with the replay for anything still kept', () => {
    const n = selfAlarmNotification(notice(`${PREFIX}-responder-failure-queue`, 'OK'), CONFIG, 'fn');

    expect(n?.subject).toBe('[OK] apigw-5xx-responder: the 5xx responder recovered (responder-failure-queue)');
    expect(n?.attributes.cause).toBe('recovered');
    expect(n?.emailText).toContain(`npx apigw-5xx replay --queue-url ${CONFIG.responder.failureQueueUrl}`);
  });
});

describe('checkTestNotification', () => {
  it('recognises only the event apigw-5xx check sends', () => {
    expect(isCheckTestEvent({ source: CHECK_TEST_SOURCE })).toBe(true);
    expect(isCheckTestEvent({ source: 'aws.cloudwatch' })).toBe(false);
    expect(isCheckTestEvent('apigw-5xx.check')).toBe(false);
  });

  it('marks TEST in the subject and first line of every channel, and says no API is failing', () => {
    // Act
    const n = checkTestNotification({ requestedAt: '2026-11-29T03:12:00.000Z' }, ['orders-api/prod', '<!channel>'], 0);
    // Assess
    expect(n.subject).toBe('[TEST] apigw-5xx-responder: test notification, no incident');
    expect(n.emailText.split('\n')[0]).toBe(
      'TEST: this is a test notification sent by `apigw-5xx check --send-test` at 2026-11-29 03:12:00Z; no API is failing.',
    );
    const https = JSON.parse(n.extraProtocols?.https ?? '{}');
    const slack = JSON.parse(n.extraProtocols?.lambda ?? '{}');
    expect(https.content.title).toContain('[TEST]');
    expect(https.content.description).toMatch(/^TEST: /);
    expect(slack.blocks[0].text.text).toContain('[TEST]');
    expect(slack.text).toMatch(/^TEST: /);
    // A configured name is escaped for Slack like any other text.
    expect(n.extraProtocols?.lambda).not.toContain('<!channel>');
    expect(n.attributes).toMatchObject({ cause: 'test', state: 'TEST' });
  });
});
