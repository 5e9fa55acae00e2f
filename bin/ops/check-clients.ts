/** The SDK clients `apigw-5xx check` uses, from the usual AWS environment (loaded on demand by bin/ops/cli.ts). */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { CheckClients } from './check.js';

export function awsClients(region: string | undefined): CheckClients {
  const config = region !== undefined ? { region } : {};
  const lambda = new LambdaClient(config);
  return {
    lambda,
    sns: new SNSClient(config),
    cloudwatch: new CloudWatchClient(config),
    apiGateway: new APIGatewayClient(config),
    apiGatewayV2: new ApiGatewayV2Client(config),
    sqs: new SQSClient(config),
    invoke: async (functionName, payload) => {
      const response = await lambda.send(
        new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: payload }),
      );
      return {
        ...(response.FunctionError !== undefined ? { functionError: response.FunctionError } : {}),
        payload: response.Payload !== undefined ? Buffer.from(response.Payload).toString('utf8') : '',
      };
    },
  };
}
