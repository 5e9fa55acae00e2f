import { isRecord } from '../parse/input.js';

/**
 * The alarm state change, whatever envelope it came in:
 * - the event CloudWatch sends to a Lambda alarm action (`source: aws.cloudwatch`, `alarmData`):
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions-Lambda.html
 * - an SNS-wrapped alarm notification (`Records[].Sns.Message` holding `AlarmName`, `NewStateValue`, `Trigger`);
 * - an EventBridge "CloudWatch Alarm State Change" event (`detail-type`, `detail.alarmName`).
 */
export interface AlarmNotice {
  readonly alarmName: string;
  readonly alarmArn?: string;
  readonly state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  readonly previousState?: string;
  readonly reason?: string;
  /** When the state changed, epoch ms. */
  readonly stateTime?: number;
  /** When the previous state began, epoch ms (for "the alarm lasted N minutes"). */
  readonly previousStateTime?: number;
  readonly region?: string;
  readonly accountId?: string;
  /** Start of the evaluated range (reasonData startDate or earliest evaluated datapoint), epoch ms. */
  readonly evaluationStart?: number;
  readonly periodSec?: number;
  readonly evaluationPeriods?: number;
  /** Metric dimensions the alarm watches (ApiName, ApiId, Stage). */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly envelope: 'lambda-alarm-action' | 'sns' | 'eventbridge';
}

/** An event the responder cannot read as an alarm state change; the message says what was wrong. */
export class AlarmEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlarmEventError';
  }
}

/** Parses CloudWatch's timestamps (`2023-08-04T12:36:15.490+0000`, ISO with `Z`). */
export function parseAlarmTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const normalized = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalized);
  return Number.isFinite(ms) ? ms : undefined;
}

const STATES = new Set(['ALARM', 'OK', 'INSUFFICIENT_DATA']);

/** A short, safe description of an unexpected value (never serialises it: it may be huge or deeply nested). */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function reasonDataStart(reasonData: unknown): { start?: number; period?: number } {
  if (typeof reasonData !== 'string') return {};
  try {
    const data: unknown = JSON.parse(reasonData);
    if (!isRecord(data)) return {};
    const points = Array.isArray(data.evaluatedDatapoints) ? data.evaluatedDatapoints : [];
    const times = points
      .map((p: unknown) => (isRecord(p) ? parseAlarmTime(p.timestamp) : undefined))
      .filter((t): t is number => t !== undefined);
    const start = parseAlarmTime(data.startDate) ?? (times.length > 0 ? Math.min(...times) : undefined);
    const period = num(data.period);
    return { ...(start !== undefined ? { start } : {}), ...(period !== undefined ? { period } : {}) };
  } catch {
    return {};
  }
}

/** Dimensions of the alarm's metric(s): from `configuration.metrics[].metricStat.metric.dimensions`. */
function metricDimensions(configuration: unknown): { dimensions: Record<string, string>; period?: number } {
  const dimensions: Record<string, string> = {};
  let period: number | undefined;
  if (!isRecord(configuration) || !Array.isArray(configuration.metrics)) return { dimensions };
  // A metric-math alarm may mix namespaces: API Gateway's metrics name the API, so they go first.
  const onApiGateway = (m: unknown) =>
    isRecord(m) &&
    isRecord(m.metricStat) &&
    isRecord(m.metricStat.metric) &&
    m.metricStat.metric.namespace === 'AWS/ApiGateway';
  const ordered = [
    ...configuration.metrics.filter(onApiGateway),
    ...configuration.metrics.filter((m) => !onApiGateway(m)),
  ];
  for (const m of ordered) {
    if (!isRecord(m) || !isRecord(m.metricStat)) continue;
    period ??= num(m.metricStat.period);
    const metric = m.metricStat.metric;
    if (!isRecord(metric) || !isRecord(metric.dimensions)) continue;
    for (const [k, v] of Object.entries(metric.dimensions)) if (typeof v === 'string') dimensions[k] ??= v;
  }
  return { dimensions, ...(period !== undefined ? { period } : {}) };
}

function state(value: unknown, where: string): AlarmNotice['state'] {
  if (typeof value !== 'string' || !STATES.has(value)) {
    throw new AlarmEventError(`${where} must be ALARM, OK or INSUFFICIENT_DATA, got ${describeValue(value)}`);
  }
  return value as AlarmNotice['state'];
}

function fromAlarmData(
  alarmData: Record<string, unknown>,
  outer: { alarmArn?: string; region?: string; accountId?: string },
  envelope: AlarmNotice['envelope'],
): AlarmNotice {
  const alarmName = str(alarmData.alarmName);
  if (alarmName === undefined) throw new AlarmEventError('alarmData.alarmName is missing');
  const current = isRecord(alarmData.state) ? alarmData.state : undefined;
  if (current === undefined) throw new AlarmEventError('alarmData.state is missing');
  const previous = isRecord(alarmData.previousState) ? alarmData.previousState : undefined;
  const { start, period: reasonPeriod } = reasonDataStart(current.reasonData);
  const { dimensions, period } = metricDimensions(alarmData.configuration);
  const stateTime = parseAlarmTime(current.timestamp);
  const previousStateTime = parseAlarmTime(previous?.timestamp);
  const periodSec = period ?? reasonPeriod;
  const reason = str(current.reason);
  const previousState = str(previous?.value);
  return {
    alarmName,
    ...outer,
    state: state(current.value, 'alarmData.state.value'),
    ...(previousState !== undefined ? { previousState } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(stateTime !== undefined ? { stateTime } : {}),
    ...(previousStateTime !== undefined ? { previousStateTime } : {}),
    ...(start !== undefined ? { evaluationStart: start } : {}),
    ...(periodSec !== undefined ? { periodSec } : {}),
    dimensions,
    envelope,
  };
}

function fromSnsMessage(message: string): AlarmNotice {
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    throw new AlarmEventError('the SNS message is not JSON: expected a CloudWatch alarm notification');
  }
  if (!isRecord(body)) throw new AlarmEventError('the SNS message is not a JSON object');
  const alarmName = str(body.AlarmName);
  if (alarmName === undefined)
    throw new AlarmEventError('the SNS message has no AlarmName: not a CloudWatch alarm notification');
  const trigger = isRecord(body.Trigger) ? body.Trigger : {};
  const dimensions: Record<string, string> = {};
  if (Array.isArray(trigger.Dimensions)) {
    for (const d of trigger.Dimensions) {
      if (isRecord(d) && typeof d.name === 'string' && typeof d.value === 'string') dimensions[d.name] = d.value;
    }
  }
  const arn = str(body.AlarmArn);
  const accountId = str(body.AWSAccountId);
  const reason = str(body.NewStateReason);
  const previousState = str(body.OldStateValue);
  const stateTime = parseAlarmTime(body.StateChangeTime);
  const periodSec = num(trigger.Period);
  const evaluationPeriods = num(trigger.EvaluationPeriods);
  // SNS alarm messages carry the region's display name ("EU - Ireland"); the ARN carries its code.
  const region = arn?.split(':')[3];
  return {
    alarmName,
    ...(arn !== undefined ? { alarmArn: arn } : {}),
    ...(region !== undefined && region !== '' ? { region } : {}),
    ...(accountId !== undefined ? { accountId } : {}),
    state: state(body.NewStateValue, 'NewStateValue'),
    ...(previousState !== undefined ? { previousState } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(stateTime !== undefined ? { stateTime } : {}),
    ...(periodSec !== undefined ? { periodSec } : {}),
    ...(evaluationPeriods !== undefined ? { evaluationPeriods } : {}),
    dimensions,
    envelope: 'sns',
  };
}

/** Reads an alarm state change from any of the three envelopes; throws AlarmEventError saying what is wrong. */
export function parseAlarmEvent(event: unknown): AlarmNotice {
  if (!isRecord(event))
    throw new AlarmEventError(`the event is not a JSON object (got ${event === null ? 'null' : typeof event})`);
  if (isRecord(event.alarmData)) {
    return fromAlarmData(
      event.alarmData,
      {
        ...(str(event.alarmArn) !== undefined ? { alarmArn: str(event.alarmArn) as string } : {}),
        ...(str(event.region) !== undefined ? { region: str(event.region) as string } : {}),
        ...(str(event.accountId) !== undefined ? { accountId: str(event.accountId) as string } : {}),
      },
      'lambda-alarm-action',
    );
  }
  if (event['detail-type'] === 'CloudWatch Alarm State Change' && isRecord(event.detail)) {
    const resources = Array.isArray(event.resources) ? event.resources : [];
    const arn = resources.find((r: unknown): r is string => typeof r === 'string' && r.includes(':alarm:'));
    return fromAlarmData(
      event.detail,
      {
        ...(arn !== undefined ? { alarmArn: arn } : {}),
        ...(str(event.region) !== undefined ? { region: str(event.region) as string } : {}),
        ...(str(event.account) !== undefined ? { accountId: str(event.account) as string } : {}),
      },
      'eventbridge',
    );
  }
  if (Array.isArray(event.Records)) {
    const record = event.Records.find((r: unknown) => isRecord(r) && isRecord(r.Sns));
    const sns = isRecord(record) && isRecord(record.Sns) ? record.Sns : undefined;
    if (sns === undefined || typeof sns.Message !== 'string') {
      throw new AlarmEventError('the event has Records but none is an SNS notification with a Message');
    }
    return fromSnsMessage(sns.Message);
  }
  throw new AlarmEventError(
    'not an alarm event: expected a CloudWatch Lambda alarm action event (alarmData), an SNS alarm notification (Records[].Sns) or an EventBridge "CloudWatch Alarm State Change" event',
  );
}
