/**
 * Pending email confirmations in `apigw-5xx check`. moto confirms email subscriptions at once, so the
 * `PendingConfirmation` state SNS shows until a recipient clicks the link is produced here with aws-sdk-client-mock;
 * the rest of the check runs against moto in test/e2e/check.e2e.test.ts.
 */
import { APIGatewayClient, GetAccountCommand, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../bin/ops/check.js';

const FN_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:responder';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:diagnosis';

describe('runCheck: subscriptions', () => {
  it('counts pending email confirmations, warns with whom to ask, and still passes', async () => {
    // Prepare
    const lambda = mockClient(LambdaClient);
    lambda.on(GetFunctionConfigurationCommand).resolves({
      FunctionArn: FN_ARN,
      Environment: {
        Variables: {
          RESPONDER_CONFIG: JSON.stringify({
            apis: [{ type: 'REST', name: 'orders', id: 'a1b2c3d4e5', stage: 'prod', alarmName: 'orders-5xx' }],
          }),
          TOPIC_ARN: TOPIC,
          SELF_MONITORING: JSON.stringify({
            alarms: [],
            responder: { failureQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', logGroup: 'g' },
          }),
        },
      },
    });
    const sns = mockClient(SNSClient);
    sns.on(GetTopicAttributesCommand).resolves({});
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        { Protocol: 'email', Endpoint: 'oncall@example.com', SubscriptionArn: `${TOPIC}:1b2c` },
        { Protocol: 'email', Endpoint: 'lead@example.com', SubscriptionArn: 'PendingConfirmation' },
      ],
    });
    const cloudwatch = mockClient(CloudWatchClient);
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: 'orders-5xx', AlarmActions: [FN_ARN], OKActions: [FN_ARN], ActionsEnabled: true }],
    });
    const apiGateway = mockClient(APIGatewayClient);
    apiGateway.on(GetStageCommand).resolves({ methodSettings: { '*/*': { loggingLevel: 'ERROR' } } });
    apiGateway.on(GetAccountCommand).resolves({ cloudwatchRoleArn: 'arn:aws:iam::123456789012:role/apigw-logs' });
    const sqs = mockClient(SQSClient);
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
    // Act
    const report = await runCheck(
      {
        lambda: new LambdaClient({}),
        sns: new SNSClient({}),
        cloudwatch: new CloudWatchClient({}),
        apiGateway: new APIGatewayClient({}),
        apiGatewayV2: new ApiGatewayV2Client({}),
        sqs: new SQSClient({}),
        invoke: async () => ({ payload: '{}' }),
      },
      {
        outputs: {
          ResponderFunctionName: 'responder',
          Subscriptions: 'email:oncall@example.com,email:lead@example.com',
        },
      },
    );
    // Assess
    expect(report.rows.find((r) => r.check === 'subscriptions')).toEqual({
      status: 'WARN',
      check: 'subscriptions',
      detail: '1 confirmed, 1 pending confirmation',
      fix: 'ask lead@example.com to click the link in the email from AWS Notifications (it expires after 3 days; `aws sns subscribe` sends a new one)',
    });
    expect(report.passed).toBe(true);
    for (const mock of [lambda, sns, cloudwatch, apiGateway, sqs]) mock.restore();
  });
});
