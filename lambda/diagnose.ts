import { classifyTrace, type Finding, hasErrorEvidence } from './classify/classify.js';
import type { ClassifyContext } from './classify/rules.js';
import type { LogEvent } from './parse/log-event.js';
import { type Diagnosis, type Sampling, type SummarizeOptions, summarize } from './summarize/diagnosis.js';
import { type FailedCount, TraceBuilder, type TraceSet } from './trace/trace-builder.js';

export interface DiagnoseOptions extends SummarizeOptions {
  readonly context?: ClassifyContext;
  /**
   * Failed requests classified at most (default 2,000): beyond it an evenly spread sample is classified, the rest
   * counted, and the diagnosis says so. Keeps memory bounded however large the incident.
   */
  readonly maxClassified?: number;
}

export interface DiagnoseResult {
  readonly diagnosis: Diagnosis;
  readonly findings: readonly Finding[];
  readonly traces: TraceSet;
}

/**
 * The pure core end to end: log events in, Diagnosis out. Events may come from several logs (execution, access,
 * the backend function's) in any order; they are joined by request id.
 */
export function diagnoseEvents(events: Iterable<LogEvent>, options: DiagnoseOptions = {}): DiagnoseResult {
  const builder = builderFor(options);
  for (const event of events) builder.add(event);
  return conclude(builder, options);
}

/** diagnoseEvents for events that arrive over time (a file read as it streams): memory stays bounded. */
export async function diagnoseEventStream(
  events: AsyncIterable<LogEvent>,
  options: DiagnoseOptions = {},
): Promise<DiagnoseResult> {
  const builder = builderFor(options);
  for await (const event of events) builder.add(event);
  return conclude(builder, options);
}

/**
 * diagnoseEventStream for events that arrive in batches (the CLI reads a chunk of a file at a time): the same result,
 * one await per batch instead of one per event.
 */
export async function diagnoseEventBatches(
  batches: AsyncIterable<readonly LogEvent[]>,
  options: DiagnoseOptions = {},
): Promise<DiagnoseResult> {
  const builder = builderFor(options);
  for await (const batch of batches) for (const event of batch) builder.add(event);
  return conclude(builder, options);
}

function builderFor(options: DiagnoseOptions): TraceBuilder {
  const context = options.context ?? {};
  return new TraceBuilder({
    hasErrorEvidence: (trace) => hasErrorEvidence(trace, context),
    ...(options.maxClassified !== undefined ? { maxFailed: options.maxClassified } : {}),
  });
}

function conclude(builder: TraceBuilder, options: DiagnoseOptions): DiagnoseResult {
  const context = options.context ?? {};
  const traces = builder.finish();
  const findings = traces.traces.map((trace) => classifyTrace(trace, context));
  const sampling = samplingOf(traces.failed, options.sampling);
  return {
    diagnosis: summarize(findings, traces, { ...options, ...(sampling !== undefined ? { sampling } : {}) }),
    findings,
    traces,
  };
}

/** The reader's sampling (if it read only part of the window) combined with the core's (if it kept a sample). */
function samplingOf(failed: FailedCount, reader: Sampling | undefined): Sampling | undefined {
  if (failed.stride <= 1) return reader;
  return {
    totalFailed: Math.max(reader?.totalFailed ?? 0, failed.total),
    exact: reader?.exact ?? true,
    ...(reader?.slices !== undefined ? { slices: reader.slices } : {}),
    stride: failed.stride,
  };
}
