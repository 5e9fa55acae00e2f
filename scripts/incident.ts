import { randomUUID } from 'node:crypto';

/**
 * Realistic API Gateway REST execution-log traces and Lambda function log lines for the demo and the end-to-end
 * tests, stamped at the times given. Line formats (request-id prefix, header maps, masking, order) follow real logs:
 * - INFO trace of a Lambda proxy request: ericallam/aws-api-gateway-log-parser __tests__/parse.test.js (2019 stage
 *   log), with the 2022+ "Received response. Status: N" form and headers before the body (ongzhixian/mini-aws
 *   _notes/test5/note.md);
 * - "Malformed Lambda proxy response" / 502, "Invalid permissions on Lambda function" / 500, Lambda 429
 *   "Rate Exceeded." / 500, "Execution failed due to a timeout error" / 504: 2025 stage logs quoted in
 *   /work/research notes (GitHub index id 31159485353) and repost.aws knowledge-center pages;
 * - Lambda lines: START/END/REPORT and `Task timed out` (DataBiosphere/azul#5622), Node.js `Invoke Error`
 *   (aws-lambda-nodejs-runtime-interface-client LogPatch.js).
 */

export interface IncidentApi {
  readonly apiId: string;
  readonly stage: string;
  readonly region: string;
  readonly accountId: string;
  readonly functionName: string;
}

export type TraceKind = 'ok' | 'malformed' | 'permission' | 'timeout' | 'throttle' | 'function_error';

export interface TimedLine {
  readonly message: string;
  readonly timestamp: number;
}

export interface Route {
  readonly method: string;
  readonly resourcePath: string;
  readonly path: string;
}

export function pathParameters(route: Pick<Route, 'resourcePath' | 'path'>): string {
  const names = route.resourcePath.split('/');
  const values = route.path.split('/');
  const pairs = names.flatMap((n, i) =>
    /^\{.+\}$/.test(n) ? [`${n.slice(1, -1).replace(/\+$/, '')}=${values[i] ?? ''}`] : [],
  );
  return `{${pairs.join(', ')}}`;
}

function lambdaUri(api: IncidentApi): string {
  return `https://lambda.${api.region}.amazonaws.com/2015-03-31/functions/arn:aws:lambda:${api.region}:${api.accountId}:function:${api.functionName}/invocations`;
}

function amzDate(at: number): string {
  return new Date(at)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function httpDate(at: number): string {
  return new Date(at).toUTCString();
}

/** The lines API Gateway writes for one request of the given kind (INFO level, data tracing off). */
export function restTrace(
  kind: TraceKind,
  api: IncidentApi,
  route: Route,
  at: number,
  ids: { requestId?: string; lambdaRequestId?: string } = {},
): TimedLine[] {
  const id = ids.requestId ?? randomUUID();
  const lambdaId = ids.lambdaRequestId ?? randomUUID();
  const trace = `1-${Math.floor(at / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  const lines: string[] = [
    `Extended Request Id: ${Buffer.from(id).toString('base64').slice(0, 15)}=`,
    `Verifying Usage Plan for request: ${id}. API Key:  API Stage: ${api.apiId}/${api.stage}`,
    `API Key  authorized because method '${route.method} ${route.resourcePath}' does not require API Key. Request will not contribute to throttle or quota limits`,
    `Usage Plan check succeeded for API Key  and API Stage ${api.apiId}/${api.stage}`,
    `Starting execution for request: ${id}`,
    `HTTP Method: ${route.method}, Resource Path: ${route.path}`,
    // Path parameters as API Gateway logs them: `{id=42}` for /orders/{id}, `{}` for a route without any.
    `Method request path: ${pathParameters(route)}`,
    'Method request query string: {}',
    `Method request headers: {Accept=application/json, Authorization=Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkZW1vLXVzZXIifQ.c2lnbmF0dXJlLW5vdC1yZWFs, Host=${api.apiId}.execute-api.${api.region}.amazonaws.com, User-Agent=okhttp/4.12.0, X-Amzn-Trace-Id=Root=${trace}, X-Forwarded-For=203.0.113.24}`,
  ];
  if (kind === 'permission') {
    // As in repost.aws knowledge-center api-gateway-rest-api-lambda-integrations: the request is refused right after it is sent.
    lines.push(
      `Sending request to ${lambdaUri(api)}`,
      'Execution failed due to configuration error: Invalid permissions on Lambda function',
      'Method completed with status: 500',
    );
    return stamp(id, lines, at);
  }
  lines.push(
    `Endpoint request URI: ${lambdaUri(api)}`,
    `Endpoint request headers: {x-amzn-lambda-integration-tag=${id}, Authorization=${'*'.repeat(312)}9a1c2e, X-Amz-Date=${amzDate(at)}, x-amzn-apigateway-api-id=${api.apiId}, X-Amz-Source-Arn=arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${api.stage}/${route.method}${route.path}, Accept=application/json, User-Agent=AmazonAPIGateway_${api.apiId}, X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQCt4f0Yh3a1q9l2Z0e5ZxKj7QKp1m2b3n4v5c6x7z8a9 [TRUNCATED]`,
    `Sending request to ${lambdaUri(api)}`,
  );
  const headers = (length: number, extra = '') =>
    `Endpoint response headers: {Date=${httpDate(at)}, Content-Type=application/json, Content-Length=${length}, Connection=keep-alive, x-amzn-RequestId=${lambdaId}${extra}, x-amzn-Remapped-Content-Length=0, X-Amz-Executed-Version=$LATEST, X-Amzn-Trace-Id=Root=${trace};Sampled=0}`;
  switch (kind) {
    case 'ok':
      lines.push(
        'Received response. Status: 200, Integration latency: 38 ms',
        headers(79),
        'Endpoint response body before transformations: {"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\\"id\\":\\"42\\"}"}',
        'Method response body after transformations: {"id":"42"}',
        `Method response headers: {content-type=application/json, X-Amzn-Trace-Id=Root=${trace}}`,
        'Successfully completed execution',
        'Method completed with status: 200',
      );
      break;
    case 'malformed':
      lines.push(
        'Received response. Status: 200, Integration latency: 24 ms',
        headers(42),
        'Endpoint response body before transformations: {"status":200,"body":{"id":"42","total":12.5}}',
        'Execution failed due to configuration error: Malformed Lambda proxy response',
        'Method completed with status: 502',
      );
      break;
    case 'function_error':
      lines.push(
        'Received response. Status: 200, Integration latency: 61 ms',
        headers(211, ', X-Amz-Function-Error=Unhandled'),
        `Endpoint response body before transformations: {"errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading 'items')","trace":["TypeError: Cannot read properties of undefined (reading 'items')","    at Runtime.handler (file:///var/task/index.mjs:12:31)"]}`,
        `Lambda execution failed with status 200 due to customer function error: Cannot read properties of undefined (reading 'items'). Lambda request id: ${lambdaId}`,
        'Method completed with status: 502',
      );
      break;
    case 'throttle':
      lines.push(
        'Received response. Status: 429, Integration latency: 3 ms',
        headers(107),
        'Endpoint response body before transformations: {"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}',
        `Lambda invocation failed with status: 429. Lambda request id: ${lambdaId}`,
        'Execution failed due to configuration error: Rate Exceeded.',
        'Method completed with status: 500',
      );
      break;
    case 'timeout':
      lines.push('Execution failed due to a timeout error', 'Method completed with status: 504');
      break;
  }
  return stamp(id, lines, at);
}

function stamp(id: string, lines: readonly string[], at: number): TimedLine[] {
  return lines.map((text, i) => ({ message: `(${id}) ${text}`, timestamp: at + i }));
}

/** The function's own log for an invocation that failed with an unhandled TypeError (Node.js runtime, text format). */
export function functionErrorLog(lambdaRequestId: string, at: number): TimedLine[] {
  const iso = new Date(at).toISOString();
  return [
    { message: `START RequestId: ${lambdaRequestId} Version: $LATEST`, timestamp: at },
    {
      message: `${iso}\t${lambdaRequestId}\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading 'items')","stack":["TypeError: Cannot read properties of undefined (reading 'items')","    at Runtime.handler (file:///var/task/index.mjs:12:31)","    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)"]}`,
      timestamp: at + 40,
    },
    { message: `END RequestId: ${lambdaRequestId}`, timestamp: at + 41 },
    {
      message: `REPORT RequestId: ${lambdaRequestId}\tDuration: 41.87 ms\tBilled Duration: 42 ms\tMemory Size: 256 MB\tMax Memory Used: 88 MB\t`,
      timestamp: at + 42,
    },
  ];
}

/** Interleaves several requests' lines by time, as CloudWatch returns them from one stream. */
export function interleave(traces: readonly TimedLine[][]): TimedLine[] {
  return traces.flat().sort((a, b) => a.timestamp - b.timestamp);
}
