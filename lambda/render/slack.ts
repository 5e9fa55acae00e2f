import { escapeSlack, escapeSlackCode } from '../safety/escape.js';
import { redact } from '../safety/redact.js';
import type { Diagnosis } from '../summarize/diagnosis.js';
import { apiLabel, causeLabel, clean, formatTime, headline, percent } from './text.js';

/**
 * Slack mrkdwn rendering. Every piece of text, ours included, goes through escapeSlack: log text cannot mention
 * @channel/@here or users, nor form `<url|label>` links, nor close a code block.
 * https://api.slack.com/reference/surfaces/formatting#escaping
 */

/** Text for a Slack mrkdwn field: redacted, one line, bounded, escaped. */
export function slackText(text: string, max = 300): string {
  return escapeSlack(clean(text, max));
}

function code(lines: readonly string[]): string {
  return `\`\`\`${lines.map((l) => escapeSlackCode(clean(redact(l)))).join('\n')}\`\`\``;
}

export function renderSlack(d: Diagnosis): string {
  const [cause, route, fix] = headline(d);
  const out: string[] = [
    `*${slackText(cause, 400)}*`,
    slackText(route, 400),
    slackText(fix, 1200),
    '',
    `*API* ${slackText(apiLabel(d), 200)}${d.firstSeen !== undefined ? `  •  *Seen* ${formatTime(d.firstSeen)} to ${formatTime(d.lastSeen)}` : ''}`,
    `*Failed requests* ${d.failedRequests}  •  *Completed below 500* ${d.succeededRequests}`,
  ];
  d.causes.slice(0, 5).forEach((s, i) => {
    out.push('', `*${i + 1}. ${slackText(causeLabel(s), 200)}* \`${s.cause}\`: ${s.count} (${percent(s.share)})`);
    if (s.routes.length > 0) {
      out.push(
        `Routes: ${s.routes
          .slice(0, 3)
          .map((r) => `${slackText(r.key, 150)} ×${r.count}`)
          .join(', ')}`,
      );
    }
    if (s.functions.length > 0) out.push(`Function: ${slackText(s.functions.join(', '), 200)}`);
    if (s.backend.length > 0) out.push(`The function said: ${slackText(s.backend[0]?.key ?? '', 300)}`);
    if (s.evidence.length > 0) out.push(code(s.evidence.slice(0, 3)));
    s.remedy.slice(0, 4).forEach((step, n) => {
      out.push(`${n + 1}. ${slackText(step.text, 400)}`);
      if (step.command !== undefined) out.push(code([step.command]));
    });
  });
  if (d.causes.length > 5) out.push('', `…and ${d.causes.length - 5} more causes (see the email or JSON).`);
  if (d.unknownTemplates.length > 0) {
    out.push(
      '',
      '*Most frequent unexplained messages*',
      code(d.unknownTemplates.map((t) => `×${t.count} ${t.template}`)),
    );
  }
  if (d.unreadable.length > 0) {
    out.push('', '*What could not be read*');
    for (const l of d.unreadable.slice(0, 3)) out.push(`• ${slackText(l, 800)}`);
  }
  if (d.limits.length > 0) {
    out.push('', '*What the logs could not show*');
    for (const l of d.limits.slice(0, 5)) out.push(`• ${slackText(l, 400)}`);
  }
  return out.join('\n');
}
