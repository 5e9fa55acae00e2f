/**
 * The `apigw-5xx diagnose` command on log files of growing size: is its memory bounded too? Each corpus is written
 * to a file as JSON lines (one `{"message", "timestamp", "logStreamName", "logGroupName"}` object per line, what
 * `aws logs filter-log-events --output json | jq -c '.events[]'` gives), then the CLI runs in a fresh process with a
 * small heap limit, through bin/apigw-5xx.mjs as a user runs it (its TypeScript loader included), and its peak
 * resident set size is read from /usr/bin/time. Its JSON diagnosis is checked against the corpus's truth.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CorpusGenerator, type CorpusOptions, type CorpusTruth, truthMismatches } from './corpus.js';

export interface CliCase {
  readonly label: string;
  readonly corpus: CorpusOptions;
}

export interface CliRun {
  readonly label: string;
  readonly truth: CorpusTruth;
  readonly fileBytes: number;
  readonly heapMb: number;
  readonly exitCode: number | null;
  readonly wallMs: number;
  /** Peak resident set size of the CLI process, bytes (GNU time %M). */
  readonly maxRss?: number;
  readonly mismatches: readonly string[];
  readonly classified?: number;
  readonly counted?: number;
  readonly error?: string;
}

function writeCorpus(file: string, corpus: CorpusOptions): { truth: CorpusTruth; bytes: number } {
  const generator = new CorpusGenerator(corpus);
  const fd = openSync(file, 'w');
  try {
    for (;;) {
      const chunk = generator.nextChunk(8_192);
      if (chunk.length === 0) break;
      const text = chunk
        .map((e) =>
          JSON.stringify({
            message: e.message,
            timestamp: e.timestamp,
            logStreamName: e.logStreamName,
            logGroupName: e.logGroupName,
          }),
        )
        .join('\n');
      writeSync(fd, `${text}\n`);
    }
  } finally {
    closeSync(fd);
  }
  return { truth: generator.truth, bytes: statSync(file).size };
}

export function benchCli(root: string, scratch: string, cases: readonly CliCase[], heapMb: number): CliRun[] {
  const runs: CliRun[] = [];
  for (const c of cases) {
    const file = join(scratch, 'cli-input.jsonl');
    const { truth, bytes } = writeCorpus(file, c.corpus);
    const started = performance.now();
    const out = spawnSync(
      '/usr/bin/time',
      [
        '-f',
        'maxrss_kb=%M',
        process.execPath,
        `--max-old-space-size=${heapMb}`,
        join(root, 'bin/apigw-5xx.mjs'),
        'diagnose',
        '--format',
        'json',
        file,
      ],
      { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const wallMs = performance.now() - started;
    rmSync(file, { force: true });
    const rss = /maxrss_kb=(\d+)/.exec(out.stderr ?? '')?.[1];
    const base = { label: c.label, truth, fileBytes: bytes, heapMb, exitCode: out.status, wallMs };
    if (out.status !== 0) {
      runs.push({
        ...base,
        ...(rss !== undefined ? { maxRss: Number(rss) * 1024 } : {}),
        mismatches: [],
        error: (out.stderr ?? String(out.error)).split('\n').slice(-6).join(' ').slice(0, 400),
      });
      continue;
    }
    const diagnosis = JSON.parse(out.stdout) as Parameters<typeof truthMismatches>[1];
    runs.push({
      ...base,
      ...(rss !== undefined ? { maxRss: Number(rss) * 1024 } : {}),
      mismatches: truthMismatches(truth, diagnosis),
      classified: diagnosis.classifiedRequests ?? diagnosis.failedRequests,
      counted: diagnosis.sampling?.totalFailed ?? diagnosis.failedRequests,
    });
  }
  return runs;
}
