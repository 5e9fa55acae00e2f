import { randomUUID } from 'node:crypto';
import { APIGatewayClient, CreateDeploymentCommand, UpdateAccountCommand } from '@aws-sdk/client-api-gateway';
import type { RuntimeConfig } from '../lambda/config/runtime-config.js';
import { renderSlack } from '../lambda/render/slack.js';
import type { RespondOutcome } from '../lambda/respond/respond.js';
import { alarmActionEvent, LocalAwsHarness } from '../test/e2e/responder-harness.js';
import { functionErrorLog, type IncidentApi, interleave, restTrace, type TimedLine } from './incident.js';
import { createLocalRestApi, createRole } from './local-api.js';
import { clientConfig, localAwsEnv, startMoto } from './local-aws.js';
import { type MetricPoint, putMetrics, reserveConcurrency, setExecutionLogging } from './local-signals.js';

/**
 * `npm run demo`: the responder's main job on an embedded default, with no AWS account.
 * Starts a local AWS endpoint (moto server), writes one realistic incident's logs into it (orders-api/prod:
 * GET /orders/{id} failing with an unhandled TypeError in orders-get, POST /orders (orders-create) missing
 * its invoke permission, successes in between), delivers the CloudWatch alarm event to the real handler, and prints the
 * email and Slack renderings of what was published. Then a second, thin-log incident: payments-api/prod with
 * execution logging never turned on, its function throttled at its reserved concurrency, diagnosed from CloudWatch
 * metrics and the live configuration alone. Stops everything it started.
 */

/** The thin-log incident: CloudWatch metrics of a throttled function behind a stage that logs nothing. */
function thinIncidentMetrics(at: number): MetricPoint[] {
  const day = 24 * 60 * 60_000;
  const stage = { ApiName: 'payments-api', Stage: 'prod' };
  const fn = { FunctionName: 'payments-charge' };
  return [
    { namespace: 'AWS/ApiGateway', name: '5XXError', dimensions: stage, value: 412, at },
    { namespace: 'AWS/ApiGateway', name: 'Count', dimensions: stage, value: 900, at },
    { namespace: 'AWS/ApiGateway', name: '5XXError', dimensions: stage, value: 0, at: at - day },
    { namespace: 'AWS/Lambda', name: 'Throttles', dimensions: fn, value: 412, at },
    { namespace: 'AWS/Lambda', name: 'Throttles', dimensions: fn, value: 0, at: at - day },
    { namespace: 'AWS/Lambda', name: 'ConcurrentExecutions', dimensions: fn, value: 5, at },
    { namespace: 'AWS/Lambda', name: 'Invocations', dimensions: fn, value: 488, at },
    { namespace: 'AWS/Lambda', name: 'Duration', dimensions: fn, value: 840, at },
  ];
}

/** The full-log incident's metrics, as API Gateway and Lambda publish them: they agree with its logs. */
function incidentMetrics(at: number): MetricPoint[] {
  const day = 24 * 60 * 60_000;
  const stage = { ApiName: 'orders-api', Stage: 'prod' };
  return [
    { namespace: 'AWS/ApiGateway', name: '5XXError', dimensions: stage, value: 38, at },
    { namespace: 'AWS/ApiGateway', name: 'Count', dimensions: stage, value: 48, at },
    { namespace: 'AWS/ApiGateway', name: '5XXError', dimensions: stage, value: 0, at: at - day },
    { namespace: 'AWS/Lambda', name: 'Errors', dimensions: { FunctionName: 'orders-get' }, value: 30, at },
    { namespace: 'AWS/Lambda', name: 'Errors', dimensions: { FunctionName: 'orders-get' }, value: 0, at: at - day },
    { namespace: 'AWS/Lambda', name: 'Invocations', dimensions: { FunctionName: 'orders-get' }, value: 40, at },
    { namespace: 'AWS/Lambda', name: 'Duration', dimensions: { FunctionName: 'orders-get' }, value: 61, at },
    { namespace: 'AWS/Lambda', name: 'Invocations', dimensions: { FunctionName: 'orders-create' }, value: 0, at },
  ];
}

function incident(
  API: IncidentApi,
  start: number,
  stepMs: number,
): { execution: TimedLine[]; functionLog: TimedLine[] } {
  const traces: TimedLine[][] = [];
  const functionLog: TimedLine[] = [];
  const get = { method: 'GET', resourcePath: '/orders/{id}', path: '/orders/1042' };
  const post = { method: 'POST', resourcePath: '/orders', path: '/orders' };
  for (let i = 0; i < 40; i++) {
    const at = start + i * stepMs;
    const lambdaRequestId = randomUUID();
    if (i % 5 === 4) traces.push(restTrace('permission', { ...API, functionName: 'orders-create' }, post, at + 400));
    if (i % 4 === 0) {
      traces.push(restTrace('ok', API, get, at));
    } else {
      traces.push(restTrace('function_error', API, get, at, { lambdaRequestId }));
      functionLog.push(...functionErrorLog(lambdaRequestId, at + 5));
    }
  }
  return { execution: interleave(traces), functionLog };
}

function banner(title: string): void {
  process.stdout.write(`\n${'='.repeat(100)}\n${title}\n${'='.repeat(100)}\n`);
}

async function main(): Promise<number> {
  process.stdout.write('Starting a local AWS endpoint (moto server; first run installs it into .venv)...\n');
  let aws: Awaited<ReturnType<typeof startMoto>>;
  try {
    aws = await startMoto({ log: (line) => process.stdout.write(`  ${line}\n`) });
  } catch (error) {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  try {
    const harness = new LocalAwsHarness(aws.endpoint);
    // The API and its functions, as the configuration checks will read them: GET /orders/{id} may invoke
    // orders-get; POST /orders lacks the permission to invoke orders-create.
    const apiId = await createLocalRestApi(aws.endpoint, {
      name: 'orders-api',
      stage: 'prod',
      routes: [
        { method: 'GET', resourcePath: '/orders/{id}', functionName: 'orders-get', invokePermission: true },
        { method: 'POST', resourcePath: '/orders', functionName: 'orders-create', invokePermission: false },
      ],
    });
    // Then the release that starts the incident: a new deployment of the stage, in a later second than the
    // functions' creation (API Gateway dates a deployment to the second), so "changed:" leads the same way every run.
    await new Promise((done) => setTimeout(done, 1_050 - (Date.now() % 1_000)));
    await new APIGatewayClient({ ...clientConfig(aws.endpoint), maxAttempts: 1 }).send(
      new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod', description: 'release 2026.11.2' }),
    );
    // The stage logs at INFO, through the account's CloudWatch role for API Gateway.
    const roleArn = await createRole(aws.endpoint, 'apigateway-cloudwatch-logs');
    await new APIGatewayClient({ ...clientConfig(aws.endpoint), maxAttempts: 1 }).send(
      new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: roleArn }] }),
    );
    await setExecutionLogging(aws.endpoint, apiId, 'prod', 'INFO');
    // The thin-log API: execution logging never turned on, its function capped at a reserved concurrency of 5.
    const paymentsId = await createLocalRestApi(aws.endpoint, {
      name: 'payments-api',
      stage: 'prod',
      routes: [{ method: 'POST', resourcePath: '/payments', functionName: 'payments-charge', invokePermission: true }],
    });
    await reserveConcurrency(aws.endpoint, 'payments-charge', 5);
    const API: IncidentApi = {
      apiId,
      stage: 'prod',
      region: 'us-east-1',
      accountId: '123456789012',
      functionName: 'orders-get',
    };
    // The incident starts just after the functions were (re)deployed: a few seconds of failing traffic.
    const start = Date.now() + 1_000;
    const { execution, functionLog } = incident(API, start, 150);
    while (Date.now() < start + 40 * 150 + 500) await new Promise((done) => setTimeout(done, 250));
    const now = Date.now();
    await harness.writeLogGroup(`API-Gateway-Execution-Logs_${API.apiId}/${API.stage}`, execution, 4);
    await harness.writeLogGroup(`/aws/lambda/${API.functionName}`, functionLog);
    await harness.writeLogGroup('/aws/lambda/orders-create', []);
    await putMetrics(aws.endpoint, [...incidentMetrics(start), ...thinIncidentMetrics(start)]);
    const { topicArn, queueUrl } = await harness.topicWithQueue('apigw-5xx-responder-demo');
    process.stdout.write(
      `Wrote ${execution.length} execution log lines and ${functionLog.length} function log lines; topic ${topicArn}\n`,
    );

    const config: RuntimeConfig = {
      apis: [
        {
          type: 'REST',
          name: 'orders-api',
          id: apiId,
          stage: 'prod',
          alarmName: 'orders-api-prod-5xx',
          functionNames: ['orders-get', 'orders-create'],
        },
        {
          type: 'REST',
          name: 'payments-api',
          id: paymentsId,
          stage: 'prod',
          alarmName: 'payments-api-prod-5xx',
          functionNames: ['payments-charge'],
        },
      ],
      timeBudgetMs: 20_000,
      windowMarginMs: 2 * 60_000,
      maxPages: 20,
      maxEvents: 50_000,
    };
    Object.assign(process.env, localAwsEnv(aws.endpoint), {
      RESPONDER_CONFIG: JSON.stringify(config),
      TOPIC_ARN: topicArn,
    });
    const { handler } = await import('../lambda/handler.js');
    const event = alarmActionEvent({
      alarmName: 'orders-api-prod-5xx',
      apiName: 'orders-api',
      stage: 'prod',
      state: 'ALARM',
      at: now,
      evaluationStart: start - 60_000,
    });
    process.stdout.write('Delivering the CloudWatch alarm event to the responder handler...\n');
    const outcome = (await handler(event)) as RespondOutcome;
    const [message] = await harness.drain(queueUrl);
    if (message === undefined) throw new Error('nothing was published to the topic');

    // The thin-log incident: the same handler, an API whose stage logs nothing.
    process.stdout.write(
      'Delivering a second alarm: payments-api/prod, execution logging off, its function throttled...\n',
    );
    await handler(
      alarmActionEvent({
        alarmName: 'payments-api-prod-5xx',
        apiName: 'payments-api',
        stage: 'prod',
        state: 'ALARM',
        at: now,
        evaluationStart: start - 60_000,
      }),
    );
    const [thin] = await harness.drain(queueUrl);
    if (thin === undefined) throw new Error('nothing was published for the thin-log incident');

    banner(`EMAIL  Subject: ${message.Subject ?? ''}`);
    process.stdout.write(message.Message);
    const published = outcome.kind === 'published' ? outcome.notification : undefined;
    banner('SLACK (as the channel shows it: the Block Kit payload laid out as mrkdwn)');
    process.stdout.write(
      outcome.kind === 'published' && outcome.diagnosis !== undefined
        ? `${renderSlack(outcome.diagnosis)}\n`
        : '(no diagnosis)\n',
    );
    banner('SLACK via AWS Chatbot: the custom notification in the "https" entry');
    process.stdout.write(`${JSON.stringify(JSON.parse(published?.extraProtocols?.https ?? '{}'), null, 2)}\n`);
    banner('SLACK incoming webhook: the Block Kit payload in the "lambda" entry (posted by the forwarder)');
    const blocks = JSON.parse(published?.extraProtocols?.lambda ?? '{}') as { blocks?: unknown[] };
    process.stdout.write(
      `${JSON.stringify(blocks, null, 2).slice(0, 4_000)}\n... (${blocks.blocks?.length ?? 0} blocks in all)\n`,
    );
    banner('SNS message attributes (for subscription filter policies)');
    for (const [k, v] of Object.entries(message.MessageAttributes ?? {})) process.stdout.write(`${k} = ${v.Value}\n`);

    banner(`THIN-LOG EMAIL  Subject: ${thin.Subject ?? ''}`);
    process.stdout.write(thin.Message);
    return 0;
  } finally {
    await aws.stop();
    process.stdout.write('\nLocal AWS endpoint stopped.\n');
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
