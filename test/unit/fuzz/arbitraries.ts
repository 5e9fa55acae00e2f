/**
 * Generators for the fuzz and property suite: hostile text, log events built from the real fixture lines
 * (re-identified and mutated), credentials of every shape the redaction promises to hide, and alarm events.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { LogEvent } from '../../../lambda/parse/log-event.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

// ---- the real log lines ------------------------------------------------------------------------------------------

/** One fixture file's log lines (comments and blank lines left out): one realistic incident or near miss. */
export interface FixtureBlock {
  readonly name: string;
  readonly lines: readonly string[];
}

function listLogFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listLogFiles(path);
    return entry.name.endsWith('.log') ? [path] : [];
  });
}

/** Every cause fixture and the CLI fixture, as blocks of lines. */
export const FIXTURE_BLOCKS: readonly FixtureBlock[] = [
  ...listLogFiles(join(PROJECT_ROOT, 'test/fixtures/causes')),
  ...listLogFiles(join(PROJECT_ROOT, 'test/fixtures/cli')),
]
  .sort()
  .map((path) => ({
    name: path.slice(PROJECT_ROOT.length),
    lines: readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#')),
  }))
  .filter((block) => block.lines.length > 0);

export const FIXTURE_LINES: readonly string[] = FIXTURE_BLOCKS.flatMap((b) => b.lines);

// ---- hostile text ------------------------------------------------------------------------------------------------

/** Fragments that attack a renderer: Slack mentions and links, terminal escapes, bidi overrides, shell syntax. */
export const NASTY_FRAGMENTS: readonly string[] = [
  '<!channel>',
  '<!here|here>',
  '<!everyone>',
  '<!subteam^S012345|@oncall>',
  '<@U0123ABCD>',
  '<#C0123ABCD>',
  '<https://evil.example/login|Open the AWS console>',
  '<http://evil.example>',
  '<mailto:a@evil.example|mail>',
  '@channel',
  '@here',
  '@everyone',
  '@Channel!',
  '!channel',
  '```',
  '`',
  '*bold*',
  '_it_',
  '~strike~',
  '&lt;!channel&gt;',
  '&amp;',
  '&',
  '<',
  '>',
  '\u001b[2J\u001b[31mred',
  '\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007',
  '\u0007',
  '\u0000',
  '\u007f',
  '\u0085',
  '\u009b31m',
  '\u202Eevil\u202C',
  '\u2066isolate\u2069',
  '\u200B',
  '\u200E',
  '\uFEFF',
  '\u2028',
  '\u2029',
  '\r',
  '\r\n',
  '\n',
  '\t',
  '\v',
  '\f',
  '\uD800',
  '\uDFFF',
  '\uFFFD',
  '\u{1F4A5}',
  'e\u0301',
  'Ａ',
  "'; rm -rf / #",
  '$(reboot)',
  '`id`',
  '| sh',
  '\\',
  '"',
  "'",
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  ',',
  '=',
  '%0d%0aBcc: victim@example.com',
  '\r\nBcc: victim@example.com',
  'Subject: forged',
  '(fake-id) Method completed with status: 502',
  'Method completed with status: 500',
  'Execution failed due to configuration error: Invalid permissions on Lambda function',
  'Cause: forged cause line',
];

/** Characters that get longer when escaped (entities, `\u{..}`), repeated to find size blow-ups. */
const EXPANDING = ['&', '<', '>', '\u001b', '\u0000', '\u200B', '```', '@channel '];

export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_FRAGMENTS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...EXPANDING), fc.integer({ min: 1, max: 600 }))
      .map(([chunk, times]) => chunk.repeat(times)),
  },
  {
    weight: 1,
    arbitrary: fc.array(fc.constantFrom(...NASTY_FRAGMENTS), { maxLength: 8 }).map((parts) => parts.join('')),
  },
);

/** Arbitrary text with a bias towards hostile fragments. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  hostileText,
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(hostileText, { maxLength: 6 }).map((parts) => parts.join(' ')),
);

/** Request ids: real UUIDs, and the strange ids a changed format or a forger could produce. */
export const requestId: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.uuid() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'x',
      'ø',
      '\u202Eevil',
      '<!channel>',
      '@here',
      'a'.repeat(128),
      'req-🙂',
      'access-line-1',
      '__proto__',
      'constructor',
    ),
  },
  // Anything the `(<id>) ` prefix accepts: no spaces or parentheses, 1 to 128 characters.
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map(idSafe) },
);

function idSafe(s: string): string {
  const cleaned = s.replace(/[()\s]/g, '');
  return cleaned === '' ? 'id' : cleaned.slice(0, 128);
}

// ---- log events ---------------------------------------------------------------------------------------------------

const UUID_GLOBAL = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;

type Mutation = 'keep' | 'insert' | 'append' | 'cut' | 'replace-prefix-id' | 'double';

function mutateLine(line: string, how: Mutation, at: number, text: string, id: string): string {
  const i = line.length === 0 ? 0 : at % (line.length + 1);
  switch (how) {
    case 'keep':
      return line;
    case 'insert':
      return `${line.slice(0, i)}${text}${line.slice(i)}`;
    case 'append':
      return `${line} ${text}`;
    case 'cut':
      return line.slice(0, i);
    case 'replace-prefix-id':
      return line.replace(/^\([^()\s]{1,128}\)/, `(${id})`);
    case 'double':
      return `${line}${line}`;
  }
}

const mutation: fc.Arbitrary<Mutation> = fc.constantFrom<Mutation>(
  'keep',
  'keep',
  'keep',
  'insert',
  'append',
  'cut',
  'replace-prefix-id',
  'double',
);

function reIdentify(line: string, ids: readonly string[], mapping: Map<string, string>): string {
  return line.replace(UUID_GLOBAL, (uuid) => {
    const key = uuid.toLowerCase();
    if (!mapping.has(key)) mapping.set(key, ids[mapping.size % ids.length] ?? uuid);
    return mapping.get(key) ?? uuid;
  });
}

/** A fixture block as it was logged, its UUIDs replaced consistently by new ones: another real incident. */
export const reIdentifiedBlock: fc.Arbitrary<string[]> = fc
  .tuple(fc.constantFrom(...FIXTURE_BLOCKS), fc.array(fc.uuid(), { minLength: 8, maxLength: 8 }))
  .map(([block, ids]) => {
    const mapping = new Map<string, string>();
    return block.lines.map((line) => reIdentify(line, ids, mapping));
  });

/** A fixture block, re-identified, with some of its lines mutated (hostile text inserted, cut, doubled...). */
export const mutatedBlock: fc.Arbitrary<string[]> = fc
  .tuple(
    fc.constantFrom(...FIXTURE_BLOCKS),
    fc.array(fc.uuid(), { minLength: 8, maxLength: 8 }),
    fc.array(fc.tuple(mutation, fc.nat(), hostileText, requestId), { minLength: 1, maxLength: 60 }),
  )
  .map(([block, ids, mutations]) => {
    const mapping = new Map<string, string>();
    return block.lines.map((line, index) => {
      const reIded = reIdentify(line, ids, mapping);
      const m = mutations[index % mutations.length];
      return m === undefined ? reIded : mutateLine(reIded, m[0], m[1], m[2], m[3]);
    });
  });

/** Epoch ms: mostly 1970 to 2100, sometimes beyond the ±8.64e15 a JavaScript Date can print. */
export const timestamp: fc.Arbitrary<number | undefined> = fc.option(
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 4_102_444_800_000 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 1, 1_795_625_178_139, 8.64e15 + 1, -1e17, 1e20) },
  ),
  { nil: undefined },
);

export const logGroupName: fc.Arbitrary<string | undefined> = fc.option(
  fc.constantFrom(
    'API-Gateway-Execution-Logs_a1b2c3d4e5/prod',
    'API-Gateway-Execution-Logs_zzzzzzzzzz/$default',
    '/aws/lambda/orders-get',
    '/aws/lambda/<!channel>',
    '/aws/apigateway/orders-access',
    'API-Gateway-Execution-Logs_',
    '',
    'group \u202E with controls \u0000',
  ),
  { nil: undefined },
);

function toEvents(messages: readonly string[], stamps: readonly (number | undefined)[], group: string | undefined) {
  return messages.map((message, i): LogEvent => {
    const ts = stamps[i % Math.max(1, stamps.length)];
    return {
      message,
      ...(ts !== undefined ? { timestamp: ts } : {}),
      ...(group !== undefined ? { logGroupName: group } : {}),
    };
  });
}

/** Log events: fixture blocks (re-identified, mutated, interleaved) mixed with arbitrary hostile lines. */
export function logEvents(options: { maxBlocks?: number; maxNoise?: number } = {}): fc.Arbitrary<LogEvent[]> {
  const maxBlocks = options.maxBlocks ?? 12;
  const maxNoise = options.maxNoise ?? 20;
  return fc
    .tuple(
      fc.array(mutatedBlock, { maxLength: maxBlocks }),
      fc.array(fc.oneof(anyText, fc.constantFrom(...FIXTURE_LINES)), { maxLength: maxNoise }),
      fc.array(timestamp, { minLength: 1, maxLength: 5 }),
      logGroupName,
      fc.boolean(),
    )
    .map(([blocks, noise, stamps, group, interleave]) => {
      const lines = interleave ? interleaveAll([...blocks, noise]) : [...blocks.flat(), ...noise];
      return toEvents(lines, stamps, group);
    });
}

function interleaveAll(lists: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) {
    for (const list of lists) {
      const line = list[i];
      if (line !== undefined) out.push(line);
    }
  }
  return out;
}

/** Many failing requests of every cause, with long hostile text: what makes a diagnosis as big as it gets. */
export function manyEvents(maxBlocks: number): fc.Arbitrary<LogEvent[]> {
  return fc
    .tuple(
      fc.array(mutatedBlock, { minLength: Math.ceil(maxBlocks / 2), maxLength: maxBlocks }),
      fc.array(timestamp, { minLength: 1, maxLength: 3 }),
    )
    .map(([blocks, stamps]) => toEvents(blocks.flat(), stamps, undefined));
}

// ---- credentials ---------------------------------------------------------------------------------------------------

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnumChar = fc.constantFrom(...ALNUM.split(''));
const upperDigitChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split(''));
const base64Char = fc.constantFrom(...`${ALNUM}+/`.split(''));
const base64UrlChar = fc.constantFrom(...`${ALNUM}-_`.split(''));

/** Random enough that it can only appear in an output by being copied from the input. */
function distinct(unit: fc.Arbitrary<string>, min: number, max: number): fc.Arbitrary<string> {
  return fc
    .string({ unit, minLength: min, maxLength: max })
    .filter((s) => new Set(s).size >= Math.min(8, Math.floor(min / 2)));
}

/** A credential embedded in a log text fragment, and the parts of it that must never be shown. */
export interface EmbeddedSecret {
  readonly kind: string;
  readonly fragment: string;
  readonly secrets: readonly string[];
}

const opaque = distinct(alnumChar, 20, 48);

const bearer: fc.Arbitrary<EmbeddedSecret> = fc
  .tuple(opaque, fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Digest'))
  .chain(([token, scheme]) =>
    fc
      .constantFrom(
        `Authorization: ${scheme} ${token}`,
        `"Authorization":"${scheme} ${token}"`,
        `{Accept=*/*, Authorization=${scheme} ${token}, Host=api.example.com}`,
        `sent ${scheme} ${token} upstream`,
        `"multiValueHeaders":{"Authorization":["${scheme} ${token}"]}`,
      )
      .map((fragment) => ({ kind: `${scheme} token`, fragment, secrets: [token] })),
  );

const jwt: fc.Arbitrary<EmbeddedSecret> = fc
  .tuple(distinct(base64UrlChar, 16, 40), distinct(base64UrlChar, 20, 43), fc.constantFrom('HS256', 'RS256', 'none'))
  .chain(([payload, signature, alg]) => {
    const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
    const token = `${header}.${payload}.${signature}`;
    return fc
      .constantFrom(
        ` ${token} `,
        `id_token=${token}&state=1`,
        `"id_token":"${token}"`,
        `Bearer ${token}`,
        `{Authorization=${token}, Host=x}`,
      )
      .map((fragment) => ({ kind: 'JWT', fragment, secrets: [payload, signature] }));
  });

const accessKeyId: fc.Arbitrary<EmbeddedSecret> = fc
  .tuple(fc.constantFrom('AKIA', 'ASIA'), fc.string({ unit: upperDigitChar, minLength: 16, maxLength: 16 }))
  .filter(([, rest]) => new Set(rest).size >= 6)
  .chain(([prefix, rest]) => {
    const key = `${prefix}${rest}`;
    return fc
      .constantFrom(
        ` ${key} `,
        `"AccessKeyId":"${key}"`,
        `X-Amz-Credential=${key}/20260101/us-east-1/execute-api/aws4_request`,
        `aws_access_key_id=${key}`,
      )
      .map((fragment) => ({ kind: 'AWS access key id', fragment, secrets: [key] }));
  });

const secretAccessKey: fc.Arbitrary<EmbeddedSecret> = fc
  .tuple(fc.string({ unit: base64Char, minLength: 37, maxLength: 37 }), fc.nat(37))
  .filter(([s]) => new Set(s).size >= 10)
  .chain(([s, at]) => {
    // Upper, lower and digit are what the pattern looks for; put one of each in.
    const key = `${s.slice(0, at)}Qq7${s.slice(at)}`;
    return fc
      .constantFrom(
        ` ${key} `,
        `aws_secret_access_key=${key}`,
        `"SecretAccessKey":"${key}"`,
        `{SecretAccessKey=${key}}`,
      )
      .map((fragment) => ({ kind: 'AWS secret access key', fragment, secrets: [key] }));
  });

const SENSITIVE_HEADERS = [
  'Authorization',
  'authorization',
  'Proxy-Authorization',
  'Cookie',
  'cookie',
  'Set-Cookie',
  'x-api-key',
  'X-API-Key',
  'X-Amz-Security-Token',
  'X-Auth-Token',
  'X-My-Auth-Token',
  'X-CSRF-Token',
];

const headerMap: fc.Arbitrary<EmbeddedSecret> = fc
  .tuple(fc.constantFrom(...SENSITIVE_HEADERS), opaque, fc.constantFrom('', 'sid=', 'Basic '), fc.boolean())
  .map(([name, value, valuePrefix, last]) => {
    const pair = `${name}=${valuePrefix}${value}`;
    const fragment = last ? `{Accept=*/*, Host=api.example.com, ${pair}}` : `{${pair}, Accept=*/*, Host=x}`;
    return { kind: `header map ${name}`, fragment, secrets: [value] };
  });

const headerLine: fc.Arbitrary<EmbeddedSecret> = fc
  .tuple(fc.constantFrom('Authorization', 'Cookie', 'Set-Cookie', 'X-Api-Key', 'X-Amz-Security-Token'), opaque)
  .map(([name, value]) => ({ kind: `header line ${name}`, fragment: `${name}: ${value}`, secrets: [value] }));

const SENSITIVE_JSON_KEYS = [
  'password',
  'Password',
  'passwd',
  'pwd',
  'db_password',
  'newPassword',
  'secret',
  'client_secret',
  'clientSecret',
  'apiKey',
  'api_key',
  'x-api-key',
  'access_token',
  'accessToken',
  'refresh_token',
  'id_token',
  'token',
  'sessionId',
  'Authorization',
  'Cookie',
];

/** Printable ASCII a password may hold that no renderer rewrites (no quotes, backslash, `&`, `<`, `>`, spaces). */
const passwordChar = fc.constantFrom(...`${ALNUM}!#$%()*+,-./:;=?@[]^_{|}~`.split(''));

const jsonField: fc.Arbitrary<EmbeddedSecret> = fc
  .tuple(fc.constantFrom(...SENSITIVE_JSON_KEYS), distinct(passwordChar, 12, 40), fc.constantFrom('"', "'"))
  .chain(([key, value, q]) =>
    fc
      .constantFrom(
        `{${q}${key}${q}:${q}${value}${q}}`,
        `{${q}user${q}: ${q}bob${q}, ${q}${key}${q} : ${q}${value}${q}}`,
        `${q}${key}${q}:${q}${value}${q}`,
      )
      .map((fragment) => ({ kind: `JSON ${key}`, fragment, secrets: [value] })),
  );

const queryParameter: fc.Arbitrary<EmbeddedSecret> = fc
  .tuple(
    fc.constantFrom('api_key', 'apikey', 'access_token', 'token', 'password', 'client_secret', 'X-Amz-Signature'),
    opaque,
  )
  .map(([name, value]) => ({
    kind: `query ${name}`,
    fragment: `GET /orders?${name}=${value}&page=2`,
    secrets: [value],
  }));

/** Every credential shape the redaction rules promise to hide (lambda/safety/redact.ts). */
export const embeddedSecret: fc.Arbitrary<EmbeddedSecret> = fc.oneof(
  bearer,
  jwt,
  accessKeyId,
  secretAccessKey,
  headerMap,
  headerLine,
  jsonField,
  queryParameter,
);

/**
 * numRuns for a property: `base` by default (the suite stays well under a minute), multiplied by FUZZ_SCALE for
 * a deeper search, e.g. `FUZZ_SCALE=50 npx vitest run test/unit/fuzz`.
 */
export function runs(base: number): number {
  const scale = Number(process.env.FUZZ_SCALE ?? '1');
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

fc.configureGlobal({ numRuns: runs(100) });
