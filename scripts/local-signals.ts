import { randomUUID } from 'node:crypto';
import { APIGatewayClient, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  RemovePermissionCommand,
} from '@aws-sdk/client-lambda';
import type { TimedLine } from './incident.js';
import { createRole, LOCAL_ACCOUNT, zipOf } from './local-api.js';
import { clientConfig, LOCAL_REGION } from './local-aws.js';

/**
 * Thin-log incidents on the local AWS endpoint (moto), for the demo and the end-to-end tests: stage logging
 * settings, reserved concurrency, CloudWatch metrics as API Gateway and Lambda publish them, an HTTP API whose function
 * lost its invoke permission, and ERROR-level execution log lines.
 */

function clients(endpoint: string) {
  const config = { ...clientConfig(endpoint), maxAttempts: 1 };
  return {
    apigw: new APIGatewayClient(config),
    apigwv2: new ApiGatewayV2Client(config),
    lambda: new LambdaClient(config),
    cloudwatch: new CloudWatchClient(config),
  };
}

/** Sets the stage's execution logging level (`OFF`, `ERROR`, `INFO`) for every method (`/*\/*`). */
export async function setExecutionLogging(endpoint: string, apiId: string, stage: string, level: string) {
  await clients(endpoint).apigw.send(
    new UpdateStageCommand({
      restApiId: apiId,
      stageName: stage,
      patchOperations: [{ op: 'replace', path: '/*/*/logging/loglevel', value: level }],
    }),
  );
}

/** Reserves concurrency for a function (PutFunctionConcurrency). */
export async function reserveConcurrency(endpoint: string, functionName: string, reserved: number) {
  await clients(endpoint).lambda.send(
    new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: reserved }),
  );
}

export interface MetricPoint {
  readonly namespace: 'AWS/ApiGateway' | 'AWS/Lambda';
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
  /** Epoch ms. */
  readonly at: number;
  readonly unit?: 'Count' | 'Milliseconds';
}

/** Publishes data points as API Gateway and Lambda would (PutMetricData into their namespaces, locally). */
export async function putMetrics(endpoint: string, points: readonly MetricPoint[]) {
  const { cloudwatch } = clients(endpoint);
  const byNamespace = new Map<string, MetricPoint[]>();
  for (const p of points) byNamespace.set(p.namespace, [...(byNamespace.get(p.namespace) ?? []), p]);
  for (const [namespace, list] of byNamespace) {
    for (let i = 0; i < list.length; i += 20) {
      await cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: list.slice(i, i + 20).map((p) => ({
            MetricName: p.name,
            Dimensions: Object.entries(p.dimensions).map(([Name, Value]) => ({ Name, Value })),
            Value: p.value,
            Timestamp: new Date(p.at),
            Unit: p.unit ?? (/Latency|Duration/.test(p.name) ? 'Milliseconds' : 'Count'),
          })),
        }),
      );
    }
  }
}

/**
 * An HTTP API with one Lambda proxy route and a stage without access logging; the function first has its invoke
 * permission, then loses it (RemovePermission), as when a deployment tool replaced the resource policy.
 */
export async function createHttpApiWithoutPermission(
  endpoint: string,
  options: { readonly name: string; readonly stage: string; readonly routeKey: string; readonly functionName: string },
): Promise<{ apiId: string; statementId: string }> {
  const { apigwv2, lambda } = clients(endpoint);
  const role = await createRole(endpoint, `${options.name}-fn-role`);
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: options.functionName,
      Runtime: 'nodejs22.x',
      Role: role,
      Handler: 'index.handler',
      Code: { ZipFile: zipOf('index.mjs', 'export const handler = async () => ({ statusCode: 200, body: "ok" });') },
      Timeout: 6,
      MemorySize: 256,
    }),
  );
  const { ApiId } = await apigwv2.send(new CreateApiCommand({ Name: options.name, ProtocolType: 'HTTP' }));
  if (ApiId === undefined) throw new Error('the local endpoint did not create the HTTP API');
  const functionArn = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${options.functionName}`;
  const { IntegrationId } = await apigwv2.send(
    new CreateIntegrationCommand({
      ApiId,
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: functionArn,
      PayloadFormatVersion: '2.0',
      TimeoutInMillis: 30_000,
    }),
  );
  await apigwv2.send(
    new CreateRouteCommand({ ApiId, RouteKey: options.routeKey, Target: `integrations/${IntegrationId ?? ''}` }),
  );
  await apigwv2.send(new CreateStageCommand({ ApiId, StageName: options.stage, AutoDeploy: true }));
  const statementId = `apigateway-invoke-${randomUUID().slice(0, 8)}`;
  await lambda.send(
    new AddPermissionCommand({
      FunctionName: options.functionName,
      StatementId: statementId,
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${ApiId}/*/*`,
    }),
  );
  await lambda.send(new RemovePermissionCommand({ FunctionName: options.functionName, StatementId: statementId }));
  return { apiId: ApiId, statementId };
}

/**
 * The ERROR-level execution log of requests whose function hit its own timeout: only the failure line and the final
 * status, no route and no function name. Format: the ERROR-level pair of a 2025 stage log (GitHub index id
 * 31159485353) with the timeout text of ericallam/aws-api-gateway-log-parser __tests__/timeout.test.js, as in
 * test/fixtures/causes/integration_timeout/near-miss-function-own-timeout-502.log.
 */
export function errorLevelTimeoutTrace(at: number, timeoutSec: number): TimedLine[] {
  const id = randomUUID();
  const lambdaId = randomUUID();
  const started = new Date(at - timeoutSec * 1000).toISOString();
  return [
    {
      message: `(${id}) Lambda execution failed with status 200 due to customer function error: ${started} ${lambdaId} Task timed out after ${timeoutSec.toFixed(2)} seconds. Lambda request id: ${lambdaId}`,
      timestamp: at,
    },
    { message: `(${id}) Method completed with status: 502`, timestamp: at + 1 },
  ];
}
