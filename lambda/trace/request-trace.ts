import type { AccessRecord } from '../parse/access-log.js';
import type { LambdaTarget } from '../parse/execution-log.js';
import type { FunctionLogRecord } from '../parse/function-log.js';
import type { LogSource } from '../parse/log-event.js';

/** Where in a REST request an execution log line was written: the Lambda authorizer's call or the method's. */
export type TracePhase = 'authorizer' | 'method';

export interface TraceLine {
  readonly source: LogSource;
  /** The line's text (execution lines without the `(<request id>) ` prefix), cut to a bounded length. */
  readonly text: string;
  readonly timestamp?: number;
  readonly phase?: TracePhase;
}

/** A line of the backend function's log that says an invocation failed, with what it said. */
export interface BackendFailure {
  readonly record: FunctionLogRecord;
  readonly text: string;
  readonly timestamp?: number;
  readonly functionName?: string;
}

/** Everything the logs say about one API request, from every log that mentioned it. */
export interface RequestTrace {
  readonly requestId: string;
  readonly lines: TraceLine[];
  /** Status the client got ("Method completed with status", access log `$context.status`). */
  status?: number;
  method?: string;
  /** The resource path (REST `$context.resourcePath`, or the path the execution log names). */
  resourcePath?: string;
  /** The path as requested, when no resource template was logged (`/orders/42`). */
  path?: string;
  /** HTTP API route key, `GET /orders/{id}`. */
  routeKey?: string;
  firstSeen?: number;
  lastSeen?: number;
  /** A "Method completed" line or an access log record was seen: the request's outcome is known. */
  completed: boolean;
  /**
   * The gateway response API Gateway answered with ("Gateway response type: DEFAULT_5XX with status code: 500"): its
   * status is the request's when no "Method completed" line or access log record states one.
   */
  gatewayResponse?: { readonly type: string; readonly status: number };
  endpointUri?: string;
  /** The Lambda function the method's integration invokes. */
  lambda?: LambdaTarget;
  /** The Lambda authorizer's function, when the request went through one. */
  authorizerLambda?: LambdaTarget;
  integrationStatus?: number;
  integrationLatencyMs?: number;
  /** The backend function's request id (x-amzn-RequestId / `$context.integration.requestId`). */
  lambdaRequestId?: string;
  /** `X-Amz-Function-Error` response header value (`Unhandled`, `Handled`). */
  functionError?: string;
  access?: AccessRecord;
  /** Stage variables of the request, when the logged proxy event shows them. */
  stageVariables?: Readonly<Record<string, string>>;
  /** Lines the backend function's own log wrote for this request. */
  backend: BackendFailure[];
  /** True while lines are in the authorizer phase (REST execution logs). */
  inAuthorizer?: boolean;
  /** Lines not kept because the trace reached its line cap. */
  droppedLines: number;
}

export function newTrace(requestId: string): RequestTrace {
  return { requestId, lines: [], completed: false, backend: [], droppedLines: 0 };
}
