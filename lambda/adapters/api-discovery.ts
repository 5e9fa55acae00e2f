/**
 * Discovers, read-only, what the responder needs to diagnose an API when its logs are thin or off: the stage's
 * logging settings (execution logging level, data trace, detailed metrics, access log, the account's CloudWatch
 * role), and every Lambda function behind the API (integrations of methods or routes, authorizers, stage variables
 * resolved), with each readable function's timeout, reserved concurrency and resource policy.
 *
 * Bounded: a deadline, a call cap and a few calls in flight. Cached per invocation: one `discover` per alarm (the
 * caller keeps the answer). Never throws for read problems: each becomes a line saying what could not be read and
 * the IAM permission or command that fixes it.
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { functionOfUri } from '../enrich/integration-uri.js';
import type { ApiDiscovery, DiscoveredFunction, StageLogging } from '../enrich/signal-types.js';
import { shellQuote } from '../summarize/remedy.js';
import { parseLambdaTime } from './config-checks.js';

export interface DiscoveryClients {
  readonly apiGateway: APIGatewayClient;
  readonly apiGatewayV2: ApiGatewayV2Client;
  readonly lambda: LambdaClient;
}

export interface DiscoveryRequest {
  readonly api: { readonly type: 'REST' | 'HTTP'; readonly apiId: string; readonly stage: string };
  /** The API's Region and account, for the execute-api source ARNs. */
  readonly region?: string;
  readonly accountId?: string;
  /**
   * Functions the responder may read (the API's `functionNames`); the others get metrics only.
   * @default - every function
   */
  readonly readableFunctions?: readonly string[];
  /** Epoch ms by which every call must be over. */
  readonly deadlineMs: number;
  /**
   * @default Date.now
   */
  readonly now?: () => number;
}

/** The discovery as the responder uses it; never throws for read problems. */
export interface ApiDiscoveryPort {
  discover(request: DiscoveryRequest): Promise<ApiDiscovery>;
}

const SDK = {
  apiGateway: () => import('@aws-sdk/client-api-gateway'),
  apiGatewayV2: () => import('@aws-sdk/client-apigatewayv2'),
  lambda: () => import('@aws-sdk/client-lambda'),
} as const;

/** Most functions read (configuration, concurrency, policy each). */
export const MAX_DISCOVERED_FUNCTIONS = 8;
/** Most GetIntegration calls for REST methods whose integration GetResources did not embed. */
const MAX_INTEGRATION_CALLS = 12;
const MAX_CALLS = 50;

type Failure = 'missing' | 'denied' | 'throttled' | 'budget' | 'other';
type Result<T> = { ok: true; value: T } | { ok: false; kind: Failure; name: string; message: string };

function classify(error: unknown): { kind: Failure; name: string; message: string } {
  const name = error instanceof Error ? error.name : 'UnknownError';
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (name === 'AbortError' || name === 'TimeoutError') return { kind: 'budget', name, message };
  if (name === 'NotFoundException' || name === 'ResourceNotFoundException' || status === 404)
    return { kind: 'missing', name, message };
  if (/AccessDenied|Unauthorized|UnrecognizedClient/.test(name) || status === 401 || status === 403)
    return { kind: 'denied', name, message };
  if (/TooManyRequests|Throttl/.test(name) || status === 429) return { kind: 'throttled', name, message };
  return { kind: 'other', name, message };
}

class Session {
  calls = 0;
  readonly problems: string[] = [];
  private readonly reported = new Set<string>();
  constructor(readonly request: DiscoveryRequest) {}

  now(): number {
    return (this.request.now ?? Date.now)();
  }

  async send<T>(
    service: keyof typeof SDK,
    client: unknown,
    command: string,
    input: object,
    what: { read: string; action: string; cli: string },
  ): Promise<Result<T>> {
    const remaining = this.request.deadlineMs - this.now();
    if (remaining <= 0 || this.calls >= MAX_CALLS) {
      this.report('budget', what, 'budget', '');
      return { ok: false, kind: 'budget', name: 'budget', message: '' };
    }
    this.calls++;
    try {
      const Command = ((await SDK[service]()) as unknown as Record<string, new (input: object) => unknown>)[command];
      if (Command === undefined) throw new Error(`The AWS SDK module of ${service} has no ${command}`);
      const value = await (client as { send(c: unknown, o: { abortSignal: AbortSignal }): Promise<T> }).send(
        new Command(input),
        { abortSignal: AbortSignal.timeout(Math.max(1, Math.ceil(remaining))) },
      );
      return { ok: true, value };
    } catch (error) {
      const c = classify(error);
      return { ok: false, ...c };
    }
  }

  report(kind: Failure, what: { read: string; action: string; cli: string }, name: string, message: string): void {
    const key = `${kind}|${what.action}|${kind === 'denied' ? '' : what.read}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const byHand = `Check by hand: \`${what.cli}\`.`;
    this.problems.push(
      kind === 'denied'
        ? `Could not read ${what.read}: access denied to ${what.action} (${name}); the responder's role needs it (the stack grants it for the configured API and functionNames: redeploy with \`cdk deploy\`). ${byHand}`
        : kind === 'throttled'
          ? `Could not read ${what.read}: throttled (${name}); control-plane read quotas are low and shared by the account. ${byHand}`
          : kind === 'budget'
            ? `Stopped at the time budget before reading ${what.read}. ${byHand}`
            : kind === 'missing'
              ? `Could not read ${what.read}: it does not exist (${name}). ${byHand}`
              : `Could not read ${what.read}: ${name}: ${message.slice(0, 200)}. ${byHand}`,
    );
  }
}

interface FoundFunction {
  name: string;
  arn?: string;
  qualifier?: string;
  via: string[];
  authorizer: boolean;
  route?: { method: string; resource: string };
}

/** Discovers the API's logging settings and functions with the clients it is given. */
export class ApiDiscoveryReader implements ApiDiscoveryPort {
  constructor(private readonly clients: DiscoveryClients) {}

  async discover(request: DiscoveryRequest): Promise<ApiDiscovery> {
    const s = new Session(request);
    try {
      const rest = request.api.type === 'REST';
      const found = rest ? await this.discoverRest(s) : await this.discoverHttp(s);
      const functions = await this.readFunctions(s, found.functions);
      return {
        api: request.api,
        ...(found.logging !== undefined ? { logging: found.logging } : {}),
        ...(found.deploymentId !== undefined ? { deploymentId: found.deploymentId } : {}),
        routes: found.routes,
        functions,
        ...(found.integrationTimeoutMs !== undefined ? { integrationTimeoutMs: found.integrationTimeoutMs } : {}),
        problems: s.problems,
      };
    } catch (error) {
      const { name, message } = classify(error);
      s.problems.push(`Discovering API ${request.api.apiId} failed unexpectedly (${name}: ${message.slice(0, 200)}).`);
      return { api: request.api, routes: [], functions: [], problems: s.problems };
    }
  }

  private sourceArn(s: Session, method: string, resource: string): string | undefined {
    const { region, accountId, api } = s.request;
    if (region === undefined || accountId === undefined) return undefined;
    const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    const path = resource === '$default' ? '$default' : `${method}/${resource.replace(/^\//, '')}`;
    return `arn:${partition}:execute-api:${region}:${accountId}:${api.apiId}/${api.stage}/${path}`;
  }

  private addFunction(
    into: Map<string, FoundFunction>,
    uri: string | undefined,
    variables: Record<string, string> | undefined,
    via: string,
    authorizer: boolean,
    route?: { method: string; resource: string },
  ): boolean {
    if (uri === undefined) return false;
    const r = functionOfUri(uri, variables);
    if (r.kind !== 'function') return false;
    const key = r.fn.qualifier !== undefined ? `${r.fn.name}:${r.fn.qualifier}` : r.fn.name;
    const existing = into.get(key);
    if (existing !== undefined) {
      if (!existing.via.includes(via)) existing.via.push(via);
      return true;
    }
    into.set(key, {
      name: r.fn.name,
      arn: r.fn.arn,
      ...(r.fn.qualifier !== undefined ? { qualifier: r.fn.qualifier } : {}),
      via: [via],
      authorizer,
      ...(route !== undefined ? { route } : {}),
    });
    return true;
  }

  private async discoverRest(s: Session) {
    const { apiId, stage } = s.request.api;
    const gw = this.clients.apiGateway;
    const id = shellQuote(apiId);
    const stageRead = await s.send<{
      deploymentId?: string;
      variables?: Record<string, string>;
      methodSettings?: Record<string, { loggingLevel?: string; dataTraceEnabled?: boolean; metricsEnabled?: boolean }>;
      accessLogSettings?: { destinationArn?: string; format?: string };
    }>(
      'apiGateway',
      gw,
      'GetStageCommand',
      { restApiId: apiId, stageName: stage },
      {
        read: `stage ${stage} of REST API ${apiId} (logging settings)`,
        action: 'apigateway:GET',
        cli: `aws apigateway get-stage --rest-api-id ${id} --stage-name ${shellQuote(stage)}`,
      },
    );
    const account = await s.send<{ cloudwatchRoleArn?: string }>(
      'apiGateway',
      gw,
      'GetAccountCommand',
      {},
      {
        read: "the account's API Gateway settings (CloudWatch role)",
        action: 'apigateway:GET on arn:aws:apigateway:REGION::/account',
        cli: 'aws apigateway get-account',
      },
    );
    let logging: StageLogging | undefined;
    let variables: Record<string, string> | undefined;
    let deploymentId: string | undefined;
    if (stageRead.ok) {
      const all = stageRead.value.methodSettings?.['*/*'];
      const access = stageRead.value.accessLogSettings;
      variables = stageRead.value.variables;
      deploymentId = stageRead.value.deploymentId;
      const anyMetrics = Object.values(stageRead.value.methodSettings ?? {}).some((m) => m.metricsEnabled === true);
      logging = {
        ...(all?.loggingLevel !== undefined ? { executionLevel: all.loggingLevel } : {}),
        ...(all?.dataTraceEnabled !== undefined ? { dataTrace: all.dataTraceEnabled } : {}),
        detailedMetrics: anyMetrics,
        ...(access?.destinationArn !== undefined && access.destinationArn !== ''
          ? { accessLogArn: access.destinationArn }
          : {}),
        ...(access?.format !== undefined ? { accessLogFormat: access.format } : {}),
        ...(account.ok ? { cloudwatchRoleArn: account.value.cloudwatchRoleArn ?? null } : {}),
      };
    } else {
      s.report(
        stageRead.kind,
        {
          read: `stage ${stage} of REST API ${apiId} (logging settings)`,
          action: 'apigateway:GET',
          cli: `aws apigateway get-stage --rest-api-id ${id} --stage-name ${shellQuote(stage)}`,
        },
        stageRead.name,
        stageRead.message,
      );
    }
    if (!account.ok && account.kind !== 'missing') {
      s.report(
        account.kind,
        {
          read: "the account's API Gateway settings (CloudWatch role)",
          action: 'apigateway:GET on arn:aws:apigateway:REGION::/account',
          cli: 'aws apigateway get-account',
        },
        account.name,
        account.message,
      );
    }

    const functions = new Map<string, FoundFunction>();
    const routes: { method: string; resource: string }[] = [];
    type Method = { httpMethod?: string; authorizerId?: string; methodIntegration?: { uri?: string; type?: string } };
    const resources: { id?: string; path?: string; resourceMethods?: Record<string, Method> }[] = [];
    let position: string | undefined;
    for (let page = 0; page < 2; page++) {
      const r = await s.send<{ items?: typeof resources; position?: string }>(
        'apiGateway',
        gw,
        'GetResourcesCommand',
        { restApiId: apiId, embed: ['methods'], limit: 500, ...(position !== undefined ? { position } : {}) },
        {
          read: `the resources and integrations of REST API ${apiId}`,
          action: 'apigateway:GET',
          cli: `aws apigateway get-resources --rest-api-id ${id} --embed methods`,
        },
      );
      if (!r.ok) {
        s.report(
          r.kind,
          {
            read: `the resources and integrations of REST API ${apiId}`,
            action: 'apigateway:GET',
            cli: `aws apigateway get-resources --rest-api-id ${id} --embed methods`,
          },
          r.name,
          r.message,
        );
        break;
      }
      resources.push(...(r.value.items ?? []));
      position = r.value.position;
      if (position === undefined || position === '') break;
    }
    let integrationCalls = 0;
    for (const resource of resources) {
      for (const [method, m] of Object.entries(resource.resourceMethods ?? {})) {
        if (method === 'OPTIONS' || resource.path === undefined) continue;
        let uri = m.methodIntegration?.uri;
        if (
          m.methodIntegration === undefined &&
          resource.id !== undefined &&
          integrationCalls < MAX_INTEGRATION_CALLS
        ) {
          integrationCalls++;
          const i = await s.send<{ uri?: string }>(
            'apiGateway',
            gw,
            'GetIntegrationCommand',
            { restApiId: apiId, resourceId: resource.id, httpMethod: method },
            {
              read: `the integration of ${method} ${resource.path}`,
              action: 'apigateway:GET',
              cli: `aws apigateway get-integration --rest-api-id ${id} --resource-id ${shellQuote(resource.id)} --http-method ${method}`,
            },
          );
          if (i.ok) uri = i.value.uri;
        }
        if (uri === undefined) continue;
        const route = { method, resource: resource.path };
        if (this.addFunction(functions, uri, variables, `${method} ${resource.path}`, false, route)) routes.push(route);
      }
    }
    const auth = await s.send<{ items?: { id?: string; name?: string; authorizerUri?: string }[] }>(
      'apiGateway',
      gw,
      'GetAuthorizersCommand',
      { restApiId: apiId },
      {
        read: `the authorizers of REST API ${apiId}`,
        action: 'apigateway:GET',
        cli: `aws apigateway get-authorizers --rest-api-id ${id}`,
      },
    );
    if (auth.ok) {
      for (const a of auth.value.items ?? [])
        this.addFunction(functions, a.authorizerUri, variables, `authorizer ${a.name ?? a.id ?? ''}`, true);
    }
    return { logging, deploymentId, routes, functions: [...functions.values()], integrationTimeoutMs: undefined };
  }

  private async discoverHttp(s: Session) {
    const { apiId, stage } = s.request.api;
    const gw = this.clients.apiGatewayV2;
    const id = shellQuote(apiId);
    const stageInfo = {
      read: `stage ${stage} of HTTP API ${apiId} (logging settings)`,
      action: 'apigateway:GET',
      cli: `aws apigatewayv2 get-stage --api-id ${id} --stage-name ${shellQuote(stage)}`,
    };
    const stageRead = await s.send<{
      DeploymentId?: string;
      StageVariables?: Record<string, string>;
      AccessLogSettings?: { DestinationArn?: string; Format?: string };
      DefaultRouteSettings?: { DetailedMetricsEnabled?: boolean; DataTraceEnabled?: boolean };
    }>('apiGatewayV2', gw, 'GetStageCommand', { ApiId: apiId, StageName: stage }, stageInfo);
    let logging: StageLogging | undefined;
    let variables: Record<string, string> | undefined;
    let deploymentId: string | undefined;
    if (stageRead.ok) {
      const v = stageRead.value;
      variables = v.StageVariables;
      deploymentId = v.DeploymentId;
      logging = {
        detailedMetrics: v.DefaultRouteSettings?.DetailedMetricsEnabled === true,
        ...(v.AccessLogSettings?.DestinationArn !== undefined && v.AccessLogSettings.DestinationArn !== ''
          ? { accessLogArn: v.AccessLogSettings.DestinationArn }
          : {}),
        ...(v.AccessLogSettings?.Format !== undefined ? { accessLogFormat: v.AccessLogSettings.Format } : {}),
      };
    } else s.report(stageRead.kind, stageInfo, stageRead.name, stageRead.message);

    const routesInfo = {
      read: `the routes of HTTP API ${apiId}`,
      action: 'apigateway:GET',
      cli: `aws apigatewayv2 get-routes --api-id ${id}`,
    };
    const integrationsInfo = {
      read: `the integrations of HTTP API ${apiId}`,
      action: 'apigateway:GET',
      cli: `aws apigatewayv2 get-integrations --api-id ${id}`,
    };
    const [routesRead, integrationsRead, authRead] = await Promise.all([
      s.send<{ Items?: { RouteKey?: string; Target?: string; AuthorizerId?: string }[] }>(
        'apiGatewayV2',
        gw,
        'GetRoutesCommand',
        { ApiId: apiId, MaxResults: '500' },
        routesInfo,
      ),
      s.send<{ Items?: { IntegrationId?: string; IntegrationUri?: string; TimeoutInMillis?: number }[] }>(
        'apiGatewayV2',
        gw,
        'GetIntegrationsCommand',
        { ApiId: apiId, MaxResults: '500' },
        integrationsInfo,
      ),
      s.send<{ Items?: { AuthorizerId?: string; Name?: string; AuthorizerUri?: string }[] }>(
        'apiGatewayV2',
        gw,
        'GetAuthorizersCommand',
        { ApiId: apiId },
        {
          read: `the authorizers of HTTP API ${apiId}`,
          action: 'apigateway:GET',
          cli: `aws apigatewayv2 get-authorizers --api-id ${id}`,
        },
      ),
    ]);
    if (!routesRead.ok) s.report(routesRead.kind, routesInfo, routesRead.name, routesRead.message);
    if (!integrationsRead.ok)
      s.report(integrationsRead.kind, integrationsInfo, integrationsRead.name, integrationsRead.message);
    const integrations = new Map(
      (integrationsRead.ok ? (integrationsRead.value.Items ?? []) : []).map((i) => [i.IntegrationId ?? '', i]),
    );
    const functions = new Map<string, FoundFunction>();
    const routes: { method: string; resource: string }[] = [];
    let integrationTimeoutMs: number | undefined;
    for (const r of routesRead.ok ? (routesRead.value.Items ?? []) : []) {
      const integrationId = /^integrations\/(.+)$/.exec(r.Target ?? '')?.[1];
      const integration = integrationId !== undefined ? integrations.get(integrationId) : undefined;
      if (integration?.IntegrationUri === undefined || r.RouteKey === undefined) continue;
      const space = r.RouteKey.indexOf(' ');
      const route =
        space > 0
          ? { method: r.RouteKey.slice(0, space), resource: r.RouteKey.slice(space + 1) }
          : { method: 'ANY', resource: r.RouteKey };
      if (this.addFunction(functions, integration.IntegrationUri, variables, r.RouteKey, false, route)) {
        routes.push(route);
        const t = integration.TimeoutInMillis;
        if (t !== undefined && (integrationTimeoutMs === undefined || t < integrationTimeoutMs))
          integrationTimeoutMs = t;
      }
    }
    if (authRead.ok) {
      for (const a of authRead.value.Items ?? [])
        this.addFunction(functions, a.AuthorizerUri, variables, `authorizer ${a.Name ?? a.AuthorizerId ?? ''}`, true);
    }
    return { logging, deploymentId, routes, functions: [...functions.values()], integrationTimeoutMs };
  }

  private async readFunctions(s: Session, found: readonly FoundFunction[]): Promise<DiscoveredFunction[]> {
    const readable = s.request.readableFunctions;
    const out: DiscoveredFunction[] = [];
    const notReadable: string[] = [];
    const lambda = this.clients.lambda;
    const reads = found.slice(0, MAX_DISCOVERED_FUNCTIONS).map(async (f): Promise<DiscoveredFunction> => {
      const sourceArn = f.route !== undefined ? this.sourceArn(s, f.route.method, f.route.resource) : undefined;
      const base = {
        name: f.name,
        ...(f.arn !== undefined ? { arn: f.arn } : {}),
        ...(f.qualifier !== undefined ? { qualifier: f.qualifier } : {}),
        via: f.via,
        authorizer: f.authorizer,
        ...(sourceArn !== undefined ? { sourceArn } : {}),
        ...(f.route !== undefined ? { route: f.route } : {}),
      };
      if (readable !== undefined && !readable.includes(f.name)) {
        notReadable.push(f.name);
        return { ...base, state: 'not_readable' };
      }
      const fn = shellQuote(f.arn ?? f.name);
      const q = f.qualifier !== undefined ? ` --qualifier ${shellQuote(f.qualifier)}` : '';
      const info = (action: string, cli: string) => ({
        read: `${action === 'GetPolicy' ? 'the resource policy' : action === 'GetFunctionConcurrency' ? 'the reserved concurrency' : 'the configuration'} of function ${f.name}`,
        action: `lambda:${action}`,
        cli: `aws lambda ${cli}`,
      });
      const id = f.arn ?? f.name;
      const [config, concurrency, policy] = await Promise.all([
        s.send<{ Timeout?: number; LastModified?: string }>(
          'lambda',
          lambda,
          'GetFunctionConfigurationCommand',
          { FunctionName: id, ...(f.qualifier !== undefined ? { Qualifier: f.qualifier } : {}) },
          info('GetFunctionConfiguration', `get-function-configuration --function-name ${fn}${q}`),
        ),
        s.send<{ ReservedConcurrentExecutions?: number }>(
          'lambda',
          lambda,
          'GetFunctionConcurrencyCommand',
          { FunctionName: id },
          info('GetFunctionConcurrency', `get-function-concurrency --function-name ${fn}`),
        ),
        f.authorizer
          ? undefined
          : s.send<{ Policy?: string }>(
              'lambda',
              lambda,
              'GetPolicyCommand',
              { FunctionName: id, ...(f.qualifier !== undefined ? { Qualifier: f.qualifier } : {}) },
              info('GetPolicy', `get-policy --function-name ${fn}${q}`),
            ),
      ]);
      if (!config.ok) {
        if (config.kind !== 'missing')
          s.report(
            config.kind,
            info('GetFunctionConfiguration', `get-function-configuration --function-name ${fn}${q}`),
            config.name,
            config.message,
          );
        return { ...base, state: config.kind === 'missing' ? 'missing' : 'failed' };
      }
      if (!concurrency.ok)
        s.report(
          concurrency.kind,
          info('GetFunctionConcurrency', `get-function-concurrency --function-name ${fn}`),
          concurrency.name,
          concurrency.message,
        );
      if (policy !== undefined && !policy.ok && policy.kind !== 'missing')
        s.report(policy.kind, info('GetPolicy', `get-policy --function-name ${fn}${q}`), policy.name, policy.message);
      const lastModified = parseLambdaTime(config.value.LastModified);
      const policyText = policy?.ok === true ? policy.value.Policy : undefined;
      return {
        ...base,
        state: 'found',
        ...(config.value.Timeout !== undefined ? { timeoutSec: config.value.Timeout } : {}),
        ...(concurrency.ok ? { reservedConcurrency: concurrency.value.ReservedConcurrentExecutions ?? null } : {}),
        ...(lastModified !== undefined ? { lastModified } : {}),
        ...(policy === undefined
          ? {}
          : policy.ok
            ? policyText !== undefined && policyText !== ''
              ? { policyState: 'found' as const, policy: policyText }
              : { policyState: 'missing' as const }
            : { policyState: policy.kind === 'missing' ? ('missing' as const) : ('failed' as const) }),
      };
    });
    out.push(...(await Promise.all(reads)));
    if (found.length > MAX_DISCOVERED_FUNCTIONS)
      s.problems.push(
        `The API has ${found.length} functions behind it; the first ${MAX_DISCOVERED_FUNCTIONS} were read: ${found
          .slice(MAX_DISCOVERED_FUNCTIONS)
          .map((f) => f.name)
          .join(', ')} were left out.`,
      );
    if (notReadable.length > 0)
      s.problems.push(
        `Found behind the API but not among its configured functionNames, so only their metrics were read (not their timeout, reserved concurrency or resource policy): ${[...new Set(notReadable)].join(', ')}. Add them to functionNames and run \`cdk deploy\`.`,
      );
    return out;
  }
}
