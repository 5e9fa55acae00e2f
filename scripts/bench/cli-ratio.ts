/**
 * The command line end to end against a plain `readline` loop (issue 16, item 1). One corpus, written three ways:
 * raw execution-log lines (`(request id) text`, what the log's messages are), JSON lines (one event object per line,
 * `aws logs filter-log-events --output json | jq -c '.events[]'`), and the JSON document `aws logs filter-log-events
 * --output json` prints (indented by 4, the AWS CLI's style). For each file, alternately: the baseline (a fresh
 * `node` process that reads the file with `readline` and tests each line for `status: 5`) and
 * `apigw-5xx diagnose --format json FILE` (bin/apigw-5xx.mjs as a user runs it, its TypeScript loader included).
 * Both are timed from spawn to exit, in the same run, so the ratio holds even on a shared, noisy machine.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CorpusGenerator, type CorpusOptions, type CorpusTruth, truthMismatches } from './corpus.js';

export type CliFormat = 'raw' | 'json-lines' | 'filter-log-events';

export interface RatioCase {
  readonly format: CliFormat;
  readonly fileBytes: number;
  readonly lines: number;
  readonly baselineMs: number[];
  readonly cliMs: number[];
  readonly baselineHits?: number;
  readonly exitCodes: (number | null)[];
  readonly mismatches: readonly string[];
  readonly error?: string;
}

export interface RatioResults {
  readonly corpus: CorpusOptions;
  readonly truth?: CorpusTruth;
  readonly cases: RatioCase[];
  readonly profile?: { readonly totalMs: number; readonly top: { name: string; where: string; selfMs: number }[] };
}

/** Issue 16's targets: raw within 1.5 times the baseline, the JSON formats within 2 times. */
export const RATIO_TARGET: Readonly<Record<CliFormat, number>> = { raw: 1.5, 'json-lines': 2, 'filter-log-events': 2 };

const BASELINE = [
  "const { createReadStream } = require('node:fs');",
  "const { createInterface } = require('node:readline');",
  '(async () => {',
  '  let lines = 0, hits = 0;',
  '  for await (const line of createInterface({ input: createReadStream(process.argv[1]), crlfDelay: Infinity })) {',
  "    lines++; if (line.includes('status: 5')) hits++;",
  '  }',
  '  process.stdout.write(JSON.stringify({ lines, hits }));',
  '})();',
].join('\n');

/** A stand-in eventId of the length FilterLogEvents returns (56 digits); only its shape matters to the CLI. */
function eventId(n: number): string {
  return String(n).padStart(56, '3');
}

function writeFiles(scratch: string, corpus: CorpusOptions): { truth: CorpusTruth; files: Record<CliFormat, string> } {
  const files: Record<CliFormat, string> = {
    raw: join(scratch, 'ratio-raw.log'),
    'json-lines': join(scratch, 'ratio.jsonl'),
    'filter-log-events': join(scratch, 'ratio-filter-log-events.json'),
  };
  const generator = new CorpusGenerator(corpus);
  const raw = openSync(files.raw, 'w');
  const jsonl = openSync(files['json-lines'], 'w');
  const doc = openSync(files['filter-log-events'], 'w');
  let n = 0;
  try {
    writeSync(doc, '{\n    "events": [');
    for (;;) {
      const chunk = generator.nextChunk(8_192);
      if (chunk.length === 0) break;
      writeSync(raw, `${chunk.map((e) => e.message).join('\n')}\n`);
      writeSync(
        jsonl,
        `${chunk
          .map((e) =>
            JSON.stringify({
              message: e.message,
              timestamp: e.timestamp,
              logStreamName: e.logStreamName,
              logGroupName: e.logGroupName,
            }),
          )
          .join('\n')}\n`,
      );
      const objects = chunk.map((e) => {
        n++;
        return [
          `${n === 1 ? '\n' : ',\n'}        {`,
          `            "logStreamName": ${JSON.stringify(e.logStreamName)},`,
          `            "timestamp": ${e.timestamp},`,
          `            "message": ${JSON.stringify(e.message)},`,
          `            "ingestionTime": ${(e.timestamp ?? 0) + 450},`,
          `            "eventId": "${eventId(n)}"`,
          '        }',
        ].join('\n');
      });
      writeSync(doc, objects.join(''));
    }
    writeSync(doc, '\n    ],\n    "searchedLogStreams": []\n}\n');
  } finally {
    closeSync(raw);
    closeSync(jsonl);
    closeSync(doc);
  }
  return { truth: generator.truth, files };
}

function timed(args: string[], root: string): { ms: number; status: number | null; stdout: string; stderr: string } {
  const started = performance.now();
  const out = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { ms: performance.now() - started, status: out.status, stdout: out.stdout ?? '', stderr: out.stderr ?? '' };
}

/** Self time per function in a V8 .cpuprofile (written by --cpu-prof), top `top`. */
function summarizeProfile(file: string, root: string, top: number): RatioResults['profile'] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
    endTime: number;
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { name: string; where: string; us: number }>();
  for (const [i, id] of profile.samples.entries()) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where =
      url === ''
        ? '(V8 / native)'
        : `${url.replace(`file://${root}/`, '').replace(/^node:/, 'node:')}:${lineNumber + 1}`;
    const key = `${functionName}@${where}`;
    const entry = self.get(key) ?? { name: functionName || '(anonymous)', where, us: 0 };
    entry.us += profile.timeDeltas[i + 1] ?? 0;
    self.set(key, entry);
  }
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  return {
    totalMs,
    top: [...self.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000 })),
  };
}

export function benchCliRatio(
  root: string,
  scratch: string,
  corpus: CorpusOptions,
  runs: number,
  log: (line: string) => void,
): RatioResults {
  log(`cli ratio: writing ${corpus.targetLines?.toLocaleString('en-US')} lines three ways`);
  const { truth, files } = writeFiles(scratch, corpus);
  const cases: RatioCase[] = [];
  try {
    for (const format of ['raw', 'json-lines', 'filter-log-events'] as const) {
      const file = files[format];
      const baselineMs: number[] = [];
      const cliMs: number[] = [];
      const exitCodes: (number | null)[] = [];
      let mismatches: readonly string[] = [];
      let baselineHits: number | undefined;
      let error: string | undefined;
      for (let r = 0; r < runs; r++) {
        log(`cli ratio: ${format}, run ${r + 1} of ${runs}`);
        const base = timed(['-e', BASELINE, file], root);
        baselineMs.push(base.ms);
        baselineHits = (JSON.parse(base.stdout || '{}') as { hits?: number }).hits;
        const cli = timed([join(root, 'bin/apigw-5xx.mjs'), 'diagnose', '--format', 'json', file], root);
        cliMs.push(cli.ms);
        exitCodes.push(cli.status);
        if (cli.status !== 0) {
          error = cli.stderr.split('\n').slice(-4).join(' ').slice(0, 300);
          continue;
        }
        if (r === 0) {
          const diagnosis = JSON.parse(cli.stdout) as Parameters<typeof truthMismatches>[1];
          mismatches = truthMismatches(truth, diagnosis);
        }
      }
      cases.push({
        format,
        fileBytes: statSync(file).size,
        lines: truth.lines,
        baselineMs,
        cliMs,
        ...(baselineHits !== undefined ? { baselineHits } : {}),
        exitCodes,
        mismatches,
        ...(error !== undefined ? { error } : {}),
      });
    }
    log('cli ratio: CPU profile of the CLI on the raw file');
    const profileDir = join(scratch, 'cli-profile');
    rmSync(profileDir, { recursive: true, force: true });
    const prof = timed(
      [
        '--cpu-prof',
        `--cpu-prof-dir=${profileDir}`,
        join(root, 'bin/apigw-5xx.mjs'),
        'diagnose',
        '--format',
        'json',
        files.raw,
      ],
      root,
    );
    let profile: RatioResults['profile'];
    if (prof.status === 0) {
      const name = spawnSync('ls', [profileDir], { encoding: 'utf8' }).stdout.trim().split('\n')[0] ?? '';
      if (name !== '') profile = summarizeProfile(join(profileDir, name), root, 15);
    }
    return { corpus, truth, cases, ...(profile !== undefined ? { profile } : {}) };
  } finally {
    for (const file of Object.values(files)) rmSync(file, { force: true });
  }
}
