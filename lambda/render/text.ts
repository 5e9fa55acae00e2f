import type { SourcedVerdict } from '../enrich/signal-types.js';
import { VERDICT_LABELS } from '../enrich/types.js';
import { neutralizeControls, oneLine } from '../safety/escape.js';
import { redact } from '../safety/redact.js';
import type { BesideSummary, CauseSummary, Count, Diagnosis } from '../summarize/diagnosis.js';
import type { RemedyStep } from '../summarize/remedy.js';
import { CAUSES, type CauseId } from '../taxonomy.js';

/**
 * Plain-text rendering for email and terminals. The first three lines are the cause, the route and the fix:
 * an engineer woken at 3 a.m. reads those and may read nothing else.
 */

const MAX_LINE = 400;

/** Log-derived text made safe for one line: redacted, controls visible, bounded. */
export function clean(text: string, max = MAX_LINE): string {
  const safe = oneLine(redact(text));
  return safe.length > max ? `${safe.slice(0, max)}… [${safe.length - max} more characters]` : safe;
}

export function percent(share: number): string {
  const p = share * 100;
  return p >= 10 || p === 0 ? `${Math.round(p)}%` : `${p.toFixed(1)}%`;
}

function statusLabel(summary: CauseSummary): string {
  const top = summary.statuses[0]?.key;
  return top === null || top === undefined ? '' : `${top} `;
}

/** "502 malformed Lambda proxy response" */
export function causeLabel(summary: CauseSummary): string {
  return `${statusLabel(summary)}${summary.title}`;
}

export function formatTime(ms: number | undefined): string {
  // Date covers ±8.64e15 ms; a timestamp beyond it (hostile input) has no time to show.
  if (ms === undefined || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return 'unknown';
  return `${new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z')}`;
}

export function apiLabel(d: Diagnosis): string {
  const a = d.api;
  const name = a.name ?? a.apiId ?? (a.type !== undefined ? `${a.type} API` : 'API');
  const parts = [`${clean(name, 100)}${a.stage !== undefined ? `/${a.stage}` : ''}`];
  const ids = [a.name !== undefined ? a.apiId : undefined, a.region].filter((v): v is string => v !== undefined);
  if (ids.length > 0) parts.push(`(${ids.join(', ')})`);
  // Central mode reads many accounts: the account is named wherever the API is.
  if (a.accountId !== undefined) parts.push(`in account ${a.accountId}`);
  return parts.join(' ');
}

export function stepLine(step: RemedyStep): string {
  return step.command !== undefined ? `${clean(step.text, 600)} $ ${clean(step.command, 1000)}` : clean(step.text, 600);
}

function counts<K>(list: readonly Count<K>[], label: (k: K) => string, max = 5): string {
  const shown = list.slice(0, max).map((c) => `${label(c.key)} ×${c.count}`);
  if (list.length > max) shown.push(`and ${list.length - max} more`);
  return shown.join(', ');
}

/** "confirmed by configuration" / "contradicted by configuration" / "from logs only" for a cause, when checked. */
export function verdictOf(d: Diagnosis, cause: string): string | undefined {
  const check = d.enrichment?.checks.find((c) => c.cause === cause);
  return check === undefined ? undefined : VERDICT_LABELS[check.verdict];
}

/** True when only some of the failed requests were classified: counts are the sample's, shares its estimate. */
export function isSample(d: Diagnosis): boolean {
  return d.classifiedRequests < d.failedRequests;
}

/** The failed requests counted: "20,000", or "at least 20,000" when the count hit a cap. */
export function failedTotal(d: Diagnosis): string {
  return `${d.sampling?.exact === false ? 'at least ' : ''}${thousands(d.failedRequests)}`;
}

/**
 * How many requests a cause accounts for, against the true total: "3 of 4 failed requests (75%)", or for a sample
 * "25% of 20,000 failed requests (312 of 1,250 classified)".
 */
export function causeShare(d: Diagnosis, s: CauseSummary, noun = ' failed requests'): string {
  if (!isSample(d)) return `${thousands(s.count)} of ${thousands(d.failedRequests)}${noun} (${percent(s.share)})`;
  return `${percent(s.share)} of ${failedTotal(d)}${noun} (${thousands(s.count)} of ${thousands(d.classifiedRequests)} classified)`;
}

/** The status a cause inferred from metrics answers with (the logs did not say). */
const INFERRED_STATUS: Readonly<Partial<Record<CauseId, number>>> = {
  throttling: 500,
  lambda_permission: 500,
  integration_timeout: 504,
  lambda_function_error: 502,
};

/** The status a cause only metrics and configuration show answers with, when it has one. */
export function inferredStatus(cause: CauseId): number | undefined {
  return INFERRED_STATUS[cause];
}

/** "500 throttling": the label of a cause only metrics and configuration show. */
export function inferredLabel(v: Pick<SourcedVerdict, 'cause'>): string {
  const status = INFERRED_STATUS[v.cause];
  return `${status !== undefined ? `${status} ` : ''}${CAUSES[v.cause].title}`;
}

/** "logs, metrics, configuration": where a verdict comes from. */
export function sourcesOf(v: SourcedVerdict): string {
  return v.sources.join(' + ');
}

/** The lead sentence: the change CloudTrail names for the top cause, else the one the configuration dates. */
function leadOf(d: Diagnosis): string | undefined {
  return d.signals?.lead ?? d.enrichment?.lead;
}

/** The three lines for a cause only metrics and configuration show (the logs are off, thin, or show none). */
function inferredHeadline(d: Diagnosis, v: SourcedVerdict): [string, string, string] {
  const lead = leadOf(d);
  const why = d.signals?.logging !== undefined ? 'logging is off or thin' : 'no failed request in the logs read';
  const fix = v.remedy?.[0];
  return [
    `Cause: ${inferredLabel(v)}: ${clean(v.evidence[0] ?? '', 300)} (from ${sourcesOf(v)}; ${why})${lead !== undefined ? `; changed: ${clean(lead, 300)}` : ''}`,
    `Route: ${v.route !== undefined ? `${clean(v.route, 200)} (from the API's configuration)` : 'not logged'} on ${apiLabel(d)}${v.functionName !== undefined ? `, function ${v.functionName}` : ''}`,
    `Fix: ${fix !== undefined ? stepLine(fix) : 'see below'}`,
  ];
}

/**
 * Where the top cause's verdict comes from: the configuration check's verdict when it confirmed or contradicted the
 * cause, else the sources that back it ("from logs + metrics + configuration"), else "from logs only".
 */
function verdictText(d: Diagnosis, cause: string): string | undefined {
  const check = d.enrichment?.checks.find((c) => c.cause === cause);
  const sourced = d.signals?.verdicts.find((v) => v.cause === cause);
  if (check !== undefined && check.verdict !== 'unknown') return VERDICT_LABELS[check.verdict];
  if (sourced !== undefined && sourced.sources.length > 1) return `from ${sourcesOf(sourced)}`;
  return check !== undefined ? VERDICT_LABELS[check.verdict] : undefined;
}

/** The three lines that lead every notification. */
export function headline(d: Diagnosis): [string, string, string] {
  const top = d.causes[0];
  const inferred = d.signals?.inferred[0];
  if (top === undefined && inferred !== undefined) return inferredHeadline(d, inferred);
  if (top === undefined && d.unreadable.length > 0) {
    return [
      `Cause: not diagnosed: ${d.unreadable.length === 1 ? 'a log' : `${d.unreadable.length} logs`} of ${apiLabel(d)} could not be read`,
      'Route: unknown',
      `Fix: ${clean(d.unreadable[0] ?? '', 1200)}`,
    ];
  }
  if (top === undefined && d.failedRequests > 0) {
    return [
      `Cause: not classified: ${failedTotal(d)} failed requests counted for ${apiLabel(d)}, none could be read`,
      'Route: unknown',
      `Fix: ${d.limits[0] !== undefined ? clean(d.limits[0], 600) : 'check that execution or access logging is on for the stage'}`,
    ];
  }
  const crashed = d.backendUnjoined[0];
  if (top === undefined && crashed !== undefined) {
    // Only the function's own log was read: it failed, though no API Gateway line ties the failure to a request.
    const more =
      d.backendUnjoined.length > 1
        ? ` (+${d.backendUnjoined.length - 1} other error${d.backendUnjoined.length > 2 ? 's' : ''})`
        : '';
    return [
      `Cause: the backend function failed (×${crashed.count}): ${clean(crashed.key, 300)}${more}; no API Gateway line in the logs read ties it to a request of ${apiLabel(d)}`,
      'Route: not logged',
      "Fix: fix the function's error (its log below); read the stage's execution or access log too to see which routes failed",
    ];
  }
  if (top === undefined) {
    return [
      `Cause: no failed request found in the logs read for ${apiLabel(d)}`,
      'Route: none',
      `Fix: ${d.limits[0] !== undefined ? clean(d.limits[0], 600) : 'check that execution or access logging is on for the stage'}`,
    ];
  }
  const others = d.causes.length > 1 ? ` (+${d.causes.length - 1} other cause${d.causes.length > 2 ? 's' : ''})` : '';
  // Lead with the busiest route that was logged; requests logged at ERROR level may not name theirs.
  const route = top.routes.find((r) => r.key !== 'unknown route');
  const unrouted = top.routes.find((r) => r.key === 'unknown route')?.count ?? 0;
  const sourced = d.signals?.verdicts.find((v) => v.cause === top.cause);
  // The logs did not name the function: the fix that metrics and configuration could name it in.
  const named = top.functions.length === 0 ? sourced?.remedy?.[0] : undefined;
  const fix = named ?? top.remedy[0];
  const verdict = verdictText(d, top.cause);
  const routeText =
    route !== undefined
      ? `${clean(route.key, 200)} (${route.count}${unrouted > 0 ? `; ${unrouted} more did not log a route` : ''})`
      : sourced?.route !== undefined
        ? `${clean(sourced.route, 200)} (from the API's configuration: the logs did not name it)`
        : 'not logged';
  const fn = top.functions[0] ?? sourced?.functionName;
  return [
    `Cause: ${causeLabel(top)}: ${causeShare(d, top)}${others}${verdict !== undefined ? `, ${verdict}` : ''}${
      // The change that preceded the errors leads the message, inside its first line (cause, route, fix stay 1-3).
      leadOf(d) !== undefined ? `; changed: ${clean(leadOf(d) ?? '', 300)}` : ''
    }`,
    `Route: ${routeText} on ${apiLabel(d)}${fn !== undefined ? `, function ${fn}` : ''}`,
    `Fix: ${fix !== undefined ? stepLine(fix) : 'see below'}`,
  ];
}

function causeSection(d: Diagnosis, s: CauseSummary, index: number): string[] {
  const out: string[] = [];
  out.push(`== ${index + 1}. ${causeLabel(s)} [${s.cause}]: ${causeShare(d, s, '')} ==`);
  out.push(`Routes: ${counts(s.routes, (k) => clean(k, 200))}`);
  out.push(`Statuses: ${counts(s.statuses, (k) => (k === null ? 'not logged' : String(k)))}`);
  if (s.firstSeen !== undefined) out.push(`Seen: ${formatTime(s.firstSeen)} to ${formatTime(s.lastSeen)}`);
  if (s.functions.length > 0) out.push(`Function: ${s.functions.join(', ')}`);
  if (s.authorizerFunctions.length > 0) out.push(`Authorizer: ${s.authorizerFunctions.join(', ')}`);
  if (s.statusOnly > 0) out.push(`Note: ${s.statusOnly} of these were recognised from the status code alone.`);
  const check = d.enrichment?.checks.find((c) => c.cause === s.cause);
  const sourced = d.signals?.verdicts.find((v) => v.cause === s.cause);
  // "from logs only" would contradict the sources line below when metrics or configuration back the cause.
  if (check !== undefined && !(check.verdict === 'unknown' && (sourced?.sources.length ?? 0) > 1)) {
    out.push(`Configuration: ${VERDICT_LABELS[check.verdict]}`);
    for (const e of check.evidence) out.push(`  - ${clean(e, 400)}`);
  }
  if (sourced !== undefined) {
    out.push(`Sources: ${sourcesOf(sourced)}`);
    for (const e of sourced.evidence) out.push(`  - ${clean(e, 400)}`);
    if (sourced.change !== undefined) out.push(`  - changed: ${clean(sourced.change, 400)}`);
    if (sourced.disagreement !== undefined) out.push(`Sources disagree: ${clean(sourced.disagreement, 600)}`);
  }
  if (s.backend.length > 0) {
    out.push('The function said:');
    for (const b of s.backend) out.push(`  ×${b.count}  ${clean(b.key)}`);
  }
  if (s.evidence.length > 0) {
    out.push('Evidence:');
    for (const e of s.evidence) out.push(`  | ${clean(e)}`);
  }
  for (const b of s.beside) out.push(...besideLines(b));
  const remedy = s.functions.length === 0 && sourced?.remedy !== undefined ? sourced.remedy : s.remedy;
  out.push(
    remedy === s.remedy
      ? 'Fix:'
      : `Fix (${sourced?.functionName ?? 'the function'} named by metrics and configuration):`,
  );
  remedy.forEach((step, i) => {
    out.push(`  ${i + 1}. ${clean(step.text, 600)}`);
    if (step.command !== undefined) out.push(`     $ ${clean(step.command, 1000)}`);
  });
  out.push(`Sample request ids: ${s.sampleRequestIds.map((id) => clean(id, 80)).join(', ')}`);
  out.push(`Rules: ${s.rules.join(', ')}`);
  return out;
}

/** The other reading of a cause's requests, one line and its evidence. */
export function besideLine(b: BesideSummary): string {
  return b.kind === 'inferred'
    ? `Beside it: the backend's answer suggests ${b.title} [${b.cause}] in ${b.count}; API Gateway's own verdict leads.`
    : `Beside it: API Gateway wrote ${b.title} [${b.cause}] for ${b.count}. ${b.note ?? ''}`.trimEnd();
}

function besideLines(b: BesideSummary): string[] {
  return [clean(besideLine(b), 600), ...b.evidence.map((e) => `  | ${clean(e)}`)];
}

function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** Says when only a sample of the failed requests was classified, with the ratio. */
/** 2 → "2nd", 64 → "64th". */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${thousands(n)}${suffix}`;
}

export function samplingLine(d: Diagnosis): string | undefined {
  const s = d.sampling;
  if (s === undefined) return undefined;
  const total = `${s.exact ? '' : 'at least '}${thousands(s.totalFailed)}`;
  if (s.slices !== undefined) {
    const then = s.stride !== undefined ? `, then every ${ordinal(s.stride)} failed request read` : '';
    return `Sampled: classified ${thousands(d.classifiedRequests)} of ${total} failed requests, sampled evenly across the window (${s.slices} slices${then}); counts and shares are from the sample.`;
  }
  if (s.stride !== undefined) {
    return `Sampled: classified ${thousands(d.classifiedRequests)} of ${total} failed requests, every ${ordinal(s.stride)} in the order they failed, evenly across the logs read; counts and shares are from the sample.`;
  }
  if (s.totalFailed > d.classifiedRequests) {
    return `Counted ${total} failed requests in the window (status lines); ${thousands(d.classifiedRequests)} could be classified from the lines read.`;
  }
  return undefined;
}

/** Causes only metrics and configuration show, what logging hides, the metrics and CloudTrail's changes. */
function signalSections(d: Diagnosis): string[] {
  const sig = d.signals;
  if (sig === undefined) return [];
  const out: string[] = [];
  sig.inferred.forEach((v, i) => {
    const lead = d.causes.length === 0 && i === 0;
    out.push(
      `== ${lead ? 'Cause' : 'Also'} from ${sourcesOf(v)}: ${inferredLabel(v)} [${v.cause}]${v.functionName !== undefined ? ` on ${v.functionName}` : ''} ==`,
    );
    if (v.route !== undefined) out.push(`Route (from the API's configuration): ${clean(v.route, 200)}`);
    for (const e of v.evidence) out.push(`  - ${clean(e, 400)}`);
    if (v.change !== undefined) out.push(`  - changed: ${clean(v.change, 400)}`);
    if (v.disagreement !== undefined) out.push(`Sources disagree: ${clean(v.disagreement, 600)}`);
    if (v.remedy !== undefined && v.remedy.length > 0) {
      out.push('Fix:');
      v.remedy.forEach((step, n) => {
        out.push(`  ${n + 1}. ${clean(step.text, 600)}`);
        if (step.command !== undefined) out.push(`     $ ${clean(step.command, 1000)}`);
      });
    }
    out.push('');
  });
  if (sig.logging !== undefined) {
    out.push('Logging:');
    for (const l of sig.logging.state) out.push(`  - ${clean(l, 600)}`);
    for (const l of sig.logging.hides) out.push(`  - What it hides: ${clean(l, 600)}`);
    if (sig.logging.fix.length > 0) {
      out.push('Turn logging on:');
      sig.logging.fix.forEach((step, n) => {
        out.push(`  ${n + 1}. ${clean(step.text, 600)}`);
        if (step.command !== undefined) out.push(`     $ ${clean(step.command, 1200)}`);
      });
    }
    out.push('');
  }
  if (sig.metrics.length > 0) {
    out.push('Metrics (alarm window vs the same window a day before):');
    for (const l of sig.metrics) out.push(`  - ${clean(l, 400)}`);
    out.push('');
  }
  if (sig.changes.length > 0) {
    out.push('Changes recorded by CloudTrail (newest first):');
    for (const l of sig.changes) out.push(`  - ${clean(l, 400)}`);
    out.push('');
  }
  return out;
}

/** The full plain-text diagnosis (email body and terminal). */
export function renderText(d: Diagnosis): string {
  const sampled = samplingLine(d);
  const out: string[] = [...headline(d), ...(sampled !== undefined ? [sampled] : []), ''];
  const window = d.window !== undefined ? `${formatTime(d.window.start)} to ${formatTime(d.window.end)}` : undefined;
  const named = d.api.name !== undefined || d.api.apiId !== undefined;
  out.push(`API: ${apiLabel(d)}${d.api.type !== undefined && named ? ` (${d.api.type} API)` : ''}`);
  if (window !== undefined) out.push(`Window read: ${window}`);
  if (d.firstSeen !== undefined) out.push(`Failures seen: ${formatTime(d.firstSeen)} to ${formatTime(d.lastSeen)}`);
  const ofSample = isSample(d) ? ` (of the ${thousands(d.classifiedRequests)} classified)` : '';
  out.push(
    `Failed requests: ${failedTotal(d)}${isSample(d) ? ` (${thousands(d.classifiedRequests)} classified)` : ''}; completed below 500: ${d.succeededRequests}; log lines read: ${d.linesRead}`,
  );
  if (d.byStatus.length > 0)
    out.push(`By status${ofSample}: ${counts(d.byStatus, (k) => (k === null ? 'not logged' : String(k)))}`);
  if (d.byRoute.length > 0) {
    out.push(`By route${ofSample}: ${counts(d.byRoute, (k) => clean(k, 200))}`);
  }
  out.push('');
  d.causes.forEach((s, i) => {
    out.push(...causeSection(d, s, i), '');
  });
  if (d.unknownTemplates.length > 0) {
    out.push('Most frequent unexplained messages:');
    for (const t of d.unknownTemplates) out.push(`  ×${t.count}  ${clean(t.template)}`);
    out.push('');
  }
  if (d.backendUnjoined.length > 0) {
    out.push('Backend function errors in the window not tied to a failed request:');
    for (const b of d.backendUnjoined) out.push(`  ×${b.count}  ${clean(b.key)}`);
    out.push('');
  }
  out.push(...signalSections(d));
  const changes = d.enrichment?.changes ?? [];
  if (changes.length > 0) {
    out.push('Recent changes (newest first):');
    for (const c of changes.slice(0, 5))
      out.push(`  ${formatTime(c.at)}  ${clean(c.name, 120)}: ${clean(c.detail, 300)}`);
    out.push('');
  }
  const checkProblems = d.enrichment?.problems ?? [];
  if (d.unreadable.length > 0 || checkProblems.length > 0 || (d.signals?.problems.length ?? 0) > 0) {
    out.push('What could not be read:');
    for (const l of checkProblems) out.push(`  - ${clean(l, 1200)}`);
    for (const l of d.signals?.problems ?? []) out.push(`  - ${clean(l, 1200)}`);
    for (const l of d.unreadable) out.push(`  - ${clean(l, 1200)}`);
  }
  if (d.limits.length > 0) {
    out.push('What the logs could not show:');
    for (const l of d.limits) out.push(`  - ${clean(l, 600)}`);
  }
  return `${neutralizeControls(out.join('\n')).trimEnd()}\n`;
}
