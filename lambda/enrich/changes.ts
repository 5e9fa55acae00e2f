/**
 * What changed before the errors: the stage's last deployment and each implicated function's last modification,
 * and the sentence that leads the message when one of them came shortly before the first error it could explain.
 */
import { formatTime } from '../render/text.js';
import { functionKey } from './plan.js';
import type { CauseRef, ChangeFact, ConfigurationFacts, DiagnosisRef } from './types.js';

/** A change this long or less before the first error leads the message. */
export const DEFAULT_LEAD_WINDOW_MS = 60 * 60_000;

/**
 * Most recent first. A deployment is compared to the second: API Gateway dates it in whole seconds while Lambda
 * dates a function change to the millisecond, so comparing their milliseconds would order them by rounding. Within
 * one second a function change comes before a deployment (it is the more specific change), two function changes
 * by their milliseconds, then by name: the order never depends on how a second was rounded.
 */
export function compareChanges(a: ChangeFact, b: ChangeFact): number {
  const bySecond = Math.floor(b.at / 1000) - Math.floor(a.at / 1000);
  if (bySecond !== 0) return bySecond;
  if (a.what !== b.what) return a.what === 'function' ? -1 : 1;
  if (a.what === 'function' && b.at !== a.at) return b.at - a.at;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The changes the facts show, most recent first (see compareChanges). */
export function changesOf(diagnosis: DiagnosisRef, facts: ConfigurationFacts): ChangeFact[] {
  const out: ChangeFact[] = [];
  const stage = facts.stage;
  if (stage?.state === 'found') {
    const api = diagnosis.api.name ?? diagnosis.api.apiId ?? 'API';
    const name = `${api}/${stage.name}`;
    if (stage.deploymentCreated !== undefined) {
      out.push({
        what: 'deployment',
        name,
        at: stage.deploymentCreated,
        detail: `deployment ${stage.deploymentId ?? '(id not read)'} serves stage ${stage.name}`,
      });
    } else if (stage.lastUpdated !== undefined) {
      // The stage changes with every deployment, and with settings changes too: say which it is not known to be.
      out.push({
        what: 'deployment',
        name,
        at: stage.lastUpdated,
        detail: `stage ${stage.name} last updated (a deployment or a settings change)${stage.deploymentId !== undefined ? `, serving deployment ${stage.deploymentId}` : ''}`,
      });
    }
  }
  const seen = new Set<string>();
  for (const fn of facts.functions) {
    if (fn.state !== 'found' || fn.lastModified === undefined) continue;
    const key = `${functionKey(fn.ref)}@${fn.lastModified}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const parts: string[] = [];
    if (fn.alias !== undefined) parts.push(`alias ${fn.alias.name} -> version ${fn.alias.functionVersion ?? '?'}`);
    else if (fn.version !== undefined) parts.push(`version ${fn.version}`);
    parts.push(`last modified ${formatTime(fn.lastModified)}`);
    if (fn.memoryMb !== undefined) parts.push(`${fn.memoryMb} MB`);
    if (fn.timeoutSec !== undefined) parts.push(`timeout ${fn.timeoutSec} s`);
    if (fn.functionState !== undefined && fn.functionState !== 'Active') parts.push(`state ${fn.functionState}`);
    out.push({ what: 'function', name: fn.ref.name, at: fn.lastModified, detail: parts.join(', ') });
  }
  return out.sort(compareChanges);
}

interface FirstError {
  readonly at: number;
  readonly status: string;
}

function statusOf(cause: CauseRef): string {
  const top = cause.statuses[0]?.key;
  return top !== undefined && top !== null ? String(top) : '5xx';
}

/** The earliest error among the causes (all, or those naming a function). */
function firstError(causes: readonly CauseRef[]): FirstError | undefined {
  let first: FirstError | undefined;
  for (const cause of causes) {
    if (cause.firstSeen === undefined) continue;
    if (first === undefined || cause.firstSeen < first.at) first = { at: cause.firstSeen, status: statusOf(cause) };
  }
  return first;
}

function minutes(ms: number): string {
  if (ms < 60_000) return 'less than a minute';
  const n = Math.round(ms / 60_000);
  return n === 1 ? '1 minute' : `${n} minutes`;
}

/**
 * "orders-get was updated 4 minutes before the first 502": the most recent change that came at most `windowMs`
 * before the first error it could explain (for a function, the first error of a cause naming it; for a
 * deployment, the first error of all). Changes in the same second are ordered by compareChanges, so the lead is
 * the same on every run.
 */
export function leadOf(
  diagnosis: DiagnosisRef,
  changes: readonly ChangeFact[],
  windowMs = DEFAULT_LEAD_WINDOW_MS,
): string | undefined {
  const overall =
    firstError(diagnosis.causes) ??
    (diagnosis.firstSeen !== undefined ? { at: diagnosis.firstSeen, status: '5xx' } : undefined);
  let best: { change: ChangeFact; error: FirstError } | undefined;
  for (const change of changes) {
    const error =
      change.what === 'function'
        ? (firstError(
            diagnosis.causes.filter(
              (c) => c.functions.includes(change.name) || c.authorizerFunctions.includes(change.name),
            ),
          ) ?? overall)
        : overall;
    if (error === undefined) continue;
    const before = error.at - change.at;
    if (before < 0 || before > windowMs) continue;
    if (best === undefined || compareChanges(change, best.change) < 0) best = { change, error };
  }
  if (best === undefined) return undefined;
  const verb = best.change.what === 'deployment' ? 'was deployed' : 'was updated';
  return `${best.change.name} ${verb} ${minutes(best.error.at - best.change.at)} before the first ${best.error.status}`;
}
