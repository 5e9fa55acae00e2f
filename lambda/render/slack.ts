import { escapeSlack } from '../safety/escape.js';
import type { Diagnosis } from '../summarize/diagnosis.js';
import { cut } from './limits.js';
import { renderSlackPayload, type SlackBlock } from './slack-blocks.js';

/**
 * Slack mrkdwn as one text (the CLI's `--format slack`, the demo): the same content and escaping as the Block Kit
 * payload the webhook forwarder posts, laid out as plain mrkdwn.
 */
function blockText(block: SlackBlock): string {
  switch (block.type) {
    case 'header':
      // Header blocks hold plain text (not parsed); as mrkdwn it must be escaped like everything else.
      return `*${escapeSlack(block.text.text)}*`;
    case 'section':
      return block.text.text;
    case 'context':
      return block.elements.map((e) => e.text).join('  •  ');
    case 'divider':
      return '';
  }
}

/** Slack cuts a message's text at 40,000 characters; the whole stays below that, whatever the escaping added. */
const MAX_SLACK_TEXT = 39_000;

export function renderSlack(d: Diagnosis): string {
  const text = renderSlackPayload(d)
    .blocks.map(blockText)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
  return cut(text, MAX_SLACK_TEXT, '\n_… cut to fit Slack: the full diagnosis is in the email._');
}
