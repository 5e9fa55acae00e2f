import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SelfMonitoringConfig } from '../../lambda/config/runtime-config.js';
import type { ResponderStack } from '../../lib/responder-stack.js';
import { synthResponder, TWO_APIS } from './helpers/synth.js';

type Resources = Record<string, { Properties: Record<string, unknown> }>;
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:apigw-5xx/slack-webhook-AbC123';

function selfMonitoringEnv(template: Template): SelfMonitoringConfig {
  const [fn] = Object.values(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { SELF_MONITORING: Match.anyValue() } } },
    }) as Resources,
  );
  if (fn === undefined) throw new Error('no function has SELF_MONITORING in its environment');
  const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.SELF_MONITORING;
  // Tokens (queue URL, log group) make it an Fn::Join; the alarm names and numbers are literal text in it.
  return JSON.parse(
    typeof env === 'string'
      ? env
      : (env as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
          .map((part) => (typeof part === 'string' ? part : 'TOKEN'))
          .join(''),
  ) as SelfMonitoringConfig;
}

describe('ApiGateway5xxResponder self-monitoring', () => {
  let template: Template;
  let stack: ResponderStack;
  let functionArn: unknown;

  beforeAll(() => {
    // Prepare / Act
    const synthesized = synthResponder(TWO_APIS);
    template = synthesized.template;
    stack = synthesized.stack;
    functionArn = stack.resolve(stack.responder.function.functionArn);
  });

  it('alarms when the failure queue keeps any event (its deepest point over 5 minutes above 0)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('-responder-failure-queue$'),
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve(stack.responder.failureQueue.queueName) }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it.each([
    ['errors', 'Errors'],
    ['throttles', 'Throttles'],
  ])("alarms on any of the responder's %s", (suffix, metricName) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp(`-responder-${suffix}$`),
      Namespace: 'AWS/Lambda',
      MetricName: metricName,
      Dimensions: [{ Name: 'FunctionName', Value: stack.resolve(stack.responder.function.functionName) }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms when the longest run passes 80 % of the timeout', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('-responder-duration$'),
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      Statistic: 'Maximum',
      // timeoutSec 60 (the default): 80 % is 48,000 ms.
      Threshold: 48_000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('sends every self-monitoring alarm, ALARM and OK, to the responder, which may be invoked by each', () => {
    const alarms = stack.responder.selfMonitoring.alarms;
    expect(alarms).toHaveLength(4);
    for (const [i, alarm] of alarms.entries()) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: stack.responder.selfMonitoring.runtimeConfig.alarms[i]?.alarmName,
        AlarmActions: [functionArn],
        OKActions: [functionArn],
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'lambda.alarms.cloudwatch.amazonaws.com',
        SourceArn: stack.resolve(alarm.alarmArn),
      });
    }
  });

  it('tells the responder the names of its own alarms, so it recognises them', () => {
    const env = selfMonitoringEnv(template);
    expect(env.alarms.map((a) => a.kind)).toEqual([
      'responder-failure-queue',
      'responder-errors',
      'responder-throttles',
      'responder-duration',
    ]);
    for (const { alarmName } of env.alarms) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: alarmName });
    }
    expect(env.responder).toMatchObject({ timeoutSec: 60, reservedConcurrency: 5 });
    expect(env.forwarder).toBeUndefined();
  });

  it('outputs what `apigw-5xx check` starts from: the function, the topic and the failure queue', () => {
    template.hasOutput('ResponderFunctionName', { Value: stack.resolve(stack.responder.function.functionName) });
    template.hasOutput('TopicArn', { Value: stack.resolve(stack.responder.topic.topicArn) });
    template.hasOutput('FailureQueueUrl', { Value: stack.resolve(stack.responder.failureQueue.queueUrl) });
  });
});

describe('ApiGateway5xxResponder self-monitoring with the Slack webhook forwarder', () => {
  it("alarms on the forwarder's errors, throttles and failure queue too, and names it to the responder", () => {
    // Prepare / Act
    const { template, stack } = synthResponder({ ...TWO_APIS, slackWebhook: { webhookSecretArn: SECRET_ARN } });
    const forwarder = stack.responder.notifications?.forwarder;
    const forwarderQueue = stack.responder.notifications?.forwarderFailureQueue;
    // Assess
    expect(forwarder).toBeDefined();
    expect(stack.responder.selfMonitoring.alarms).toHaveLength(7);
    for (const metricName of ['Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metricName,
        Dimensions: [{ Name: 'FunctionName', Value: stack.resolve(forwarder?.functionName) }],
        AlarmActions: [stack.resolve(stack.responder.function.functionArn)],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve(forwarderQueue?.queueName) }],
    });
    expect(selfMonitoringEnv(template).forwarder).toMatchObject({ timeoutSec: 30, reservedConcurrency: 1 });
    // cdk-nag v3 on the whole stack: the new alarms and permissions raise no finding.
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations).toEqual([]);
  });
});
