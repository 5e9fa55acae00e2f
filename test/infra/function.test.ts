import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import type { ResponderStack } from '../../lib/responder-stack.js';
import { bundledResponderAsset, synthResponder, TWO_APIS } from './helpers/synth.js';

describe('ApiGateway5xxResponder function', () => {
  let template: Template;
  let stack: ResponderStack;
  let functionLogicalId: string;

  beforeAll(() => {
    const synthesized = synthResponder(TWO_APIS);
    template = synthesized.template;
    stack = synthesized.stack;
    functionLogicalId = stack.getLogicalId(stack.responder.function.node.defaultChild as never);
  });

  it('runs on nodejs22.x, arm64, with the default memory, timeout and reserved concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 60,
      ReservedConcurrentExecutions: 10,
    });
  });

  it('has a notification ledger table with a TTL and point-in-time recovery, named to the function', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ LEDGER_TABLE: stack.resolve(stack.responder.ledgerTable.tableName) }),
      },
    });
  });

  it('enables source maps at run time and passes the topic ARN', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          TOPIC_ARN: stack.resolve(stack.responder.topic.topicArn),
          RESPONDER_CONFIG: Match.anyValue(),
        },
      },
    });
  });

  it('passes the RuntimeConfig the handler reads, with a time budget 15 s inside the timeout', () => {
    const fn = template.findResources('AWS::Lambda::Function')[functionLogicalId];
    const json = fn?.Properties.Environment.Variables.RESPONDER_CONFIG as string;
    const config = JSON.parse(json) as RuntimeConfig;
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const alarmNameOf = (metricName: string) =>
      alarms.find((alarm) => alarm.Properties.MetricName === metricName)?.Properties.AlarmName as string;
    const [restAlarm, httpAlarm] = [alarmNameOf('5XXError'), alarmNameOf('5xx')];
    expect(restAlarm).toMatch(/^TestResponder-[\w-]+-a1b2c3d4e5-prod-5xx$/);
    expect(config).toEqual({
      apis: [
        {
          type: 'REST',
          name: 'orders',
          id: 'a1b2c3d4e5',
          stage: 'prod',
          executionLogGroup: 'API-Gateway-Execution-Logs_a1b2c3d4e5/prod',
          accessLogGroup: '/aws/apigateway/orders-access',
          functionNames: ['orders-create', 'orders-get'],
          alarmName: restAlarm,
        },
        { type: 'HTTP', id: 'f6g7h8i9j0', stage: '$default', alarmName: httpAlarm },
      ],
      timeBudgetMs: 45_000,
      windowMarginMs: 60_000,
      maxPages: 20,
      maxEvents: 10_000,
      logReadRate: { perSecond: 3, concurrency: 10 },
    } satisfies RuntimeConfig);
  });

  it('logs to its own log group, kept for 30 days', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: stack.resolve(stack.responder.logGroup.logGroupName) },
    });
  });

  it('retries async invocations twice, then sends the event to the failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionLogicalId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: stack.resolve(stack.responder.failureQueue.queueArn) } },
    });
  });

  it('encrypts the failure queue, keeps messages 14 days and refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [stack.resolve(stack.responder.failureQueue.queueUrl)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('applies configured timeout, budget, memory, retention and concurrency', () => {
    // Prepare / Act
    const { template: custom, stack: customStack } = synthResponder({
      ...TWO_APIS,
      timeoutSec: 120,
      timeBudgetSec: 90,
      memorySizeMb: 1024,
      logRetentionDays: 90,
      reservedConcurrency: 2,
    });
    // Assess
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 120,
      MemorySize: 1024,
      ReservedConcurrentExecutions: 2,
    });
    custom.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    expect(customStack.responder.runtimeConfig.timeBudgetMs).toBe(90_000);
  });
});

describe('ApiGateway5xxResponder bundling', () => {
  let assetDir: string;

  beforeAll(() => {
    assetDir = bundledResponderAsset(TWO_APIS);
  });

  afterAll(() => {
    rmSync(dirname(assetDir), { recursive: true, force: true });
  });

  it('bundles the handler into an ES module with its source map', () => {
    expect(existsSync(join(assetDir, 'index.mjs'))).toBe(true);
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(code).toContain('createRequire');
    expect(code).toContain('//# sourceMappingURL=index.mjs.map');
  });

  it('imports the AWS SDK v3 from the Lambda runtime instead of bundling it, on demand', () => {
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    // Loaded with import() when an invocation needs them (lambda/adapters/lazy-clients.ts), not at module init.
    for (const client of ['sns', 'cloudwatch-logs', 'dynamodb', 'api-gateway', 'apigatewayv2', 'lambda']) {
      expect(code).toContain(`import("@aws-sdk/client-${client}")`);
    }
    expect(code).not.toMatch(/(?:from|import)\s*"@aws-sdk\//);
    // The SNS and CloudWatch Logs clients with their dependencies would add megabytes.
    expect(Buffer.byteLength(code)).toBeLessThan(1024 * 1024);
  });

  it('loads as an ES module that exports the handler', async () => {
    const bundle = (await import(pathToFileURL(join(assetDir, 'index.mjs')).href)) as { handler?: unknown };
    expect(typeof bundle.handler).toBe('function');
  });
});
