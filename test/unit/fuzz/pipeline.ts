/**
 * Runs an input through every parser and renderer the responder and the CLI have, the way they chain them,
 * so a property or a corpus replay can check everything that comes out.
 */
import { classifyEvent } from '../../../lambda/classify/classify.js';
import { messageTemplate } from '../../../lambda/classify/template.js';
import { type DiagnoseOptions, diagnoseEvents } from '../../../lambda/diagnose.js';
import { parseAccessLine, parseClfAccessLine, parseXmlAccessLine } from '../../../lambda/parse/access-log.js';
import { executionFacts, lambdaTargetOf, splitExecutionLine } from '../../../lambda/parse/execution-log.js';
import { parseFunctionLogLine } from '../../../lambda/parse/function-log.js';
import { decodeInput } from '../../../lambda/parse/input.js';
import { type InputRead, parseInput } from '../../../lambda/parse/input-stream.js';
import { type LogEvent, parseExecutionLogGroupName } from '../../../lambda/parse/log-event.js';
import { renderJson } from '../../../lambda/render/json.js';
import { renderSlack } from '../../../lambda/render/slack.js';
import { renderSubject } from '../../../lambda/render/subject.js';
import { renderText } from '../../../lambda/render/text.js';
import {
  asciiSubject,
  escapeSlack,
  escapeSlackCode,
  neutralizeControls,
  oneLine,
} from '../../../lambda/safety/escape.js';
import { redact } from '../../../lambda/safety/redact.js';
import type { Diagnosis } from '../../../lambda/summarize/diagnosis.js';

/** Every rendering of one diagnosis. */
export interface Renderings {
  readonly text: string;
  readonly slack: string;
  readonly json: string;
  readonly subject: string;
  readonly okSubject: string;
}

export function renderAll(diagnosis: Diagnosis): Renderings {
  return {
    text: renderText(diagnosis),
    slack: renderSlack(diagnosis),
    json: renderJson(diagnosis),
    subject: renderSubject(diagnosis),
    okSubject: renderSubject(diagnosis, 'OK'),
  };
}

export interface Rendered {
  readonly diagnosis: Diagnosis;
  readonly renderings: Renderings;
}

export function diagnoseAndRender(events: readonly LogEvent[], options: DiagnoseOptions = {}): Rendered {
  const { diagnosis } = diagnoseEvents(events, options);
  return { diagnosis, renderings: renderAll(diagnosis) };
}

/** Each line parser and the single-event classifier, on one event; returns nothing, must not throw. */
export function parseEveryWay(event: LogEvent): void {
  const message = event.message;
  const exec = splitExecutionLine(message);
  executionFacts(exec?.text ?? message);
  lambdaTargetOf(exec?.text ?? message);
  parseAccessLine(message);
  parseClfAccessLine(message);
  parseXmlAccessLine(message);
  parseFunctionLogLine(message);
  parseExecutionLogGroupName(event.logGroupName);
  classifyEvent(event);
  classifyEvent(event, { executionLogRead: true, stageVariableFunctions: ['orders-get'] });
}

/** The safety primitives on one piece of text; returns their outputs for the caller's checks. */
export function safetyPrimitives(text: string): { redacted: string; slack: string; slackCode: string; line: string } {
  neutralizeControls(text);
  asciiSubject(text);
  messageTemplate(text);
  return {
    redacted: redact(text),
    slack: escapeSlack(text),
    slackCode: escapeSlackCode(text),
    line: oneLine(text),
  };
}

/** The same events as the reader would hand them over from each kind of log group. */
function asEachLog(events: readonly LogEvent[]): LogEvent[][] {
  const withGroup = (group: string) => events.map((e) => ({ ...e, logGroupName: group }));
  return [
    [...events],
    withGroup('API-Gateway-Execution-Logs_a1b2c3d4e5/prod'),
    withGroup('/aws/lambda/orders-get'),
    withGroup('/aws/apigateway/orders-access'),
  ];
}

/** What one input produced: the parse, and one rendering per way of reading it. */
export interface Processed {
  readonly parsed: InputRead;
  readonly rendered: readonly Rendered[];
}

/**
 * Everything the CLI and the responder do with a text: parseInput, every line parser on every event, the whole
 * text as one (possibly huge) message, the diagnosis as each kind of log group would give it, and every renderer
 * (unless `render` is false: then the diagnoses are made and `rendered` is empty).
 */
export function processText(text: string, options: { render?: boolean } = {}): Processed {
  const render = options.render ?? true;
  const parsed = parseInput(text);
  const events = parsed.events;
  for (const event of events) parseEveryWay(event);
  const whole: LogEvent = { message: text };
  parseEveryWay(whole);
  const variants: Array<[readonly LogEvent[], DiagnoseOptions]> = [
    ...asEachLog(events).map((v): [LogEvent[], DiagnoseOptions] => [v, {}]),
    [[whole], {}],
    [
      events,
      {
        api: { type: 'REST', name: 'orders', apiId: 'a1b2c3d4e5', stage: 'prod', region: 'us-east-1' },
        window: { start: 1_795_625_000_000, end: 1_795_626_000_000 },
        readProblems: ['Log group /aws/lambda/x does not exist: <!channel> \u001b[31m'],
        context: { executionLogRead: true },
      },
    ],
  ];
  const rendered: Rendered[] = [];
  for (const [variant, options] of variants) {
    if (render) rendered.push(diagnoseAndRender(variant, options));
    else diagnoseEvents(variant, options);
  }
  return { parsed, rendered };
}

/** Bytes as the CLI reads a file: decodeInput, then processText. */
export function processBytes(
  bytes: Uint8Array,
  options: { render?: boolean } = {},
): Processed & { readonly decodedProblems: number } {
  const decoded = decodeInput(bytes);
  return { ...processText(decoded.text, options), decodedProblems: decoded.problems.length };
}
