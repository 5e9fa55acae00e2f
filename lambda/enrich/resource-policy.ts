/**
 * Does a Lambda function's resource policy let API Gateway invoke it from a given execute-api ARN?
 * Evaluates what Lambda evaluates for a service principal: Allow and Deny statements whose action covers
 * `lambda:InvokeFunction`, whose principal covers `apigateway.amazonaws.com`, and whose conditions on
 * `AWS:SourceArn` / `AWS:SourceAccount` hold. A statement this cannot evaluate (other condition keys or operators,
 * `NotAction`, `NotPrincipal`) makes the answer `undecided` rather than a guess.
 * https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html
 */
import { arnLike, globMatch } from './arn-match.js';

const SERVICE = 'apigateway.amazonaws.com';
const ACTION = 'lambda:InvokeFunction';

export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly raw: Readonly<Record<string, unknown>>;
}

/** The request API Gateway makes, as far as it is known. */
export interface InvokeRequest {
  /** `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/path`; undefined parts make it partial. */
  readonly sourceArn?: string;
  /** The API's account. */
  readonly sourceAccount?: string;
}

export type PolicyOutcome =
  /** A statement allows the request and none denies it. */
  | { readonly kind: 'allowed'; readonly by: PolicyStatement; readonly sourceArns: readonly string[] }
  /** No statement allows it, or one denies it. */
  | {
      readonly kind: 'not_allowed';
      readonly deniedBy?: PolicyStatement;
      /** Statements for API Gateway whose conditions did not match: the near misses to show. */
      readonly near: readonly { readonly statement: PolicyStatement; readonly sourceArns: readonly string[] }[];
    }
  | { readonly kind: 'undecided'; readonly reason: string };

/** Parses GetPolicy's `Policy` text; undefined when it is not a policy document. */
export function parsePolicy(text: string): PolicyStatement[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const statement = (doc as { Statement?: unknown }).Statement;
  const list = Array.isArray(statement) ? statement : statement !== undefined ? [statement] : [];
  const out: PolicyStatement[] = [];
  for (const s of list) {
    if (typeof s !== 'object' || s === null) continue;
    const raw = s as Record<string, unknown>;
    const effect = raw.Effect === 'Deny' ? 'Deny' : raw.Effect === 'Allow' ? 'Allow' : undefined;
    if (effect === undefined) continue;
    out.push({ effect, raw, ...(typeof raw.Sid === 'string' ? { sid: raw.Sid } : {}) });
  }
  return out;
}

function strings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

type Tri = 'yes' | 'no' | 'unsure';

function coversAction(raw: Readonly<Record<string, unknown>>): Tri {
  if (raw.NotAction !== undefined) return 'unsure';
  const actions = strings(raw.Action);
  if (actions === undefined) return 'unsure';
  // Action names are case-insensitive in IAM.
  return actions.some((a) => globMatch(a, ACTION, true)) ? 'yes' : 'no';
}

function coversPrincipal(raw: Readonly<Record<string, unknown>>): Tri {
  if (raw.NotPrincipal !== undefined) return 'unsure';
  const principal = raw.Principal;
  if (principal === '*') return 'yes';
  if (typeof principal !== 'object' || principal === null) return 'unsure';
  const p = principal as Record<string, unknown>;
  if (strings(p.Service)?.includes(SERVICE)) return 'yes';
  if (strings(p.AWS)?.includes('*')) return 'yes';
  return 'no';
}

/** The SourceArn patterns a statement's conditions name (for the evidence), whatever the operator. */
export function sourceArnPatterns(statement: PolicyStatement): string[] {
  const condition = statement.raw.Condition;
  if (typeof condition !== 'object' || condition === null) return [];
  const out: string[] = [];
  for (const block of Object.values(condition as Record<string, unknown>)) {
    if (typeof block !== 'object' || block === null) continue;
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      if (key.toLowerCase() === 'aws:sourcearn') out.push(...(strings(value) ?? []));
    }
  }
  return out;
}

type Matcher = (pattern: string, value: string) => boolean;

const OPERATORS: Readonly<Record<string, { match: Matcher; negate: boolean }>> = {
  arnlike: { match: arnLike, negate: false },
  arnequals: { match: arnLike, negate: false },
  arnnotlike: { match: arnLike, negate: true },
  arnnotequals: { match: arnLike, negate: true },
  stringequals: { match: (p, v) => p === v, negate: false },
  stringnotequals: { match: (p, v) => p === v, negate: true },
  stringequalsignorecase: { match: (p, v) => p.toLowerCase() === v.toLowerCase(), negate: false },
  stringnotequalsignorecase: { match: (p, v) => p.toLowerCase() === v.toLowerCase(), negate: true },
  stringlike: { match: (p, v) => globMatch(p, v), negate: false },
  stringnotlike: { match: (p, v) => globMatch(p, v), negate: true },
};

function conditionsHold(raw: Readonly<Record<string, unknown>>, request: InvokeRequest): Tri {
  const condition = raw.Condition;
  if (condition === undefined) return 'yes';
  if (typeof condition !== 'object' || condition === null) return 'unsure';
  let result: Tri = 'yes';
  for (const [operatorName, block] of Object.entries(condition as Record<string, unknown>)) {
    // The keys are single-valued and always present for an API Gateway call, so `...IfExists` changes nothing.
    const operator = OPERATORS[operatorName.toLowerCase().replace(/ifexists$/, '')];
    if (operator === undefined || typeof block !== 'object' || block === null) return 'unsure';
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      const k = key.toLowerCase();
      const actual =
        k === 'aws:sourcearn' ? request.sourceArn : k === 'aws:sourceaccount' ? request.sourceAccount : null;
      if (actual === null) return 'unsure';
      const patterns = strings(value);
      if (patterns === undefined) return 'unsure';
      if (actual === undefined) {
        result = 'unsure';
        continue;
      }
      // Several values in one condition: any of them may match (OR); several keys and operators: all must hold.
      const any = patterns.some((p) => operator.match(p, actual));
      if (operator.negate ? any : !any) return 'no';
    }
  }
  return result;
}

/**
 * Decides whether the policy lets API Gateway invoke the function for `request`. With a partial request (source ARN
 * or account unknown) it can still say `not_allowed` when no statement could apply whatever they are.
 */
export function evaluatePolicy(statements: readonly PolicyStatement[], request: InvokeRequest): PolicyOutcome {
  let allowedBy: PolicyStatement | undefined;
  let deniedBy: PolicyStatement | undefined;
  const unsure: PolicyStatement[] = [];
  const near: { statement: PolicyStatement; sourceArns: string[] }[] = [];
  for (const statement of statements) {
    const action = coversAction(statement.raw);
    const principal = coversPrincipal(statement.raw);
    if (action === 'no' || principal === 'no') continue;
    const conditions = action === 'yes' && principal === 'yes' ? conditionsHold(statement.raw, request) : 'unsure';
    if (conditions === 'no') {
      if (statement.effect === 'Allow') near.push({ statement, sourceArns: sourceArnPatterns(statement) });
      continue;
    }
    if (conditions === 'unsure') {
      unsure.push(statement);
      continue;
    }
    if (statement.effect === 'Deny') deniedBy ??= statement;
    else allowedBy ??= statement;
  }
  if (deniedBy !== undefined) return { kind: 'not_allowed', deniedBy, near };
  // A Deny that may apply outweighs any Allow; an Allow that may apply matters only when no other one surely does.
  const unsureDeny = unsure.filter((s) => s.effect === 'Deny');
  if (unsureDeny.length > 0) return { kind: 'undecided', reason: undecidedReason(unsureDeny, request) };
  if (allowedBy !== undefined) return { kind: 'allowed', by: allowedBy, sourceArns: sourceArnPatterns(allowedBy) };
  if (unsure.length > 0) return { kind: 'undecided', reason: undecidedReason(unsure, request) };
  return { kind: 'not_allowed', near };
}

function undecidedReason(statements: readonly PolicyStatement[], request: InvokeRequest): string {
  const ids = statements.map((s) => s.sid ?? '(no Sid)').join(', ');
  const one = statements.length === 1;
  return request.sourceArn === undefined || request.sourceAccount === undefined
    ? `statement${one ? '' : 's'} ${ids} may apply, but the API's source ARN is not fully known`
    : `statement${one ? '' : 's'} ${ids} ${one ? 'has' : 'have'} conditions or elements this check does not evaluate`;
}
