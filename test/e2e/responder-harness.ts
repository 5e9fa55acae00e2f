import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from '@aws-sdk/client-api-gateway';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import type { TimedLine } from '../../scripts/incident.js';
import { clientConfig, localAwsEnv } from '../../scripts/local-aws.js';

/** Where a harness's clients point besides the endpoint: another Region, another account's credentials. */
export interface HarnessTarget {
  readonly region?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * Test plumbing around a local AWS endpoint: log groups with events, a REST API with a route, a topic with an SQS
 * subscription; in the endpoint's default account and Region, or in those `target` names.
 */
export class LocalAwsHarness {
  readonly logs: CloudWatchLogsClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly apigw: APIGatewayClient;

  constructor(
    readonly endpoint: string,
    target: HarnessTarget = {},
  ) {
    const config = { ...clientConfig(endpoint), maxAttempts: 1, ...target };
    this.logs = new CloudWatchLogsClient(config);
    this.sns = new SNSClient(config);
    this.sqs = new SQSClient(config);
    this.apigw = new APIGatewayClient(config);
  }

  /** A REST API named `name` with `GET /` (a MOCK integration) deployed to a `prod` stage; its id. */
  async restApiWithRoute(name: string): Promise<string> {
    const { id } = await this.apigw.send(new CreateRestApiCommand({ name }));
    if (id === undefined) throw new Error('the local endpoint did not create the REST API');
    const { items } = await this.apigw.send(new GetResourcesCommand({ restApiId: id }));
    const root = items?.find((r) => r.path === '/')?.id ?? '';
    await this.apigw.send(
      new PutMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'GET', authorizationType: 'NONE' }),
    );
    await this.apigw.send(
      new PutIntegrationCommand({ restApiId: id, resourceId: root, httpMethod: 'GET', type: 'MOCK' }),
    );
    await this.apigw.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'prod' }));
    return id;
  }

  /** Creates a log group and writes the lines into it, split over `streams` streams (round robin by request). */
  async writeLogGroup(logGroupName: string, lines: readonly TimedLine[], streams = 1): Promise<void> {
    await this.logs.send(new CreateLogGroupCommand({ logGroupName }));
    const byStream: TimedLine[][] = Array.from({ length: streams }, () => []);
    const streamOf = new Map<string, number>();
    for (const line of lines) {
      const id = /^\(([^)]+)\)/.exec(line.message)?.[1] ?? '';
      if (!streamOf.has(id)) streamOf.set(id, streamOf.size % streams);
      byStream[streamOf.get(id) ?? 0]?.push(line);
    }
    for (const [i, events] of byStream.entries()) {
      if (events.length === 0) continue;
      // Stream names as API Gateway writes them: 32 lower-case hex characters.
      const logStreamName = `${i}`.padStart(32, 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
      await this.logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
      const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
      for (let start = 0; start < sorted.length; start += 5_000) {
        await this.logs.send(
          new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: sorted.slice(start, start + 5_000) }),
        );
      }
    }
  }

  /** A topic with an SQS queue subscribed (raw delivery off: the queue receives the SNS envelope). */
  async topicWithQueue(name: string): Promise<{ topicArn: string; queueUrl: string }> {
    const { TopicArn } = await this.sns.send(new CreateTopicCommand({ Name: name }));
    const { QueueUrl } = await this.sqs.send(new CreateQueueCommand({ QueueName: `${name}-inbox` }));
    if (TopicArn === undefined || QueueUrl === undefined)
      throw new Error('local endpoint did not create the topic or queue');
    const attrs = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await this.sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: attrs.Attributes?.QueueArn ?? '' }),
    );
    return { topicArn: TopicArn, queueUrl: QueueUrl };
  }

  /** Receives (and deletes) every message waiting in the queue, parsed as SNS envelopes. */
  async drain(queueUrl: string): Promise<SnsEnvelope[]> {
    const out: SnsEnvelope[] = [];
    for (;;) {
      const { Messages } = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (Messages === undefined || Messages.length === 0) return out;
      for (const m of Messages) {
        out.push(JSON.parse(m.Body ?? '{}') as SnsEnvelope);
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
  }
}

export interface SnsEnvelope {
  readonly Type: string;
  readonly MessageId: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/** The event CloudWatch sends to a Lambda alarm action (shape: AWS CloudWatch docs, "Lambda-action-payload"). */
export function alarmActionEvent(options: {
  alarmName: string;
  apiName: string;
  stage: string;
  state: 'ALARM' | 'OK';
  at: number;
  previousAt?: number;
  evaluationStart?: number;
  region?: string;
  accountId?: string;
}): unknown {
  const fmt = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  return {
    source: 'aws.cloudwatch',
    alarmArn: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${options.alarmName}`,
    accountId,
    time: fmt(options.at),
    region,
    alarmData: {
      alarmName: options.alarmName,
      state: {
        value: options.state,
        reason:
          options.state === 'ALARM'
            ? 'Threshold Crossed: 1 out of the last 1 datapoints [12.0 (25/11/26 03:12:00)] was greater than or equal to the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition).'
            : 'Threshold Crossed: 1 out of the last 1 datapoints [0.0 (25/11/26 03:30:00)] was not greater than or equal to the threshold (5.0) (minimum 1 datapoint for ALARM -> OK transition).',
        reasonData: JSON.stringify({
          version: '1.0',
          queryDate: fmt(options.at),
          startDate: fmt(options.evaluationStart ?? options.at - 5 * 60_000),
          statistic: 'Sum',
          period: 60,
          recentDatapoints: [12.0],
          threshold: 5.0,
          evaluatedDatapoints: [
            { timestamp: fmt(options.evaluationStart ?? options.at - 60_000), sampleCount: 20.0, value: 12.0 },
          ],
        }),
        timestamp: fmt(options.at),
      },
      previousState: {
        value: options.state === 'ALARM' ? 'OK' : 'ALARM',
        reason: 'previous',
        timestamp: fmt(options.previousAt ?? options.at - 30 * 60_000),
      },
      configuration: {
        description: `5xx errors on ${options.apiName}/${options.stage}`,
        metrics: [
          {
            id: 'm1',
            metricStat: {
              metric: {
                namespace: 'AWS/ApiGateway',
                name: '5XXError',
                dimensions: { ApiName: options.apiName, Stage: options.stage },
              },
              period: 60,
              stat: 'Sum',
            },
            returnData: true,
          },
        ],
      },
    },
  };
}

/** The read limits the e2e tests give the handler: ample for their small incidents, and quick to run out. */
export const E2E_READ_LIMITS = {
  timeBudgetMs: 10_000,
  windowMarginMs: 60_000,
  maxPages: 10,
  maxEvents: 10_000,
} as const;

/**
 * The responder handler set up as the stack sets it up (its configuration and topic in the environment), talking to
 * the local endpoint. The handler composes once per module instance, so call this once per test file.
 */
export async function localHandler(
  endpoint: string,
  config: RuntimeConfig,
  topicArn: string,
): Promise<typeof import('../../lambda/handler.js')['handler']> {
  Object.assign(process.env, localAwsEnv(endpoint), { RESPONDER_CONFIG: JSON.stringify(config), TOPIC_ARN: topicArn });
  return (await import('../../lambda/handler.js')).handler;
}
