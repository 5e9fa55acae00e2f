/**
 * `npm run bench`: measures the responder and writes BENCHMARKS.md (issue 6).
 *
 * 1. The pure core (lambda/diagnose.ts diagnoseEvents) on seeded, generated execution-log corpora
 *    (scripts/bench/corpus.ts) of 100k, 300k and 1M lines: throughput on one core, memory, agreement with the
 *    generator's ground truth; memory again with the corpus streamed under a small heap limit; CPU profiles.
 * 2. The responder (`respond`, composed as the handler composes it) against the local AWS endpoint (moto server)
 *    with 1k, 10k and 100k failed requests in the window: wall time, AWS API calls, pages, bytes, truth.
 * 3. The deployed bundle (the stack's esbuild asset): size, gzip and zip size, module init in a fresh Node process, and
 *    the first invocation (the AWS SDK loaded on demand, against a stand-in endpoint) compared with importing the SDK first.
 * 4. Alarm storms (issue 16): responders against moto behind the quota proxy (100 ms per call, FilterLogEvents at
 *    5/s for the account), one alarm of 1k/10k/100k failed requests and ten alarms of 10k at once.
 * 5. The CLI end to end on a 1,000,000-line log in three formats, as a ratio to a plain readline loop (issue 16).
 * 6. The Logs Insights model for huge incidents (issue 16), from the figures of 4.
 *
 * 7. The CLI start (issue 15): the packed package's `apigw-5xx diagnose` on a two-line file against `node -e 0`.
 *
 * Options: `--quick` (small volumes, few runs; writes .bench/BENCHMARKS.quick.md),
 * `--skip=core,profile,handler,bundle,storm,cliratio,clistart`,
 * `--ratio-runs=N` (pairs of runs per input in the CLI ratio; default 3), `--out=FILE`. Scratch files (worker bundle, profiles, raw results) go to .bench/ (gitignored).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { slotIntervalMs } from '../lambda/adapters/read-rate-limiter.js';
import { MAX_FAILED_KEPT } from '../lambda/trace/trace-builder.js';
import { RESPONDER_DEFAULTS } from '../lib/config.js';
import type { WorkerRequest, WorkerResult } from './bench/classify-worker.js';
import { benchCli, type CliCase, type CliRun } from './bench/cli-bench.js';
import { benchCliRatio, RATIO_TARGET, type RatioResults } from './bench/cli-ratio.js';
import { benchCliStart, type CliStartResults, cliStartRatio, renderCliStart } from './bench/cli-start.js';
import { type ColdStartRun, coldStart, startFakeAws } from './bench/cold-start.js';
import {
  CAUSE_OF_KIND,
  type CorpusOptions,
  DEFAULT_FAILURE_MIX,
  FAILURE_KINDS,
  generateCorpus,
  SHARE_TOLERANCE,
} from './bench/corpus.js';
import { HandlerBench, type HandlerRun, type IncidentCase } from './bench/handler-bench.js';
import { renderInsights } from './bench/insights-model.js';
import { type CpuProfile, hotspots } from './bench/profile.js';
import { benchStorms, renderStorms, renderStormTargets, STORM_LIMITS, type StormResults } from './bench/storm-bench.js';
import { startMoto } from './local-aws.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCRATCH = join(ROOT, '.bench');
const WORKER = join(SCRATCH, 'classify-worker.mjs');

// ---- options ---------------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const skip = new Set(
  argv
    .filter((a) => a.startsWith('--skip='))
    .flatMap((a) => a.slice('--skip='.length).split(','))
    .filter((s) => s !== ''),
);
const outArg = argv.find((a) => a.startsWith('--out='))?.slice('--out='.length);
/** `--ratio-runs=N`: pairs of runs per input in the CLI ratio (more give a steadier median on a busy machine). */
const ratioRunsArg = argv.find((a) => a.startsWith('--ratio-runs='))?.slice('--ratio-runs='.length);
/** `--from=FILE`: write BENCHMARKS.md again from a run's raw figures (.bench/results.json) without measuring. */
const fromArg = argv.find((a) => a.startsWith('--from='))?.slice('--from='.length);
const OUT = resolve(ROOT, outArg ?? (quick ? '.bench/BENCHMARKS.quick.md' : 'BENCHMARKS.md'));
const COMMAND =
  process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`
    : `npx tsx scripts/bench.ts${argv.length > 0 ? ` ${argv.join(' ')}` : ''}`;

const SEED = 20_251_125;
const CORE_VOLUMES = quick ? [20_000, 50_000] : [100_000, 300_000, 1_000_000];
const CORE_RUNS = (lines: number) => (quick ? 3 : lines >= 1_000_000 ? 5 : 7);
/** Heap limit (MB) the streamed runs must fit in to count as bounded. */
const SMALL_HEAP_MB = 64;
const FAILURE_VOLUMES = quick ? [1_000, 5_000] : [1_000, 10_000, 100_000];
const HANDLER_CASES: ReadonlyArray<{ failed: number; runs: number }> = quick
  ? [
      { failed: 200, runs: 2 },
      { failed: 1_000, runs: 2 },
    ]
  : [
      { failed: 1_000, runs: 5 },
      { failed: 10_000, runs: 5 },
      { failed: 100_000, runs: 3 },
    ];
/** Read limits for the handler runs: high enough to read 100k failed requests whole. */
const BENCH_LIMITS = { maxPages: 100, maxEvents: 400_000, timeBudgetMs: 300_000 };
/** The stack's defaults (lib/config.ts RESPONDER_DEFAULTS). */
const DEFAULT_LIMITS = {
  maxPages: RESPONDER_DEFAULTS.maxLogPages,
  maxEvents: RESPONDER_DEFAULTS.maxLogEvents,
  timeBudgetMs: (RESPONDER_DEFAULTS.timeoutSec - RESPONDER_DEFAULTS.timeBudgetHeadroomSec) * 1000,
};
const INIT_RUNS = quick ? 3 : 7;
/** Issue 16's CLI corpus: a 1,000,000-line INFO execution log, 20% of requests failed. */
const RATIO_CORPUS: CorpusOptions = { seed: SEED, targetLines: quick ? 100_000 : 1_000_000, failureRate: 0.2 };

// ---- small helpers ---------------------------------------------------------------------------------------------

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
const secs = (value: number) => `${(value / 1000).toFixed(2)} s`;
const rate = (perSecond: number) =>
  perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M` : `${Math.round(perSecond / 1000)} k`;
const range = (values: readonly number[], f: (n: number) => string) =>
  `${f(Math.min(...values))}–${f(Math.max(...values))}`;
const mark = (met: boolean) => (met ? '**met**' : '**missed**');

function runWorker(request: WorkerRequest, heapMb?: number): { result?: WorkerResult; error?: string } {
  const args = ['--expose-gc', ...(heapMb !== undefined ? [`--max-old-space-size=${heapMb}`] : []), WORKER];
  const child = spawnSync(process.execPath, [...args, JSON.stringify(request)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) {
    const oom = /heap out of memory|Allocation failed/i.test(child.stderr);
    return { error: oom ? 'out of memory' : `exit ${child.status ?? child.signal}: ${child.stderr.slice(-500)}` };
  }
  const line = child.stdout.trim().split('\n').pop() ?? '';
  return { result: JSON.parse(line) as WorkerResult };
}

// ---- machine ---------------------------------------------------------------------------------------------------

interface Machine {
  cpu: string;
  cores: number;
  memory: number;
  node: string;
  os: string;
  date: string;
  command: string;
  commit: string;
  dirty: boolean;
  loadStart: number[];
  loadEnd?: number[];
  elapsedMs?: number;
}

function machine(): Machine {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memory: os.totalmem(),
    node: process.version,
    os: `${os.type()} ${os.release()} (${os.version()}) ${os.arch()}`,
    date: new Date().toISOString(),
    command: COMMAND,
    commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
    dirty: git(['status', '--porcelain', '--', 'lambda', 'lib']) !== '',
    loadStart: os.loadavg(),
  };
}

// ---- 1. the pure core ------------------------------------------------------------------------------------------

interface CoreResults {
  throughput: { lines: number; result?: WorkerResult; error?: string }[];
  streamed: {
    label: string;
    corpus: CorpusOptions;
    heapMb: number;
    fitsSmallHeap: boolean;
    result?: WorkerResult;
    error?: string;
  }[];
  profiles: { label: string; result?: WorkerResult; error?: string; summary?: ReturnType<typeof hotspots> }[];
  cli: CliRun[];
}

async function bundleWorker(): Promise<void> {
  mkdirSync(SCRATCH, { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'scripts/bench/classify-worker.ts')],
    outfile: WORKER,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
  });
}

function benchCore(): CoreResults {
  const results: CoreResults = { throughput: [], streamed: [], profiles: [], cli: [] };
  for (const lines of CORE_VOLUMES) {
    log(`core: ${int(lines)} lines in memory, ${CORE_RUNS(lines)} timed runs`);
    const out = runWorker({ mode: 'throughput', corpus: { seed: SEED, targetLines: lines }, runs: CORE_RUNS(lines) });
    results.throughput.push({ lines, ...out });
  }
  const streamed: Array<{ label: string; corpus: CorpusOptions }> = [
    ...CORE_VOLUMES.map((lines) => ({
      label: `INFO, ${int(lines)} lines, 3% failed`,
      corpus: { seed: SEED, targetLines: lines },
    })),
    ...FAILURE_VOLUMES.map((failed) => ({
      label: `ERROR, ${int(failed)} failed requests`,
      corpus: { seed: SEED, targetFailures: failed, level: 'ERROR' as const, failureRate: 1 },
    })),
  ];
  for (const { label, corpus } of streamed) {
    log(`core: streamed, ${label}, --max-old-space-size=${SMALL_HEAP_MB}`);
    const small = runWorker({ mode: 'stream', corpus }, SMALL_HEAP_MB);
    if (small.result !== undefined) {
      results.streamed.push({ label, corpus, heapMb: SMALL_HEAP_MB, fitsSmallHeap: true, result: small.result });
      continue;
    }
    log(`core: ${label} did not fit in ${SMALL_HEAP_MB} MB (${small.error}); again with 2048 MB for its peak`);
    const big = runWorker({ mode: 'stream', corpus }, 2048);
    results.streamed.push({ label, corpus, heapMb: 2048, fitsSmallHeap: false, ...big });
  }
  const cliCases: CliCase[] = [
    ...CORE_VOLUMES.map((lines) => ({
      label: `INFO, ${int(lines)} lines, 3% failed`,
      corpus: { seed: SEED, targetLines: lines },
    })),
    ...[FAILURE_VOLUMES.at(-1) ?? 0].map((failed) => ({
      label: `ERROR, ${int(failed)} failed requests`,
      corpus: { seed: SEED, targetFailures: failed, level: 'ERROR' as const, failureRate: 1 },
    })),
  ];
  log(`core: the CLI on ${cliCases.length} files (JSON lines), --max-old-space-size=${SMALL_HEAP_MB}`);
  results.cli = benchCli(ROOT, SCRATCH, cliCases, SMALL_HEAP_MB);
  if (!skip.has('profile')) {
    const profiled: Array<{ label: string; file: string; corpus: CorpusOptions }> = [
      {
        label: `INFO, ${int(CORE_VOLUMES.at(-1) ?? 0)} lines, 3% failed`,
        file: 'classify-info.cpuprofile',
        corpus: { seed: SEED, targetLines: CORE_VOLUMES.at(-1) ?? 0 },
      },
      {
        label: `ERROR, ${int(FAILURE_VOLUMES.at(-1) ?? 0)} failed requests (a huge incident)`,
        file: 'classify-failures.cpuprofile',
        corpus: { seed: SEED, targetFailures: FAILURE_VOLUMES.at(-1) ?? 0, level: 'ERROR', failureRate: 1 },
      },
    ];
    for (const { label, file, corpus } of profiled) {
      log(`core: CPU profile, ${label}`);
      const profileOut = join(SCRATCH, file);
      const out = runWorker({ mode: 'profile', corpus, profileOut });
      const summary =
        out.result !== undefined
          ? hotspots(JSON.parse(readFileSync(profileOut, 'utf8')) as CpuProfile, {
              bundle: WORKER,
              map: `${WORKER}.map`,
              root: ROOT,
              within: 'diagnoseEvents',
              top: 12,
            })
          : undefined;
      results.profiles.push({ label, ...out, ...(summary !== undefined ? { summary } : {}) });
    }
  }
  return results;
}

// ---- 2. the handler against the local endpoint -----------------------------------------------------------------

interface HandlerResults {
  cases: {
    incident: Omit<IncidentCase, 'truth'> & { lines: number; chars: number; byKind: Record<string, number> };
    runs: HandlerRun[];
    defaults?: HandlerRun;
    firstRun?: HandlerRun;
  }[];
  error?: string;
}

async function benchHandler(): Promise<HandlerResults> {
  log('handler: starting the local AWS endpoint (moto server)');
  const aws = await startMoto();
  const results: HandlerResults = { cases: [] };
  try {
    const bench = new HandlerBench(aws.endpoint);
    await bench.setUp();
    const incidents: IncidentCase[] = [];
    for (const { failed } of HANDLER_CASES) {
      log(`handler: writing ${int(failed)} failed requests (ERROR level) into the local endpoint`);
      incidents.push(await bench.addIncident(`${failed}`, failed, SEED + failed));
    }
    for (const [i, { runs }] of HANDLER_CASES.entries()) {
      const incident = incidents[i] as IncidentCase;
      log(`handler: ${int(incident.failed)} failed requests, ${runs} runs (+1 first run)`);
      const firstRun = await bench.run(incident, BENCH_LIMITS);
      const timed: HandlerRun[] = [];
      for (let r = 0; r < runs; r++) timed.push(await bench.run(incident, BENCH_LIMITS));
      log(`handler: ${int(incident.failed)} failed requests with the stack's default limits`);
      const defaults = await bench.run(incident, DEFAULT_LIMITS);
      const { truth, ...rest } = incident;
      results.cases.push({
        incident: { ...rest, lines: truth.lines, chars: truth.chars, byKind: { ...truth.byKind } },
        runs: timed,
        defaults,
        firstRun,
      });
    }
  } catch (error) {
    results.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`handler: failed: ${results.error}`);
  } finally {
    await aws.stop();
  }
  return results;
}

// ---- 3. the deployed bundle ------------------------------------------------------------------------------------

interface BundleResults {
  assetDir?: string;
  size?: number;
  gzip?: number;
  mapSize?: number;
  /** `zip -9` of index.mjs and index.mjs.map: the deployment package, whose size Lambda reports as CodeSize. */
  zipSize?: number;
  externals?: string[];
  init?: { label: string; preloaded: boolean; importMs: number[]; startToLoadedMs: number[] }[];
  coldStart?: ColdStartScenario[];
  error?: string;
}

/** The first invocation in a fresh process, with the SDK loaded on demand (as deployed) or imported first (eager). */
interface ColdStartScenario {
  /** Held-back time of every answer of the stand-in AWS endpoint. */
  delayMs: number;
  eager: boolean;
  runs: ColdStartRun[];
  error?: string;
}

/** Per AWS call, the endpoint delays the cold-start runs use: none (nothing to overlap) and a modelled network time. */
const COLD_START_DELAYS_MS = [0, 100];

async function benchBundle(): Promise<BundleResults> {
  log('bundle: synthesizing the stack with bundling (esbuild, as cdk synth does)');
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/bench/synth-asset.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const assetDir = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || assetDir === '') return { error: `synthesis failed: ${child.stderr.slice(-800)}` };
  const bundle = join(assetDir, 'index.mjs');
  const code = readFileSync(bundle);
  // Static (`from "@aws-sdk/..."`) and dynamic (`import("@aws-sdk/...")`) imports of the runtime's SDK.
  const externals = [
    ...new Set(
      [...code.toString('utf8').matchAll(/(?:from\s*|import\(\s*)"(@aws-sdk\/[^"]+)"/g)].map((m) => m[1] ?? ''),
    ),
  ]
    .filter((m) => m !== '')
    .sort();
  const zipFile = join(SCRATCH, 'bundle.zip');
  rmSync(zipFile, { force: true });
  let zipSize: number | undefined;
  try {
    execFileSync('zip', ['-9', '-X', '-q', zipFile, 'index.mjs', 'index.mjs.map'], { cwd: assetDir });
    zipSize = statSync(zipFile).size;
  } catch (error) {
    log(`bundle: zip failed (${error instanceof Error ? error.message : String(error)}); no CodeSize figure`);
  }
  const url = pathToFileURL(bundle).href;
  const probe =
    'const t0 = performance.now(); const mod = await import(process.argv[1]);' +
    'const importMs = performance.now() - t0;' +
    "if (typeof mod.handler !== 'function') throw new Error('no handler export');" +
    'process.stdout.write(JSON.stringify({ importMs, startToLoadedMs: performance.now() }));';
  const scenarios: Array<{ label: string; flags: string[] }> = [
    { label: 'import the bundle (no AWS SDK module is loaded at import)', flags: [] },
    { label: 'the same with --enable-source-maps (the deployed NODE_OPTIONS)', flags: ['--enable-source-maps'] },
  ];
  const init: NonNullable<BundleResults['init']> = [];
  for (const s of scenarios) {
    log(`bundle: ${s.label}, ${INIT_RUNS} fresh processes`);
    const importMs: number[] = [];
    const startToLoadedMs: number[] = [];
    for (let i = 0; i < INIT_RUNS; i++) {
      const out = execFileSync(process.execPath, [...s.flags, '--input-type=module', '-e', probe, url], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      });
      const parsed = JSON.parse(out) as { importMs: number; startToLoadedMs: number };
      importMs.push(parsed.importMs);
      startToLoadedMs.push(parsed.startToLoadedMs);
    }
    init.push({ label: s.label, preloaded: false, importMs, startToLoadedMs });
  }
  // The first invocation: SDK on demand (as deployed) against the SDK imported before the bundle (the eager design).
  const now = Date.now();
  const fake = await startFakeAws(now);
  const firstInvocations: ColdStartScenario[] = [];
  try {
    for (const delayMs of COLD_START_DELAYS_MS) {
      fake.delayMs = delayMs;
      for (const eager of [false, true]) {
        log(`bundle: first invocation, ${eager ? 'SDK imported first' : 'SDK on demand'}, ${delayMs} ms per AWS call`);
        const scenario: ColdStartScenario = { delayMs, eager, runs: [] };
        try {
          for (let i = 0; i < INIT_RUNS; i++) scenario.runs.push(await coldStart(url, ROOT, fake, now, eager));
        } catch (error) {
          scenario.error = error instanceof Error ? error.message : String(error);
        }
        firstInvocations.push(scenario);
      }
    }
  } finally {
    await fake.stop();
  }
  const result: BundleResults = {
    assetDir: relative(ROOT, assetDir),
    size: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    mapSize: statSync(`${bundle}.map`).size,
    ...(zipSize !== undefined ? { zipSize } : {}),
    externals,
    init,
    coldStart: firstInvocations,
  };
  // The synthesized assembly is this run's scratch: remove it (cdk.out/infra-test-*).
  rmSync(dirname(assetDir), { recursive: true, force: true });
  return result;
}

/** Medians of one cold-start scenario's runs. */
function coldStartMedians(scenario: ColdStartScenario | undefined) {
  if (scenario === undefined || scenario.runs.length === 0) return undefined;
  const runs = scenario.runs;
  const ready = (name: string) => median(runs.map((r) => r.readyAfterMs[name] ?? Number.NaN));
  return {
    preload: median(runs.map((r) => r.preloadMs)),
    import: median(runs.map((r) => r.importMs)),
    handler: median(runs.map((r) => r.handlerMs)),
    startToDone: median(runs.map((r) => r.startToDoneMs)),
    /** The SDK part of a cold start: imported before the bundle, or loaded during the first invocation. */
    waited: median(runs.map((r) => r.waitedMs)),
    ledgerAndLogs: median(runs.map((r) => Math.max(r.readyAfterMs.dynamodb ?? 0, r.readyAfterMs.logs ?? 0))),
    allReady: median(runs.map((r) => Math.max(0, ...Object.values(r.readyAfterMs)))),
    ready,
    range: (f: (r: ColdStartRun) => number) => range(runs.map(f), ms),
  };
}

// ---- BENCHMARKS.md ---------------------------------------------------------------------------------------------

const FORMAT_LABEL: Readonly<Record<string, string>> = {
  raw: 'raw execution-log lines',
  'json-lines': 'JSON lines',
  'filter-log-events': '`aws logs filter-log-events` JSON document',
};

function ratioOf(
  c: RatioResults['cases'][number],
  times: readonly number[] = c.cliMs,
): { ratio: number; runs: number[] } {
  // Each CLI run against the baseline run just before it: the pairs share the machine's load at that moment.
  const runs = times.map((cli, i) => cli / (c.baselineMs[i] ?? Number.NaN));
  return { ratio: median(runs), runs };
}

/** Where a missed ratio's time goes, per input (from section 5's profile and the per-phase CPU times it cites). */
const RATIO_MISSED_WHY: Readonly<Record<string, string>> = {
  raw: 'the loop only cuts lines and tests each; the CLI also joins every line to its request in the trace builder (`add`, `addBytes`) and classifies the failed ones; see the profile below',
  'json-lines':
    'every line is also checked as a JSON object (`jsonLineEvent`) and joined to its request; the requests kept are decoded with JSON.parse; see the profile below',
  'filter-log-events':
    'the document is parsed with JSON.parse one chunk of items at a time, and its events joined to their requests; see the profile below',
};

/** The Logs Insights model's inputs: this run's single-alarm storms and the corpora's sizes. */
function insightsInputs(storm: StormResults) {
  const error = generateCorpus({ seed: SEED, targetFailures: 10_000, level: 'ERROR', failureRate: 1 }).truth;
  const info = generateCorpus({ seed: SEED, targetLines: 100_000 }).truth;
  return {
    slotsPerSecond: 1000 / slotIntervalMs(RESPONDER_DEFAULTS.logReadsPerSecond),
    eventsPerPage: 10_000,
    budgetMs: STORM_LIMITS.timeBudgetMs,
    errorBytesPerFailure: error.chars / error.failed,
    infoBytesPerRequest: info.chars / info.requests,
    infoFailureRate: info.failed / info.requests,
    measured: storm.scenarios
      .filter((s) => s.alarms === 1 && s.runs.length > 0)
      .map((s) => {
        const run = s.runs[0] as StormResults['scenarios'][number]['runs'][number];
        const r = run.responders[0];
        return {
          failed: s.failedEach,
          calls: run.fleCalls,
          notifiedMs: r?.notifiedAfterMs ?? Number.NaN,
          counted: r?.failedCounted ?? 0,
        };
      }),
  };
}

function renderRatioTargets(p: (line?: string) => void, ratio: RatioResults): void {
  const packaged = ratio.cli === 'packaged';
  p('### The command line end to end (issue 16; section 5)');
  p();
  p(
    `| Input | Target | Measured: ${packaged ? 'the packaged CLI' : 'the CLI'} ÷ the loop (median of per-run ratios, min–max) | Verdict |`,
  );
  p('|---|---|---|---|');
  for (const c of ratio.cases) {
    const r = ratioOf(c);
    const target = RATIO_TARGET[c.format];
    const checkout =
      c.checkoutMs !== undefined && c.checkoutMs.length > 0
        ? `; the checkout through tsx ${ratioOf(c, c.checkoutMs).ratio.toFixed(2)}×`
        : '';
    const over =
      r.ratio > target
        ? `: ${(r.ratio / target).toFixed(2)}× the target (${secs(median(c.cliMs) - target * median(c.baselineMs))} over it); ${RATIO_MISSED_WHY[c.format] ?? ''}`
        : '';
    p(
      `| ${FORMAT_LABEL[c.format]}, ${int(c.lines)} lines | ≤ ${target}× the readline loop | ${c.error !== undefined ? `CLI failed: ${c.error}` : `${r.ratio.toFixed(2)}× (${range(r.runs, (v) => `${v.toFixed(2)}×`)}; CLI ${secs(median(c.cliMs))}, loop ${secs(median(c.baselineMs))}${checkout})`} | ${c.error !== undefined ? '**missed**' : mark(r.ratio <= target)}${c.error === undefined ? over : ''} |`,
    );
  }
  p();
}

function renderRatio(p: (line?: string) => void, ratio: RatioResults): void {
  const t = ratio.truth;
  p('## 5. The command line end to end against a plain readline loop');
  p();
  p(
    `The corpus (scripts/bench/corpus.ts, seed ${ratio.corpus.seed}): ${t !== undefined ? `${int(t.lines)} INFO-level REST execution-log lines, ${int(t.requests)} requests, ${int(t.failed)} failed (${((100 * t.failed) / t.requests).toFixed(0)}%), ${Math.round(t.chars / t.lines)} characters per line on average` : ''}, the cause mix of section 1, written three ways:`,
  );
  p('raw lines (the messages as API Gateway writes them, `(request id) text`), JSON lines (one event object per line,');
  p(
    "`aws logs filter-log-events --output json | jq -c '.events[]'`) and the JSON document `aws logs filter-log-events",
  );
  p('--output json` prints (4-space indent, with ingestionTime and eventId as the service returns them).');
  p();
  const packaged = ratio.cli === 'packaged';
  p(
    'The baseline is a fresh `node -e` process that reads the same file with `readline` (`for await` over `createInterface`)',
  );
  p('and tests each line with `includes("status: 5")`.');
  if (packaged) {
    p(
      'The CLI is `apigw-5xx diagnose --format json FILE` as an installed user runs it: the package packed by `npm pack`',
    );
    p(
      '(its `prepack` compiles dist/ with `npm run compile`; dist/ is removed afterwards when the bench made it), unpacked',
    );
    p(
      "into a scratch app's node_modules, run as node_modules/.bin/apigw-5xx (the launcher and the compiled JavaScript, as",
    );
    p(
      'in section 7). The same command from the repository checkout (bin/apigw-5xx.mjs, which runs the TypeScript source',
    );
    p('through the tsx loader) is measured beside it, and shown, so that nobody takes one figure for the other.');
  } else {
    p(
      'The CLI is `apigw-5xx diagnose --format json FILE` through bin/apigw-5xx.mjs from the checkout (tsx loader included).',
    );
  }
  p(
    'All are timed from spawn to exit, in turn, in the same run; the ratio of each CLI run to the baseline run just before it',
  );
  p('is what counts (the machine is shared: absolute times move with its load, pairs of neighbouring runs much less).');
  p();
  const withCheckout = ratio.cases.some((c) => c.checkoutMs !== undefined && c.checkoutMs.length > 0);
  const withRss = ratio.cases.some((c) => c.cliMaxRss !== undefined);
  p(
    `| Input | File | Runs | Loop (median, min–max) | ${packaged ? 'Packaged CLI' : 'CLI'} (median, min–max) | ÷ loop (median of pairs) |${withCheckout ? ' Checkout through tsx (median) | ÷ loop |' : ''}${withRss ? ' Peak RSS: loop / CLI |' : ''} Diagnosis matches the truth |`,
  );
  p(`|---|---:|---:|---:|---:|---:|${withCheckout ? '---:|---:|' : ''}${withRss ? '---:|' : ''}---|`);
  for (const c of ratio.cases) {
    const r = ratioOf(c);
    const t = c.checkoutMs !== undefined && c.checkoutMs.length > 0 ? c.checkoutMs : undefined;
    const checkout = withCheckout
      ? t !== undefined
        ? ` ${secs(median(t))} (${range(t, secs)}) | ${ratioOf(c, t).ratio.toFixed(2)}× (${range(ratioOf(c, t).runs, (v) => `${v.toFixed(2)}×`)}) |`
        : ' — | — |'
      : '';
    const matches = (m: readonly string[] | undefined) =>
      m === undefined ? '' : m.length > 0 ? `NO: ${m.slice(0, 2).join('; ')}` : 'yes';
    const truth =
      c.error !== undefined
        ? `CLI failed: ${c.error}`
        : t !== undefined
          ? `${matches(c.mismatches)} (packaged), ${matches(c.checkoutMismatches)} (checkout)`
          : matches(c.mismatches);
    p(
      `| ${FORMAT_LABEL[c.format]} | ${mb(c.fileBytes)} | ${c.cliMs.length} | ${secs(median(c.baselineMs))} (${range(c.baselineMs, secs)}) | ${secs(median(c.cliMs))} (${range(c.cliMs, secs)}) | ${r.ratio.toFixed(2)}× (${range(r.runs, (v) => `${v.toFixed(2)}×`)}) |${checkout}${withRss ? ` ${c.baselineMaxRss !== undefined ? mb(c.baselineMaxRss) : '—'} / ${c.cliMaxRss !== undefined ? mb(c.cliMaxRss) : '—'} |` : ''} ${truth} |`,
    );
  }
  p();
  p(
    'How the CLI keeps up with the loop: a chunk of 1 MB is read while the one before is worked on, its lines are cut from',
  );
  p(
    'the bytes (lambda/parse/line-splitter.ts), and a line that is an execution line, raw or a JSON line whose message',
  );
  p(
    "is one, stays in those bytes (lambda/parse/byte-line.ts: a JSON line's structure is checked by jumping from quote to",
  );
  p('quote, its message, timestamp and log group found in place). The trace builder finds the request and the "Method');
  p(
    'completed" status in the bytes, so a request that ends well is dropped without a string or a JSON.parse ever made of',
  );
  p(
    'its lines; only the requests it keeps are decoded (a JSON line with JSON.parse, as before). Lines a request holds for',
  );
  p(
    'longer than 16 chunks are made strings, so memory stays bounded: the peak RSS column is one more run of each under',
  );
  p('GNU time. A line in a chunk that is no valid UTF-8, or in another form, is read as text as before.');
  p('The JSON document is read as it arrives (lambda/parse/forms/json-document-stream.ts): the items of `events` each');
  p(
    'chunk completes are found by a byte scanner and parsed with one JSON.parse per chunk, instead of the whole document',
  );
  p('held and parsed at once.');
  p();
  if (ratio.profile !== undefined) {
    p(
      `Where the ${packaged ? 'packaged ' : ''}CLI's time goes on the raw file: a V8 CPU profile of one run (\`node --cpu-prof\`, ${secs(ratio.profile.totalMs)} profiled,`,
    );
    p('process start to exit, module loading included), self time per function, top 15. Profile: .bench/cli-profile/.');
    if (packaged) p('Positions are in the compiled JavaScript (dist/).');
    else {
      p(
        "Positions in .ts files are tsx's transpiled output, so only the function names count. Module loading runs through",
      );
      p(
        "tsx's loader in a worker thread: the main thread's waits for it show as `waitForWorker` and `makeSyncRequest`.",
      );
    }
    p();
    p('| Function | Where | Self | Share |');
    p('|---|---|---:|---:|');
    // A function's name can be a regular expression's source, `|` included: escaped, or it splits the row.
    for (const f of ratio.profile.top)
      p(
        `| \`${f.name.replaceAll('|', '\\|')}\` | ${f.where.replaceAll('|', '\\|')} | ${ms(f.selfMs)} | ${((100 * f.selfMs) / ratio.profile.totalMs).toFixed(1)}% |`,
      );
    p();
  }
}

function render(
  m: Machine,
  core?: CoreResults,
  handler?: HandlerResults,
  bundle?: BundleResults,
  storm?: StormResults,
  ratio?: RatioResults,
  cliStart?: CliStartResults,
): string {
  const out: string[] = [];
  const p = (line = '') => out.push(line);
  p('# Benchmarks');
  p();
  p(
    `Written by \`${m.command}\` (scripts/bench.ts) on ${m.date.slice(0, 10)} at ${m.date.slice(11, 19)} UTC. Do not edit by hand: run the command again.${fromArg !== undefined ? ` The text was rendered again from that run's raw figures with \`--from=${fromArg}\` (no new measurement).` : ''}`,
  );
  p();
  p('## Machine');
  p();
  p(`- CPU: ${m.cpu}, ${m.cores} cores (all core figures below use one core: Node's main thread)`);
  p(`- Memory: ${(m.memory / 1024 ** 3).toFixed(1)} GiB`);
  p(`- Node.js: ${m.node}`);
  p(`- OS: ${m.os}`);
  p(
    `- Code: commit ${m.commit}${m.dirty ? ' plus uncommitted changes in lambda/ or lib/ (other work in progress in the checkout)' : ''}`,
  );
  if ((m.loadStart[0] ?? 0) > m.cores * 2)
    p(
      `- **The machine was heavily loaded during this run** (load average ${(m.loadStart[0] ?? 0).toFixed(1)} on ${m.cores} cores: other jobs were running). Absolute times are several times slower than on an idle machine (compare section 1's lines per second with an earlier run's); the issue-16 figures are ratios measured in the same run (the CLI against its baseline) or bounded by the modelled quota rather than the CPU (the storms), and the storms' per-call latency includes a slowed moto.`,
    );
  p(
    `- Load average (1/5/15 min) at start ${m.loadStart.map((l) => l.toFixed(2)).join(' / ')}, at end ${(m.loadEnd ?? []).map((l) => l.toFixed(2)).join(' / ')}: the machine is shared, so every figure is a median and the min–max range shows the noise.`,
  );
  p();

  // Targets first: the reader wants the verdicts.
  p('## Targets (issue 6)');
  p();
  p('| Target | Measured | Verdict |');
  p('|---|---|---|');
  const oneMillion = core?.throughput.at(-1);
  let coreRate: number | undefined;
  if (oneMillion?.result !== undefined) {
    coreRate = oneMillion.result.truth.lines / (median(oneMillion.result.timesMs) / 1000);
    p(
      `| Classification ≥ 2 million lines/s on one core | ${rate(coreRate)} lines/s (median of ${oneMillion.result.timesMs.length} runs, ${int(oneMillion.result.truth.lines)} INFO lines) | ${mark(coreRate >= 2e6)} (${(coreRate / 2e6).toFixed(2)}× the target) |`,
    );
  }
  const info = core?.streamed.filter((s) => s.corpus.level !== 'ERROR') ?? [];
  const errors = core?.streamed.filter((s) => s.corpus.level === 'ERROR') ?? [];
  if (info.length > 0 || errors.length > 0) {
    const infoText = info
      .map((s) =>
        s.result !== undefined ? `${mb(s.result.memory.retainedDelta)} at ${int(s.result.truth.lines)} lines` : s.error,
      )
      .join(', ');
    const smallest = errors.find((s) => s.result !== undefined)?.result;
    const biggest = errors.at(-1)?.result;
    const perFailure = biggest !== undefined ? biggest.memory.retainedDelta / biggest.truth.failed : undefined;
    // Bounded: the state kept after the read stops growing with the volume (within a factor 2 over a 100x volume).
    const growth =
      smallest !== undefined && biggest !== undefined && smallest !== biggest
        ? biggest.memory.retainedDelta / Math.max(1, smallest.memory.retainedDelta)
        : undefined;
    const bounded = growth !== undefined && growth <= 2;
    const notFitting = [...info, ...errors].filter((s) => !s.fitsSmallHeap).map((s) => s.label);
    const failureText = errors
      .map((s) =>
        s.result !== undefined
          ? `${mb(s.result.memory.retainedDelta)} for ${int(s.result.truth.failed)} failed requests`
          : `${s.label}: ${s.error}`,
      )
      .join(', ');
    const perText =
      perFailure !== undefined && !bounded ? ` (≈ ${(perFailure / 1024).toFixed(1)} KB per failed request)` : '';
    const why = bounded
      ? `the retained state stays flat as the volume grows (×${(growth ?? 0).toFixed(1)} from the smallest to the largest failure count): successful requests are dropped unread, and beyond ${int(MAX_FAILED_KEPT)} failed requests the core keeps an evenly spread sample and counts the rest`
      : `memory grows with the number of failures (×${(growth ?? 0).toFixed(0)} from the smallest to the largest failure count)`;
    const fit =
      notFitting.length > 0
        ? `; ${notFitting.join(', ')}: not within a ${SMALL_HEAP_MB} MB heap`
        : `; every corpus fits a ${SMALL_HEAP_MB} MB heap`;
    p(
      `| Memory does not grow with the volume beyond a bounded sample | retained after the read: ${infoText} (3% failed); ${failureText}${perText} | ${mark(bounded)}: ${why}${fit} |`,
    );
  }
  const tenK = handler?.cases.find((c) => c.incident.failed === 10_000);
  if (tenK !== undefined && tenK.runs.length > 0) {
    const wall = median(tenK.runs.map((r) => r.wallMs));
    p(
      `| Handler < 3 s for 10k failed requests (local endpoint) | ${secs(wall)} (median of ${tenK.runs.length}; limits maxEvents ${int(BENCH_LIMITS.maxEvents)}, maxPages ${BENCH_LIMITS.maxPages}) | ${mark(wall < 3000)} |`,
    );
    if (tenK.defaults !== undefined)
      p(
        `| (the same with the stack's defaults, maxLogEvents ${int(DEFAULT_LIMITS.maxEvents)}, maxLogPages ${DEFAULT_LIMITS.maxPages}) | ${secs(tenK.defaults.wallMs)}; ${describeCoverage(tenK.defaults, tenK.incident.failed)}; cause shares within ${tenK.defaults.shareDeviationPp.toFixed(1)} points of the truth | see section 2 |`,
      );
  }
  if (bundle?.size !== undefined && bundle.init !== undefined) {
    const full = bundle.init[0];
    // Issue 16 dropped the 100 KB target unless the bytes move the cold start: the row says whether they do.
    const importMs = full !== undefined ? median(full.importMs) : undefined;
    const coldLazy = coldStartMedians(
      bundle.coldStart?.find((c) => !c.eager && c.delayMs === (COLD_START_DELAYS_MS.at(-1) ?? 0)),
    );
    const bytesShare =
      importMs !== undefined && coldLazy !== undefined ? (100 * importMs) / coldLazy.startToDone : undefined;
    p(
      `| ~~Deployed bundle < 100 KB~~ (dropped by issue 16: cold start is reported instead) | ${kb(bundle.size)} index.mjs, minified (${kb(bundle.gzip ?? 0)} gzipped); importing it takes ${importMs !== undefined ? ms(importMs) : '?'}${coldLazy !== undefined ? ` of a ${ms(coldLazy.startToDone)} cold start (process start to notification, ${COLD_START_DELAYS_MS.at(-1) ?? 0} ms per AWS call)` : ''} | ${bytesShare !== undefined && bytesShare < 5 ? `**dropped**: the bytes do not move the cold start (the whole import is ${bytesShare.toFixed(1)}% of it; cutting 30 KB would save about ${importMs !== undefined ? ms((importMs * 30 * 1024) / bundle.size) : '?'}); the AWS SDK load and the AWS calls do (section 3)` : `**not dropped**: importing the bundle is ${bytesShare?.toFixed(1) ?? '?'}% of the cold start, so its bytes count`} |`,
    );
    if (full !== undefined) {
      const fullMs = median(full.importMs);
      const lazyAt = (delay: number) =>
        coldStartMedians(bundle.coldStart?.find((c) => !c.eager && c.delayMs === delay));
      const eagerAt = (delay: number) =>
        coldStartMedians(bundle.coldStart?.find((c) => c.eager && c.delayMs === delay));
      const delayed = COLD_START_DELAYS_MS.at(-1) ?? 0;
      const lazy = lazyAt(delayed);
      const eager = eagerAt(delayed);
      const lazy0 = lazyAt(0);
      const eager0 = eagerAt(0);
      const runsAt = (delay: number, eagerRuns: boolean) =>
        (bundle.coldStart?.find((c) => c.eager === eagerRuns && c.delayMs === delay)?.runs ?? []).map(
          (r) => r.startToDoneMs,
        );
      const lazy0Runs = runsAt(0, false);
      const eager0Runs = runsAt(0, true);
      // Two sets of runs whose min–max ranges overlap: the difference of their medians is noise.
      const noise = (a: number[], b: number[]) =>
        a.length > 0 && b.length > 0 && Math.max(...a) >= Math.min(...b) && Math.max(...b) >= Math.min(...a);
      const overlap = (l: typeof lazy, e: typeof eager) =>
        l !== undefined && e !== undefined ? Math.min(e.preload, Math.max(0, e.startToDone - l.startToDone)) : 0;
      const moved =
        lazy !== undefined && eager !== undefined && lazy0 !== undefined && eager0 !== undefined
          ? `, but the AWS SDK load (${ms(eager.preload)} when imported at init) **moved into the first invocation**: it waits ${ms(lazy.waited)} for the first client (DynamoDB, for the ledger claim) and loads the others behind the claim and the log reads (all ready ${ms(lazy.allReady)} after it starts). Process start to first notification: ${ms(lazy.startToDone)} against ${ms(eager.startToDone)} with the SDK at init when each AWS call takes ${delayed} ms (${ms(overlap(lazy, eager))} of the SDK load overlapped); ${ms(lazy0.startToDone)} against ${ms(eager0.startToDone)} with an instant endpoint (${noise(lazy0Runs, eager0Runs) ? 'within the run-to-run range' : `${ms(overlap(lazy0, eager0))} apart`}: nothing to overlap, the cost only moved)`
          : ', but the AWS SDK load moved into the first invocation (see section 3)';
      p(
        `| Module init < 50 ms (fresh Node process) | ${ms(fullMs)} to import the bundle | ${mark(fullMs < 50)}${moved} |`,
      );
    }
  }
  if (cliStart !== undefined) {
    const ratio = cliStartRatio(cliStart);
    p(
      `| CLI start (issue 15): a two-line file diagnosed within 2× \`node -e 0\` | ${ratio.toFixed(2)}× (the packed package's compiled CLI, medians of ${cliStart.runs} runs) | ${mark(ratio <= 2)} (section 7) |`,
    );
  }
  p();
  if (ratio !== undefined) renderRatioTargets(p, ratio);
  if (storm !== undefined) renderStormTargets(p, storm);

  if (core !== undefined) renderCore(p, core);
  if (handler !== undefined) renderHandler(p, handler);
  if (bundle !== undefined) renderBundle(p, bundle);
  if (storm !== undefined) renderStorms(p, storm);
  if (ratio !== undefined) renderRatio(p, ratio);
  if (storm !== undefined) renderInsights(p, insightsInputs(storm));
  if (cliStart !== undefined) renderCliStart(p, cliStart);
  p('## Reproducing');
  p();
  p(
    `\`npm run bench\` from a fresh clone after \`npm install\` (the first run installs moto into .venv). This run took ${((m.elapsedMs ?? 0) / 60_000).toFixed(1)} minutes;`,
  );
  p(
    'with the full volumes most of it is the handler runs and the alarm storms against moto. `npm run bench -- --quick` runs',
  );
  p(
    'small volumes into .bench/BENCHMARKS.quick.md; `--skip=core,profile,handler,bundle,storm,cliratio,clistart` leaves parts out. Raw figures',
  );
  p('of the last run: .bench/results.json; CPU profiles: .bench/*.cpuprofile (open them in Chrome DevTools).');
  p('`--ratio-runs=N` takes N pairs of runs per input in section 5 (3 by default); section 5 alone, as measured last:');
  p('`npx tsx scripts/bench.ts --skip=core,profile,handler,bundle,storm,clistart --ratio-runs=7 --out=FILE`.');
  p();
  return `${out.join('\n')}`;
}

/** `end×9, events×2`: how the reads of one run ended. */
function stops(run: HandlerRun): string {
  const counts = new Map<string, number>();
  for (const reason of run.stoppedBy.split(',')) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => (n === 1 ? reason : `${reason}×${n}`)).join(', ');
}

/** What share of the incident the run classified, and how. */
/** "yes" for an exact diagnosis; for a sampled one, how many were counted and classified and how close the shares are. */
function matchText(r: WorkerResult): string {
  if (r.mismatches.length > 0) return `NO: ${r.mismatches.slice(0, 2).join('; ')}`;
  const s = r.diagnosed.sampled;
  if (s === undefined) return 'yes';
  return `yes: all ${int(s.counted)} failed requests counted; ${int(r.diagnosed.failed)} classified (every ${int(s.stride)}th), cause shares within ${s.shareDeviationPp.toFixed(1)} points`;
}

function describeCoverage(run: HandlerRun, failed: number): string {
  const sampled = run.sampling?.slices !== undefined;
  const counted =
    run.sampling !== undefined
      ? ` (the responder counted ${int(run.sampling.totalFailed)}${run.sampling.exact ? '' : ' or more'})`
      : '';
  if (run.diagnosedFailed === failed)
    return `all ${int(failed)} failed requests classified${sampled ? `, read in ${run.sampling?.slices} slices of the window` : ''}`;
  if (!sampled && run.sampling?.stride !== undefined && run.sampling.totalFailed >= failed)
    return `all ${int(failed)} failed requests read and counted, ${int(run.diagnosedFailed)} classified (every ${int(run.sampling.stride)}th)`;
  return sampled
    ? `sampled: ${int(run.diagnosedFailed)} of ${int(failed)} failed requests classified${counted}, over ${run.sampling?.slices} slices of the window`
    : `cut: ${int(run.diagnosedFailed)} of ${int(failed)} failed requests classified${counted} (reads ended: ${stops(run)})`;
}

/**
 * What each hot function does per call, for the core's owner. Printed only for functions the profile puts on top;
 * written from the code as it was when the benchmark was written, so a note may describe code since changed.
 */
const HOTSPOT_NOTES: Readonly<Record<string, string>> = {
  addExecution:
    "a request's first line (and lines of requests already read): checks the id against the pending index, the requests read and the settled ids, then opens a pending record.",
  findByLine:
    'per execution line: a hash of the first 7 characters of the request id, read in place, as a small integer Map key; the match is confirmed by comparing the whole id (slice and ===). A Map lookup keyed by a freshly cut id string cost about 100 ns per line, as V8 hashes that string every time.',
  addPendingLine:
    'per execution line: a status-line check (completedStatusAt), then the event is stored unread; below 500 the request is dropped, on a 5xx it is read (materialise).',
  diagnoseEvents:
    'its self time is the per-event code V8 inlined into it (TraceBuilder.add, findByLine, addPendingLine): see the hot lines.',
  executionFacts:
    'reads the facts of one line of a failed request (only those are read): prefix checks, then one anchored regex for most lines; the long "Endpoint request/response headers" lines get unanchored regexes.',
  '(garbage collector)':
    'per line: the request id cut from the message; per request: its pending record and event array; per failed request: the trace, its lines, the finding, evidence copies and templates.',
  requestIdEnd:
    'indexOf for the `)` that closes the request id, then a character loop over the id (no whitespace or parenthesis inside it): the first touch of each message.',
  completedStatusAt: 'a startsWith and three digit reads on lines that begin with "M"; no regex.',
  offerFailed:
    'counts a failed request and keeps it when it falls in the sample; halving the sample walks the kept requests once per doubling.',
  remember:
    'adds a settled id to a Set and a ring of the last 50,000; the one leaving the ring goes into a fixed 4 MB Bloom filter (lambda/trace/id-filter.ts), so a late line of any settled request is ignored.',
  materialise: "replays a failed request's stored lines through executionFacts into its trace.",
  summarizeCause:
    "calls messageTemplate (nine regex replacements) on every evidence line of every finding until it has 5 distinct templates; a cause's findings usually share their templates, so that is every finding of the cause; and routeOfFinding several times per finding.",
  messageTemplate:
    'nine regex replacements per call; called per evidence line of every finding by summarizeCause (see there).',
  redact:
    'classifyTrace redacts the evidence lines of every finding (several regex passes per line), although the message shows only a few lines per cause.',
  routeOfFinding:
    'builds a new "METHOD /path" string per call and is called for each finding several times (routes, top route, byRoute).',
  classifyTrace:
    'builds each finding with about fifteen conditional object spreads and copies the backend records; every rule runs until one matches.',
  first: "each rule tries its matchers in turn, each scanning all the trace's lines with its regex (execLines).",
  execLines: 'scans every line of the trace with one regex per call; rules call it several times per trace.',
};

function renderCli(p: (line?: string) => void, runs: readonly CliRun[]): void {
  p('### The command line on log files (is it bounded too?)');
  p();
  p(
    '`apigw-5xx diagnose --format json FILE` in a fresh process with `--max-old-space-size=' +
      `${SMALL_HEAP_MB}\`, run as a`,
  );
  p('user runs it (bin/apigw-5xx.mjs, its TypeScript loader included), on the same corpora written as JSON lines');
  p("(`aws logs filter-log-events --output json | jq -c '.events[]'`). The CLI reads its input as it streams");
  p('(lambda/parse/input-stream.ts): a line at a time into the core; the filter-log-events JSON document a chunk of');
  p(
    'events at a time; only the other documents (CSV, Markdown, Insights JSON, subscription payloads) are read whole. Peak RSS',
  );
  p("is GNU time's maximum resident set size of the process.");
  p();
  p('| File | Lines | Size | Failed requests | Exit | Peak RSS | Wall | Matches the truth |');
  p('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of runs) {
    const match =
      r.error !== undefined
        ? `error: ${r.error}`
        : r.mismatches.length > 0
          ? `NO: ${r.mismatches.slice(0, 2).join('; ')}`
          : r.classified !== undefined && r.counted !== undefined && r.classified < r.counted
            ? `yes: ${int(r.counted)} counted, ${int(r.classified)} classified`
            : 'yes';
    p(
      `| ${r.label} | ${int(r.truth.lines)} | ${mb(r.fileBytes)} | ${int(r.truth.failed)} | ${r.exitCode ?? 'killed'} | ${r.maxRss !== undefined ? mb(r.maxRss) : '—'} | ${secs(r.wallMs)} | ${match} |`,
    );
  }
  p();
}

function renderCore(p: (line?: string) => void, core: CoreResults): void {
  const first = core.throughput.find((t) => t.result !== undefined)?.result;
  p('## 1. Classification: the pure core');
  p();
  p('What is measured: `diagnoseEvents` (lambda/diagnose.ts): grouping by request id (lambda/trace/trace-builder.ts),');
  p(
    'classification (lambda/classify/classify.ts) and the summary, on `LogEvent`s already in memory, in a child process',
  );
  p('(`node --expose-gc`, the core bundled with esbuild, no TypeScript loader), after three warm-up diagnoses of a');
  p('different 60k-line corpus. Each timed run is a full diagnosis of the whole corpus on one thread.');
  p();
  p(
    'The corpus (scripts/bench/corpus.ts, seed ' +
      `${SEED}` +
      ', mulberry32): INFO-level REST execution logs, 3% of requests',
  );
  p(
    `failed, split ${FAILURE_KINDS.map((k) => `${k} ${Math.round(DEFAULT_FAILURE_MIX[k] * 100)}% (${CAUSE_OF_KIND[k]})`).join(', ')};`,
  );
  p('24 requests in flight at once with their lines interleaved, spread over 6 log streams; line shapes of');
  p(
    'scripts/incident.ts `restTrace` (checked line for line by test/unit/bench-corpus.test.ts), the other kinds verbatim',
  );
  p(
    'from the cause fixtures. Messages are materialised through JSON, as the reader receives them from a FilterLogEvents page.',
  );
  if (first !== undefined)
    p(
      `About ${(first.truth.lines / first.truth.requests).toFixed(1)} lines per request and ${Math.round(first.truth.chars / first.truth.lines)} characters per line.`,
    );
  p();
  p('### Throughput and memory by volume (corpus held in memory)');
  p();
  p(
    '| Lines | Requests | Failed | Runs | Median | Min–max | Lines/s (median) | MB/s | Peak heap during the diagnosis | Retained after | Matches the truth |',
  );
  p('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const t of core.throughput) {
    const r = t.result;
    if (r === undefined) {
      p(`| ${int(t.lines)} | | | | | | | | | | error: ${t.error} |`);
      continue;
    }
    const med = median(r.timesMs);
    p(
      `| ${int(r.truth.lines)} | ${int(r.truth.requests)} | ${int(r.truth.failed)} | ${r.timesMs.length} | ${ms(med)} | ${range(r.timesMs, ms)} | ${rate(r.truth.lines / (med / 1000))} | ${(r.truth.chars / 1024 / 1024 / (med / 1000)).toFixed(0)} | +${mb(r.memory.peakHeapDelta)} | +${mb(r.memory.retainedDelta)} | ${r.mismatches.length === 0 && r.diagnosed.sampled === undefined ? `yes, every run (${Object.keys(r.diagnosed.causes).length} causes, ${int(r.diagnosed.failed)} failed, ${int(r.diagnosed.succeeded)} succeeded)` : matchText(r)} |`,
    );
  }
  p();
  p(
    'Peak heap and retained are above the heap with the corpus loaded (the corpus itself is not counted); peak is sampled',
  );
  p('every 16k lines and once at the end, before a GC.');
  p();
  p(`### Memory with the corpus streamed (is it bounded?)`);
  p();
  p(
    "The generator feeds `diagnoseEvents` line by line, so the process holds only the core's state (and a 4k-line chunk).",
  );
  p(
    `Each corpus is first run with \`--max-old-space-size=${SMALL_HEAP_MB}\`; one that does not fit is run again with 2048 MB to`,
  );
  p(
    'measure its peak. ERROR-level corpora are what a huge incident looks like to the core: only failures, 1–3 lines each.',
  );
  p();
  p(
    `| Corpus | Lines | Failed requests | Fits ${SMALL_HEAP_MB} MB heap | Peak heapUsed | Peak RSS | Retained after the read | Retained per failed request | Time (generation included) | Matches the truth |`,
  );
  p('|---|---:|---:|---|---:|---:|---:|---:|---:|---|');
  for (const s of core.streamed) {
    const r = s.result;
    if (r === undefined) {
      p(`| ${s.label} | | | no | | | | | | error: ${s.error} |`);
      continue;
    }
    p(
      `| ${s.label} | ${int(r.truth.lines)} | ${int(r.truth.failed)} | ${s.fitsSmallHeap ? 'yes' : 'no (out of memory)'} | ${mb(r.memory.baseHeapUsed + r.memory.peakHeapDelta)} | ${mb(r.memory.maxRss)} | ${mb(r.memory.retainedDelta)} | ${s.corpus.level === 'ERROR' ? kb(r.memory.retainedDelta / Math.max(1, r.truth.failed)) : '—'} | ${ms(r.timesMs[0] ?? 0)} | ${matchText(r)} |`,
    );
  }
  p();
  p("Reading: the core stores a request's execution lines unread until its outcome is known, drops a request that");
  p(
    'completes below 500 without parsing a line of it, and remembers settled ids in bounded memory (the last 50,000 exactly, older ones in a 4 MB Bloom filter), so successful traffic',
  );
  p(
    `does not make it grow. Failed requests are read whole; beyond ${int(MAX_FAILED_KEPT)} of them the core keeps every k-th`,
  );
  p('(k doubling as needed, so the sample stays evenly spread over the read) and counts the rest; at most 20,000');
  p('requests without an outcome are held at once (the oldest is decided early). The diagnosis then says');
  p('"classified N of M failed requests", and its cause shares are checked against the truth within');
  p(`${(SHARE_TOLERANCE * 100).toFixed(0)} percentage points (the table shows the largest gap).`);
  p();
  p('What is retained after the read is the result: the failed requests kept for classification, each with its lines');
  p('(an INFO-level trace has about 19; ERROR-level ones 1–3), their findings and the summary. At INFO level it grows');
  p(
    `with the failures the corpus holds until the sample is full (${int(MAX_FAILED_KEPT)} requests), then stays within it.`,
  );
  p();
  if (core.cli.length > 0) renderCli(p, core.cli);
  if (core.profiles.length > 0) {
    p('## Hotspots');
    p();
    p(
      'V8 CPU profiles (inspector Profiler, 200 µs sampling, the same profiler as `node --cpu-prof`) of one diagnosis,',
    );
    p(
      'counting only the samples from the first to the last with `diagnoseEvents` on the stack (GC in between included).',
    );
    p(
      'Positions are mapped back to the TypeScript sources through the worker bundle\'s source map. "Self" is time in the',
    );
    p(
      'function itself; V8 inlines small functions into their callers, so the "hot lines" table (V8 line ticks) shows which',
    );
    p('source lines the time went to, whichever function they were inlined into. The profiler slows the run down, so');
    p('the absolute times are above the throughput figures; the shares are what matter.');
    p();
    for (const prof of core.profiles) {
      const s = prof.summary;
      p(`### ${prof.label}`);
      p();
      if (s === undefined) {
        p(`Profile failed: ${prof.error}`);
        p();
        continue;
      }
      p(`${ms(s.totalMs)} profiled.`);
      p();
      p('| Function | Where | Self | Share |');
      p('|---|---|---:|---:|');
      for (const h of s.hotspots)
        p(`| \`${h.functionName}\` | ${h.location} | ${ms(h.selfMs)} | ${(h.selfShare * 100).toFixed(1)}% |`);
      p();
      p('| Hot line | Counted under | Time | Share |');
      p('|---|---|---:|---:|');
      for (const h of s.hotLines.slice(0, 10))
        p(`| ${h.location} | \`${h.functionName}\` | ${ms(h.ms)} | ${(h.share * 100).toFixed(1)}% |`);
      p();
      const notes = s.hotspots.filter((h) => h.selfShare >= 0.02 && HOTSPOT_NOTES[h.functionName] !== undefined);
      if (notes.length > 0) {
        p('What the code does there (read from the source at the time of writing the benchmark):');
        p();
        for (const h of notes) p(`- \`${h.functionName}\` (${h.location}): ${HOTSPOT_NOTES[h.functionName]}`);
        p();
      }
    }
  }
}

function renderHandler(p: (line?: string) => void, handler: HandlerResults): void {
  p('## 2. The responder against the local AWS endpoint');
  p();
  p('What is measured: one alarm event through `respond` (lambda/respond/respond.ts), composed as lambda/handler.ts');
  p(
    'composes it (CloudWatchLogsReader on a CloudWatchLogsClient with maxAttempts 1, SnsPublisher), on clients built by',
  );
  p(
    'the benchmark so that an SDK middleware counts every AWS API call, its time and its response bytes. The topic has an',
  );
  p('SQS queue subscribed, as in the end-to-end tests. The notification ledger (DynamoDB de-duplication, optional in');
  p(
    '`respond`) is left out, or the repeated runs of one alarm would be de-duplicated; with it an alarm costs two more',
  );
  p('DynamoDB calls. Wall time runs from the alarm event to the published message; the first run of each volume is');
  p('left out of the median and shown apart. The window holds the generated ERROR-level');
  p('incident (all failure kinds in the mix above, 1–3 lines per failed request, 6 streams) and nothing else.');
  p(
    `Limits: maxEvents ${int(BENCH_LIMITS.maxEvents)}, maxPages ${BENCH_LIMITS.maxPages}, time budget ${BENCH_LIMITS.timeBudgetMs / 1000} s, so that 100k failed requests can be read whole.`,
  );
  p();
  if (handler.error !== undefined) {
    p(`The run failed: \`${handler.error.split('\n')[0]}\``);
    p();
  }
  p(
    '| Failed requests | Lines in the window | Runs | Wall (median) | Min–max | First run | Log reads | Diagnose + render | Publish | AWS API calls | Pages | Read: messages / on the wire | Counted by the responder | Matches the truth |',
  );
  p('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---|');
  for (const c of handler.cases) {
    const runs = c.runs;
    if (runs.length === 0) continue;
    const last = runs[runs.length - 1] as HandlerRun;
    const calls = Object.entries(last.calls)
      .map(([name, n]) => `${name.replace(/Command$/, '')} ${n}`)
      .join(', ');
    const exact = runs.every((r) => r.mismatches.length === 0);
    p(
      `| ${int(c.incident.failed)} | ${int(c.incident.lines)} | ${runs.length} | ${secs(median(runs.map((r) => r.wallMs)))} | ${range(
        runs.map((r) => r.wallMs),
        secs,
      )} | ${c.firstRun !== undefined ? secs(c.firstRun.wallMs) : ''} | ${secs(median(runs.map((r) => r.readMs)))} | ${secs(median(runs.map((r) => r.computeMs)))} | ${ms(median(runs.map((r) => r.publishMs)))} | ${calls} | ${last.pages} | ${mb(last.messageBytes)} / ${mb(last.wireBytes)} | ${last.sampling !== undefined ? int(last.sampling.totalFailed) : '—'} | ${exact && last.sampling?.stride === undefined ? 'yes, exactly (every run)' : `${exact ? 'yes' : 'no'}: ${describeCoverage(last, c.incident.failed)}; cause shares within ${last.shareDeviationPp.toFixed(1)} points`} |`,
    );
  }
  p();
  p(
    `### With the stack's default limits (maxLogEvents ${int(DEFAULT_LIMITS.maxEvents)}, maxLogPages ${DEFAULT_LIMITS.maxPages}, time budget ${DEFAULT_LIMITS.timeBudgetMs / 1000} s)`,
  );
  p();
  p(
    '| Failed requests | Wall | AWS API calls | Pages | Events read | Reads ended by | Diagnosis | Cause shares vs truth |',
  );
  p('|---:|---:|---|---:|---:|---|---|---:|');
  for (const c of handler.cases) {
    const d = c.defaults;
    if (d === undefined) continue;
    const calls = Object.entries(d.calls)
      .map(([name, n]) => `${name.replace(/Command$/, '')} ${n}`)
      .join(', ');
    p(
      `| ${int(c.incident.failed)} | ${secs(d.wallMs)} | ${calls} | ${d.pages} | ${int(d.events)} | ${stops(d)} | ${describeCoverage(d, c.incident.failed)} | within ${d.shareDeviationPp.toFixed(1)} points |`,
    );
  }
  p();
  p('Reading the figures:');
  p();
  p('- "Log reads" is the time inside FilterLogEvents calls (SDK, loopback HTTP and moto). moto ignores the OR filter');
  p(
    '  pattern the responder sends for the execution log (`?"Method completed" ?"Execution failed" ...`) and returns every',
  );
  p('  event (it does apply a single quoted phrase, such as a count of status lines would use); at ERROR level');
  p(
    '  every line would match anyway. moto also filters and sorts every event of the log group (in the time range) again',
  );
  p(
    '  for each page (moto/logs/models.py `filter_log_events`), so a page costs in proportion to the events in the group,',
  );
  p(
    '  not in the page: a whole read of n events is O(n²) on the local endpoint, and that, not the responder, is most of',
  );
  p("  the 100k wall time. CloudWatch Logs pages cost differently; these figures say nothing about the real service's");
  p('  latency.');
  p('- "Diagnose + render" is the rest of the wall time: the core on every event read, rendering, orchestration.');
  p('- "On the wire" is the FilterLogEvents response bodies (JSON with event ids, stream names, timestamps);');
  p('  "messages" is the characters of the log messages in them.');
  const undercounted = handler.cases.filter(
    (c) => c.runs[0]?.sampling !== undefined && (c.runs[0]?.sampling?.totalFailed ?? 0) < c.incident.failed,
  );
  if (undercounted.length > 0) {
    const c = undercounted.at(-1);
    const failed = c?.incident.failed ?? 0;
    const counted = c?.runs[0]?.sampling?.totalFailed ?? 0;
    const authorizer = c?.incident.byKind.authorizer ?? 0;
    p(
      `- "Counted by the responder" is the diagnosis's own count of the failed requests in the window; it is below the truth (${int(counted)} for ${int(failed)}).`,
    );
    if (counted + authorizer === failed) {
      p(
        `  The ${int(authorizer)} missing are exactly the corpus's authorizer failures, which end without a "Method completed with status"`,
      );
      p('  line (no source we have shows whether API Gateway writes one after an authorizer failure), so a count of');
      p('  status lines misses them; they are still classified when their lines are read.');
    }
  }
  const cut = handler.cases.filter((c) => c.defaults !== undefined && c.defaults.diagnosedFailed < c.incident.failed);
  if (cut.length > 0)
    p(
      `- With the stack's defaults (at most ${int(DEFAULT_LIMITS.maxEvents)} events and ${DEFAULT_LIMITS.maxPages} pages) ${cut.map((c) => `${int(c.incident.failed)}`).join(' and ')} failed requests do not fit: the table shows what the responder then classified and how far its cause shares are from the truth.`,
    );
  p();
}

function renderBundle(p: (line?: string) => void, bundle: BundleResults): void {
  p('## 3. The deployed bundle');
  p();
  if (bundle.error !== undefined || bundle.size === undefined) {
    p(`Could not build the bundle: ${bundle.error ?? 'unknown error'}`);
    p();
    return;
  }
  p('The asset the stack deploys: `bundledResponderAsset()` (test/infra/helpers/synth.ts) synthesizes the stack with');
  p(
    'bundling on, i.e. esbuild with the NodejsFunction options of lib/responder.ts (ESM, minified, node22 target, UTF-8',
  );
  p('output, source map without sources, `@aws-sdk/*` external).');
  p();
  p(
    `- index.mjs: ${int(bundle.size)} bytes (${kb(bundle.size)}); gzip -9: ${int(bundle.gzip ?? 0)} bytes (${kb(bundle.gzip ?? 0)}); index.mjs.map: ${kb(bundle.mapSize ?? 0)}`,
  );
  if (bundle.zipSize !== undefined)
    p(
      `- Deployment package (not the target's figure): \`zip -9\` of index.mjs and index.mjs.map, ${int(bundle.zipSize)} bytes (${kb(bundle.zipSize)}), what Lambda reports as CodeSize (CDK's own zip may differ by a few hundred bytes). The map ships because NODE_OPTIONS has --enable-source-maps.`,
    );
  p(
    `- External imports, all dynamic (\`import()\`): ${(bundle.externals ?? []).map((e) => `\`${e}\``).join(', ')}. Lambda's Node.js`,
  );
  p("  runtime provides the AWS SDK v3; here they resolve from the project's node_modules.");
  p(
    '- What takes the bytes: the largest inputs are the configuration checks (lambda/adapters/config-checks.ts), the fixes',
  );
  p(
    '  (lambda/summarize/remedy.ts), the classification patterns (lambda/classify/rules.ts), the respond flow, the trace',
  );
  p(
    '  builder and the verdicts; about half of the file is string and pattern text (messages, fixes, commands, the log',
  );
  p(
    "  lines API Gateway writes), which the target does not allow cutting. esbuild's metafile lists the bytes per source.",
  );
  p();
  p(
    `Module init: a fresh \`node --input-type=module -e\` process per run (${INIT_RUNS} runs) imports the bundle by file URL and`,
  );
  p('checks it exports `handler`. "Import" is the time of the `import()`; "start to loaded" is from process start');
  p("(performance.timeOrigin) to the end of the import, Node's own start-up included.");
  p();
  p('| Scenario | Import (median) | Min–max | Start to loaded (median) |');
  p('|---|---:|---:|---:|');
  for (const s of bundle.init ?? [])
    p(`| ${s.label} | ${ms(median(s.importMs))} | ${range(s.importMs, ms)} | ${ms(median(s.startToLoadedMs))} |`);
  p();
  p(
    'The import no longer includes the AWS SDK: lambda/handler.ts loads its six clients with `import()` during the first',
  );
  p(
    'invocation (lambda/adapters/lazy-clients.ts), one after another in the order it needs them (DynamoDB for the ledger',
  );
  p(
    "claim, CloudWatch Logs, the configuration checks' API Gateway v1/v2 and Lambda clients, SNS), and awaits each where",
  );
  p('it is first used. **The SDK load moved into the first invocation; it did not go away.** What the design gains is');
  p(
    'overlap: only the first client is waited for, the others load while the claim and the log reads are on the network.',
  );
  p();
  const scenarios = bundle.coldStart ?? [];
  if (scenarios.length > 0) {
    p(
      `The first invocation: a fresh process per run (${INIT_RUNS} runs, NODE_OPTIONS=--enable-source-maps as deployed) imports the`,
    );
    p('bundle and invokes its handler once with an ALARM event (scripts/bench/cold-start.ts). The AWS endpoint is a');
    p("stand-in served by the benchmark's own process: the ledger claim succeeds, FilterLogEvents returns a small");
    p('malformed-response incident, the configuration reads answer 404, SNS accepts. Each answer is held back by the');
    p(
      `delay shown: 0 ms (nothing to overlap) and ${COLD_START_DELAYS_MS.at(-1) ?? 0} ms, a modelled network time per AWS call (an assumption, not a`,
    );
    p(
      'measurement of AWS). "SDK imported first" imports the six clients before the bundle, as the static imports of the',
    );
    p(
      'eager design did at init. "Ready after" is from the handler\'s start (its cold-start log line); "waited" is the time',
    );
    p(
      'the invocation spent awaiting a client. A background load also holds the one JavaScript thread while it runs (the',
    );
    p(
      "SDK's CommonJS modules are evaluated synchronously), which delays whatever else is due then: that cost is not in",
    );
    p('"waited" but is in the end-to-end "process start to done".');
    p();
    p(
      '| AWS call delay | SDK | SDK import before the bundle | Import | First invocation | Ledger + logs clients ready after | All clients ready after | Waited for clients | Process start to done (median, min–max) |',
    );
    p('|---:|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of scenarios) {
      const c = coldStartMedians(s);
      const label = s.eager ? 'imported first (eager)' : 'on demand (as deployed)';
      if (c === undefined) {
        p(`| ${s.delayMs} ms | ${label} | ${s.error ?? 'no run'} | | | | | | |`);
        continue;
      }
      p(
        `| ${s.delayMs} ms | ${label} | ${s.eager ? ms(c.preload) : '—'} | ${ms(c.import)} | ${ms(c.handler)} | ${s.eager ? '— (loaded)' : ms(c.ledgerAndLogs)} | ${s.eager ? '— (loaded)' : ms(c.allReady)} | ${ms(c.waited)} | ${ms(c.startToDone)} (${c.range((r) => r.startToDoneMs)}) |`,
      );
    }
    p();
    for (const delay of COLD_START_DELAYS_MS) {
      const lazy = coldStartMedians(scenarios.find((c) => !c.eager && c.delayMs === delay));
      const eager = coldStartMedians(scenarios.find((c) => c.eager && c.delayMs === delay));
      if (lazy === undefined || eager === undefined) continue;
      const sdkEager = eager.preload;
      const saved = eager.startToDone - lazy.startToDone;
      const off = Math.min(sdkEager, Math.max(0, saved));
      p(
        `- ${delay} ms per AWS call: process start to done ${ms(eager.startToDone)} with the SDK imported at init (${ms(sdkEager)} of it the SDK import), ${ms(lazy.startToDone)} with the SDK on demand: ${saved >= 0 ? `${ms(saved)} shorter` : `${ms(-saved)} longer`}. So ${ms(off)} of the SDK load no longer delays the notification (${Math.round((100 * off) / Math.max(1, sdkEager))}%); the other ${ms(sdkEager - off)} still does: the invocation waited ${ms(lazy.waited)} for its first client, and a background load holds the thread while the invocation has work of its own${delay === 0 ? ' (an instant endpoint leaves no network time to overlap)' : ''}.`,
      );
    }
    p();
  }
}

// ---- main ------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (fromArg !== undefined) {
    const raw = JSON.parse(readFileSync(resolve(ROOT, fromArg), 'utf8')) as {
      machine: Machine;
      core?: CoreResults;
      handler?: HandlerResults;
      bundle?: BundleResults;
      storm?: StormResults;
      ratio?: RatioResults;
      cliStart?: CliStartResults;
    };
    writeFileSync(OUT, render(raw.machine, raw.core, raw.handler, raw.bundle, raw.storm, raw.ratio, raw.cliStart));
    log(`wrote ${relative(ROOT, OUT)} again from ${fromArg} (no measurement)`);
    return;
  }
  const started = performance.now();
  const m = machine();
  log(
    `writing ${relative(ROOT, OUT)}; ${quick ? 'quick mode' : 'full run'}${skip.size > 0 ? `; skipping ${[...skip].join(', ')}` : ''}`,
  );
  mkdirSync(SCRATCH, { recursive: true });
  let core: CoreResults | undefined;
  let handler: HandlerResults | undefined;
  let bundle: BundleResults | undefined;
  if (!skip.has('core')) {
    await bundleWorker();
    core = benchCore();
  }
  if (!skip.has('bundle')) bundle = await benchBundle();
  if (!skip.has('handler')) handler = await benchHandler();
  let storm: StormResults | undefined;
  if (!skip.has('storm')) storm = await benchStorms(quick, SEED, log);
  let ratio: RatioResults | undefined;
  if (!skip.has('cliratio')) {
    const runs = ratioRunsArg !== undefined ? Math.max(1, Number.parseInt(ratioRunsArg, 10) || 1) : quick ? 1 : 3;
    ratio = benchCliRatio(ROOT, SCRATCH, RATIO_CORPUS, runs, log);
  }
  const cliStart = skip.has('clistart') ? undefined : benchCliStart(ROOT, SCRATCH, quick ? 5 : 15);
  m.loadEnd = os.loadavg();
  m.elapsedMs = performance.now() - started;
  writeFileSync(
    join(SCRATCH, 'results.json'),
    JSON.stringify({ machine: m, core, handler, bundle, storm, ratio, cliStart }, null, 2),
  );
  writeFileSync(OUT, render(m, core, handler, bundle, storm, ratio, cliStart));
  log(`wrote ${relative(ROOT, OUT)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
