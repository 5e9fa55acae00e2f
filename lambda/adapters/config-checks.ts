/**
 * Reads, read-only, the parts of the live API Gateway and Lambda configuration that can confirm or contradict a
 * diagnosis (lambda/enrich): the failing routes' methods and integrations, VPC links, the stage and its deployment,
 * and the implicated functions' configuration, alias and resource policy. Every call is bounded by the deadline;
 * read problems (access denied, not found where it matters, throttling, the budget) never throw: they become
 * `failed` facts plus a problem line with the fix, and the causes they touch stay "from logs only".
 */
import {
  type APIGatewayClient,
  GetDeploymentCommand,
  GetIntegrationCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetStageCommand,
  GetVpcLinkCommand,
  type Integration,
} from '@aws-sdk/client-api-gateway';
import {
  type ApiGatewayV2Client,
  GetDeploymentCommand as GetHttpDeploymentCommand,
  GetIntegrationCommand as GetHttpIntegrationCommand,
  GetRoutesCommand as GetHttpRoutesCommand,
  GetStageCommand as GetHttpStageCommand,
  GetVpcLinkCommand as GetHttpVpcLinkCommand,
} from '@aws-sdk/client-apigatewayv2';
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
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

class DeadlineReachedError extends Error {
  constructor() {
    super('The configuration check reached its deadline');
    this.name = 'DeadlineReachedError';
  }
}

function errorFacts(error: unknown): { name: string; message: string; status?: number } {
  if (error instanceof Error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return { name: error.name, message: error.message, ...(status !== undefined ? { status } : {}) };
  }
  return { name: 'UnknownError', message: String(error) };
}

function failureKind(error: unknown): FailureKind {
  if (error instanceof DeadlineReachedError) return 'budget';
  const { name, status } = errorFacts(error);
  if (name === 'NotFoundException' || name === 'ResourceNotFoundException' || status === 404) return 'missing';
  if (
    name === 'AccessDeniedException' ||
    name === 'AccessDenied' ||
    name === 'UnauthorizedException' ||
    name === 'UnrecognizedClientException' ||
    status === 401 ||
    status === 403
  ) {
    return 'denied';
  }
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
    switch (kind) {
      case 'denied':
        this.problems.push(
          `Could not read ${info.what}: access denied to ${info.action} (${facts?.name ?? 'AccessDenied'}). ${info.grant} ${byHand}`,
        );
        return;
      case 'throttled':
        this.problems.push(
          `Could not read ${info.what}: throttled (${facts?.name ?? 'TooManyRequestsException'}); control-plane read quotas are low and shared by the account. ${byHand}`,
        );
        return;
      case 'budget':
        this.problems.push(
          `Configuration checks stopped at their time budget before reading ${info.what}; what was not read is reported from the logs only. ${byHand}`,
        );
        return;
      case 'missing':
        this.problems.push(`Could not read ${info.what}: it does not exist (${facts?.name ?? 'NotFound'}). ${byHand}`);
        return;
      case 'other':
        this.problems.push(
          `Could not read ${info.what}: ${facts?.name ?? 'Error'}: ${(facts?.message ?? '').slice(0, 200)}. ${byHand}`,
        );
        return;
    }
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
    const api = plan.api;
    if (api !== undefined) {
      stage = await guard(session, `stage ${api.stage}`, { state: 'failed', name: api.stage }, () =>
        api.type === 'REST' ? this.readRestStage(api, session) : this.readHttpStage(api, session),
      );
      const failed = plan.routes.map((ref): RouteFacts => ({ ref, state: 'failed' }));
      routes = await guard(session, `the routes of API ${api.apiId}`, failed, () =>
        api.type === 'REST'
          ? this.readRestRoutes(api, plan.routes, stage, session)
          : this.readHttpRoutes(api, plan.routes, stage, session),
      );
    }
    const refs = new Map<string, FunctionRef>(plan.functions.map((f) => [functionKey(f), f]));
    for (const route of routes) {
      const uri = route.integration?.uri;
      if (route.ref.resolveFunction === undefined || uri === undefined) continue;
      const resolved = functionOfUri(uri, stage?.variables);
      if (resolved.kind !== 'function') continue;
      const key = functionKey(resolved.fn);
      const policy = route.ref.resolveFunction === 'policy';
      const existing = refs.get(key);
      if (existing !== undefined) {
        if (policy && !existing.policy) refs.set(key, { ...existing, policy });
      } else if (refs.size < MAX_FUNCTIONS + plan.routes.length) {
        refs.set(key, {
          name: resolved.fn.name,
          arn: resolved.fn.arn,
          policy,
          ...(resolved.fn.qualifier !== undefined ? { qualifier: resolved.fn.qualifier } : {}),
        });
      }
    }
    const functions = await mapLimit([...refs.values()], this.concurrency, (ref) =>
      guard(session, `function ${functionKey(ref)}`, { ref, state: 'failed' }, () =>
        this.readFunction(ref, plan.readableFunctions, session),
      ),
    );
    return { routes, functions, ...(stage !== undefined ? { stage } : {}), problems: session.problems };
  }

  // ---- API Gateway REST -----------------------------------------------------------------------------------------

  private restInfo(apiId: string, what: string, cli: string): CallInfo {
    return {
      what,
      action: 'apigateway:GET',
      cli,
      grant:
        `The stack grants apigateway:GET only on the configured APIs (arn:aws:apigateway:REGION::/restapis/${apiId}/*): ` +
        'add this API to the configuration and run `cdk deploy`; if it is configured, look for a service control policy or permissions boundary that denies apigateway:GET.',
    };
  }

  private async readRestStage(api: NonNullable<CheckPlan['api']>, s: ReadSession): Promise<StageFacts> {
    const info = this.restInfo(
      api.apiId,
      `stage ${api.stage} of REST API ${api.apiId}`,
      `aws apigateway get-stage --rest-api-id ${api.apiId} --stage-name ${shellQuote(api.stage)}`,
    );
    const r = await s.call(info, (abortSignal) =>
      this.clients.apiGateway.send(new GetStageCommand({ restApiId: api.apiId, stageName: api.stage }), {
        abortSignal,
      }),
    );
    if (!r.ok) {
      s.report(info, r.kind, r.error);
      return { state: r.kind === 'missing' ? 'missing' : 'failed', name: api.stage };
    }
    const stage = r.value;
    const deploymentId = stage.deploymentId;
    let deploymentCreated: number | undefined;
    if (deploymentId !== undefined) {
      const dInfo = this.restInfo(
        api.apiId,
        `deployment ${deploymentId} of REST API ${api.apiId}`,
        `aws apigateway get-deployment --rest-api-id ${api.apiId} --deployment-id ${shellQuote(deploymentId)}`,
      );
      const d = await s.call(dInfo, (abortSignal) =>
        this.clients.apiGateway.send(new GetDeploymentCommand({ restApiId: api.apiId, deploymentId }), { abortSignal }),
      );
      if (d.ok) deploymentCreated = time(d.value.createdDate);
      else s.report(dInfo, d.kind, d.error);
    }
    return foundStage(api.stage, {
      deploymentId,
      lastUpdated: time(stage.lastUpdatedDate),
      created: time(stage.createdDate),
      deploymentCreated,
      variables: stage.variables,
    });
  }

  private async restResources(
    apiId: string,
    s: ReadSession,
  ): Promise<{ entries: RouteEntry[]; complete: boolean } | undefined> {
    const entries: RouteEntry[] = [];
    let position: string | undefined;
    const info = this.restInfo(
      apiId,
      `the resources of REST API ${apiId}`,
      `aws apigateway get-resources --rest-api-id ${apiId}`,
    );
    for (let page = 0; page < this.maxPages; page++) {
      const r = await s.call(info, (abortSignal) =>
        this.clients.apiGateway.send(new GetResourcesCommand({ restApiId: apiId, limit: 500, position }), {
          abortSignal,
        }),
      );
      if (!r.ok) {
        s.report(info, r.kind, r.error);
        return undefined;
      }
      for (const item of r.value.items ?? []) {
        if (item.path === undefined) continue;
        entries.push({
          path: item.path,
          ...(item.id !== undefined ? { resourceId: item.id } : {}),
          ...(item.resourceMethods !== undefined ? { methods: Object.keys(item.resourceMethods) } : {}),
        });
      }
      position = r.value.position;
      if (position === undefined || position === '') return { entries, complete: true };
    }
    return { entries, complete: false };
  }

  private async readRestRoutes(
    api: NonNullable<CheckPlan['api']>,
    refs: readonly RouteRef[],
    stage: StageFacts | undefined,
    s: ReadSession,
  ): Promise<RouteFacts[]> {
    if (refs.length === 0) return [];
    const listed = await this.restResources(api.apiId, s);
    if (listed === undefined) return refs.map((ref) => ({ ref, state: 'failed' }));
    const templates = listed.entries.map((e) => e.path);
    return mapLimit(refs, this.concurrency, async (ref): Promise<RouteFacts> => {
      const template = matchTemplate(templates, ref.path);
      const entry = template !== undefined ? listed.entries.find((e) => e.path === template) : undefined;
      if (entry?.resourceId === undefined) {
        if (!listed.complete) {
          s.problems.push(
            `REST API ${api.apiId} has more resources than the ${this.maxPages} page(s) read: ${routeKey(ref)} was not found among them and is reported from the logs only.`,
          );
          return { ref, state: 'failed' };
        }
        return { ref, state: 'missing' };
      }
      // The method that serves the request: the logged one, else ANY (API Gateway's catch-all method).
      const candidates =
        entry.methods !== undefined
          ? [ref.method, 'ANY'].filter((m) => entry.methods?.includes(m))
          : [...new Set([ref.method, 'ANY'])];
      for (const method of candidates) {
        const facts = await this.readRestMethod(api, ref, entry, method, stage, s);
        if (facts.state !== 'missing') return facts;
      }
      return { ref, state: 'missing', resourcePath: entry.path, resourceId: entry.resourceId };
    });
  }

  private async readRestMethod(
    api: NonNullable<CheckPlan['api']>,
    ref: RouteRef,
    entry: RouteEntry,
    method: string,
    stage: StageFacts | undefined,
    s: ReadSession,
  ): Promise<RouteFacts> {
    const resourceId = entry.resourceId ?? '';
    const label = `${method} ${entry.path}`;
    const info = this.restInfo(
      api.apiId,
      `the method and integration of ${label} (REST API ${api.apiId})`,
      `aws apigateway get-method --rest-api-id ${api.apiId} --resource-id ${shellQuote(resourceId)} --http-method ${shellQuote(method)}`,
    );
    const r = await s.call(info, (abortSignal) =>
      this.clients.apiGateway.send(new GetMethodCommand({ restApiId: api.apiId, resourceId, httpMethod: method }), {
        abortSignal,
      }),
    );
    const base = { ref, resourcePath: entry.path, resourceId, method };
    if (!r.ok) {
      if (r.kind === 'missing') return { ...base, state: 'missing' };
      s.report(info, r.kind, r.error);
      return { ...base, state: 'failed' };
    }
    let integration = r.value.methodIntegration;
    if (integration === undefined) {
      const iInfo = this.restInfo(
        api.apiId,
        `the integration of ${label} (REST API ${api.apiId})`,
        `aws apigateway get-integration --rest-api-id ${api.apiId} --resource-id ${shellQuote(resourceId)} --http-method ${shellQuote(method)}`,
      );
      const i = await s.call(iInfo, (abortSignal) =>
        this.clients.apiGateway.send(
          new GetIntegrationCommand({ restApiId: api.apiId, resourceId, httpMethod: method }),
          { abortSignal },
        ),
      );
      if (i.ok) integration = i.value;
      else if (i.kind !== 'missing') {
        s.report(iInfo, i.kind, i.error);
        return { ...base, state: 'failed' };
      }
    }
    const facts = integration !== undefined ? restIntegration(integration) : undefined;
    const vpcLink =
      facts?.connectionType === 'VPC_LINK' && facts.connectionId !== undefined
        ? await this.readVpcLink('REST', facts.connectionId, stage, s, api.apiId)
        : undefined;
    return {
      ...base,
      state: 'found',
      ...(r.value.authorizerId !== undefined ? { authorizerId: r.value.authorizerId } : {}),
      ...(r.value.methodResponses !== undefined ? { methodResponses: Object.keys(r.value.methodResponses) } : {}),
      ...(facts !== undefined ? { integration: facts } : {}),
      ...(vpcLink !== undefined ? { vpcLink } : {}),
    };
  }

  private async readVpcLink(
    type: 'REST' | 'HTTP',
    connectionId: string,
    stage: StageFacts | undefined,
    s: ReadSession,
    apiId: string,
  ): Promise<(VpcLinkFacts & { state: ReadState }) | undefined> {
    // The connection id may be `${stageVariables.vpcLinkId}`: read the link the stage names.
    const id = resolveStageVariables(connectionId, stage?.variables);
    if (id === undefined || id === '') return undefined;
    const info: CallInfo = {
      what: `VPC link ${id}`,
      action: 'apigateway:GET',
      cli:
        type === 'REST'
          ? `aws apigateway get-vpc-link --vpc-link-id ${shellQuote(id)}`
          : `aws apigatewayv2 get-vpc-link --vpc-link-id ${shellQuote(id)}`,
      grant: `The stack grants apigateway:GET on arn:aws:apigateway:REGION::/vpclinks/* for the APIs it watches (API ${apiId}); add it if the role was narrowed.`,
    };
    if (type === 'REST') {
      const r = await s.call(info, (abortSignal) =>
        this.clients.apiGateway.send(new GetVpcLinkCommand({ vpcLinkId: id }), { abortSignal }),
      );
      if (!r.ok) {
        if (r.kind !== 'missing') s.report(info, r.kind, r.error);
        return { id, state: r.kind === 'missing' ? 'missing' : 'failed' };
      }
      return {
        id,
        state: 'found',
        ...(r.value.name !== undefined ? { name: r.value.name } : {}),
        ...(r.value.status !== undefined ? { status: r.value.status } : {}),
        ...(r.value.statusMessage !== undefined ? { statusMessage: r.value.statusMessage } : {}),
      };
    }
    const r = await s.call(info, (abortSignal) =>
      this.clients.apiGatewayV2.send(new GetHttpVpcLinkCommand({ VpcLinkId: id }), { abortSignal }),
    );
    if (!r.ok) {
      if (r.kind !== 'missing') s.report(info, r.kind, r.error);
      return { id, state: r.kind === 'missing' ? 'missing' : 'failed' };
    }
    return {
      id,
      state: 'found',
      ...(r.value.Name !== undefined ? { name: r.value.Name } : {}),
      ...(r.value.VpcLinkStatus !== undefined ? { status: r.value.VpcLinkStatus } : {}),
      ...(r.value.VpcLinkStatusMessage !== undefined ? { statusMessage: r.value.VpcLinkStatusMessage } : {}),
    };
  }

  // ---- API Gateway HTTP APIs (v2) -------------------------------------------------------------------------------

  private httpInfo(apiId: string, what: string, cli: string): CallInfo {
    return {
      what,
      action: 'apigateway:GET',
      cli,
      grant:
        `The stack grants apigateway:GET only on the configured APIs (arn:aws:apigateway:REGION::/apis/${apiId}/*): ` +
        'add this API to the configuration and run `cdk deploy`; if it is configured, look for a service control policy or permissions boundary that denies apigateway:GET.',
    };
  }

  private async readHttpStage(api: NonNullable<CheckPlan['api']>, s: ReadSession): Promise<StageFacts> {
    const info = this.httpInfo(
      api.apiId,
      `stage ${api.stage} of HTTP API ${api.apiId}`,
      `aws apigatewayv2 get-stage --api-id ${api.apiId} --stage-name ${shellQuote(api.stage)}`,
    );
    const r = await s.call(info, (abortSignal) =>
      this.clients.apiGatewayV2.send(new GetHttpStageCommand({ ApiId: api.apiId, StageName: api.stage }), {
        abortSignal,
      }),
    );
    if (!r.ok) {
      s.report(info, r.kind, r.error);
      return { state: r.kind === 'missing' ? 'missing' : 'failed', name: api.stage };
    }
    const stage = r.value;
    const deploymentId = stage.DeploymentId;
    let deploymentCreated: number | undefined;
    if (deploymentId !== undefined) {
      const dInfo = this.httpInfo(
        api.apiId,
        `deployment ${deploymentId} of HTTP API ${api.apiId}`,
        `aws apigatewayv2 get-deployment --api-id ${api.apiId} --deployment-id ${shellQuote(deploymentId)}`,
      );
      const d = await s.call(dInfo, (abortSignal) =>
        this.clients.apiGatewayV2.send(new GetHttpDeploymentCommand({ ApiId: api.apiId, DeploymentId: deploymentId }), {
          abortSignal,
        }),
      );
      if (d.ok) deploymentCreated = time(d.value.CreatedDate);
      else s.report(dInfo, d.kind, d.error);
    }
    return foundStage(api.stage, {
      deploymentId,
      lastUpdated: time(stage.LastUpdatedDate),
      created: time(stage.CreatedDate),
      deploymentCreated,
      variables: stage.StageVariables,
    });
  }

  private async httpRoutes(
    apiId: string,
    s: ReadSession,
  ): Promise<{ entries: RouteEntry[]; complete: boolean } | undefined> {
    const entries: RouteEntry[] = [];
    let token: string | undefined;
    const info = this.httpInfo(
      apiId,
      `the routes of HTTP API ${apiId}`,
      `aws apigatewayv2 get-routes --api-id ${apiId}`,
    );
    for (let page = 0; page < this.maxPages; page++) {
      const r = await s.call(info, (abortSignal) =>
        this.clients.apiGatewayV2.send(
          new GetHttpRoutesCommand({ ApiId: apiId, MaxResults: '100', NextToken: token }),
          {
            abortSignal,
          },
        ),
      );
      if (!r.ok) {
        s.report(info, r.kind, r.error);
        return undefined;
      }
      for (const item of r.value.Items ?? []) {
        if (item.RouteKey === undefined) continue;
        const space = item.RouteKey.indexOf(' ');
        entries.push({
          routeKey: item.RouteKey,
          path: space > 0 ? item.RouteKey.slice(space + 1) : item.RouteKey,
          methods: [space > 0 ? item.RouteKey.slice(0, space) : 'ANY'],
          ...(item.Target !== undefined ? { target: item.Target } : {}),
          ...(item.AuthorizerId !== undefined ? { authorizerId: item.AuthorizerId } : {}),
        });
      }
      token = r.value.NextToken;
      if (token === undefined || token === '') return { entries, complete: true };
    }
    return { entries, complete: false };
  }

  private async readHttpRoutes(
    api: NonNullable<CheckPlan['api']>,
    refs: readonly RouteRef[],
    stage: StageFacts | undefined,
    s: ReadSession,
  ): Promise<RouteFacts[]> {
    if (refs.length === 0) return [];
    const listed = await this.httpRoutes(api.apiId, s);
    if (listed === undefined) return refs.map((ref) => ({ ref, state: 'failed' }));
    return mapLimit(refs, this.concurrency, async (ref): Promise<RouteFacts> => {
      const entry = httpRouteFor(listed.entries, ref);
      if (entry === undefined) {
        if (!listed.complete) {
          s.problems.push(
            `HTTP API ${api.apiId} has more routes than the ${this.maxPages} page(s) read: ${routeKey(ref)} was not found among them and is reported from the logs only.`,
          );
          return { ref, state: 'failed' };
        }
        return { ref, state: 'missing' };
      }
      const base = {
        ref,
        resourcePath: entry.path,
        method: entry.methods?.[0] ?? ref.method,
        ...(entry.authorizerId !== undefined ? { authorizerId: entry.authorizerId } : {}),
      };
      const integrationId = /^integrations\/(.+)$/.exec(entry.target ?? '')?.[1];
      if (integrationId === undefined) return { ...base, state: 'found' };
      const info = this.httpInfo(
        api.apiId,
        `the integration of ${entry.routeKey ?? routeKey(ref)} (HTTP API ${api.apiId})`,
        `aws apigatewayv2 get-integration --api-id ${api.apiId} --integration-id ${shellQuote(integrationId)}`,
      );
      const r = await s.call(info, (abortSignal) =>
        this.clients.apiGatewayV2.send(
          new GetHttpIntegrationCommand({ ApiId: api.apiId, IntegrationId: integrationId }),
          {
            abortSignal,
          },
        ),
      );
      if (!r.ok) {
        if (r.kind === 'missing') return { ...base, state: 'found' };
        s.report(info, r.kind, r.error);
        return { ...base, state: 'failed' };
      }
      const i = r.value;
      const integration: IntegrationFacts = {
        ...(i.IntegrationType !== undefined ? { type: i.IntegrationType } : {}),
        ...(i.IntegrationMethod !== undefined ? { httpMethod: i.IntegrationMethod } : {}),
        ...(i.IntegrationUri !== undefined ? { uri: i.IntegrationUri } : {}),
        ...(i.ConnectionType !== undefined ? { connectionType: i.ConnectionType } : {}),
        ...(i.ConnectionId !== undefined ? { connectionId: i.ConnectionId } : {}),
        ...(i.CredentialsArn !== undefined ? { credentials: i.CredentialsArn } : {}),
      };
      const vpcLink =
        integration.connectionType === 'VPC_LINK' && integration.connectionId !== undefined
          ? await this.readVpcLink('HTTP', integration.connectionId, stage, s, api.apiId)
          : undefined;
      return { ...base, state: 'found', integration, ...(vpcLink !== undefined ? { vpcLink } : {}) };
    });
  }

  // ---- Lambda -----------------------------------------------------------------------------------------------------

  private lambdaInfo(ref: FunctionRef, action: string, what: string, cli: string): CallInfo {
    return {
      what,
      action,
      cli,
      grant:
        `The stack grants lambda:GetFunctionConfiguration, lambda:GetPolicy and lambda:GetAlias only on the API's configured functionNames: ` +
        `add ${ref.name} to functionNames and run \`cdk deploy\`.`,
    };
  }

  private async readFunction(
    ref: FunctionRef,
    readable: readonly string[] | undefined,
    s: ReadSession,
  ): Promise<FunctionFacts> {
    const id = ref.arn ?? ref.name;
    const q = ref.qualifier !== undefined ? ` --qualifier ${shellQuote(ref.qualifier)}` : '';
    const shown = functionKey(ref);
    if (readable !== undefined && !readable.includes(ref.name)) {
      s.problems.push(
        `${shown} is not among the API's configured functionNames, so the responder may not read its configuration${ref.policy ? ' or resource policy' : ''}: add it to functionNames and run \`cdk deploy\`. Check by hand: \`aws lambda ${ref.policy ? 'get-policy' : 'get-function-configuration'} --function-name ${shellQuote(id)}${q}\`.`,
      );
      return { ref, state: 'failed' };
    }
    const qualifier = ref.qualifier !== undefined ? { Qualifier: ref.qualifier } : {};
    const cInfo = this.lambdaInfo(
      ref,
      'lambda:GetFunctionConfiguration',
      `the configuration of function ${shown}`,
      `aws lambda get-function-configuration --function-name ${shellQuote(id)}${q}`,
    );
    const c = await s.call(cInfo, (abortSignal) =>
      this.clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: id, ...qualifier }), {
        abortSignal,
      }),
    );
    if (!c.ok) {
      if (c.kind === 'missing') return { ref, state: 'missing' };
      s.report(cInfo, c.kind, c.error);
      return { ref, state: 'failed' };
    }
    const cfg = c.value;
    // Aliases name a version; numbered versions and $LATEST are their own.
    const isAlias = ref.qualifier !== undefined && ref.qualifier !== '$LATEST' && !/^\d+$/.test(ref.qualifier);
    const [alias, policy] = await Promise.all([
      isAlias && ref.qualifier !== undefined ? this.readAlias(ref, ref.qualifier, id, s) : undefined,
      ref.policy ? this.readPolicy(ref, id, q, s) : undefined,
    ]);
    const lastModified = parseLambdaTime(cfg.LastModified);
    return {
      ref,
      state: 'found',
      ...(cfg.FunctionArn !== undefined ? { arn: cfg.FunctionArn } : {}),
      ...(lastModified !== undefined ? { lastModified } : {}),
      ...(cfg.Version !== undefined ? { version: cfg.Version } : {}),
      ...(cfg.Timeout !== undefined ? { timeoutSec: cfg.Timeout } : {}),
      ...(cfg.MemorySize !== undefined ? { memoryMb: cfg.MemorySize } : {}),
      ...(cfg.State !== undefined ? { functionState: cfg.State } : {}),
      ...(alias !== undefined ? { alias } : {}),
      ...(policy !== undefined ? policy : {}),
    };
  }

  private async readAlias(
    ref: FunctionRef,
    name: string,
    id: string,
    s: ReadSession,
  ): Promise<FunctionFacts['alias'] | undefined> {
    const info = this.lambdaInfo(
      ref,
      'lambda:GetAlias',
      `alias ${name} of function ${ref.name}`,
      `aws lambda get-alias --function-name ${shellQuote(id)} --name ${shellQuote(name)}`,
    );
    const r = await s.call(info, (abortSignal) =>
      this.clients.lambda.send(new GetAliasCommand({ FunctionName: id, Name: name }), { abortSignal }),
    );
    if (!r.ok) {
      s.report(info, r.kind, r.error);
      return undefined;
    }
    return { name, ...(r.value.FunctionVersion !== undefined ? { functionVersion: r.value.FunctionVersion } : {}) };
  }

  private async readPolicy(
    ref: FunctionRef,
    id: string,
    q: string,
    s: ReadSession,
  ): Promise<Pick<FunctionFacts, 'policyState' | 'policy'>> {
    const info = this.lambdaInfo(
      ref,
      'lambda:GetPolicy',
      `the resource policy of function ${functionKey(ref)}`,
      `aws lambda get-policy --function-name ${shellQuote(id)}${q}`,
    );
    const r = await s.call(info, (abortSignal) =>
      this.clients.lambda.send(
        new GetPolicyCommand({
          FunctionName: id,
          ...(ref.qualifier !== undefined ? { Qualifier: ref.qualifier } : {}),
        }),
        { abortSignal },
      ),
    );
    if (r.ok) {
      return r.value.Policy !== undefined
        ? { policyState: 'found', policy: r.value.Policy }
        : { policyState: 'missing' };
    }
    // The function exists (its configuration was read): not found here means it has no resource policy at all.
    if (r.kind === 'missing') return { policyState: 'missing' };
    s.report(info, r.kind, r.error);
    return { policyState: 'failed' };
  }
}

function restIntegration(i: Integration): IntegrationFacts {
  const responses =
    i.integrationResponses !== undefined
      ? Object.entries(i.integrationResponses).map(([code, r]) => ({
          statusCode: r.statusCode ?? code,
          ...(r.selectionPattern !== undefined ? { selectionPattern: r.selectionPattern } : {}),
        }))
      : undefined;
  return {
    ...(i.type !== undefined ? { type: i.type } : {}),
    ...(i.httpMethod !== undefined ? { httpMethod: i.httpMethod } : {}),
    ...(i.uri !== undefined ? { uri: i.uri } : {}),
    ...(i.connectionType !== undefined ? { connectionType: i.connectionType } : {}),
    ...(i.connectionId !== undefined ? { connectionId: i.connectionId } : {}),
    ...(i.credentials !== undefined ? { credentials: i.credentials } : {}),
    // No integration responses at all comes back as an absent map: that is "none", not "not read".
    responses: responses ?? [],
  };
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

/** A stage that was found, from the REST (v1) or HTTP (v2) API's answer, with only the facts it had. */
function foundStage(
  name: string,
  facts: {
    deploymentId: string | undefined;
    lastUpdated: number | undefined;
    created: number | undefined;
    deploymentCreated: number | undefined;
    variables: Record<string, string> | undefined;
  },
) {
  return {
    state: 'found' as const,
    name,
    ...(facts.deploymentId !== undefined ? { deploymentId: facts.deploymentId } : {}),
    ...(facts.lastUpdated !== undefined ? { lastUpdated: facts.lastUpdated } : {}),
    ...(facts.created !== undefined ? { created: facts.created } : {}),
    ...(facts.deploymentCreated !== undefined ? { deploymentCreated: facts.deploymentCreated } : {}),
    variables: facts.variables ?? {},
  };
}
