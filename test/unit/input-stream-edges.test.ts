import { describe, expect, it } from 'vitest';
import { decodeInput, type InputProblem, parseCloudWatchInput } from '../../lambda/parse/input.js';
import { streamEvents } from '../../lambda/parse/input-stream.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';

const ID = '5cb7ee58-39e6-11e9-be7e-29aff96747f2';
const enc = new TextEncoder();

async function streamed(bytes: Uint8Array) {
  const events: LogEvent[] = [];
  const problems: InputProblem[] = [];
  async function* one() {
    yield bytes;
  }
  for await (const e of streamEvents(one(), (p) => problems.push(p))) {
    // parseCloudWatchInput reads CloudWatch's forms without line numbers: compare the events themselves.
    const { line: _line, ...event } = e;
    events.push(event);
  }
  return { events, problems };
}
function whole(bytes: Uint8Array) {
  const decoded = decodeInput(bytes);
  const parsed = parseCloudWatchInput(decoded.text);
  return { events: parsed.events, problems: [...decoded.problems, ...parsed.problems].sort((a, b) => a.line - b.line) };
}

describe('streamEvents tells a document from lines as parseCloudWatchInput does', () => {
  it('a JSON array whose items are not objects', async () => {
    const bytes = enc.encode('[1, 2]\n');
    expect(await streamed(bytes)).toEqual(whole(bytes));
  });

  it('a pretty-printed document after whitespace other than space, tab, CR, LF (form feed)', async () => {
    const doc = JSON.stringify({ events: [{ message: `(${ID}) Method completed with status: 502` }] }, null, 2);
    const bytes = enc.encode(`\f${doc}`);
    expect(await streamed(bytes)).toEqual(whole(bytes));
  });
});
