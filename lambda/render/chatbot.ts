import { escapeSlack, escapeSlackCode } from '../safety/escape.js';
import type { Diagnosis } from '../summarize/diagnosis.js';
import {
  CHATBOT_DESCRIPTION_MAX_CHARS,
  CHATBOT_MAX_KEYWORDS,
  CHATBOT_MAX_NEXT_STEPS,
  CHATBOT_NEXT_STEP_MAX_CHARS,
  CHATBOT_TITLE_MAX_CHARS,
  cut,
} from './limits.js';
import { apiLabel, causeLabel, clean, formatTime, headline, percent, samplingLine, verdictOf } from './text.js';

/**
 * The custom notification that AWS Chatbot (Amazon Q Developer in chat applications) renders in Slack, sent in the
 * `https` entry of the SNS message (the entry Chatbot's HTTPS subscription receives). Schema:
 * https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html. Text is client-markdown, which Chatbot
 * renders as Slack mrkdwn, so log text is escaped exactly as for Slack.
 */
export interface ChatbotNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id?: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps?: readonly string[];
    readonly keywords?: readonly string[];
  };
  readonly metadata: {
    /** The alarm name: ALARM and OK notifications of one alarm land in one Slack thread. */
    readonly threadId?: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources?: readonly string[];
    readonly additionalContext?: Readonly<Record<string, string>>;
  };
}

export interface ChatbotContext {
  readonly alarmName?: string;
  readonly alarmArn?: string;
  readonly eventId?: string;
}

function esc(text: string, max = 400): string {
  return escapeSlack(clean(text, max));
}

function base(ctx: ChatbotContext) {
  return {
    version: '1.0' as const,
    source: 'custom' as const,
    ...(ctx.eventId !== undefined ? { id: ctx.eventId } : {}),
  };
}

function keywords(values: ReadonlyArray<string | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined && v !== '').map((v) => clean(v, 60)))].slice(
    0,
    CHATBOT_MAX_KEYWORDS,
  );
}

export function renderChatbotNotification(d: Diagnosis, ctx: ChatbotContext = {}): ChatbotNotification {
  const [cause, route, fix] = headline(d);
  const top = d.causes[0];
  const api = `${d.api.name ?? d.api.apiId ?? 'API'}${d.api.stage !== undefined ? `/${d.api.stage}` : ''}`;
  const summary = top !== undefined ? `${causeLabel(top)} (${percent(top.share)})` : cause.replace(/^Cause: /, '');
  const sampled = samplingLine(d);
  const lines = [
    `*${esc(cause, 600)}*`,
    esc(route, 600),
    esc(fix, 1200),
    ...(sampled !== undefined ? [`_${esc(sampled, 400)}_`] : []),
    '',
  ];
  lines.push(`*API* ${esc(apiLabel(d), 200)}  •  *Failed* ${d.failedRequests}  •  *Below 500* ${d.succeededRequests}`);
  if (d.firstSeen !== undefined) lines.push(`*Seen* ${formatTime(d.firstSeen)} to ${formatTime(d.lastSeen)}`);
  for (const [i, s] of d.causes.slice(0, 4).entries()) {
    lines.push('', `*${i + 1}. ${esc(causeLabel(s), 200)}* \`${s.cause}\`: ${s.count} (${percent(s.share)})`);
    if (s.routes[0] !== undefined) lines.push(`Route: ${esc(s.routes[0].key, 150)} ×${s.routes[0].count}`);
    const verdict = verdictOf(d, s.cause);
    if (verdict !== undefined) lines.push(`Configuration: _${verdict}_`);
    const sourced = d.signals?.verdicts.find((v) => v.cause === s.cause);
    if (sourced !== undefined && sourced.sources.length > 1) lines.push(`Sources: _${sourced.sources.join(' + ')}_`);
    if (s.backend[0] !== undefined) lines.push(`The function said: ${esc(s.backend[0].key, 300)}`);
    if (s.evidence[0] !== undefined) lines.push(`\`\`\`${escapeSlackCode(clean(s.evidence[0], 300))}\`\`\``);
  }
  for (const note of [...d.unreadable, ...d.limits].slice(0, 3)) lines.push(`_${esc(note, 400)}_`);
  const steps = (top?.remedy ?? [])
    .slice(0, CHATBOT_MAX_NEXT_STEPS)
    .map((step) =>
      cut(
        step.command !== undefined
          ? `${esc(step.text, 300)} \`${escapeSlackCode(clean(step.command, 500))}\``
          : esc(step.text, 500),
        CHATBOT_NEXT_STEP_MAX_CHARS,
      ),
    );
  return {
    ...base(ctx),
    content: {
      textType: 'client-markdown',
      title: cut(`:rotating_light: [ALARM] ${esc(api, 120)}: ${esc(summary, 200)}`, CHATBOT_TITLE_MAX_CHARS, '…'),
      description: cut(lines.join('\n'), CHATBOT_DESCRIPTION_MAX_CHARS),
      ...(steps.length > 0 ? { nextSteps: steps } : {}),
      keywords: keywords([top?.cause, d.api.name ?? d.api.apiId, d.api.stage, top?.statuses[0]?.key?.toString()]),
    },
    metadata: {
      ...(ctx.alarmName !== undefined ? { threadId: clean(ctx.alarmName, 255) } : {}),
      summary: clean(`[ALARM] ${api}: ${summary}`, 300),
      eventType: 'ApiGateway5xxDiagnosis',
      ...(ctx.alarmArn !== undefined ? { relatedResources: [ctx.alarmArn] } : {}),
      additionalContext: {
        cause: top?.cause ?? 'none',
        api: clean(d.api.name ?? d.api.apiId ?? 'unknown', 100),
        stage: d.api.stage ?? 'unknown',
        failedRequests: String(d.failedRequests),
      },
    },
  };
}

/** A short notification (recovery, unmapped alarm) in the same format. */
export function renderChatbotLines(
  title: string,
  lines: readonly string[],
  meta: {
    readonly summary: string;
    readonly eventType: string;
    readonly keywords: ReadonlyArray<string | undefined>;
  } & ChatbotContext,
): ChatbotNotification {
  return {
    ...base(meta),
    content: {
      textType: 'client-markdown',
      title: cut(esc(title, 300), CHATBOT_TITLE_MAX_CHARS, '…'),
      description: cut(lines.map((l) => esc(l, 1200)).join('\n'), CHATBOT_DESCRIPTION_MAX_CHARS),
      keywords: keywords(meta.keywords),
    },
    metadata: {
      ...(meta.alarmName !== undefined ? { threadId: clean(meta.alarmName, 255) } : {}),
      summary: clean(meta.summary, 300),
      eventType: meta.eventType,
      ...(meta.alarmArn !== undefined ? { relatedResources: [meta.alarmArn] } : {}),
    },
  };
}
