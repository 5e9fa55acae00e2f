/**
 * The Lambda function an integration URI names, with stage variables resolved.
 * REST: `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations`; HTTP APIs may give the
 * function ARN itself. Either may name the function through `${stageVariables.NAME}`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/aws-api-gateway-stage-variables-reference.html
 */

export interface IntegrationFunction {
  /** Function name, no qualifier. */
  readonly name: string;
  /** Unqualified function ARN. */
  readonly arn: string;
  readonly qualifier?: string;
  readonly region: string;
  readonly accountId: string;
  /** Stage variables the URI uses (`fn` for `${stageVariables.fn}`). */
  readonly stageVariables: readonly string[];
}

export type IntegrationFunctionResult =
  | { readonly kind: 'function'; readonly fn: IntegrationFunction }
  /** The URI uses stage variables the stage does not set. */
  | { readonly kind: 'unresolved'; readonly stageVariables: readonly string[]; readonly missing: readonly string[] }
  | { readonly kind: 'not_lambda' };

const STAGE_VARIABLE = /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g;
const FUNCTION_ARN =
  /arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_$-]{1,128}))?(?=\/invocations|$)/;

/** True when the URI invokes Lambda (the Invoke API path, or a function ARN as HTTP APIs take it). */
export function isLambdaUri(uri: string): boolean {
  return (
    /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path\/[^/]+\/functions\//.test(uri) ||
    /^arn:aws[a-z-]*:lambda:/.test(uri)
  );
}

/** The stage variables a value uses (`${stageVariables.fn}` gives `fn`). */
export function stageVariablesIn(value: string): string[] {
  return [...new Set([...value.matchAll(STAGE_VARIABLE)].map((m) => m[1] ?? ''))];
}

/** Replaces `${stageVariables.x}` with the stage's values; undefined when one is not set. */
export function resolveStageVariables(
  value: string,
  variables: Readonly<Record<string, string>> | undefined,
): string | undefined {
  let missing = false;
  const out = value.replace(STAGE_VARIABLE, (_, name: string) => {
    const v = variables?.[name];
    if (v === undefined) missing = true;
    return v ?? '';
  });
  return missing ? undefined : out;
}

/** The function an integration URI names. */
export function functionOfUri(
  uri: string,
  variables: Readonly<Record<string, string>> | undefined,
): IntegrationFunctionResult {
  if (!isLambdaUri(uri)) return { kind: 'not_lambda' };
  const used = stageVariablesIn(uri);
  const resolved = resolveStageVariables(uri, variables);
  if (resolved === undefined) {
    return { kind: 'unresolved', stageVariables: used, missing: used.filter((v) => variables?.[v] === undefined) };
  }
  const path = resolved.replace(/^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path\/[^/]+\/functions\//, '');
  const m = FUNCTION_ARN.exec(path);
  if (m === null || m.index !== 0) return { kind: 'not_lambda' };
  const [, partition, region, accountId, name, qualifier] = m;
  if (partition === undefined || region === undefined || accountId === undefined || name === undefined)
    return { kind: 'not_lambda' };
  return {
    kind: 'function',
    fn: {
      name,
      arn: `arn:${partition}:lambda:${region}:${accountId}:function:${name}`,
      region,
      accountId,
      stageVariables: used,
      ...(qualifier !== undefined ? { qualifier } : {}),
    },
  };
}

/** Splits a function ARN (qualified or not) into its parts; undefined when it is not one. */
export function parseFunctionArn(
  arn: string,
): { partition: string; region: string; accountId: string; name: string; qualifier?: string } | undefined {
  const m = FUNCTION_ARN.exec(arn);
  if (m === null || m.index !== 0 || m[0].length !== arn.length) return undefined;
  const [, partition, region, accountId, name, qualifier] = m;
  if (partition === undefined || region === undefined || accountId === undefined || name === undefined)
    return undefined;
  return { partition, region, accountId, name, ...(qualifier !== undefined ? { qualifier } : {}) };
}
