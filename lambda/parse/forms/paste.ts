/**
 * What pasting does to log lines, undone before their form is read: Markdown code fences and quote markers,
 * indentation, line numbers (an editor's, or a numbered list), terminal colour codes, and text that went through a
 * web page (HTML entities such as `&quot;`, typographic quotes). The log text itself is never changed otherwise.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the terminal's escape sequences is the point
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
/** A Markdown code fence: ``` or ~~~, with an info string (```text, ```log), quoted or indented or not. */
const FENCE = /^[ \t]*(?:>[ \t]?)*[ \t]*(?:`{3,}|~{3,})[\w+.-]*[ \t]*$/;
/** Markdown quote markers (`> `, `>> `), as in a quoted reply. */
const QUOTE = /^[ \t]*(?:>[ \t]?)+/;
/** A line number: `12 `, `12. `, `12) `, `12: `, `12 | `, `12<TAB>`. */
const NUMBER = /^[ \t]*\d{1,6}(?:[.):|][ \t]*|[ \t]+)/;

/** A Markdown code fence line: no log text, part of how it was pasted. */
export function isFence(line: string): boolean {
  const c = line.charCodeAt(0);
  // Only a line that starts with a fence, a quote marker or indentation can be one (most lines are ruled out here).
  return (c === 96 /* ` */ || c === 126 /* ~ */ || c === 62 /* > */ || c === 32 || c === 9) && FENCE.test(line);
}

/**
 * A shell prompt and the AWS CLI command typed at it, as pasted above the command's output: `$ aws apigateway
 * test-invoke-method ...`, `% aws logs tail ...`, `PS C:\> aws ...`, `C:\> aws ...`.
 */
const COMMAND =
  /^[ \t]*(?:[$%]|PS(?: [^>]{0,200})?>|[A-Za-z]:\\[^>]{0,200}>)[ \t]*aws[ \t]+[a-z0-9][a-z0-9-]*(?:[ \t]|$)/;

/** A command line typed at a shell prompt (the AWS CLI's): how the output after it was made, no log line. */
export function isCommandLine(line: string): boolean {
  let i = 0;
  while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i++;
  const c = line.charCodeAt(i);
  // Only a line that starts with a prompt can be one (most lines are ruled out here).
  const letter = (c | 32) >= 97 && (c | 32) <= 122; // PS, or a drive letter
  return (c === 36 /* $ */ || c === 37 /* % */ || letter) && COMMAND.test(line);
}

/** The line without terminal colour codes. */
export function stripAnsi(line: string): string {
  return line.includes('\u001b') ? line.replace(ANSI, '') : line;
}

/**
 * The line without what pasting put before it: quote markers always (no log line starts with `>`); indentation and
 * a line number only when what follows reads as a log line (`readable`), since a message's own continuation lines
 * may be indented (a stack trace, pretty-printed JSON).
 */
export function unwrapPaste(line: string, readable: (text: string) => boolean): string {
  let text = line;
  const c = text.charCodeAt(0);
  if (c === 62 /* > */ || ((c === 32 || c === 9) && QUOTE.test(text))) {
    const q = QUOTE.exec(text);
    if (q !== null) text = text.slice(q[0].length);
  }
  const d = text.charCodeAt(0);
  if (d === 32 || d === 9) {
    const trimmed = text.trimStart();
    if (readable(trimmed)) return trimmed;
  }
  const e = text.trimStart().charCodeAt(0);
  if (e >= 48 && e <= 57) {
    const n = NUMBER.exec(text);
    if (n !== null) {
      const rest = text.slice(n[0].length);
      if (rest !== '' && readable(rest)) return rest;
    }
  }
  // A list bullet, or a line quoted inline (`"Execution failed due to ..."`, in backticks): its quotes are no text.
  const lead = LEAD.exec(text);
  if (lead !== null) {
    let rest = text.slice(lead[0].length);
    if (lead[1] !== undefined) rest = rest.replace(TRAIL, '');
    if (rest !== '' && readable(rest) && !CURL_INFO.test(text)) return rest;
  }
  return text;
}

/**
 * `curl -v`'s information lines: `* ` then a number in parentheses (`* (304) (OUT), TLS handshake, Client hello (1):`),
 * no list bullet before an execution line (API Gateway's request ids are never a bare number).
 */
const CURL_INFO = /^\* \(\d{1,5}\) /;

// Quotes: straight, typographic, backticks, and CJK corner brackets (「…」, 『…』, as Japanese and Chinese pages quote
// a log line); after the closing one, the sentence's mark (`.`, `,`, or the ideographic `。`, `、`, full-width `，`).
const LEAD = /^[ \t]*(?:[-*+\u2022][ \t]+|(["'`\u201c\u2018\u300c\u300e]+))/;
const TRAIL = /["'`\u201d\u2019\u300d\u300f]+[.,;:\u3002\u3001\uff0c\uff0e\uff1a\uff1b]?[ \t]*$/;

// Quotes written as entities (`{&quot;errorMessage&quot;:`, `&#x27;id&#x27;`), or `&lt;`/`&gt;` where no raw `<`
// or `>` is: text copied from a web page's source. Typographic quotes as JSON punctuation (`{“errorMessage”:`), or
// where no straight double quote is: text through a word processor or a blog's typography. A log's own content
// with entities (an HTML error page as a response body) may be unescaped too: only its lines with entities change.
const ESCAPED_QUOTE = /&(?:quot|#34|#x22|#39|#x27|apos);/;
const CURLY_JSON = /[{[,]\s*[\u201c\u201d]|[\u201c\u201d]\s*:/;
const CURLY = /[\u201c\u201d]/;
const ESCAPED_ANGLE = /&(?:lt|gt);/;

/** Whether a text (the start of an input) was pasted through a web page: HTML-escaped or with typographic quotes. */
export function looksWebEscaped(head: string): boolean {
  return (
    ESCAPED_QUOTE.test(head) ||
    CURLY_JSON.test(head) ||
    (CURLY.test(head) && !head.includes('"')) ||
    (ESCAPED_ANGLE.test(head) && !/[<>]/.test(head))
  );
}

const ENTITIES: Readonly<Record<string, string>> = {
  quot: '"',
  '#34': '"',
  '#x22': '"',
  apos: "'",
  '#39': "'",
  '#x27': "'",
  lt: '<',
  '#60': '<',
  gt: '>',
  '#62': '>',
  nbsp: ' ',
  '#160': ' ',
};

/** The text as it was before a web page escaped it: entities decoded (`&amp;` last), typographic quotes made plain. */
export function unescapeWeb(line: string): string {
  let text = line;
  if (text.includes('&')) {
    text = text.replace(/&(quot|apos|lt|gt|nbsp|#34|#x22|#39|#x27|#60|#62|#160);/g, (_m, name: string) => {
      return ENTITIES[name] ?? _m;
    });
    text = text.replace(/&amp;/g, '&');
  }
  return /[\u2018-\u201f]/.test(text) ? text.replace(/[\u201c-\u201f]/g, '"').replace(/[\u2018-\u201b]/g, "'") : text;
}
