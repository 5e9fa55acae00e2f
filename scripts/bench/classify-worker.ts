/**
 * One measurement of the pure core (lambda/diagnose.ts diagnoseEvents: TraceBuilder + classify + summarize) in a
 * process of its own, so that memory figures are this run's alone. Bundled by scripts/bench.ts with esbuild and run
 * with plain `node --expose-gc` (no TypeScript loader in the measured process). Prints one JSON line.
 *
 * Modes:
 * - `throughput`: the corpus is generated into memory first; then `runs` timed diagnoses of the whole array
 *   (after a warm-up on a separate corpus), and one more diagnosis with heap sampling for the peak.
 * - `stream`: the corpus is never held: the generator feeds diagnoseEvents line by line, so the process's memory
 *   is the core's (plus one 64k-line chunk). Meant to run under --max-old-space-size to show the bound.
 * - `profile`: like `throughput`, but one diagnosis under the V8 CPU profiler (inspector), written to `profileOut`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';
import {
  CorpusGenerator,
  type CorpusOptions,
  type CorpusTruth,
  generateCorpus,
  shareDeviation,
  truthMismatches,
} from './corpus.js';

export interface WorkerRequest {
  readonly mode: 'throughput' | 'stream' | 'profile';
  readonly corpus: CorpusOptions;
  readonly runs?: number;
  readonly profileOut?: string;
}

export interface MemoryFigures {
  /** heapUsed before the diagnosis (after a full GC), bytes: the corpus when it is held in memory. */
  readonly baseHeapUsed: number;
  /** Highest heapUsed seen while the diagnosis ran, minus baseHeapUsed. */
  readonly peakHeapDelta: number;
  /** heapUsed after the diagnosis and a full GC, with its result still referenced, minus baseHeapUsed. */
  readonly retainedDelta: number;
  /** Highest RSS seen while the diagnosis ran. */
  readonly peakRss: number;
  /** The process's peak resident set size (getrusage maxrss), bytes. */
  readonly maxRss: number;
  readonly samples: number;
}

export interface WorkerResult {
  readonly mode: WorkerRequest['mode'];
  readonly truth: CorpusTruth;
  readonly timesMs: readonly number[];
  readonly mismatches: readonly string[];
  readonly diagnosed: {
    failed: number;
    succeeded: number;
    causes: Record<string, number>;
    /** Set when the core classified a sample: every failed request counted, every stride-th classified. */
    sampled?: { counted: number; stride: number; shareDeviationPp: number };
  };
  readonly memory: MemoryFigures;
  readonly generateMs: number;
  readonly heapLimit?: number;
}

const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    throw new Error('run the worker with node --expose-gc');
  });

class MemorySampler {
  peakHeap = 0;
  peakRss = 0;
  samples = 0;
  sample(): void {
    const m = process.memoryUsage();
    if (m.heapUsed > this.peakHeap) this.peakHeap = m.heapUsed;
    if (m.rss > this.peakRss) this.peakRss = m.rss;
    this.samples++;
  }
}

/** Yields the events and samples memory every 16k lines (cheap next to the work per line). */
function* sampled(events: Iterable<LogEvent>, sampler: MemorySampler): Generator<LogEvent> {
  let i = 0;
  for (const e of events) {
    if ((i++ & 0x3fff) === 0) sampler.sample();
    yield e;
  }
  sampler.sample();
}

function summary(result: ReturnType<typeof diagnoseEvents>, truth: CorpusTruth): WorkerResult['diagnosed'] {
  const causes = Object.fromEntries(result.diagnosis.causes.map((c) => [c.cause, c.count]));
  const s = result.diagnosis.sampling;
  return {
    failed: result.diagnosis.classifiedRequests,
    succeeded: result.diagnosis.succeededRequests,
    causes,
    ...(s?.stride !== undefined
      ? { sampled: { counted: s.totalFailed, stride: s.stride, shareDeviationPp: shareDeviation(truth, causes) } }
      : {}),
  };
}

function measureMemory(events: Iterable<LogEvent>, baseHeapUsed: number, sampler: MemorySampler) {
  const result = diagnoseEvents(sampled(events, sampler));
  // Findings and the summary are built after the last line: sample once more before the GC.
  sampler.sample();
  gc();
  const retained = process.memoryUsage().heapUsed;
  const memory: MemoryFigures = {
    baseHeapUsed,
    peakHeapDelta: Math.max(0, sampler.peakHeap - baseHeapUsed),
    retainedDelta: Math.max(0, retained - baseHeapUsed),
    peakRss: sampler.peakRss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    samples: sampler.samples,
  };
  return { result, memory };
}

async function run(request: WorkerRequest): Promise<WorkerResult> {
  const heapLimit = (await import('node:v8')).getHeapStatistics().heap_size_limit;
  if (request.mode === 'stream') {
    const generator = new CorpusGenerator(request.corpus);
    gc();
    const base = process.memoryUsage().heapUsed;
    const sampler = new MemorySampler();
    const started = performance.now();
    const { result, memory } = measureMemory(generator.events(), base, sampler);
    const ms = performance.now() - started;
    return {
      mode: 'stream',
      truth: generator.truth,
      timesMs: [ms],
      mismatches: truthMismatches(generator.truth, result.diagnosis),
      diagnosed: summary(result, generator.truth),
      memory,
      generateMs: 0,
      heapLimit,
    };
  }

  const generateStarted = performance.now();
  const { events, truth } = generateCorpus(request.corpus);
  const generateMs = performance.now() - generateStarted;
  // Warm-up on a different corpus, so the JIT has seen every path before the timed runs.
  const warm = generateCorpus({ ...request.corpus, seed: request.corpus.seed + 1, targetLines: 60_000 });
  for (let i = 0; i < 3; i++) diagnoseEvents(warm.events);

  if (request.mode === 'profile') {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    gc();
    await session.post('Profiler.start');
    const started = performance.now();
    const result = diagnoseEvents(events);
    const ms = performance.now() - started;
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(request.profileOut ?? 'classify.cpuprofile', JSON.stringify(profile));
    return {
      mode: 'profile',
      truth,
      timesMs: [ms],
      mismatches: truthMismatches(truth, result.diagnosis),
      diagnosed: summary(result, truth),
      memory: {
        baseHeapUsed: 0,
        peakHeapDelta: 0,
        retainedDelta: 0,
        peakRss: 0,
        maxRss: process.resourceUsage().maxRSS * 1024,
        samples: 0,
      },
      generateMs,
      heapLimit,
    };
  }

  const timesMs: number[] = [];
  let mismatches: string[] = [];
  let diagnosed: WorkerResult['diagnosed'] = { failed: 0, succeeded: 0, causes: {} };
  for (let i = 0; i < (request.runs ?? 5); i++) {
    gc();
    const started = performance.now();
    const result = diagnoseEvents(events);
    timesMs.push(performance.now() - started);
    mismatches = [...mismatches, ...truthMismatches(truth, result.diagnosis).map((m) => `run ${i + 1}: ${m}`)];
    diagnosed = summary(result, truth);
  }
  gc();
  const base = process.memoryUsage().heapUsed;
  const { memory } = measureMemory(events, base, new MemorySampler());
  return { mode: 'throughput', truth, timesMs, mismatches, diagnosed, memory, generateMs, heapLimit };
}

const request = JSON.parse(process.argv[2] ?? '{}') as WorkerRequest;
run(request).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
