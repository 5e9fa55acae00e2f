import type { LogEvent } from '../parse/log-event.js';
import { redact } from '../safety/redact.js';
import type { CauseId } from '../taxonomy.js';
import type { BackendFailure, RequestTrace, TraceLine } from '../trace/request-trace.js';
import { recognise, TraceBuilder } from '../trace/trace-builder.js';
import { classifyLineText, requestIdOfLine, statusOfLineText } from './line.js';
import { type ClassifyContext, type MatchBasis, type MatchTarget, RULES, type Rule, type RuleHint } from './rules.js';
import { messageTemplate } from './template.js';

/** Why one failed request failed. */
export interface Finding {
  readonly cause: CauseId;
  /** The rule that decided (`unknown` when none did; `rule-error:<id>` when a rule threw). */
  readonly ruleId: string;
  readonly basis: MatchBasis;
  readonly target?: MatchTarget;
  readonly hint?: RuleHint;
  readonly requestId: string;
  /** The status the client got, when logged. */
  readonly status?: number;
  readonly method?: string;
  readonly resourcePath?: string;
  readonly path?: string;
  readonly routeKey?: string;
  readonly firstSeen?: number;
  readonly lastSeen?: number;
  /** The lines that decided, redacted. */
  readonly evidence: readonly TraceLine[];
  /** For `unknown`: the templates of the request's error messages, to group by. */
  readonly templates?: readonly string[];
  readonly functionName?: string;
  readonly functionArn?: string;
  readonly qualifier?: string;
  readonly authorizerFunctionName?: string;
  readonly authorizerFunctionArn?: string;
  readonly integrationLatencyMs?: number;
  readonly lambdaRequestId?: string;
  /** What the backend function's own log said about this request. */
  readonly backend?: readonly BackendFailure[];
  /** A different cause another rule saw in the same request, shown beside the one that leads. */
  readonly beside?: BesideFinding;
}

/**
 * The other reading of a request, when two rules disagree: the cause API Gateway's own verdict names leads and the
 * cause inferred from what the backend answered is shown beside it (`inferred`), or, where published logs show that
 * verdict misleads, the other way round (`verdict`, with the reason).
 */
export interface BesideFinding {
  readonly cause: CauseId;
  readonly ruleId: string;
  readonly kind: 'inferred' | 'verdict';
  readonly evidence: readonly TraceLine[];
  /** Why the inference leads over API Gateway's verdict, with its source. */
  readonly note?: string;
}

/** Lines every REST trace has: they say nothing about why a request failed. */
const BOILERPLATE =
  /^(?:Extended Request Id|Verifying Usage Plan|API Key|Usage Plan check|Starting execution|HTTP Method:|Method request|Endpoint request|Sending request|Method response|Successfully completed|X-ray Tracing ID|AWS Integration Endpoint RequestId|Endpoint response headers|Method completed with status|Starting authorizer|Incoming identity|Using valid authorizer policy|Gateway response (?:body|headers))/;

function redactLine(line: TraceLine): TraceLine {
  return { ...line, text: redact(line.text) };
}

function unknownTemplates(trace: RequestTrace): string[] {
  const texts: string[] = [];
  for (const line of trace.lines) {
    if (line.source === 'execution' && !BOILERPLATE.test(line.text)) texts.push(line.text);
  }
  const access = trace.access;
  if (access !== undefined) {
    for (const value of [
      access.integrationErrorMessage,
      access.integrationError,
      access.errorMessage,
      access.responseType,
    ]) {
      if (value !== undefined) texts.push(value);
    }
  }
  if (texts.length === 0) {
    texts.push(
      trace.status !== undefined ? `status ${trace.status} with no error message logged` : 'no error message logged',
    );
  }
  return [...new Set(texts.map((t) => messageTemplate(redact(t))))].slice(0, 5);
}

function unknownEvidence(trace: RequestTrace): TraceLine[] {
  const lines = trace.lines.filter((l) => l.source !== 'execution' || !BOILERPLATE.test(l.text));
  const status = trace.lines.filter((l) => l.source === 'execution' && l.text.startsWith('Method completed'));
  return [...lines, ...status].slice(0, 5);
}

function applyRule(rule: Rule, trace: RequestTrace, context: ClassifyContext) {
  try {
    return { match: rule.match(trace, context) };
  } catch (error) {
    // A rule that throws is a bug in the rule, not in the request: report it and go on with the next rule.
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Lines that carry what the backend answered (its response body, headers, status) or what the function's own log
 * said. A rule that matched on these alone inferred its cause; any other line it matched is API Gateway's verdict.
 */
const BACKEND_CONTENT = /^(?:Endpoint response (?:body before transformations|headers): |Received response\. )/;

function inferredOnly(evidence: readonly TraceLine[]): boolean {
  return evidence.every((l) => l.source === 'lambda' || (l.source === 'execution' && BACKEND_CONTENT.test(l.text)));
}

/**
 * Verdicts that real published logs show to mislead: when the backend's answer says `inferred` and API Gateway wrote
 * `verdict`, the inference leads and the verdict is shown beside it with this note.
 */
const MISLEADING_VERDICTS: ReadonlyArray<{
  readonly inferred: CauseId;
  readonly verdict: CauseId;
  readonly note: string;
}> = [
  {
    // Lambda answers a throttled Invoke with 429 and {"Reason":"...ConcurrentInvocationLimitExceeded","Type":"User",
    // "message":"Rate Exceeded."}; API Gateway has answered such throttling with a 502, its malformed-proxy-response
    // status (https://stackoverflow.com/questions/50929878, 2018), where today's logs say "Lambda invocation failed
    // with status: 429" and answer 500.
    inferred: 'throttling',
    verdict: 'malformed_lambda_response',
    note: 'Lambda answered with its throttling error (429 Rate Exceeded); API Gateway has reported throttled invocations as a malformed proxy response (502) in older logs (https://stackoverflow.com/questions/50929878).',
  },
];

type Matched = { readonly rule: Rule; readonly match: NonNullable<ReturnType<Rule['match']>> };

/**
 * Which reading leads when rules disagree: API Gateway's own verdict over a cause inferred from the backend's answer,
 * except where a verdict is known to mislead.
 */
function lead(matches: readonly Matched[]): { leader: Matched; beside?: BesideFinding } | undefined {
  const first = matches[0];
  if (first === undefined) return undefined;
  const verdict = matches.find((m) => m.match.basis === 'message' && !inferredOnly(m.match.evidence));
  const inferred = matches.find((m) => m.match.basis === 'message' && inferredOnly(m.match.evidence));
  if (verdict === undefined || inferred === undefined || verdict.rule.cause === inferred.rule.cause)
    return { leader: first };
  const misleading = MISLEADING_VERDICTS.find(
    (v) => v.inferred === inferred.rule.cause && v.verdict === verdict.rule.cause,
  );
  if (misleading !== undefined) {
    return {
      leader: inferred,
      beside: {
        cause: verdict.rule.cause,
        ruleId: verdict.rule.id,
        kind: 'verdict',
        evidence: verdict.match.evidence.slice(0, 4).map(redactLine),
        note: misleading.note,
      },
    };
  }
  return {
    leader: verdict,
    beside: {
      cause: inferred.rule.cause,
      ruleId: inferred.rule.id,
      kind: 'inferred',
      evidence: inferred.match.evidence.slice(0, 4).map(redactLine),
    },
  };
}

/**
 * Classifies one request's trace: one request, one cause. The first rule that matches decides, except that API
 * Gateway's own verdict leads over a cause another rule inferred from the backend's answer (shown beside it); none
 * matching gives `unknown`.
 */
export function classifyTrace(trace: RequestTrace, context: ClassifyContext = {}): Finding {
  const base = {
    requestId: trace.requestId,
    ...(trace.status !== undefined ? { status: trace.status } : {}),
    ...(trace.method !== undefined ? { method: trace.method } : {}),
    ...(trace.resourcePath !== undefined ? { resourcePath: trace.resourcePath } : {}),
    ...(trace.path !== undefined ? { path: trace.path } : {}),
    ...(trace.routeKey !== undefined ? { routeKey: trace.routeKey } : {}),
    ...(trace.firstSeen !== undefined ? { firstSeen: trace.firstSeen } : {}),
    ...(trace.lastSeen !== undefined ? { lastSeen: trace.lastSeen } : {}),
    ...(trace.integrationLatencyMs !== undefined ? { integrationLatencyMs: trace.integrationLatencyMs } : {}),
    ...(trace.lambdaRequestId !== undefined ? { lambdaRequestId: trace.lambdaRequestId } : {}),
    ...(trace.lambda !== undefined
      ? {
          functionName: trace.lambda.functionName,
          functionArn: trace.lambda.functionArn,
          ...(trace.lambda.qualifier !== undefined ? { qualifier: trace.lambda.qualifier } : {}),
        }
      : {}),
    ...(trace.authorizerLambda !== undefined
      ? {
          authorizerFunctionName: trace.authorizerLambda.functionName,
          authorizerFunctionArn: trace.authorizerLambda.functionArn,
        }
      : {}),
    ...(trace.backend.length > 0 ? { backend: trace.backend.map((b) => ({ ...b, text: redact(b.text) })) } : {}),
  };
  const ruleErrors: string[] = [];
  const matches: Matched[] = [];
  for (const rule of RULES) {
    const result = applyRule(rule, trace, context);
    if (result.error !== undefined) {
      ruleErrors.push(`rule-error:${rule.id}`);
      continue;
    }
    if (result.match === undefined) continue;
    const inferred = result.match.basis === 'message' && inferredOnly(result.match.evidence);
    // After an inference, only API Gateway's own verdict can still change the answer: look on for one.
    if (matches.length > 0 && inferred) continue;
    matches.push({ rule, match: result.match });
    if (!inferred) break;
  }
  const decided = lead(matches);
  if (decided !== undefined) {
    const { rule, match: m } = decided.leader;
    return {
      ...base,
      cause: rule.cause,
      ruleId: rule.id,
      basis: m.basis,
      ...(m.target !== undefined ? { target: m.target } : {}),
      ...(m.hint !== undefined ? { hint: m.hint } : {}),
      evidence: m.evidence.slice(0, 8).map(redactLine),
      ...(decided.beside !== undefined ? { beside: decided.beside } : {}),
    };
  }
  return {
    ...base,
    cause: 'unknown',
    ruleId: ruleErrors[0] ?? 'unknown',
    basis: 'status',
    evidence: unknownEvidence(trace).map(redactLine),
    templates: unknownTemplates(trace),
  };
}

/**
 * API Gateway writes "Lambda invocation failed with status: <N>" only when its Invoke call to Lambda failed (Lambda
 * answered 4xx or 5xx): the request failed, whether or not a rule knows why.
 */
const LAMBDA_INVOCATION_FAILED = /^Lambda invocation failed with status: [45]\d\d\b/;

/**
 * True when a trace without a known outcome still shows an error: one a rule recognises, or a failure API Gateway
 * states that no rule explains (its cause is then `unknown`, never guessed).
 */
export function hasErrorEvidence(trace: RequestTrace, context: ClassifyContext = {}): boolean {
  for (const rule of RULES) {
    const result = applyRule(rule, trace, context);
    if (result.match !== undefined && result.match.basis === 'message') return true;
  }
  return trace.lines.some(
    (l) => l.source === 'execution' && l.text.charCodeAt(0) === 76 /* L */ && LAMBDA_INVOCATION_FAILED.test(l.text),
  );
}

/** The answer for one event on its own: its cause (null when it is no evidence of a 5xx) and status. */
export interface EventClassification {
  readonly cause: CauseId | null;
  readonly status: number | null;
  readonly source: 'execution' | 'access' | 'lambda' | 'other';
  readonly requestId?: string;
  readonly ruleId?: string;
}

/**
 * Classifies one log event on its own content, as `apigw-5xx classify` does: a per-line verdict, not a per-request
 * one (`diagnose` joins a request's lines and gives it one cause). A line names a cause only when its own text names
 * the failure (text API Gateway, Lambda or the runtime writes), whatever prefix it came with; a line that states only
 * a status (`Method completed with status: 502`) gets that status and cause `null`, as do successes, 4xx and lines
 * that are no evidence of a failure.
 */
export function classifyEvent(event: LogEvent, context: ClassifyContext = {}): EventClassification {
  const r = recognise(event);
  if (r.source === 'lambda') {
    const failed = r.record.kind !== 'start' && r.record.kind !== 'end' && r.record.kind !== 'report';
    return {
      cause: failed ? 'lambda_function_error' : null,
      status: null,
      source: 'lambda',
      ...(r.record.requestId !== undefined ? { requestId: r.record.requestId } : {}),
      ...(failed ? { ruleId: `function-log-${r.record.kind}` } : {}),
    };
  }
  if (r.source === 'other') return classifyOther(event.message, context);
  const builder = new TraceBuilder({ keepSucceeded: true });
  builder.add(event);
  const trace = builder.openTraces()[0];
  if (trace === undefined) return { cause: null, status: null, source: r.source };
  // A gateway response line states the status API Gateway answered with, as "Method completed" does.
  const status = trace.status ?? trace.gatewayResponse?.status ?? null;
  const rest = { source: r.source, requestId: trace.requestId } as const;
  if (status !== null && status < 500) return { cause: null, status, ...rest };
  const finding = classifyTrace(trace, context);
  if (finding.cause !== 'unknown' && finding.basis === 'message') {
    return { cause: finding.cause, status, ...rest, ruleId: finding.ruleId };
  }
  // The rules read a request; a line's own text may still name a failure they leave to other lines of the request
  // (a function's error object as the response body).
  const own = r.source === 'execution' ? classifyLineText(r.text, context) : undefined;
  return own !== undefined
    ? { cause: own.cause, status, ...rest, ruleId: own.ruleId }
    : { cause: null, status, ...rest };
}

/** A line that is not in a CloudWatch form we split: read from the first text AWS writes, after any prefix. */
function classifyOther(message: string, context: ClassifyContext): EventClassification {
  const id = requestIdOfLine(message);
  const requestId = id !== undefined ? { requestId: id } : {};
  const status = statusOfLineText(message) ?? null;
  if (status !== null) return { cause: null, status, source: 'execution', ...requestId };
  const verdict = classifyLineText(message, context);
  if (verdict === undefined) return { cause: null, status: null, source: 'other' };
  return { cause: verdict.cause, status: null, source: verdict.source, ...requestId, ruleId: verdict.ruleId };
}
