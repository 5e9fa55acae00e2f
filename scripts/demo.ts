import { randomUUID } from 'node:crypto';
import { APIGatewayClient, CreateDeploymentCommand } from '@aws-sdk/client-api-gateway';
import type { RuntimeConfig } from '../lambda/config/runtime-config.js';
import { renderSlack } from '../lambda/render/slack.js';
import type { RespondOutcome } from '../lambda/respond/respond.js';
import { alarmActionEvent, LocalAwsHarness } from '../test/e2e/responder-harness.js';
import { functionErrorLog, type IncidentApi, interleave, restTrace, type TimedLine } from './incident.js';
import { createLocalRestApi } from './local-api.js';
import { clientConfig, localAwsEnv, startMoto } from './local-aws.js';

/**
 * `npm run demo`: the responder's main job on an embedded default, with no AWS account.
 * Starts a local AWS endpoint (moto server), writes one realistic incident's logs into it (orders-api/prod:
 * GET /orders/{id} failing with an unhandled TypeError in orders-get, POST /orders (orders-create) missing
 * its invoke permission, successes in between), delivers the CloudWatch alarm event to the real handler, and prints the
 * email and Slack renderings of what was published. Stops everything it started.
 */

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
