/**
 * The whole configuration check for the responder: plan, read through the port, judge. The only composition the
 * handler needs; it never throws, so a check can never block a notification.
 */
import { enrich } from './enrich.js';
import { type PlanOptions, planChecks } from './plan.js';
import type { ConfigurationReaderPort, DiagnosisRef, Enrichment, FindingRef } from './types.js';

export interface CheckConfigurationInput extends PlanOptions {
  readonly diagnosis: DiagnosisRef;
  readonly findings: readonly FindingRef[];
  /** Epoch ms by which every configuration read must be over. */
  readonly deadlineMs: number;
  /**
   * The clock the deadline is measured with.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * How long before the first error a change may be and still lead the message.
   * @default 3_600_000 (60 minutes)
   */
  readonly leadWindowMs?: number;
}

/** Plans the reads for the diagnosis, reads them with `reader` and judges every cause. */
export async function checkConfiguration(
  reader: ConfigurationReaderPort,
  input: CheckConfigurationInput,
): Promise<Enrichment> {
  const { diagnosis, findings } = input;
  try {
    const plan = planChecks(diagnosis, findings, {
      ...(input.api !== undefined ? { api: input.api } : {}),
      ...(input.readableFunctions !== undefined ? { readableFunctions: input.readableFunctions } : {}),
    });
    const facts = await reader.read(plan, {
      deadlineMs: input.deadlineMs,
      ...(input.now !== undefined ? { now: input.now } : {}),
    });
    return enrich({
      diagnosis,
      findings,
      plan,
      facts,
      ...(input.leadWindowMs !== undefined ? { leadWindowMs: input.leadWindowMs } : {}),
    });
  } catch (error) {
    // The reader and enrich never throw by contract; a bug there still must not cost the notification.
    return {
      checks: diagnosis.causes.map((c) => ({ cause: c.cause, verdict: 'unknown', evidence: [] })),
      changes: [],
      problems: [
        `The configuration checks failed (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}); every cause is reported from the logs only.`,
      ],
    };
  }
}
