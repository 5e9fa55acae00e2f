import { constants, readFileSync } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { classifyEvent } from '../lambda/classify/classify.js';
import type { ClassifyContext } from '../lambda/classify/rules.js';
import { diagnoseEventBatches } from '../lambda/diagnose.js';
import {
  BinaryInputError,
  type ForcedReport,
  formName,
  INPUT_FORMS,
  type InputForm,
  InputFormatError,
  type InputReport,
  streamEventBatches,
} from '../lambda/parse/input-stream.js';
import type { LogEvent } from '../lambda/parse/log-event.js';
import { renderJson } from '../lambda/render/json.js';
import { renderSlack } from '../lambda/render/slack.js';
import { renderSubject } from '../lambda/render/subject.js';
import { clean, renderText } from '../lambda/render/text.js';
import type { DiagnosisApi } from '../lambda/summarize/diagnosis.js';
import { missingSdkMessage } from './ops/missing-sdk.js';

/**
 * `apigw-5xx`: the offline front of the diagnosis engine.
 *   apigw-5xx diagnose [FILE...] [--format text|json|email|slack]
 *   apigw-5xx classify [FILE...]
 * Input: any form API Gateway's logs reach people in (docs/input-forms.md), detected without flags.
 * Exit 0 when it ran; 2 on bad usage or unreadable input; 3 when no line of the input was a log it knows.
 */

export interface CliIo {
  readonly stdin: AsyncIterable<Uint8Array | string> & { readonly isTTY?: boolean };
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const USAGE = `Usage:
  apigw-5xx diagnose [FILE...] [--format text|json|email|slack] [--api-id ID] [--stage NAME] [--region REGION]
                     [--api-name NAME] [--api-type REST|HTTP] [--stage-variable-function NAME]...
  apigw-5xx classify [FILE...]
  apigw-5xx check | replay ...      (against a deployed stack: apigw-5xx check --help)
  apigw-5xx --version | --help

Reads API Gateway execution logs, access logs and Lambda function logs from FILEs (or standard input when no
FILE is given, or FILE is -), in whatever form they come; the form is detected without flags:
  - CloudWatch lines \`(<request id>) text\`, JSON lines with a "message" field, access log lines (JSON, CLF,
    CSV, XML), Lambda log lines
  - the JSON of \`aws logs filter-log-events\` / \`get-log-events\`, or their \`--output text\`
  - \`aws logs tail\` output: default (detailed), --format short, --format json
  - the API Gateway console's Test output pasted whole, or \`aws apigateway test-invoke-method\` JSON;
    the CloudWatch console's log events copied (\`<time> | <message>\`)
  - execution log lines without their \`(<request id>) \` prefix (a block of them is one request)
  - Logs Insights results: \`aws logs get-query-results\` JSON, the console's exported CSV, Markdown or JSON;
    the CloudWatch console's CSV download
  - a CloudWatch Logs export to S3 (000000.gz), subscription filter / Firehose payloads (gzip or base64)
  - any of these gzipped (recognised by its magic bytes), or pasted: in Markdown fences or quotes, indented or
    numbered, HTML-escaped, wrapped at a fixed width
Options:
  --input-format FORM   read every input as FORM instead of detecting it; one of:
${wrapList(INPUT_FORMS, 24, 116)}
  -f, --format FORMAT   diagnose output: text (default), json, email, slack

  diagnose   one verdict per failed REQUEST: its lines (execution, access, function logs) joined by request id,
             why the failed requests failed, with evidence and fixes
  classify   one verdict per input LINE, on that line's own text, in input order: {"cause": <cause id or null>,
             "status": <number or null>, "file": <input>, "line": <its line number>, ...}; null means the line
             is no evidence of a 5xx. Several lines of one request each get their own verdict: count requests
             with diagnose.

Lines that are no log this command knows are counted and reported on stderr with the form they look like.

Exit codes:
  0  the input was read and answered (lines it could not read, if any, are reported on stderr)
  2  bad usage, or input that cannot be read (no such file, binary data, broken gzip)
  3  not one line of the input was a log this command knows, or an input is not in the form
     --input-format names: nothing was diagnosed

Example:
  aws logs filter-log-events --log-group-name API-Gateway-Execution-Logs_a1b2c3d4e5/prod \\
    --start-time $(( ($(date +%s) - 3600) * 1000 )) > logs.json
  npx apigw-5xx diagnose logs.json
`;

/** Words joined by commas over lines of at most `width` characters, each indented by `indent` spaces. */
function wrapList(words: readonly string[], indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const [i, word] of words.entries()) {
    const piece = i < words.length - 1 ? `${word},` : word;
    if (line !== '' && indent + line.length + 1 + piece.length > width) {
      lines.push(line);
      line = piece;
    } else line = line === '' ? piece : `${line} ${piece}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => `${' '.repeat(indent)}${l}`).join('\n');
}

const FORMATS = ['text', 'json', 'email', 'slack'] as const;
type Format = (typeof FORMATS)[number];

class UsageError extends Error {}

interface Source {
  readonly name: string;
  readonly chunks: AsyncIterable<Uint8Array | string>;
}

/**
 * Checks every input before any is read, so a wrong file name is reported before any output; a file is opened only
 * when its turn comes, and closed when it has been read or reading stops.
 */
async function openSources(files: readonly string[], io: CliIo): Promise<Source[]> {
  const names = files.length === 0 ? ['-'] : files;
  if (names.filter((n) => n === '-').length > 1) throw new UsageError('standard input (-) can be read only once');
  const sources: Source[] = [];
  for (const name of names) {
    if (name === '-') {
      if (io.stdin.isTTY === true) {
        throw new UsageError(
          'no input: give a log FILE or pipe logs in, e.g. `aws logs filter-log-events ... | apigw-5xx diagnose`',
        );
      }
      sources.push({ name: 'stdin', chunks: io.stdin });
      continue;
    }
    try {
      await access(name, constants.R_OK);
      if ((await stat(name)).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'is a directory'
            : code === 'EACCES'
              ? 'permission denied'
              : String(code ?? error);
      throw new UsageError(`cannot read ${name}: ${why}; give a readable log file (or - for standard input)`);
    }
    sources.push({ name, chunks: fileChunks(name) });
  }
  return sources;
}

/** Bytes read from a file at a time. */
const FILE_CHUNK_BYTES = 1 << 20;

/**
 * A file's bytes, opened when first read and closed when read through or when reading stops. Read with its file
 * handle into a fresh buffer per chunk (a stream's machinery cost a quarter of the reading on a large file); each
 * buffer is the reader's to keep. The next chunk is read while the reader works on this one.
 */
async function* fileChunks(name: string): AsyncGenerator<Uint8Array> {
  const file = await open(name, 'r');
  const read = (): Promise<Buffer> => {
    const buffer = Buffer.allocUnsafe(FILE_CHUNK_BYTES);
    const chunk = file
      .read(buffer, 0, FILE_CHUNK_BYTES, null)
      .then(({ bytesRead }) => (bytesRead < FILE_CHUNK_BYTES ? buffer.subarray(0, bytesRead) : buffer));
    // A read that fails while the reader is busy is no unhandled rejection: it is thrown where it is awaited.
    chunk.catch(() => undefined);
    return chunk;
  };
  let next: Promise<Buffer> | undefined = read();
  try {
    for (;;) {
      const chunk: Buffer = await next;
      if (chunk.length === 0) {
        next = undefined;
        return;
      }
      next = read();
      yield chunk;
    }
  } finally {
    // Reading stopped early, or failed: the read in flight ends before the file is closed.
    if (next !== undefined) await next.catch(() => undefined);
    await file.close();
  }
}

/** Problems printed per input at most; the rest are counted. */
const MAX_PROBLEMS_SHOWN = 10;

/** What was read of every input, for the report on stderr and the exit code. */
interface ReadTally {
  lines: number;
  unrecognised: number;
  /** The input being read now (the file the events given out come from). */
  current?: string;
  readonly reports: Array<{ readonly name: string; readonly report: InputReport }>;
}

/**
 * The events of every input in turn, read as they stream, in batches (one per chunk read: a large file costs one
 * await per chunk, not per line); what could not be read is said on stderr.
 */
async function* readEvents(
  sources: readonly Source[],
  io: CliIo,
  form: InputForm | undefined,
  tally: ReadTally,
  lazy = false,
): AsyncGenerator<LogEvent[]> {
  for (const [index, source] of sources.entries()) {
    tally.current = source.name;
    let shown = 0;
    let hidden = 0;
    const onProblem = (p: { line: number; reason: string }): void => {
      if (shown < MAX_PROBLEMS_SHOWN) {
        shown++;
        io.stderr.write(`${source.name}:${p.line}: ${clean(p.reason, 600)}\n`);
      } else hidden++;
    };
    try {
      yield* streamEventBatches(source.chunks, onProblem, {
        ...(form !== undefined ? { form } : {}),
        input: index + 1,
        lazy,
        report: (report) => {
          tally.lines += report.lines;
          tally.unrecognised += report.unrecognised;
          tally.reports.push({ name: source.name, report });
        },
      });
    } catch (error) {
      if (error instanceof BinaryInputError || error instanceof InputFormatError) {
        throw new UsageError(`cannot read ${source.name}: ${error.message}`);
      }
      throw error;
    }
    if (hidden > 0) io.stderr.write(`${source.name}: … and ${hidden} more problems like these\n`);
  }
}

/** Says on stderr, per input, how many lines were no log this command knows and what they look like. */
function reportUnread(tally: ReadTally, io: CliIo): void {
  for (const { name, report } of tally.reports) {
    const forced = report.forced;
    if (forced !== undefined && forced.unmatched > 0 && report.lines > 0) {
      io.stderr.write(`apigw-5xx: ${name}: ${forcedMismatch(forced, report.lines)}\n`);
    }
    if (report.lines === 0) {
      io.stderr.write(`apigw-5xx: ${name}: the input holds no log lines\n`);
      continue;
    }
    if (report.unrecognised === 0) continue;
    const all = report.unrecognised === report.lines;
    const count = `${report.unrecognised} of ${report.lines} ${report.lines === 1 ? 'line' : 'lines'} ${report.unrecognised === 1 ? 'was' : 'were'} not recognised`;
    // With a form forced that the input does not have, what it looks like was said above.
    const like = forced !== undefined && forced.unmatched > 0 ? '' : `: ${lookalike(report)}`;
    io.stderr.write(`apigw-5xx: ${name}: ${count}${like}${all ? '' : ' (the other lines were read)'}\n`);
    // Log text is untrusted: control characters (terminal escapes) are shown neutralised, and credentials redacted.
    for (const sample of report.samples) io.stderr.write(`  line ${sample.line}: ${clean(sample.text, 300)}\n`);
  }
}

/** An input that is not (all) in the form --input-format names: what it looks like instead, and what to do. */
function forcedMismatch(forced: ForcedReport, lines: number): string {
  const all = forced.unmatched >= lines;
  const noun = lines === 1 ? 'line' : 'lines';
  const count = all
    ? `the input does not look like ${formName(forced.form)}: none of its ${lines} ${noun} is in that form`
    : `${forced.unmatched} of ${lines} ${noun} ${forced.unmatched === 1 ? 'is' : 'are'} not ${formName(forced.form)}`;
  const instead =
    forced.looksLike !== undefined
      ? `; it looks like ${formName(forced.looksLike)} (--input-format ${forced.looksLike}). Run without --input-format to have the form detected`
      : '; run without --input-format to have the form detected';
  return `--input-format ${forced.form}: ${count}${all ? '' : ' (read as they are)'}${instead}`;
}

/** Some input was not in the form --input-format names at all. */
function forcedFormMissed(tally: ReadTally): boolean {
  return tally.reports.some(
    ({ report }) => report.forced !== undefined && report.lines > 0 && report.forced.unmatched >= report.lines,
  );
}

/** What the unread lines of an input look like, in words a user can act on. */
function lookalike(report: InputReport): string {
  const containers = Object.entries(report.unknownMessages).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  const top = containers[0];
  if (top !== undefined && (top[1] ?? 0) * 2 >= report.unrecognised) {
    return `they are ${formName(top[0] as InputForm)}, but their messages are no API Gateway execution, access or Lambda log lines (is it the right log group?)`;
  }
  const text = report.samples[0]?.text ?? '';
  if (/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/.test(text)) {
    return 'they start with a timestamp in a layout this command does not know (like `aws logs tail` output with its timestamp and stream columns, but not as the AWS CLI prints it): give the CloudWatch lines themselves, or the JSON of `aws logs filter-log-events`';
  }
  if (text.startsWith('<')) return 'they look like HTML or XML that is no API Gateway access log';
  if (text.startsWith('{') || text.startsWith('[')) {
    return 'they look like JSON without a "message" field or access log fields (status, requestId)';
  }
  if (text.startsWith('|')) return 'they look like a table without a @message column';
  if ((text.match(/,/g)?.length ?? 0) >= 3) return 'they look like CSV without a header row naming @message or message';
  return 'they look like plain text, not API Gateway execution, access or Lambda log lines';
}

/** The version in package.json. */
function version(): string {
  // bin/cli.ts in a checkout, dist/bin/cli.js in the installed package: package.json is one or two folders up.
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'apigw-5xx-responder' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not there: the other place.
    }
  }
  return 'unknown';
}

/** Node's parseArgs errors, said plainly (its own text quotes the option oddly and speaks of positionals). */
function parseArgsMessage(error: TypeError & { code?: unknown }): string {
  // `Option '-f, --format <value>' argument missing` / `Unknown option '--colour'`: the long name when there is one.
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  const option = /--[\w-]+/.exec(quoted)?.[0] ?? /-\w/.exec(quoted)?.[0] ?? quoted;
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}: see \`apigw-5xx --help\` for the options`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(error.message)
        ? `option ${option} needs a value (see --help)`
        : `option ${option} takes no value`;
    default:
      return `${error.message} (see --help)`;
  }
}

function contextOf(values: Record<string, unknown>): { api: DiagnosisApi; context: ClassifyContext } {
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const type = str('api-type');
  if (type !== undefined && type !== 'REST' && type !== 'HTTP') {
    throw new UsageError(`--api-type must be REST or HTTP, got "${type}"`);
  }
  const apiId = str('api-id');
  if (apiId !== undefined && !/^[a-z0-9]{10}$/.test(apiId)) {
    throw new UsageError(`--api-id must be a 10-character API id of lower-case letters and digits, got "${apiId}"`);
  }
  const stage = str('stage');
  const region = str('region');
  const name = str('api-name');
  const fns = values['stage-variable-function'];
  return {
    api: {
      ...(type !== undefined ? { type } : {}),
      ...(apiId !== undefined ? { apiId } : {}),
      ...(stage !== undefined ? { stage } : {}),
      ...(region !== undefined ? { region } : {}),
      ...(name !== undefined ? { name } : {}),
    },
    context: Array.isArray(fns)
      ? { stageVariableFunctions: fns.filter((f): f is string => typeof f === 'string') }
      : {},
  };
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  // The commands that talk to a deployed stack live in bin/ops/ (loaded only when used).
  if (argv[0] === 'check' || argv[0] === 'replay') {
    let ops: typeof import('./ops/cli.js');
    try {
      ops = await import('./ops/cli.js');
    } catch (error) {
      // check and replay load the AWS SDK, which an installed package does not bring (lambda needs none of it).
      const missing = missingSdkMessage(error);
      if (missing === undefined) throw error;
      io.stderr.write(missing);
      return 2;
    }
    return ops.runOps(argv, io);
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f' },
        'input-format': { type: 'string' },
        'api-id': { type: 'string' },
        'api-name': { type: 'string' },
        'api-type': { type: 'string' },
        stage: { type: 'string' },
        region: { type: 'string' },
        'stage-variable-function': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
    const [command, ...files] = positionals;
    if (values.help === true || command === 'help') {
      io.stdout.write(USAGE);
      return 0;
    }
    if (values.version === true || command === 'version') {
      io.stdout.write(`apigw-5xx ${version()}\n`);
      return 0;
    }
    if (command !== 'diagnose' && command !== 'classify') {
      throw new UsageError(
        command === undefined
          ? 'missing command: use `apigw-5xx diagnose FILE` or `apigw-5xx classify FILE` (see --help)'
          : `unknown command "${command}": use diagnose or classify (see --help)`,
      );
    }
    const format = values.format ?? 'text';
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
    }
    const inputFormat = values['input-format'];
    if (inputFormat !== undefined && !(INPUT_FORMS as readonly string[]).includes(inputFormat)) {
      throw new UsageError(`--input-format must be one of ${INPUT_FORMS.join(', ')}, got "${inputFormat}"`);
    }
    const { api, context } = contextOf(values);
    const tally: ReadTally = { lines: 0, unrecognised: 0, reports: [] };
    // diagnose hands every event to the trace builder, which reads execution lines in place (lazy); classify reads
    // each event's fields itself.
    const events = readEvents(
      await openSources(files, io),
      io,
      inputFormat as InputForm | undefined,
      tally,
      command === 'diagnose',
    );

    if (command === 'classify') {
      for await (const batch of events) {
        // Line numbers restart in each input: the file and line together map a verdict back.
        const file = tally.current ?? 'stdin';
        for (const event of batch) {
          const at = { file, line: event.line ?? null };
          io.stdout.write(`${JSON.stringify({ ...classifyEvent(event, context), ...at })}\n`);
        }
      }
      reportUnread(tally, io);
      return nothingRead(tally) || forcedFormMissed(tally) ? 3 : 0;
    }
    const { diagnosis } = await diagnoseEventBatches(events, { api, context });
    reportUnread(tally, io);
    if (nothingRead(tally)) {
      io.stderr.write('apigw-5xx: nothing was diagnosed: not one line of the input is a log this command knows\n');
      return 3;
    }
    if (forcedFormMissed(tally)) {
      io.stderr.write('apigw-5xx: nothing was diagnosed: the input is not in the form --input-format names\n');
      return 3;
    }
    io.stdout.write(render(diagnosis, format as Format));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`apigw-5xx: ${error.message}\n`);
      return 2;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`apigw-5xx: ${parseArgsMessage(error)}\n`);
      return 2;
    }
    throw error;
  }
}

/** Lines were read, and not one of them was a log this command knows. */
function nothingRead(tally: ReadTally): boolean {
  return tally.lines > 0 && tally.unrecognised === tally.lines;
}

function render(diagnosis: Parameters<typeof renderText>[0], format: Format): string {
  switch (format) {
    case 'json':
      return renderJson(diagnosis);
    case 'slack':
      return `${renderSlack(diagnosis)}\n`;
    case 'email':
      return `Subject: ${renderSubject(diagnosis)}\n\n${renderText(diagnosis)}`;
    case 'text':
      return renderText(diagnosis);
  }
}
