/**
 * Error paths of the API resolver that moto cannot produce (an access-denied answer): aws-sdk-client-mock answers
 * here. The paths moto can serve (found, same name twice, no such API) run end to end in
 * test/e2e/zero-config.e2e.test.ts.
 */
import { APIGatewayClient, GetRestApisCommand, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiResolver, logGroupOfArn } from '../../../lambda/adapters/api-resolver.js';

const gw = mockClient(APIGatewayClient);
const now = () => Date.now();

function resolver() {
  return new ApiResolver({
    apiGateway: new APIGatewayClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
    apiGatewayV2: new ApiGatewayV2Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    }),
  });
}

afterEach(() => gw.reset());

describe('ApiResolver', () => {
  it('says which permission is missing when GetRestApis is denied, and finds nothing', async () => {
    // Prepare
    const denied = Object.assign(new Error('User is not authorized to perform: apigateway:GET'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
    gw.on(GetRestApisCommand).rejects(denied);
    // Act
    const out = await resolver().resolve({
      dimensions: { ApiName: 'orders', Stage: 'prod' },
      deadlineMs: now() + 5_000,
      now,
    });
    // Assess
    expect(out.apis).toEqual([]);
    expect(out.problems).toHaveLength(1);
    expect(out.problems[0]).toContain('access denied (AccessDeniedException)');
    expect(out.problems[0]).toContain('apigateway:GET on /restapis');
  });

  it('keeps reading the pages of GetRestApis until the name is found', async () => {
    // Prepare
    gw.on(GetRestApisCommand)
      .resolvesOnce({ items: [{ id: 'aaaaaaaaaa', name: 'billing' }], position: 'p2' })
      .resolvesOnce({ items: [{ id: 'bbbbbbbbbb', name: 'orders' }] });
    gw.on(GetStageCommand).resolves({
      stageName: 'prod',
      accessLogSettings: { destinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/orders' },
    });
    // Act
    const out = await resolver().resolve({
      dimensions: { ApiName: 'orders', Stage: 'prod' },
      deadlineMs: now() + 5_000,
      now,
    });
    // Assess
    expect(out.apis).toEqual([
      {
        type: 'REST',
        id: 'bbbbbbbbbb',
        name: 'orders',
        stage: 'prod',
        stageFound: true,
        accessLogArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/orders',
      },
    ]);
    expect(gw.commandCalls(GetRestApisCommand)[1]?.args[0].input.position).toBe('p2');
  });

  it('refuses an alarm without API dimensions, saying which dimensions it needs', async () => {
    // Act
    const out = await resolver().resolve({ dimensions: { FunctionName: 'x' }, deadlineMs: now() + 5_000, now });
    // Assess
    expect(out.apis).toEqual([]);
    expect(out.problems[0]).toContain('ApiName+Stage (REST) or ApiId+Stage (HTTP)');
    expect(gw.calls()).toHaveLength(0);
  });
});

describe('logGroupOfArn', () => {
  it('reads the group name from a log group ARN with or without the trailing :*, and nothing from Firehose', () => {
    expect(logGroupOfArn('arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apigateway/orders')).toBe(
      '/aws/apigateway/orders',
    );
    expect(logGroupOfArn('arn:aws:logs:eu-west-1:123456789012:log-group:access-logs:*')).toBe('access-logs');
    expect(logGroupOfArn('arn:aws:firehose:eu-west-1:123456789012:deliverystream/amazon-apigateway-x')).toBeUndefined();
  });
});
