/** Small builders for the enrichment tests: a diagnosis, findings and configuration facts as plain data. */
import type {
  CauseRef,
  CheckPlan,
  ConfigurationFacts,
  DiagnosisRef,
  FindingRef,
  FunctionFacts,
  RouteFacts,
  StageFacts,
} from '../../../lambda/enrich/types.js';
import type { CauseId } from '../../../lambda/taxonomy.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const API_ID = 'a1b2c3d4e5';
export const EXECUTE_API = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}`;
export const T0 = Date.UTC(2026, 10, 25, 16, 47, 18);

export function functionArn(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
}

export function lambdaUri(target: string): string {
  return `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${target}/invocations`;
}

export function cause(id: CauseId, extra: Partial<CauseRef> = {}): CauseRef {
  return {
    cause: id,
    firstSeen: T0,
    statuses: [{ key: 500, count: 1 }],
    functions: [],
    authorizerFunctions: [],
    ...extra,
  };
}

export function diagnosis(causes: CauseRef[], api: Partial<DiagnosisRef['api']> = {}): DiagnosisRef {
  return {
    api: { type: 'REST', name: 'orders-api', apiId: API_ID, stage: 'prod', region: REGION, accountId: ACCOUNT, ...api },
    firstSeen: Math.min(...causes.map((c) => c.firstSeen ?? T0)),
    causes,
  };
}

export function finding(id: CauseId, extra: Partial<FindingRef> = {}): FindingRef {
  return { cause: id, method: 'GET', resourcePath: '/orders/{id}', status: 500, firstSeen: T0, ...extra };
}

export function plan(extra: Partial<CheckPlan> = {}): CheckPlan {
  return { api: { type: 'REST', apiId: API_ID, stage: 'prod' }, routes: [], functions: [], skipped: [], ...extra };
}

export function route(method: string, path: string, extra: Partial<RouteFacts> = {}): RouteFacts {
  return { ref: { method, path }, state: 'found', method, resourcePath: path, resourceId: 'r1', ...extra };
}

export function fn(name: string, extra: Partial<FunctionFacts> = {}): FunctionFacts {
  return {
    ref: { name, arn: functionArn(name), policy: true },
    state: 'found',
    arn: functionArn(name),
    lastModified: T0 - 4 * 60_000,
    version: '$LATEST',
    ...extra,
  };
}

export function stage(extra: Partial<StageFacts> = {}): StageFacts {
  return {
    state: 'found',
    name: 'prod',
    deploymentId: 'd7noqdk2lo',
    deploymentCreated: T0 - 3 * 24 * 3_600_000,
    variables: {},
    ...extra,
  };
}

export function facts(extra: Partial<ConfigurationFacts> = {}): ConfigurationFacts {
  return { routes: [], functions: [], stage: stage(), problems: [], ...extra };
}

export function policyText(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements });
}

export function allowApiGateway(sourceArn: string, sid = 'apigw'): Record<string, unknown> {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: 'apigateway.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Condition: { ArnLike: { 'AWS:SourceArn': sourceArn } },
  };
}
