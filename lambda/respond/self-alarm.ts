/**
 * The responder's alarms on itself (failure queue depth, errors, throttles, duration near the timeout, and the same
 * for the Slack webhook forwarder) invoke the responder like the API alarms do. It recognises them by name and
 * publishes a short plain message: which alarm fired, what may have gone undiagnosed or unsent, and the command that
 * replays the kept events. Pure: the configuration and the alarm notice in, the notification out.
 */
import type { Notification } from '../adapters/publisher.js';
import type { SelfAlarmKind, SelfMonitoringConfig, WatchedFunction } from '../config/runtime-config.js';
import { renderChatbotLines } from '../render/chatbot.js';
import { logGroupLink } from '../render/console-links.js';
import { renderSlackLines } from '../render/slack-blocks.js';
import { formatTime } from '../render/text.js';
import { shellQuote } from '../summarize/remedy.js';
import type { AlarmNotice } from './alarm-event.js';
import { linesNotification } from './notification.js';

/** The message attribute `cause` of these notifications (not a taxonomy id: per-cause routes do not get them). */
export const SELF_ALARM_CAUSE = 'responder_failure';

interface Explained {
  readonly who: 'responder' | 'forwarder';
  readonly what: string;
  readonly impact: string;
  readonly fix: string;
}

function explain(kind: SelfAlarmKind, fn: WatchedFunction): Explained {
  switch (kind) {
    case 'responder-failure-queue':
      return {
        who: 'responder',
        what: 'alarm events the responder could not handle after its retries are waiting in its failure queue',
        impact: 'an API Gateway 5xx alarm went undiagnosed: nobody was told why its requests failed',
        fix: 'replay the kept events once the cause below is fixed',
      };
    case 'responder-errors':
      return {
        who: 'responder',
        what: 'invocations of the responder failed (Errors > 0)',
        impact:
          'an API Gateway 5xx alarm may go undiagnosed; Lambda retries it twice, then keeps it in the failure queue',
        fix: 'read the error in the log below; once fixed, replay what the failure queue kept',
      };
    case 'responder-throttles':
      return {
        who: 'responder',
        what: `the responder was throttled (Throttles > 0): more alarms at once than its reserved concurrency (${fn.reservedConcurrency})`,
        impact:
          'diagnoses are late; Lambda retries throttled alarm events for up to 6 hours, then keeps them in the failure queue',
        fix: 'raise reservedConcurrency if this repeats; replay what the failure queue kept',
      };
    case 'responder-duration':
      return {
        who: 'responder',
        what: `the responder ran close to its ${fn.timeoutSec} s timeout (longest run above 80 % of it)`,
        impact: 'a slower read would time out and leave the alarm undiagnosed',
        fix: 'raise timeoutSec, or lower maxLogPages / maxLogEvents; replay what the failure queue kept, if anything',
      };
    case 'forwarder-failure-queue':
      return {
        who: 'forwarder',
        what: 'notifications the Slack webhook forwarder could not post after its retries are waiting in its failure queue',
        impact: 'Slack missed a notification (email and other subscriptions got it)',
        fix: 'check the webhook secret and Slack, then replay the kept events',
      };
    case 'forwarder-errors':
      return {
        who: 'forwarder',
        what: 'invocations of the Slack webhook forwarder failed (Errors > 0)',
        impact: 'Slack may miss notifications; Lambda retries twice, then keeps them in the forwarder failure queue',
        fix: 'read the error in the log below; once fixed, replay what the failure queue kept',
      };
    case 'forwarder-throttles':
      return {
        who: 'forwarder',
        what: `the Slack webhook forwarder was throttled (Throttles > 0; reserved concurrency ${fn.reservedConcurrency})`,
        impact: 'Slack notifications are late; Lambda retries them for up to 6 hours',
        fix: 'nothing if it clears; raise slackWebhook.reservedConcurrency if it repeats',
      };
  }
}

/** The command that re-drives the events kept in a failure queue through their function. */
export function replayCommand(fn: WatchedFunction, region: string | undefined): string {
  const parts = [
    'npx apigw-5xx replay',
    `--queue-url ${shellQuote(fn.failureQueueUrl)}`,
    `--function-name ${shellQuote(fn.functionName ?? '<function-name>')}`,
  ];
  if (region !== undefined) parts.push(`--region ${shellQuote(region)}`);
  return parts.join(' ');
}

/**
 * The notification for one of the responder's own alarms, or undefined when the notice is not one of them.
 * `responderName` is the running function's name (`AWS_LAMBDA_FUNCTION_NAME`).
 */
export function selfAlarmNotification(
  notice: AlarmNotice,
  config: SelfMonitoringConfig | undefined,
  responderName: string | undefined,
): Notification | undefined {
  const alarm = config?.alarms.find((a) => a.alarmName === notice.alarmName);
  if (config === undefined || alarm === undefined) return undefined;
  const watched =
    alarm.kind.startsWith('forwarder') && config.forwarder !== undefined
      ? config.forwarder
      : { ...config.responder, ...(responderName !== undefined ? { functionName: responderName } : {}) };
  const e = explain(alarm.kind, watched);
  const name = e.who === 'responder' ? 'the 5xx responder' : 'the Slack webhook forwarder';
  const attributes = {
    cause: notice.state === 'ALARM' ? SELF_ALARM_CAUSE : 'recovered',
    api: 'apigw-5xx-responder',
    stage: 'none',
    status: 'none',
    state: notice.state,
  };
  if (notice.state !== 'ALARM') {
    return linesNotification(
      `[OK] apigw-5xx-responder: ${name} recovered (${alarm.kind})`,
      [
        `Recovered: ${name} is healthy again (${notice.alarmName} is ${notice.state} since ${formatTime(notice.stateTime)}).`,
        `Replay anything still kept in its failure queue: ${replayCommand(watched, notice.region)}`,
      ],
      { notice },
      attributes,
      'ApiGateway5xxResponderRecovery',
    );
  }
  const since = notice.stateTime !== undefined ? Math.max(0, notice.stateTime - 60 * 60_000) : undefined;
  const logLink = notice.region !== undefined ? logGroupLink(notice.region, watched.logGroup) : undefined;
  const lines = [
    `Cause: ${name} failed: ${e.what}.`,
    `Undiagnosed: ${e.impact}.`,
    `Fix: ${e.fix}.`,
    '',
    `Replay the kept events (each is sent to the function again and deleted once it succeeds):`,
    `  $ ${replayCommand(watched, notice.region)}`,
    `Read why it failed:`,
    `  $ aws logs filter-log-events --log-group-name ${shellQuote(watched.logGroup)}${notice.region !== undefined ? ` --region ${shellQuote(notice.region)}` : ''}${since !== undefined ? ` --start-time ${since}` : ''} --filter-pattern '?ERROR ?"Task timed out" ?"Runtime exited" ?Throttl'`,
    ...(logLink !== undefined ? [`Log group: ${logLink}`] : []),
    `Check the whole deployment afterwards: npx apigw-5xx check --function-name ${shellQuote(responderName ?? '<function-name>')}${notice.region !== undefined ? ` --region ${shellQuote(notice.region)}` : ''}`,
  ];
  return linesNotification(
    `[ALARM] apigw-5xx-responder: ${name} failed (${alarm.kind})`,
    lines,
    { notice },
    attributes,
    'ApiGateway5xxResponderFailure',
  );
}

/** The `source` of the event `apigw-5xx check --send-test` invokes the responder with. */
export const CHECK_TEST_SOURCE = 'apigw-5xx.check';

/** Whether the event is the test `apigw-5xx check --send-test` sends (not an alarm). */
export function isCheckTestEvent(event: unknown): event is { source: string; requestedAt?: string } {
  return typeof event === 'object' && event !== null && (event as { source?: unknown }).source === CHECK_TEST_SOURCE;
}

/** The TEST notification: marked TEST in its subject and first line on every channel; no incident. */
export function checkTestNotification(
  event: { requestedAt?: unknown },
  watched: readonly string[],
  now: number,
): Notification {
  const at = typeof event.requestedAt === 'string' ? Date.parse(event.requestedAt) : Number.NaN;
  const subject = '[TEST] apigw-5xx-responder: test notification, no incident';
  const lines = [
    `TEST: this is a test notification sent by \`apigw-5xx check --send-test\` at ${formatTime(Number.isNaN(at) ? now : at)}; no API is failing.`,
    'It shows that the responder can publish to this topic and that this channel receives what it publishes.',
    `Watched: ${watched.join(', ') || 'no API stage'}`,
  ];
  const text = `${lines.join('\n')}\n`;
  return {
    subject,
    defaultText: text,
    emailText: text,
    attributes: { cause: 'test', api: 'apigw-5xx-responder', stage: 'none', status: 'none', state: 'TEST' },
    extraProtocols: {
      https: JSON.stringify(
        renderChatbotLines(subject, lines, {
          summary: subject,
          eventType: 'ApiGateway5xxResponderTest',
          keywords: ['TEST', 'apigw-5xx-responder'],
        }),
      ),
      lambda: JSON.stringify(renderSlackLines(subject, lines)),
    },
  };
}
