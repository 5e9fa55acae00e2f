import { describe, expect, it } from 'vitest';
import { diagnoseEvents } from '../../lambda/diagnose.js';

function events(lines: readonly string[]) {
  return lines.map((message) => ({ message }));
}

describe('execution lines without their (request-id) prefix', () => {
  it('reads a console Test output as one request named by its header', () => {
    // Prepare: published console Test lines (ongzhixian/mini-aws _notes/test5/note.md, 2022), shortened.
    const lines = [
      'Execution log for request ebc6434a-2151-4cfa-8889-38dffec3eced',
      'Sat Mar 05 15:39:57 UTC 2022 : Starting execution for request: ebc6434a-2151-4cfa-8889-38dffec3eced',
      'Sat Mar 05 15:39:57 UTC 2022 : HTTP Method: GET, Resource Path: /test2',
      'Sat Mar 05 15:39:58 UTC 2022 : Endpoint response body before transformations: "hello from some_text_handler"',
      'Sat Mar 05 15:39:58 UTC 2022 : Execution failed due to configuration error: Malformed Lambda proxy response',
      'Sat Mar 05 15:39:58 UTC 2022 : Method completed with status: 502',
    ];
    // Act
    const { findings } = diagnoseEvents(events(lines));
    // Assess
    expect(findings.map((f) => [f.requestId, f.cause, f.status])).toEqual([
      ['ebc6434a-2151-4cfa-8889-38dffec3eced', 'malformed_lambda_response', 502],
    ]);
  });

  it('ends a block of bare lines at its status line, so the next block is another request', () => {
    // Act
    const { findings } = diagnoseEvents(
      events([
        'Execution failed due to a timeout error',
        'Method completed with status: 504',
        'Execution failed due to configuration error: Invalid permissions on Lambda function',
        'Method completed with status: 500',
      ]),
    );
    // Assess
    expect(findings.map((f) => [f.cause, f.status])).toEqual([
      ['integration_timeout', 504],
      ['lambda_permission', 500],
    ]);
  });

  it("keeps the request id that comes after another tool's columns (aws logs tail)", () => {
    // Prepare: two requests' lines interleaved, as `aws logs tail` prints them (timestamp, stream, message).
    const stream = 'e369853df766fa44e1ed0ff613f563bd';
    const lines = [
      `2026-11-29T10:00:00.123000+00:00 ${stream} (3f2a1b2c-0000-4000-8000-000000000001) Execution failed due to a timeout error`,
      `2026-11-29T10:00:00.124000+00:00 ${stream} (3f2a1b2c-0000-4000-8000-000000000002) Execution failed due to configuration error: Malformed Lambda proxy response`,
      `2026-11-29T10:00:00.125000+00:00 ${stream} (3f2a1b2c-0000-4000-8000-000000000001) Method completed with status: 504`,
      `2026-11-29T10:00:00.126000+00:00 ${stream} (3f2a1b2c-0000-4000-8000-000000000002) Method completed with status: 502`,
    ];
    // Act
    const { findings } = diagnoseEvents(events(lines));
    // Assess
    expect(findings.map((f) => [f.requestId.slice(-1), f.cause, f.status])).toEqual([
      ['1', 'integration_timeout', 504],
      ['2', 'malformed_lambda_response', 502],
    ]);
  });
});
