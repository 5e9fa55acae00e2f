/**
 * Escaping of untrusted log text for the places it is shown.
 *
 * Log text is attacker-controlled (paths, headers, user agents, bodies). In a terminal or an email it must not carry
 * control sequences (ANSI escapes, bidi overrides that reorder what the reader sees); in Slack it must not mention
 * @channel / @here / users or forge links (`<https://evil|click me>`).
 */

// C0 controls except tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates, zero-width and BOM.
// Built from a string so the source holds no control characters (and the linter has nothing to flag).
// biome-ignore lint/complexity/useRegexLiterals: a literal would need the control-character escapes the linter rejects.
const UNSAFE_CHARS = new RegExp(
  // …also the Arabic letter mark, line/paragraph separators, deprecated format controls and tag characters.
  '[\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u061C\\u200B-\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2060-\\u206F\\uFEFF\\uFFF9-\\uFFFB]|[\\u{E0000}-\\u{E007F}]',
  'gu',
);

/** Makes invisible and terminal-controlling characters visible as `\u{..}` text. Newlines and tabs stay. */
export function neutralizeControls(text: string): string {
  return text.replace(UNSAFE_CHARS, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()}}`);
}

/** One line of text: newlines become visible too (for subjects, table cells, single evidence lines). */
export function oneLine(text: string): string {
  return neutralizeControls(text)
    .replace(/\r\n|\r|\n/g, ' ⏎ ')
    .replace(/\t/g, ' ');
}

const ZWSP = '\u200B';

/**
 * Escapes text for Slack mrkdwn (https://api.slack.com/reference/surfaces/formatting#escaping):
 * `&`, `<`, `>` become entities, so `<!channel>`, `<@U123>` and `<url|label>` cannot be formed;
 * plain `@channel`, `@here` and `@everyone` get a zero-width space after the `@` so no client or `link_names`
 * setting turns them into mentions; control characters are made visible. The zero-width space is added after
 * controls are neutralized, so it is the only one that can remain.
 */
export function escapeSlack(text: string): string {
  return (
    neutralizeControls(text)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/@(channel|here|everyone)\b/gi, `@${ZWSP}$1`)
      .replace(/!(channel|here|everyone)\b/gi, `!${ZWSP}$1`)
      // Log text cannot open or close a code block of ours, in or out of one.
      .replace(/```/g, `\`${ZWSP}\`${ZWSP}\``)
  );
}

/**
 * Escaped text safe inside a Slack ``` code block: no two backticks side by side and none at either end, so
 * the text can neither close our block nor lengthen our fences into a run Slack reads differently (a log line
 * ending in `` would otherwise meet the closing ``` as `````). A zero-width space goes between them.
 */
export function escapeSlackCode(text: string): string {
  // An empty block would put our two fences side by side: six backticks, one run.
  if (text === '') return ZWSP;
  return escapeSlack(text)
    .replace(/`(?=`)/g, `\`${ZWSP}`)
    .replace(/^`/, `${ZWSP}\``)
    .replace(/`$/, `\`${ZWSP}`);
}

/**
 * An email subject (SNS: less than 100 characters, https://docs.aws.amazon.com/sns/latest/api/API_Publish.html): printable ASCII only (no header injection through CR/LF, no encoded words), at most `max`
 * characters, cut at a word boundary with an ellipsis made of ASCII dots.
 */
export function asciiSubject(text: string, max = 99): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[—–]/g, '-')
    .replace(/[^\x20-\x7E]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (ascii.length <= max) return ascii;
  const cut = ascii.slice(0, max - 3);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}...`;
}
