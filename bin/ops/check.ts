/**
 * `apigw-5xx check`: proves a deployment's wiring. From the stack outputs (the responder function's name) it reads
 * the function's own configuration (the APIs, alarm names, topic and failure queue the stack gave it) and checks:
 * the function; every alarm exists, has its actions on, and invokes the responder on ALARM and OK; the topic and
 * its subscriptions (pending email confirmations counted); each watched stage's logging, with the command that turns
 * on what is missing, and for REST APIs the account's CloudWatch Logs role for API Gateway; the failure queue is empty. With `sendTest`, the responder is invoked with a TEST event and
 * must answer with the id of the message the topic accepted. Every failed row names its fix.
 */
import { type APIGatewayClient, GetAccountCommand, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { type ApiGatewayV2Client, GetStageCommand as GetHttpStageCommand } from '@aws-sdk/client-apigatewayv2';
import { type CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  type SNSClient,
  type Subscription,
} from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  RUNTIME_CONFIG_ENV,
  type RuntimeApiConfig,
  type RuntimeConfig,
  SELF_MONITORING_ENV,
  type SelfMonitoringConfig,
  TOPIC_ARN_ENV,
} from '../../lambda/config/runtime-config.js';
import { CHECK_TEST_SOURCE } from '../../lambda/respond/self-alarm.js';
import { shellQuote } from '../../lambda/summarize/remedy.js';

export interface CheckClients {
  readonly lambda: LambdaClient;
  readonly sns: SNSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly apiGateway: APIGatewayClient;
  readonly apiGatewayV2: ApiGatewayV2Client;
  readonly sqs: SQSClient;
  /** Invokes the responder synchronously: Lambda Invoke in the CLI, the handler in process in tests. */
  readonly invoke: (functionName: string, payload: string) => Promise<{ functionError?: string; payload: string }>;
}

export interface CheckOptions {
  /** Stack outputs: `ResponderFunctionName` (required), `TopicArn`, `Subscriptions` (`protocol:endpoint`, comma separated). */
  readonly outputs: Readonly<Record<string, string>>;
  readonly sendTest?: boolean;
  readonly region?: string;
}

export type RowStatus = 'OK' | 'WARN' | 'FAIL';

export interface CheckRow {
  readonly status: RowStatus;
  readonly check: string;
  readonly detail: string;
  /** What to run or do, for WARN and FAIL. */
  readonly fix?: string;
}

export interface CheckReport {
  readonly rows: readonly CheckRow[];
  /** No FAIL row. */
  readonly passed: boolean;
}

/** The access log format the diagnosis reads best (lambda/parse/access-log.ts), per API type. */
export const ACCESS_LOG_FORMAT: Record<'REST' | 'HTTP', string> = {
  REST: '{"requestId":"$context.requestId","status":"$context.status","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","integrationStatus":"$context.integration.status","integrationErrorMessage":"$context.integration.error","errorMessage":"$context.error.message"}',
  HTTP: '{"requestId":"$context.requestId","status":"$context.status","routeKey":"$context.routeKey","integrationStatus":"$context.integrationStatus","integrationErrorMessage":"$context.integrationErrorMessage","errorMessage":"$context.error.message"}',
};

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function arnParts(arn: string): { region?: string; account?: string } {
  const [, , , region, account] = arn.split(':');
  return { ...(region ? { region } : {}), ...(account ? { account } : {}) };
}

/** The unqualified function ARN (`...:function:NAME`), for comparing with alarm actions. */
function unqualified(arn: string): string {
  return arn.split(':').slice(0, 7).join(':');
}

function parseJson<T>(raw: string | undefined): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

async function checkAlarms(
  clients: CheckClients,
  names: readonly { name: string; what: string }[],
  functionArn: string,
  rows: CheckRow[],
  deployFix: string,
): Promise<void> {
  const found = new Map<string, MetricAlarm>();
  for (let i = 0; i < names.length; i += 100) {
    const { MetricAlarms = [] } = await clients.cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100).map((n) => n.name), MaxRecords: 100 }),
    );
    for (const alarm of MetricAlarms) if (alarm.AlarmName !== undefined) found.set(alarm.AlarmName, alarm);
  }
  for (const { name, what } of names) {
    const alarm = found.get(name);
    const check = `alarm ${name}`;
    if (alarm === undefined) {
      rows.push({ status: 'FAIL', check, detail: `missing (${what})`, fix: deployFix });
      continue;
    }
    const invokes = (arns: readonly string[] | undefined) =>
      (arns ?? []).some((a) => unqualified(a) === unqualified(functionArn));
    const problems: string[] = [];
    if (!invokes(alarm.AlarmActions)) problems.push('its ALARM action does not invoke the responder');
    if (!invokes(alarm.OKActions)) problems.push('its OK action does not invoke the responder');
    if (alarm.ActionsEnabled === false) {
      rows.push({
        status: 'FAIL',
        check,
        detail: ['actions are disabled', ...problems].join('; '),
        fix: `aws cloudwatch enable-alarm-actions --alarm-names ${shellQuote(name)}${problems.length > 0 ? `; then ${deployFix}` : ''}`,
      });
    } else if (problems.length > 0) {
      rows.push({ status: 'FAIL', check, detail: problems.join('; '), fix: `${deployFix} (restores the actions)` });
    } else {
      rows.push({ status: 'OK', check, detail: `${what}; ALARM and OK invoke the responder (${alarm.StateValue})` });
    }
  }
}

async function checkSubscriptions(
  clients: CheckClients,
  topicArn: string,
  expected: readonly string[] | undefined,
  region: string,
  rows: CheckRow[],
): Promise<void> {
  const subscriptions: Subscription[] = [];
  let next: string | undefined;
  do {
    const page = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: next }));
    subscriptions.push(...(page.Subscriptions ?? []));
    next = page.NextToken;
  } while (next !== undefined);
  const pending = subscriptions.filter((s) => s.SubscriptionArn === 'PendingConfirmation');
  const key = (protocol: string | undefined, endpoint: string | undefined) => `${protocol}:${endpoint}`;
  const have = new Set(subscriptions.map((s) => key(s.Protocol, s.Endpoint)));
  for (const want of expected ?? []) {
    if (have.has(want)) continue;
    const [protocol = '', ...rest] = want.split(':');
    const endpoint = rest.join(':');
    rows.push({
      status: 'FAIL',
      check: `subscription ${want}`,
      detail: 'missing: this recipient gets no notification',
      fix: `aws sns subscribe --topic-arn ${shellQuote(topicArn)} --protocol ${shellQuote(protocol)} --notification-endpoint ${shellQuote(endpoint)} --region ${shellQuote(region)}`,
    });
  }
  if (subscriptions.length === 0) {
    rows.push({
      status: 'FAIL',
      check: 'subscriptions',
      detail: 'the topic has no subscription: nobody would be told',
      fix: 'set emails (or chatbot / slackWebhook) in the configuration and deploy again',
    });
  } else {
    rows.push({
      status: pending.length > 0 ? 'WARN' : 'OK',
      check: 'subscriptions',
      detail: `${subscriptions.length - pending.length} confirmed, ${pending.length} pending confirmation`,
      ...(pending.length > 0
        ? {
            fix: `ask ${pending.map((p) => p.Endpoint).join(', ')} to click the link in the email from AWS Notifications (it expires after 3 days; \`aws sns subscribe\` sends a new one)`,
          }
        : {}),
    });
  }
}

async function checkStage(
  clients: CheckClients,
  api: RuntimeApiConfig,
  where: { region: string; account: string },
  rows: CheckRow[],
): Promise<void> {
  const label = `stage ${api.name ?? api.id}/${api.stage} (${api.type} ${api.id})`;
  const accessArn = (group: string) => `arn:aws:logs:${where.region}:${where.account}:log-group:${group}`;
  const region = ` --region ${shellQuote(where.region)}`;
  try {
    if (api.type === 'REST') {
      const stage = await clients.apiGateway.send(new GetStageCommand({ restApiId: api.id, stageName: api.stage }));
      const level = stage.methodSettings?.['*/*']?.loggingLevel;
      if (level === 'ERROR' || level === 'INFO') {
        rows.push({ status: 'OK', check: `${label} execution log`, detail: `level ${level}` });
      } else {
        rows.push({
          status: 'FAIL',
          check: `${label} execution log`,
          detail: `execution logging is ${level ?? 'OFF'}: the responder can only say that logging is off`,
          fix: `aws apigateway update-stage --rest-api-id ${shellQuote(api.id)} --stage-name ${shellQuote(api.stage)} --patch-operations 'op=replace,path=/*/*/logging/loglevel,value=ERROR'${region}`,
        });
      }
      if (api.accessLogGroup !== undefined) {
        const destination = stage.accessLogSettings?.destinationArn;
        const ok = destination?.replace(/:\*$/, '').endsWith(`:log-group:${api.accessLogGroup}`) === true;
        rows.push(
          ok
            ? { status: 'OK', check: `${label} access log`, detail: `to ${api.accessLogGroup}` }
            : {
                status: 'FAIL',
                check: `${label} access log`,
                detail: `the stage does not write its access log to ${api.accessLogGroup} (${destination ?? 'no access log'})`,
                fix: `aws apigateway update-stage --rest-api-id ${shellQuote(api.id)} --stage-name ${shellQuote(api.stage)} --patch-operations ${shellQuote(`op=replace,path=/accessLogSettings/destinationArn,value=${accessArn(api.accessLogGroup)}`)} ${shellQuote(`op=replace,path=/accessLogSettings/format,value=${ACCESS_LOG_FORMAT.REST}`)}${region}`,
              },
        );
      }
      return;
    }
    const stage = await clients.apiGatewayV2.send(new GetHttpStageCommand({ ApiId: api.id, StageName: api.stage }));
    const destination = stage.AccessLogSettings?.DestinationArn;
    const wanted = api.accessLogGroup;
    const ok =
      destination !== undefined &&
      (wanted === undefined || destination.replace(/:\*$/, '').endsWith(`:log-group:${wanted}`));
    const group = wanted ?? `/aws/apigateway/${api.id}-${api.stage.replace(/[^A-Za-z0-9_-]/g, '')}-access`;
    rows.push(
      ok
        ? { status: 'OK', check: `${label} access log`, detail: `to ${destination}` }
        : {
            status: 'FAIL',
            check: `${label} access log`,
            detail: `HTTP APIs have no execution log and the stage writes no access log${wanted !== undefined ? ` to ${wanted}` : ''}: nothing to diagnose from`,
            fix: `aws apigatewayv2 update-stage --api-id ${shellQuote(api.id)} --stage-name ${shellQuote(api.stage)} --access-log-settings ${shellQuote(JSON.stringify({ DestinationArn: accessArn(group), Format: ACCESS_LOG_FORMAT.HTTP }))}${region}${wanted === undefined ? ` (create the log group first, and set accessLogGroup to ${group})` : ''}`,
          },
    );
  } catch (error) {
    rows.push({
      status: 'FAIL',
      check: label,
      detail: `cannot read the stage: ${errorName(error)}`,
      fix: 'check apis[].id and apis[].stage in the configuration (`aws apigateway get-stages --rest-api-id ID`, `aws apigatewayv2 get-stages --api-id ID`)',
    });
  }
}

/** The role API Gateway writes REST stages' logs with, and the commands that make and set it. */
export const LOGS_ROLE_NAME = 'apigateway-cloudwatch-logs';
const LOGS_ROLE_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/**
 * REST stages write no execution or access log unless the account (per Region) names a CloudWatch Logs role for
 * API Gateway (GetAccount `cloudwatchRoleArn`): the stage settings alone say logging is on while nothing arrives.
 */
async function checkLogsRole(
  clients: CheckClients,
  where: { region: string; account: string },
  rows: CheckRow[],
): Promise<void> {
  const check = `account CloudWatch Logs role for API Gateway (${where.region})`;
  try {
    const account = await clients.apiGateway.send(new GetAccountCommand({}));
    const role = account.cloudwatchRoleArn;
    if (role !== undefined && role !== null && role !== '') {
      rows.push({ status: 'OK', check, detail: role });
      return;
    }
    const region = ` --region ${shellQuote(where.region)}`;
    const arn = `arn:aws:iam::${where.account}:role/${LOGS_ROLE_NAME}`;
    rows.push({
      status: 'FAIL',
      check,
      detail:
        'the account has no CloudWatch Logs role for API Gateway (get-account shows no cloudwatchRoleArn): REST stages write no execution or access log at all',
      fix: [
        `aws iam create-role --role-name ${LOGS_ROLE_NAME} --assume-role-policy-document ${shellQuote(LOGS_ROLE_TRUST)}`,
        `aws iam attach-role-policy --role-name ${LOGS_ROLE_NAME} --policy-arn arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`,
        `aws apigateway update-account --patch-operations ${shellQuote(`op=replace,path=/cloudwatchRoleArn,value=${arn}`)}${region}`,
      ].join(' && '),
    });
  } catch (error) {
    rows.push({
      status: 'WARN',
      check,
      detail: `cannot read the account settings: ${errorName(error)}`,
      fix: `aws apigateway get-account --region ${where.region} must show a cloudwatchRoleArn`,
    });
  }
}

export async function runCheck(clients: CheckClients, options: CheckOptions): Promise<CheckReport> {
  const rows: CheckRow[] = [];
  const done = (): CheckReport => ({ rows, passed: rows.every((r) => r.status !== 'FAIL') });
  const functionName = options.outputs.ResponderFunctionName;
  const deployFix = 'deploy the stack again: npx cdk deploy -c config=my-config.json';
  if (functionName === undefined) {
    rows.push({ status: 'FAIL', check: 'outputs', detail: 'no ResponderFunctionName output', fix: deployFix });
    return done();
  }
  let env: Record<string, string> = {};
  let functionArn = '';
  try {
    const fn = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    env = fn.Environment?.Variables ?? {};
    functionArn = fn.FunctionArn ?? '';
    rows.push({
      status: 'OK',
      check: `function ${functionName}`,
      detail: `${fn.Runtime ?? '?'}, timeout ${fn.Timeout ?? '?'} s, state ${fn.State ?? 'Active'}`,
    });
  } catch (error) {
    rows.push({ status: 'FAIL', check: `function ${functionName}`, detail: errorName(error), fix: deployFix });
    return done();
  }
  const config = parseJson<RuntimeConfig>(env[RUNTIME_CONFIG_ENV]);
  const self = parseJson<SelfMonitoringConfig>(env[SELF_MONITORING_ENV]);
  const topicArn = env[TOPIC_ARN_ENV] ?? options.outputs.TopicArn;
  const { region = options.region ?? 'us-east-1', account = '123456789012' } = arnParts(functionArn);
  if (config === undefined || topicArn === undefined) {
    rows.push({
      status: 'FAIL',
      check: `function ${functionName} configuration`,
      detail: `${RUNTIME_CONFIG_ENV} or ${TOPIC_ARN_ENV} missing or not JSON: not a responder deployed by this stack`,
      fix: deployFix,
    });
    return done();
  }

  // The topic and who hears from it.
  try {
    await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    rows.push({ status: 'OK', check: 'topic', detail: topicArn });
    const expected = options.outputs.Subscriptions?.split(',').filter((s) => s !== '' && s !== 'none');
    await checkSubscriptions(clients, topicArn, expected, region, rows);
  } catch (error) {
    rows.push({ status: 'FAIL', check: 'topic', detail: `${topicArn}: ${errorName(error)}`, fix: deployFix });
  }

  // Every alarm the stack made, API alarms first.
  const alarms = [
    ...config.apis.flatMap((api) =>
      api.alarmName !== undefined ? [{ name: api.alarmName, what: `5xx on ${api.name ?? api.id}/${api.stage}` }] : [],
    ),
    ...(self?.alarms ?? []).map((a) => ({ name: a.alarmName, what: `self-monitoring: ${a.kind}` })),
  ];
  await checkAlarms(clients, alarms, functionArn, rows, deployFix);
  if (self === undefined) {
    rows.push({
      status: 'FAIL',
      check: 'self-monitoring',
      detail: `${SELF_MONITORING_ENV} is not set: nobody is told when the responder fails`,
      fix: deployFix,
    });
  }

  // What the diagnosis reads.
  if (config.apis.some((api) => api.type === 'REST')) await checkLogsRole(clients, { region, account }, rows);
  for (const api of config.apis) await checkStage(clients, api, { region, account }, rows);

  // Alarms that went undiagnosed.
  if (self !== undefined) {
    try {
      const attrs = await clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: self.responder.failureQueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      const kept = Number(attrs.Attributes?.ApproximateNumberOfMessages ?? '0');
      rows.push(
        kept === 0
          ? { status: 'OK', check: 'failure queue', detail: 'empty: no alarm went undiagnosed' }
          : {
              status: 'WARN',
              check: 'failure queue',
              detail: `${kept} alarm event(s) the responder could not handle are kept`,
              fix: `npx apigw-5xx replay --queue-url ${shellQuote(self.responder.failureQueueUrl)} --function-name ${shellQuote(functionName)} --region ${shellQuote(region)}`,
            },
      );
    } catch (error) {
      rows.push({ status: 'WARN', check: 'failure queue', detail: `cannot read it: ${errorName(error)}` });
    }
  }

  if (options.sendTest === true) {
    const event = { source: CHECK_TEST_SOURCE, requestedAt: new Date().toISOString() };
    try {
      const answer = await clients.invoke(functionName, JSON.stringify(event));
      const outcome = parseJson<{ kind?: string; messageId?: string }>(answer.payload);
      if (answer.functionError === undefined && outcome?.kind === 'published' && outcome.messageId !== undefined) {
        rows.push({
          status: 'OK',
          check: 'test notification',
          detail: `the topic accepted message ${outcome.messageId} (marked TEST); look for it in every channel`,
        });
      } else {
        rows.push({
          status: 'FAIL',
          check: 'test notification',
          detail:
            `the responder did not publish it: ${answer.functionError ?? ''} ${answer.payload.slice(0, 300)}`.trim(),
          fix: `read the responder's log: aws logs tail /aws/lambda/${functionName} --since 10m --region ${region}`,
        });
      }
    } catch (error) {
      rows.push({ status: 'FAIL', check: 'test notification', detail: errorName(error), fix: deployFix });
    }
  }
  return done();
}

/** A short table, one row per check, the fix under each row that has one; then the verdict. */
export function renderCheck(report: CheckReport): string {
  const width = Math.min(60, Math.max(5, ...report.rows.map((r) => r.check.length)));
  const lines = [`${'STATUS'.padEnd(6)}  ${'CHECK'.padEnd(width)}  DETAIL`];
  for (const row of report.rows) {
    lines.push(`${row.status.padEnd(6)}  ${row.check.padEnd(width)}  ${row.detail}`);
    if (row.fix !== undefined) lines.push(`${' '.repeat(8)}fix: ${row.fix}`);
  }
  const failed = report.rows.filter((r) => r.status === 'FAIL').length;
  const warned = report.rows.filter((r) => r.status === 'WARN').length;
  lines.push(
    '',
    failed === 0
      ? `PASSED: ${report.rows.length} checks${warned > 0 ? `, ${warned} warning(s)` : ''}`
      : `FAILED: ${failed} of ${report.rows.length} checks; run each fix above, then check again`,
  );
  return `${lines.join('\n')}\n`;
}
