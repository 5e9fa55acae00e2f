import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { ConfigurationReader } from './adapters/config-checks.js';
import { CloudWatchLogsReader } from './adapters/log-reader.js';
import { DynamoDbNotificationLedger } from './adapters/notification-ledger.js';
import { SnsPublisher } from './adapters/publisher.js';
import { LEDGER_TABLE_ENV, RUNTIME_CONFIG_ENV, type RuntimeConfig, TOPIC_ARN_ENV } from './config/runtime-config.js';
import { type RespondOutcome, respond } from './respond/respond.js';

/**
 * The responder Lambda's entry: the composition root. It reads its configuration and builds its clients once per
 * execution environment, then hands each alarm event to `respond`. A publish failure propagates, so the
 * invocation fails and Lambda's async retries and on-failure destination keep the alarm.
 */

interface LambdaContext {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId?: string;
}

interface Composed {
  readonly config: RuntimeConfig;
  readonly reader: CloudWatchLogsReader;
  readonly publisher: SnsPublisher;
  readonly ledger?: DynamoDbNotificationLedger;
  readonly configuration: ConfigurationReader;
}

let composed: Composed | undefined;

function log(level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, message, ...data });
  if (level === 'error') console.error(line);
  else console.log(line);
}

/** Reads the configuration the stack wrote; a broken one is a deployment bug and fails loudly. */
export function readRuntimeConfig(env: NodeJS.ProcessEnv): { config: RuntimeConfig; topicArn: string } {
  const raw = env[RUNTIME_CONFIG_ENV];
  const topicArn = env[TOPIC_ARN_ENV];
  if (raw === undefined || raw === '')
    throw new Error(`${RUNTIME_CONFIG_ENV} is not set: deploy the responder with its stack`);
  if (topicArn === undefined || topicArn === '')
    throw new Error(`${TOPIC_ARN_ENV} is not set: deploy the responder with its stack`);
  const config = JSON.parse(raw) as RuntimeConfig;
  if (!Array.isArray(config.apis) || typeof config.timeBudgetMs !== 'number') {
    throw new Error(`${RUNTIME_CONFIG_ENV} is not a responder configuration (apis, timeBudgetMs): redeploy the stack`);
  }
  return { config, topicArn };
}

function compose(): Composed {
  if (composed !== undefined) return composed;
  const { config, topicArn } = readRuntimeConfig(process.env);
  composed = {
    config,
    // The reader retries throttling itself within the time budget: the SDK must not retry on top of it.
    reader: new CloudWatchLogsReader(new CloudWatchLogsClient({ maxAttempts: 1 })),
    publisher: new SnsPublisher(new SNSClient({}), topicArn),
    // Read-only configuration checks; their deadline is enforced by the reader, so the SDK retries little.
    configuration: new ConfigurationReader({
      apiGateway: new APIGatewayClient({ maxAttempts: 2 }),
      apiGatewayV2: new ApiGatewayV2Client({ maxAttempts: 2 }),
      lambda: new LambdaClient({ maxAttempts: 2 }),
    }),
  };
  const table = process.env[LEDGER_TABLE_ENV];
  if (table !== undefined && table !== '') {
    // Short timeouts: the ledger must never hold up a notification.
    composed = { ...composed, ledger: new DynamoDbNotificationLedger(new DynamoDBClient({ maxAttempts: 2 }), table) };
  }
  return composed;
}

export async function handler(event: unknown, context?: LambdaContext): Promise<RespondOutcome> {
  const { config, reader, publisher, ledger, configuration } = compose();
  const outcome = await respond(event, {
    reader,
    publisher,
    configuration,
    ...(ledger !== undefined ? { ledger } : {}),
    config,
    now: Date.now,
    ...(context !== undefined ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
    log,
  });
  // Lambda discards the return value of an async (alarm) invocation; direct invocations (the demo) read it.
  return outcome;
}
