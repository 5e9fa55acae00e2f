import {
  AccountCredentials,
  type AccountsConfig,
  AssumeRoleError,
  observabilitySourceOf,
  type ReadTarget,
  readAccountsConfig,
  readTargetOf,
  type StsPort,
} from './adapters/account-credentials.js';
import { ApiDiscoveryReader } from './adapters/api-discovery.js';
import { ApiResolver } from './adapters/api-resolver.js';
import { CloudTrailChangeReader } from './adapters/cloudtrail-reader.js';
import { ConfigurationReader } from './adapters/config-checks.js';
import { awaitLazy, type Lazy, lazy, startInOrder } from './adapters/lazy-clients.js';
import { CloudWatchLogsReader, type ObservabilitySource } from './adapters/log-reader.js';
import { CloudWatchMetricsReader } from './adapters/metrics-reader.js';
import { DynamoDbNotificationLedger } from './adapters/notification-ledger.js';
import { SnsPublisher } from './adapters/publisher.js';
import { DynamoDbRateLimiter, LocalRateLimiter, slotIntervalMs } from './adapters/read-rate-limiter.js';
import {
  LEDGER_TABLE_ENV,
  RUNTIME_CONFIG_ENV,
  type RuntimeConfig,
  SELF_MONITORING_ENV,
  type SelfMonitoringConfig,
  TOPIC_ARN_ENV,
} from './config/runtime-config.js';
import type { SignalPorts } from './enrich/gather-signals.js';
import type { ConfigurationReaderPort } from './enrich/types.js';
import { AlarmEventError, parseAlarmEvent } from './respond/alarm-event.js';
import {
  type LogReaderPort,
  type NotificationLedgerPort,
  type PublisherPort,
  type RespondOutcome,
  respond,
} from './respond/respond.js';

/**
 * The responder Lambda's entry: the composition root. It reads its configuration and sets up its clients once per
 * execution environment, then hands each alarm event to `respond`. A publish failure propagates, so the
 * invocation fails and Lambda's async retries and on-failure destination keep the alarm.
 *
 * The AWS SDK is not imported with this module (lambda/adapters/lazy-clients.ts): the first invocation loads the
 * clients one after another in the order it needs them (DynamoDB for the ledger claim, CloudWatch Logs, the
 * configuration checks' API Gateway and Lambda clients, SNS) and awaits each one where it is first used, so the later
 * loads overlap the network calls of the earlier steps. A client the notification cannot do without (CloudWatch
 * Logs, SNS) that fails to load fails the invocation, so Lambda's retries and the on-failure queue keep the alarm.
 * The rest is best effort, as when its service cannot be reached: without the ledger the responder notifies anyway
 * (a duplicate beats a lost alarm), and without the configuration checks' clients the message says the checks
 * failed. Every failed load is logged, and the next invocation builds its clients again (a module Node.js could not
 * resolve is looked up again; one that threw while loading may stay failed until Lambda starts a new environment).
 */

interface LambdaContext {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId?: string;
}

/** The adapters that read an API's account and Region, each built once its SDK client has loaded. */
interface ReadClients {
  readonly reader: Lazy<CloudWatchLogsReader>;
  readonly configuration: Lazy<ConfigurationReader>;
  /** Evidence beyond the logs: API discovery, metrics, CloudTrail. */
  readonly signals: Lazy<{
    discovery: ApiDiscoveryReader;
    metrics: CloudWatchMetricsReader;
    trail: CloudTrailChangeReader;
    resolver: ApiResolver;
  }>;
}

/** The adapters, each built once its SDK client has loaded. */
interface Clients extends ReadClients {
  readonly publisher: Lazy<SnsPublisher>;
  readonly ledger?: Lazy<DynamoDbNotificationLedger>;
}

interface Composed {
  readonly config: RuntimeConfig;
  readonly clients: Clients;
  /** Central mode: the accounts served and the member role to assume (lambda/adapters/account-credentials.ts). */
  readonly accounts?: AccountsConfig;
  /** STS, for member roles (central mode only). */
  readonly sts?: Lazy<StsPort>;
  readonly selfMonitoring?: { readonly config: SelfMonitoringConfig; readonly responderName?: string };
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

/** The responder's alarms on itself (optional); a broken value is a deployment bug and fails loudly. */
export function readSelfMonitoring(env: NodeJS.ProcessEnv): Composed['selfMonitoring'] {
  const raw = env[SELF_MONITORING_ENV];
  if (raw === undefined || raw === '') return undefined;
  const config = JSON.parse(raw) as SelfMonitoringConfig;
  if (!Array.isArray(config.alarms) || typeof config.responder?.failureQueueUrl !== 'string') {
    throw new Error(
      `${SELF_MONITORING_ENV} is not a self-monitoring configuration (alarms, responder): redeploy the stack`,
    );
  }
  const responderName = env.AWS_LAMBDA_FUNCTION_NAME;
  return { config, ...(responderName !== undefined && responderName !== '' ? { responderName } : {}) };
}

function compose(): Composed {
  if (composed !== undefined) return composed;
  const { config, topicArn } = readRuntimeConfig(process.env);
  const selfMonitoring = readSelfMonitoring(process.env);
  const table = process.env[LEDGER_TABLE_ENV];
  const accounts = readAccountsConfig(process.env);
  composed = {
    config,
    ...(selfMonitoring !== undefined ? { selfMonitoring } : {}),
    ...(accounts !== undefined
      ? {
          accounts,
          sts: lazy(async () => {
            // The function's own credentials (the default provider chain), in the home Region.
            const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
            const client = new STSClient({ maxAttempts: 2, region: accounts.homeRegion });
            return { assumeRole: (input) => client.send(new AssumeRoleCommand(input)) } satisfies StsPort;
          }),
        }
      : {}),
    clients: {
      ...readClients(config, table, {}),
      publisher: lazy(async () => {
        const { SNSClient } = await import('@aws-sdk/client-sns');
        return new SnsPublisher(new SNSClient({}), topicArn);
      }),
      // Short timeouts: the ledger must never hold up a notification.
      ...(table !== undefined && table !== ''
        ? {
            ledger: lazy(async () => {
              const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
              return new DynamoDbNotificationLedger(new DynamoDBClient({ maxAttempts: 2 }), table);
            }),
          }
        : {}),
    },
  };
  return composed;
}

/** What the read clients of another account or Region are built with: its Region, the member role's credentials. */
interface SdkTarget {
  readonly region?: string;
  readonly credentials?: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }>;
}

/** The clients that read an API: the function's own (`{}`), or another account's or Region's. */
function readClients(config: RuntimeConfig, table: string | undefined, sdk: SdkTarget): ReadClients {
  return {
    reader: logReader(config, table, sdk),
    // Read-only configuration checks; their deadline is enforced by the reader, so the SDK retries little.
    configuration: lazy(async () => {
      const [{ APIGatewayClient }, { ApiGatewayV2Client }, { LambdaClient }] = await Promise.all([
        import('@aws-sdk/client-api-gateway'),
        import('@aws-sdk/client-apigatewayv2'),
        import('@aws-sdk/client-lambda'),
      ]);
      return new ConfigurationReader({
        apiGateway: new APIGatewayClient({ maxAttempts: 2, ...sdk }),
        apiGatewayV2: new ApiGatewayV2Client({ maxAttempts: 2, ...sdk }),
        lambda: new LambdaClient({ maxAttempts: 2, ...sdk }),
      });
    }),
    // Read-only, bounded by their own deadlines. CloudTrail: the reader paces and retries itself (2 lookups/s).
    signals: lazy(async () => {
      const [
        { APIGatewayClient },
        { ApiGatewayV2Client },
        { LambdaClient },
        { CloudWatchClient },
        { CloudTrailClient },
      ] = await Promise.all([
        import('@aws-sdk/client-api-gateway'),
        import('@aws-sdk/client-apigatewayv2'),
        import('@aws-sdk/client-lambda'),
        import('@aws-sdk/client-cloudwatch'),
        import('@aws-sdk/client-cloudtrail'),
      ]);
      return {
        discovery: new ApiDiscoveryReader({
          apiGateway: new APIGatewayClient({ maxAttempts: 2, ...sdk }),
          apiGatewayV2: new ApiGatewayV2Client({ maxAttempts: 2, ...sdk }),
          lambda: new LambdaClient({ maxAttempts: 2, ...sdk }),
        }),
        metrics: new CloudWatchMetricsReader(new CloudWatchClient({ maxAttempts: 2, ...sdk })),
        trail: new CloudTrailChangeReader(new CloudTrailClient({ maxAttempts: 1, ...sdk })),
        // Finds an unconfigured API from its alarm's dimensions (GetRestApis/GetApi, GetStage).
        resolver: new ApiResolver({
          apiGateway: new APIGatewayClient({ maxAttempts: 2, ...sdk }),
          apiGatewayV2: new ApiGatewayV2Client({ maxAttempts: 2, ...sdk }),
        }),
      };
    }),
  };
}

/**
 * The log reader. It retries throttling itself within the time budget: the SDK must not retry on top of it. Every
 * call waits for a slot of the responders' shared FilterLogEvents rate, kept in the ledger table. With `source`, it
 * reads that member account's groups through cross-account observability (`sdk`: the function's own credentials).
 */
function logReader(
  config: RuntimeConfig,
  table: string | undefined,
  sdk: SdkTarget,
  source?: ObservabilitySource,
): Lazy<CloudWatchLogsReader> {
  return lazy(async () => {
    const { CloudWatchLogsClient } = await import('@aws-sdk/client-cloudwatch-logs');
    return new CloudWatchLogsReader(new CloudWatchLogsClient({ maxAttempts: 1, ...sdk }), {
      maxAttempts: 30,
      ...(config.logReadRate !== undefined ? { limiter: await readLimiter(config.logReadRate, table) } : {}),
      ...(source !== undefined ? { sourceAccount: source } : {}),
    });
  });
}

/** The shared limiter on the ledger table; without a table, this instance's part of the rate. */
async function readLimiter(rate: NonNullable<RuntimeConfig['logReadRate']>, table: string | undefined) {
  if (table === undefined || table === '')
    return new LocalRateLimiter(slotIntervalMs(rate.perSecond) * Math.max(1, rate.concurrency));
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  return new DynamoDbRateLimiter(new DynamoDBClient({ maxAttempts: 2 }), table, {
    ...rate,
    onFallback: (error) =>
      log('warn', 'read rate limiter unavailable: spacing this instance alone', {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
  });
}

/**
 * The read clients for this event's API: the function's own, or, for an alarm of another account or Region
 * (central mode, many Regions), clients for that Region with the member role's credentials, assumed once for this
 * invocation. A role that cannot be assumed is logged here; every read then fails with the same AssumeRoleError,
 * which the message shows (role, account, fix), and the notification still goes out. With
 * `logsThroughObservability`, a member account's logs are read with the function's own credentials through
 * CloudWatch cross-account observability instead (the rest still through the member role).
 */
function readClientsFor(
  event: unknown,
  c: Composed,
): { clients: ReadClients; target?: ReadTarget & { logs?: 'observability' } } {
  let where: { account?: string; region?: string };
  try {
    const notice = parseAlarmEvent(event);
    where = {
      ...(notice.accountId !== undefined ? { account: notice.accountId } : {}),
      ...(notice.region !== undefined ? { region: notice.region } : {}),
    };
  } catch (error) {
    // `respond` reports the unreadable event; it is read (not at all) with the function's own clients.
    if (error instanceof AlarmEventError) return { clients: c.clients };
    throw error;
  }
  const home = process.env.AWS_REGION;
  const target = readTargetOf(where, home !== undefined && home !== '' ? { region: home } : {}, c.accounts);
  if (target === undefined) return { clients: c.clients };
  const { roleArn } = target;
  if (roleArn === undefined || c.sts === undefined) {
    return { clients: readClients(c.config, process.env[LEDGER_TABLE_ENV], { ...target }), target };
  }
  const sts = c.sts;
  const credentials = new AccountCredentials(
    { assumeRole: async (input) => (await sts.get()).assumeRole(input) },
    c.accounts?.externalId !== undefined ? { externalId: c.accounts.externalId } : {},
  );
  const role = { ...target, roleArn };
  credentials.credentials(role).catch((error: unknown) =>
    log('error', 'could not assume the member role: its reads fail and the message says so', {
      roleArn,
      account: target.account,
      region: target.region,
      error: error instanceof AssumeRoleError ? error.message : String(error),
    }),
  );
  const table = process.env[LEDGER_TABLE_ENV];
  const region = target.region !== undefined ? { region: target.region } : {};
  const clients = readClients(c.config, table, { ...region, credentials: credentials.providerFor(role) });
  // Cross-account observability: the member's logs with the function's own credentials; the rest as the member.
  const source = observabilitySourceOf(target, c.accounts);
  return {
    clients: source !== undefined ? { ...clients, reader: logReader(c.config, table, region, source) } : clients,
    target: source !== undefined ? { ...target, logs: 'observability' as const } : target,
  };
}

export async function handler(event: unknown, context?: LambdaContext): Promise<RespondOutcome> {
  const started = performance.now();
  const c = compose();
  const { config, clients, selfMonitoring } = c;
  const { publisher, ledger } = clients;
  const { clients: readers, target } = readClientsFor(event, c);
  const { reader, configuration, signals } = readers;
  if (target !== undefined) log('info', 'reading the alarm in another account or Region', { ...target });
  // In the order of first use: the ledger claim, the log reads, the configuration checks, the signals, the publish.
  const all: Lazy<unknown>[] = [...(ledger !== undefined ? [ledger] : []), reader, configuration, signals, publisher];
  const cold = all.some((c) => c.readyAt === undefined);
  startInOrder(all);
  // Time this invocation spent waiting for SDK clients: the part of their load that overlapped nothing.
  const waited = { ms: 0 };
  const ready = <T>(c: Lazy<T>) => awaitLazy(c, waited, () => performance.now());
  const ports: { reader: LogReaderPort; publisher: PublisherPort; configuration: ConfigurationReaderPort } = {
    reader: { read: async (request, limits) => (await ready(reader)).read(request, limits) },
    publisher: { publish: async (notification) => (await ready(publisher)).publish(notification) },
    configuration: { read: async (plan, limits) => (await ready(configuration)).read(plan, limits) },
  };
  const signalPorts: SignalPorts = {
    prepare: () => ready(signals),
    discovery: { discover: async (request) => (await ready(signals)).discovery.discover(request) },
    metrics: { read: async (plan, limits) => (await ready(signals)).metrics.read(plan, limits) },
    trail: { read: async (request) => (await ready(signals)).trail.read(request) },
  };
  const ledgerPort: NotificationLedgerPort | undefined =
    ledger !== undefined
      ? {
          claim: async (key, leaseMs) => (await ready(ledger)).claim(key, leaseMs),
          markPublished: async (key, messageId) => (await ready(ledger)).markPublished(key, messageId),
          release: async (key) => (await ready(ledger)).release(key),
        }
      : undefined;
  let outcome: RespondOutcome;
  try {
    outcome = await respond(event, {
      ...ports,
      signals: signalPorts,
      resolver: { resolve: async (request) => (await ready(signals)).resolver.resolve(request) },
      ...(ledgerPort !== undefined ? { ledger: ledgerPort } : {}),
      config,
      ...(selfMonitoring !== undefined ? { selfMonitoring } : {}),
      ...(c.accounts !== undefined ? { homeAccount: c.accounts.homeAccount } : {}),
      now: Date.now,
      ...(context !== undefined ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
      log,
    });
  } finally {
    // Loads still running end within this invocation; one that failed is tried again by the next invocation.
    const settled = await Promise.allSettled(all.map((c) => c.get()));
    const failed = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    if (failed.length > 0) {
      composed = undefined;
      log('error', 'AWS SDK client modules failed to load; the next invocation loads them again', {
        errors: failed.map((e: unknown) => (e instanceof Error ? e.message : String(e))),
      });
    }
  }
  if (cold) {
    const after = (c: Lazy<unknown> | undefined) =>
      c?.readyAt !== undefined ? Math.round(Math.max(0, c.readyAt - started)) : undefined;
    log('info', 'AWS SDK clients loaded in this invocation (cold start)', {
      readyAfterMs: {
        logs: after(reader),
        ...(ledger !== undefined ? { dynamodb: after(ledger) } : {}),
        sns: after(publisher),
        configurationChecks: after(configuration),
        signals: after(signals),
      },
      waitedMs: Math.round(waited.ms),
    });
  }
  // Lambda discards the return value of an async (alarm) invocation; direct invocations (the demo) read it.
  return outcome;
}
