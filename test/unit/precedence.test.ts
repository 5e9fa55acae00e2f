import { describe, expect, it } from 'vitest';
import { classifyTrace } from '../../lambda/classify/classify.js';
import { type ClassifyContext, RULES } from '../../lambda/classify/rules.js';
import type { RequestTrace } from '../../lambda/trace/request-trace.js';
import { TraceBuilder } from '../../lambda/trace/trace-builder.js';

/**
 * Several rules can match the same trace; RULES is ordered and the first match decides. These tests build traces
 * from execution log lines (the text forms are the ones in test/fixtures/causes, which name their sources), show
 * that both rules of an overlap really match, and pin which one wins.
 */

const ID = '394365dc-1b10-411f-9668-70521cec1205';
const LAMBDA_ID = 'dcb2ab89-2d03-4b77-98cd-18d14fd2b850';
const FN_URI =
  'https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders-get/invocations';
const ALIAS_URI =
  'https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders-get:live/invocations';
const AUTHORIZER_URI =
  'https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders-authorizer/invocations';
const INVALID_PERMISSIONS = 'Execution failed due to configuration error: Invalid permissions on Lambda function';

/** One request's trace, built from its execution log lines as the trace builder reads them. */
function traceOf(texts: readonly string[]): RequestTrace {
  const builder = new TraceBuilder({ keepSucceeded: true });
  for (const text of texts) builder.add({ message: `(${ID}) ${text}` });
  const [trace, ...others] = builder.finish(() => true).traces;
  if (trace === undefined || others.length > 0) throw new Error('expected exactly one trace');
  return trace;
}

/** True when the rule with this id, on its own, would claim the trace. */
function ruleMatches(ruleId: string, trace: RequestTrace, context: ClassifyContext = {}): boolean {
  const rule = RULES.find((r) => r.id === ruleId);
  if (rule === undefined) throw new Error(`no rule ${ruleId}`);
  return rule.match(trace, context) !== undefined;
}

describe('rule precedence', () => {
  it('keeps RULES in the reviewed order (a reorder changes diagnoses and must change this list too)', () => {
    // Prepare
    const expected = [
      'stage-variable-invoke-permission',
      'lambda-invoke-permission',
      'lambda-integration-method-not-post',
      'throttled',
      'payload-too-large',
      'private-integration',
      'authorizer-failure',
      'lambda-function-error',
      'malformed-lambda-proxy-response',
      'integration-response-mapping',
      'integration-timeout',
      'aws-internal-failure',
      'backend-service-unavailable',
      'backend-bad-gateway',
      'status-504',
      'status-503',
      'status-502',
    ];
    // Act
    const actual = RULES.map((r) => r.id);
    // Assess
    expect(actual).toEqual(expected);
  });

  describe('stage variable permission before lambda_permission', () => {
    it('classifies a permission failure on the alias the proxy event names as stage_variable_permission', () => {
      // Prepare: the URI resolves ${stageVariables.lambdaAlias} to "live"; the proxy event shows the variable.
      const trace = traceOf([
        `Endpoint request URI: ${ALIAS_URI}`,
        'Endpoint request body after transformations: {"resource":"/orders/{id}","path":"/orders/42","httpMethod":"GET","headers":null,"multiValueHeaders":null,"queryStringParameters":null,"multiValueQueryStringParameters":null,"pathParameters":{"id":"42"},"stageVariables":{"lambdaAlias":"live"},"requestContext":{"resourceId":"r4nd0m","resourcePath":"/orders/{id}"',
        `Sending request to ${ALIAS_URI}`,
        INVALID_PERMISSIONS,
        'Method completed with status: 500',
      ]);
      // Act
      const finding = classifyTrace(trace);
      // Assess
      expect(ruleMatches('lambda-invoke-permission', trace)).toBe(true);
      expect([finding.cause, finding.ruleId, finding.qualifier]).toEqual([
        'stage_variable_permission',
        'stage-variable-invoke-permission',
        'live',
      ]);
    });

    it('classifies it as stage_variable_permission when configuration names the function, without the event', () => {
      // Prepare: no proxy event to read the stage variable from; "Sending request to" names the function.
      const trace = traceOf([`Sending request to ${FN_URI}`, INVALID_PERMISSIONS, 'Method completed with status: 500']);
      const context: ClassifyContext = { stageVariableFunctions: ['orders-get'] };
      // Act
      const withConfig = classifyTrace(trace, context);
      const without = classifyTrace(trace);
      // Assess
      expect(withConfig.cause).toBe('stage_variable_permission');
      expect(without.cause).toBe('lambda_permission');
    });

    it('leaves a permission failure on a function no stage variable names to lambda_permission', () => {
      // Prepare: a stage variable exists but names neither the function nor its qualifier.
      const trace = traceOf([
        `Endpoint request URI: ${FN_URI}`,
        'Endpoint request body after transformations: {"resource":"/orders/{id}","pathParameters":{"id":"42"},"stageVariables":{"env":"prod"},"requestContext":{}}',
        INVALID_PERMISSIONS,
        'Method completed with status: 500',
      ]);
      // Act
      const finding = classifyTrace(trace);
      // Assess
      expect([finding.cause, finding.target]).toEqual(['lambda_permission', 'integration']);
    });
  });

  describe('authorizer permission is lambda_permission, not authorizer_error', () => {
    it('gives lambda_permission with target authorizer for a permission failure after "Starting authorizer:"', () => {
      // Prepare
      const trace = traceOf([
        `Starting authorizer: q8t0gz for request: ${ID}`,
        `Endpoint request URI: ${AUTHORIZER_URI}`,
        `Sending request to ${AUTHORIZER_URI}`,
        INVALID_PERMISSIONS,
        'Execution failed due to configuration error: Authorizer error',
      ]);
      // Act
      const finding = classifyTrace(trace);
      // Assess
      expect(ruleMatches('authorizer-failure', trace)).toBe(true);
      expect([finding.cause, finding.target, finding.authorizerFunctionName]).toEqual([
        'lambda_permission',
        'authorizer',
        'orders-authorizer',
      ]);
    });

    it('gives target integration for the same failure after the authorizer succeeded', () => {
      // Prepare
      const trace = traceOf([
        `Starting authorizer: q8t0gz for request: ${ID}`,
        'Successfully completed authorizer execution',
        `Starting execution for request: ${ID}`,
        `Sending request to ${FN_URI}`,
        INVALID_PERMISSIONS,
        'Method completed with status: 500',
      ]);
      // Act
      const finding = classifyTrace(trace);
      // Assess
      expect([finding.cause, finding.target]).toEqual(['lambda_permission', 'integration']);
    });
  });

  it('gives throttling for a Lambda 429 even when the body looks like a function error object', () => {
    // Prepare: the 429 lines; the error-object body is there to make the function-error rule match as well.
    const trace = traceOf([
      `Sending request to ${FN_URI}`,
      'Endpoint response body before transformations: {"errorType":"TooManyRequestsException","errorMessage":"Rate Exceeded."}',
      `Lambda invocation failed with status: 429. Lambda request id: ${LAMBDA_ID}`,
      'Execution failed due to configuration error: Rate Exceeded.',
      'Method completed with status: 500',
    ]);
    // Act
    const finding = classifyTrace(trace);
    // Assess
    expect(ruleMatches('lambda-function-error', trace)).toBe(true);
    expect([finding.cause, finding.ruleId]).toEqual(['throttling', 'throttled']);
  });

  it('gives payload_too_large for the 6 MB Lambda response limit reported as a customer function error', () => {
    // Prepare
    const trace = traceOf([
      'Endpoint response body before transformations: {"errorType":"Function.ResponseSizeTooLarge","errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes)."}',
      `Lambda execution failed with status 200 due to customer function error: Response payload size exceeded maximum allowed payload size (6291556 bytes).. Lambda request id: ${LAMBDA_ID}`,
      'Method completed with status: 502',
    ]);
    // Act
    const finding = classifyTrace(trace);
    // Assess
    expect(ruleMatches('lambda-function-error', trace)).toBe(true);
    expect([finding.cause, finding.hint]).toEqual(['payload_too_large', 'lambda_response_limit']);
  });

  it('gives lambda_function_error when a customer function error and a malformed response are both logged', () => {
    // Prepare
    const trace = traceOf([
      'Endpoint response body before transformations: {"errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading \'0\')"}',
      `Lambda execution failed with status 200 due to customer function error: Cannot read properties of undefined (reading '0'). Lambda request id: ${LAMBDA_ID}`,
      'Execution failed due to configuration error: Malformed Lambda proxy response',
      'Method completed with status: 502',
    ]);
    // Act
    const finding = classifyTrace(trace);
    // Assess
    expect(ruleMatches('malformed-lambda-proxy-response', trace)).toBe(true);
    expect([finding.cause, finding.ruleId]).toEqual(['lambda_function_error', 'lambda-function-error']);
  });

  it('gives integration_timeout from the "timeout error" message, not from the status-only 504 rule', () => {
    // Prepare
    const trace = traceOf([
      `Sending request to ${FN_URI}`,
      'Execution failed due to a timeout error',
      'Method completed with status: 504',
    ]);
    // Act
    const finding = classifyTrace(trace);
    // Assess
    expect(ruleMatches('status-504', trace)).toBe(true);
    expect([finding.cause, finding.ruleId, finding.basis]).toEqual([
      'integration_timeout',
      'integration-timeout',
      'message',
    ]);
  });

  it('gives internal_service_failure for a Lambda service 503, not the status-only service_unavailable', () => {
    // Prepare
    const trace = traceOf([
      `Lambda invocation failed with status: 503. Lambda request id: ${LAMBDA_ID}`,
      'Method completed with status: 503',
    ]);
    // Act
    const finding = classifyTrace(trace);
    // Assess
    expect(ruleMatches('status-503', trace)).toBe(true);
    expect([finding.cause, finding.hint]).toEqual(['internal_service_failure', 'lambda_service_error']);
  });

  it('gives bad_gateway with basis status for a 502 with no message', () => {
    // Prepare
    const trace = traceOf(['Method completed with status: 502']);
    // Act
    const finding = classifyTrace(trace);
    // Assess
    expect([finding.cause, finding.ruleId, finding.basis]).toEqual(['bad_gateway', 'status-502', 'status']);
    expect(finding.evidence.map((e) => e.text)).toEqual(['Method completed with status: 502']);
  });

  it('gives unknown with a message template for a 500 with no message, when no rule matches', () => {
    // Prepare
    const trace = traceOf(['Method completed with status: 500']);
    // Act
    const finding = classifyTrace(trace);
    // Assess
    expect(RULES.filter((r) => r.match(trace, {}) !== undefined).map((r) => r.id)).toEqual([]);
    expect([finding.cause, finding.ruleId, finding.basis]).toEqual(['unknown', 'unknown', 'status']);
    expect(finding.templates).toEqual(['status <n> with no error message logged']);
  });
});
