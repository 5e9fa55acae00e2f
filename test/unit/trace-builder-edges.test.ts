import { describe, expect, it } from 'vitest';
import { type LogEvent, MAX_KEPT_LINE_CHARS, truncateText } from '../../lambda/parse/log-event.js';
import { REDACTED } from '../../lambda/safety/redact.js';
import { TraceBuilder } from '../../lambda/trace/trace-builder.js';

const A = '5cb7ee58-39e6-11e9-be7e-29aff96747f2';
const B = '73737819-c94c-48d7-86d7-b1700e4be29b';

function ev(id: string, text: string, timestamp: number): LogEvent {
  return { message: `(${id}) ${text}`, timestamp, logStreamName: 's1' };
}
function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

describe('lazy reading vs eager reading', () => {
  it("takes the API's account from the method's Lambda, not a cross-account authorizer's, as eager reading does", () => {
    const lines = [
      ev(A, `Starting authorizer: q8togz for request: ${A}`, 1),
      ev(
        A,
        'Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:111111111111:function:shared-authorizer/invocations',
        2,
      ),
      ev(A, 'Successfully completed authorizer execution', 3),
      ev(A, `Starting execution for request: ${A}`, 4),
      ev(
        A,
        'Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:222222222222:function:orders/invocations',
        5,
      ),
      ev(A, 'Execution failed due to configuration error: Malformed Lambda proxy response', 6),
      ev(A, 'Method completed with status: 502', 7),
    ];
    const eager = new TraceBuilder({ keepSucceeded: true });
    const lazy = new TraceBuilder();
    for (const e of lines) {
      eager.add(e);
      lazy.add(e);
    }
    const e = eager.finish(() => true);
    const l = lazy.finish();
    expect(e.api.accountId).toBe('222222222222');
    expect(l.api).toEqual(e.api);
  });
});

describe('eviction when requests already read fill maxOpen', () => {
  it('does not evict the request just opened and count it twice (incomplete and succeeded)', () => {
    const builder = new TraceBuilder({ maxOpen: 1 });
    // A: a long request still in flight (120 lines: read, so it is live, not pending).
    for (let i = 0; i < 120; i++) builder.add(ev(A, `Endpoint response body before transformations: chunk ${i}`, i));
    // B: a short request that succeeds.
    builder.add(ev(B, 'Method completed with status: 200', 200));
    const set = builder.finish();
    // B is one request: it must not be both incomplete and succeeded.
    expect(set.succeeded + set.incompleteTotal + set.failed.total).toBe(2);
  });

  it('does not lose a failed request opened while the requests already read fill maxOpen', () => {
    const builder = new TraceBuilder({ maxOpen: 1 });
    for (let i = 0; i < 120; i++) builder.add(ev(A, `Endpoint response body before transformations: chunk ${i}`, i));
    builder.add(ev(B, 'Execution failed due to configuration error: Malformed Lambda proxy response', 200));
    builder.add(ev(B, 'Method completed with status: 502', 201));
    const set = builder.finish();
    expect(set.traces.map((t) => t.requestId)).toContain(B);
  });
});

describe('backend joins for a sampled trace late in a big read', () => {
  it('joins the function failure of every kept failed request', () => {
    const builder = new TraceBuilder({ maxFailed: 8 });
    const n = 24_000;
    const lambdaId = (i: number) => `11111111-2222-4333-8444-${i.toString(16).padStart(12, '0')}`;
    // The execution log group is read first, then the function's log group (as respond reads them).
    for (let i = 0; i < n; i++) {
      builder.add({
        message: `(${uuid(i)}) Lambda execution failed with status 200 due to customer function error: boom. Lambda request id: ${lambdaId(i)}`,
        timestamp: i,
        logGroupName: 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod',
      });
      builder.add({
        message: `(${uuid(i)}) Method completed with status: 502`,
        timestamp: i,
        logGroupName: 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod',
      });
    }
    for (let i = 0; i < n; i++) {
      builder.add({
        message: `2026-11-25T03:00:00.000Z ${lambdaId(i)} Task timed out after 3.00 seconds`,
        logGroupName: '/aws/lambda/orders-get',
      });
    }
    const set = builder.finish();
    expect(set.failed.total).toBe(n);
    const missing = set.traces.filter((t) => t.backend.length === 0).map((t) => t.requestId);
    expect(missing).toEqual([]);
  });
});

describe('a failed request left out of the sample is counted once', () => {
  it('does not count it again when its access log line is read after a large execution log', () => {
    const builder = new TraceBuilder({ maxFailed: 100 });
    const n = 51_000;
    for (let i = 0; i < n; i++) {
      builder.add({ message: `(${uuid(i)}) Execution failed due to a timeout error`, timestamp: i });
      builder.add({ message: `(${uuid(i)}) Method completed with status: 504`, timestamp: i });
    }
    // The access log (another file / log group) read after the execution log.
    for (let i = 0; i < n; i++) {
      builder.add({ message: `{"requestId":"${uuid(i)}","status":"504","httpMethod":"GET"}`, timestamp: i });
    }
    const set = builder.finish();
    expect(set.failed.total).toBe(n);
    expect(set.traces.every((t) => t.lines.some((l) => l.source === 'execution'))).toBe(true);
  });
});

describe('truncateText', () => {
  it('redacts a credential the line cap would cut, whatever characters it holds', () => {
    // Prepare: the cap falls inside the value, after its opening quote and before its closing one.
    const secret = 'p!w#d4Xq:Rz7(kL';
    const lead = 'Endpoint response body before transformations: {"user":"bob","password":"';
    const text = `${'x'.repeat(MAX_KEPT_LINE_CHARS - lead.length - 6)}${lead}${secret}"} ${'y'.repeat(5_000)}`;
    // Act
    const kept = truncateText(text);
    // Assess
    expect(kept).not.toContain(secret.slice(0, 4));
    expect(kept).toContain('"password":"[');
    expect(kept).toMatch(/… \[\d+ more characters\]$/);
  });

  it('keeps a line within the cap as it is (the renderers redact what they show)', () => {
    const text = '{"password":"hunter2"}';
    expect(truncateText(text)).toBe(text);
    expect(truncateText(`${text}${'x'.repeat(MAX_KEPT_LINE_CHARS)}`)).toContain(`{"password":"${REDACTED}"}`);
  });
});
