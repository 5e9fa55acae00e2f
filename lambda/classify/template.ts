/**
 * Message templates: the text of a log message with its variable parts masked, so that thousands of
 * "unknown" lines that differ only in ids, numbers and times group into a few templates an engineer can read.
 */

const MASKS: ReadonlyArray<readonly [RegExp, string]> = [
  // ISO and CLF timestamps.
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}/g, '<time>'],
  [/\b[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT/g, '<time>'],
  // UUIDs (request ids), X-Ray trace ids, ARNs' account ids, long hex and base64-ish ids.
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>'],
  [/\b1-[0-9a-f]{8}-[0-9a-f]{24}\b/g, '<trace>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, '<ip>'],
  [/\b[0-9a-f]{12,}\b/gi, '<hex>'],
  [/\b(?=[A-Za-z0-9_-]{16,}\b)(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]+=*/g, '<id>'],
  [/\b\d+(?:\.\d+)?\b/g, '<n>'],
];

/** Longest template kept: enough to recognise a message, short enough to group and show. */
const MAX_TEMPLATE_CHARS = 300;

export function messageTemplate(text: string): string {
  let out = text.length > 4 * MAX_TEMPLATE_CHARS ? text.slice(0, 4 * MAX_TEMPLATE_CHARS) : text;
  for (const [pattern, mask] of MASKS) out = out.replace(pattern, mask);
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_TEMPLATE_CHARS ? `${out.slice(0, MAX_TEMPLATE_CHARS)}…` : out;
}
