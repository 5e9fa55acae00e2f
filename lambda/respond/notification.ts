import type { Notification } from '../adapters/publisher.js';
import type { RuntimeApiConfig } from '../config/runtime-config.js';
import { renderChatbotLines, renderChatbotNotification } from '../render/chatbot.js';
import { alarmLink, functionLink, logGroupLink } from '../render/console-links.js';
import {
  byteLength,
  cut,
  SNS_MAX_MESSAGE_BYTES,
  SNS_RESERVED_BYTES,
  type TrimLevel,
  trimDiagnosis,
} from '../render/limits.js';
import { renderSlackLines, renderSlackPayload } from '../render/slack-blocks.js';
import { renderSubject } from '../render/subject.js';
import { clean, formatTime, inferredStatus, renderText } from '../render/text.js';
import { asciiSubject } from '../safety/escape.js';
import type { Diagnosis } from '../summarize/diagnosis.js';
import type { AlarmNotice } from './alarm-event.js';

/**
 * Builds what is published for each channel from one diagnosis: the email subject and text (also the `default`
 * text), the Chatbot custom notification (`https` entry) and the Slack webhook payload (`lambda` entry, posted by
 * the forwarder), with the attributes subscription filter policies use. The whole message stays inside SNS's
 * 256 KiB: detail is trimmed first, never the summary.
 */

export interface AlarmContext {
  readonly notice: AlarmNotice;
  readonly api?: RuntimeApiConfig;
  /** Log groups that were read, for console links. */
  readonly logGroups?: readonly string[];
  readonly window?: { readonly start: number; readonly end: number };
  /** Name the alarm's account in the subject (a central responder's alarm from a member account). */
  readonly accountInSubject?: boolean;
}

function links(d: Diagnosis | undefined, ctx: AlarmContext): string[] {
  const region = d?.api.region ?? ctx.notice.region;
  if (region === undefined) return [];
  const out: string[] = [];
  const alarm = alarmLink(region, ctx.notice.alarmName);
  if (alarm !== undefined) out.push(`Alarm: ${alarm}`);
  for (const group of ctx.logGroups ?? []) {
    const link = logGroupLink(region, group, ctx.window);
    if (link !== undefined) out.push(`Log group ${group}: ${link}`);
  }
  for (const fn of new Set(d?.causes.flatMap((c) => c.functions) ?? [])) {
    const link = functionLink(region, fn);
    if (link !== undefined) out.push(`Function ${fn}: ${link}`);
  }
  return out;
}

function footer(d: Diagnosis | undefined, ctx: AlarmContext): string {
  const n = ctx.notice;
  const lines = ['', '--', `Alarm: ${clean(n.alarmName, 255)} (${n.state}) at ${formatTime(n.stateTime)}`];
  if (n.reason !== undefined) lines.push(`Reason: ${clean(n.reason, 600)}`);
  const account = ctx.accountInSubject === true ? (d?.api.accountId ?? n.accountId) : undefined;
  if (account !== undefined) {
    // A central responder's alarm from a member account: the fixes and the links act on the member account.
    lines.push(
      `Account: the API is in account ${account}. Run the fix commands with that account's credentials (a profile or role in it), not the central account's; the console links open the account you are signed in to.`,
    );
  }
  const consoleLinks = links(d, ctx);
  if (consoleLinks.length > 0) lines.push('In the console:', ...consoleLinks.map((l) => `  ${l}`));
  return lines.join('\n');
}

export function attributesOf(
  diagnosis: Diagnosis | undefined,
  api: RuntimeApiConfig | undefined,
  state: string,
): Record<string, string> {
  const top = diagnosis?.causes[0];
  // No cause in the logs: the one metrics and configuration show (logging off or thin), so filters still route it.
  const inferred = top === undefined ? diagnosis?.signals?.inferred[0] : undefined;
  const status = top?.statuses[0]?.key ?? (inferred !== undefined ? inferredStatus(inferred.cause) : undefined);
  return {
    cause: state === 'ALARM' ? (top?.cause ?? inferred?.cause ?? 'none') : 'recovered',
    api: api?.name ?? api?.id ?? 'unknown',
    stage: api?.stage ?? 'unknown',
    status: status === null || status === undefined ? 'none' : String(status),
    state,
  };
}

/** Serialized size of the SNS message the publisher will send (JSON with one entry per protocol). */
export function messageBytes(n: Notification): number {
  return (
    byteLength(JSON.stringify({ default: n.defaultText, email: n.emailText, ...n.extraProtocols })) +
    byteLength(n.subject)
  );
}

const LEVELS: readonly TrimLevel[] = [0, 1, 2, 3];

/** The ALARM notification for a diagnosis, trimmed until it fits SNS. */
export function diagnosisNotification(diagnosis: Diagnosis, ctx: AlarmContext): Notification {
  const budget = SNS_MAX_MESSAGE_BYTES - SNS_RESERVED_BYTES;
  let last: Notification | undefined;
  for (const level of LEVELS) {
    const d = trimDiagnosis(diagnosis, level);
    const text = `${renderText(d)}${footer(d, ctx)}\n`;
    last = {
      subject: renderSubject(diagnosis, 'ALARM', { account: ctx.accountInSubject === true }),
      defaultText: text,
      emailText: text,
      attributes: attributesOf(diagnosis, ctx.api, 'ALARM'),
      extraProtocols: {
        https: JSON.stringify(
          renderChatbotNotification(d, {
            alarmName: ctx.notice.alarmName,
            ...(ctx.notice.alarmArn !== undefined ? { alarmArn: ctx.notice.alarmArn } : {}),
          }),
        ),
        lambda: JSON.stringify(renderSlackPayload(d, 'ALARM')),
      },
    };
    if (messageBytes(last) <= budget) return last;
  }
  // Unreachable with the bounded Diagnosis, but never publish something SNS rejects: cut the texts hard.
  const hard = cut(last?.emailText ?? '', 60_000);
  return { ...(last as Notification), defaultText: hard, emailText: hard };
}

/** A short notification (recovery, unmapped alarm) for every channel. */
export function linesNotification(
  subject: string,
  lines: readonly string[],
  ctx: AlarmContext,
  attributes: Record<string, string>,
  eventType: string,
): Notification {
  const text = `${lines.map((l) => clean(l, 1200)).join('\n')}\n${footer(undefined, ctx)}\n`;
  const safeSubject = asciiSubject(subject);
  return {
    subject: safeSubject,
    defaultText: text,
    emailText: text,
    attributes,
    extraProtocols: {
      https: JSON.stringify(
        renderChatbotLines(safeSubject, lines, {
          summary: safeSubject,
          eventType,
          keywords: [attributes.cause, attributes.api, attributes.stage],
          alarmName: ctx.notice.alarmName,
          ...(ctx.notice.alarmArn !== undefined ? { alarmArn: ctx.notice.alarmArn } : {}),
        }),
      ),
      lambda: JSON.stringify(renderSlackLines(safeSubject, lines)),
    },
  };
}
