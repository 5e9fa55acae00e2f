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

// Request ids are UUIDs; accept any short token without spaces or parentheses so a changed id format still groups.
const PREFIX = /^\(([^()\s]{1,128})\) ?/;

/** Splits `(<id>) text`; undefined when the line is not an execution log line. */
export function splitExecutionLine(message: string): ExecutionLine | undefined {
  if (message.charCodeAt(0) !== 40 /* ( */) return undefined;
  const m = PREFIX.exec(message);
  if (m?.[1] === undefined) return undefined;
  return { requestId: m[1], text: message.slice(m[0].length) };
}

/** Facts one execution log line states. */
export interface ExecutionFacts {
  status?: number;
  method?: string;
  resourcePath?: string;
  endpointUri?: string;
  integrationStatus?: number;
  integrationLatencyMs?: number;
  lambdaRequestId?: string;
  functionError?: string;
  /** The line belongs to a Lambda authorizer's call (REST logs the authorizer's own request and response). */
  authorizer?: boolean;
  stageVariables?: boolean;
}

const METHOD_COMPLETED = /^Method completed with status: (\d{3})\b/;
const HTTP_METHOD = /^HTTP Method: ([A-Z]+), Resource Path: (\S*)/;
const RECEIVED = /^Received response\. Status: (\d{3}), Integration latency: (\d+) ms/;
const RESPONSE_HEADER_REQUEST_ID = /[{,]\s*x-amzn-RequestId=([0-9a-fA-F-]{36})\b/;
const RESPONSE_HEADER_FUNCTION_ERROR = /[{,]\s*X-Amz-Function-Error=([A-Za-z]+)/;

/** Reads the facts a line states. Only prefixes AWS writes are looked at, so body text cannot forge a fact. */
export function executionFacts(text: string): ExecutionFacts {
  const facts: ExecutionFacts = {};
  switch (text.charCodeAt(0)) {
    case 77 /* M */: {
      const m = METHOD_COMPLETED.exec(text);
      if (m?.[1] !== undefined) facts.status = Number(m[1]);
      break;
    }
    case 72 /* H */: {
      const m = HTTP_METHOD.exec(text);
      if (m?.[1] !== undefined && m[2] !== undefined) {
        facts.method = m[1];
        facts.resourcePath = m[2];
      }
      break;
    }
    case 69 /* E */: {
      if (text.startsWith('Endpoint request URI: ')) {
        facts.endpointUri = text.slice('Endpoint request URI: '.length).trim();
        if (facts.endpointUri.includes('${stageVariables.') || facts.endpointUri.includes('stageVariables.')) {
          facts.stageVariables = true;
        }
      } else if (text.startsWith('Endpoint response headers: ')) {
        const id = RESPONSE_HEADER_REQUEST_ID.exec(text);
        if (id?.[1] !== undefined) facts.lambdaRequestId = id[1];
        const fe = RESPONSE_HEADER_FUNCTION_ERROR.exec(text);
        if (fe?.[1] !== undefined) facts.functionError = fe[1];
      }
      break;
    }
    case 82 /* R */: {
      const m = RECEIVED.exec(text);
      if (m?.[1] !== undefined && m[2] !== undefined) {
        facts.integrationStatus = Number(m[1]);
        facts.integrationLatencyMs = Number(m[2]);
      }
      break;
    }
    case 83 /* S */: {
      if (text.startsWith('Starting authorizer')) facts.authorizer = true;
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
