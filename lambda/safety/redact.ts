/**
 * Redaction of credentials in log text before it leaves the function.
 *
 * Log lines are untrusted: execution logs print request and endpoint header maps (`{Authorization=..., Cookie=...}`),
 * request bodies and query strings; access logs and function logs print whatever the API was sent. Everything the
 * responder renders goes through `redact`. The rules err on the side of hiding: a redacted request id costs little,
 * a leaked token costs a rotation and an incident.
 */

export const REDACTED = '[REDACTED]';

/** Names whose values are secrets, in headers, JSON keys, query parameters and `key=value` pairs. */
const SENSITIVE_NAME =
  /^(?:authorization|proxy-authorization|x-api-key|api[-_]?key|apikey|x-amz-security-token|x-amz-signature|x-amz-credential|cookie|set-cookie|x-csrf-token|x-xsrf-token|password|passwd|pwd|secret|client[-_]?secret|aws[-_]?secret[-_]?access[-_]?key|secret[-_]?access[-_]?key|aws[-_]?session[-_]?token|session[-_]?token|access[-_]?token|refresh[-_]?token|id[-_]?token|token|auth|x-auth-token|private[-_]?key|sessionid|session[-_]?id|sid|signature)$/i;

/** A name that merely contains one of these words is treated as sensitive too (x-my-auth-token, db_password). */
// `authorizer…` names (authorizerError, authorizerLatency in access logs) carry diagnosis, not secrets.
const SENSITIVE_WORD = /(?:auth(?!oriz)|token|secret|passw|cookie|api[-_]?key|credential|signature|session)/i;

export function isSensitiveName(name: string): boolean {
  const trimmed = name.trim().replace(/^["']|["']$/g, '');
  return SENSITIVE_NAME.test(trimmed) || SENSITIVE_WORD.test(trimmed);
}

/** Values that look like tokens whatever their name. */
const VALUE_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // PEM private keys.
  [
    /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]{0,10000}?(?:-----END [A-Z ]{0,40}PRIVATE KEY-----|$)/g,
    `${REDACTED} private key`,
  ],
  // Bearer / Basic / AWS SigV4 credentials in free text.
  [/\b(Bearer|Basic|Digest)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [/\bAWS4-HMAC-SHA256\s+[^\s,}]*(?:,\s*[A-Za-z]+=[^\s,}]*)*/g, `AWS4-HMAC-SHA256 ${REDACTED}`],
  // JSON Web Tokens (and any base64url JSON header cut short): they always start with `eyJ`.
  [/\beyJ[A-Za-z0-9_-]{12,}(?:\.[A-Za-z0-9_-]*){0,2}/g, `${REDACTED} jwt`],
  // AWS access key ids (AKIA long-term, ASIA temporary).
  [/\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16}\b/g, `${REDACTED} access key id`],
  // A 40-character AWS secret access key: base64 alphabet with upper, lower and digit.
  [
    /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=]))(?=[A-Za-z0-9/+=]{0,39}[A-Z])(?=[A-Za-z0-9/+=]{0,39}[a-z])(?=[A-Za-z0-9/+=]{0,39}[0-9])[A-Za-z0-9/+=]{40}/g,
    REDACTED,
  ],
  // Credentials in a URL's userinfo: postgres://user:password@host.
  [/(\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]{1,100}:)[^\s@/]{1,200}@/gi, `$1${REDACTED}@`],
  // Command-line flags: --password x, --token=x.
  [
    /(--(?:password|passwd|token|secret|api-key|apikey|access-token|client-secret)(?:=|\s+))(?!\[REDACTED\])[^\s'"]+/gi,
    `$1${REDACTED}`,
  ],
  // XML elements: <password>x</password>.
  [
    /<((?:[A-Za-z]{0,30}(?:password|passwd|secret|token|apikey|api_key|credential))[A-Za-z]{0,30})>(?!\[REDACTED\])[^<]{1,4096}<\/\1>/gi,
    `<$1>${REDACTED}</$1>`,
  ],
  // Slack webhook URLs and tokens.
  [/https:\/\/hooks\.slack\.com\/[A-Za-z0-9/_-]+/g, `https://hooks.slack.com/${REDACTED}`],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, REDACTED],
];

// `Name=value` inside an execution-log header map `{A=1, B=2}`: the value runs to the next `, Key=` or `}`.
const HEADER_MAP_PAIR = /([{,]\s*)([A-Za-z0-9_.-]{1,100})=([^,}]*)/g;
// `"name": "value"` in JSON (also `'name': 'value'`).
const JSON_PAIR = /(["'])([A-Za-z0-9_.-]{1,100})\1(\s*:\s*)(["'])((?:\\.|(?!\4)[^\\]){0,8192})\4/g;
// `name=value` in query strings and text (`?api_key=abc&x=1`, `token=abc`).
const QUERY_PAIR = /([?&;\s]|^)([A-Za-z0-9_.-]{1,100})=([^&\s;,}"']+)/g;
// `Name: value` header lines (Cookie: a=b; c=d).
const HEADER_LINE =
  /(^|[\n\r]|\s)(Authorization|Proxy-Authorization|Cookie|Set-Cookie|X-Api-Key|X-Amz-Security-Token)(\s*:\s*)([^\r\n]*)/gi;

/** A value that, under any name, looks like a credential: long and high in entropy, or a known token shape. */
function looksLikeToken(value: string): boolean {
  const v = value.trim();
  if (v.length < 24 || v.includes(' ')) return false;
  if (/^\*+[A-Za-z0-9]{0,8}$/.test(v)) return false; // already masked by API Gateway
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return false; // request ids stay
  if (/^(?:arn:|https?:\/\/|Root=|root=|\d{4}-\d{2}-\d{2})/.test(v)) return false;
  return /^[A-Za-z0-9+/=_.~-]+$/.test(v) && /[A-Za-z]/.test(v) && /[0-9]/.test(v);
}

// `\"name\": \"value\"`: a JSON object serialised inside a JSON string (a proxy response body, say).
const ESCAPED_JSON_PAIR = /\\"([A-Za-z0-9_.-]{1,100})\\"(\s*:\s*)\\"((?:[^"\\]|\\(?!")){0,8192})\\"/g;
// `"password": "..."` wherever it stands, even after an unbalanced quote that throws the general pair rule off.
// The name only has to hold a sensitive word here; isSensitiveName decides.
const SENSITIVE_JSON_PAIR =
  /(["'])([A-Za-z0-9_.-]{0,50}(?:authorization|auth(?!oriz)|token|secret|passw|pwd|cookie|api[-_]?key|credential|signature|session)[A-Za-z0-9_.-]{0,50})\1(\s*:\s*)(["'])((?:\\.|(?!\4)[^\\]){0,8192})\4/gi;
// The same, escaped inside a JSON string (`\"password\":\"...\"`), after an unbalanced `\"` too.
const SENSITIVE_ESCAPED_JSON_PAIR =
  /\\"([A-Za-z0-9_.-]{0,50}(?:authorization|auth(?!oriz)|token|secret|passw|pwd|cookie|api[-_]?key|credential|signature|session)[A-Za-z0-9_.-]{0,50})\\"(\s*:\s*)\\"((?:[^"\\]|\\(?!")){0,8192})\\"/gi;
// `password: x` / `token=x` in free text (YAML, env dumps, messages).
const SENSITIVE_TEXT_PAIR =
  /(\b(?:password|passwd|pwd|secret|client_secret|api[-_]?key|access[-_]?token|refresh[-_]?token|auth[-_]?token)\b\s*[:=]\s*)(?!\[REDACTED\])([^\s,;'"{}]+)/gi;
// `"name": [ ... ]`: multi-value headers and other arrays under a sensitive name.
// Items are quoted strings (which may hold `]`) or other characters.
const JSON_ARRAY_PAIR =
  /(["'])([A-Za-z0-9_.-]{1,100})\1(\s*:\s*)\[((?:"(?:[^"\\]|\\.){0,4096}"|'[^']{0,4096}'|[^\]"']){0,8192})\]/g;
/** How deep quoted values are searched for pairs inside them (a dict inside a JSON string, and so on). */
const MAX_NESTING = 3;

function redactPairs(text: string, depth: number): string {
  let out = text.replace(JSON_PAIR, (m, q: string, name: string, sep: string, vq: string, value: string) => {
    if (value === REDACTED) return m;
    if (isSensitiveName(name) || looksLikeToken(value)) return `${q}${name}${q}${sep}${vq}${REDACTED}${vq}`;
    // A value can itself hold pairs (a Python dict in an error message, JSON in a body): look inside it too.
    if (depth < MAX_NESTING && value.length > 6) {
      const inner = redactPairs(value, depth + 1);
      if (inner !== value) return `${q}${name}${q}${sep}${vq}${inner}${vq}`;
    }
    return m;
  });
  out = out.replace(ESCAPED_JSON_PAIR, (m, name: string, sep: string, value: string) =>
    value !== REDACTED && (isSensitiveName(name) || looksLikeToken(value)) ? `\\"${name}\\"${sep}\\"${REDACTED}\\"` : m,
  );
  out = out.replace(JSON_ARRAY_PAIR, (m, q: string, name: string, sep: string, items: string) =>
    isSensitiveName(name) && items.trim() !== `"${REDACTED}"` ? `${q}${name}${q}${sep}["${REDACTED}"]` : m,
  );
  return out;
}

/** Replaces credentials in `text`. Idempotent: redacting twice gives the same text. */
export function redact(text: string): string {
  if (text === '') return text;
  let out = text;
  for (const [pattern, replacement] of VALUE_PATTERNS) out = out.replace(pattern, replacement);
  out = out.replace(HEADER_LINE, (_m, lead: string, name: string, sep: string) => `${lead}${name}${sep}${REDACTED}`);
  out = redactPairs(out, 0);
  out = out.replace(SENSITIVE_JSON_PAIR, (m, q: string, name: string, sep: string, vq: string, value: string) =>
    value === REDACTED || !isSensitiveName(name) ? m : `${q}${name}${q}${sep}${vq}${REDACTED}${vq}`,
  );
  out = out.replace(SENSITIVE_ESCAPED_JSON_PAIR, (m, name: string, sep: string, value: string) =>
    value === REDACTED || !isSensitiveName(name) ? m : `\\"${name}\\"${sep}\\"${REDACTED}\\"`,
  );
  out = out.replace(SENSITIVE_TEXT_PAIR, (_m, lead: string) => `${lead}${REDACTED}`);
  out = out.replace(HEADER_MAP_PAIR, (m, lead: string, name: string, value: string) =>
    value !== REDACTED && (isSensitiveName(name) || looksLikeToken(value)) ? `${lead}${name}=${REDACTED}` : m,
  );
  out = out.replace(QUERY_PAIR, (m, lead: string, name: string, value: string) =>
    value !== REDACTED && isSensitiveName(name) ? `${lead}${name}=${REDACTED}` : m,
  );
  return out;
}
