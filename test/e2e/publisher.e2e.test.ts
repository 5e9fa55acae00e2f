import { randomUUID } from 'node:crypto';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type Notification, PublishError, SnsPublisher } from '../../lambda/adapters/publisher.js';
import { clientConfig } from '../../scripts/local-aws.js';

const config = clientConfig(inject('awsEndpoint'));
const sns = new SNSClient(config);
const sqs = new SQSClient(config);
const suffix = randomUUID().slice(0, 8);
let topicArn = '';
let queueUrl = '';

const notification: Notification = {
  subject: 'ALARM orders-api/prod: malformed Lambda proxy response (502)',
  defaultText: 'orders-api prod: 12 requests failed with 502 (malformed_lambda_response).',
  emailText: 'Cause: the Lambda proxy response is not in the required shape.\nFix: return {statusCode, headers, body}.',
  attributes: { cause: 'malformed_lambda_response', api: 'orders-api', stage: 'prod', status: '502' },
};

/** The SNS envelope an SQS subscriber without raw message delivery receives. */
interface SnsEnvelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

async function receiveOne(): Promise<Message> {
  for (let i = 0; i < 10; i++) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    const message = Messages?.[0];
    if (message !== undefined) return message;
  }
  throw new Error(`No message arrived on ${queueUrl}`);
}

beforeAll(async () => {
  topicArn = (await sns.send(new CreateTopicCommand({ Name: `responder-${suffix}` }))).TopicArn ?? '';
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `notifications-${suffix}` }))).QueueUrl ?? '';
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));
});

describe('SnsPublisher against a local SNS', () => {
  it('delivers the default text, subject and attributes to an SQS subscriber', async () => {
    // Prepare
    const publisher = new SnsPublisher(sns, topicArn);

    // Act
    const { messageId } = await publisher.publish(notification);

    // Assess
    const envelope = JSON.parse((await receiveOne()).Body ?? '') as SnsEnvelope;
    expect(envelope).toMatchObject({
      Type: 'Notification',
      MessageId: messageId,
      TopicArn: topicArn,
      Subject: notification.subject,
      Message: notification.defaultText,
    });
    expect(envelope.MessageAttributes).toEqual({
      cause: { Type: 'String', Value: 'malformed_lambda_response' },
      api: { Type: 'String', Value: 'orders-api' },
      stage: { Type: 'String', Value: 'prod' },
      status: { Type: 'String', Value: '502' },
    });
  });

  it('delivers the sqs entry instead of the default when the message has one', async () => {
    // Prepare
    const publisher = new SnsPublisher(sns, topicArn);

    // Act
    await publisher.publish({ ...notification, extraProtocols: { sqs: '{"for":"queues"}' } });

    // Assess
    const envelope = JSON.parse((await receiveOne()).Body ?? '') as SnsEnvelope;
    expect(envelope.Message).toBe('{"for":"queues"}');
  });

  it('throws PublishError when the topic does not exist', async () => {
    // Prepare
    const missing = `arn:aws:sns:us-east-1:123456789012:missing-${suffix}`;
    const publisher = new SnsPublisher(sns, missing);

    // Act
    const publishing = publisher.publish(notification);

    // Assess
    await expect(publishing).rejects.toThrow(`Publishing the notification to ${missing} failed: NotFound`);
    await expect(publishing).rejects.toBeInstanceOf(PublishError);
  });
});
