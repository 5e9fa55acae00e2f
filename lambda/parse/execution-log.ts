/**
 * REST API execution log lines (log group `API-Gateway-Execution-Logs_{restApiId}/{stage}`).
 * Every line is `(<request id>) <text>`; a request's lines run from "Extended Request Id" / "Starting execution"
 * to "Method completed with status: N". With logging level ERROR only the failure lines are written.
 * Format reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html and the
 * execution log examples in test/fixtures (each names its source).
 */

export interface ExecutionLine {
  readonly requestId: string;
  /** The text after `(<request id>) `. */
  readonly text: string;
}

/** Longest request id accepted: UUIDs are 36 characters; a changed id format still groups if it is short. */
const MAX_REQUEST_ID = 128;

/**
 * The index of the `)` that closes an execution line's request id, or -1 when the message is not an execution log
 * line. A plain scan, not a regex: this runs on every line read (the benchmark's hottest path).
 */
export function requestIdEnd(message: string): number {
  if (message.charCodeAt(0) !== 40 /* ( */) return -1;
  const close = message.indexOf(')', 1);
  if (close < 2 || close > MAX_REQUEST_ID + 1) return -1;
  for (let i = 1; i < close; i++) {
    const c = message.charCodeAt(i);
    // No whitespace or parenthesis inside the id.
    if (c <= 32 || c === 40) return -1;
  }
  return close;
}

/** Where the text of an execution line starts, given the end of its request id (`(<id>) text`). */
export function textStart(message: string, close: number): number {
  return message.charCodeAt(close + 1) === 32 ? close + 2 : close + 1;
}

/** Splits `(<id>) text`; undefined when the line is not an execution log line. */
export function splitExecutionLine(message: string): ExecutionLine | undefined {
  const close = requestIdEnd(message);
  if (close === -1) return undefined;
  return { requestId: message.slice(1, close), text: message.slice(textStart(message, close)) };
}

const STATUS_PREFIX = 'Method completed with status: ';

/**
 * The status of a "Method completed with status: NNN" line whose text starts at `start`, read without a regex;
 * undefined for any other line. Agrees with executionFacts(...).status.
 */
export function completedStatusAt(message: string, start: number): number | undefined {
  if (message.charCodeAt(start) !== 77 /* M */ || !message.startsWith(STATUS_PREFIX, start)) return undefined;
  const at = start + STATUS_PREFIX.length;
  const a = message.charCodeAt(at) - 48;
  const b = message.charCodeAt(at + 1) - 48;
  const c = message.charCodeAt(at + 2) - 48;
  // Written so that NaN (the line ends early) fails too.
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9)) return undefined;
  // \b after the three digits: a fourth digit or a word character makes it another line.
  const next = message.charCodeAt(at + 3);
  if ((next >= 48 && next <= 57) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next === 95)
    return undefined;
  return a * 100 + b * 10 + c;
}

/** Facts one execution log line states. */
export interface ExecutionFacts {
  status?: number;
  method?: string;
  /** The path as requested (`HTTP Method: GET, Resource Path: /orders/42`). */
  path?: string;
  /** The resource template (`/orders/{id}`), from lines that name the method (`method 'GET /orders/{id}'`). */
  resourcePath?: string;
  endpointUri?: string;
  integrationStatus?: number;
  integrationLatencyMs?: number;
  lambdaRequestId?: string;
  functionError?: string;
  /**
   * The gateway response API Gateway answered with (`Gateway response type: DEFAULT_5XX with status code: 500`): its
   * type and status.
   */
  gatewayResponse?: { readonly type: string; readonly status: number };
  /** The line starts a Lambda authorizer's call (REST logs the authorizer's own request and response). */
  authorizerStart?: boolean;
  /** The line ends the authorizer phase. */
  authorizerEnd?: boolean;
  stageVariables?: Readonly<Record<string, string>>;
  apiId?: string;
  stage?: string;
  region?: string;
  accountId?: string;
}

const METHOD_COMPLETED = /^Method completed with status: (\d{3})\b/;
const HTTP_METHOD = /^HTTP Method: ([A-Z]+), Resource Path: (\S*)/;
// "Received response. Status: 200, Integration latency: 241 ms" (2022+) and "Received response. Integration latency: 40 ms".
const RECEIVED = /^Received response\. (?:Status: (\d{3}), )?Integration latency: (\d+) ms/;
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const RESPONSE_HEADER_REQUEST_ID = new RegExp(`[{,]\\s*x-amzn-RequestId=(${UUID})`);
const RESPONSE_HEADER_FUNCTION_ERROR = /[{,]\s*X-Amz-Function-Error=([A-Za-z]+)/;
// "Lambda invocation failed with status: 429. Lambda request id: <id>" and
// "Lambda execution failed with status 200 due to customer function error: <message>. Lambda request id: <id>".
const LAMBDA_FAILED = new RegExp(
  `^Lambda (?:invocation|execution) failed with status:? (\\d{3})\\b.*Lambda request id: (${UUID})`,
  's',
);
/**
 * "Gateway response type: DEFAULT_5XX with status code: 500": API Gateway answered with a gateway response. Written at
 * ERROR level too, where no "Method completed" line is (published: GitHub index ids 14277472728 and 40370491264).
 */
const GATEWAY_RESPONSE = /^Gateway response type: ([A-Z0-9_]{1,64}) with status code: (\d{3})\b/;
const INTEGRATION_REQUEST_ID = new RegExp(`^AWS Integration Endpoint RequestId : (${UUID})`);
// "API Key authorized because method 'GET /orders/{id}' does not require API Key."
const METHOD_NAMED = /^API Key\s+authorized because method '([A-Z]+) ([^']{1,1024})'/;
// "Key throttle limit exceeded for RestApi abc, Stage prod, Resource k0w8mc, HttpMethod POST."
// X-Amz-Source-Arn=arn:aws:execute-api:eu-west-2:958845080241:uwe3g5jm54/Prod/GET/echo
// An authorizer's call carries `.../{apiId}/authorizers/{id}`: only a method ARN (stage, then an HTTP method) names the stage.
const SOURCE_ARN =
  /X-Amz-Source-Arn=arn:aws[a-z-]*:execute-api:([a-z0-9-]+):(\d{12}):([a-z0-9]{10})\/([A-Za-z0-9_-]{1,128})\/(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY|\*)\//;
// "Verifying Usage Plan for request: <id>. API Key: API Stage: h733q2j6gb/Prod"
const USAGE_PLAN_STAGE = /API Stage: ([a-z0-9]{10})\/([A-Za-z0-9_-]{1,128})/;
const STAGE_VARIABLES = /"stageVariables":(\{[^{}]{0,2000}\})/;

/** Reads the facts a line states. Only prefixes AWS writes are looked at, so body text cannot forge a fact. */
export function executionFacts(text: string, needApi = true): ExecutionFacts {
  const facts: ExecutionFacts = {};
  switch (text.charCodeAt(0)) {
    case 77 /* M */:
      {
        const m = METHOD_COMPLETED.exec(text);
        if (m?.[1] !== undefined) facts.status = Number(m[1]);
        break;
      }
    case 72 /* H */:
      {
        const m = HTTP_METHOD.exec(text);
        if (m?.[1] !== undefined && m[2] !== undefined) {
          facts.method = m[1];
          facts.path = m[2];
        }
        break;
      }
    case 65 /* A */:
      {
        const named = METHOD_NAMED.exec(text);
        if (named?.[1] !== undefined && named[2] !== undefined) {
          facts.method = named[1];
          facts.resourcePath = named[2];
        }
        const id = INTEGRATION_REQUEST_ID.exec(text);
        if (id?.[1] !== undefined) facts.lambdaRequestId = id[1];
        break;
      }
    case 69 /* E */:
      {
        if (text.startsWith('Endpoint request URI: ')) {
          facts.endpointUri = text.slice('Endpoint request URI: '.length).trim();
        } else if (needApi && text.startsWith('Endpoint request headers: ')) {
          // Once the API is known its facts need not be read again (a long line on every request).
          const arn = SOURCE_ARN.exec(text);
          if (arn?.[1] !== undefined && arn[2] !== undefined && arn[3] !== undefined && arn[4] !== undefined) {
            facts.region = arn[1];
            facts.accountId = arn[2];
            facts.apiId = arn[3];
            facts.stage = arn[4];
          }
        } else if (
          text.startsWith('Endpoint request body after transformations: ') &&
          text.includes('"stageVariables":{')
        ) {
          const vars = STAGE_VARIABLES.exec(text);
          if (vars?.[1] !== undefined) {
            try {
              const parsed: unknown = JSON.parse(vars[1]);
              if (typeof parsed === 'object' && parsed !== null) {
                facts.stageVariables = Object.fromEntries(
                  Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
                );
              }
            } catch {
              // A body cut at 1024 characters: no stage variables to read.
            }
          }
        } else if (text.startsWith('Endpoint response headers: ')) {
          const at = text.indexOf('x-amzn-RequestId=');
          const id = at === -1 ? null : RESPONSE_HEADER_REQUEST_ID.exec(text.slice(at - 2, at + 17 + 36));
          if (id?.[1] !== undefined) facts.lambdaRequestId = id[1];
          const fe = RESPONSE_HEADER_FUNCTION_ERROR.exec(text);
          if (fe?.[1] !== undefined) facts.functionError = fe[1];
        }
        break;
      }
    case 71 /* G */:
      {
        const m = GATEWAY_RESPONSE.exec(text);
        if (m?.[1] !== undefined && m[2] !== undefined) facts.gatewayResponse = { type: m[1], status: Number(m[2]) };
        break;
      }
    case 76 /* L */:
      {
        const m = LAMBDA_FAILED.exec(text);
        if (m?.[1] !== undefined && m[2] !== undefined) {
          facts.integrationStatus = Number(m[1]);
          facts.lambdaRequestId = m[2];
        }
        break;
      }
    case 82 /* R */:
      {
        const m = RECEIVED.exec(text);
        if (m?.[2] !== undefined) {
          if (m[1] !== undefined) facts.integrationStatus = Number(m[1]);
          facts.integrationLatencyMs = Number(m[2]);
        }
        break;
      }
    case 83 /* S */:
      {
        // "Sending request to <uri>" names the function too: a permission failure is logged right after it
        // (repost.aws knowledge-center api-gateway-rest-api-lambda-integrations).
        if (text.startsWith('Sending request to ')) facts.endpointUri = text.slice('Sending request to '.length).trim();
        else if (text.startsWith('Starting authorizer')) facts.authorizerStart = true;
        else if (text.startsWith('Successfully completed authorizer execution')) facts.authorizerEnd = true;
        else if (text.startsWith('Starting execution for request')) facts.authorizerEnd = true;
        break;
      }
    case 86 /* V */:
      {
        const m = USAGE_PLAN_STAGE.exec(text);
        if (m?.[1] !== undefined && m[2] !== undefined) {
          facts.apiId = m[1];
          facts.stage = m[2];
        }
        break;
      }
    default:
      break;
  }
  return facts;
}

const LAMBDA_URI =
  /^https:\/\/lambda\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/2015-03-31\/functions\/(arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9_$-]+))?)\/invocations/;

export interface LambdaTarget {
  readonly functionArn: string;
  readonly functionName: string;
  readonly qualifier?: string;
  readonly region: string;
  readonly accountId: string;
}

/** The Lambda function an endpoint request URI invokes, when it is a Lambda integration. */
export function lambdaTargetOf(uri: string | undefined): LambdaTarget | undefined {
  if (uri === undefined) return undefined;
  const m = LAMBDA_URI.exec(uri);
  if (m?.[2] === undefined || m[3] === undefined || m[4] === undefined || m[5] === undefined) return undefined;
  return {
    functionArn: m[2],
    functionName: m[5],
    region: m[3],
    accountId: m[4],
    ...(m[6] !== undefined ? { qualifier: m[6] } : {}),
  };
}
