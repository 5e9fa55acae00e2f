/**
 * The cause taxonomy: stable ids used in code, CLI output, SNS message attributes and tests.
 * Source: the AWS knowledge-center article "How do I troubleshoot 5xx errors from API Gateway?"
 * (shared/seeds/000_f6d5646cda57ce53.txt) and DESIGN.md.
 */
export const CAUSE_IDS = [
  'lambda_function_error',
  'stage_variable_permission',
  'status_code_mapping',
  'throttling',
  'integration_http_method',
  'lambda_permission',
  'malformed_lambda_response',
  'payload_too_large',
  'private_integration',
  'internal_service_failure',
  'bad_gateway',
  'service_unavailable',
  'integration_timeout',
  'authorizer_error',
  'unknown',
] as const;

export type CauseId = (typeof CAUSE_IDS)[number];

export interface CauseInfo {
  readonly id: CauseId;
  /** Short human title, lower case, used after the status: "502 malformed Lambda proxy response". */
  readonly title: string;
  /** Statuses API Gateway typically returns for this cause. */
  readonly typicalStatus: readonly number[];
  /** One line: what the logs show. */
  readonly meaning: string;
}

export const CAUSES: Readonly<Record<CauseId, CauseInfo>> = {
  lambda_function_error: {
    id: 'lambda_function_error',
    title: 'Lambda function error',
    typicalStatus: [500, 502],
    meaning: 'the backend Lambda function failed (unhandled exception, timeout, crash or init error)',
  },
  stage_variable_permission: {
    id: 'stage_variable_permission',
    title: 'missing invoke permission for a stage-variable Lambda',
    typicalStatus: [500],
    meaning: 'API Gateway may not invoke the Lambda function named through a stage variable',
  },
  status_code_mapping: {
    id: 'status_code_mapping',
    title: 'no integration response mapping',
    typicalStatus: [500],
    meaning: 'no integration response matched the backend response and no default mapping exists (non-proxy)',
  },
  throttling: {
    id: 'throttling',
    title: 'backend throttling',
    typicalStatus: [500, 429],
    meaning: 'the backend or the Lambda function was throttled (rate or concurrency exceeded)',
  },
  integration_http_method: {
    id: 'integration_http_method',
    title: 'Lambda integration method is not POST',
    typicalStatus: [500],
    meaning: 'the Lambda integration calls the Lambda Invoke API with an HTTP method other than POST',
  },
  lambda_permission: {
    id: 'lambda_permission',
    title: 'missing Lambda invoke permission',
    typicalStatus: [500],
    meaning: "the Lambda function's (or authorizer's) resource policy does not allow API Gateway to invoke it",
  },
  malformed_lambda_response: {
    id: 'malformed_lambda_response',
    title: 'malformed Lambda proxy response',
    // REST APIs answer 502; HTTP APIs answer 500 {"message":"Internal Server Error"}
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html).
    typicalStatus: [502, 500],
    meaning: 'the Lambda proxy integration returned a response that is not the required JSON shape',
  },
  payload_too_large: {
    id: 'payload_too_large',
    title: 'backend payload over the limit',
    typicalStatus: [500, 502],
    meaning: 'the backend response exceeded the 10 MB API Gateway payload limit (6 MB for Lambda)',
  },
  private_integration: {
    id: 'private_integration',
    title: 'private integration (VPC link) failure',
    typicalStatus: [500],
    meaning: 'the private integration through a VPC link could not reach the private endpoint',
  },
  internal_service_failure: {
    id: 'internal_service_failure',
    title: 'AWS internal service failure',
    typicalStatus: [500],
    meaning: 'API Gateway or the integrated AWS service reported an internal error',
  },
  bad_gateway: {
    id: 'bad_gateway',
    title: 'bad gateway',
    typicalStatus: [502],
    meaning: 'API Gateway could not process the integration response',
  },
  service_unavailable: {
    id: 'service_unavailable',
    title: 'service unavailable',
    typicalStatus: [503],
    meaning: 'the backend is overloaded or in maintenance and answered 503',
  },
  integration_timeout: {
    id: 'integration_timeout',
    title: 'integration timeout',
    typicalStatus: [504],
    meaning: 'the integration did not answer within the integration timeout',
  },
  authorizer_error: {
    id: 'authorizer_error',
    title: 'Lambda authorizer error',
    typicalStatus: [500],
    meaning: 'the Lambda authorizer failed or returned an invalid response',
  },
  unknown: {
    id: 'unknown',
    title: 'unexplained 5xx',
    typicalStatus: [500, 502, 503, 504],
    meaning: 'no rule explains these requests; see the most frequent message templates',
  },
};

export function isCauseId(value: unknown): value is CauseId {
  return typeof value === 'string' && (CAUSE_IDS as readonly string[]).includes(value);
}
