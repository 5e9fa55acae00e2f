/**
 * The command line end to end against a plain `readline` loop (issue 16, item 1). One corpus, written three ways:
 * raw execution-log lines (`(request id) text`, what the log's messages are), JSON lines (one event object per line,
 * `aws logs filter-log-events --output json | jq -c '.events[]'`), and the JSON document `aws logs filter-log-events
 * --output json` prints (indented by 4, the AWS CLI's style). For each file, in turn: the baseline (a fresh `node`
 * process that reads the file with `readline` and tests each line for `status: 5`), then `apigw-5xx diagnose
 * --format json FILE` as an installed user runs it (the package packed by `npm pack`, whose `prepack` compiles dist/
 * with `npm run compile`, unpacked into a scratch app: node_modules/.bin/apigw-5xx, the launcher and the compiled
 * JavaScript), then the same command from the repository checkout (bin/apigw-5xx.mjs runs the TypeScript source
 * through the tsx loader). All three are timed from spawn to exit, in the same run, so the ratios hold even on a
 * shared, noisy machine. dist/ is removed afterwards when the bench made it.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { packInto } from './cli-start.js';
import { CorpusGenerator, type CorpusOptions, type CorpusTruth, truthMismatches } from './corpus.js';

export type CliFormat = 'raw' | 'json-lines' | 'filter-log-events';

export interface RatioCase {
  readonly format: CliFormat;
  readonly fileBytes: number;
  readonly lines: number;
  readonly baselineMs: number[];
  /** The packaged CLI (compiled JavaScript), as an installed user runs it. */
  readonly cliMs: number[];
  /** The repository checkout's CLI (TypeScript through tsx); absent in results from before it was measured. */
  readonly checkoutMs?: number[];
  readonly baselineHits?: number;
  readonly exitCodes: (number | null)[];
  readonly mismatches: readonly string[];
  readonly checkoutMismatches?: readonly string[];
  readonly error?: string;
  /** Peak RSS in bytes of one more run each (GNU time's %M), when /usr/bin/time exists. */
  readonly baselineMaxRss?: number;
  readonly cliMaxRss?: number;
}

export interface RatioResults {
  /** Which CLI cliMs measured: the packed package's compiled CLI, or (older results) the checkout's through tsx. */
  readonly cli?: 'packaged' | 'checkout';
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

export function writeFiles(
  scratch: string,
  corpus: CorpusOptions,
): { truth: CorpusTruth; files: Record<CliFormat, string> } {
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

/** Peak RSS in bytes of one run (GNU time's %M); undefined without /usr/bin/time or when the run fails. */
function maxRssOf(command: string, args: string[], cwd: string): number | undefined {
  if (!existsSync('/usr/bin/time')) return undefined;
  const out = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', command, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const kb = /maxrss_kb=(\d+)/.exec(out.stderr ?? '')?.[1];
  return out.status === 0 && kb !== undefined ? Number(kb) * 1024 : undefined;
}

function timed(
  command: string,
  args: string[],
  cwd: string,
): { ms: number; status: number | null; stdout: string; stderr: string } {
  const started = performance.now();
  const out = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { ms: performance.now() - started, status: out.status, stdout: out.stdout ?? '', stderr: out.stderr ?? '' };
}

/** Self time per function in a V8 .cpuprofile (written by --cpu-prof), top `top`. */
export function summarizeProfile(file: string, root: string, top: number): RatioResults['profile'] {
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
  const packDir = join(scratch, 'cli-ratio-package');
  const distMadeHere = !existsSync(join(root, 'dist'));
  const cases: RatioCase[] = [];
  try {
    log('cli ratio: packing the package (npm pack compiles dist/)');
    rmSync(packDir, { recursive: true, force: true });
    mkdirSync(packDir, { recursive: true });
    const { app } = packInto(root, packDir);
    const packaged = join(app, 'node_modules', '.bin', 'apigw-5xx');
    const checkout = join(root, 'bin/apigw-5xx.mjs');
    for (const format of ['raw', 'json-lines', 'filter-log-events'] as const) {
      const file = files[format];
      const baselineMs: number[] = [];
      const cliMs: number[] = [];
      const checkoutMs: number[] = [];
      const exitCodes: (number | null)[] = [];
      let mismatches: readonly string[] = [];
      let checkoutMismatches: readonly string[] = [];
      let baselineHits: number | undefined;
      let error: string | undefined;
      for (let r = 0; r < runs; r++) {
        log(`cli ratio: ${format}, run ${r + 1} of ${runs}`);
        const base = timed(process.execPath, ['-e', BASELINE, file], root);
        baselineMs.push(base.ms);
        baselineHits = (JSON.parse(base.stdout || '{}') as { hits?: number }).hits;
        const cli = timed(packaged, ['diagnose', '--format', 'json', file], app);
        cliMs.push(cli.ms);
        exitCodes.push(cli.status);
        const tsx = timed(process.execPath, [checkout, 'diagnose', '--format', 'json', file], root);
        checkoutMs.push(tsx.ms);
        for (const [run, into] of [
          [cli, 'packaged'],
          [tsx, 'checkout'],
        ] as const) {
          if (run.status !== 0) {
            error = `${into} CLI: ${run.stderr.split('\n').slice(-4).join(' ').slice(0, 300)}`;
            continue;
          }
          if (r === 0) {
            const found = truthMismatches(truth, JSON.parse(run.stdout) as Parameters<typeof truthMismatches>[1]);
            if (into === 'packaged') mismatches = found;
            else checkoutMismatches = found;
          }
        }
      }
      // Memory: one more run of each under GNU time (the timed runs stay free of its wrapper).
      const baselineMaxRss = maxRssOf(process.execPath, ['-e', BASELINE, file], root);
      const cliMaxRss = maxRssOf(packaged, ['diagnose', '--format', 'json', file], app);
      cases.push({
        format,
        ...(baselineMaxRss !== undefined ? { baselineMaxRss } : {}),
        ...(cliMaxRss !== undefined ? { cliMaxRss } : {}),
        fileBytes: statSync(file).size,
        lines: truth.lines,
        baselineMs,
        cliMs,
        checkoutMs,
        ...(baselineHits !== undefined ? { baselineHits } : {}),
        exitCodes,
        mismatches,
        checkoutMismatches,
        ...(error !== undefined ? { error } : {}),
      });
    }
    log('cli ratio: CPU profile of the packaged CLI on the raw file');
    const profileDir = join(scratch, 'cli-profile');
    rmSync(profileDir, { recursive: true, force: true });
    const prof = timed(
      process.execPath,
      [
        '--cpu-prof',
        `--cpu-prof-dir=${profileDir}`,
        join(app, 'node_modules', 'apigw-5xx-responder', 'bin', 'apigw-5xx.mjs'),
        'diagnose',
        '--format',
        'json',
        files.raw,
      ],
      app,
    );
    let profile: RatioResults['profile'];
    if (prof.status === 0) {
      const name = spawnSync('ls', [profileDir], { encoding: 'utf8' }).stdout.trim().split('\n')[0] ?? '';
      if (name !== '')
        profile = summarizeProfile(join(profileDir, name), join(app, 'node_modules', 'apigw-5xx-responder'), 15);
    }
    return { cli: 'packaged', corpus, truth, cases, ...(profile !== undefined ? { profile } : {}) };
  } finally {
    for (const file of Object.values(files)) rmSync(file, { force: true });
    rmSync(packDir, { recursive: true, force: true });
    if (distMadeHere) rmSync(join(root, 'dist'), { recursive: true, force: true });
  }
}
