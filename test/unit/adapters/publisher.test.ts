import { AuthorizationErrorException, NotFoundException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Notification, PublishError, SnsPublisher, toSnsSubject } from '../../../lambda/adapters/publisher.js';

const sns = mockClient(SNSClient);
const client = new SNSClient({ region: 'us-east-1' });
const topicArn = 'arn:aws:sns:us-east-1:123456789012:apigw-5xx-responder';

const notification: Notification = {
  subject: 'ALARM orders-api/prod: malformed Lambda proxy response (502) x12',
  defaultText: 'orders-api prod: 12 requests failed with 502, malformed_lambda_response',
  emailText: 'Cause: malformed Lambda proxy response\n\nFix: return {statusCode, headers, body}',
  attributes: { cause: 'malformed_lambda_response', api: 'orders-api', stage: 'prod', status: '502' },
};

describe('SnsPublisher', () => {
  beforeEach(() => {
    sns.reset();
  });

  it('publishes one json-structured message with default, email and extra protocol texts', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const publisher = new SnsPublisher(client, topicArn);

    // Act
    const result = await publisher.publish({ ...notification, extraProtocols: { https: '{"version":"1.0"}' } });

    // Assess
    expect(result).toEqual({ messageId: 'm-1' });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.TopicArn).toBe(topicArn);
    expect(input?.MessageStructure).toBe('json');
    expect(input?.Subject).toBe(notification.subject);
    expect(JSON.parse(input?.Message ?? '')).toEqual({
      default: notification.defaultText,
      email: notification.emailText,
      https: '{"version":"1.0"}',
    });
  });

  it('sends the attributes as String message attributes and leaves out empty ones', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const publisher = new SnsPublisher(client, topicArn);

    // Act
    await publisher.publish({ ...notification, attributes: { cause: 'throttling', api: 'orders-api', stage: '' } });

    // Assess
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.MessageAttributes).toEqual({
      cause: { DataType: 'String', StringValue: 'throttling' },
      api: { DataType: 'String', StringValue: 'orders-api' },
    });
  });

  it('makes the subject ASCII, one line and at most 100 characters', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const publisher = new SnsPublisher(client, topicArn);

    // Act
    await publisher.publish({ ...notification, subject: `Café — 502\nfrom ${'x'.repeat(200)}` });

    // Assess
    const subject = sns.commandCalls(PublishCommand)[0]?.args[0].input.Subject ?? '';
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject).toHaveLength(100);
    expect(subject.startsWith('Cafe ? 502 from xxx')).toBe(true);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('throws PublishError carrying the SDK error as cause when SNS rejects the message', async () => {
    // Prepare
    const rejection = new NotFoundException({ message: 'Topic does not exist', $metadata: {} });
    sns.on(PublishCommand).rejects(rejection);
    const publisher = new SnsPublisher(client, topicArn);

    // Act
    const publishing = publisher.publish(notification);

    // Assess
    await expect(publishing).rejects.toThrow(
      `Publishing the notification to ${topicArn} failed: NotFoundException: Topic does not exist`,
    );
    await expect(publishing).rejects.toBeInstanceOf(PublishError);
    await expect(publishing).rejects.toHaveProperty('cause', rejection);
  });

  it('throws PublishError when publishing is not authorized', async () => {
    // Prepare
    sns.on(PublishCommand).rejects(new AuthorizationErrorException({ message: 'not authorized', $metadata: {} }));
    const publisher = new SnsPublisher(client, topicArn);

    // Act
    const publishing = publisher.publish(notification);

    // Assess
    await expect(publishing).rejects.toThrow(/failed: AuthorizationErrorException: not authorized$/);
  });

  it('throws PublishError when SNS answers without a MessageId', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({});
    const publisher = new SnsPublisher(client, topicArn);

    // Act
    const publishing = publisher.publish(notification);

    // Assess
    await expect(publishing).rejects.toThrow(`Publishing the notification to ${topicArn} returned no MessageId`);
  });

  it('throws PublishError without calling SNS when extra protocols redefine default or email', async () => {
    // Prepare
    const publisher = new SnsPublisher(client, topicArn);

    // Act
    const publishing = publisher.publish({ ...notification, extraProtocols: { email: 'other' } });

    // Assess
    await expect(publishing).rejects.toThrow("extraProtocols must not redefine 'email'");
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});

describe('toSnsSubject', () => {
  it('keeps a short ASCII subject as it is', () => {
    // Act
    const subject = toSnsSubject('ALARM orders-api/prod: 502');

    // Assess
    expect(subject).toBe('ALARM orders-api/prod: 502');
  });

  it('returns undefined when nothing printable is left', () => {
    // Act
    const subject = toSnsSubject(' \n\t ');

    // Assess
    expect(subject).toBeUndefined();
  });
});
