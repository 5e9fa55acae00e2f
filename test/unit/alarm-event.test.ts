import { describe, expect, it } from 'vitest';
import { AlarmEventError, parseAlarmEvent, parseAlarmTime } from '../../lambda/respond/alarm-event.js';
import { alarmActionEvent } from '../e2e/responder-harness.js';

const AT = Date.parse('2026-11-25T03:15:00.000Z');

describe('parseAlarmEvent', () => {
  it('reads the event CloudWatch sends to a Lambda alarm action', () => {
    const notice = parseAlarmEvent(
      alarmActionEvent({
        alarmName: 'orders-api-prod-5xx',
        apiName: 'orders-api',
        stage: 'prod',
        state: 'ALARM',
        at: AT,
        evaluationStart: AT - 300_000,
      }),
    );
    expect(notice).toMatchObject({
      alarmName: 'orders-api-prod-5xx',
      alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api-prod-5xx',
      state: 'ALARM',
      previousState: 'OK',
      stateTime: AT,
      evaluationStart: AT - 300_000,
      periodSec: 60,
      region: 'us-east-1',
      accountId: '123456789012',
      dimensions: { ApiName: 'orders-api', Stage: 'prod' },
      envelope: 'lambda-alarm-action',
    });
  });

  it('reads an SNS-wrapped alarm notification, region from the ARN', () => {
    const message = {
      AlarmName: 'orders-api-prod-5xx',
      AWSAccountId: '123456789012',
      NewStateValue: 'ALARM',
      NewStateReason: 'Threshold Crossed',
      StateChangeTime: '2026-11-25T03:15:00.000+0000',
      Region: 'US East (N. Virginia)',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api-prod-5xx',
      OldStateValue: 'OK',
      Trigger: {
        MetricName: '5XXError',
        Namespace: 'AWS/ApiGateway',
        Dimensions: [
          { value: 'orders-api', name: 'ApiName' },
          { value: 'prod', name: 'Stage' },
        ],
        Period: 60,
        EvaluationPeriods: 5,
      },
    };
    const notice = parseAlarmEvent({
      Records: [{ EventSource: 'aws:sns', Sns: { Type: 'Notification', Message: JSON.stringify(message) } }],
    });
    expect(notice).toMatchObject({
      state: 'ALARM',
      region: 'us-east-1',
      stateTime: AT,
      evaluationPeriods: 5,
      dimensions: { ApiName: 'orders-api', Stage: 'prod' },
      envelope: 'sns',
    });
  });

  it('reads an EventBridge "CloudWatch Alarm State Change" event', () => {
    const notice = parseAlarmEvent({
      version: '0',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: '123456789012',
      region: 'eu-west-1',
      resources: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-api-prod-5xx'],
      detail: {
        alarmName: 'orders-api-prod-5xx',
        state: { value: 'OK', timestamp: '2026-11-25T03:15:00.000+0000' },
        previousState: { value: 'ALARM', timestamp: '2026-11-25T03:03:00.000+0000' },
      },
    });
    expect(notice).toMatchObject({
      state: 'OK',
      previousState: 'ALARM',
      region: 'eu-west-1',
      stateTime: AT,
      previousStateTime: AT - 12 * 60_000,
      envelope: 'eventbridge',
    });
  });

  it('takes the API from the API Gateway metric of a metric-math alarm that also uses another namespace', () => {
    // Prepare: an EventBridge event of a metric-math alarm (expression entry first, as CloudWatch lists them):
    // the backend's AWS/Lambda Errors next to the HTTP API's 5xx (shape: CloudWatch User Guide, "Alarm events and
    // EventBridge", metric math alarm example).
    const metric = (id: string, namespace: string, name: string, dimensions: Record<string, string>) => ({
      id,
      metricStat: { metric: { namespace, name, dimensions }, period: 60, stat: 'Sum' },
      returnData: false,
    });
    const event = {
      version: '0',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: '123456789012',
      region: 'eu-west-1',
      resources: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:payments-5xx-or-errors'],
      detail: {
        alarmName: 'payments-5xx-or-errors',
        state: { value: 'ALARM', timestamp: '2026-11-25T03:15:00.000+0000' },
        configuration: {
          metrics: [
            { id: 'e1', expression: 'errors + fivexx', label: 'failures', returnData: true },
            metric('errors', 'AWS/Lambda', 'Errors', { FunctionName: 'payments-get', Stage: 'blue' }),
            metric('fivexx', 'AWS/ApiGateway', '5xx', { ApiId: 'f6g7h8i9j0', Stage: 'prod' }),
          ],
        },
      },
    };
    // Act
    const notice = parseAlarmEvent(event);
    // Assess
    expect(notice.dimensions).toMatchObject({ ApiId: 'f6g7h8i9j0', Stage: 'prod' });
    expect(notice.periodSec).toBe(60);
  });

  it('throws a message that says what is wrong for malformed events', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /^the event is not a JSON object \(got null\)$/],
      ['ALARM', /^the event is not a JSON object \(got string\)$/],
      [{ hello: 'world' }, /^not an alarm event: expected a CloudWatch Lambda alarm action event/],
      [{ alarmData: { state: { value: 'ALARM' } } }, /^alarmData\.alarmName is missing$/],
      [
        { alarmData: { alarmName: 'x', state: { value: 'RED' } } },
        /^alarmData\.state\.value must be ALARM, OK or INSUFFICIENT_DATA, got "RED"$/,
      ],
      [{ Records: [{ Sns: { Message: 'not json' } }] }, /^the SNS message is not JSON/],
      [{ Records: [{ Sns: { Message: '{"foo":1}' } }] }, /^the SNS message has no AlarmName/],
    ];
    for (const [event, message] of cases) {
      expect(() => parseAlarmEvent(event)).toThrow(AlarmEventError);
      expect(() => parseAlarmEvent(event)).toThrow(message);
    }
  });
});

describe('parseAlarmTime', () => {
  it('reads CloudWatch timestamps with +0000 offsets and ISO Z', () => {
    expect(parseAlarmTime('2026-11-25T03:15:00.000+0000')).toBe(AT);
    expect(parseAlarmTime('2026-11-25T03:15:00.000Z')).toBe(AT);
    expect(parseAlarmTime('soon')).toBeUndefined();
  });
});
