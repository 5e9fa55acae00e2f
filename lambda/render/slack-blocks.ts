import { escapeSlack, escapeSlackCode } from '../safety/escape.js';
import type { Diagnosis } from '../summarize/diagnosis.js';
import {
  cut,
  SLACK_CONTEXT_MAX_ELEMENTS,
  SLACK_HEADER_MAX_CHARS,
  SLACK_MAX_BLOCKS,
  SLACK_SECTION_MAX_CHARS,
  SLACK_TEXT_MAX_CHARS,
} from './limits.js';
import {
  apiLabel,
  causeLabel,
  clean,
  formatTime,
  headline,
  inferredLabel,
  percent,
  samplingLine,
  verdictOf,
} from './text.js';

/**
 * The Slack incoming-webhook payload (Block Kit) for a diagnosis: `{ text, blocks }`. Every piece of text goes
 * through escapeSlack (log text cannot mention @channel/@here or users, nor forge links), and every block stays
 * inside Slack's limits (limits.ts). The forwarder posts this payload as it is.
 */

type TextObject = { type: 'mrkdwn'; text: string } | { type: 'plain_text'; text: string; emoji?: boolean };
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: boolean } }
  | { type: 'section'; text: TextObject }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' };

export interface SlackPayload {
  /** Fallback text for notifications and clients that cannot show blocks. */
  readonly text: string;
  readonly blocks: SlackBlock[];
}

function mrkdwn(text: string): TextObject {
  return { type: 'mrkdwn', text: cut(text, SLACK_SECTION_MAX_CHARS) };
}

function section(text: string): SlackBlock {
  return { type: 'section', text: mrkdwn(text) };
}

/** Log-derived or free text for mrkdwn: redacted, one line, bounded, escaped. */
function esc(text: string, max = 400): string {
  return escapeSlack(clean(text, max));
}

function code(lines: readonly string[], maxEach = 400): string {
  return `\`\`\`${lines.map((l) => escapeSlackCode(clean(l, maxEach))).join('\n')}\`\`\``;
}

function header(text: string): SlackBlock {
  // Header blocks take plain text: nothing in it is parsed, so only length and controls matter.
  return {
    type: 'header',
    text: { type: 'plain_text', text: cut(clean(text, 300), SLACK_HEADER_MAX_CHARS, '…'), emoji: true },
  };
}

/** Keeps at most SLACK_MAX_BLOCKS blocks; if blocks had to go, the last one says so. */
function bounded(blocks: SlackBlock[]): SlackBlock[] {
  if (blocks.length <= SLACK_MAX_BLOCKS) return blocks;
  return [...blocks.slice(0, SLACK_MAX_BLOCKS - 1), section('_More detail did not fit in Slack: see the email._')];
}

function sampled(d: Diagnosis): string {
  const line = samplingLine(d);
  return line !== undefined ? `\n_${esc(line, 400)}_` : '';
}

export function renderSlackPayload(d: Diagnosis, state: 'ALARM' | 'OK' = 'ALARM'): SlackPayload {
  const [cause, route, fix] = headline(d);
  const top = d.causes[0];
  const inferred = d.signals?.inferred[0];
  const what =
    top !== undefined
      ? `${causeLabel(top)} (${percent(top.share)})`
      : inferred !== undefined
        ? `${inferredLabel(inferred)} (from ${inferred.sources.join(' + ')})`
        : cause.replace(/^Cause: /, '');
  const title = `${state === 'ALARM' ? '🚨' : '✅'} ${d.api.name ?? d.api.apiId ?? 'API'}${d.api.stage !== undefined ? `/${d.api.stage}` : ''}: ${what}`;
  const blocks: SlackBlock[] = [
    header(title),
    section(`*${esc(cause, 600)}*\n${esc(route, 600)}\n${esc(fix, 1500)}${sampled(d)}`),
    {
      type: 'context',
      elements: [
        mrkdwn(`*API* ${esc(apiLabel(d), 200)}`),
        mrkdwn(`*Failed* ${d.failedRequests}  •  *Below 500* ${d.succeededRequests}`),
        ...(d.firstSeen !== undefined
          ? [mrkdwn(`*Seen* ${formatTime(d.firstSeen)} to ${formatTime(d.lastSeen)}`)]
          : []),
      ].slice(0, SLACK_CONTEXT_MAX_ELEMENTS),
    },
  ];
  d.causes.forEach((s, i) => {
    blocks.push({ type: 'divider' });
    const lines = [
      `*${i + 1}. ${esc(causeLabel(s), 200)}* \`${s.cause}\`: ${s.count} of ${d.failedRequests} (${percent(s.share)})`,
    ];
    if (s.routes.length > 0)
      lines.push(
        `Routes: ${s.routes
          .slice(0, 3)
          .map((r) => `${esc(r.key, 150)} ×${r.count}`)
          .join(', ')}`,
      );
    if (s.functions.length > 0) lines.push(`Function: ${esc(s.functions.join(', '), 200)}`);
    const verdict = verdictOf(d, s.cause);
    const check = d.enrichment?.checks.find((c) => c.cause === s.cause);
    if (verdict !== undefined)
      lines.push(
        `Configuration: _${verdict}_${check?.evidence[0] !== undefined ? `: ${esc(check.evidence[0], 300)}` : ''}`,
      );
    const sourced = d.signals?.verdicts.find((v) => v.cause === s.cause);
    if (sourced !== undefined && sourced.sources.length > 1) lines.push(`Sources: _${sourced.sources.join(' + ')}_`);
    if (s.backend[0] !== undefined) lines.push(`The function said: ${esc(s.backend[0].key, 400)}`);
    blocks.push(section(lines.join('\n')));
    if (s.evidence.length > 0) blocks.push(section(code(s.evidence.slice(0, 3))));
    const steps = s.remedy
      .slice(0, 4)
      .map(
        (step, n) =>
          `${n + 1}. ${esc(step.text, 500)}${step.command !== undefined ? `\n${code([step.command], 900)}` : ''}`,
      );
    blocks.push(section(steps.join('\n')));
  });
  // Causes only metrics and configuration show (logging off or thin), and what the logging hides.
  for (const v of d.signals?.inferred.slice(0, 2) ?? []) {
    blocks.push({ type: 'divider' });
    const lines = [
      `*From ${v.sources.join(' + ')}: ${esc(inferredLabel(v), 200)}* \`${v.cause}\`${v.functionName !== undefined ? ` on ${esc(v.functionName, 100)}` : ''}`,
      ...v.evidence.slice(0, 3).map((e) => `• ${esc(e, 300)}`),
      ...(v.change !== undefined ? [`• changed: ${esc(v.change, 300)}`] : []),
    ];
    blocks.push(section(lines.join('\n')));
    const steps = (v.remedy ?? [])
      .slice(0, 3)
      .map(
        (step, n) =>
          `${n + 1}. ${esc(step.text, 500)}${step.command !== undefined ? `\n${code([step.command], 900)}` : ''}`,
      );
    if (steps.length > 0) blocks.push(section(steps.join('\n')));
  }
  const logging = d.signals?.logging;
  if (logging !== undefined) {
    const turnOn = logging.fix.find((f) => f.command !== undefined);
    blocks.push(
      section(
        `*Logging*\n${logging.state.map((l) => `• ${esc(l, 300)}`).join('\n')}${turnOn?.command !== undefined ? `\n${esc(turnOn.text, 500)}\n${code([turnOn.command], 900)}` : ''}`,
      ),
    );
  }
  if (d.unknownTemplates.length > 0) {
    blocks.push(
      section(
        `*Most frequent unexplained messages*\n${code(d.unknownTemplates.map((t) => `×${t.count} ${t.template}`))}`,
      ),
    );
  }
  const notes = [...d.unreadable, ...d.limits];
  if (notes.length > 0) {
    blocks.push({
      type: 'context',
      elements: notes.slice(0, SLACK_CONTEXT_MAX_ELEMENTS).map((n) => mrkdwn(esc(n, 700))),
    });
  }
  return {
    text: cut(escapeSlack(`${clean(cause, 600)}\n${clean(route, 600)}\n${clean(fix, 1500)}`), SLACK_TEXT_MAX_CHARS),
    blocks: bounded(blocks),
  };
}

/** A short message (recovery, unmapped alarm) as a Slack payload: a header and the lines. */
export function renderSlackLines(title: string, lines: readonly string[]): SlackPayload {
  const body = lines.map((l) => esc(l, 1200)).join('\n');
  return {
    text: cut(escapeSlack(lines.map((l) => clean(l, 1200)).join('\n')), SLACK_TEXT_MAX_CHARS),
    blocks: [header(title), section(body)],
  };
}
