/**
 * "Apply the printed fix": for every cause whose fix is a configuration change, build the broken setup on the local
 * AWS endpoint (moto), diagnose realistic logs of it, take the commands exactly as the text notification prints them,
 * run them with the AWS CLI (v1, from .venv) against the endpoint, and run the configuration check again: its verdict
 * must go from "confirmed" to "contradicted" (the configuration no longer shows the cause: the fix took).
 *
 * Placeholders (`<resource-id>`, `<function-name>`) are filled the way an engineer does it: from the output of the
 * printed lookup step that names the placeholder. Steps that begin with "If" are applied or skipped on the output of
 * the printed read before them, as the step says. Where moto cannot run a printed command, the test says which gap,
 * proves the CLI accepted the command and sent the documented request, and still checks everything else.
 *
 * Log lines follow the sourced fixtures: REST execution logs as in test/e2e/config-checks.e2e.test.ts and
 * test/fixtures/causes/lambda_permission/rest-authorizer-function-not-permitted.log; HTTP API JSON access logs as in
 * test/fixtures/causes/lambda_permission/http-api-json-integration-not-permitted.log.
 */
import { randomUUID } from 'node:crypto';
import {
  APIGatewayClient,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  GetStageCommand,
  PutIntegrationCommand,
  type PutIntegrationCommandInput,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateAuthorizerCommand as CreateAuthorizerV2Command,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigurationReader } from '../../lambda/adapters/config-checks.js';
import { CloudWatchLogsReader } from '../../lambda/adapters/log-reader.js';
import type { ClassifyContext } from '../../lambda/classify/rules.js';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import { enrich } from '../../lambda/enrich/enrich.js';
import { planChecks } from '../../lambda/enrich/plan.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';
import { renderText } from '../../lambda/render/text.js';
import type { CauseId } from '../../lambda/taxonomy.js';
import { createRole, zipOf } from '../../scripts/local-api.js';
import { clientConfig, ensureMoto, LOCAL_REGION } from '../../scripts/local-aws.js';
import { LOCAL_ACCOUNT, type TraceRoute as Route, restExecutionTrace } from './execution-trace.js';
import { fillPlaceholders, type PrintedStep, printedFix, runAws, shellWords } from './printed-commands.js';

const ACCOUNT = LOCAL_ACCOUNT;
const STAGE = 'prod';
const endpoint = inject('awsEndpoint');
const config = { ...clientConfig(endpoint), maxAttempts: 1 };
const apigw = new APIGatewayClient(config);
const apigwv2 = new ApiGatewayV2Client(config);
const lambda = new LambdaClient(config);
const reader = new ConfigurationReader({ apiGateway: apigw, apiGatewayV2: apigwv2, lambda });
const suffix = randomUUID().slice(0, 8);
let aws = '';
let role = '';

const fnArn = (name: string) => `arn:aws:lambda:${LOCAL_REGION}:${ACCOUNT}:function:${name}`;
const lambdaUri = (name: string) =>
  `arn:aws:apigateway:${LOCAL_REGION}:lambda:path/2015-03-31/functions/${fnArn(name)}/invocations`;

async function createFunction(name: string): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: role,
      Code: { ZipFile: zipOf('index.mjs', 'export const handler = async () => ({ statusCode: 200, body: "{}" });') },
    }),
  );
}

interface RestApi {
  readonly apiId: string;
  readonly resources: Record<string, string>;
}

/** A REST API with the given resource paths (parents first). */
async function restApi(name: string, paths: readonly string[]): Promise<RestApi> {
  const apiId = (await apigw.send(new CreateRestApiCommand({ name: `${name}-${suffix}` }))).id ?? '';
  const root = (await apigw.send(new GetResourcesCommand({ restApiId: apiId }))).items?.find((r) => r.path === '/')?.id;
  const resources: Record<string, string> = { '/': root ?? '' };
  for (const path of paths) {
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    const pathPart = path.slice(path.lastIndexOf('/') + 1);
    const created = await apigw.send(
      new CreateResourceCommand({ restApiId: apiId, parentId: resources[parent], pathPart }),
    );
    resources[path] = created.id ?? '';
  }
  return { apiId, resources };
}

/** A method on `resourceId` with no authorization and the given integration (the same HTTP method). */
async function methodWithIntegration(
  restApiId: string,
  resourceId: string | undefined,
  httpMethod: string,
  integration: Omit<PutIntegrationCommandInput, 'restApiId' | 'resourceId' | 'httpMethod'>,
): Promise<void> {
  await apigw.send(new PutMethodCommand({ restApiId, resourceId, httpMethod, authorizationType: 'NONE' }));
  await apigw.send(new PutIntegrationCommand({ restApiId, resourceId, httpMethod, ...integration }));
}

/**
 * The status-code-mapping fix's "If" steps, decided as the engineer would: on what the printed reads of the
 * integration responses and method responses listed.
 */
function decideMappingStep(step: PrintedStep, outputs: ReadonlyMap<string, string>): boolean {
  const reads = [...outputs.entries()];
  const integrationResponses = JSON.parse(reads.find(([t]) => t.includes('integration responses'))?.[1] ?? '{}');
  const methodResponses = JSON.parse(reads.find(([t]) => t.includes('method responses'))?.[1] ?? '{}');
  if (step.text.startsWith('If no integration response is listed for 200')) return !('200' in integrationResponses);
  if (step.text.startsWith('If 200 is listed with a selection pattern')) return '200' in integrationResponses;
  if (step.text.startsWith('If 200 is not listed there')) return !('200' in methodResponses);
  const status = /^If (\d{3}) is not listed there/.exec(step.text)?.[1];
  if (status !== undefined) return !(status in methodResponses);
  const mapped = /^If no integration response is listed for (\d{3}), map/.exec(step.text)?.[1];
  if (mapped !== undefined) return !(mapped in integrationResponses);
  throw new Error(`no decision for: ${step.text}`);
}

/** HTTP API JSON access-log records (format of http-api-json-integration-not-permitted.log). */
function httpAccessLog(
  apiId: string,
  routeKey: string,
  method: string,
  fields: Record<string, string>,
  at: number,
): LogEvent[] {
  return [0, 1, 2].map((i) => ({
    message: JSON.stringify({
      requestId: `${randomUUID().replace(/-/g, '').slice(0, 15)}=`,
      ip: '203.0.113.7',
      requestTime: '25/Nov/2026:03:12:05 +0000',
      httpMethod: method,
      routeKey,
      status: '500',
      protocol: 'HTTP/1.1',
      responseLength: '35',
      ...fields,
    }),
    timestamp: at + i * 1_000,
    logGroupName: `/aws/apigateway/${apiId}/access`,
    logStreamName: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  }));
}

/** A REST incident on the local endpoint: one failed request of `route` through `functionName`, ending in `failure`. */
function restIncident(apiId: string, route: Route, functionName: string, failure: readonly string[]): Incident {
  return {
    type: 'REST',
    apiId,
    stage: STAGE,
    events: restExecutionTrace({ apiId, stage: STAGE }, route, functionName, failure, Date.now()),
  };
}

/** Deploys the API to the stage and creates the function behind it. */
async function deployWithFunction(restApiId: string, functionName: string): Promise<void> {
  await apigw.send(new CreateDeploymentCommand({ restApiId, stageName: STAGE }));
  await createFunction(functionName);
}

interface Incident {
  readonly type: 'REST' | 'HTTP';
  readonly apiId: string;
  readonly stage: string;
  readonly events: readonly LogEvent[];
  readonly context?: ClassifyContext;
}

/** Diagnoses the incident's logs, renders the notification text, reads the configuration and judges `cause`. */
async function diagnoseAndCheck(incident: Incident, cause: CauseId) {
  const api = {
    type: incident.type,
    name: 'orders-api',
    apiId: incident.apiId,
    stage: incident.stage,
    region: LOCAL_REGION,
    accountId: ACCOUNT,
  };
  const { diagnosis, findings } = diagnoseEvents(incident.events, {
    api,
    ...(incident.context !== undefined ? { context: incident.context } : {}),
  });
  const plan = planChecks(diagnosis, findings, {
    api: { type: incident.type, apiId: incident.apiId, stage: incident.stage },
  });
  const facts = await reader.read(plan, { deadlineMs: Date.now() + 20_000 });
  const enrichment = enrich({ diagnosis, findings, plan, facts });
  const check = enrichment.checks.find((c) => c.cause === cause);
  return {
    causes: diagnosis.causes.map((c) => c.cause),
    text: renderText({ ...diagnosis, enrichment }),
    verdict: check?.verdict,
    evidence: check?.evidence ?? [],
    problems: enrichment.problems,
  };
}

interface Applied {
  /** The commands run, as filled and split. */
  readonly ran: string[][];
  /** Each run command's standard output, by step text. */
  readonly outputs: Map<string, string>;
}

interface ApplyOptions {
  /**
   * Decides an "If ..." step from the outputs of the steps before it (what the engineer reads); default: apply.
   */
  readonly decide?: (step: PrintedStep, outputs: ReadonlyMap<string, string>) => boolean;
  /**
   * How the engineer gets a placeholder's value from its lookup's output, when the step says more than "run this"
   * (e.g. "its URI names it, after functions/ and before /invocations"). Default: the whole output, one token.
   */
  readonly extract?: (placeholder: string, stdout: string) => string;
  /** Steps whose command moto cannot serve (say which gap): checked to reach moto as the documented request. */
  readonly motoGap?: (step: PrintedStep) => { readonly request: RegExp } | undefined;
}

/**
 * Runs the printed fix of `cause` as an engineer would: every command in order, exactly as printed, placeholders
 * filled from the lookup step that names them. A command that does not split or does not succeed fails the test.
 */
function applyPrintedFix(text: string, cause: CauseId, options: ApplyOptions = {}): Applied {
  const steps = printedFix(text, cause);
  expect(steps.some((s) => s.command !== undefined)).toBe(true);
  const values: Record<string, string> = {};
  const ran: string[][] = [];
  const outputs = new Map<string, string>();
  for (const step of steps) {
    if (step.command === undefined) continue;
    const argv = shellWords(fillPlaceholders(step.command, values));
    expect(argv[0]).toBe('aws');
    if (/^If /.test(step.text) && options.decide?.(step, outputs) === false) continue;
    const gap = options.motoGap?.(step);
    if (gap !== undefined) {
      // The CLI parsed it (no usage or parameter validation error) and sent the documented request to moto.
      const run = runAws(aws, argv, endpoint, ['--debug']);
      expect(run.stderr).not.toMatch(/usage: aws|Parameter validation failed|Unknown options/);
      expect(run.stderr).toMatch(gap.request);
      continue;
    }
    const run = runAws(aws, argv, endpoint);
    if (run.status !== 0) {
      throw new Error(`the printed command failed (exit ${run.status}): ${step.command}\n${run.stderr}`);
    }
    ran.push(argv);
    outputs.set(step.text, run.stdout);
    const fills = /\(<([a-z][a-z-]*)>\)/.exec(step.text)?.[1];
    if (fills !== undefined) {
      const value = options.extract?.(fills, run.stdout) ?? run.stdout.trim();
      expect(value, `${step.command} should print one ${fills}`).toMatch(/^\S+$/);
      values[fills] = value;
    }
  }
  return { ran, outputs };
}

const verbs = (a: Applied) => a.ran.map((argv) => `${argv[1]} ${argv[2]}`);

beforeAll(async () => {
  aws = ensureMoto().aws;
  role = await createRole(endpoint, `fixes-fn-${suffix}`);
});

describe('printed fixes applied to the local endpoint', () => {
  it('REST invoke permission: add-permission as printed makes the function policy allow the route', async () => {
    // Prepare: POST /orders calls orders-create, which has no resource policy.
    const fn = `orders-create-${suffix}`;
    const { apiId, resources } = await restApi('perm-rest', ['/orders']);
    const resourceId = resources['/orders'];
    await methodWithIntegration(apiId, resourceId, 'POST', {
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      uri: lambdaUri(fn),
    });
    await deployWithFunction(apiId, fn);
    const route = { method: 'POST', resourcePath: '/orders', path: '/orders' };
    const failure = [
      'Execution failed due to configuration error: Invalid permissions on Lambda function',
      'Method completed with status: 500',
    ];
    const incident: Incident = {
      type: 'REST',
      apiId,
      stage: STAGE,
      events: [
        ...restExecutionTrace({ apiId, stage: STAGE }, route, fn, failure, Date.now()),
        ...restExecutionTrace({ apiId, stage: STAGE }, route, fn, failure, Date.now() + 50),
      ],
    };
    const before = await diagnoseAndCheck(incident, 'lambda_permission');
    expect(before.causes).toEqual(['lambda_permission']);
    expect(before.verdict).toBe('confirmed');

    // Act
    const applied = applyPrintedFix(before.text, 'lambda_permission');
    const after = await diagnoseAndCheck(incident, 'lambda_permission');

    // Assess
    expect(verbs(applied)).toEqual(['lambda add-permission', 'lambda get-policy']);
    expect(after.verdict).toBe('contradicted');
    expect(after.evidence[0]).toContain(`${apiId}/${STAGE}/*/orders, which covers`);
  });

  it('REST authorizer permission: add-permission for API/authorizers/* lets API Gateway call the authorizer', async () => {
    // Prepare: GET /orders has a TOKEN authorizer whose function has no resource policy.
    const fn = `orders-authorizer-${suffix}`;
    const backend = `orders-list-${suffix}`;
    const { apiId, resources } = await restApi('perm-authz', ['/orders']);
    const authorizer = await apigw.send(
      new CreateAuthorizerCommand({
        restApiId: apiId,
        name: 'token',
        type: 'TOKEN',
        authorizerUri: lambdaUri(fn),
        identitySource: 'method.request.header.Authorization',
      }),
    );
    const authorizerId = authorizer.id ?? '';
    const resourceId = resources['/orders'];
    await apigw.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId,
        httpMethod: 'GET',
        authorizationType: 'CUSTOM',
        authorizerId,
      }),
    );
    await apigw.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId,
        httpMethod: 'GET',
        type: 'AWS_PROXY',
        integrationHttpMethod: 'POST',
        uri: lambdaUri(backend),
      }),
    );
    await deployWithFunction(apiId, fn);
    await createFunction(backend);
    const uri = `https://lambda.${LOCAL_REGION}.amazonaws.com/2015-03-31/functions/${fnArn(fn)}/invocations`;
    const at = Date.now();
    const events: LogEvent[] = [0, 1].flatMap((n) => {
      const id = randomUUID();
      return [
        `Starting authorizer: ${authorizerId} for request: ${id}`,
        'Incoming identity: ************************************************************mFoZzI',
        `Endpoint request URI: ${uri}`,
        `Endpoint request headers: {x-amzn-lambda-integration-tag=${id}, Authorization=****************************************b6d7fb, X-Amz-Date=20261125T031205Z, x-amzn-apigateway-api-id=${apiId}, X-Amz-Source-Arn=arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${apiId}/authorizers/${authorizerId}, Accept=application/json, User-Agent=AmazonAPIGateway_${apiId}}`,
        `Endpoint request body after transformations: {"type":"TOKEN","methodArn":"arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${apiId}/${STAGE}/GET/orders","authorizationToken":"Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln"}`,
        `Sending request to ${uri}`,
        'Execution failed due to configuration error: Invalid permissions on Lambda function',
        'Execution failed due to configuration error: Authorizer error',
      ].map((text, i) => ({
        message: `(${id}) ${text}`,
        timestamp: at + n * 100 + i,
        logGroupName: `API-Gateway-Execution-Logs_${apiId}/${STAGE}`,
        logStreamName: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      }));
    });
    const incident: Incident = { type: 'REST', apiId, stage: STAGE, events };
    const before = await diagnoseAndCheck(incident, 'lambda_permission');
    expect(before.causes).toEqual(['lambda_permission']);
    expect(before.verdict).toBe('confirmed');

    // Act
    const applied = applyPrintedFix(before.text, 'lambda_permission');
    const after = await diagnoseAndCheck(incident, 'lambda_permission');

    // Assess
    expect(verbs(applied)).toEqual(['lambda add-permission', 'lambda get-policy']);
    expect(applied.ran[0]).toContain(`arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${apiId}/authorizers/*`);
    expect(after.evidence[0]).toContain(`/authorizers/*, which covers`);
    expect(after.verdict).toBe('contradicted');
  });

  it('HTTP API authorizer permission: the printed lookup and add-permission for API/authorizers/* take the 500s away', async () => {
    // Prepare: GET /orders has a Lambda REQUEST authorizer whose function has no resource policy; the access log says
    // so in $context.authorizerError (test/fixtures/causes/lambda_permission/http-api-json-authorizer-not-permitted.log).
    const fn = `orders-http-authz-${suffix}`;
    const backend = `orders-http-list-${suffix}`;
    await createFunction(fn);
    await createFunction(backend);
    const api = await apigwv2.send(new CreateApiCommand({ Name: `authz-http-${suffix}`, ProtocolType: 'HTTP' }));
    const apiId = api.ApiId ?? '';
    const authorizer = await apigwv2.send(
      new CreateAuthorizerV2Command({
        ApiId: apiId,
        Name: 'request',
        AuthorizerType: 'REQUEST',
        AuthorizerUri: lambdaUri(fn),
        IdentitySource: ['$request.header.Authorization'],
        AuthorizerPayloadFormatVersion: '2.0',
        EnableSimpleResponses: true,
      }),
    );
    const integration = await apigwv2.send(
      new CreateIntegrationCommand({
        ApiId: apiId,
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: fnArn(backend),
        PayloadFormatVersion: '2.0',
      }),
    );
    await apigwv2.send(
      new CreateRouteCommand({
        ApiId: apiId,
        RouteKey: 'GET /orders',
        Target: `integrations/${integration.IntegrationId}`,
        AuthorizationType: 'CUSTOM',
        AuthorizerId: authorizer.AuthorizerId,
      }),
    );
    await apigwv2.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default' }));
    const incident: Incident = {
      type: 'HTTP',
      apiId,
      stage: '$default',
      events: httpAccessLog(
        apiId,
        'GET /orders',
        'GET',
        {
          integrationErrorMessage: '-',
          authorizerError:
            "The IAM role configured on the authorizer or API Gateway doesn't have permissions to call the authorizer. Check the permissions and try again.",
        },
        Date.now(),
      ),
    };
    const before = await diagnoseAndCheck(incident, 'lambda_permission');
    expect(before.causes).toEqual(['lambda_permission']);
    expect(before.verdict).toBe('confirmed');

    // Act: the lookup prints the authorizer URI; the step says the function is between functions/ and /invocations.
    const applied = applyPrintedFix(before.text, 'lambda_permission', {
      extract: (placeholder, stdout) =>
        placeholder === 'authorizer-function'
          ? (/functions\/(\S+)\/invocations/.exec(stdout)?.[1] ?? '')
          : stdout.trim(),
    });
    const after = await diagnoseAndCheck(incident, 'lambda_permission');

    // Assess
    expect(verbs(applied)).toEqual([
      'apigatewayv2 get-routes',
      'apigatewayv2 get-authorizer',
      'lambda add-permission',
      'lambda get-policy',
    ]);
    expect(applied.ran[2]).toEqual(expect.arrayContaining(['--function-name', fnArn(fn)]));
    expect(applied.ran[2]).toContain(`arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${apiId}/authorizers/*`);
    expect(after.verdict).toBe('contradicted');
  });

  it('stage-variable permission: add-permission for the function the stage resolves makes the stage work', async () => {
    // Prepare: GET /items calls function:${stageVariables.fn}; stage prod sets fn=items-v2, which has no policy.
    const fn = `items-v2-${suffix}`;
    const { apiId, resources } = await restApi('perm-stagevar', ['/items']);
    const resourceId = resources['/items'];
    await methodWithIntegration(apiId, resourceId, 'GET', {
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: API Gateway's stage-variable syntax, not a template.
      uri: lambdaUri('${stageVariables.fn}'),
    });
    await apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: STAGE, variables: { fn } }));
    await createFunction(fn);
    const route = { method: 'GET', resourcePath: '/items', path: '/items' };
    const failure = [
      'Execution failed due to configuration error: Invalid permissions on Lambda function',
      'Method completed with status: 500',
    ];
    const incident: Incident = {
      type: 'REST',
      apiId,
      stage: STAGE,
      events: restExecutionTrace({ apiId, stage: STAGE }, route, fn, failure, Date.now()),
      // What the handler passes from the configuration: the functions the integrations name through stage variables.
      context: { stageVariableFunctions: [fn] },
    };
    const before = await diagnoseAndCheck(incident, 'stage_variable_permission');
    expect(before.causes).toEqual(['stage_variable_permission']);
    expect(before.verdict).toBe('confirmed');

    // Act
    const applied = applyPrintedFix(before.text, 'stage_variable_permission');
    const after = await diagnoseAndCheck(incident, 'stage_variable_permission');

    // Assess
    expect(verbs(applied)).toEqual(['lambda add-permission', 'apigateway get-stages']);
    expect(after.verdict).toBe('contradicted');
  });

  it.each([
    { name: 'a route with a path parameter', routeKey: 'GET /orders/{id}', method: 'GET' },
    { name: 'the $default route', routeKey: '$default', method: 'GET' },
  ])(
    'HTTP API invoke permission for $name: the printed lookup and add-permission make the route allowed',
    async ({ routeKey, method }) => {
      // Prepare: an HTTP API whose route calls a function without a resource policy.
      const fn = `orders-http-${suffix}-${routeKey === '$default' ? 'default' : 'id'}`;
      await createFunction(fn);
      const api = await apigwv2.send(new CreateApiCommand({ Name: `perm-http-${suffix}`, ProtocolType: 'HTTP' }));
      const apiId = api.ApiId ?? '';
      const integration = await apigwv2.send(
        new CreateIntegrationCommand({
          ApiId: apiId,
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: fnArn(fn),
          PayloadFormatVersion: '2.0',
        }),
      );
      await apigwv2.send(
        new CreateRouteCommand({
          ApiId: apiId,
          RouteKey: routeKey,
          Target: `integrations/${integration.IntegrationId}`,
        }),
      );
      await apigwv2.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default' }));
      const incident: Incident = {
        type: 'HTTP',
        apiId,
        stage: '$default',
        events: httpAccessLog(
          apiId,
          routeKey,
          method,
          {
            integrationErrorMessage:
              "The IAM role configured on the integration or API Gateway doesn't have permissions to call the integration. Check the permissions and try again.",
          },
          Date.now(),
        ),
      };
      const before = await diagnoseAndCheck(incident, 'lambda_permission');
      expect(before.causes).toEqual(['lambda_permission']);
      expect(before.verdict).toBe('confirmed');

      // Act
      const applied = applyPrintedFix(before.text, 'lambda_permission');
      const after = await diagnoseAndCheck(incident, 'lambda_permission');

      // Assess
      expect(verbs(applied)).toEqual(['apigatewayv2 get-integrations', 'lambda add-permission', 'lambda get-policy']);
      const expected =
        routeKey === '$default'
          ? `arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${apiId}/$default/$default`
          : `arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${apiId}/$default/GET/orders/*`;
      expect(applied.ran[1]).toContain(expected);
      expect(after.verdict).toBe('contradicted');
    },
  );

  it('integration method: get-integration, update-integration (a one-field patch) and create-deployment as printed', async () => {
    // Prepare: GET /orders/{id} is a Lambda (AWS) integration called with GET.
    const fn = `orders-get-${suffix}`;
    const { apiId, resources } = await restApi('method', ['/orders', '/orders/{id}']);
    const resourceId = resources['/orders/{id}'];
    await methodWithIntegration(apiId, resourceId, 'GET', {
      type: 'AWS',
      integrationHttpMethod: 'GET',
      uri: lambdaUri(fn),
      timeoutInMillis: 12_000,
    });
    await deployWithFunction(apiId, fn);
    const incident = restIncident(apiId, { method: 'GET', resourcePath: '/orders/{id}', path: '/orders/42' }, fn, [
      'Received response. Status: 403, Integration latency: 4 ms',
      'Endpoint response body before transformations: <AccessDeniedException><Message>Unable to determine service/operation name to be authorized</Message></AccessDeniedException>',
      'Method completed with status: 500',
    ]);
    const before = await diagnoseAndCheck(incident, 'integration_http_method');
    expect(before.causes).toEqual(['integration_http_method']);
    expect(before.verdict).toBe('confirmed');

    // Act: moto 5.2 has no UpdateIntegration (PATCH .../methods/GET/integration is not routed), so that one command is
    // checked to be parsed by the CLI and sent as the documented patch; it cannot change moto's integration.
    const applied = applyPrintedFix(before.text, 'integration_http_method', {
      motoGap: (step) =>
        step.command?.includes('update-integration ') === true
          ? {
              request:
                /'method': 'PATCH', .*'body': b'\{"patchOperations": \[\{"op": "replace", "path": "\/httpMethod", "value": "POST"\}\]\}', 'url': '[^']*\/methods\/GET\/integration'/,
            }
          : undefined,
    });
    const after = await diagnoseAndCheck(incident, 'integration_http_method');

    // Assess: every other printed command ran; the read shows what the patch keeps (timeout, type, URI).
    expect(verbs(applied)).toEqual([
      'apigateway get-resources',
      'apigateway get-integration',
      'apigateway create-deployment',
    ]);
    const read = JSON.parse([...applied.outputs.values()][1] ?? '{}') as { timeoutInMillis?: number; type?: string };
    expect(read).toMatchObject({ timeoutInMillis: 12_000, type: 'AWS' });
    // The moto gap: the verdict cannot flip here because the patch never reached moto's model.
    expect(after.verdict).toBe('confirmed');
  });

  it('integration responses: the printed read, then the default 200 mapping, take the 500s away', async () => {
    // Prepare: GET /reports is non-proxy; its only integration response has a selection pattern (no default).
    const fn = `reports-${suffix}`;
    const { apiId, resources } = await restApi('mapping', ['/reports']);
    const resourceId = resources['/reports'];
    await methodWithIntegration(apiId, resourceId, 'GET', {
      type: 'AWS',
      integrationHttpMethod: 'POST',
      uri: lambdaUri(fn),
    });
    for (const statusCode of ['200', '400']) {
      await apigw.send(new PutMethodResponseCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', statusCode }));
    }
    await apigw.send(
      new PutIntegrationResponseCommand({
        restApiId: apiId,
        resourceId,
        httpMethod: 'GET',
        statusCode: '400',
        selectionPattern: '.*Bad Request.*',
      }),
    );
    await deployWithFunction(apiId, fn);
    const incident = restIncident(apiId, { method: 'GET', resourcePath: '/reports', path: '/reports' }, fn, [
      'Received response. Status: 200, Integration latency: 12 ms',
      'Execution failed due to configuration error: No match for output mapping and no default output mapping configured. Endpoint Response Status Code: 200',
      'Method completed with status: 500',
    ]);
    const before = await diagnoseAndCheck(incident, 'status_code_mapping');
    expect(before.causes).toEqual(['status_code_mapping']);
    expect(before.verdict).toBe('confirmed');

    // Act: the "If" steps are decided on the printed reads, as the engineer would.
    const applied = applyPrintedFix(before.text, 'status_code_mapping', {
      decide: decideMappingStep,
    });
    const after = await diagnoseAndCheck(incident, 'status_code_mapping');

    // Assess
    expect(verbs(applied)).toEqual([
      'apigateway get-resources',
      'apigateway get-integration',
      'apigateway put-integration-response',
      'apigateway get-method',
      'apigateway create-deployment',
    ]);
    expect(after.verdict).toBe('contradicted');
  });

  it("integration responses: a backend's 403 is mapped to 403 as printed, not made a 200 success", async () => {
    // Prepare: POST /messages is a non-proxy AWS integration whose only integration response maps 2xx; the backend
    // refused with 403 (as SQS does a message over 256 KB) and nothing mapped it.
    const fn = `messages-${suffix}`;
    const { apiId, resources } = await restApi('mapping403', ['/messages']);
    const resourceId = resources['/messages'];
    await methodWithIntegration(apiId, resourceId, 'POST', {
      type: 'AWS',
      integrationHttpMethod: 'POST',
      uri: lambdaUri(fn),
    });
    await apigw.send(
      new PutMethodResponseCommand({ restApiId: apiId, resourceId, httpMethod: 'POST', statusCode: '200' }),
    );
    await apigw.send(
      new PutIntegrationResponseCommand({
        restApiId: apiId,
        resourceId,
        httpMethod: 'POST',
        statusCode: '200',
        selectionPattern: '2\\d{2}',
      }),
    );
    await deployWithFunction(apiId, fn);
    const incident = restIncident(apiId, { method: 'POST', resourcePath: '/messages', path: '/messages' }, fn, [
      'Received response. Status: 403, Integration latency: 9 ms',
      'Execution failed due to configuration error: No match for output mapping and no default output mapping configured. Endpoint Response Status Code: 403',
      'Method completed with status: 500',
    ]);
    const before = await diagnoseAndCheck(incident, 'status_code_mapping');
    expect(before.verdict).toBe('confirmed');

    // Act
    const applied = applyPrintedFix(before.text, 'status_code_mapping', { decide: decideMappingStep });
    const after = await diagnoseAndCheck(incident, 'status_code_mapping');

    // Assess: the method and integration responses for 403 were added (no default 200 mapping), and the check sees
    // the backend's 403 mapped now.
    expect(verbs(applied)).toEqual([
      'apigateway get-resources',
      'apigateway get-integration',
      'apigateway get-method',
      'apigateway put-method-response',
      'apigateway put-integration-response',
      'apigateway create-deployment',
    ]);
    expect(after.verdict).toBe('contradicted');
  });

  it('integration responses with a pattern on 200: update-integration-response as printed (moto gap)', async () => {
    // Prepare: the 200 integration response exists but has a selection pattern, so nothing is the default.
    const fn = `invoices-${suffix}`;
    const { apiId, resources } = await restApi('mapping2', ['/invoices']);
    const resourceId = resources['/invoices'];
    await methodWithIntegration(apiId, resourceId, 'GET', {
      type: 'AWS',
      integrationHttpMethod: 'POST',
      uri: lambdaUri(fn),
    });
    await apigw.send(
      new PutMethodResponseCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', statusCode: '200' }),
    );
    await apigw.send(
      new PutIntegrationResponseCommand({
        restApiId: apiId,
        resourceId,
        httpMethod: 'GET',
        statusCode: '200',
        selectionPattern: '.*ok.*',
        responseTemplates: { 'application/json': "$input.json('$.body')" },
      }),
    );
    await deployWithFunction(apiId, fn);
    const incident = restIncident(apiId, { method: 'GET', resourcePath: '/invoices', path: '/invoices' }, fn, [
      'Received response. Status: 200, Integration latency: 12 ms',
      'Execution failed due to configuration error: No match for output mapping and no default output mapping configured. Endpoint Response Status Code: 200',
      'Method completed with status: 500',
    ]);
    const before = await diagnoseAndCheck(incident, 'status_code_mapping');
    expect(before.verdict).toBe('confirmed');

    // Act: the read lists 200 (with its template, which a put would drop), so the patch step applies; moto 5.2 has
    // no UpdateIntegrationResponse, so that command is checked to reach moto as the documented PATCH.
    const applied = applyPrintedFix(before.text, 'status_code_mapping', {
      decide: decideMappingStep,
      motoGap: (step) =>
        step.command?.includes('update-integration-response ') === true
          ? {
              request:
                /'method': 'PATCH', .*'body': b'\{"patchOperations": \[\{"op": "replace", "path": "\/selectionPattern", "value": ""\}\]\}', 'url': '[^']*\/integration\/responses\/200'/,
            }
          : undefined,
    });

    // Assess: the read showed the template the patch keeps; every command but the patch ran.
    const read = JSON.parse([...applied.outputs.values()][1] ?? '{}') as Record<string, { responseTemplates?: object }>;
    expect(read['200']?.responseTemplates).toEqual({ 'application/json': "$input.json('$.body')" });
    expect(verbs(applied)).toEqual([
      'apigateway get-resources',
      'apigateway get-integration',
      'apigateway get-method',
      'apigateway create-deployment',
    ]);
    // The moto gap: the patch never reached moto's model, so the check still sees no default mapping.
    expect((await diagnoseAndCheck(incident, 'status_code_mapping')).verdict).toBe('confirmed');
  });

  it('method responses: the printed read, then put-method-response for the status the logs name', async () => {
    // Prepare: the default integration response maps to 200, but the method defines only 400.
    const fn = `exports-${suffix}`;
    const { apiId, resources } = await restApi('methodresp', ['/exports']);
    const resourceId = resources['/exports'];
    await methodWithIntegration(apiId, resourceId, 'GET', {
      type: 'AWS',
      integrationHttpMethod: 'POST',
      uri: lambdaUri(fn),
    });
    await apigw.send(
      new PutMethodResponseCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', statusCode: '400' }),
    );
    await apigw.send(
      new PutIntegrationResponseCommand({
        restApiId: apiId,
        resourceId,
        httpMethod: 'GET',
        statusCode: '200',
        selectionPattern: '',
      }),
    );
    await deployWithFunction(apiId, fn);
    const incident = restIncident(apiId, { method: 'GET', resourcePath: '/exports', path: '/exports' }, fn, [
      'Received response. Status: 200, Integration latency: 9 ms',
      'Execution failed due to configuration error: Output mapping refers to an invalid method response: 200',
      'Method completed with status: 500',
    ]);
    const before = await diagnoseAndCheck(incident, 'status_code_mapping');
    expect(before.verdict).toBe('confirmed');

    // Act
    const applied = applyPrintedFix(before.text, 'status_code_mapping');
    const after = await diagnoseAndCheck(incident, 'status_code_mapping');

    // Assess
    expect(verbs(applied)).toEqual([
      'apigateway get-resources',
      'apigateway get-method',
      'apigateway put-method-response',
      'apigateway create-deployment',
    ]);
    expect(applied.ran[2]).toEqual(expect.arrayContaining(['--status-code', '200']));
    expect(after.verdict).toBe('contradicted');
  });

  it('HTTP API 503 at a 6.5 s integration timeout: the check reads TimeoutInMillis and rules out "add capacity"', async () => {
    // Prepare: an HTTP API integration with the Serverless Framework's 6.5 s timeout; 503s after 6.5 s of latency
    // (access log shape: test/fixtures/causes/service_unavailable/near-miss-http-api-503-after-30s.log).
    const api = await apigwv2.send(new CreateApiCommand({ Name: `slow-http-${suffix}`, ProtocolType: 'HTTP' }));
    const apiId = api.ApiId ?? '';
    const integration = await apigwv2.send(
      new CreateIntegrationCommand({
        ApiId: apiId,
        IntegrationType: 'HTTP_PROXY',
        IntegrationMethod: 'GET',
        IntegrationUri: 'https://backend.example.com/search',
        PayloadFormatVersion: '1.0',
        TimeoutInMillis: 6_500,
      }),
    );
    await apigwv2.send(
      new CreateRouteCommand({
        ApiId: apiId,
        RouteKey: 'GET /search',
        Target: `integrations/${integration.IntegrationId}`,
      }),
    );
    await apigwv2.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default' }));
    const incident: Incident = {
      type: 'HTTP',
      apiId,
      stage: '$default',
      events: httpAccessLog(
        apiId,
        'GET /search',
        'GET',
        {
          status: '503',
          responseLength: '33',
          integrationStatus: '-',
          integrationLatency: '6502',
          errorMessage: 'Service Unavailable',
          integrationErrorMessage: '-',
        },
        Date.now(),
      ),
    };

    // Act
    const result = await diagnoseAndCheck(incident, 'service_unavailable');

    // Assess: the logs alone say "service unavailable"; the configuration says it was the integration timeout.
    expect(result.causes).toEqual(['service_unavailable']);
    expect(result.verdict).toBe('contradicted');
    expect(result.evidence[0]).toBe(
      'GET /search: integration latency reached 6502 ms and the integration times out after 6500 ms: the 503 is an integration timeout, not a lack of capacity (raise TimeoutInMillis, 30000 at most, or speed up the backend)',
    );
    const steps = printedFix(result.text, 'service_unavailable');
    expect(steps[1]?.command).toBe(
      `aws apigatewayv2 get-integrations --api-id ${apiId} --region us-east-1 --query 'Items[].[IntegrationId,IntegrationUri,TimeoutInMillis]'`,
    );
    const run = runAws(aws, shellWords(steps[1]?.command ?? ''), endpoint);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([[integration.IntegrationId, 'https://backend.example.com/search', 6500]]);
  });

  it('execution logging off: the update-stage command the problem prints turns INFO logging on', async () => {
    // Prepare: a REST stage without execution logging, so its execution log group does not exist.
    const { apiId, resources } = await restApi('logging', ['/orders']);
    await apigw.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: resources['/orders'],
        httpMethod: 'GET',
        authorizationType: 'NONE',
      }),
    );
    await apigw.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId: resources['/orders'],
        httpMethod: 'GET',
        type: 'MOCK',
      }),
    );
    await apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: STAGE }));
    const logs = new CloudWatchLogsReader(new CloudWatchLogsClient(config));
    const read = await logs.read(
      {
        logGroupName: `API-Gateway-Execution-Logs_${apiId}/${STAGE}`,
        startTime: Date.now() - 600_000,
        endTime: Date.now(),
      },
      { maxPages: 2, maxEvents: 100, deadlineMs: Date.now() + 10_000 },
    );
    const loggingLevel = async () =>
      (await apigw.send(new GetStageCommand({ restApiId: apiId, stageName: STAGE }))).methodSettings?.['*/*']
        ?.loggingLevel;
    expect(read.problem?.kind).toBe('missing_group');
    expect(await loggingLevel()).toBeUndefined();

    // Act: the first command in backquotes of the printed fix, exactly as printed.
    const command = /`(aws apigateway update-stage [^`]*)`/.exec(read.problem?.fix ?? '')?.[1] ?? '';
    const run = runAws(aws, shellWords(command), endpoint);

    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(await loggingLevel()).toBe('INFO');
  });
});
