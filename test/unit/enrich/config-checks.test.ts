import {
  APIGatewayClient,
  GetDeploymentCommand,
  GetIntegrationCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetStageCommand,
  GetVpcLinkCommand,
  NotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-api-gateway';
import {
  ApiGatewayV2Client,
  GetDeploymentCommand as GetHttpDeploymentCommand,
  GetIntegrationCommand as GetHttpIntegrationCommand,
  GetStageCommand as GetHttpStageCommand,
  GetVpcLinkCommand as GetHttpVpcLinkCommand,
  GetRoutesCommand,
} from '@aws-sdk/client-apigatewayv2';
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  LambdaClient,
  LambdaServiceException,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationReader, parseLambdaTime } from '../../../lambda/adapters/config-checks.js';
import { enrich } from '../../../lambda/enrich/enrich.js';
import { planChecks } from '../../../lambda/enrich/plan.js';
import type { CheckPlan } from '../../../lambda/enrich/types.js';
import {
  ACCOUNT,
  API_ID,
  allowApiGateway,
  cause,
  diagnosis,
  EXECUTE_API,
  finding,
  functionArn,
  lambdaUri,
  policyText,
} from './helpers.js';

const apigw = mockClient(APIGatewayClient);
const apigwv2 = mockClient(ApiGatewayV2Client);
const lambda = mockClient(LambdaClient);
const clients = {
  apiGateway: new APIGatewayClient({ region: 'us-east-1' }),
  apiGatewayV2: new ApiGatewayV2Client({ region: 'us-east-1' }),
  lambda: new LambdaClient({ region: 'us-east-1' }),
};
const limits = () => ({ deadlineMs: Date.now() + 5_000 });

const restPlan = (extra: Partial<CheckPlan> = {}): CheckPlan => ({
  api: { type: 'REST', apiId: API_ID, stage: 'prod' },
  routes: [{ method: 'POST', path: '/orders' }],
  functions: [{ name: 'orders-create', arn: functionArn('orders-create'), policy: true }],
  skipped: [],
  ...extra,
});

function restApi(methods: Record<string, object> = { POST: {} }) {
  apigw.on(GetStageCommand).resolves({
    deploymentId: 'dep1',
    lastUpdatedDate: new Date('2026-11-25T16:40:00Z'),
    variables: { fn: 'orders-create' },
  });
  apigw.on(GetDeploymentCommand).resolves({ id: 'dep1', createdDate: new Date('2026-11-25T16:40:00Z') });
  apigw.on(GetResourcesCommand).resolves({
    items: [
      { id: 'root', path: '/' },
      { id: 'res1', path: '/orders', resourceMethods: methods },
    ],
  });
  apigw.on(GetMethodCommand).resolves({
    httpMethod: 'POST',
    methodResponses: { '200': { statusCode: '200' } },
    methodIntegration: {
      type: 'AWS_PROXY',
      httpMethod: 'POST',
      uri: lambdaUri(functionArn('orders-create')),
      integrationResponses: { '200': { statusCode: '200' } },
    },
  });
}

function lambdaFunction(name = 'orders-create') {
  lambda.on(GetFunctionConfigurationCommand).resolves({
    FunctionName: name,
    FunctionArn: functionArn(name),
    LastModified: '2026-11-25T16:43:18.000+0000',
    Version: '$LATEST',
    Timeout: 3,
    MemorySize: 128,
    State: 'Active',
  });
}

const accessDenied = (action: string) =>
  new LambdaServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: `User is not authorized to perform: ${action}`,
  });

describe('ConfigurationReader', () => {
  beforeEach(() => {
    apigw.reset();
    apigwv2.reset();
    lambda.reset();
  });

  it('reads the stage, its deployment, the route and the function with its policy (REST)', async () => {
    // Prepare
    restApi();
    lambdaFunction();
    lambda.on(GetPolicyCommand).resolves({ Policy: policyText(allowApiGateway(`${EXECUTE_API}/*/POST/orders`)) });
    const reader = new ConfigurationReader(clients);

    // Act
    const facts = await reader.read(restPlan(), limits());

    // Assess
    expect(facts.problems).toEqual([]);
    expect(facts.stage).toEqual({
      state: 'found',
      name: 'prod',
      deploymentId: 'dep1',
      lastUpdated: Date.parse('2026-11-25T16:40:00Z'),
      deploymentCreated: Date.parse('2026-11-25T16:40:00Z'),
      variables: { fn: 'orders-create' },
    });
    expect(facts.routes).toEqual([
      {
        ref: { method: 'POST', path: '/orders' },
        state: 'found',
        resourcePath: '/orders',
        resourceId: 'res1',
        method: 'POST',
        methodResponses: ['200'],
        integration: {
          type: 'AWS_PROXY',
          httpMethod: 'POST',
          uri: lambdaUri(functionArn('orders-create')),
          responses: [{ statusCode: '200' }],
        },
      },
    ]);
    expect(facts.functions).toEqual([
      {
        ref: { name: 'orders-create', arn: functionArn('orders-create'), policy: true },
        state: 'found',
        arn: functionArn('orders-create'),
        lastModified: Date.parse('2026-11-25T16:43:18Z'),
        version: '$LATEST',
        timeoutSec: 3,
        memoryMb: 128,
        functionState: 'Active',
        policyState: 'found',
        policy: policyText(allowApiGateway(`${EXECUTE_API}/*/POST/orders`)),
      },
    ]);
    expect(apigw.commandCalls(GetMethodCommand)[0]?.args[0].input).toEqual({
      restApiId: API_ID,
      resourceId: 'res1',
      httpMethod: 'POST',
    });
    expect(lambda.commandCalls(GetPolicyCommand)[0]?.args[0].input).toEqual({
      FunctionName: functionArn('orders-create'),
    });
    // Every call carries an abort signal: the deadline can cut it short.
    expect((apigw.commandCalls(GetMethodCommand)[0]?.args as unknown[] | undefined)?.[1]).toMatchObject({
      abortSignal: expect.any(AbortSignal),
    });
  });

  it('uses the ANY method when the resource has no method of the logged verb', async () => {
    restApi({ ANY: {} });
    lambdaFunction();
    lambda.on(GetPolicyCommand).rejects(new ResourceNotFoundException({ message: 'no policy', $metadata: {} }));

    const facts = await new ConfigurationReader(clients).read(restPlan(), limits());

    expect(facts.routes[0]?.method).toBe('ANY');
    expect(apigw.commandCalls(GetMethodCommand).map((c) => c.args[0].input.httpMethod)).toEqual(['ANY']);
  });

  it('says missing when the resource has neither the verb nor ANY', async () => {
    restApi({ GET: {} });
    lambdaFunction();
    lambda.on(GetPolicyCommand).resolves({ Policy: policyText() });

    const facts = await new ConfigurationReader(clients).read(restPlan(), limits());

    expect(facts.routes[0]).toMatchObject({ state: 'missing', resourcePath: '/orders' });
    expect(apigw.commandCalls(GetMethodCommand)).toHaveLength(0);
  });

  it('reads the integration separately when GetMethod does not embed it', async () => {
    restApi();
    apigw.on(GetMethodCommand).resolves({ httpMethod: 'POST' });
    apigw
      .on(GetIntegrationCommand)
      .resolves({ type: 'AWS', httpMethod: 'GET', uri: lambdaUri(functionArn('orders-create')) });
    lambdaFunction();

    const facts = await new ConfigurationReader(clients).read(restPlan({ functions: [] }), limits());

    expect(facts.routes[0]?.integration).toMatchObject({ type: 'AWS', httpMethod: 'GET', responses: [] });
  });

  it('reports "the function has no resource policy" when GetPolicy says not found for an existing function', async () => {
    restApi();
    lambdaFunction();
    lambda.on(GetPolicyCommand).rejects(
      new ResourceNotFoundException({
        message: 'The resource you requested does not exist.',
        $metadata: { httpStatusCode: 404 },
      }),
    );

    const facts = await new ConfigurationReader(clients).read(restPlan(), limits());

    expect(facts.functions[0]).toMatchObject({ state: 'found', policyState: 'missing' });
    expect(facts.problems).toEqual([]);
  });

  it('says the function is missing, and asks for no policy, when GetFunctionConfiguration says not found', async () => {
    restApi();
    lambda
      .on(GetFunctionConfigurationCommand)
      .rejects(new ResourceNotFoundException({ message: 'Function not found', $metadata: {} }));

    const facts = await new ConfigurationReader(clients).read(restPlan(), limits());

    expect(facts.functions[0]).toMatchObject({ state: 'missing' });
    expect(lambda.commandCalls(GetPolicyCommand)).toHaveLength(0);
  });

  it('degrades a denied GetPolicy to "from logs only" with the fix', async () => {
    // Prepare
    restApi();
    lambdaFunction();
    lambda.on(GetPolicyCommand).rejects(accessDenied('lambda:GetPolicy'));
    const plan = restPlan();

    // Act
    const facts = await new ConfigurationReader(clients).read(plan, limits());
    const result = enrich({
      diagnosis: diagnosis([cause('lambda_permission')]),
      findings: [
        finding('lambda_permission', { method: 'POST', resourcePath: '/orders', functionName: 'orders-create' }),
      ],
      plan,
      facts,
    });

    // Assess
    expect(facts.functions[0]).toMatchObject({ state: 'found', policyState: 'failed' });
    expect(result.checks).toEqual([{ cause: 'lambda_permission', verdict: 'unknown', evidence: [] }]);
    expect(result.problems).toEqual([
      "Could not read the resource policy of function orders-create: access denied to lambda:GetPolicy (AccessDeniedException). The stack grants lambda:GetFunctionConfiguration, lambda:GetPolicy and lambda:GetAlias only on the API's configured functionNames: add orders-create to functionNames and run `cdk deploy`. Check by hand: `aws lambda get-policy --function-name arn:aws:lambda:us-east-1:123456789012:function:orders-create`.",
    ]);
  });

  it('degrades throttled API Gateway reads to failed routes with one problem', async () => {
    apigw.on(GetStageCommand).resolves({ deploymentId: undefined });
    apigw
      .on(GetResourcesCommand)
      .rejects(new TooManyRequestsException({ message: 'Too Many Requests', $metadata: {} }));

    const facts = await new ConfigurationReader(clients).read(
      restPlan({
        routes: [
          { method: 'POST', path: '/orders' },
          { method: 'GET', path: '/orders/{id}' },
        ],
        functions: [],
      }),
      limits(),
    );

    expect(facts.routes.map((r) => r.state)).toEqual(['failed', 'failed']);
    expect(facts.problems).toEqual([
      'Could not read the resources of REST API a1b2c3d4e5: throttled (TooManyRequestsException); control-plane read quotas are low and shared by the account. Check by hand: `aws apigateway get-resources --rest-api-id a1b2c3d4e5`.',
    ]);
  });

  it('reports a missing stage as a problem and reads no deployment', async () => {
    apigw
      .on(GetStageCommand)
      .rejects(new NotFoundException({ message: 'Invalid stage identifier specified', $metadata: {} }));
    apigw.on(GetResourcesCommand).resolves({ items: [] });

    const facts = await new ConfigurationReader(clients).read(restPlan({ functions: [] }), limits());

    expect(facts.stage).toEqual({ state: 'missing', name: 'prod' });
    expect(facts.problems[0]).toMatch(/^Could not read stage prod of REST API a1b2c3d4e5: it does not exist/);
    expect(facts.routes[0]?.state).toBe('missing');
  });

  it('stops at the deadline when a call does not answer, and says so', async () => {
    // Prepare: GetMethod never answers.
    restApi();
    apigw.on(GetMethodCommand).callsFake(() => new Promise(() => {}));
    lambdaFunction();
    const started = Date.now();

    // Act
    const facts = await new ConfigurationReader(clients).read(restPlan({ functions: [] }), {
      deadlineMs: Date.now() + 150,
    });

    // Assess
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(facts.routes[0]?.state).toBe('failed');
    expect(facts.problems).toEqual([
      'Configuration checks stopped at their time budget before reading the method and integration of POST /orders (REST API a1b2c3d4e5); what was not read is reported from the logs only. Check by hand: `aws apigateway get-method --rest-api-id a1b2c3d4e5 --resource-id res1 --http-method POST`.',
    ]);
  });

  it('makes no call once the deadline has passed', async () => {
    const facts = await new ConfigurationReader(clients).read(restPlan(), { deadlineMs: 0 });

    expect(apigw.calls()).toHaveLength(0);
    expect(lambda.calls()).toHaveLength(0);
    expect(facts.stage?.state).toBe('failed');
  });

  it('stops at the call cap', async () => {
    restApi();
    lambdaFunction();

    const facts = await new ConfigurationReader(clients, { maxCalls: 2 }).read(restPlan(), limits());

    expect(apigw.calls().length + lambda.calls().length).toBe(2);
    expect(facts.problems.some((p) => p.startsWith('Configuration checks stopped at their time budget'))).toBe(true);
  });

  it('does not call Lambda for a function outside the readable list, and says how to allow it', async () => {
    restApi();

    const facts = await new ConfigurationReader(clients).read(
      restPlan({ readableFunctions: ['orders-get'] }),
      limits(),
    );

    expect(lambda.calls()).toHaveLength(0);
    expect(facts.functions[0]?.state).toBe('failed');
    expect(facts.problems).toEqual([
      "orders-create is not among the API's configured functionNames, so the responder may not read its configuration or resource policy: add it to functionNames and run `cdk deploy`. Check by hand: `aws lambda get-policy --function-name arn:aws:lambda:us-east-1:123456789012:function:orders-create`.",
    ]);
  });

  it('reads the function the integration names when the logs did not, resolving stage variables', async () => {
    // Prepare
    restApi();
    apigw.on(GetMethodCommand).resolves({
      methodIntegration: {
        type: 'AWS_PROXY',
        httpMethod: 'POST',
        uri: lambdaUri(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:\${stageVariables.fn}:live`),
      },
    });
    lambdaFunction();
    lambda.on(GetAliasCommand).resolves({ Name: 'live', FunctionVersion: '7' });
    lambda.on(GetPolicyCommand).resolves({ Policy: policyText(allowApiGateway(`${EXECUTE_API}/*`)) });

    // Act
    const facts = await new ConfigurationReader(clients).read(
      restPlan({ routes: [{ method: 'POST', path: '/orders', resolveFunction: 'policy' }], functions: [] }),
      limits(),
    );

    // Assess
    expect(facts.functions[0]).toMatchObject({
      ref: { name: 'orders-create', qualifier: 'live', policy: true },
      alias: { name: 'live', functionVersion: '7' },
      policyState: 'found',
    });
    expect(lambda.commandCalls(GetPolicyCommand)[0]?.args[0].input).toEqual({
      FunctionName: functionArn('orders-create'),
      Qualifier: 'live',
    });
  });

  it('reads no alias for a numbered version', async () => {
    lambdaFunction();

    await new ConfigurationReader(clients).read(
      { routes: [], functions: [{ name: 'orders-create', qualifier: '7', policy: false }], skipped: [] },
      limits(),
    );

    expect(lambda.commandCalls(GetAliasCommand)).toHaveLength(0);
    expect(lambda.commandCalls(GetFunctionConfigurationCommand)[0]?.args[0].input).toEqual({
      FunctionName: 'orders-create',
      Qualifier: '7',
    });
  });

  it('turns a malformed answer into a problem and keeps every other fact', async () => {
    restApi();
    lambdaFunction();
    // An SDK answer without a body: reading .Policy of it throws inside the reader.
    lambda.on(GetPolicyCommand).resolves(undefined as never);

    const facts = await new ConfigurationReader(clients).read(restPlan(), limits());

    expect(facts.routes[0]?.state).toBe('found');
    expect(facts.functions[0]).toEqual({ ref: restPlan().functions[0], state: 'failed' });
    expect(facts.problems).toEqual([
      "Reading function orders-create failed unexpectedly (TypeError: Cannot read properties of undefined (reading 'Policy')); it is reported from the logs only.",
    ]);
  });

  it('reads the VPC link a stage variable names (REST)', async () => {
    restApi();
    apigw.on(GetStageCommand).resolves({ variables: { link: 'vl123' } });
    apigw.on(GetMethodCommand).resolves({
      methodIntegration: { type: 'HTTP_PROXY', connectionType: 'VPC_LINK', connectionId: `\${stageVariables.link}` },
    });
    apigw.on(GetVpcLinkCommand).resolves({ id: 'vl123', name: 'nlb', status: 'PENDING', statusMessage: 'creating' });

    const facts = await new ConfigurationReader(clients).read(restPlan({ functions: [] }), limits());

    expect(apigw.commandCalls(GetVpcLinkCommand)[0]?.args[0].input).toEqual({ vpcLinkId: 'vl123' });
    expect(facts.routes[0]?.vpcLink).toEqual({
      id: 'vl123',
      state: 'found',
      name: 'nlb',
      status: 'PENDING',
      statusMessage: 'creating',
    });
  });

  // moto's REST PutIntegration drops connectionId (see test/e2e/config-checks.e2e.test.ts), so the REST VPC link V2
  // reads are tested against mocked clients here.
  it('reads a REST VPC link V2 with apigatewayv2 when the V1 GetVpcLink does not know the id', async () => {
    // Prepare: since November 2025 a REST private integration may use a VPC link V2, which V1 GetVpcLink calls missing.
    restApi();
    apigw.on(GetMethodCommand).resolves({
      methodIntegration: {
        type: 'HTTP_PROXY',
        connectionType: 'VPC_LINK',
        connectionId: 'v2link1',
        timeoutInMillis: 29_000,
      },
    });
    apigw
      .on(GetVpcLinkCommand)
      .rejects(new NotFoundException({ message: 'Invalid VPC link identifier specified', $metadata: {} }));
    apigwv2.on(GetHttpVpcLinkCommand).resolves({ VpcLinkId: 'v2link1', Name: 'alb', VpcLinkStatus: 'AVAILABLE' });

    // Act
    const facts = await new ConfigurationReader(clients).read(restPlan({ functions: [] }), limits());

    // Assess
    expect(apigwv2.commandCalls(GetHttpVpcLinkCommand)[0]?.args[0].input).toEqual({ VpcLinkId: 'v2link1' });
    expect(facts.routes[0]?.vpcLink).toEqual({ id: 'v2link1', state: 'found', name: 'alb', status: 'AVAILABLE' });
    expect(facts.routes[0]?.integration?.timeoutMs).toBe(29_000);
    expect(facts.problems).toEqual([]);
  });

  it('asks apigatewayv2 first for a REST integration with a load balancer target, and calls a link missing only when neither knows it', async () => {
    // Prepare
    restApi();
    apigw.on(GetMethodCommand).resolves({
      methodIntegration: {
        type: 'HTTP_PROXY',
        connectionType: 'VPC_LINK',
        connectionId: 'gone1',
        integrationTarget: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/orders/0123456789abcdef`,
      },
    });
    apigwv2.on(GetHttpVpcLinkCommand).rejects(new NotFoundException({ message: 'not found', $metadata: {} }));
    apigw.on(GetVpcLinkCommand).rejects(new NotFoundException({ message: 'not found', $metadata: {} }));

    // Act
    const facts = await new ConfigurationReader(clients).read(restPlan({ functions: [] }), limits());

    // Assess
    expect(apigwv2.commandCalls(GetHttpVpcLinkCommand)).toHaveLength(1);
    expect(apigw.commandCalls(GetVpcLinkCommand)).toHaveLength(1);
    expect(facts.routes[0]?.vpcLink).toEqual({ id: 'gone1', state: 'missing' });
  });

  it('reads an HTTP API route, its integration and an INACTIVE VPC link, which confirms private_integration', async () => {
    // Prepare: moto's VPC links are always AVAILABLE, so the "not AVAILABLE" branch is exercised here.
    apigwv2
      .on(GetHttpStageCommand)
      .resolves({ StageName: '$default', DeploymentId: 'hd1', LastUpdatedDate: new Date(0) });
    apigwv2
      .on(GetHttpDeploymentCommand)
      .resolves({ DeploymentId: 'hd1', CreatedDate: new Date('2026-11-25T16:00:00Z') });
    apigwv2.on(GetRoutesCommand).resolves({
      Items: [
        { RouteKey: 'GET /orders/{id}', Target: 'integrations/i1', RouteId: 'r1' },
        { RouteKey: '$default', Target: 'integrations/i2', RouteId: 'r2' },
      ],
    });
    apigwv2.on(GetHttpIntegrationCommand).resolves({
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'GET',
      IntegrationUri: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/orders/1/2',
      ConnectionType: 'VPC_LINK',
      ConnectionId: 'vl9',
    });
    apigwv2.on(GetHttpVpcLinkCommand).resolves({
      VpcLinkId: 'vl9',
      Name: 'orders',
      VpcLinkStatus: 'INACTIVE',
      VpcLinkStatusMessage: 'VPC link is inactive after 60 days without traffic',
    });
    const d = diagnosis([cause('private_integration')], { type: 'HTTP', stage: '$default' });
    const findings = [finding('private_integration', { resourcePath: undefined, routeKey: 'GET /orders/{id}' })];
    const plan = planChecks(d, findings);

    // Act
    const facts = await new ConfigurationReader(clients).read(plan, limits());
    const result = enrich({ diagnosis: d, findings, plan, facts });

    // Assess
    expect(apigwv2.commandCalls(GetHttpIntegrationCommand)[0]?.args[0].input).toEqual({
      ApiId: API_ID,
      IntegrationId: 'i1',
    });
    expect(result.checks).toEqual([
      {
        cause: 'private_integration',
        verdict: 'confirmed',
        evidence: [
          'GET /orders/{id}: VPC link vl9 (orders) is INACTIVE: VPC link is inactive after 60 days without traffic',
        ],
      },
    ]);
    expect(result.changes[0]).toMatchObject({
      what: 'deployment',
      name: 'orders-api/$default',
      at: Date.parse('2026-11-25T16:00:00Z'),
    });
  });

  it('falls back to the $default route of an HTTP API', async () => {
    apigwv2.on(GetHttpStageCommand).resolves({ StageName: '$default' });
    apigwv2.on(GetRoutesCommand).resolves({ Items: [{ RouteKey: '$default', Target: 'integrations/i2' }] });
    apigwv2
      .on(GetHttpIntegrationCommand)
      .resolves({ IntegrationType: 'AWS_PROXY', IntegrationUri: functionArn('api'), IntegrationMethod: 'POST' });

    const facts = await new ConfigurationReader(clients).read(
      {
        api: { type: 'HTTP', apiId: API_ID, stage: '$default' },
        routes: [{ method: 'GET', path: '/x' }],
        functions: [],
        skipped: [],
      },
      limits(),
    );

    expect(facts.routes[0]).toMatchObject({ state: 'found', resourcePath: '$default', method: 'ANY' });
  });
});

describe('parseLambdaTime', () => {
  it("reads Lambda's LastModified formats", () => {
    expect(parseLambdaTime('2019-09-24T18:20:35.054+0000')).toBe(Date.parse('2019-09-24T18:20:35.054Z'));
    expect(parseLambdaTime('2026-11-25T17:38:40.037275000Z')).toBe(Date.parse('2026-11-25T17:38:40.037Z'));
    expect(parseLambdaTime('2026-11-25T17:38:40+02:00')).toBe(Date.parse('2026-11-25T15:38:40Z'));
    expect(parseLambdaTime('not a time')).toBeUndefined();
    expect(parseLambdaTime(undefined)).toBeUndefined();
  });
});
