import type { AccessRecord } from '../parse/access-log.js';
import type { CauseId } from '../taxonomy.js';
import type { RequestTrace, TraceLine } from '../trace/request-trace.js';

/**
 * Classification rules: data (the patterns AWS writes) plus small pure functions. Each rule answers
 * "this trace is an instance of my cause, and these lines show it" or `undefined` (not applicable).
 * RULES is ordered: the first rule that matches decides, so the order is the precedence, and it is tested.
 * Every pattern below is anchored on text API Gateway, Lambda or the runtime writes; the fixtures under
 * test/fixtures name the source of each.
 */

/** How a rule knew: a message that names the failure, or only the status code / an absence. */
export type MatchBasis = 'message' | 'status';

/** Which call failed: the method's integration or the Lambda authorizer's. */
export type MatchTarget = 'integration' | 'authorizer';

/** Refinements a rule can attach so the remedy fits the variant it saw. */
export type RuleHint =
  | 'credentials_role'
  | 'network_error'
  | 'http_api_timeout_503'
  | 'lambda_response_limit'
  | 'certificate_mismatch'
  | 'lambda_service_error'
  | 'mapping_template'
  | 'invalid_method_response'
  | 'backend_passthrough'
  | 'no_execution_log';

export interface RuleMatch {
  readonly evidence: readonly TraceLine[];
  readonly basis: MatchBasis;
  readonly target?: MatchTarget;
  readonly hint?: RuleHint;
}

/**
 * A classification rule. What each rule recognises is described in the comment above it in {@link RULES}
 * (documentation only: it is not shipped in the function's bundle).
 */
export interface Rule {
  /** Stable rule id, shown with the finding so an engineer can find the rule that decided. */
  readonly id: string;
  readonly cause: CauseId;
  readonly match: (trace: RequestTrace, context: ClassifyContext) => RuleMatch | undefined;
}

/** What the caller knows beyond the logs (from configuration). */
export interface ClassifyContext {
  /** Function names the API invokes through a stage variable (`function:${stageVariables.fn}`). */
  readonly stageVariableFunctions?: readonly string[];
  /** The REST execution log was read for the window: a 5xx with no execution line at all says something. */
  readonly executionLogRead?: boolean;
}

// ---- small matchers --------------------------------------------------------------------------------------------

/**
 * The execution lines (of one phase) whose text matches. A text that went on over several lines (a value printed on
 * the lines after its execution line, a line a page wrapped: `configuration error: ⏎  Invalid permissions ...`) is
 * matched with each line break and the blanks around it as one space too. A REST access log that carries the
 * execution log's text in an error field (`$context.integration.error`: "Execution failed due to configuration
 * error: Invalid permissions on Lambda function"; sal-blog.com/iam-api-gateway-500error) is matched there when no
 * execution line is.
 */
function execLines(trace: RequestTrace, pattern: RegExp, phase?: TraceLine['phase']): TraceLine[] {
  const out: TraceLine[] = [];
  for (const line of trace.lines) {
    if (line.source === 'execution' && (phase === undefined || line.phase === phase) && matches(pattern, line.text)) {
      out.push(line);
    }
  }
  if (out.length === 0 && trace.access !== undefined) {
    const fields = phase === 'authorizer' ? AUTHORIZER_FIELDS : phase === 'method' ? ERROR_FIELDS : ALL_ERROR_FIELDS;
    return accessField(trace, fields, pattern);
  }
  return out;
}

function matches(pattern: RegExp, text: string): boolean {
  return pattern.test(text) || (text.includes('\n') && pattern.test(text.replace(/[ \t]*\r?\n\s*/g, ' ')));
}

function accessLines(trace: RequestTrace): TraceLine[] {
  return trace.lines.filter((l) => l.source === 'access');
}

type AccessTextField =
  | 'errorMessage'
  | 'integrationErrorMessage'
  | 'integrationError'
  | 'responseType'
  | 'authorizerError';

/** The access log lines, when one of the access record's fields matches. */
function accessField(trace: RequestTrace, fields: readonly AccessTextField[], pattern: RegExp): TraceLine[] {
  const record: AccessRecord | undefined = trace.access;
  if (record === undefined) return [];
  for (const field of fields) {
    const value = record[field];
    if (value !== undefined && pattern.test(value)) return accessLines(trace);
  }
  return [];
}

function found(
  evidence: TraceLine[],
  extra: { basis?: MatchBasis; target?: MatchTarget; hint?: RuleHint } = {},
): RuleMatch | undefined {
  if (evidence.length === 0) return undefined;
  return { evidence, basis: extra.basis ?? 'message', ...extra };
}

/**
 * API Gateway wrote that the authorizer failed ("Authorizer error", "AuthorizerConfigurationException"): then an
 * "Invalid permissions" or assume-role failure before it is the authorizer's, even where no "Starting authorizer" line
 * marks the phase (a console Test output quoted in part: the 2023 notes with GitHub index id 48253294949; AWS's
 * knowledge-center example in https://repost.aws/knowledge-center/api-gateway-rest-api-lambda-integrations).
 */
function authorizerFailed(trace: RequestTrace): boolean {
  return execLines(trace, AUTHORIZER_ERROR).length > 0 || execLines(trace, AUTHORIZER_EXCEPTION).length > 0;
}

function first(...candidates: Array<() => RuleMatch | undefined>): RuleMatch | undefined {
  for (const candidate of candidates) {
    const m = candidate();
    if (m !== undefined) return m;
  }
  return undefined;
}

const ERROR_FIELDS: readonly AccessTextField[] = ['integrationErrorMessage', 'integrationError', 'errorMessage'];
const AUTHORIZER_FIELDS: readonly AccessTextField[] = ['authorizerError'];
const ALL_ERROR_FIELDS: readonly AccessTextField[] = [...ERROR_FIELDS, ...AUTHORIZER_FIELDS];

// ---- the patterns ----------------------------------------------------------------------------------------------

/** REST: "Execution failed due to configuration error: Invalid permissions on Lambda function". */
const INVALID_PERMISSIONS = /^Execution failed due to configuration error: Invalid permissions on Lambda function/;
/** HTTP API `$context.integrationErrorMessage` when API Gateway may not invoke the function. */
const HTTP_API_NO_PERMISSION =
  /^The IAM role configured on the integration or API Gateway doesn't have permissions to call the integration/;
/**
 * HTTP API `$context.authorizerError` when API Gateway may not invoke the Lambda authorizer: "The IAM role configured
 * on the authorizer or API Gateway doesn't have permissions to call the authorizer. Check the permissions and try
 * again." (https://repost.aws/knowledge-center/api-gateway-http-lambda-integrations). The wording varies ("The
 * authorizer or the IAM role configured on API Gateway ..."), and the apostrophe may be typographic: anchored on the
 * clause that names the failure.
 */
const HTTP_API_AUTHORIZER_NO_PERMISSION = /doesn['’]t have permissions to call the authorizer/;
const ASSUME_ROLE =
  /^Execution failed due to configuration error: API Gateway does not have permission to assume the provided role/;
/**
 * HTTP API `$context.integrationErrorMessage` when API Gateway cannot assume the integration's credentials role: "API
 * Gateway doesn’t have permissions to assume the IAM role configured on the integration. Check the permissions and try
 * again." (a CLF access log line in https://github.com/terraform-aws-modules/terraform-aws-apigateway-v2/issues/87,
 * typographic apostrophe as published). The integration there is Step Functions: the role is the integration's,
 * whatever it calls.
 */
const HTTP_API_ASSUME_ROLE =
  /^API Gateway doesn['’]t have permissions to assume the IAM role configured on the integration/;
/** Lambda's answer to an Invoke call made with GET/ANY instead of POST. */
const NOT_POST_BODY =
  /^Endpoint response body before transformations: [\s\S]{0,200}Unable to determine service\/operation name to be authorized/;
const LAMBDA_INVOCATION_403 = /^Lambda invocation failed with status: 403\b/;
const EMPTY_CONFIGURATION_ERROR = /^Execution failed due to configuration error:\s*$/;
const LAMBDA_429 = /^Lambda invocation failed with status: 429\b/;
const RATE_EXCEEDED = /^Execution failed due to configuration error: Rate Exceeded\.?\s*$/i;
const THROTTLE_BODY =
  /^Endpoint response body before transformations: .*(?:TooManyRequestsException|(?:Reserved)?(?:Function)?(?:Concurrent)?Invocation(?:Rate)?LimitExceeded|ThrottlingException|ProvisionedThroughputExceededException|"message":"Rate Exceeded\.?")/;
/**
 * Lambda's error type in the response headers API Gateway logs (`Endpoint response headers: {...,
 * x-amzn-ErrorType=TooManyRequestsException, ...}`): Lambda's own verdict on the Invoke call, there even when the body
 * was quoted apart from its line (sakazuki/lambda-ngrok-architecture NOTES.md, 2018: the headers of a throttled
 * invocation that API Gateway reported as a malformed proxy response).
 */
const THROTTLE_HEADERS =
  /^Endpoint response headers: \{.*\bx-amzn-ErrorType=(?:TooManyRequestsException|ThrottlingException)\b/i;
const THROTTLE_TEXT =
  /(?:Rate Exceeded|TooManyRequestsException|ThrottlingException|ProvisionedThroughputExceededException|status: 429\b)/i;
const INTEGRATION_RESPONSE_TOO_LARGE =
  /^Execution failed due to configuration error: Integration response of reported length \d+ is larger than allowed maximum/;
/** Lambda's 6 MB limit, as API Gateway relays it (never from request text a client could send). */
const LAMBDA_RESPONSE_TOO_LARGE =
  /^(?:Lambda execution failed with status \d{3} due to customer function error: |Endpoint response body before transformations: .{0,200})(?:Response payload size exceeded maximum allowed payload size|Function\.ResponseSizeTooLarge)/;
const LAMBDA_RESPONSE_TOO_LARGE_TEXT =
  /Response payload size exceeded maximum allowed payload size|Function\.ResponseSizeTooLarge/;
const VPC_LINK_ERROR = /^Execution failed due to an? vpc link error/i;
const VPC_INTERNAL =
  /^Execution failed due to configuration error: There was an internal error while executing your request/;
const CERTIFICATE_MISMATCH =
  /^Execution failed due to configuration error: Host name '[^']*' does not match the certificate subject/;
const VPC_LINK_TEXT = /\bVPC ?link\b/i;
const AUTHORIZER_ERROR = /^Execution failed due to configuration error: Authorizer error/;
const AUTHORIZER_EXCEPTION = /^AuthorizerConfigurationException\b/;
const AUTHORIZER_BAD_RESPONSE =
  /^Execution failed due to configuration error: (?:Could not parse policy|Invalid JSON in response)/;
const AUTHORIZER_RESPONSE_TYPES = /^AUTHORIZER_(?:CONFIGURATION_ERROR|FAILURE)$/;
/**
 * The execution log's own line for the gateway response API Gateway answered with (`Gateway response type:
 * AUTHORIZER_CONFIGURATION_ERROR with status code: 500`; published: the crosscut.io WebSocket authorizer post, GitHub
 * index id 40370491264): the same verdict as the access log's `$context.error.responseType`.
 */
const GATEWAY_RESPONSE_AUTHORIZER =
  /^Gateway response type: AUTHORIZER_(?:CONFIGURATION_ERROR|FAILURE) with status code: /;
/**
 * HTTP API `$context.authorizer.error` when the Lambda authorizer's answer is not the response it must give: "The
 * response from the Lambda Authorizer function doesn't match the format that API Gateway expects. Simple response did
 * not include 'isAuthorized'"
 * (https://dev.classmethod.jp/articles/tsnote-api-gateway-lambda-authorizer-internal-server-error-troubleshooting/).
 * Anchored on the sentence that names the failure; what follows it names the missing field.
 */
const HTTP_API_AUTHORIZER_FORMAT =
  /^The response from the Lambda Authorizer function doesn['’]t match the format that API Gateway expects/;
const CUSTOMER_FUNCTION_ERROR = /^Lambda execution failed with status \d{3} due to customer function error/;
const ERROR_BODY = /^Endpoint response body before transformations: \{\s*"error(?:Message|Type)"\s*:/;
/** HTTP API: "The Lambda function returned the following error: ..."; REST `$context.integration.error`:
 * "Lambda Customer Function Error:..." (DataBiosphere/azul#6624 access log rows). */
const HTTP_API_FUNCTION_ERROR = /^(?:The Lambda function returned the following error|Lambda Customer Function Error)/;
const MALFORMED = /^Execution failed due to configuration error: Malformed Lambda proxy response/;
const MALFORMED_TEXT = /Malformed Lambda proxy response/;
const NO_OUTPUT_MAPPING =
  /^Execution failed due to configuration error: No match for output mapping and no default output mapping configured/;
/** "... Endpoint Response Status Code: 403" at the end of NO_OUTPUT_MAPPING: the backend status nothing mapped. */
const UNMAPPED_ENDPOINT_STATUS = /No match for output mapping\b.*\bEndpoint Response Status Code: (\d{3})\b/;

/** The backend status a "No match for output mapping" line names, if the line names one (read by fix and check). */
export function unmappedEndpointStatus(text: string): string | undefined {
  return UNMAPPED_ENDPOINT_STATUS.exec(text)?.[1];
}
const INVALID_METHOD_RESPONSE =
  /^Execution failed due to configuration error: Output mapping refers to an invalid method response/;
const UNABLE_TO_TRANSFORM = /^Execution failed due to configuration error: Unable to transform response/;
const TIMEOUT_ERROR = /^Execution failed due to a timeout error/;
const TIMEOUT_TEXT = /^Endpoint request timed out/;
const NETWORK_ERROR =
  /^Execution failed due to a network error communicating with endpoint|^Network error communicating with endpoint/i;
const INTERNAL_ERROR = /^Execution failed due to an internal error/;
const LAMBDA_5XX = /^Lambda invocation failed with status: 5\d\d\b/;
const SERVICE_EXCEPTION_BODY =
  /^Endpoint response body before transformations: .*"(?:__type|Type|errorType)"\s*:\s*"[^"]*ServiceException"/;
const SERVICE_UNAVAILABLE_TEXT = /^Service Unavailable\b/i;
const STATUS_LINE = /^Method completed with status: \d{3}/;

// ---- the rules, in precedence order ----------------------------------------------------------------------------

function isStageVariableFunction(trace: RequestTrace, context: ClassifyContext): boolean {
  const target = trace.lambda;
  if (target === undefined) return false;
  if (context.stageVariableFunctions?.includes(target.functionName) === true) return true;
  const values = Object.values(trace.stageVariables ?? {});
  return values.some(
    (v) => v !== '' && (v === target.functionName || v === target.qualifier || v === target.functionArn),
  );
}

export const RULES: readonly Rule[] = [
  /**
   * Invalid permissions on a Lambda function that the integration URI names through a stage variable (the proxy event
   * shows the variable, or configuration says so).
   */
  {
    id: 'stage-variable-invoke-permission',
    cause: 'stage_variable_permission',
    match: (trace, context) =>
      isStageVariableFunction(trace, context) ? found(execLines(trace, INVALID_PERMISSIONS, 'method')) : undefined,
  },
  /**
   * API Gateway may not invoke the integration or authorizer function ("Invalid permissions on Lambda function"; HTTP
   * API: "The IAM role configured on the integration ... doesn't have permissions").
   */
  {
    id: 'lambda-invoke-permission',
    cause: 'lambda_permission',
    match: (trace) =>
      first(
        () => found(execLines(trace, INVALID_PERMISSIONS, 'authorizer'), { target: 'authorizer' }),
        () =>
          found(execLines(trace, INVALID_PERMISSIONS, 'method'), {
            target: authorizerFailed(trace) ? 'authorizer' : 'integration',
          }),
        () => found(accessField(trace, ERROR_FIELDS, HTTP_API_NO_PERMISSION), { target: 'integration' }),
        () =>
          found(accessField(trace, ['authorizerError', ...ERROR_FIELDS], HTTP_API_AUTHORIZER_NO_PERMISSION), {
            target: 'authorizer',
          }),
        () =>
          authorizerFailed(trace)
            ? undefined
            : found(execLines(trace, ASSUME_ROLE, 'method'), { target: 'integration', hint: 'credentials_role' }),
        () =>
          found(accessField(trace, ERROR_FIELDS, HTTP_API_ASSUME_ROLE), {
            target: 'integration',
            hint: 'credentials_role',
          }),
      ),
  },
  /**
   * Lambda rejected the Invoke call because the integration used an HTTP method other than POST ("Unable to determine
   * service/operation name to be authorized", status 403).
   */
  {
    id: 'lambda-integration-method-not-post',
    cause: 'integration_http_method',
    match: (trace) => {
      const body = execLines(trace, NOT_POST_BODY, 'method');
      if (body.length > 0) return found([...body, ...execLines(trace, LAMBDA_INVOCATION_403, 'method')]);
      const denied = execLines(trace, LAMBDA_INVOCATION_403, 'method');
      const empty = execLines(trace, EMPTY_CONFIGURATION_ERROR, 'method');
      return denied.length > 0 && empty.length > 0 ? found([...denied, ...empty]) : undefined;
    },
  },
  /**
   * The Lambda function or AWS service backend throttled the call (Lambda 429 "Rate Exceeded.",
   * TooManyRequestsException, ThrottlingException). Where only the response body shows Lambda's throttling answer and
   * API Gateway's own verdict says "Malformed Lambda proxy response", this inference still leads: API Gateway has
   * reported throttled invocations as malformed proxy responses (502) in older logs
   * (https://stackoverflow.com/questions/50929878; classify.ts MISLEADING_VERDICTS; fixture
   * throttling/older-log-throttle-reported-as-malformed-response.log).
   */
  {
    id: 'throttled',
    cause: 'throttling',
    match: (trace) =>
      first(
        () => found([...execLines(trace, LAMBDA_429), ...execLines(trace, RATE_EXCEEDED)]),
        () => found(execLines(trace, THROTTLE_BODY)),
        () => found(execLines(trace, THROTTLE_HEADERS)),
        () => found(accessField(trace, ['integrationErrorMessage', 'integrationError'], THROTTLE_TEXT)),
        () =>
          trace.access !== undefined && trace.access.integrationStatus === 429 && (trace.status ?? 0) >= 500
            ? found(accessLines(trace))
            : undefined,
      ),
  },
  /**
   * The backend response exceeded the 10 MB API Gateway limit ("Integration response of reported length ... is larger
   * than allowed maximum") or the 6 MB Lambda response limit.
   */
  {
    id: 'payload-too-large',
    cause: 'payload_too_large',
    match: (trace) =>
      first(
        () => found(execLines(trace, INTEGRATION_RESPONSE_TOO_LARGE)),
        () => found(execLines(trace, LAMBDA_RESPONSE_TOO_LARGE, 'method'), { hint: 'lambda_response_limit' }),
        () =>
          found(accessField(trace, ERROR_FIELDS, LAMBDA_RESPONSE_TOO_LARGE_TEXT), { hint: 'lambda_response_limit' }),
      ),
  },
  /**
   * A private integration through a VPC link failed ("Execution failed due to an vpc link error", "There was an
   * internal error while executing your request", certificate mismatch with the private endpoint).
   */
  {
    id: 'private-integration',
    cause: 'private_integration',
    match: (trace) =>
      first(
        () => found(execLines(trace, VPC_LINK_ERROR)),
        () => found(execLines(trace, VPC_INTERNAL)),
        () => found(execLines(trace, CERTIFICATE_MISMATCH), { hint: 'certificate_mismatch' }),
        () => found(accessField(trace, ERROR_FIELDS, VPC_LINK_TEXT)),
      ),
  },
  /**
   * The Lambda authorizer failed or answered with something that is not a policy ("Authorizer error", "Could not
   * parse policy", "Invalid JSON in response", AUTHORIZER_CONFIGURATION_ERROR).
   */
  {
    id: 'authorizer-failure',
    cause: 'authorizer_error',
    match: (trace) =>
      first(
        () => {
          const assumeRole = authorizerFailed(trace)
            ? execLines(trace, ASSUME_ROLE)
            : execLines(trace, ASSUME_ROLE, 'authorizer');
          return found(
            [
              ...execLines(trace, AUTHORIZER_BAD_RESPONSE),
              ...assumeRole,
              ...execLines(trace, AUTHORIZER_ERROR),
              ...execLines(trace, AUTHORIZER_EXCEPTION),
            ],
            assumeRole.length > 0 ? { target: 'authorizer', hint: 'credentials_role' } : {},
          );
        },
        () => found(execLines(trace, /^Execution failed/, 'authorizer')),
        () => found(accessField(trace, ['authorizerError', ...ERROR_FIELDS], HTTP_API_AUTHORIZER_FORMAT)),
        () => found(execLines(trace, GATEWAY_RESPONSE_AUTHORIZER)),
        () => found(accessField(trace, ['responseType'], AUTHORIZER_RESPONSE_TYPES)),
        () => ((trace.status ?? 0) >= 500 ? found(accessField(trace, ['authorizerError'], /\S/)) : undefined),
      ),
  },
  /**
   * The backend function failed: "Lambda execution failed ... due to customer function error", an error object as the
   * response, or the function's own log shows an error, timeout or crash.
   */
  {
    id: 'lambda-function-error',
    cause: 'lambda_function_error',
    match: (trace) =>
      first(
        () => found(execLines(trace, CUSTOMER_FUNCTION_ERROR, 'method')),
        () => found(accessField(trace, ERROR_FIELDS, HTTP_API_FUNCTION_ERROR)),
        () =>
          trace.functionError === 'Unhandled'
            ? found(execLines(trace, /^Endpoint response (?:body before transformations|headers): /, 'method'))
            : undefined,
        // A function's error object as the answer: a function error unless the request is known to have ended below
        // 500 (a non-proxy integration that maps handled errors to 4xx). With no status logged (a body line quoted on
        // its own, or the log cut before "Method completed") it is still the function's error.
        () =>
          trace.status === undefined || trace.status >= 500 ? found(execLines(trace, ERROR_BODY, 'method')) : undefined,
        () =>
          trace.backend.length > 0
            ? found(
                trace.backend.map((b) => ({
                  source: 'lambda' as const,
                  text: b.text,
                  ...(b.timestamp !== undefined ? { timestamp: b.timestamp } : {}),
                })),
              )
            : undefined,
      ),
  },
  /** The Lambda proxy integration returned something that is not {statusCode, headers, body, isBase64Encoded}. */
  {
    id: 'malformed-lambda-proxy-response',
    cause: 'malformed_lambda_response',
    match: (trace) =>
      first(
        () => {
          // The body the function returned is what the engineer needs to see next to the verdict.
          const verdict = execLines(trace, MALFORMED, 'method');
          return verdict.length > 0
            ? found([...execLines(trace, /^Endpoint response body before transformations: /, 'method'), ...verdict])
            : undefined;
        },
        () => found(accessField(trace, ERROR_FIELDS, MALFORMED_TEXT)),
      ),
  },
  /**
   * No integration response matched the backend response and there is no default ("No match for output mapping ..."),
   * or the mapping names a method response that does not exist.
   */
  {
    id: 'integration-response-mapping',
    cause: 'status_code_mapping',
    match: (trace) =>
      first(
        () => found(execLines(trace, NO_OUTPUT_MAPPING)),
        () => found(execLines(trace, INVALID_METHOD_RESPONSE), { hint: 'invalid_method_response' }),
        () => found(execLines(trace, UNABLE_TO_TRANSFORM), { hint: 'mapping_template' }),
      ),
  },
  /**
   * The integration did not answer in time ("Execution failed due to a timeout error", INTEGRATION_TIMEOUT) or the
   * connection to it failed (INTEGRATION_FAILURE, network error).
   */
  {
    id: 'integration-timeout',
    cause: 'integration_timeout',
    match: (trace) =>
      first(
        () => found(execLines(trace, TIMEOUT_ERROR)),
        () => found(accessField(trace, ['responseType'], /^INTEGRATION_TIMEOUT$/)),
        () => found(accessField(trace, ERROR_FIELDS, TIMEOUT_TEXT)),
        () => found(execLines(trace, NETWORK_ERROR), { hint: 'network_error' }),
        () => found(accessField(trace, ERROR_FIELDS, NETWORK_ERROR), { hint: 'network_error' }),
        () =>
          // INTEGRATION_FAILURE also covers Lambda proxy failures (502): only a 504 with it is a failed connection.
          trace.status === 504
            ? found(accessField(trace, ['responseType'], /^INTEGRATION_FAILURE$/), { hint: 'network_error' })
            : undefined,
        () =>
          // HTTP APIs answer 503 "Service Unavailable" when the 30-second integration timeout is hit.
          trace.routeKey !== undefined &&
          trace.status === 503 &&
          trace.access?.integrationLatencyMs !== undefined &&
          trace.access.integrationLatencyMs >= 29_000
            ? found(accessLines(trace), { hint: 'http_api_timeout_503' })
            : undefined,
      ),
  },
  /**
   * API Gateway or the Lambda service reported an internal error (Lambda 5xx ServiceException), or a 5xx left no
   * execution log although the log was read.
   */
  {
    id: 'aws-internal-failure',
    cause: 'internal_service_failure',
    match: (trace, context) =>
      first(
        () => found(execLines(trace, INTERNAL_ERROR)),
        () =>
          found([...execLines(trace, LAMBDA_5XX), ...execLines(trace, SERVICE_EXCEPTION_BODY)], {
            hint: 'lambda_service_error',
          }),
        () =>
          context.executionLogRead === true &&
          trace.status === 500 &&
          trace.routeKey === undefined &&
          !trace.lines.some((l) => l.source === 'execution') &&
          trace.access?.integrationErrorMessage === undefined &&
          trace.access?.integrationError === undefined
            ? found(accessLines(trace), { basis: 'status', hint: 'no_execution_log' })
            : undefined,
      ),
  },
  /** The backend answered 503, or API Gateway reports "Service Unavailable". */
  {
    id: 'backend-service-unavailable',
    cause: 'service_unavailable',
    match: (trace) =>
      first(
        () =>
          trace.status === 503 && trace.integrationStatus === 503
            ? (found(execLines(trace, /^Received response\. Status: 503|^Method completed with status: 503/), {
                hint: 'backend_passthrough',
              }) ?? found(accessLines(trace), { hint: 'backend_passthrough' }))
            : undefined,
        () =>
          trace.status === 503 ? found(accessField(trace, ['errorMessage'], SERVICE_UNAVAILABLE_TEXT)) : undefined,
      ),
  },
  /** The integration answered 502, or API Gateway could not process its response for another reason. */
  {
    id: 'backend-bad-gateway',
    cause: 'bad_gateway',
    match: (trace) =>
      trace.status === 502 && trace.integrationStatus === 502
        ? (found(execLines(trace, /^Received response\. Status: 502|^Method completed with status: 502/), {
            hint: 'backend_passthrough',
          }) ?? found(accessLines(trace), { hint: 'backend_passthrough' }))
        : undefined,
  },
  /** A 504 with no message: API Gateway answers 504 only for integration timeouts and failures. */
  {
    id: 'status-504',
    cause: 'integration_timeout',
    match: (trace) => (trace.status === 504 ? statusOnly(trace) : undefined),
  },
  /** A 503 with no message: the backend or the service was unavailable. */
  {
    id: 'status-503',
    cause: 'service_unavailable',
    match: (trace) => (trace.status === 503 ? statusOnly(trace) : undefined),
  },
  /** A 502 with no message that a more specific rule knows. */
  {
    id: 'status-502',
    cause: 'bad_gateway',
    match: (trace) => (trace.status === 502 ? statusOnly(trace) : undefined),
  },
];

function statusOnly(trace: RequestTrace): RuleMatch | undefined {
  const lines = execLines(trace, STATUS_LINE);
  return found(lines.length > 0 ? lines : accessLines(trace), { basis: 'status' });
}
