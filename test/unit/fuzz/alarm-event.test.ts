/**
 * Fuzz properties of parseAlarmEvent: whatever the event (missing fields, wrong types, deep nesting, any JSON),
 * it returns a well-formed AlarmNotice or throws the documented AlarmEventError, and nothing else; and a valid
 * envelope is read field for field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlarmEventError, type AlarmNotice, parseAlarmEvent } from '../../../lambda/respond/alarm-event.js';
import { anyText, runs } from './arbitraries.js';

const STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;

/** The notice's contract: what respond() and the renderers rely on. */
function expectWellFormed(notice: AlarmNotice): void {
  expect(typeof notice.alarmName).toBe('string');
  expect(notice.alarmName).not.toBe('');
  expect(STATES).toContain(notice.state);
  expect(['lambda-alarm-action', 'sns', 'eventbridge']).toContain(notice.envelope);
  for (const [k, v] of Object.entries(notice.dimensions)) {
    expect(typeof k).toBe('string');
    expect(typeof v).toBe('string');
  }
  for (const n of [
    notice.stateTime,
    notice.previousStateTime,
    notice.evaluationStart,
    notice.periodSec,
    notice.evaluationPeriods,
  ]) {
    if (n !== undefined) expect(Number.isFinite(n)).toBe(true);
  }
  for (const s of [notice.alarmArn, notice.region, notice.accountId, notice.reason, notice.previousState]) {
    if (s !== undefined) expect(typeof s).toBe('string');
  }
}

/** Runs parseAlarmEvent; any throw but AlarmEventError fails the property. */
function parseOrReject(event: unknown): AlarmNotice | AlarmEventError {
  try {
    const notice = parseAlarmEvent(event);
    expectWellFormed(notice);
    return notice;
  } catch (error) {
    if (error instanceof AlarmEventError) {
      expect(error.message).not.toBe('');
      return error;
    }
    throw error;
  }
}

const isoTime = fc
  .integer({ min: 0, max: 4_102_444_800_000 })
  .map((ms) => new Date(ms).toISOString().replace('Z', '+0000'));
const state = fc.oneof(fc.constantFrom(...STATES), anyText);
const dimensions = fc.dictionary(fc.constantFrom('ApiName', 'ApiId', 'Stage', 'Resource', 'Method'), anyText);

const lambdaActionEvent = fc.record({
  source: fc.constant('aws.cloudwatch'),
  alarmArn: fc.constant('arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api-prod-5xx'),
  accountId: fc.constant('123456789012'),
  time: isoTime,
  region: fc.constantFrom('us-east-1', 'eu-west-2'),
  alarmData: fc.record({
    alarmName: anyText.filter((s) => s !== ''),
    state: fc.record({
      value: state,
      reason: anyText,
      reasonData: fc.oneof(
        fc.constant(
          '{"version":"1.0","queryDate":"2026-11-25T16:55:39.000+0000","startDate":"2026-11-25T16:54:00.000+0000","period":60}',
        ),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        anyText,
      ),
      timestamp: isoTime,
    }),
    previousState: fc.record({ value: state, timestamp: isoTime }),
    configuration: fc.record({
      metrics: fc.array(
        fc.record({
          id: fc.constant('m1'),
          metricStat: fc.record({
            metric: fc.record({ namespace: fc.constant('AWS/ApiGateway'), name: fc.constant('5XXError'), dimensions }),
            period: fc.integer({ min: 1, max: 86_400 }),
            stat: fc.constant('Sum'),
          }),
        }),
        { maxLength: 3 },
      ),
    }),
  }),
});

const snsEvent = fc
  .record({
    AlarmName: anyText.filter((s) => s !== ''),
    AlarmArn: fc.constant('arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-api-prod-5xx'),
    AWSAccountId: fc.constant('123456789012'),
    NewStateValue: state,
    OldStateValue: state,
    NewStateReason: anyText,
    StateChangeTime: isoTime,
    Trigger: fc.record({
      Period: fc.integer({ min: 1, max: 86_400 }),
      EvaluationPeriods: fc.integer({ min: 1, max: 100 }),
      Dimensions: fc.array(fc.record({ name: fc.constantFrom('ApiName', 'Stage', 'ApiId'), value: anyText }), {
        maxLength: 4,
      }),
    }),
  })
  .map((message) => ({
    Records: [{ EventSource: 'aws:sns', Sns: { Type: 'Notification', Message: JSON.stringify(message) } }],
  }));

const eventBridgeEvent = lambdaActionEvent.map((e) => ({
  version: '0',
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  account: e.accountId,
  region: e.region,
  resources: [e.alarmArn],
  detail: e.alarmData,
}));

const validEvent = fc.oneof(lambdaActionEvent, snsEvent, eventBridgeEvent);

/** A valid event with the envelope it was generated as. */
const taggedEvent = fc.oneof(
  lambdaActionEvent.map((event) => ({ envelope: 'lambda-alarm-action' as const, event })),
  snsEvent.map((event) => ({ envelope: 'sns' as const, event })),
  eventBridgeEvent.map((event) => ({ envelope: 'eventbridge' as const, event })),
);

/** What the notice must say, read straight from the generated input (not through the parser). */
interface Expected {
  readonly alarmName: string;
  readonly state: string;
  readonly previousState: string;
  readonly reason: string;
  readonly alarmArn: string;
  readonly region: string;
  readonly accountId: string;
  readonly stateTime: number;
  readonly previousStateTime?: number;
  readonly evaluationStart?: number;
  readonly periodSec?: number;
  readonly evaluationPeriods?: number;
  /** Each dimension name with every value the input gave it. */
  readonly dimensions: ReadonlyMap<string, readonly string[]>;
}

/** `2026-11-25T16:55:39.000+0000`, as CloudWatch writes it, in epoch ms. */
function cloudWatchTime(text: string): number {
  return Date.parse(text.replace(/\+0000$/, 'Z'));
}

function nonEmpty(text: string): string | undefined {
  return text === '' ? undefined : text;
}

function reasonDataPeriod(text: string): number | undefined {
  try {
    const data: unknown = JSON.parse(text);
    const period =
      typeof data === 'object' && data !== null && !Array.isArray(data)
        ? (data as { period?: unknown }).period
        : undefined;
    return typeof period === 'number' ? period : undefined;
  } catch {
    return undefined;
  }
}

function addDimension(into: Map<string, string[]>, name: string, value: string): void {
  into.set(name, [...(into.get(name) ?? []), value]);
}

function expectedNotice(envelope: AlarmNotice['envelope'], event: unknown): Expected {
  const dimensions = new Map<string, string[]>();
  if (envelope === 'sns') {
    const records = (event as { Records: { Sns: { Message: string } }[] }).Records;
    const m = JSON.parse(records[0]?.Sns.Message ?? '{}') as {
      AlarmName: string;
      AlarmArn: string;
      AWSAccountId: string;
      NewStateValue: string;
      OldStateValue: string;
      NewStateReason: string;
      StateChangeTime: string;
      Trigger: { Period: number; EvaluationPeriods: number; Dimensions: { name: string; value: string }[] };
    };
    for (const d of m.Trigger.Dimensions) addDimension(dimensions, d.name, d.value);
    return {
      alarmName: m.AlarmName,
      state: m.NewStateValue,
      previousState: m.OldStateValue,
      reason: m.NewStateReason,
      alarmArn: m.AlarmArn,
      // The ARN carries the region's code (the message only its display name).
      region: m.AlarmArn.split(':')[3] ?? '',
      accountId: m.AWSAccountId,
      stateTime: cloudWatchTime(m.StateChangeTime),
      periodSec: m.Trigger.Period,
      evaluationPeriods: m.Trigger.EvaluationPeriods,
      dimensions,
    };
  }
  type AlarmData = {
    alarmName: string;
    state: { value: string; reason: string; reasonData: string; timestamp: string };
    previousState: { value: string; timestamp: string };
    configuration: { metrics: { metricStat: { period: number; metric: { dimensions: Record<string, string> } } }[] };
  };
  const outer =
    envelope === 'eventbridge'
      ? (() => {
          const e = event as { resources: string[]; region: string; account: string; detail: AlarmData };
          return { alarmArn: e.resources[0] ?? '', region: e.region, accountId: e.account, data: e.detail };
        })()
      : (() => {
          const e = event as { alarmArn: string; region: string; accountId: string; alarmData: AlarmData };
          return { alarmArn: e.alarmArn, region: e.region, accountId: e.accountId, data: e.alarmData };
        })();
  const { data } = outer;
  for (const m of data.configuration.metrics) {
    for (const [name, value] of Object.entries(m.metricStat.metric.dimensions)) addDimension(dimensions, name, value);
  }
  // The documented reasonData (the first generator branch) gives the evaluated range's start; any JSON object
  // with a numeric period gives the period when no metric does.
  const documented = data.state.reasonData.startsWith('{"version":"1.0","queryDate"');
  const startDate = documented ? (JSON.parse(data.state.reasonData) as { startDate: string }).startDate : undefined;
  const metricPeriod = data.configuration.metrics[0]?.metricStat.period;
  const periodSec = metricPeriod ?? reasonDataPeriod(data.state.reasonData);
  return {
    alarmName: data.alarmName,
    state: data.state.value,
    previousState: data.previousState.value,
    reason: data.state.reason,
    alarmArn: outer.alarmArn,
    region: outer.region,
    accountId: outer.accountId,
    stateTime: cloudWatchTime(data.state.timestamp),
    previousStateTime: cloudWatchTime(data.previousState.timestamp),
    ...(startDate !== undefined ? { evaluationStart: cloudWatchTime(startDate) } : {}),
    ...(periodSec !== undefined ? { periodSec } : {}),
    dimensions,
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value inside a JSON value (the SNS Message string is opened too). */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push(...paths(v, [...prefix, i]));
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

function setAt(value: Json, path: readonly (string | number)[], replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    if (replacement === undefined && rest.length === 0) copy.splice(Number(head), 1);
    else copy[Number(head)] = setAt(copy[Number(head)] ?? null, rest, replacement);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const copy = { ...value };
    const key = String(head);
    if (replacement === undefined && rest.length === 0) delete copy[key];
    else copy[key] = setAt(copy[key] ?? null, rest, replacement);
    return copy;
  }
  return value;
}

/** A valid event with one value replaced by something of another type, or removed. */
const mutatedEvent = fc
  .tuple(
    validEvent,
    fc.nat(),
    fc.option(fc.oneof(fc.jsonValue({ maxDepth: 4 }), anyText), { nil: undefined }),
    fc.boolean(),
  )
  .map(([event, pick, replacement, insideMessage]) => {
    const json = event as unknown as Json;
    const records = (json as { Records?: { Sns: { Message: string } }[] }).Records;
    if (insideMessage && records?.[0] !== undefined) {
      // Mutate inside the SNS message, then wrap it again.
      const message = JSON.parse(records[0].Sns.Message) as Json;
      const all = paths(message);
      const mutated = setAt(message, all[pick % all.length] ?? [], replacement as Json | undefined);
      return { Records: [{ Sns: { Message: JSON.stringify(mutated) } }] };
    }
    const all = paths(json);
    return setAt(json, all[pick % all.length] ?? [], replacement as Json | undefined);
  });

describe('parseAlarmEvent', () => {
  it('reads every valid envelope field for field, whatever the text in its fields', () => {
    fc.assert(
      fc.property(taggedEvent, ({ envelope, event }) => {
        // Act
        const result = parseOrReject(event);
        // Assess
        const expected = expectedNotice(envelope, event);
        if (!(STATES as readonly unknown[]).includes(expected.state)) {
          // Only a state outside the three values is refused, and the error says so.
          expect(result).toBeInstanceOf(AlarmEventError);
          expect((result as AlarmEventError).message).toMatch(/must be ALARM, OK or INSUFFICIENT_DATA/);
          return;
        }
        if (result instanceof AlarmEventError) expect.fail(`a valid ${envelope} event was refused: ${result.message}`);
        expect(result.envelope).toBe(envelope);
        expect(result.alarmName).toBe(expected.alarmName);
        expect(result.state).toBe(expected.state);
        expect(result.previousState).toBe(nonEmpty(expected.previousState));
        expect(result.reason).toBe(nonEmpty(expected.reason));
        expect(result.alarmArn).toBe(expected.alarmArn);
        expect(result.region).toBe(expected.region);
        expect(result.accountId).toBe(expected.accountId);
        expect(result.stateTime).toBe(expected.stateTime);
        if (expected.previousStateTime !== undefined) expect(result.previousStateTime).toBe(expected.previousStateTime);
        if (expected.evaluationStart !== undefined) expect(result.evaluationStart).toBe(expected.evaluationStart);
        expect(result.periodSec).toBe(expected.periodSec);
        expect(result.evaluationPeriods).toBe(expected.evaluationPeriods);
        // Every dimension of the input is read, with one of the values the input gave it, and nothing else.
        expect(Object.keys(result.dimensions).sort()).toEqual([...expected.dimensions.keys()].sort());
        for (const [name, value] of Object.entries(result.dimensions)) {
          expect(expected.dimensions.get(name)).toContain(value);
        }
      }),
      { numRuns: runs(300) },
    );
  });

  it('throws only AlarmEventError for events with missing fields or fields of the wrong type', () => {
    fc.assert(
      fc.property(mutatedEvent, (event) => void parseOrReject(event)),
      { numRuns: runs(1500) },
    );
  });

  it('throws only AlarmEventError for any JSON value at all', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (event) => void parseOrReject(event)),
      {
        numRuns: runs(500),
      },
    );
    for (const event of [undefined, null, 0, '', [], {}, { Records: [] }, { alarmData: [] }, { 'detail-type': 1 }]) {
      parseOrReject(event);
    }
  });

  it('survives 10,000 levels of nesting where the parser does not print the value', () => {
    let deep: Json = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const deepText = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const events: unknown[] = [
      { alarmData: { alarmName: 'a', state: { value: 'ALARM', reasonData: deepText }, configuration: deep } },
      { alarmData: { alarmName: 'a', state: { value: 'ALARM' }, previousState: deep } },
      { alarmData: deep },
      { Records: deep },
      { Records: [{ Sns: { Message: deepText } }] },
      { Records: [{ Sns: { Message: `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":${deepText}}` } }] },
      { 'detail-type': 'CloudWatch Alarm State Change', detail: { alarmName: 'a', state: deep }, resources: deep },
    ];
    for (const event of events) parseOrReject(event);
  });
});
