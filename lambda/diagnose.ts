import { classifyTrace, type Finding, hasErrorEvidence } from './classify/classify.js';
import type { ClassifyContext } from './classify/rules.js';
import type { LogEvent } from './parse/log-event.js';
import { type Diagnosis, type SummarizeOptions, summarize } from './summarize/diagnosis.js';
import { TraceBuilder, type TraceSet } from './trace/trace-builder.js';

export interface DiagnoseOptions extends SummarizeOptions {
  readonly context?: ClassifyContext;
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
  const context = options.context ?? {};
  const builder = new TraceBuilder();
  for (const event of events) builder.add(event);
  const traces = builder.finish((trace) => hasErrorEvidence(trace, context));
  const findings = traces.traces.map((trace) => classifyTrace(trace, context));
  return { diagnosis: summarize(findings, traces, options), findings, traces };
}
