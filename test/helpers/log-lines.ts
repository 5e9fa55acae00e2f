/**
 * The responder and forwarder handlers log one JSON object per line with console.log / console.error (CloudWatch
 * Logs keeps them in Lambda). In tests that run a handler, captureLogLines takes those lines in, so a green run
 * does not print them and the test can assert them. Any other console output still goes through.
 */
import { afterAll, beforeAll, beforeEach, type MockInstance, vi } from 'vitest';

export interface LogLines {
  /** The JSON log lines of the current test, parsed, in order. */
  readonly lines: Record<string, unknown>[];
}

function parse(args: unknown[]): Record<string, unknown> | undefined {
  if (args.length !== 1 || typeof args[0] !== 'string' || !args[0].startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(args[0]);
    return typeof value === 'object' && value !== null && !Array.isArray(value) && 'level' in value
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Call once at the top of a test file (or describe): captures from its beforeAll on (a handler may run there) to
 * its afterAll; `lines` is emptied before each test.
 */
export function captureLogLines(): LogLines {
  const captured: LogLines = { lines: [] };
  const spies: MockInstance[] = [];
  beforeAll(() => {
    for (const method of ['log', 'error'] as const) {
      const original = console[method].bind(console);
      spies.push(
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
          const line = parse(args);
          if (line !== undefined) captured.lines.push(line);
          else original(...args);
        }),
      );
    }
  });
  beforeEach(() => {
    captured.lines.length = 0;
  });
  afterAll(() => {
    for (const spy of spies.splice(0)) spy.mockRestore();
  });
  return captured;
}
