/**
 * Per cause: does the live configuration confirm or contradict what the logs suggested? One small pure check per
 * checkable cause (rules as data); every other cause, and every check whose facts could not be read, stays
 * `unknown` ("from logs only").
 */
import { formatTime } from '../render/text.js';
import { oneLine } from '../safety/escape.js';
import { redact } from '../safety/redact.js';
import type { CauseId } from '../taxonomy.js';
import { functionOfUri, isLambdaUri, resolveStageVariables, stageVariablesIn } from './integration-uri.js';
import { type CauseTarget, functionKey, routeKey } from './plan.js';
import { evaluatePolicy, type PolicyStatement, parsePolicy } from './resource-policy.js';
import type {
  CauseCheck,
  FunctionFacts,
  IntegrationFacts,
  RouteFacts,
  RouteRef,
  StageFacts,
  Verdict,
} from './types.js';

/** What a check may look up. */
export interface CheckContext {
  readonly api?: { readonly type: 'REST' | 'HTTP'; readonly apiId: string; readonly stage: string };
  /** The API's Region and account, when the logs or the configuration named them. */
  readonly region?: string;
  readonly accountId?: string;
  readonly route: (ref: RouteRef) => RouteFacts | undefined;
  readonly fn: (ref: { readonly name: string; readonly qualifier?: string }) => FunctionFacts | undefined;
  readonly stage?: StageFacts;
}

export interface TargetCheck {
  readonly verdict: Verdict;
  readonly evidence: readonly string[];
}

type Checker = (target: CauseTarget, context: CheckContext) => TargetCheck;

const MAX_EVIDENCE_CHARS = 300;
const MAX_EVIDENCE_LINES = 6;

/** One evidence line: configuration text is redacted, kept on one line and bounded like log text. */
export function evidenceLine(text: string): string {
  const line = oneLine(redact(text));
  return line.length > MAX_EVIDENCE_CHARS ? `${line.slice(0, MAX_EVIDENCE_CHARS)}…` : line;
}

const unknown = (...evidence: string[]): TargetCheck => ({ verdict: 'unknown', evidence });

function routeLabel(target: CauseTarget, facts: RouteFacts | undefined): string {
  if (facts?.resourcePath !== undefined && facts.method !== undefined) {
    return facts.resourcePath === '$default' ? '$default route' : `${facts.method} ${facts.resourcePath}`;
  }
  return target.route !== undefined ? routeKey(target.route) : 'the failing route';
}

/** The integration of the target's route, or why there is none to judge. */
function integrationOf(
  target: CauseTarget,
  context: CheckContext,
): { route: RouteFacts; integration: IntegrationFacts } | TargetCheck {
  if (target.route === undefined) return unknown();
  const route = context.route(target.route);
  // Not read (no API configured, over the bounds) or failed (the reader said why in the problems).
  if (route === undefined || route.state === 'failed') return unknown();
  const api = context.api;
  if (route.state === 'missing') {
    return unknown(
      `${routeKey(target.route)}: no ${api?.type === 'HTTP' ? 'route' : 'resource and method'} of API ${api?.apiId ?? ''} serves it now (deleted, or renamed since the errors)`,
    );
  }
  if (route.integration === undefined) return unknown(`${routeLabel(target, route)}: the method has no integration`);
  return { route, integration: route.integration };
}

function isCheck(value: unknown): value is TargetCheck {
  return typeof value === 'object' && value !== null && 'verdict' in value;
}

/**
 * REST changes reach a stage only with a deployment: GetMethod reads the API's current definition, which can hold a
 * fix the stage does not serve yet. https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-deploy-api.html
 */
function undeployedCaveat(context: CheckContext): string[] {
  if (context.api?.type !== 'REST') return [];
  const deployed = context.stage?.deploymentCreated ?? context.stage?.lastUpdated;
  const when = deployed !== undefined ? ` deployed ${formatTime(deployed)}` : '';
  return [
    `This is the API's current definition; stage ${context.api.stage} serves the one${when}: if the change came later, deploy it.`,
  ];
}

const checkIntegrationMethod: Checker = (target, context) => {
  const found = integrationOf(target, context);
  if (isCheck(found)) return found;
  const { route, integration } = found;
  const label = routeLabel(target, route);
  const type = integration.type ?? 'unknown type';
  if ((type !== 'AWS' && type !== 'AWS_PROXY') || integration.uri === undefined || !isLambdaUri(integration.uri)) {
    return unknown(
      `${label}: the integration is ${type}${integration.uri !== undefined ? ` to ${integration.uri}` : ''}, not a Lambda integration`,
    );
  }
  const fn = functionOfUri(integration.uri, context.stage?.variables);
  const name = fn.kind === 'function' ? fn.fn.name : 'its function';
  const method = integration.httpMethod ?? '(none)';
  if (method === 'POST') {
    return {
      verdict: 'contradicted',
      evidence: [`${label}: the Lambda integration (${type}) calls ${name} with POST`, ...undeployedCaveat(context)],
    };
  }
  return {
    verdict: 'confirmed',
    evidence: [
      `${label}: the Lambda integration (${type}) calls ${name} with ${method}; Lambda's Invoke API accepts only POST`,
    ],
  };
};

/** The ARN partition a Region belongs to. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The execute-api ARN API Gateway presents when it invokes for this target, when every part of it is known. */
function sourceArnOf(target: CauseTarget, route: RouteFacts | undefined, context: CheckContext): string | undefined {
  const { api, region, accountId } = context;
  if (api === undefined || region === undefined || accountId === undefined) return undefined;
  const prefix = `arn:${partitionOf(region)}:execute-api:${region}:${accountId}:${api.apiId}`;
  if (target.authorizer) {
    return route?.authorizerId !== undefined ? `${prefix}/authorizers/${route.authorizerId}` : undefined;
  }
  // The method and resource as defined (`ANY`, `/orders/{id}`), as in the X-Amz-Source-Arn header API Gateway sends.
  if (route?.state !== 'found' || route.method === undefined || route.resourcePath === undefined) return undefined;
  if (route.resourcePath === '$default') return `${prefix}/${api.stage}/$default`;
  return `${prefix}/${api.stage}/${route.method}/${route.resourcePath.replace(/^\//, '')}`;
}

/** `arn:PARTITION:execute-api:REGION:ACCOUNT:API/authorizers/*`, when the API, Region and account are known. */
function everyAuthorizerArn(context: CheckContext): string | undefined {
  const { api, region, accountId } = context;
  if (api === undefined || region === undefined || accountId === undefined) return undefined;
  return `arn:${partitionOf(region)}:execute-api:${region}:${accountId}:${api.apiId}/authorizers/*`;
}

function statementName(s: PolicyStatement): string {
  return s.sid !== undefined ? `statement ${s.sid}` : 'a statement without Sid';
}

/** lambda_permission and stage_variable_permission: the function's resource policy against the source ARN. */
const checkInvokePermission: Checker = (target, context) => {
  const route = target.route !== undefined ? context.route(target.route) : undefined;
  const integration = route?.state === 'found' ? route.integration : undefined;
  const evidence: string[] = [];
  const label = routeLabel(target, route);

  if (!target.authorizer && integration?.credentials !== undefined) {
    return unknown(
      `${label}: the integration calls its backend with the IAM role ${integration.credentials}, so the function's resource policy is not what API Gateway needs: check that role's lambda:InvokeFunction permission and trust policy`,
    );
  }

  let fnRef = target.fn;
  const uri = target.authorizer ? (route?.state === 'found' ? route.authorizerUri : undefined) : integration?.uri;
  if (uri !== undefined) {
    const resolved = functionOfUri(uri, context.stage?.variables);
    if (resolved.kind === 'unresolved') {
      return unknown(
        `${label}: the integration URI uses ${resolved.missing.map((v) => `\${stageVariables.${v}}`).join(', ')}, which stage ${context.api?.stage ?? ''} does not set`,
      );
    }
    if (resolved.kind === 'function') {
      if (resolved.fn.stageVariables.length > 0) {
        evidence.push(
          `${label}: the integration names its function through ${resolved.fn.stageVariables.map((v) => `\${stageVariables.${v}}`).join(', ')}; stage ${context.api?.stage ?? ''} resolves it to ${functionKey(resolved.fn)} (each stage's value needs its own permission)`,
        );
      }
      fnRef ??= resolved.fn;
    }
  }
  if (fnRef === undefined) return unknown(...evidence);
  const facts = context.fn(fnRef);
  const name = functionKey(fnRef);
  if (facts === undefined || facts.state === 'failed') return unknown(...evidence);
  if (facts.state === 'missing') {
    return unknown(
      ...evidence,
      `${name} does not exist in ${facts.ref.arn ?? 'this account and Region'}: the integration names a function that was deleted or is in another Region or account`,
    );
  }
  if (facts.policyState === undefined || facts.policyState === 'failed') return unknown(...evidence);
  if (facts.policyState === 'missing' || facts.policy === undefined) {
    return {
      verdict: 'confirmed',
      evidence: [...evidence, `${name} has no resource policy: nothing lets apigateway.amazonaws.com invoke it`],
    };
  }
  const statements = parsePolicy(facts.policy);
  if (statements === undefined) return unknown(...evidence, `${name}: its resource policy could not be parsed`);

  let sourceArn = sourceArnOf(target, route, context);
  if (sourceArn === undefined && target.authorizer) {
    // The logs did not say which route (so which authorizer id) failed: a statement that covers every authorizer of
    // the API (`API/authorizers/*`, what the printed fix adds) covers this one too; anything narrower stays undecided.
    const every = everyAuthorizerArn(context);
    if (every !== undefined && evaluatePolicy(statements, { sourceArn: every }).kind === 'allowed') sourceArn = every;
  }
  const outcome = evaluatePolicy(statements, {
    ...(sourceArn !== undefined ? { sourceArn } : {}),
    ...(context.accountId !== undefined ? { sourceAccount: context.accountId } : {}),
  });
  const request = sourceArn ?? `API ${context.api?.apiId ?? '(unknown)'}`;
  switch (outcome.kind) {
    case 'allowed':
      return {
        verdict: 'contradicted',
        evidence: [
          ...evidence,
          `${name}: ${statementName(outcome.by)} lets apigateway.amazonaws.com invoke it from ${outcome.sourceArns.length > 0 ? outcome.sourceArns.join(' or ') : 'any source'}, which covers ${request}`,
          `${name}: a permission takes effect at once, so it may have been added after the errors`,
        ],
      };
    case 'not_allowed': {
      const lines = [...evidence];
      if (outcome.deniedBy !== undefined) {
        lines.push(`${name}: ${statementName(outcome.deniedBy)} denies apigateway.amazonaws.com for ${request}`);
      } else {
        lines.push(
          `${name}: ${statements.length} policy statement${statements.length === 1 ? '' : 's'}, none lets apigateway.amazonaws.com invoke it from ${request}`,
        );
      }
      for (const near of outcome.near.slice(0, 2)) {
        lines.push(
          `${name}: ${statementName(near.statement)} allows only ${near.sourceArns.join(' or ') || 'other sources'}`,
        );
      }
      return { verdict: 'confirmed', evidence: lines };
    }
    case 'undecided':
      return unknown(...evidence, `${name}: ${outcome.reason}`);
  }
};

const checkPrivateIntegration: Checker = (target, context) => {
  const found = integrationOf(target, context);
  if (isCheck(found)) return found;
  const { route, integration } = found;
  const label = routeLabel(target, route);
  if (integration.connectionType !== 'VPC_LINK') {
    return unknown(
      `${label}: the integration does not use a VPC link (connection type ${integration.connectionType ?? 'INTERNET'})`,
    );
  }
  const link = route.vpcLink;
  const connection = integration.connectionId ?? '(none)';
  if (link === undefined) {
    if (
      stageVariablesIn(connection).length > 0 &&
      resolveStageVariables(connection, context.stage?.variables) === undefined
    ) {
      return unknown(
        `${label}: the VPC link is named by ${connection}, which stage ${context.api?.stage ?? ''} does not set`,
      );
    }
    return unknown();
  }
  const shown = link.name !== undefined ? `${link.id} (${link.name})` : link.id;
  if (link.state === 'failed') return unknown();
  if (link.state === 'missing') {
    return {
      verdict: 'confirmed',
      evidence: [
        `${label}: the integration uses VPC link ${link.id}, which does not exist${context.api?.type === 'REST' ? ' (neither as a VPC link V2 nor as a V1 link)' : ''}`,
      ],
    };
  }
  if (link.status === 'AVAILABLE') {
    return { verdict: 'contradicted', evidence: [`${label}: VPC link ${shown} is AVAILABLE`] };
  }
  if (link.status === undefined) return unknown(`${label}: VPC link ${shown} reports no status`);
  return {
    verdict: 'confirmed',
    evidence: [
      `${label}: VPC link ${shown} is ${link.status}${link.statusMessage !== undefined && link.statusMessage !== '' ? `: ${link.statusMessage}` : ''}`,
    ],
  };
};

/** Whether a selection pattern (a Java regular expression API Gateway matches against the whole value) matches. */
function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 's').test(value);
  } catch {
    return false;
  }
}

const checkStatusCodeMapping: Checker = (target, context) => {
  if (context.api?.type === 'HTTP') return unknown();
  const found = integrationOf(target, context);
  if (isCheck(found)) return found;
  const { route, integration } = found;
  const label = routeLabel(target, route);
  if (integration.type === 'AWS_PROXY' || integration.type === 'HTTP_PROXY') {
    return unknown(`${label}: the integration is ${integration.type}, which has no integration responses to map`);
  }
  const responses = integration.responses;
  if (responses === undefined) return unknown();
  if (responses.length === 0) {
    return { verdict: 'confirmed', evidence: [`${label}: the integration has no integration responses at all`] };
  }
  const describe = (r: (typeof responses)[number]): string =>
    r.selectionPattern !== undefined && r.selectionPattern !== ''
      ? `${r.statusCode} (selection pattern ${r.selectionPattern.length > 60 ? `${r.selectionPattern.slice(0, 60)}…` : r.selectionPattern})`
      : `${r.statusCode} (default)`;
  const shown = responses.slice(0, 5).map(describe).join(', ');
  const defaults = responses.filter((r) => r.selectionPattern === undefined || r.selectionPattern === '');
  // "Output mapping refers to an invalid method response": an integration response names a status the method lacks.
  const undefinedStatuses =
    route.methodResponses !== undefined
      ? responses.filter((r) => !route.methodResponses?.includes(r.statusCode)).map((r) => r.statusCode)
      : [];
  // The backend's logged status (a 403 from SQS) mapped now by a selection pattern: the error reaches clients as the
  // status it names instead of 500, whatever the default mapping is. API Gateway matches the whole status code.
  const mapped = (target.endpointStatuses ?? []).flatMap((status) => {
    const r = responses.find(
      (x) => x.selectionPattern !== undefined && x.selectionPattern !== '' && fullMatch(x.selectionPattern, status),
    );
    return r !== undefined
      ? [`${label}: the backend's ${status} is mapped now by integration response ${describe(r)}`]
      : [];
  });
  if (mapped.length > 0 && mapped.length === target.endpointStatuses?.length && undefinedStatuses.length === 0) {
    return { verdict: 'contradicted', evidence: [...mapped, ...undeployedCaveat(context)] };
  }
  if (defaults.length === 0 || undefinedStatuses.length > 0) {
    const evidence = [`${label}: integration responses ${shown}`];
    if (defaults.length === 0) evidence.push(`${label}: none is the default mapping (empty selection pattern)`);
    if (undefinedStatuses.length > 0) {
      evidence.push(
        `${label}: integration response${undefinedStatuses.length === 1 ? '' : 's'} ${undefinedStatuses.join(', ')} name${undefinedStatuses.length === 1 ? 's' : ''} a method response the method does not define`,
      );
    }
    return { verdict: 'confirmed', evidence };
  }
  return {
    verdict: 'contradicted',
    evidence: [
      `${label}: integration response ${defaults.map((r) => r.statusCode).join(', ')} is the default mapping (integration responses ${shown})`,
      ...undeployedCaveat(context),
    ],
  };
};

/** Latency this close to the integration timeout (ms) counts as having reached it (the timer and the log differ). */
const TIMEOUT_SLACK_MS = 100;

/**
 * The integration latency the logs show against the integration's configured timeout (`timeoutInMillis`). An HTTP API
 * answers 503 when it is reached, anywhere from 50 ms to 30 s (the Serverless Framework's default is 6.5 s), so a 503
 * at the timeout is a timeout, not a lack of capacity.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations-integrationid.html
 */
function latencyAgainstTimeout(
  target: CauseTarget,
  context: CheckContext,
): { label: string; latency: number; timeout: number; reached: boolean } | TargetCheck {
  const found = integrationOf(target, context);
  if (isCheck(found)) return found;
  const { route, integration } = found;
  const label = routeLabel(target, route);
  if (integration.timeoutMs === undefined) return unknown();
  if (target.maxLatencyMs === undefined) {
    return unknown(`${label}: the integration times out after ${integration.timeoutMs} ms; the logs show no latency`);
  }
  return {
    label,
    latency: target.maxLatencyMs,
    timeout: integration.timeoutMs,
    reached: target.maxLatencyMs >= integration.timeoutMs - TIMEOUT_SLACK_MS,
  };
}

const checkServiceUnavailable: Checker = (target, context) => {
  if (context.api?.type !== 'HTTP') return unknown();
  const r = latencyAgainstTimeout(target, context);
  if (isCheck(r)) return r;
  if (!r.reached) {
    return unknown(
      `${r.label}: integration latency ${r.latency} ms stayed below the integration timeout ${r.timeout} ms`,
    );
  }
  return {
    verdict: 'contradicted',
    evidence: [
      `${r.label}: integration latency reached ${r.latency} ms and the integration times out after ${r.timeout} ms: the 503 is an integration timeout, not a lack of capacity (raise TimeoutInMillis, 30000 at most, or speed up the backend)`,
    ],
  };
};

const checkIntegrationTimeout: Checker = (target, context) => {
  const r = latencyAgainstTimeout(target, context);
  if (isCheck(r)) return r;
  if (!r.reached) {
    return unknown(
      `${r.label}: integration latency ${r.latency} ms stayed below the integration timeout ${r.timeout} ms`,
    );
  }
  return {
    verdict: 'confirmed',
    evidence: [
      `${r.label}: integration latency reached ${r.latency} ms; the integration times out after ${r.timeout} ms`,
    ],
  };
};

/** The checks, by cause; causes without one are answered from the logs only. */
export const CHECKERS: Readonly<Partial<Record<CauseId, Checker>>> = {
  integration_http_method: checkIntegrationMethod,
  lambda_permission: checkInvokePermission,
  stage_variable_permission: checkInvokePermission,
  private_integration: checkPrivateIntegration,
  status_code_mapping: checkStatusCodeMapping,
  service_unavailable: checkServiceUnavailable,
  integration_timeout: checkIntegrationTimeout,
};

/**
 * One cause's verdict over its targets: confirmed when any target confirms it (that route does fail so), contradicted
 * only when every target contradicts it, unknown otherwise. A checker that throws is a bug in the checker: the cause
 * stays "from logs only" and the error is reported, never a lost notification.
 */
export function checkCause(
  cause: CauseId,
  targets: readonly CauseTarget[],
  context: CheckContext,
  problems: string[],
): CauseCheck {
  const checker = CHECKERS[cause];
  if (checker === undefined || targets.length === 0) return { cause, verdict: 'unknown', evidence: [] };
  const results: TargetCheck[] = [];
  for (const target of targets) {
    try {
      results.push(checker(target, context));
    } catch (error) {
      problems.push(
        `The configuration check for ${cause} failed: ${error instanceof Error ? error.message : String(error)}; it is reported from the logs only.`,
      );
      results.push(unknown());
    }
  }
  const verdict: Verdict = results.some((r) => r.verdict === 'confirmed')
    ? 'confirmed'
    : results.every((r) => r.verdict === 'contradicted')
      ? 'contradicted'
      : 'unknown';
  const evidence = [...new Set(results.flatMap((r) => r.evidence).map(evidenceLine))].slice(0, MAX_EVIDENCE_LINES);
  return { cause, verdict, evidence };
}
