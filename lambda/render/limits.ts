import type { CauseSummary, Diagnosis } from '../summarize/diagnosis.js';

/**
 * Channel limits, and trimming that keeps a message inside them. What is trimmed is the detail (evidence lines,
 * sample request ids, routes, unexplained templates, causes past the first few), never the summary: the headline,
 * the counts and the remedies stay. Whatever was trimmed is said in the message.
 */

/** SNS: a message (all protocol texts and the JSON around them) plus its attributes, at most 256 KiB. */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;
/** Kept for message attributes and the JSON structure around the protocol texts. */
export const SNS_RESERVED_BYTES = 8 * 1024;
/**
 * Email subject on SNS: "less than 100 characters long", so 99 at most
 * (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html, Subject).
 */
export const SUBJECT_MAX_CHARS = 99;

/**
 * Slack (https://api.slack.com/reference/block-kit/blocks, https://api.slack.com/methods/chat.postMessage):
 * at most 50 blocks per message; a section's text at most 3,000 characters; a header's plain text at most 150;
 * a context block at most 10 elements; the top-level `text` is cut by Slack at 40,000 characters (we stay far below).
 */
export const SLACK_MAX_BLOCKS = 50;
export const SLACK_SECTION_MAX_CHARS = 3_000;
export const SLACK_HEADER_MAX_CHARS = 150;
export const SLACK_CONTEXT_MAX_ELEMENTS = 10;
export const SLACK_TEXT_MAX_CHARS = 3_000;

/**
 * AWS Chatbot / Amazon Q Developer custom notifications (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html):
 * the schema is `version` "1.0", `source` "custom", `content` {textType "client-markdown", title, description,
 * nextSteps[], keywords[]}, `metadata` {threadId, summary, eventType, relatedResources[], additionalContext}. The
 * page gives no per-field length limits; it is rendered into Slack blocks, so we keep each text inside Slack's
 * section limit and the lists short.
 */
export const CHATBOT_TITLE_MAX_CHARS = 250;
export const CHATBOT_DESCRIPTION_MAX_CHARS = 2_800;
export const CHATBOT_MAX_NEXT_STEPS = 5;
export const CHATBOT_NEXT_STEP_MAX_CHARS = 600;
export const CHATBOT_MAX_KEYWORDS = 5;

/** Cuts text to `max` characters, at a line end when one is near, saying that it was cut. */
export function cut(text: string, max: number, note = '… (cut to fit)'): string {
  if (text.length <= max) return text;
  const room = Math.max(0, max - note.length);
  const slice = text.slice(0, room);
  const lineEnd = slice.lastIndexOf('\n');
  return `${lineEnd > room * 0.6 ? slice.slice(0, lineEnd) : slice}${note}`;
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** How hard to trim: 0 = nothing, each level removes more detail. */
export type TrimLevel = 0 | 1 | 2 | 3;

function trimCause(c: CauseSummary, level: TrimLevel): CauseSummary {
  const evidence = level >= 3 ? 0 : level === 2 ? 1 : 2;
  const samples = level >= 2 ? 1 : 3;
  return {
    ...c,
    evidence: c.evidence.slice(0, evidence),
    sampleRequestIds: c.sampleRequestIds.slice(0, samples),
    routes: c.routes.slice(0, level >= 2 ? 2 : 5),
    backend: c.backend.slice(0, level >= 3 ? 1 : 3),
  };
}

/** A smaller Diagnosis for a tight channel: same summary and remedies, less detail, and a note of what went. */
export function trimDiagnosis(d: Diagnosis, level: TrimLevel): Diagnosis {
  if (level === 0) return d;
  const maxCauses = level >= 3 ? 3 : 6;
  const causes = d.causes.slice(0, maxCauses).map((c) => trimCause(c, level));
  const dropped = d.causes.length - causes.length;
  const note = `To fit the channel, evidence and sample lists were shortened${dropped > 0 ? ` and ${dropped} less frequent cause(s) left out` : ''}; the full diagnosis is in the email and the function's log.`;
  return {
    ...d,
    causes,
    byRoute: d.byRoute.slice(0, level >= 2 ? 3 : 5),
    unknownTemplates: d.unknownTemplates.slice(0, level >= 2 ? 2 : 3),
    backendUnjoined: d.backendUnjoined.slice(0, level >= 2 ? 1 : 3),
    limits: [...d.limits.slice(0, level >= 3 ? 2 : 5), note],
    unreadable: d.unreadable.slice(0, 3),
  };
}
