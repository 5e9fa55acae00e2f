/**
 * The reusable construct: one CloudWatch alarm per API stage whose ALARM and OK actions invoke the responder
 * function, which reads the configured log groups and publishes its diagnosis to an encrypted SNS topic.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, ArnFormat, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { LambdaAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type BundlingOptions, Charset, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  LEDGER_TABLE_ENV,
  RUNTIME_CONFIG_ENV,
  type RuntimeConfig,
  SELF_MONITORING_ENV,
  TOPIC_ARN_ENV,
} from '../lambda/config/runtime-config.js';
import { type CentralResources, wireCentral } from './central.js';
import {
  type ApiConfig,
  ConfigError,
  logGroupsOf,
  MAX_RUNTIME_CONFIG_BYTES,
  type ResolvedAlarmSettings,
  type ResolvedResponderSettings,
  type ResponderSettings,
  resolveResponderSettings,
  toRuntimeConfig,
} from './config.js';
import { CODE_ROOT, lambdaEntry } from './entries.js';
import { FORWARDER_ENTRY, ResponderNotifications } from './notifications.js';
import { ResponderSelfMonitoring } from './self-monitoring.js';
import { grantDiscovery, restApiName, routeExistingAlarms } from './zero-config.js';

/**
 * The handler the construct deploys unless told otherwise: `lambda/handler.ts` in this repository, the compiled
 * `dist/lambda/handler.js` in the installed package.
 */
export const DEFAULT_HANDLER_ENTRY = lambdaEntry('handler');

/** Properties of `ApiGateway5xxResponder`: the responder settings plus how the function is built. */
export interface ApiGateway5xxResponderProps extends ResponderSettings {
  /**
   * Path of the handler's entry file (TypeScript or JavaScript, exporting `handler`), bundled by esbuild.
   *
   * @default - the responder handler of this package (`DEFAULT_HANDLER_ENTRY`)
   */
  readonly entry?: string;
  /**
   * The Lambda runtime; a Node.js runtime the handler supports.
   *
   * @default lambda.Runtime.NODEJS_22_X
   */
  readonly runtime?: lambda.Runtime;
}

/**
 * Watches API Gateway stages for 5xx errors and diagnoses each alarm.
 *
 * Creates: one alarm per API stage (REST `5XXError` by ApiName + Stage, HTTP `5xx` by ApiId + Stage, Sum, missing
 * data not breaching) with ALARM and OK actions invoking the responder; the responder function (Node.js on arm64,
 * bundled by a local esbuild) with its own log group, reserved concurrency and an on-failure SQS queue; an SNS
 * topic encrypted with a KMS key of this construct, with the configured email subscriptions.
 *
 * @example
 * new ApiGateway5xxResponder(this, 'Responder', {
 *   apis: [{ type: 'REST', name: 'orders', id: 'a1b2c3d4e5', stage: 'prod' }],
 *   emails: ['oncall@example.com'],
 * });
 */
export class ApiGateway5xxResponder extends Construct {
  /** The topic the diagnoses are published to; subscribe Slack (AWS Chatbot) or other endpoints here. */
  readonly topic: sns.Topic;
  /** The customer-managed key encrypting the topic. */
  readonly topicKey: kms.Key;
  /** The responder function. */
  readonly function: NodejsFunction;
  /** The responder's own log group. */
  readonly logGroup: logs.LogGroup;
  /** Receives alarm events the responder failed to handle after its retries, so no alarm is lost. */
  readonly failureQueue: sqs.Queue;
  /** Remembers notified alarm state changes so async retries do not notify twice. */
  readonly ledgerTable: dynamodb.Table;
  /** One alarm per configured API stage, in the order of `apis` (none in existing-alarms mode). */
  readonly alarms: readonly cloudwatch.Alarm[];
  /** Existing-alarms mode: the EventBridge rule that sends API Gateway 5xx alarm state changes to the responder. */
  readonly existingAlarmsRule?: events.Rule;
  /** Central mode: the bus member accounts forward to and its rule (lib/central.ts). */
  readonly central?: CentralResources;
  /** The configuration the function receives in `RESPONDER_CONFIG`. */
  readonly runtimeConfig: RuntimeConfig;
  /** The settings with every default applied. */
  readonly settings: ResolvedResponderSettings;
  /** Slack (chat service, webhook forwarder) and per-cause email routes, when any is configured. */
  readonly notifications?: ResponderNotifications;
  /** Alarms on the responder (and forwarder) themselves, which invoke the responder (lib/self-monitoring.ts). */
  readonly selfMonitoring: ResponderSelfMonitoring;

  constructor(scope: Construct, id: string, props: ApiGateway5xxResponderProps) {
    super(scope, id);
    const { entry = DEFAULT_HANDLER_ENTRY, runtime = lambda.Runtime.NODEJS_22_X, ...settingsInput } = props;
    const settings = resolveResponderSettings(settingsInput);
    this.settings = settings;
    const stack = Stack.of(this);

    const prefix = settings.alarmNamePrefix ?? Names.uniqueResourceName(this, { maxLength: 80, separator: '-' });
    // Alarm names are set (not generated) because the function's environment names them, and the alarms already
    // depend on the function through their actions: a generated name would be a dependency cycle.
    const alarmNameOf = (api: ApiConfig): string =>
      `${prefix}-${api.id}-${api.stage.replace(/[^A-Za-z0-9_-]/g, '')}-5xx`;
    this.runtimeConfig = toRuntimeConfig(settings, alarmNameOf);
    const runtimeConfigJson = JSON.stringify(this.runtimeConfig);
    const problems: string[] = [];
    if (Buffer.byteLength(runtimeConfigJson) > MAX_RUNTIME_CONFIG_BYTES) {
      problems.push(
        `the runtime configuration must fit in ${MAX_RUNTIME_CONFIG_BYTES} bytes of the function's environment, got ${Buffer.byteLength(runtimeConfigJson)} bytes for ${settings.apis.length} APIs: split the APIs across several stacks or list fewer functionNames`,
      );
    }
    const alarmNames = settings.apis.map(alarmNameOf);
    alarmNames.forEach((name, i) => {
      const first = alarmNames.indexOf(name);
      if (first !== i) {
        problems.push(
          `apis[${i}] must give an alarm name not used before, got ${JSON.stringify(name)} (same as apis[${first}]): rename one of the stages`,
        );
      }
    });
    if (problems.length > 0) throw new ConfigError(problems);

    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the API Gateway 5xx diagnosis topic of ${this.node.path}`,
      enableKeyRotation: true,
    });
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'API Gateway 5xx diagnosis',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    settings.emails.forEach((email) => {
      this.topic.addSubscription(new EmailSubscription(email));
    });

    this.failureQueue = new sqs.Queue(this, 'FailedInvocations', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the on-failure destination of the responder: it is the dead-letter store for alarm events ' +
        'the function could not handle. cdk-nag only recognises redrive and DeadLetterConfig, not async-invoke destinations.',
    });

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: settings.logRetentionDays as logs.RetentionDays,
    });

    // An own role instead of the default one, which would attach AWSLambdaBasicExecutionRole (logs on any group).
    const role = new iam.Role(this, 'Role', {
      // Central mode: member roles trust this role by name (aws:PrincipalArn), so it has a known one.
      ...(settings.central !== undefined ? { roleName: settings.central.responderRoleName } : {}),
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'apigw-5xx-responder: reads the configured API log groups, publishes to its topic',
    });
    this.logGroup.grantWrite(role);

    const readableGroups = [...new Set(settings.apis.flatMap(logGroupsOf))];
    const readableArns = readableGroups.map((name) =>
      stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        // FilterLogEvents is authorised on `log-group:NAME:*`.
        // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/logs/iam-access-control-overview-cwl.html
        resourceName: `${name}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
    if (readableArns.length > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadConfiguredApiLogs',
          actions: ['logs:FilterLogEvents'],
          resources: readableArns,
        }),
      );
    }
    for (const api of settings.apis) {
      if (logGroupsOf(api).length === 0) {
        Annotations.of(this).addWarningV2(
          'apigw-5xx-responder:no-logs',
          `HTTP API ${api.id} stage ${api.stage} has no accessLogGroup or functionNames: its alarms will be reported ` +
            'without a diagnosis. Turn on access logging for the stage and set accessLogGroup.',
        );
      }
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishDiagnosis',
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );
    // SNS encrypts a published message with a data key from the topic's key on the publisher's behalf.
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptForTopic',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.topicKey.keyArn],
      }),
    );
    for (const arn of readableArns) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${flattenForNag(stack.resolve(arn))}]`,
        reason:
          'The trailing ":*" is the form CloudWatch Logs authorises FilterLogEvents on; the resource is one named ' +
          'log group the responder is configured to read.',
      });
    }

    // Read-only configuration checks (lambda/adapters/config-checks.ts): the watched APIs' definitions, stages and
    // deployments, VPC links (not owned by an API), and the configured functions' configuration and resource policy.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html
    const apiArns = settings.apis.flatMap((api) => {
      const base = api.type === 'REST' ? `/restapis/${api.id}` : `/apis/${api.id}`;
      return [base, `${base}/*`].map((path) =>
        stack.formatArn({ service: 'apigateway', account: '', resource: path, arnFormat: ArnFormat.NO_RESOURCE_NAME }),
      );
    });
    const vpcLinksArn = stack.formatArn({
      service: 'apigateway',
      account: '',
      resource: '/vpclinks/*',
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
    // REST APIs log only when the account names a CloudWatch role for API Gateway (GetAccount): a logging finding.
    const accountArns = settings.apis.some((api) => api.type === 'REST')
      ? [
          stack.formatArn({
            service: 'apigateway',
            account: '',
            resource: '/account',
            arnFormat: ArnFormat.NO_RESOURCE_NAME,
          }),
        ]
      : [];
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadApiConfiguration',
        actions: ['apigateway:GET'],
        resources: [...apiArns, vpcLinksArn, ...accountArns],
      }),
    );
    const functionNames = [...new Set(settings.apis.flatMap((api) => api.functionNames ?? []))].sort();
    const functionArns = functionNames.flatMap((name) => [
      stack.formatArn({
        service: 'lambda',
        resource: 'function',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      stack.formatArn({
        service: 'lambda',
        resource: 'function',
        resourceName: `${name}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ]);
    if (functionArns.length > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadFunctionConfiguration',
          actions: [
            'lambda:GetFunctionConfiguration',
            'lambda:GetPolicy',
            'lambda:GetAlias',
            'lambda:GetFunctionConcurrency',
          ],
          resources: functionArns,
        }),
      );
    }
    for (const arn of [...apiArns, vpcLinksArn, ...functionArns].filter(
      (a) => String(stack.resolve(a)).includes('*') || JSON.stringify(stack.resolve(a)).includes('*'),
    )) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${flattenForNag(stack.resolve(arn))}]`,
        reason:
          'Read-only (apigateway:GET, lambda:Get*) on the resources of one configured API or function: API Gateway ' +
          'authorises GET on paths below the API (resources, methods, stages, deployments), VPC links have no API ' +
          'in their ARN, and a function qualifier (version or alias) is the part after the name.',
      });
    }

    // Zero configuration: APIs found from their alarms at run time (lib/zero-config.ts).
    if (settings.discovery !== undefined) grantDiscovery(this, role, settings.discovery, flattenForNag);

    // Evidence beyond the logs (lambda/adapters/metrics-reader.ts, cloudtrail-reader.ts): one GetMetricData call and
    // a few CloudTrail lookups per alarm. Neither action supports resource-level permissions, so both need "*".
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadMetrics', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadRecentChanges', actions: ['cloudtrail:LookupEvents'], resources: ['*'] }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only cloudwatch:GetMetricData and cloudtrail:LookupEvents (read-only) are granted on "*": neither action ' +
        'supports resource-level permissions (Service Authorization Reference), so they cannot be scoped.',
    });

    // The notification ledger: one small item per alarm state change, so that an async retry of an invocation
    // whose message went out does not notify twice (lambda/adapters/notification-ledger.ts). Items expire (TTL).
    this.ledgerTable = new dynamodb.Table(this, 'NotificationLedger', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'NotificationLedger',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [this.ledgerTable.tableArn],
      }),
    );

    const timeout = Duration.seconds(settings.timeoutSec);
    const bundling: BundlingOptions = {
      forceDockerBundling: false,
      minify: true,
      sourceMap: true,
      // Stack traces are mapped by file and line; the sources themselves need not ship.
      sourcesContent: false,
      target: 'node22',
      // Non-ASCII characters in messages (…, ×, •) as UTF-8 bytes rather than \uXXXX escapes: a few bytes smaller.
      charset: Charset.UTF8,
      // ESM: the handler is written as ES modules with top-level imports; Node.js 18+ Lambda runtimes resolve the
      // runtime's AWS SDK v3 from ES modules too. The banner gives bundled CommonJS code a `require` (esbuild's
      // ESM output otherwise throws "Dynamic require of ... is not supported").
      format: OutputFormat.ESM,
      mainFields: ['module', 'main'],
      banner:
        "import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);",
      externalModules: ['@aws-sdk/*'],
    };
    this.function = new NodejsFunction(this, 'Function', {
      description: 'Diagnoses API Gateway 5xx alarms from CloudWatch Logs and publishes the cause to SNS',
      entry,
      handler: 'handler',
      runtime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: settings.memorySizeMb,
      timeout,
      reservedConcurrentExecutions: settings.reservedConcurrency,
      role,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [RUNTIME_CONFIG_ENV]: runtimeConfigJson,
        [TOPIC_ARN_ENV]: this.topic.topicArn,
        [LEDGER_TABLE_ENV]: this.ledgerTable.tableName,
      },
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.failureQueue),
      ...projectPaths(entry),
      bundling,
    });
    if (runtime === lambda.Runtime.NODEJS_22_X) {
      Validations.of(this.function).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'nodejs22.x is chosen on purpose: the handler is built and tested for Node.js 22 (supported by Lambda into ' +
          '2027). Pass `runtime` to move to a newer Node.js runtime after testing on it.',
      });
    }
    if (settings.notifications !== undefined) {
      this.notifications = new ResponderNotifications(this, 'Notifications', {
        topic: this.topic,
        settings: settings.notifications,
        logRetentionDays: settings.logRetentionDays,
        runtime,
        bundling,
        ...projectPaths(FORWARDER_ENTRY),
      });
    }

    const forwarder = this.notifications;
    this.selfMonitoring = new ResponderSelfMonitoring(this, 'SelfMonitoring', {
      alarmNamePrefix: prefix,
      stackName: stack.stackName,
      responder: {
        function: this.function,
        failureQueue: this.failureQueue,
        logGroup: this.logGroup,
        timeoutSec: settings.timeoutSec,
        reservedConcurrency: settings.reservedConcurrency,
      },
      ...(forwarder?.forwarder !== undefined &&
      forwarder.forwarderFailureQueue !== undefined &&
      forwarder.forwarderLogGroup !== undefined &&
      settings.notifications?.slackWebhook !== undefined
        ? {
            forwarder: {
              function: forwarder.forwarder,
              failureQueue: forwarder.forwarderFailureQueue,
              logGroup: forwarder.forwarderLogGroup,
              timeoutSec: settings.notifications.slackWebhook.timeoutSec,
              reservedConcurrency: settings.notifications.slackWebhook.reservedConcurrency,
            },
          }
        : {}),
    });
    this.function.addEnvironment(SELF_MONITORING_ENV, JSON.stringify(this.selfMonitoring.runtimeConfig));

    // Existing-alarms mode: no alarm of ours; the account's API Gateway 5xx alarms reach the responder by EventBridge.
    if (settings.existingAlarms !== undefined) {
      this.existingAlarmsRule = routeExistingAlarms(this, this.function, this.failureQueue, settings.existingAlarms);
    }
    // Central mode: member accounts' alarms through the central bus, read through the member roles (lib/central.ts).
    if (settings.central !== undefined) {
      this.central = wireCentral(this, this.function, role, this.failureQueue, settings.central, flattenForNag);
    }
    this.alarms = (settings.existingAlarms !== undefined ? [] : settings.apis).map((given) => {
      // A REST alarm needs the ApiName dimension: when only the id is configured, look the name up at deploy time.
      const api =
        given.type === 'REST' && given.name === undefined ? { ...given, name: restApiName(this, given.id) } : given;
      const alarm = new cloudwatch.Alarm(this, `Alarm-${api.type}-${api.id}-${api.stage}`, {
        alarmName: alarmNameOf(api),
        alarmDescription: describeAlarm(api, settings.alarm),
        metric: alarmMetric(api, settings.alarm),
        threshold:
          settings.alarm.threshold.kind === 'count' ? settings.alarm.threshold.count : settings.alarm.threshold.percent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: settings.alarm.evaluationPeriods,
        datapointsToAlarm: settings.alarm.datapointsToAlarm,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      // One permission per alarm, whatever the app's feature flags: its SourceArn is this alarm.
      const action = new LambdaAction(this.function, { useUniquePermissionId: true });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      return alarm;
    });
  }

  /**
   * Makes the responder the ALARM and OK action of an alarm made elsewhere (your own, or cdk-monitoring-constructs'):
   * the responder finds the API from the alarm's dimensions, so set `discovery` (or list the API in `apis`).
   *
   * @example
   * responder.respondTo(myApi5xxAlarm);
   */
  respondTo(alarm: cloudwatch.AlarmBase): void {
    if (this.settings.discovery === undefined) {
      Annotations.of(alarm).addWarningV2(
        'apigw-5xx-responder:alarm-without-discovery',
        'This alarm invokes the 5xx responder with discovery off: it is diagnosed only if its API is listed in apis. Set discovery: {} so the responder finds the API from the alarm.',
      );
    }
    const action = new LambdaAction(this.function, { useUniquePermissionId: true });
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }

  /**
   * An alarm action strategy for cdk-monitoring-constructs (its `IAlarmActionStrategy`: `addAlarmActions({ alarm })`):
   * pass it as `actionOverride` (per alarm) or as the facade's `alarmFactoryDefaults.action`, and every alarm it
   * creates invokes the responder on ALARM and OK (the package's own `triggerLambda` adds ALARM only).
   */
  alarmActionStrategy(): { addAlarmActions(props: { readonly alarm: cloudwatch.AlarmBase }): void } {
    return { addAlarmActions: ({ alarm }) => this.respondTo(alarm) };
  }
}

/** The error metric of one API stage, and its request count. */
function apiMetrics(api: ApiConfig, period: Duration): { errors: cloudwatch.Metric; requests: cloudwatch.Metric } {
  const dimensionsMap: Record<string, string> =
    api.type === 'REST' ? { ApiName: api.name ?? api.id, Stage: api.stage } : { ApiId: api.id, Stage: api.stage };
  const metric = (metricName: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap,
      statistic: cloudwatch.Stats.SUM,
      period,
    });
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html
  return { errors: metric(api.type === 'REST' ? '5XXError' : '5xx'), requests: metric('Count') };
}

function alarmMetric(api: ApiConfig, alarm: ResolvedAlarmSettings): cloudwatch.IMetric {
  const period = Duration.seconds(alarm.periodSec);
  const { errors, requests } = apiMetrics(api, period);
  if (alarm.threshold.kind === 'count') return errors;
  return new cloudwatch.MathExpression({
    // Below the request floor a period counts as 0 %, so a handful of failures in a quiet hour does not page.
    expression: `IF(requests >= ${alarm.threshold.minRequestCount}, 100 * errors / requests, 0)`,
    usingMetrics: { errors, requests },
    label: '5xx error rate (%)',
    period,
  });
}

function describeAlarm(api: ApiConfig, alarm: ResolvedAlarmSettings): string {
  const what = api.type === 'REST' ? `REST API ${api.name} (${api.id})` : `HTTP API ${api.name ?? api.id} (${api.id})`;
  const when =
    alarm.threshold.kind === 'count'
      ? `${alarm.threshold.count} or more 5xx responses`
      : `a 5xx rate of ${alarm.threshold.percent}% or more (from ${alarm.threshold.minRequestCount} requests)`;
  return (
    `${when} per ${alarm.periodSec} s on ${what} stage ${api.stage}, in ${alarm.datapointsToAlarm} of ` +
    `${alarm.evaluationPeriods} periods. The apigw-5xx-responder function diagnoses the cause and publishes it.`
  );
}

/**
 * Lock file and project root for local bundling, when the entry lives in this repository. In the installed package
 * (no lock file beside `dist/`) NodejsFunction finds the consuming app's lock file from the working directory.
 */
function projectPaths(entry: string): { projectRoot?: string; depsLockFilePath?: string } {
  const lockFile = join(CODE_ROOT, 'package-lock.json');
  if (!entry.startsWith(CODE_ROOT) || !existsSync(lockFile)) return {};
  return { projectRoot: CODE_ROOT, depsLockFilePath: lockFile };
}

/**
 * The string cdk-nag shows for a resolved CloudFormation value (`{ Ref: X }` as `<X>`, joins concatenated), so an
 * acknowledgement names exactly the finding it covers.
 */
export function flattenForNag(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') return `<${record.Ref}>`;
    const join = record['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(flattenForNag).join(join[0]);
    }
  }
  if (Token.isUnresolved(value)) throw new Error(`cannot name the cdk-nag finding for ${String(value)}`);
  return JSON.stringify(value);
}
