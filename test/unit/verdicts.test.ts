import { describe, expect, it } from 'vitest';
import { classifyTrace } from '../../lambda/classify/classify.js';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import { renderText } from '../../lambda/render/text.js';
import { TraceBuilder } from '../../lambda/trace/trace-builder.js';

const ID = '0b7e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4';

function traceOf(texts: readonly string[]) {
  const builder = new TraceBuilder({ keepSucceeded: true });
  for (const text of texts) builder.add({ message: `(${ID}) ${text}` });
  const trace = builder.openTraces()[0];
  if (trace === undefined) throw new Error('no trace');
  return trace;
}

describe('explicit verdicts lead', () => {
  it("puts API Gateway's own verdict first and the cause inferred from the response body beside it", () => {
    // Prepare: the body is a function's error object (a function error, inferred), but API Gateway wrote its verdict.
    const trace = traceOf([
      'Endpoint response body before transformations: {"errorMessage":"boom","errorType":"Error"}',
      'Execution failed due to configuration error: Malformed Lambda proxy response',
      'Method completed with status: 502',
    ]);
    // Act
    const finding = classifyTrace(trace);
    // Assess
    expect(finding.cause).toBe('malformed_lambda_response');
    expect(finding.beside).toMatchObject({ cause: 'lambda_function_error', kind: 'inferred' });
    expect(finding.beside?.evidence.map((l) => l.text)).toEqual([
      'Endpoint response body before transformations: {"errorMessage":"boom","errorType":"Error"}',
    ]);
  });

  it('lets the throttling body lead where the malformed-response verdict is known to mislead, saying why', () => {
    // Prepare
    const trace = traceOf([
      'Endpoint response body before transformations: {"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}',
      'Execution failed due to configuration error: Malformed Lambda proxy response',
      'Method completed with status: 502',
    ]);
    // Act
    const finding = classifyTrace(trace);
    // Assess
    expect(finding.cause).toBe('throttling');
    expect(finding.beside).toMatchObject({ cause: 'malformed_lambda_response', kind: 'verdict' });
    expect(finding.beside?.note).toContain('https://stackoverflow.com/questions/50929878');
  });

  it('leaves a request with one reading alone', () => {
    // Prepare
    const trace = traceOf([
      'Lambda execution failed with status 200 due to customer function error: boom. Lambda request id: 758a8c2f-35eb-4713-b55e-56879fbc968b',
      'Method completed with status: 502',
    ]);
    // Act
    const finding = classifyTrace(trace);
    // Assess
    expect(finding.cause).toBe('lambda_function_error');
    expect(finding.beside).toBeUndefined();
  });

  it('counts one cause per request and shows the other reading beside it in the diagnosis', () => {
    // Prepare
    const events = [
      'Endpoint response body before transformations: {"errorMessage":"boom","errorType":"Error"}',
      'Execution failed due to configuration error: Malformed Lambda proxy response',
      'Method completed with status: 502',
    ].map((text) => ({ message: `(${ID}) ${text}` }));
    // Act
    const { diagnosis } = diagnoseEvents(events);
    const text = renderText(diagnosis);
    // Assess
    expect(diagnosis.causes.map((c) => [c.cause, c.count])).toEqual([['malformed_lambda_response', 1]]);
    expect(diagnosis.causes[0]?.beside).toMatchObject([{ cause: 'lambda_function_error', kind: 'inferred', count: 1 }]);
    expect(text).toContain(
      "Beside it: the backend's answer suggests Lambda function error [lambda_function_error] in 1; API Gateway's own verdict leads.",
    );
  });
});
