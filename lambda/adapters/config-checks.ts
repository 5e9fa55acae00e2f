/**
 * Reads, read-only, the parts of the live API Gateway and Lambda configuration that can confirm or contradict a
 * diagnosis (lambda/enrich): the failing routes' methods and integrations, VPC links, the stage and its deployment,
 * and the implicated functions' configuration, alias and resource policy. Every call is bounded by the deadline;
 * read problems (access denied, not found where it matters, throttling, the budget) never throw: they become
 * `failed` facts plus a problem line with the fix, and the causes they touch stay "from logs only".
 *
 * REST APIs (API Gateway v1) and HTTP APIs (v2) answer the same questions with differently cased fields
 * (`deploymentId` / `DeploymentId`); the reads below share one path and take the field of either casing.
 */
import type { APIGatewayClient, Integration as RestIntegration } from '@aws-sdk/client-api-gateway';
import type { ApiGatewayV2Client, GetIntegrationCommandOutput as HttpIntegration } from '@aws-sdk/client-apigatewayv2';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { functionOfUri, resolveStageVariables } from '../enrich/integration-uri.js';
import { functionKey, MAX_FUNCTIONS, routeKey } from '../enrich/plan.js';
import { matchTemplate } from '../enrich/resource-match.js';
import type {
  CheckPlan,
  ConfigurationFacts,
  ConfigurationReaderPort,
  ConfigurationReadLimits,
  FunctionFacts,
  FunctionRef,
  IntegrationFacts,
  ReadState,
  RouteFacts,
  RouteRef,
  StageFacts,
  VpcLinkFacts,
} from '../enrich/types.js';
import { shellQuote } from '../summarize/remedy.js';

/** The SDK clients the reader calls; give them the responder's Region and the SDK's default retries. */
export interface ConfigurationClients {
  readonly apiGateway: APIGatewayClient;
  readonly apiGatewayV2: ApiGatewayV2Client;
  readonly lambda: LambdaClient;
}

/**
 * The SDK modules the commands come from, loaded when first used (lambda/adapters/lazy-clients.ts): importing
 * this module loads no AWS SDK code.
 */
const SDK: Record<keyof ConfigurationClients, () => Promise<object>> = {
  apiGateway: () => import('@aws-sdk/client-api-gateway'),
  apiGatewayV2: () => import('@aws-sdk/client-apigatewayv2'),
  lambda: () => import('@aws-sdk/client-lambda'),
};

export interface ConfigurationReaderOptions {
  /**
   * Most GetResources / GetRoutes pages (500 / 100 items each) read to find the failing routes.
   * @default 4
   */
  readonly maxPages?: number;
  /**
   * Most calls one read makes, every service together.
   * @default 60
   */
  readonly maxCalls?: number;
  /**
   * Calls in flight at once (API Gateway's control-plane GET quota is low and shared by the account).
   * @default 3
   */
  readonly concurrency?: number;
}

type FailureKind = 'missing' | 'denied' | 'throttled' | 'budget' | 'other';

type CallResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly kind: FailureKind; readonly error?: unknown };

/** What a call reads, for the problem line when it fails. */
interface CallInfo {
  /** "the integration of GET /orders/{id}". */
  readonly what: string;
  /** The IAM action, `apigateway:GET` or `lambda:GetPolicy`. */
  readonly action: string;
  /** The command that reads the same by hand. */
  readonly cli: string;
  /** What to change so the responder may read it (for access denied). */
  readonly grant: string;
}

type PlanApi = NonNullable<CheckPlan['api']>;

/** A stage, deployment or VPC link as REST (v1) or HTTP APIs (v2) return it: each field in one of its casings. */
interface ApiAnswer {
  deploymentId?: string;
  DeploymentId?: string;
  lastUpdatedDate?: Date;
  LastUpdatedDate?: Date;
  createdDate?: Date;
  CreatedDate?: Date;
  variables?: Record<string, string>;
  StageVariables?: Record<string, string>;
  name?: string;
  Name?: string;
  status?: string;
  VpcLinkStatus?: string;
  statusMessage?: string;
  VpcLinkStatusMessage?: string;
}

class DeadlineReachedError extends Error {
  constructor() {
    super('The configuration check reached its deadline');
    this.name = 'DeadlineReachedError';
  }
}

/** `object` without its undefined-valued keys: a fact the answer did not have is absent, not `undefined`. */
function compact<T extends object>(object: T): T {
  for (const key in object) if (object[key] === undefined) delete object[key];
  return object;
}

function errorFacts(error: unknown): { name: string; message: string; status?: number } {
  if (error instanceof Error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return compact({ name: error.name, message: error.message, status });
  }
  return { name: 'UnknownError', message: String(error) };
}

const DENIED_NAMES = ['AccessDeniedException', 'AccessDenied', 'UnauthorizedException', 'UnrecognizedClientException'];

function failureKind(error: unknown): FailureKind {
  if (error instanceof DeadlineReachedError) return 'budget';
  const { name, status } = errorFacts(error);
  if (name === 'NotFoundException' || name === 'ResourceNotFoundException' || status === 404) return 'missing';
  if (DENIED_NAMES.includes(name) || status === 401 || status === 403) return 'denied';
  if (name === 'TooManyRequestsException' || name === 'ThrottlingException' || status === 429) return 'throttled';
  return 'other';
}

/** Lambda's `LastModified` ("2019-09-24T18:20:35.054+0000", sometimes with more fraction digits) as epoch ms. */
export function parseLambdaTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)$/.exec(value);
  if (m === null) {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : t;
  }
  const ms = (m[2] ?? '').padEnd(3, '0').slice(0, 3);
  const zone = m[3] === 'Z' || m[3] === undefined ? 'Z' : m[3].replace(/^([+-]\d\d):?(\d\d)$/, '$1:$2');
  const t = Date.parse(`${m[1]}.${ms}${zone}`);
  return Number.isNaN(t) ? undefined : t;
}

function time(date: Date | undefined): number | undefined {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date.getTime() : undefined;
}

/**
 * Runs one part of the read; an unexpected error (a malformed answer, a bug here) becomes a problem and the
 * fallback, so the caller still gets every other fact and the notification is never blocked.
 */
async function guard<T>(s: ReadSession, what: string, fallback: T, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const { name, message } = errorFacts(error);
    s.problems.push(
      `Reading ${what} failed unexpectedly (${name}: ${message.slice(0, 200)}); it is reported from the logs only.`,
    );
    return fallback;
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** One read: its deadline, call count and problems. */
class ReadSession {
  calls = 0;
  readonly problems: string[] = [];
  private readonly seen = new Set<string>();

  constructor(
    readonly limits: ConfigurationReadLimits,
    private readonly maxCalls: number,
  ) {}

  now(): number {
    return (this.limits.now ?? Date.now)();
  }

  /** Sends with an abort signal and gives up at the deadline even if the call ignores the signal. */
  async call<T>(info: CallInfo, send: (signal: AbortSignal) => Promise<T>): Promise<CallResult<T>> {
    const remainingMs = this.limits.deadlineMs - this.now();
    if (remainingMs <= 0 || this.calls >= this.maxCalls) {
      this.report(info, 'budget');
      return { ok: false, kind: 'budget' };
    }
    this.calls++;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new DeadlineReachedError());
      }, remainingMs);
    });
    try {
      return { ok: true, value: await Promise.race([send(controller.signal), deadline]) };
    } catch (error) {
      const kind = controller.signal.aborted ? 'budget' : failureKind(error);
      return { ok: false, kind, error };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Adds the problem line for a failed call (once per kind and action: a denied API is one line, not ten). */
  report(info: CallInfo, kind: FailureKind, error?: unknown): void {
    const key = `${kind}|${info.action}|${kind === 'denied' || kind === 'budget' ? info.grant : info.what}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const facts = error !== undefined ? errorFacts(error) : undefined;
    const byHand = `Check by hand: \`${info.cli}\`.`;
    const could = `Could not read ${info.what}:`;
    this.problems.push(
      kind === 'denied'
        ? `${could} access denied to ${info.action} (${facts?.name ?? 'AccessDenied'}). ${info.grant} ${byHand}`
        : kind === 'throttled'
          ? `${could} throttled (${facts?.name ?? 'TooManyRequestsException'}); control-plane read quotas are low and shared by the account. ${byHand}`
          : kind === 'budget'
            ? `Configuration checks stopped at their time budget before reading ${info.what}; what was not read is reported from the logs only. ${byHand}`
            : kind === 'missing'
              ? `${could} it does not exist (${facts?.name ?? 'NotFound'}). ${byHand}`
              : `${could} ${facts?.name ?? 'Error'}: ${(facts?.message ?? '').slice(0, 200)}. ${byHand}`,
    );
  }
}

/** A route as found in the API's definition. */
interface RouteEntry {
  readonly resourceId?: string;
  readonly path: string;
  readonly methods?: readonly string[];
  /** HTTP API. */
  readonly routeKey?: string;
  readonly target?: string;
  readonly authorizerId?: string;
}

/** What one read says about the watched API: REST (v1) or HTTP (v2), its client, names and CLI. */
class ApiReads {
  readonly rest: boolean;
  /** "REST API a1b2c3d4e5". */
  readonly label: string;
  readonly service: 'apiGateway' | 'apiGatewayV2';

  constructor(readonly api: PlanApi) {
    this.rest = api.type === 'REST';
    this.label = `${api.type} API ${api.apiId}`;
    this.service = this.rest ? 'apiGateway' : 'apiGatewayV2';
  }

  /** The command's input with the API's id under the name this API version uses. */
  input(fields: object): object {
    return { ...(this.rest ? { restApiId: this.api.apiId } : { ApiId: this.api.apiId }), ...fields };
  }

  /** `aws apigateway get-stage --rest-api-id ID ARGS` (or `aws apigatewayv2 ... --api-id ID ARGS`). */
  info(what: string, verb: string, args = ''): CallInfo {
    const { apiId } = this.api;
    return {
      what,
      action: 'apigateway:GET',
      cli: `aws apigateway${this.rest ? ` ${verb} --rest-api-id` : `v2 ${verb} --api-id`} ${apiId}${args}`,
      grant:
        `The stack grants apigateway:GET only on the configured APIs (arn:aws:apigateway:REGION::/${this.rest ? 'restapis' : 'apis'}/${apiId}/*): ` +
        'add this API to the configuration and run `cdk deploy`; if it is configured, look for a service control policy or permissions boundary that denies apigateway:GET.',
    };
  }
}

/**
 * Reads the configuration a {@link CheckPlan} asks for. Needs `apigateway:GET` on the API
 * (`arn:aws:apigateway:REGION::/restapis/ID/*` or `/apis/ID/*`) and its VPC links (`/vpclinks/*`), and
 * `lambda:GetFunctionConfiguration`, `lambda:GetPolicy`, `lambda:GetAlias` on the functions (and their qualifiers).
 */
export class ConfigurationReader implements ConfigurationReaderPort {
  private readonly maxPages: number;
  private readonly maxCalls: number;
  private readonly concurrency: number;

  constructor(
    private readonly clients: ConfigurationClients,
    options: ConfigurationReaderOptions = {},
  ) {
    this.maxPages = Math.max(1, options.maxPages ?? 4);
    this.maxCalls = Math.max(1, options.maxCalls ?? 60);
    this.concurrency = Math.max(1, options.concurrency ?? 3);
  }

  /** Reads what the plan asks for; never throws for read problems (see `problems` and the `failed` states). */
  async read(plan: CheckPlan, limits: ConfigurationReadLimits): Promise<ConfigurationFacts> {
    const session = new ReadSession(limits, this.maxCalls);
    let stage: StageFacts | undefined;
    let routes: RouteFacts[] = [];
    if (plan.api !== undefined) {
      const a = new ApiReads(plan.api);
      stage = await guard(session, `stage ${a.api.stage}`, { state: 'failed', name: a.api.stage }, () =>
        this.readStage(a, session),
      );
      const failed = plan.routes.map((ref): RouteFacts => ({ ref, state: 'failed' }));
      routes = await guard(session, `the routes of API ${a.api.apiId}`, failed, () =>
        this.readRoutes(a, plan.routes, stage, session),
      );
      routes = await mapLimit(routes, this.concurrency, (route) =>
        guard(session, `the authorizer of ${routeKey(route.ref)}`, route, () => this.withAuthorizer(a, route, session)),
      );
    }
    const refs = new Map<string, FunctionRef>(plan.functions.map((f) => [functionKey(f), f]));
    const named: Array<{ uri: string; policy: boolean }> = [];
    for (const route of routes) {
      const uri = route.integration?.uri;
      if (route.ref.resolveFunction !== undefined && uri !== undefined)
        named.push({ uri, policy: route.ref.resolveFunction === 'policy' });
      if (route.authorizerUri !== undefined) named.push({ uri: route.authorizerUri, policy: true });
    }
    for (const { uri, policy } of named) {
      const resolved = functionOfUri(uri, stage?.variables);
      if (resolved.kind !== 'function') continue;
      const key = functionKey(resolved.fn);
      const existing = refs.get(key);
      if (existing !== undefined) {
        if (policy && !existing.policy) refs.set(key, { ...existing, policy });
      } else if (refs.size < MAX_FUNCTIONS + plan.routes.length) {
        const { name, arn, qualifier } = resolved.fn;
        refs.set(key, compact({ name, arn, policy, qualifier }));
      }
    }
    const functions = await mapLimit([...refs.values()], this.concurrency, (ref) =>
      guard(session, `function ${functionKey(ref)}`, { ref, state: 'failed' }, () =>
        this.readFunction(ref, plan.readableFunctions, session),
      ),
    );
    return compact({ routes, functions, stage, problems: session.problems });
  }

  /** Sends one command (its class from the SDK module, loaded on first use) within the session's limits. */
  private async send<T>(
    s: ReadSession,
    info: CallInfo,
    service: keyof ConfigurationClients,
    command: string,
    input: object,
  ): Promise<CallResult<T>> {
    const Command = ((await SDK[service]()) as Record<string, new (input: object) => unknown>)[command];
    if (Command === undefined) throw new Error(`The AWS SDK module of ${service} has no ${command}`);
    const client = this.clients[service] as unknown as {
      send(command: unknown, options: { abortSignal: AbortSignal }): Promise<T>;
    };
    return s.call(info, (abortSignal) => client.send(new Command(input), { abortSignal }));
  }

  /** Sends a command of the watched API's version; a failure other than `missing` is reported. */
  private async apiSend<T>(
    a: ApiReads,
    s: ReadSession,
    info: CallInfo,
    command: string,
    fields: object,
  ): Promise<CallResult<T>> {
    const r = await this.send<T>(s, info, a.service, command, a.input(fields));
    if (!r.ok && r.kind !== 'missing') s.report(info, r.kind, r.error);
    return r;
  }

  // ---- API Gateway: the stage and its deployment --------------------------------------------------------------

  private async readStage(a: ApiReads, s: ReadSession): Promise<StageFacts> {
    const { api, rest, label } = a;
    const info = a.info(`stage ${api.stage} of ${label}`, 'get-stage', ` --stage-name ${shellQuote(api.stage)}`);
    const r = await this.apiSend<ApiAnswer>(
      a,
      s,
      info,
      'GetStageCommand',
      rest ? { stageName: api.stage } : { StageName: api.stage },
    );
    if (!r.ok) {
      if (r.kind === 'missing') s.report(info, r.kind, r.error);
      return { state: r.kind === 'missing' ? 'missing' : 'failed', name: api.stage };
    }
    const stage = r.value;
    const deploymentId = stage.deploymentId ?? stage.DeploymentId;
    let deploymentCreated: number | undefined;
    if (deploymentId !== undefined) {
      const dInfo = a.info(
        `deployment ${deploymentId} of ${label}`,
        'get-deployment',
        ` --deployment-id ${shellQuote(deploymentId)}`,
      );
      const d = await this.apiSend<ApiAnswer>(
        a,
        s,
        dInfo,
        'GetDeploymentCommand',
        rest ? { deploymentId } : { DeploymentId: deploymentId },
      );
      if (d.ok) deploymentCreated = time(d.value.createdDate ?? d.value.CreatedDate);
      else if (d.kind === 'missing') s.report(dInfo, d.kind, d.error);
    }
    return compact({
      state: 'found' as const,
      name: api.stage,
      deploymentId,
      lastUpdated: time(stage.lastUpdatedDate ?? stage.LastUpdatedDate),
      created: time(stage.createdDate ?? stage.CreatedDate),
      deploymentCreated,
      variables: stage.variables ?? stage.StageVariables ?? {},
    });
  }

  /** The route with its Lambda authorizer's URI, when the plan asks for it and the route has an authorizer. */
  private async withAuthorizer(a: ApiReads, route: RouteFacts, s: ReadSession): Promise<RouteFacts> {
    if (route.ref.resolveAuthorizer !== true || route.state !== 'found' || route.authorizerId === undefined)
      return route;
    const id = route.authorizerId;
    const info = a.info(`authorizer ${id} of ${a.label}`, 'get-authorizer', ` --authorizer-id ${shellQuote(id)}`);
    const r = await this.apiSend<{ authorizerUri?: string; AuthorizerUri?: string }>(
      a,
      s,
      info,
      'GetAuthorizerCommand',
      a.rest ? { authorizerId: id } : { AuthorizerId: id },
    );
    if (!r.ok) {
      if (r.kind === 'missing') s.report(info, r.kind, r.error);
      return route;
    }
    const authorizerUri = r.value.authorizerUri ?? r.value.AuthorizerUri;
    return authorizerUri !== undefined ? { ...route, authorizerUri } : route;
  }

  // ---- API Gateway: the failing routes ------------------------------------------------------------------------

  /** The API's resources (REST) or routes (HTTP API), page by page up to `maxPages`. */
  private async listRoutes(
    a: ApiReads,
    s: ReadSession,
  ): Promise<{ entries: RouteEntry[]; complete: boolean } | undefined> {
    const entries: RouteEntry[] = [];
    const { rest, label } = a;
    const info = rest
      ? a.info(`the resources of ${label}`, 'get-resources')
      : a.info(`the routes of ${label}`, 'get-routes');
    let token: string | undefined;
    for (let page = 0; page < this.maxPages; page++) {
      const r = await this.apiSend<{
        items?: Array<{ id?: string; path?: string; resourceMethods?: object }>;
        position?: string;
        Items?: Array<{ RouteKey?: string; Target?: string; AuthorizerId?: string }>;
        NextToken?: string;
      }>(
        a,
        s,
        info,
        rest ? 'GetResourcesCommand' : 'GetRoutesCommand',
        rest ? { limit: 500, position: token } : { MaxResults: '100', NextToken: token },
      );
      if (!r.ok) {
        if (r.kind === 'missing') s.report(info, r.kind, r.error);
        return undefined;
      }
      for (const item of r.value.items ?? []) {
        if (item.path === undefined) continue;
        entries.push(
          compact({
            path: item.path,
            resourceId: item.id,
            methods: item.resourceMethods !== undefined ? Object.keys(item.resourceMethods) : undefined,
          }),
        );
      }
      for (const item of r.value.Items ?? []) {
        const key = item.RouteKey;
        if (key === undefined) continue;
        const space = key.indexOf(' ');
        entries.push(
          compact({
            routeKey: key,
            path: space > 0 ? key.slice(space + 1) : key,
            methods: [space > 0 ? key.slice(0, space) : 'ANY'],
            target: item.Target,
            authorizerId: item.AuthorizerId,
          }),
        );
      }
      token = r.value.position ?? r.value.NextToken;
      if (token === undefined || token === '') return { entries, complete: true };
    }
    return { entries, complete: false };
  }

  private async readRoutes(
    a: ApiReads,
    refs: readonly RouteRef[],
    stage: StageFacts | undefined,
    s: ReadSession,
  ): Promise<RouteFacts[]> {
    if (refs.length === 0) return [];
    const listed = await this.listRoutes(a, s);
    if (listed === undefined) return refs.map((ref) => ({ ref, state: 'failed' }));
    const templates = listed.entries.map((e) => e.path);
    return mapLimit(refs, this.concurrency, async (ref): Promise<RouteFacts> => {
      let entry: RouteEntry | undefined;
      if (a.rest) {
        const template = matchTemplate(templates, ref.path);
        entry = listed.entries.find((e) => e.path === template && e.resourceId !== undefined);
      } else entry = httpRouteFor(listed.entries, ref);
      if (entry === undefined) {
        if (!listed.complete) {
          s.problems.push(
            `${a.label} has more ${a.rest ? 'resources' : 'routes'} than the ${this.maxPages} page(s) read: ${routeKey(ref)} was not found among them and is reported from the logs only.`,
          );
          return { ref, state: 'failed' };
        }
        return { ref, state: 'missing' };
      }
      if (!a.rest) return this.readHttpRoute(a, ref, entry, stage, s);
      // The method that serves the request: the logged one, else ANY (API Gateway's catch-all method).
      const candidates =
        entry.methods !== undefined
          ? [ref.method, 'ANY'].filter((m) => entry.methods?.includes(m))
          : [...new Set([ref.method, 'ANY'])];
      for (const method of candidates) {
        const facts = await this.readRestMethod(a, ref, entry, method, stage, s);
        if (facts.state !== 'missing') return facts;
      }
      return { ref, state: 'missing', resourcePath: entry.path, resourceId: entry.resourceId };
    });
  }

  private async readRestMethod(
    a: ApiReads,
    ref: RouteRef,
    entry: RouteEntry,
    method: string,
    stage: StageFacts | undefined,
    s: ReadSession,
  ): Promise<RouteFacts> {
    const resourceId = entry.resourceId ?? '';
    const of = `of ${method} ${entry.path} (${a.label})`;
    const args = ` --resource-id ${shellQuote(resourceId)} --http-method ${shellQuote(method)}`;
    const input = { resourceId, httpMethod: method };
    const r = await this.apiSend<{
      authorizerId?: string;
      methodResponses?: object;
      methodIntegration?: RestIntegration;
    }>(a, s, a.info(`the method and integration ${of}`, 'get-method', args), 'GetMethodCommand', input);
    const base = { ref, resourcePath: entry.path, resourceId, method };
    if (!r.ok) return { ...base, state: r.kind === 'missing' ? 'missing' : 'failed' };
    let integration = r.value.methodIntegration;
    if (integration === undefined) {
      const i = await this.apiSend<RestIntegration>(
        a,
        s,
        a.info(`the integration ${of}`, 'get-integration', args),
        'GetIntegrationCommand',
        input,
      );
      if (i.ok) integration = i.value;
      else if (i.kind !== 'missing') return { ...base, state: 'failed' };
    }
    const methodResponses = r.value.methodResponses;
    return this.withIntegration(
      a,
      compact({
        ...base,
        state: 'found' as const,
        authorizerId: r.value.authorizerId,
        methodResponses: methodResponses !== undefined ? Object.keys(methodResponses) : undefined,
      }),
      integration,
      stage,
      s,
    );
  }

  private async readHttpRoute(
    a: ApiReads,
    ref: RouteRef,
    entry: RouteEntry,
    stage: StageFacts | undefined,
    s: ReadSession,
  ): Promise<RouteFacts> {
    const base = compact({
      ref,
      resourcePath: entry.path,
      method: entry.methods?.[0] ?? ref.method,
      authorizerId: entry.authorizerId,
      state: 'found' as ReadState,
    });
    const integrationId = /^integrations\/(.+)$/.exec(entry.target ?? '')?.[1];
    if (integrationId === undefined) return base;
    const r = await this.apiSend<HttpIntegration>(
      a,
      s,
      a.info(
        `the integration of ${entry.routeKey ?? routeKey(ref)} (${a.label})`,
        'get-integration',
        ` --integration-id ${shellQuote(integrationId)}`,
      ),
      'GetIntegrationCommand',
      { IntegrationId: integrationId },
    );
    if (!r.ok) return r.kind === 'missing' ? base : { ...base, state: 'failed' };
    return this.withIntegration(a, base, r.value, stage, s);
  }

  /** The route's facts with its integration's, and the VPC link the integration goes through. */
  private async withIntegration(
    a: ApiReads,
    route: RouteFacts,
    i: RestIntegration | HttpIntegration | undefined,
    stage: StageFacts | undefined,
    s: ReadSession,
  ): Promise<RouteFacts> {
    if (i === undefined) return route;
    const rest = i as RestIntegration;
    const http = i as HttpIntegration;
    const integration: IntegrationFacts = compact({
      type: rest.type ?? http.IntegrationType,
      httpMethod: rest.httpMethod ?? http.IntegrationMethod,
      uri: rest.uri ?? http.IntegrationUri,
      connectionType: rest.connectionType ?? http.ConnectionType,
      connectionId: rest.connectionId ?? http.ConnectionId,
      credentials: rest.credentials ?? http.CredentialsArn,
      timeoutMs: rest.timeoutInMillis ?? http.TimeoutInMillis,
      target: a.rest ? rest.integrationTarget : undefined,
      // REST: no integration responses at all comes back as an absent map: that is "none", not "not read".
      responses: a.rest
        ? Object.entries(rest.integrationResponses ?? {}).map(([code, r]) =>
            compact({ statusCode: r.statusCode ?? code, selectionPattern: r.selectionPattern }),
          )
        : undefined,
    });
    const vpcLink =
      integration.connectionType === 'VPC_LINK' && integration.connectionId !== undefined
        ? await this.readVpcLink(a, integration.connectionId, stage, s, integration.target !== undefined)
        : undefined;
    return compact({ ...route, integration, vpcLink });
  }

  /**
   * The VPC link of a private integration. HTTP APIs use VPC links V2 (apigatewayv2 GetVpcLink). REST APIs use V2
   * links too since November 2025 (an integration with an `integrationTarget` load balancer), or legacy V1 links
   * (apigateway GetVpcLink, NLB only): a V2 id is unknown to the V1 call, so "not found" there is asked of V2 before
   * the link is called missing. https://docs.aws.amazon.com/apigateway/latest/developerguide/private-integration.html
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/vpc-links-v1.html
   */
  private async readVpcLink(
    a: ApiReads,
    connectionId: string,
    stage: StageFacts | undefined,
    s: ReadSession,
    v2Target = false,
  ): Promise<(VpcLinkFacts & { state: ReadState }) | undefined> {
    // The connection id may be `${stageVariables.vpcLinkId}`: read the link the stage names.
    const id = resolveStageVariables(connectionId, stage?.variables);
    if (id === undefined || id === '') return undefined;
    const order: Array<'v1' | 'v2'> = !a.rest ? ['v2'] : v2Target ? ['v2', 'v1'] : ['v1', 'v2'];
    let last: CallResult<ApiAnswer> | undefined;
    for (const version of order) {
      const v2 = version === 'v2';
      const info: CallInfo = {
        what: `VPC link ${id}`,
        action: 'apigateway:GET',
        cli: `aws apigateway${v2 ? 'v2' : ''} get-vpc-link --vpc-link-id ${shellQuote(id)}`,
        grant: `The stack grants apigateway:GET on arn:aws:apigateway:REGION::/vpclinks/* for the APIs it watches (API ${a.api.apiId}); add it if the role was narrowed.`,
      };
      const r = await this.send<ApiAnswer>(
        s,
        info,
        v2 ? 'apiGatewayV2' : 'apiGateway',
        'GetVpcLinkCommand',
        v2 ? { VpcLinkId: id } : { vpcLinkId: id },
      );
      last = r;
      if (r.ok) {
        const v = r.value;
        return compact({
          id,
          state: 'found' as const,
          name: v.name ?? v.Name,
          status: v.status ?? v.VpcLinkStatus,
          statusMessage: v.statusMessage ?? v.VpcLinkStatusMessage,
        });
      }
      if (r.kind !== 'missing') {
        s.report(info, r.kind, r.error);
        return { id, state: 'failed' };
      }
    }
    return { id, state: last !== undefined && !last.ok && last.kind === 'missing' ? 'missing' : 'failed' };
  }

  // ---- Lambda -----------------------------------------------------------------------------------------------------

  /** Sends a Lambda command; a failure is reported unless it is `missing` and `missingIsAnswer`. */
  private async lambdaSend<T>(
    ref: FunctionRef,
    s: ReadSession,
    action: string,
    what: string,
    cli: string,
    input: object,
    missingIsAnswer: boolean,
  ): Promise<CallResult<T>> {
    const info: CallInfo = {
      what,
      action: `lambda:${action}`,
      cli: `aws lambda ${cli}`,
      grant:
        `The stack grants lambda:GetFunctionConfiguration, lambda:GetPolicy and lambda:GetAlias only on the API's configured functionNames: ` +
        `add ${ref.name} to functionNames and run \`cdk deploy\`.`,
    };
    const r = await this.send<T>(s, info, 'lambda', `${action}Command`, input);
    if (!r.ok && !(missingIsAnswer && r.kind === 'missing')) s.report(info, r.kind, r.error);
    return r;
  }

  private async readFunction(
    ref: FunctionRef,
    readable: readonly string[] | undefined,
    s: ReadSession,
  ): Promise<FunctionFacts> {
    const id = ref.arn ?? ref.name;
    const q = ref.qualifier !== undefined ? ` --qualifier ${shellQuote(ref.qualifier)}` : '';
    const fn = `--function-name ${shellQuote(id)}`;
    const shown = functionKey(ref);
    if (readable !== undefined && !readable.includes(ref.name)) {
      s.problems.push(
        `${shown} is not among the API's configured functionNames, so the responder may not read its configuration${ref.policy ? ' or resource policy' : ''}: add it to functionNames and run \`cdk deploy\`. Check by hand: \`aws lambda ${ref.policy ? 'get-policy' : 'get-function-configuration'} ${fn}${q}\`.`,
      );
      return { ref, state: 'failed' };
    }
    const input = compact({ FunctionName: id, Qualifier: ref.qualifier });
    const c = await this.lambdaSend<{
      FunctionArn?: string;
      LastModified?: string;
      Version?: string;
      Timeout?: number;
      MemorySize?: number;
      State?: string;
    }>(
      ref,
      s,
      'GetFunctionConfiguration',
      `the configuration of function ${shown}`,
      `get-function-configuration ${fn}${q}`,
      input,
      true,
    );
    if (!c.ok) return { ref, state: c.kind === 'missing' ? 'missing' : 'failed' };
    const cfg = c.value;
    // Aliases name a version; numbered versions and $LATEST are their own.
    const alias = ref.qualifier !== undefined && ref.qualifier !== '$LATEST' && !/^\d+$/.test(ref.qualifier);
    const [a, p] = await Promise.all([
      alias && ref.qualifier !== undefined
        ? this.lambdaSend<{ FunctionVersion?: string }>(
            ref,
            s,
            'GetAlias',
            `alias ${ref.qualifier} of function ${ref.name}`,
            `get-alias ${fn} --name ${shellQuote(ref.qualifier)}`,
            { FunctionName: id, Name: ref.qualifier },
            false,
          )
        : undefined,
      // The function exists (its configuration was read): not found here means it has no resource policy at all.
      ref.policy
        ? this.lambdaSend<{ Policy?: string }>(
            ref,
            s,
            'GetPolicy',
            `the resource policy of function ${shown}`,
            `get-policy ${fn}${q}`,
            input,
            true,
          )
        : undefined,
    ]);
    return compact({
      ref,
      state: 'found' as const,
      arn: cfg.FunctionArn,
      lastModified: parseLambdaTime(cfg.LastModified),
      version: cfg.Version,
      timeoutSec: cfg.Timeout,
      memoryMb: cfg.MemorySize,
      functionState: cfg.State,
      alias:
        a?.ok === true ? compact({ name: ref.qualifier ?? '', functionVersion: a.value.FunctionVersion }) : undefined,
      policyState:
        p === undefined
          ? undefined
          : p.ok
            ? p.value.Policy !== undefined
              ? ('found' as const)
              : ('missing' as const)
            : p.kind === 'missing'
              ? ('missing' as const)
              : ('failed' as const),
      policy: p?.ok === true ? p.value.Policy : undefined,
    });
  }
}

/** The HTTP API route that serves a logged route: the same key, else a template or ANY match, else `$default`. */
function httpRouteFor(entries: readonly RouteEntry[], ref: RouteRef): RouteEntry | undefined {
  if (ref.path === '$default') return entries.find((e) => e.routeKey === '$default');
  const exact = entries.find((e) => e.routeKey === `${ref.method} ${ref.path}`);
  if (exact !== undefined) return exact;
  for (const method of [ref.method, 'ANY']) {
    const same = entries.filter((e) => e.routeKey !== '$default' && e.methods?.[0] === method);
    const template = matchTemplate(
      same.map((e) => e.path),
      ref.path,
    );
    if (template !== undefined) return same.find((e) => e.path === template);
  }
  return entries.find((e) => e.routeKey === '$default');
}
