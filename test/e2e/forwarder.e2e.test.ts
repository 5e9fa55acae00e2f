import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Notification, SnsPublisher } from '../../lambda/adapters/publisher.js';
import { WEBHOOK_SECRET_ARN_ENV } from '../../lambda/forwarder/forwarder-config.js';
import { composeForwarder } from '../../lambda/forwarder/handler.js';
import type { FetchLike } from '../../lambda/forwarder/webhook-poster.js';
import { WebhookSecretError } from '../../lambda/forwarder/webhook-url.js';
import type { ResponderSettings } from '../../lib/config.js';
import { clientConfig } from '../../scripts/local-aws.js';
import { synthResponder } from '../infra/helpers/synth.js';
import { fakeTime, startWebhookServer, type WebhookServer } from '../unit/forwarder/webhook-server.js';

const config = clientConfig(inject('awsEndpoint'));
const secrets = new SecretsManagerClient(config);
const sns = new SNSClient(config);
const sqs = new SQSClient(config);
const suffix = randomUUID().slice(0, 8);

const SLACK_PAYLOAD = {
  text: '500 missing Lambda invoke permission on orders-api/prod',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*500 missing Lambda invoke permission*' } }],
};

/** The event SNS invokes a subscribed function with: its Message is the `lambda` entry of the published JSON. */
function snsEvent(message: string) {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        Sns: {
          MessageId: randomUUID(),
          Message: message,
          MessageAttributes: { cause: { Type: 'String', Value: 'lambda_permission' } },
        },
      },
    ],
  };
}

describe('the forwarder with its secret in a local Secrets Manager', () => {
  let server: WebhookServer;
  let secretArn = '';
  const firstPath = `/services/T0001/B0001/${suffix}first`;
  const rotatedPath = `/services/T0001/B0001/${suffix}rotated`;

  /** Sends what is addressed to hooks.slack.com to the local server, keeping the path. */
  const toLocalServer: FetchLike = (url, init) => fetch(`${server.origin}${new URL(url).pathname}`, init);

  beforeAll(async () => {
    server = await startWebhookServer();
    const created = await secrets.send(
      new CreateSecretCommand({
        Name: `apigw-5xx/slack-webhook-${suffix}`,
        SecretString: JSON.stringify({ url: `https://hooks.slack.com${firstPath}` }),
      }),
    );
    secretArn = created.ARN ?? '';
  });

  afterAll(async () => {
    await server.close();
  });

  it('reads the URL from the secret and posts the payload to it', async () => {
    // Prepare
    server.received.length = 0;
    const time = fakeTime();
    const forward = composeForwarder(
      { [WEBHOOK_SECRET_ARN_ENV]: secretArn },
      { secretsClient: secrets, fetch: toLocalServer, now: time.now, sleep: time.sleep, log: () => undefined },
    );
    // Act
    const outcome = await forward(snsEvent(JSON.stringify(SLACK_PAYLOAD)));
    // Assess
    expect(outcome).toEqual({ posted: 1 });
    expect(server.received.map((r) => r.path)).toEqual([firstPath]);
    expect(JSON.parse(server.received[0]?.body ?? '')).toMatchObject(SLACK_PAYLOAD);
  });

  it('picks up a rotated URL once the cached one is older than five minutes', async () => {
    // Prepare
    server.received.length = 0;
    const time = fakeTime();
    const forward = composeForwarder(
      { [WEBHOOK_SECRET_ARN_ENV]: secretArn },
      { secretsClient: secrets, fetch: toLocalServer, now: time.now, sleep: time.sleep, log: () => undefined },
    );
    await forward(snsEvent('before rotation'));
    await secrets.send(
      new PutSecretValueCommand({ SecretId: secretArn, SecretString: `https://hooks.slack.com${rotatedPath}` }),
    );
    // Act
    await forward(snsEvent('still cached'));
    time.advance(5 * 60_000);
    await forward(snsEvent('after rotation'));
    // Assess
    expect(server.received.map((r) => r.path)).toEqual([firstPath, firstPath, rotatedPath]);
  });

  it('fails with WebhookSecretError when the secret does not exist', async () => {
    // Prepare
    const missing = secretArn.replace(/secret:.*$/, `secret:apigw-5xx/missing-${suffix}-AbCdEf`);
    const forward = composeForwarder(
      { [WEBHOOK_SECRET_ARN_ENV]: missing },
      { secretsClient: secrets, fetch: toLocalServer, log: () => undefined },
    );
    // Act
    const forwarding = forward(snsEvent('lost?'));
    // Assess
    await expect(forwarding).rejects.toBeInstanceOf(WebhookSecretError);
    await expect(forwarding).rejects.toThrow(/ResourceNotFoundException/);
  });
});

describe('per-cause routes: the synthesized filter policies against a local SNS', () => {
  const settings: ResponderSettings = {
    apis: [{ type: 'REST', name: 'orders', id: 'a1b2c3d4e5', stage: 'prod' }],
    routes: [
      { causes: ['lambda_permission', 'stage_variable_permission'], emails: ['platform@example.com'] },
      { causes: ['integration_timeout'], emails: ['backend@example.com'], includeRecoveries: true },
    ],
  };
  const queueUrls = new Map<string, string>();
  let topicArn = '';

  const notification = (cause: string, state: string): Notification => ({
    subject: `[${state}] orders/prod`,
    defaultText: `${state} ${cause}`,
    emailText: `${state} ${cause}`,
    attributes: { cause, api: 'orders', stage: 'prod', status: '500', state },
  });

  async function received(endpoint: string): Promise<string[]> {
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrls.get(endpoint), MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of Messages ?? []) texts.push((JSON.parse(m.Body ?? '{}') as { Message: string }).Message);
    }
    return texts.sort();
  }

  beforeAll(async () => {
    // The filter policies exactly as the stack writes them, one subscription per route address.
    const { template } = synthResponder(settings);
    const subscriptions = Object.values(
      template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } }),
    );
    expect(subscriptions).toHaveLength(2);
    topicArn = (await sns.send(new CreateTopicCommand({ Name: `routes-${suffix}` }))).TopicArn ?? '';
    for (const subscription of subscriptions) {
      const { Endpoint, FilterPolicy, FilterPolicyScope } = subscription.Properties as {
        Endpoint: string;
        FilterPolicy: unknown;
        FilterPolicyScope: string;
      };
      // An SQS queue stands in for each address: SNS applies the same filter before any protocol.
      const name = `route-${Endpoint.split('@')[0]}-${suffix}`;
      const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? '';
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      );
      await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: Attributes?.QueueArn,
          Attributes: { FilterPolicy: JSON.stringify(FilterPolicy), FilterPolicyScope },
        }),
      );
      queueUrls.set(Endpoint, queueUrl);
    }
    const publisher = new SnsPublisher(sns, topicArn);
    for (const [cause, state] of [
      ['lambda_permission', 'ALARM'],
      ['throttling', 'ALARM'],
      ['integration_timeout', 'ALARM'],
      ['recovered', 'OK'],
    ] as const) {
      await publisher.publish(notification(cause, state));
    }
  });

  it('delivers to the platform team only the causes of its route', async () => {
    expect(await received('platform@example.com')).toEqual(['ALARM lambda_permission']);
  });

  it('delivers recoveries to a route that includes them, and none of the other causes', async () => {
    expect(await received('backend@example.com')).toEqual(['ALARM integration_timeout', 'OK recovered']);
  });
});
