/**
 * The REST execution log (INFO) of one request that reached its Lambda integration, as the configuration-check and
 * printed-fix tests build it on the local endpoint: the lines API Gateway writes before the integration answers
 * (as in test/fixtures/causes/lambda_permission/rest-authorizer-function-not-permitted.log), then `failure`.
 */
import { randomUUID } from 'node:crypto';
import type { LogEvent } from '../../lambda/parse/log-event.js';
import { LOCAL_REGION } from '../../scripts/local-aws.js';

/** moto's default account, where the tests create their APIs and functions. */
export const LOCAL_ACCOUNT = '123456789012';

export interface TraceRoute {
  readonly method: string;
  readonly resourcePath: string;
  readonly path: string;
}

export function restExecutionTrace(
  api: { readonly apiId: string; readonly stage: string },
  route: TraceRoute,
  functionName: string,
  failure: readonly string[],
  at: number,
): LogEvent[] {
  const { apiId, stage } = api;
  const id = randomUUID();
  const functionArn = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`;
  const uri = `https://lambda.${LOCAL_REGION}.amazonaws.com/2015-03-31/functions/${functionArn}/invocations`;
  const lines = [
    `Extended Request Id: ${Buffer.from(id).toString('base64').slice(0, 15)}=`,
    `Verifying Usage Plan for request: ${id}. API Key:  API Stage: ${apiId}/${stage}`,
    `API Key  authorized because method '${route.method} ${route.resourcePath}' does not require API Key. Request will not contribute to throttle or quota limits`,
    `Starting execution for request: ${id}`,
    `HTTP Method: ${route.method}, Resource Path: ${route.path}`,
    `Endpoint request URI: ${uri}`,
    `Endpoint request headers: {x-amzn-apigateway-api-id=${apiId}, X-Amz-Source-Arn=arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${apiId}/${stage}/${route.method}${route.resourcePath}, Accept=application/json}`,
    `Sending request to ${uri}`,
    ...failure,
  ];
  return lines.map((text, i) => ({
    message: `(${id}) ${text}`,
    timestamp: at + i,
    logGroupName: `API-Gateway-Execution-Logs_${apiId}/${stage}`,
    logStreamName: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  }));
}
