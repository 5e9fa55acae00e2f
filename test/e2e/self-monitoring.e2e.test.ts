/**
 * A failed responder invocation ends as a message on the topic, and the replay command re-drives it.
 *
 * Against the local AWS endpoint (moto): the real handler fails to publish (its topic is gone), its alarm event is
 * kept in the SQS failure queue as Lambda's on-failure destination writes it, the failure-queue alarm (put into
 * moto's CloudWatch as the stack defines it) goes to ALARM, its Lambda action event reaches the handler, and a plain
 * message naming the alarm and the replay command arrives on the topic. Then `replayFailureQueue` re-drives the kept
 * event through the handler and the diagnosis is published.
 *
 * What moto cannot do, and is done by the test instead: Lambda's retries and on-failure destination (the record is
 * written in the documented format), CloudWatch evaluating the queue metric and invoking the alarm action (the state
 * is set with SetAlarmState and the action's event built from DescribeAlarms in the documented format), and running
 * a function (moto stores functions without running them: the handler runs in this process).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type MetricAlarm,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { replayFailureQueue } from '../../bin/ops/replay.js';
import type { RuntimeConfig, SelfMonitoringConfig } from '../../lambda/config/runtime-config.js';
import { interleave, restTrace } from '../../scripts/incident.js';
import { clientConfig, localAwsEnv } from '../../scripts/local-aws.js';
import { captureLogLines } from '../helpers/log-lines.js';
import { PROJECT_ROOT } from '../infra/helpers/synth.js';
import { alarmActionEvent, LocalAwsHarness } from './responder-harness.js';

const endpoint = inject('awsEndpoint');
// The handler's JSON log lines are taken in, not printed (what it published is asserted on the topic).
captureLogLines();
const aws = new LocalAwsHarness(endpoint);
const cloudwatch = new CloudWatchClient({ ...clientConfig(endpoint), maxAttempts: 1 });
const saved = { ...process.env };
const now = Date.now();
const suffix = randomUUID().slice(0, 8);
const apiId = `sm${randomUUID().replace(/-/g, '').slice(0, 8)}`;
const FUNCTION_NAME = `responder-${suffix}`;
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:123456789012:function:${FUNCTION_NAME}`;
const QUEUE_ALARM = `selfmon-${suffix}-responder-failure-queue`;

type Handler = (event: unknown) => Promise<{ kind: string }>;
let topicArn = '';
let inbox = '';
let failureQueueUrl = '';

const config: RuntimeConfig = {
  apis: [{ type: 'REST', name: 'orders-api', id: apiId, stage: 'prod', alarmName: 'orders-prod-5xx' }],
  timeBudgetMs: 10_000,
  windowMarginMs: 60_000,
  maxPages: 5,
  maxEvents: 1_000,
};

const apiAlarmEvent = alarmActionEvent({
  alarmName: 'orders-prod-5xx',
  apiName: 'orders-api',
  stage: 'prod',
  state: 'ALARM',
  at: now - 20_000,
  evaluationStart: now - 200_000,
});

/** A fresh handler module (it reads its environment once), with the given topic. */
async function handlerPublishingTo(topic: string): Promise<Handler> {
  const selfMonitoring: SelfMonitoringConfig = {
    alarms: [{ alarmName: QUEUE_ALARM, kind: 'responder-failure-queue' }],
    responder: {
      failureQueueUrl,
      logGroup: `/aws/lambda/${FUNCTION_NAME}`,
      timeoutSec: 60,
      reservedConcurrency: 5,
    },
    stackName: 'ApiGateway5xxResponder',
  };
  Object.assign(process.env, localAwsEnv(endpoint), {
    RESPONDER_CONFIG: JSON.stringify(config),
    SELF_MONITORING: JSON.stringify(selfMonitoring),
    TOPIC_ARN: topic,
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
  });
  delete process.env.LEDGER_TABLE;
  vi.resetModules();
  return ((await import('../../lambda/handler.js')) as unknown as { handler: Handler }).handler;
}

/**
 * The event CloudWatch sends to a Lambda alarm action, from the alarm as DescribeAlarms returns it.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions-Lambda.html
 */
function lambdaActionEvent(alarm: MetricAlarm): unknown {
  const fmt = (d: Date | undefined) => (d ?? new Date()).toISOString().replace('Z', '+0000');
  return {
    source: 'aws.cloudwatch',
    alarmArn: alarm.AlarmArn,
    accountId: '123456789012',
    time: fmt(alarm.StateUpdatedTimestamp),
    region: 'us-east-1',
    alarmData: {
      alarmName: alarm.AlarmName,
      state: { value: alarm.StateValue, reason: alarm.StateReason, timestamp: fmt(alarm.StateUpdatedTimestamp) },
      previousState: { value: 'OK', reason: 'previous', timestamp: fmt(new Date(now - 3_600_000)) },
      configuration: {
        description: alarm.AlarmDescription,
        metrics: [
          {
            id: 'm1',
            metricStat: {
              metric: { namespace: alarm.Namespace, name: alarm.MetricName, dimensions: {} },
              period: alarm.Period,
              stat: alarm.Statistic,
            },
            returnData: true,
          },
        ],
      },
    },
  };
}

beforeAll(async () => {
  ({ topicArn, queueUrl: inbox } = await aws.topicWithQueue(`selfmon-${suffix}`));
  const created = await aws.sqs.send(new CreateQueueCommand({ QueueName: `selfmon-${suffix}-failures` }));
  failureQueueUrl = created.QueueUrl ?? '';
  const target = { apiId, stage: 'prod', region: 'us-east-1', accountId: '123456789012', functionName: 'orders-fn' };
  await aws.writeLogGroup(
    `API-Gateway-Execution-Logs_${apiId}/prod`,
    interleave([restTrace('malformed', target, { method: 'GET', resourcePath: '/x', path: '/x' }, now - 100_000)]),
  );
  // The failure-queue alarm as lib/self-monitoring.ts defines it (test/infra/self-monitoring.test.ts asserts it).
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: QUEUE_ALARM,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: `selfmon-${suffix}-failures` }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [FUNCTION_ARN],
      OKActions: [FUNCTION_ARN],
    }),
  );
});

afterAll(() => {
  process.env = saved;
});

/** Runs a command the message prints, exactly as printed, against the local endpoint. */
function runPrinted(command: string): { status: number | null; stdout: string; stderr: string } {
  const shell = command
    .replace(/^aws /, `${join(PROJECT_ROOT, '.venv', 'bin', 'aws')} `)
    .replace(/^npx apigw-5xx /, `${process.execPath} ${join(PROJECT_ROOT, 'bin', 'apigw-5xx.mjs')} `);
  const result = spawnSync('bash', ['-c', shell], {
    env: { ...saved, ...localAwsEnv(endpoint), NODE_NO_WARNINGS: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('self-monitoring, end to end', () => {
  it('turns a failed responder invocation into a plain message on the topic, and replays the kept event', async () => {
    // Prepare: the responder cannot publish (its topic does not exist), so the invocation fails.
    const broken = await handlerPublishingTo(`${topicArn}-gone`);
    const failure = await broken(apiAlarmEvent).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.name).toBe('PublishError');
    // Lambda, after its two retries, sends the on-failure record to the queue (format:
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
    await aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: failureQueueUrl,
        MessageBody: JSON.stringify({
          version: '1.0',
          timestamp: new Date(now).toISOString(),
          requestContext: {
            requestId: randomUUID(),
            functionArn: `${FUNCTION_ARN}:$LATEST`,
            condition: 'RetriesExhausted',
            approximateInvokeCount: 3,
          },
          requestPayload: apiAlarmEvent,
          responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
          responsePayload: { errorType: failure?.name, errorMessage: failure?.message, trace: [] },
        }),
      }),
    );
    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: QUEUE_ALARM,
        StateValue: 'ALARM',
        StateReason: 'Threshold Crossed: 1 datapoint [1.0 (29/11/26 17:50:00)] was greater than the threshold (0.0).',
      }),
    );
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [QUEUE_ALARM] }));
    const [alarm] = MetricAlarms;
    if (alarm === undefined) throw new Error(`moto did not keep ${QUEUE_ALARM}`);
    expect(alarm.AlarmActions).toEqual([FUNCTION_ARN]);

    // Act: the alarm's action invokes the responder (the topic works again: it was a transient failure).
    const healed = await handlerPublishingTo(topicArn);
    const outcome = await healed(lambdaActionEvent(alarm));
    const [message] = await aws.drain(inbox);

    // Assess: one plain message naming the alarm, what went undiagnosed, and the replay command.
    expect(outcome.kind).toBe('published');
    expect(message?.Subject).toBe('[ALARM] apigw-5xx-responder: the 5xx responder failed (responder-failure-queue)');
    const text = message?.Message ?? '';
    expect(text).toMatch(/^Cause: the 5xx responder failed: alarm events the responder could not handle/);
    expect(text).toContain('Undiagnosed: an API Gateway 5xx alarm went undiagnosed');
    expect(text).toContain(`Alarm: ${QUEUE_ALARM} (ALARM)`);
    expect(text).toContain(
      `$ npx apigw-5xx replay --queue-url ${failureQueueUrl} --function-name ${FUNCTION_NAME} --region us-east-1`,
    );
    expect(message?.MessageAttributes?.cause?.Value).toBe('responder_failure');
    // The printed commands run as printed: the log read, and the replay command line (here the function exists
    // only as this process, so Lambda Invoke fails and the event is kept, as the command says it does).
    const printed = (prefix: string) =>
      text
        .split('\n')
        .find((l) => l.startsWith(`  $ ${prefix}`))
        ?.slice(4) ?? 'false';
    await aws.writeLogGroup(`/aws/lambda/${FUNCTION_NAME}`, []);
    const logs = runPrinted(printed('aws logs '));
    expect(logs.status, logs.stderr).toBe(0);
    const cliReplay = runPrinted(printed('npx apigw-5xx replay '));
    expect(cliReplay.stdout).toMatch(/^Replayed 0 event\(s\) from .*\n {2}FAILED again, kept: /);
    expect(cliReplay.status).toBe(1);

    // Act: the replay the message names re-drives the kept event through the responder.
    const report = await replayFailureQueue(
      aws.sqs,
      async (payload) => {
        const result = await healed(JSON.parse(payload));
        return { ok: result.kind === 'published' };
      },
      { queueUrl: failureQueueUrl },
    );

    // Assess: the alarm that went undiagnosed is diagnosed now, and the queue is empty.
    expect(report).toEqual({ replayed: 1, failed: [], unreadable: [] });
    const [diagnosed] = await aws.drain(inbox);
    expect(diagnosed?.Subject).toBe('[ALARM] orders-api/prod: 502 malformed Lambda proxy response (100%)');
    const attrs = await aws.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: failureQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(attrs.Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it('keeps an event that fails again, and one that is not an on-failure record, and says why', async () => {
    // Prepare
    const queue = await aws.sqs.send(new CreateQueueCommand({ QueueName: `selfmon-${suffix}-again` }));
    const queueUrl = queue.QueueUrl ?? '';
    await aws.sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ requestPayload: apiAlarmEvent }) }),
    );
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }));
    const broken = await handlerPublishingTo(`${topicArn}-gone`);
    // Act
    const report = await replayFailureQueue(
      aws.sqs,
      async (payload) => broken(JSON.parse(payload)).then(() => ({ ok: true })),
      { queueUrl, max: 2 },
    );
    // Assess
    expect(report.replayed).toBe(0);
    expect(report.failed.map((f) => f.error)).toEqual([expect.stringContaining('NotFound')]);
    expect(report.unreadable.map((u) => u.error)).toEqual(['not JSON: not a Lambda on-failure record']);
    const attrs = await aws.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(attrs.Attributes?.ApproximateNumberOfMessages).toBe('2');
  });
});
