import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthResponder, TWO_APIS } from './helpers/synth.js';

type Resources = Record<string, { Properties: Record<string, unknown> }>;

/** The alarms on the APIs, not those on the responder itself (named `...-responder-...`). */
function apiAlarms(template: Template): { Properties: Record<string, unknown> }[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm') as Resources).filter((a) =>
    String(a.Properties.AlarmName).endsWith('-5xx'),
  );
}

describe('ApiGateway5xxResponder alarms (count threshold)', () => {
  let template: Template;
  let functionArn: unknown;
  let restAlarmArn: unknown;
  let httpAlarmArn: unknown;
  let alarmNames: string[];

  beforeAll(() => {
    // Prepare / Act
    const synthesized = synthResponder(TWO_APIS);
    template = synthesized.template;
    const { responder } = synthesized.stack;
    functionArn = synthesized.stack.resolve(responder.function.functionArn);
    restAlarmArn = synthesized.stack.resolve(responder.alarms[0]?.alarmArn);
    httpAlarmArn = synthesized.stack.resolve(responder.alarms[1]?.alarmArn);
    alarmNames = responder.runtimeConfig.apis.map((api) => api.alarmName ?? 'missing');
  });

  it('creates one alarm per configured API stage, besides the four on the responder itself', () => {
    // Changed with the self-monitoring alarms (test/infra/self-monitoring.test.ts): 2 API alarms + 4 of its own.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    expect(apiAlarms(template)).toHaveLength(2);
  });

  it('alarms on the REST 5XXError metric by ApiName and Stage, summed, with missing data not breaching', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Dimensions: Match.arrayEquals([
        { Name: 'ApiName', Value: 'orders' },
        { Name: 'Stage', Value: 'prod' },
      ]),
      Statistic: 'Sum',
      Period: 60,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on the HTTP API 5xx metric by ApiId and Stage', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: Match.arrayEquals([
        { Name: 'ApiId', Value: 'f6g7h8i9j0' },
        { Name: 'Stage', Value: '$default' },
      ]),
      Statistic: 'Sum',
      TreatMissingData: 'notBreaching',
    });
  });

  it('invokes the responder function on both ALARM and OK', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Resources);
    expect(alarms).toHaveLength(6);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([functionArn]);
      expect(alarm.Properties.OKActions).toEqual([functionArn]);
    }
  });

  it('lets each alarm, and only that alarm, invoke the function', () => {
    // One permission per alarm: the 2 API alarms and the 4 self-monitoring alarms.
    template.resourceCountIs('AWS::Lambda::Permission', 6);
    for (const sourceArn of [restAlarmArn, httpAlarmArn]) {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: functionArn,
        Principal: 'lambda.alarms.cloudwatch.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        SourceArn: sourceArn,
      });
    }
  });

  it('names each alarm after its API id and stage, as the RuntimeConfig of the function says', () => {
    expect(alarmNames).toEqual([
      expect.stringMatching(/-a1b2c3d4e5-prod-5xx$/),
      expect.stringMatching(/-f6g7h8i9j0-default-5xx$/),
    ]);
    for (const [i, name] of alarmNames.entries()) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: name,
        MetricName: i === 0 ? '5XXError' : '5xx',
      });
    }
  });
});

describe('ApiGateway5xxResponder alarms (error-rate threshold)', () => {
  let template: Template;

  beforeAll(() => {
    template = synthResponder({
      ...TWO_APIS,
      alarm: { errorRatePercent: 5, minRequestCount: 20, periodSec: 300, evaluationPeriods: 3, datapointsToAlarm: 2 },
    }).template;
  });

  it('computes the 5xx share with metric math, guarded by the minimum request count', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(requests >= 20, 100 * errors / requests, 0)', ReturnData: true }),
        {
          Id: 'errors',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApiGateway',
              MetricName: '5XXError',
              Dimensions: Match.arrayEquals([
                { Name: 'ApiName', Value: 'orders' },
                { Name: 'Stage', Value: 'prod' },
              ]),
            },
            Period: 300,
            Stat: 'Sum',
          },
        },
        {
          Id: 'requests',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApiGateway',
              MetricName: 'Count',
              Dimensions: Match.arrayEquals([
                { Name: 'ApiName', Value: 'orders' },
                { Name: 'Stage', Value: 'prod' },
              ]),
            },
            Period: 300,
            Stat: 'Sum',
          },
        },
      ]),
    });
  });

  it('uses the HTTP API metrics 5xx and Count in the HTTP API expression', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({
          Id: 'errors',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: '5xx' }) }),
        }),
        Match.objectLike({
          Id: 'requests',
          MetricStat: Match.objectLike({
            Metric: {
              Namespace: 'AWS/ApiGateway',
              MetricName: 'Count',
              Dimensions: Match.arrayEquals([
                { Name: 'ApiId', Value: 'f6g7h8i9j0' },
                { Name: 'Stage', Value: '$default' },
              ]),
            },
          }),
        }),
      ]),
    });
  });

  it('has no plain metric on a rate alarm', () => {
    const alarms = apiAlarms(template);
    expect(alarms).toHaveLength(2);
    for (const alarm of alarms) {
      expect(alarm.Properties.MetricName).toBeUndefined();
      expect(alarm.Properties.Metrics).toBeDefined();
    }
  });
});
