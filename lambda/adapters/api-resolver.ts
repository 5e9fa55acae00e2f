/**
 * Finds, read-only, the API an alarm watches from nothing but the alarm's metric dimensions: a REST API by its name
 * (`ApiName`, via GetRestApis: names are not unique in an account), an HTTP API by its id (`ApiId`, via GetApi),
 * and for each the stage's access log destination (GetStage `accessLogSettings.destinationArn`). Called once per
 * alarm (the caller keeps the answer: cached per invocation). Never throws for read problems: each becomes a line
 * saying what could not be read and how to fix it.
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';

export interface ResolverClients {
  readonly apiGateway: APIGatewayClient;
  readonly apiGatewayV2: ApiGatewayV2Client;
}

export interface ResolveRequest {
  /** The alarm's metric dimensions (`ApiName` + `Stage` for REST, `ApiId` + `Stage` for HTTP). */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Epoch ms by which every call must be over. */
  readonly deadlineMs: number;
  readonly now: () => number;
}

/** One API the alarm's dimensions point at. */
export interface ResolvedApi {
  readonly type: 'REST' | 'HTTP';
  readonly id: string;
  readonly name?: string;
  readonly stage: string;
  /** The stage exists on this API (GetStage answered). */
  readonly stageFound: boolean;
  /** The stage's access log destination ARN (a log group, or a Firehose stream), when set. */
  readonly accessLogArn?: string;
}

export interface Resolution {
  /** Every API the dimensions match (REST: every API of that name that has the stage). Empty when none. */
  readonly apis: readonly ResolvedApi[];
  readonly problems: readonly string[];
}

export interface ApiResolverPort {
  resolve(request: ResolveRequest): Promise<Resolution>;
}

/** Most GetRestApis pages read (500 APIs a page: far above the default quota of 600 REST APIs per Region). */
const MAX_PAGES = 4;
/** Most same-named REST APIs whose stage is read. */
export const MAX_SAME_NAME = 5;

function describe(error: unknown): { name: string; message: string; denied: boolean; missing: boolean } {
  const name = error instanceof Error ? error.name : 'UnknownError';
  const message = error instanceof Error ? error.message.slice(0, 200) : String(error).slice(0, 200);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return {
    name,
    message,
    denied: /AccessDenied|Unauthorized/.test(name) || status === 403,
    missing: name === 'NotFoundException' || status === 404,
  };
}

/** The log group name of a CloudWatch Logs ARN (`arn:aws:logs:r:a:log-group:NAME` or `...:NAME:*`); else undefined. */
export function logGroupOfArn(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:logs:[^:]*:[^:]*:log-group:([^:]+)(?::\*)?$/.exec(arn);
  return m?.[1];
}

export class ApiResolver implements ApiResolverPort {
  constructor(private readonly clients: ResolverClients) {}

  async resolve(request: ResolveRequest): Promise<Resolution> {
    const { ApiName, ApiId, Stage } = request.dimensions;
    if (Stage === undefined || (ApiName === undefined && ApiId === undefined)) {
      return {
        apis: [],
        problems: [
          `The alarm's metric has no ApiName+Stage (REST) or ApiId+Stage (HTTP) dimensions (got ${JSON.stringify(request.dimensions).slice(0, 200)}): the responder cannot tell which API it watches. Alarm on AWS/ApiGateway 5XXError by ApiName and Stage, or 5xx by ApiId and Stage.`,
        ],
      };
    }
    const signal = () => AbortSignal.timeout(Math.max(1, Math.ceil(request.deadlineMs - request.now())));
    return ApiId !== undefined ? this.http(ApiId, Stage, signal) : this.rest(ApiName as string, Stage, signal);
  }

  private async http(apiId: string, stage: string, signal: () => AbortSignal): Promise<Resolution> {
    const { GetApiCommand, GetStageCommand } = await import('@aws-sdk/client-apigatewayv2');
    const problems: string[] = [];
    let name: string | undefined;
    try {
      name = (await this.clients.apiGatewayV2.send(new GetApiCommand({ ApiId: apiId }), { abortSignal: signal() }))
        .Name;
    } catch (error) {
      const e = describe(error);
      if (e.missing) return { apis: [], problems: [`HTTP API ${apiId} does not exist in this account and Region.`] };
      problems.push(
        this.problem(`HTTP API ${apiId}`, 'apigateway:GET on /apis/*', e, `aws apigatewayv2 get-api --api-id ${apiId}`),
      );
    }
    try {
      const v = await this.clients.apiGatewayV2.send(new GetStageCommand({ ApiId: apiId, StageName: stage }), {
        abortSignal: signal(),
      });
      const arn = v.AccessLogSettings?.DestinationArn;
      return {
        apis: [
          {
            type: 'HTTP',
            id: apiId,
            ...(name !== undefined ? { name } : {}),
            stage,
            stageFound: true,
            ...(arn ? { accessLogArn: arn } : {}),
          },
        ],
        problems,
      };
    } catch (error) {
      const e = describe(error);
      problems.push(
        e.missing
          ? `HTTP API ${apiId} has no stage ${stage}.`
          : this.problem(
              `stage ${stage} of HTTP API ${apiId}`,
              'apigateway:GET on /apis/*',
              e,
              `aws apigatewayv2 get-stage --api-id ${apiId} --stage-name ${stage}`,
            ),
      );
      return {
        apis: [{ type: 'HTTP', id: apiId, ...(name !== undefined ? { name } : {}), stage, stageFound: false }],
        problems,
      };
    }
  }

  private async rest(apiName: string, stage: string, signal: () => AbortSignal): Promise<Resolution> {
    const { GetRestApisCommand, GetStageCommand } = await import('@aws-sdk/client-api-gateway');
    const problems: string[] = [];
    const ids: string[] = [];
    let position: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      try {
        const out = await this.clients.apiGateway.send(
          new GetRestApisCommand({ limit: 500, ...(position !== undefined ? { position } : {}) }),
          { abortSignal: signal() },
        );
        for (const item of out.items ?? []) if (item.name === apiName && item.id !== undefined) ids.push(item.id);
        position = out.position;
        if (position === undefined || position === '') break;
      } catch (error) {
        problems.push(
          this.problem(
            `the REST APIs named ${apiName}`,
            'apigateway:GET on /restapis',
            describe(error),
            'aws apigateway get-rest-apis --query "items[].[id,name]"',
          ),
        );
        return { apis: [], problems };
      }
    }
    if (ids.length === 0) {
      return {
        apis: [],
        problems: [`No REST API named ${apiName} in this account and Region (aws apigateway get-rest-apis).`],
      };
    }
    const apis: ResolvedApi[] = [];
    for (const id of ids.slice(0, MAX_SAME_NAME)) {
      try {
        const v = await this.clients.apiGateway.send(new GetStageCommand({ restApiId: id, stageName: stage }), {
          abortSignal: signal(),
        });
        const arn = v.accessLogSettings?.destinationArn;
        apis.push({ type: 'REST', id, name: apiName, stage, stageFound: true, ...(arn ? { accessLogArn: arn } : {}) });
      } catch (error) {
        const e = describe(error);
        if (e.missing) continue; // a same-named API without this stage does not feed this alarm's metric
        problems.push(
          this.problem(
            `stage ${stage} of REST API ${id}`,
            'apigateway:GET on /restapis/*',
            e,
            `aws apigateway get-stage --rest-api-id ${id} --stage-name ${stage}`,
          ),
        );
        apis.push({ type: 'REST', id, name: apiName, stage, stageFound: false });
      }
    }
    if (ids.length > MAX_SAME_NAME) {
      problems.push(`${ids.length} REST APIs are named ${apiName}; only the first ${MAX_SAME_NAME} were read.`);
    }
    if (apis.length === 0) problems.push(`No REST API named ${apiName} has a stage ${stage} (ids: ${ids.join(', ')}).`);
    return { apis, problems };
  }

  private problem(what: string, grant: string, e: ReturnType<typeof describe>, cli: string): string {
    return e.denied
      ? `Could not read ${what}: access denied (${e.name}); the responder's role needs ${grant} (deploy it with discovery on). Check by hand: \`${cli}\`.`
      : `Could not read ${what}: ${e.name}: ${e.message}. Check by hand: \`${cli}\`.`;
  }
}
