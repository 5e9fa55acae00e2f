/**
 * Configuration checks against a local AWS endpoint (moto): a REST API with a Lambda integration called with GET,
 * a function without an invoke permission, a non-proxy integration without a default mapping and a VPC link
 * integration, diagnosed from realistic execution logs, then read with the ConfigurationReader and judged.
 * moto creates Lambda functions without running them (it needs a role that exists in its IAM and a zip).
 */
import { randomUUID } from 'node:crypto';
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  CreateVpcLinkCommand,
} from '@aws-sdk/client-apigatewayv2';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigurationReader } from '../../lambda/adapters/config-checks.js';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import { enrich } from '../../lambda/enrich/enrich.js';
import { planChecks } from '../../lambda/enrich/plan.js';
import type { DiagnosisRef, FindingRef } from '../../lambda/enrich/types.js';
import { createRole, zipOf } from '../../scripts/local-api.js';
import { clientConfig, LOCAL_REGION } from '../../scripts/local-aws.js';
import { LOCAL_ACCOUNT, restExecutionTrace } from './execution-trace.js';

const ACCOUNT = LOCAL_ACCOUNT;
const STAGE = 'prod';
const MINUTE = 60_000;

describe('configuration checks against moto', () => {
  const endpoint = inject('awsEndpoint');
  const config = { ...clientConfig(endpoint), maxAttempts: 1 };
  const apigw = new APIGatewayClient(config);
  const lambda = new LambdaClient(config);
  const apigwv2 = new ApiGatewayV2Client(config);
  const reader = new ConfigurationReader({ apiGateway: apigw, apiGatewayV2: apigwv2, lambda });
  const suffix = randomUUID().slice(0, 8);
  const getFn = `orders-get-${suffix}`;
  const createFn = `orders-create-${suffix}`;
  const reportFn = `orders-report-${suffix}`;
  let apiId = '';
  let resources: Record<string, string> = {};
  let firstError = 0;

  const lambdaUri = (name: string) =>
    `arn:aws:apigateway:${LOCAL_REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${LOCAL_REGION}:${ACCOUNT}:function:${name}/invocations`;

  async function method(
    path: string,
    httpMethod: string,
    integration: Omit<
      ConstructorParameters<typeof PutIntegrationCommand>[0],
      'restApiId' | 'resourceId' | 'httpMethod'
    >,
  ) {
    const resourceId = resources[path] ?? '';
    await apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId, httpMethod, authorizationType: 'NONE' }));
    await apigw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId, httpMethod, ...integration }));
  }

  /** Diagnoses the incident's logs, plans, reads the configuration from moto and judges. */
  async function run() {
    const at = firstError;
    const events = [
      ...restExecutionTrace(
        { apiId, stage: STAGE },
        { method: 'GET', resourcePath: '/orders/{id}', path: '/orders/42' },
        getFn,
        [
          'Received response. Status: 403, Integration latency: 4 ms',
          'Endpoint response body before transformations: <AccessDeniedException><Message>Unable to determine service/operation name to be authorized</Message></AccessDeniedException>',
          'Method completed with status: 500',
        ],
        at,
      ),
      ...restExecutionTrace(
        { apiId, stage: STAGE },
        { method: 'POST', resourcePath: '/orders', path: '/orders' },
        createFn,
        [
          'Execution failed due to configuration error: Invalid permissions on Lambda function',
          'Method completed with status: 500',
        ],
        at + 10_000,
      ),
      ...restExecutionTrace(
        { apiId, stage: STAGE },
        { method: 'GET', resourcePath: '/reports', path: '/reports' },
        reportFn,
        [
          'Received response. Status: 200, Integration latency: 12 ms',
          'Execution failed due to configuration error: No match for output mapping and no default output mapping configured. Endpoint Response Status Code: 200',
          'Method completed with status: 500',
        ],
        at + 20_000,
      ),
    ];
    const api = {
      type: 'REST' as const,
      name: 'orders-api',
      apiId,
      stage: STAGE,
      region: LOCAL_REGION,
      accountId: ACCOUNT,
    };
    const { diagnosis, findings } = diagnoseEvents(events, { api });
    const plan = planChecks(diagnosis, findings, { api: { type: 'REST', apiId, stage: STAGE } });
    const facts = await reader.read(plan, { deadlineMs: Date.now() + 10_000 });
    const enrichment = enrich({ diagnosis, findings, plan, facts });
    const verdicts = Object.fromEntries(enrichment.checks.map((c) => [c.cause, c.verdict]));
    return { diagnosis, plan, facts, enrichment, verdicts };
  }

  beforeAll(async () => {
    // The API and its deployment first, the functions after: a function change is then the latest change.
    const created = await apigw.send(new CreateRestApiCommand({ name: `orders-api-${suffix}` }));
    apiId = created.id ?? '';
    const root = (await apigw.send(new GetResourcesCommand({ restApiId: apiId }))).items?.find(
      (r) => r.path === '/',
    )?.id;
    const child = async (parentId: string | undefined, pathPart: string) =>
      (await apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId, pathPart }))).id ?? '';
    const orders = await child(root, 'orders');
    resources = {
      '/orders': orders,
      '/orders/{id}': await child(orders, '{id}'),
      '/reports': await child(root, 'reports'),
    };
    // The integration_http_method fault: a Lambda integration called with GET.
    await method('/orders/{id}', 'GET', { type: 'AWS', integrationHttpMethod: 'GET', uri: lambdaUri(getFn) });
    await method('/orders', 'POST', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri(createFn) });
    // The status_code_mapping fault: non-proxy, every integration response has a selection pattern.
    await method('/reports', 'GET', { type: 'AWS', integrationHttpMethod: 'POST', uri: lambdaUri(reportFn) });
    for (const statusCode of ['200', '400']) {
      await apigw.send(
        new PutMethodResponseCommand({
          restApiId: apiId,
          resourceId: resources['/reports'],
          httpMethod: 'GET',
          statusCode,
        }),
      );
    }
    await apigw.send(
      new PutIntegrationResponseCommand({
        restApiId: apiId,
        resourceId: resources['/reports'],
        httpMethod: 'GET',
        statusCode: '400',
        selectionPattern: '.*Bad Request.*',
      }),
    );
    await apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: STAGE }));

    const role = await createRole(endpoint, `orders-fn-${suffix}`);
    for (const name of [reportFn, createFn, getFn]) {
      // getFn is changed last, in a later second than the others: changes are compared to the second (API
      // Gateway's precision), so functions created in the same second would be ordered by name instead.
      if (name === getFn) await new Promise((resolve) => setTimeout(resolve, 1_100));
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Role: role,
          Code: {
            ZipFile: zipOf('index.mjs', 'export const handler = async () => ({ statusCode: 200, body: "{}" });'),
          },
        }),
      );
    }
    // orders-get may be invoked by this API (so its permission is not the problem); orders-create may not.
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: getFn,
        StatementId: 'apigateway-get',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${apiId}/*/GET/orders/*`,
      }),
    );
    // The errors start four minutes after the last change.
    firstError = Date.now() + 4 * MINUTE;
  });

  it('confirms the causes the configuration shows and names the change before the first error', async () => {
    // Act
    const { diagnosis, facts, enrichment, verdicts } = await run();

    // Assess
    expect(diagnosis.causes.map((c) => c.cause).sort()).toEqual([
      'integration_http_method',
      'lambda_permission',
      'status_code_mapping',
    ]);
    expect(facts.problems).toEqual([]);
    expect(verdicts).toEqual({
      integration_http_method: 'confirmed',
      lambda_permission: 'confirmed',
      status_code_mapping: 'confirmed',
    });
    const evidence = Object.fromEntries(enrichment.checks.map((c) => [c.cause, c.evidence]));
    expect(evidence.integration_http_method).toEqual([
      `GET /orders/{id}: the Lambda integration (AWS) calls ${getFn} with GET; Lambda's Invoke API accepts only POST`,
    ]);
    expect(evidence.lambda_permission).toEqual([
      `${createFn} has no resource policy: nothing lets apigateway.amazonaws.com invoke it`,
    ]);
    expect(evidence.status_code_mapping).toEqual([
      'GET /reports: integration responses 400 (selection pattern .*Bad Request.*)',
      'GET /reports: none is the default mapping (empty selection pattern)',
    ]);
    expect(enrichment.lead).toBe(`${getFn} was updated 4 minutes before the first 500`);
    expect(enrichment.changes.map((c) => c.name)).toEqual([getFn, createFn, reportFn, `orders-api/${STAGE}`]);
    expect(enrichment.problems).toEqual([]);
  });

  it('contradicts the causes once the configuration is fixed', async () => {
    // Prepare: the fixes an engineer would make.
    await apigw.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId: resources['/orders/{id}'],
        httpMethod: 'GET',
        type: 'AWS',
        integrationHttpMethod: 'POST',
        uri: lambdaUri(getFn),
      }),
    );
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: createFn,
        StatementId: 'apigateway-post',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${apiId}/*/POST/orders`,
      }),
    );
    await apigw.send(
      new PutIntegrationResponseCommand({
        restApiId: apiId,
        resourceId: resources['/reports'],
        httpMethod: 'GET',
        statusCode: '200',
        selectionPattern: '',
      }),
    );

    // Act
    const { verdicts, enrichment } = await run();

    // Assess
    expect(verdicts).toEqual({
      integration_http_method: 'contradicted',
      lambda_permission: 'contradicted',
      status_code_mapping: 'contradicted',
    });
    const permission = enrichment.checks.find((c) => c.cause === 'lambda_permission');
    expect(permission?.evidence[0]).toBe(
      `${createFn}: statement apigateway-post lets apigateway.amazonaws.com invoke it from arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${apiId}/*/POST/orders, which covers arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${apiId}/${STAGE}/POST/orders`,
    );
  });

  it('confirms a permission that allows another route only, and degrades a missing API to problems', async () => {
    // Prepare: orders-get's permission covers GET /orders/*, not POST /orders.
    const events = restExecutionTrace(
      { apiId, stage: STAGE },
      { method: 'POST', resourcePath: '/orders', path: '/orders' },
      getFn,
      [
        'Execution failed due to configuration error: Invalid permissions on Lambda function',
        'Method completed with status: 500',
      ],
      firstError,
    );
    const api = { type: 'REST' as const, apiId, stage: STAGE, region: LOCAL_REGION, accountId: ACCOUNT };
    const { diagnosis, findings } = diagnoseEvents(events, { api });
    const plan = planChecks(diagnosis, findings);
    const missingApi = planChecks(diagnosis, findings, { api: { type: 'REST', apiId: 'zzzzzzzzzz', stage: STAGE } });

    // Act
    const result = enrich({
      diagnosis,
      findings,
      plan,
      facts: await reader.read(plan, { deadlineMs: Date.now() + 10_000 }),
    });
    const degraded = enrich({
      diagnosis,
      findings,
      plan: missingApi,
      facts: await reader.read(missingApi, { deadlineMs: Date.now() + 10_000 }),
    });

    // Assess
    expect(result.checks[0]).toEqual({
      cause: 'lambda_permission',
      verdict: 'confirmed',
      evidence: [
        `${getFn}: 1 policy statement, none lets apigateway.amazonaws.com invoke it from arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${apiId}/${STAGE}/POST/orders`,
        `${getFn}: statement apigateway-get allows only arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${apiId}/*/GET/orders/*`,
      ],
    });
    // Without the route the source ARN is not known, and orders-get's statement for API Gateway may apply.
    expect(degraded.checks[0]).toEqual({
      cause: 'lambda_permission',
      verdict: 'unknown',
      evidence: [`${getFn}: statement apigateway-get may apply, but the API's source ARN is not fully known`],
    });
    expect(degraded.problems.some((p) => p.startsWith('Could not read stage prod of REST API zzzzzzzzzz'))).toBe(true);
  });

  it('reads an HTTP API: its VPC link and a Lambda route with a permission for the API', async () => {
    // Prepare: moto's REST PutIntegration drops connectionId, so the VPC link branch runs against an HTTP API.
    const http = await apigwv2.send(new CreateApiCommand({ Name: `orders-http-${suffix}`, ProtocolType: 'HTTP' }));
    const httpId = http.ApiId ?? '';
    const link = await apigwv2.send(
      new CreateVpcLinkCommand({ Name: `orders-nlb-${suffix}`, SubnetIds: ['subnet-0a1b2c3d'] }),
    );
    const privateIntegration = await apigwv2.send(
      new CreateIntegrationCommand({
        ApiId: httpId,
        IntegrationType: 'HTTP_PROXY',
        IntegrationMethod: 'GET',
        IntegrationUri: `arn:aws:elasticloadbalancing:${LOCAL_REGION}:${ACCOUNT}:listener/net/orders/0123456789abcdef/fedcba9876543210`,
        ConnectionType: 'VPC_LINK',
        ConnectionId: link.VpcLinkId,
        PayloadFormatVersion: '1.0',
      }),
    );
    const lambdaIntegration = await apigwv2.send(
      new CreateIntegrationCommand({
        ApiId: httpId,
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: `arn:aws:lambda:${LOCAL_REGION}:${ACCOUNT}:function:${getFn}`,
        PayloadFormatVersion: '2.0',
      }),
    );
    await apigwv2.send(
      new CreateRouteCommand({
        ApiId: httpId,
        RouteKey: 'GET /legacy',
        Target: `integrations/${privateIntegration.IntegrationId}`,
      }),
    );
    await apigwv2.send(
      new CreateRouteCommand({
        ApiId: httpId,
        RouteKey: 'GET /orders/{id}',
        Target: `integrations/${lambdaIntegration.IntegrationId}`,
      }),
    );
    await apigwv2.send(new CreateStageCommand({ ApiId: httpId, StageName: '$default' }));
    // What CDK's HttpLambdaIntegration grants: any stage and method on the route's path.
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: getFn,
        StatementId: 'apigateway-http',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${httpId}/*/*/orders/{id}`,
      }),
    );
    // HTTP APIs write access logs only; the findings as the core builds them from `$context.routeKey`.
    const diagnosis: DiagnosisRef = {
      api: { type: 'HTTP', apiId: httpId, stage: '$default', region: LOCAL_REGION, accountId: ACCOUNT },
      firstSeen: firstError,
      causes: [
        {
          cause: 'private_integration',
          firstSeen: firstError,
          statuses: [{ key: 500, count: 3 }],
          functions: [],
          authorizerFunctions: [],
        },
        {
          cause: 'lambda_permission',
          firstSeen: firstError,
          statuses: [{ key: 500, count: 2 }],
          functions: [],
          authorizerFunctions: [],
        },
      ],
    };
    const findings: FindingRef[] = [
      { cause: 'private_integration', method: 'GET', routeKey: 'GET /legacy', path: '/legacy', status: 500 },
      // The function is not in the access log: the reader takes it from the route's integration.
      { cause: 'lambda_permission', method: 'GET', routeKey: 'GET /orders/{id}', path: '/orders/7', status: 500 },
    ];
    const plan = planChecks(diagnosis, findings);

    // Act
    const facts = await reader.read(plan, { deadlineMs: Date.now() + 10_000 });
    const result = enrich({ diagnosis, findings, plan, facts });

    // Assess
    expect(facts.problems).toEqual([]);
    expect(result.checks).toEqual([
      {
        cause: 'private_integration',
        verdict: 'contradicted',
        evidence: [`GET /legacy: VPC link ${link.VpcLinkId} (orders-nlb-${suffix}) is AVAILABLE`],
      },
      {
        cause: 'lambda_permission',
        verdict: 'contradicted',
        evidence: [
          `${getFn}: statement apigateway-http lets apigateway.amazonaws.com invoke it from arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${httpId}/*/*/orders/{id}, which covers arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${httpId}/$default/GET/orders/{id}`,
          `${getFn}: a permission takes effect at once, so it may have been added after the errors`,
        ],
      },
    ]);
  });
});
