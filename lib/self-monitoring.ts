/**
 * Alarms on the responder itself: its failure queue's depth, its errors, throttles and a duration close to its
 * timeout, and the same for the Slack webhook forwarder when there is one. Each alarm's ALARM and OK actions invoke
 * the responder, which recognises its own alarms by name (lambda/respond/self-alarm.ts) and publishes a plain
 * message to the topic: which alarm fired, what went undiagnosed and the command that replays the kept events.
 *
 * Why through the responder rather than an SNS action: an SNS alarm action publishes CloudWatch's own JSON, which
 * the Slack webhook forwarder would post as raw JSON and which says nothing about replaying; and the message is
 * rendered by a code path that reads no logs, so it still works when the diagnosis is what fails. What it cannot
 * report is a responder that cannot publish at all (topic, key or permission broken): `apigw-5xx check --send-test`
 * proves that path after each deploy.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { LambdaAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SelfAlarmKind, SelfMonitoringConfig, WatchedFunction } from '../lambda/config/runtime-config.js';

/** A function the stack runs, with where its failed events are kept. */
export interface MonitoredFunction {
  readonly function: lambda.IFunction;
  readonly failureQueue: sqs.IQueue;
  readonly logGroup: logs.ILogGroup;
  readonly timeoutSec: number;
  readonly reservedConcurrency: number;
}

export interface ResponderSelfMonitoringProps {
  /** The responder: its alarms invoke it. */
  readonly responder: MonitoredFunction;
  /**
   * The Slack webhook forwarder.
   *
   * @default - no forwarder alarms
   */
  readonly forwarder?: MonitoredFunction;
  /** Alarm names are `{prefix}-{responder|forwarder}-{what}`. */
  readonly alarmNamePrefix: string;
  /** Share of the timeout a run may take before the duration alarm fires (0 < x < 1). */
  readonly durationShareOfTimeout?: number;
  /** The stack's name, for the `apigw-5xx check` command the messages suggest. */
  readonly stackName?: string;
}

/** The period of every self-monitoring alarm (SQS publishes its queue metrics every 5 minutes). */
export const SELF_ALARM_PERIOD = Duration.minutes(5);

export class ResponderSelfMonitoring extends Construct {
  /** Every self-monitoring alarm, responder first. */
  readonly alarms: readonly cloudwatch.Alarm[];
  /** What the responder receives in `SELF_MONITORING`. */
  readonly runtimeConfig: SelfMonitoringConfig;

  constructor(scope: Construct, id: string, props: ResponderSelfMonitoringProps) {
    super(scope, id);
    const { responder, forwarder, alarmNamePrefix: prefix, durationShareOfTimeout = 0.8 } = props;
    const action = new LambdaAction(responder.function, { useUniquePermissionId: true });
    const entries: { alarmName: string; kind: SelfAlarmKind }[] = [];
    const alarms: cloudwatch.Alarm[] = [];
    const add = (kind: SelfAlarmKind, metric: cloudwatch.IMetric, threshold: number, description: string): void => {
      const alarmName = `${prefix}-${kind}`;
      const alarm = new cloudwatch.Alarm(this, kind, {
        alarmName,
        alarmDescription: `${description} The apigw-5xx-responder function sends a plain message to its topic with the replay command.`,
        metric,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      alarms.push(alarm);
      entries.push({ alarmName, kind });
    };
    const period = SELF_ALARM_PERIOD;
    const watch = (who: 'responder' | 'forwarder', fn: MonitoredFunction): void => {
      add(
        `${who}-failure-queue`,
        fn.failureQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
        0,
        `Events the ${who} could not handle after its retries are kept in its failure queue.`,
      );
      add(
        `${who}-errors`,
        fn.function.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
        0,
        `Invocations of the ${who} failed.`,
      );
      add(
        `${who}-throttles`,
        fn.function.metricThrottles({ period, statistic: cloudwatch.Stats.SUM }),
        0,
        `The ${who} was throttled (reserved concurrency ${fn.reservedConcurrency}).`,
      );
    };
    watch('responder', responder);
    add(
      'responder-duration',
      responder.function.metricDuration({ period, statistic: cloudwatch.Stats.MAXIMUM }),
      Math.round(responder.timeoutSec * 1000 * durationShareOfTimeout),
      `The responder ran longer than ${Math.round(durationShareOfTimeout * 100)} % of its ${responder.timeoutSec} s timeout.`,
    );
    if (forwarder !== undefined) watch('forwarder', forwarder);
    this.alarms = alarms;

    const watched = (fn: MonitoredFunction, named: boolean): WatchedFunction => ({
      // The responder cannot name itself in its own environment (a dependency cycle): it reads
      // AWS_LAMBDA_FUNCTION_NAME at run time instead.
      ...(named ? { functionName: fn.function.functionName } : {}),
      failureQueueUrl: fn.failureQueue.queueUrl,
      logGroup: fn.logGroup.logGroupName,
      timeoutSec: fn.timeoutSec,
      reservedConcurrency: fn.reservedConcurrency,
    });
    this.runtimeConfig = {
      alarms: entries,
      responder: watched(responder, false),
      ...(forwarder !== undefined ? { forwarder: watched(forwarder, true) } : {}),
      ...(props.stackName !== undefined ? { stackName: props.stackName } : {}),
    };
  }
}
