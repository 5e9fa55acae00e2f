import { crc32 } from 'node:zlib';
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from '@aws-sdk/client-api-gateway';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { clientConfig, LOCAL_REGION } from './local-aws.js';

/**
 * A small REST API and its Lambda functions on the local AWS endpoint (moto), for the demo and the end-to-end tests
 * of the configuration checks. moto stores functions without running them; it needs an IAM role that exists and a
 * zip.
 */

export const LOCAL_ACCOUNT = '123456789012';

/** A one-file zip (stored, not deflated): enough for CreateFunction. */
export function zipOf(name: string, content: string): Uint8Array {
  const data = Buffer.from(content);
  const fileName = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(10, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(local.length + fileName.length + data.length, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

/** Creates an IAM role in moto with one query call (the project has no IAM client; moto does not check signatures). */
export async function createRole(endpoint: string, name: string): Promise<string> {
  const body = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: name,
    AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
  });
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${LOCAL_REGION}/iam/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body,
  });
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(await response.text())?.[1];
  if (!response.ok || arn === undefined)
    throw new Error(`the local endpoint did not create the role ${name} (${response.status})`);
  return arn;
}

export interface LocalRoute {
  readonly method: string;
  /** Resource path template, `/orders/{id}`. */
  readonly resourcePath: string;
  readonly functionName: string;
  /** The integration's HTTP method to Lambda (POST is right; anything else is the integration_http_method cause). */
  readonly integrationMethod?: string;
  /** Whether the function's resource policy lets API Gateway invoke it for this route. */
  readonly invokePermission: boolean;
}

/**
 * Creates the functions (one per distinct name), the REST API with its routes as Lambda proxy integrations, the
 * invoke permissions asked for, and a deployment to `stage`. Returns the API id.
 */
export async function createLocalRestApi(
  endpoint: string,
  options: { readonly name: string; readonly stage: string; readonly routes: readonly LocalRoute[] },
): Promise<string> {
  const config = { ...clientConfig(endpoint), maxAttempts: 1 };
  const apigw = new APIGatewayClient(config);
  const lambda = new LambdaClient(config);
  const role = await createRole(endpoint, `${options.name}-fn-role`);
  const functionArn = (name: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
  for (const name of new Set(options.routes.map((r) => r.functionName))) {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs22.x',
        Role: role,
        Handler: 'index.handler',
        Code: { ZipFile: zipOf('index.mjs', 'export const handler = async () => ({ statusCode: 200, body: "ok" });') },
        Timeout: 3,
        MemorySize: 256,
      }),
    );
  }
  const { id: apiId } = await apigw.send(new CreateRestApiCommand({ name: options.name }));
  if (apiId === undefined) throw new Error('the local endpoint did not create the REST API');
  const { items } = await apigw.send(new GetResourcesCommand({ restApiId: apiId }));
  const ids = new Map<string, string>([['/', items?.find((r) => r.path === '/')?.id ?? '']]);
  const resourceId = async (path: string): Promise<string> => {
    const known = ids.get(path);
    if (known !== undefined) return known;
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    const created = await apigw.send(
      new CreateResourceCommand({
        restApiId: apiId,
        parentId: await resourceId(parent),
        pathPart: path.slice(path.lastIndexOf('/') + 1),
      }),
    );
    ids.set(path, created.id ?? '');
    return created.id ?? '';
  };
  for (const route of options.routes) {
    const id = await resourceId(route.resourcePath);
    await apigw.send(
      new PutMethodCommand({ restApiId: apiId, resourceId: id, httpMethod: route.method, authorizationType: 'NONE' }),
    );
    await apigw.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId: id,
        httpMethod: route.method,
        type: 'AWS_PROXY',
        integrationHttpMethod: route.integrationMethod ?? 'POST',
        uri: `arn:aws:apigateway:${LOCAL_REGION}:lambda:path/2015-03-31/functions/${functionArn(route.functionName)}/invocations`,
      }),
    );
    if (route.invokePermission) {
      await lambda.send(
        new AddPermissionCommand({
          FunctionName: route.functionName,
          StatementId: `apigateway-${route.method}-${id}`,
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
          SourceArn: `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${apiId}/*/${route.method}${route.resourcePath.replace(/\{[^}]+\}/g, '*')}`,
        }),
      );
    }
  }
  await apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: options.stage }));
  return apiId;
}
