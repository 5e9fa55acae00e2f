/**
 * Joins what the configuration reader found back to the diagnosis: a verdict per cause, the changes before the
 * errors, the lead sentence, and what could not be checked. Pure; never throws for missing or odd facts.
 *
 *   const plan = planChecks(diagnosis, findings, { api, readableFunctions });
 *   const facts = await reader.read(plan, { deadlineMs });
 *   const enrichment = enrich({ diagnosis, findings, plan, facts });
 */
import { changesOf, DEFAULT_LEAD_WINDOW_MS, leadOf } from './changes.js';
import { parseFunctionArn } from './integration-uri.js';
import { functionKey, routeKey, targetsOf } from './plan.js';
import type { CheckPlan, ConfigurationFacts, DiagnosisRef, Enrichment, FindingRef } from './types.js';
import { type CheckContext, checkCause } from './verdicts.js';

export interface EnrichInput {
  readonly diagnosis: DiagnosisRef;
  readonly findings: readonly FindingRef[];
  readonly plan: CheckPlan;
  readonly facts: ConfigurationFacts;
  /**
   * How long before the first error a change may be and still lead the message.
   * @default 3_600_000 (60 minutes)
   */
  readonly leadWindowMs?: number;
}

/** The API's Region and account: from the diagnosis, else from a function the checks read (same account as a rule). */
function whereOf(input: EnrichInput): { region?: string; accountId?: string } {
  const { api } = input.diagnosis;
  let region = api.region;
  let accountId = api.accountId;
  for (const fn of input.facts.functions) {
    if (region !== undefined && accountId !== undefined) break;
    const parsed = parseFunctionArn(fn.arn ?? fn.ref.arn ?? '');
    if (parsed === undefined) continue;
    region ??= parsed.region;
    accountId ??= parsed.accountId;
  }
  return { ...(region !== undefined ? { region } : {}), ...(accountId !== undefined ? { accountId } : {}) };
}

/** The enrichment of a diagnosis from the configuration facts read for its plan. */
export function enrich(input: EnrichInput): Enrichment {
  const { diagnosis, findings, plan, facts } = input;
  const problems: string[] = [...facts.problems];
  if (plan.skipped.length > 0) {
    problems.push(
      `Not checked, to keep the configuration checks bounded: ${plan.skipped.join(', ')}. They are reported from the logs only.`,
    );
  }
  const routes = new Map(facts.routes.map((r) => [routeKey(r.ref), r]));
  const functions = new Map(facts.functions.map((f) => [functionKey(f.ref), f]));
  const context: CheckContext = {
    ...(plan.api !== undefined ? { api: plan.api } : {}),
    ...whereOf(input),
    route: (ref) => routes.get(routeKey(ref)),
    fn: (ref) => functions.get(functionKey(ref)),
    ...(facts.stage !== undefined ? { stage: facts.stage } : {}),
  };
  const checks = diagnosis.causes.map((c) => checkCause(c.cause, targetsOf(c.cause, findings), context, problems));
  const changes = changesOf(diagnosis, facts);
  const lead = leadOf(diagnosis, changes, input.leadWindowMs ?? DEFAULT_LEAD_WINDOW_MS);
  return { checks, changes, ...(lead !== undefined ? { lead } : {}), problems: [...new Set(problems)] };
}
