import { constants, createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { classifyEvent } from '../lambda/classify/classify.js';
import type { ClassifyContext } from '../lambda/classify/rules.js';
import { diagnoseEventStream } from '../lambda/diagnose.js';
import { streamEvents } from '../lambda/parse/input-stream.js';
import type { LogEvent } from '../lambda/parse/log-event.js';
import { renderJson } from '../lambda/render/json.js';
import { renderSlack } from '../lambda/render/slack.js';
import { renderSubject } from '../lambda/render/subject.js';
import { renderText } from '../lambda/render/text.js';
import type { DiagnosisApi } from '../lambda/summarize/diagnosis.js';

/**
 * `apigw-5xx`: the offline front of the diagnosis engine.
 *   apigw-5xx diagnose [FILE...] [--format text|json|email|slack]
 *   apigw-5xx classify [FILE...]
 * Input: raw log lines, the JSON `aws logs filter-log-events` prints, or JSON lines with a `message` field.
 * Exit 0 when it ran; 2 on bad usage or unreadable input, with one line saying what to do.
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

Reads API Gateway execution logs, access logs and Lambda function logs from FILEs (or standard input when no
FILE is given, or FILE is -): raw lines, the JSON of \`aws logs filter-log-events\`, or JSON lines with a
"message" field.
  diagnose   prints why the failed requests failed, with evidence and fixes
  classify   prints one JSON object per input event: {"cause": <cause id or null>, "status": <number or null>, ...}

Example:
  aws logs filter-log-events --log-group-name API-Gateway-Execution-Logs_a1b2c3d4e5/prod \\
    --start-time $(( ($(date +%s) - 3600) * 1000 )) > logs.json
  npx apigw-5xx diagnose logs.json
`;

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

/** A file's bytes, opened when first read and closed when read through or when reading stops. */
async function* fileChunks(name: string): AsyncGenerator<Uint8Array> {
  yield* createReadStream(name, { highWaterMark: 1 << 20 });
}

/** The events of every input in turn, read as they stream; what could not be read is said on stderr. */
async function* readEvents(sources: readonly Source[], io: CliIo): AsyncGenerator<LogEvent> {
  for (const source of sources) {
    yield* streamEvents(source.chunks, (p) => io.stderr.write(`${source.name}:${p.line}: ${p.reason}\n`));
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
  if (argv[0] === 'check' || argv[0] === 'replay') return (await import('./ops/cli.js')).runOps(argv, io);
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f' },
        'api-id': { type: 'string' },
        'api-name': { type: 'string' },
        'api-type': { type: 'string' },
        stage: { type: 'string' },
        region: { type: 'string' },
        'stage-variable-function': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, ...files] = positionals;
    if (values.help === true || command === 'help') {
      io.stdout.write(USAGE);
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
    const { api, context } = contextOf(values);
    const events = readEvents(await openSources(files, io), io);

    if (command === 'classify') {
      for await (const event of events) io.stdout.write(`${JSON.stringify(classifyEvent(event, context))}\n`);
      return 0;
    }
    const { diagnosis } = await diagnoseEventStream(events, { api, context });
    io.stdout.write(render(diagnosis, format as Format));
    return 0;
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      io.stderr.write(`apigw-5xx: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
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
