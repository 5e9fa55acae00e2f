/**
 * `apigw-5xx check` against a deployment on the local AWS endpoint (moto): the synthesized template's resources are
 * created there (test/e2e/deploy-template.ts) next to a REST API stage with execution logging on, an HTTP API stage
 * created with its access log settings (moto has CreateStage but no UpdateStage for HTTP APIs), and the account's
 * CloudWatch Logs role for API Gateway set (UpdateAccount). The check passes; then a subscription, an alarm's OK
 * action, the REST stage's logging, the HTTP stage's access log and the account's role are taken away one by one and
 * the check fails, naming each and the fix; the printed AWS CLI fixes are run exactly as printed (the project's AWS
 * CLI, against the local endpoint) and the check passes again. The account's role is account-wide state: this file
 * runs against a local endpoint of its own, so no other file sees the role set or taken away. `--send-test` invokes the responder: moto stores functions
 * without running them, so the invoke runs the real handler in this process with the environment the deployed
 * function has in moto.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { APIGatewayClient, UpdateAccountCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateStageCommand,
  DeleteStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ListSubscriptionsByTopicCommand, SNSClient, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli.js';
import { ACCESS_LOG_FORMAT, type CheckClients, type CheckReport, renderCheck, runCheck } from '../../bin/ops/check.js';
import { createLocalRestApi } from '../../scripts/local-api.js';
import { clientConfig, localAwsEnv, startMoto } from '../../scripts/local-aws.js';
import { captureLogLines } from '../helpers/log-lines.js';
import { PROJECT_ROOT, synthResponder } from '../infra/helpers/synth.js';
import { type CfnTemplate, type Deployed, deployTemplate } from './deploy-template.js';

// This file changes the account-wide API Gateway settings (the CloudWatch Logs role), which other files read from
// the run's shared endpoint (thin-logs.e2e expects an account without the role): it gets a local endpoint of its own.
const local = await startMoto();
const endpoint = local.endpoint;
// The handler's JSON log lines are taken in, not printed (what it published is asserted on the topic).
captureLogLines();
const config = { ...clientConfig(endpoint), maxAttempts: 1 };
const lambda = new LambdaClient(config);
const sns = new SNSClient(config);
const cloudwatch = new CloudWatchClient(config);
const apiGateway = new APIGatewayClient(config);
const apiGatewayV2 = new ApiGatewayV2Client(config);
const saved = { ...process.env };
const suffix = randomUUID().slice(0, 8);
const AWS_CLI = join(PROJECT_ROOT, '.venv', 'bin', 'aws');

let deployed: Deployed;
let apiId = '';
let httpApiId = '';
let outdir = '';
/** The HTTP API's access log group, named in the configuration and written to by its stage. */
const httpAccessLog = `/aws/apigateway/check-http-${suffix}`;
const httpAccessLogArn = `arn:aws:logs:us-east-1:123456789012:log-group:${httpAccessLog}`;
/**
 * moto gives HTTP APIs 8-letter ids, where the configuration (like AWS) takes 10: the stack is synthesized with this
 * stand-in id, which is replaced by moto's id in the synthesized template before it is deployed.
 */
const HTTP_STAND_IN_ID = 'h0t0t0p0a0';
/** The account's CloudWatch Logs role for API Gateway, as set before the check runs (REST logging needs it). */
const LOGS_ROLE = 'arn:aws:iam::123456789012:role/apigateway-cloudwatch-logs';

/** The responder, run in this process with the environment moto keeps for the deployed function. */
const invoke: CheckClients['invoke'] = async (functionName, payload) => {
  const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  Object.assign(process.env, fn.Environment?.Variables ?? {}, localAwsEnv(endpoint), {
    AWS_LAMBDA_FUNCTION_NAME: functionName,
  });
  // moto has no DynamoDB table for the ledger here: the responder notifies without it (best effort, as designed).
  delete process.env.LEDGER_TABLE;
  vi.resetModules();
  const { handler } = await import('../../lambda/handler.js');
  try {
    return { payload: JSON.stringify(await handler(JSON.parse(payload))) };
  } catch (error) {
    return { functionError: 'Unhandled', payload: JSON.stringify({ errorMessage: (error as Error).message }) };
  }
};

const clients: CheckClients = {
  lambda,
  sns,
  cloudwatch,
  apiGateway,
  apiGatewayV2,
  sqs: new SQSClient(config),
  invoke,
};

function failures(report: CheckReport): { check: string; fix?: string }[] {
  return report.rows.filter((r) => r.status === 'FAIL').map(({ check, fix }) => ({ check, ...(fix ? { fix } : {}) }));
}

/** Runs a printed `aws ...` fix exactly as printed (every `aws` the project's AWS CLI), against the local endpoint. */
function runFix(fix: string | undefined): void {
  if (fix === undefined || !fix.startsWith('aws ')) throw new Error(`not an AWS CLI fix: ${fix}`);
  execFileSync('bash', ['-c', fix], {
    env: { ...process.env, ...localAwsEnv(endpoint), PATH: `${dirname(AWS_CLI)}:${process.env.PATH ?? ''}` },
    stdio: 'pipe',
  });
}

/** The HTTP API's `$default` stage created again (moto has no UpdateStage for HTTP APIs), with these access log settings. */
async function recreateHttpStage(accessLogSettings?: { DestinationArn: string; Format: string }): Promise<void> {
  await apiGatewayV2.send(new DeleteStageCommand({ ApiId: httpApiId, StageName: '$default' }));
  await apiGatewayV2.send(
    new CreateStageCommand({
      ApiId: httpApiId,
      StageName: '$default',
      AutoDeploy: true,
      ...(accessLogSettings !== undefined ? { AccessLogSettings: accessLogSettings } : {}),
    }),
  );
}

beforeAll(async () => {
  apiId = await createLocalRestApi(endpoint, {
    name: `check-api-${suffix}`,
    stage: 'prod',
    routes: [{ method: 'GET', resourcePath: '/orders', functionName: `orders-${suffix}`, invokePermission: true }],
  });
  await apiGateway.send(
    new UpdateStageCommand({
      restApiId: apiId,
      stageName: 'prod',
      patchOperations: [{ op: 'replace', path: '/*/*/logging/loglevel', value: 'ERROR' }],
    }),
  );
  await apiGateway.send(
    new UpdateAccountCommand({
      patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: LOGS_ROLE }],
    }),
  );
  // An HTTP API whose stage writes its access log from the start (CreateStage takes AccessLogSettings in moto).
  const http = await apiGatewayV2.send(new CreateApiCommand({ Name: `check-http-${suffix}`, ProtocolType: 'HTTP' }));
  httpApiId = http.ApiId ?? '';
  await apiGatewayV2.send(
    new CreateStageCommand({
      ApiId: httpApiId,
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: httpAccessLogArn, Format: ACCESS_LOG_FORMAT.HTTP },
    }),
  );
  const synthesized = synthResponder({
    apis: [
      { type: 'REST', name: `check-api-${suffix}`, id: apiId, stage: 'prod' },
      {
        type: 'HTTP',
        name: `check-http-${suffix}`,
        id: HTTP_STAND_IN_ID,
        stage: '$default',
        accessLogGroup: httpAccessLog,
      },
    ],
    emails: ['oncall@example.com', 'lead@example.com'],
    alarmNamePrefix: `check-${suffix}`,
  });
  outdir = synthesized.outdir;
  const template = JSON.parse(
    JSON.stringify(synthesized.template.toJSON()).replaceAll(HTTP_STAND_IN_ID, httpApiId),
  ) as CfnTemplate;
  deployed = await deployTemplate(endpoint, template, suffix);
}, 120_000);

afterAll(async () => {
  process.env = saved;
  rmSync(outdir, { recursive: true, force: true });
  await local.stop();
});

describe('apigw-5xx check against a deployment on the local endpoint', () => {
  it('passes: the function, topic, subscriptions, every alarm and its actions, the stage logging, the queue', async () => {
    // Act
    const report = await runCheck(clients, { outputs: deployed.outputs });
    // Assess
    expect(failures(report)).toEqual([]);
    expect(report.passed).toBe(true);
    const checks = report.rows.map((r) => r.check);
    expect(checks).toContain(`function ${deployed.functionName}`);
    expect(checks).toContain(`alarm check-${suffix}-${apiId}-prod-5xx`);
    expect(report.rows).toContainEqual({
      status: 'OK',
      check: `stage check-http-${suffix}/$default (HTTP ${httpApiId}) access log`,
      detail: `to ${httpAccessLogArn}`,
    });
    expect(report.rows).toContainEqual({
      status: 'OK',
      check: 'account CloudWatch Logs role for API Gateway (us-east-1)',
      detail: LOGS_ROLE,
    });
    expect(checks.filter((c) => c.startsWith(`alarm check-${suffix}-responder-`))).toHaveLength(4);
    expect(report.rows.find((r) => r.check === 'subscriptions')?.detail).toBe('2 confirmed, 0 pending confirmation');
    expect(renderCheck(report)).toMatch(/\nPASSED: \d+ checks\n$/);
  });

  it('sends a TEST notification through the responder when asked, and reports the id the topic accepted', async () => {
    // Act
    const report = await runCheck(clients, { outputs: deployed.outputs, sendTest: true });
    const row = report.rows.find((r) => r.check === 'test notification');
    const answer = JSON.parse(
      (await invoke(deployed.functionName, JSON.stringify({ source: 'apigw-5xx.check' }))).payload,
    );
    // Assess
    expect(row).toMatchObject({
      status: 'OK',
      detail: expect.stringMatching(/^the topic accepted message \S+ \(marked TEST\)/),
    });
    expect(answer.kind).toBe('published');
    const { subject, emailText, defaultText, extraProtocols } = answer.notification;
    expect(subject).toMatch(/^\[TEST\] /);
    for (const text of [emailText, defaultText, extraProtocols.https, extraProtocols.lambda]) {
      expect(text).toContain('TEST');
      expect(text).toContain('no API is failing');
    }
  });

  it('fails when a subscription is missing, names it, and passes once the printed fix ran', async () => {
    // Prepare
    const { Subscriptions = [] } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: deployed.topicArn }));
    const lead = Subscriptions.find((s) => s.Endpoint === 'lead@example.com');
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: lead?.SubscriptionArn }));
    // Act
    const broken = await runCheck(clients, { outputs: deployed.outputs });
    // Assess
    expect(broken.passed).toBe(false);
    expect(failures(broken)).toEqual([
      {
        check: 'subscription email:lead@example.com',
        fix: `aws sns subscribe --topic-arn ${deployed.topicArn} --protocol email --notification-endpoint lead@example.com --region us-east-1`,
      },
    ]);
    runFix(failures(broken)[0]?.fix);
    expect((await runCheck(clients, { outputs: deployed.outputs })).passed).toBe(true);
  });

  it("fails when an alarm's OK action no longer invokes the responder, and names the fix", async () => {
    // Prepare: the alarm put again without its OK action.
    const name = `check-${suffix}-responder-errors`;
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
    const alarm = MetricAlarms[0];
    if (alarm === undefined) throw new Error(`${name} was not deployed`);
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: alarm.Namespace,
        MetricName: alarm.MetricName,
        Dimensions: alarm.Dimensions,
        Statistic: alarm.Statistic,
        Period: alarm.Period,
        EvaluationPeriods: alarm.EvaluationPeriods,
        Threshold: alarm.Threshold,
        ComparisonOperator: alarm.ComparisonOperator,
        AlarmActions: alarm.AlarmActions,
        OKActions: [],
      }),
    );
    // Act
    const report = await runCheck(clients, { outputs: deployed.outputs });
    // Assess
    expect(failures(report)).toEqual([
      {
        check: `alarm ${name}`,
        fix: 'deploy the stack again: npx cdk deploy -c config=my-config.json (restores the actions)',
      },
    ]);
    expect(report.rows.find((r) => r.check === `alarm ${name}`)?.detail).toBe(
      'its OK action does not invoke the responder',
    );
    // Restore it as the deployment had it, for the next test.
    await cloudwatch.send(
      new PutMetricAlarmCommand({ ...alarm, AlarmName: name, OKActions: alarm.OKActions } as never),
    );
  });

  it("fails when the stage's execution logging is off, prints the command that turns it on, which works", async () => {
    // Prepare
    await apiGateway.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'prod',
        patchOperations: [{ op: 'replace', path: '/*/*/logging/loglevel', value: 'OFF' }],
      }),
    );
    // Act
    const broken = await runCheck(clients, { outputs: deployed.outputs });
    // Assess
    const [failure] = failures(broken);
    expect(failures(broken)).toHaveLength(1);
    expect(failure).toEqual({
      check: `stage check-api-${suffix}/prod (REST ${apiId}) execution log`,
      fix: `aws apigateway update-stage --rest-api-id ${apiId} --stage-name prod --patch-operations 'op=replace,path=/*/*/logging/loglevel,value=ERROR' --region us-east-1`,
    });
    expect(renderCheck(broken)).toContain(`        fix: ${failure?.fix}\n`);
    runFix(failure?.fix);
    const fixed = await runCheck(clients, { outputs: deployed.outputs });
    expect(failures(fixed)).toEqual([]);
  });

  it('runs as `apigw-5xx check --outputs FILE` from what `cdk deploy --outputs-file` writes, exit 0 and a table', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'apigw-5xx-check-'));
    const file = join(dir, 'cdk-outputs.json');
    writeFileSync(file, JSON.stringify({ ApiGateway5xxResponder: deployed.outputs }));
    Object.assign(process.env, localAwsEnv(endpoint));
    let out = '';
    let err = '';
    const io = {
      stdin: (async function* () {})(),
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
    };
    // Act
    const code = await main(['check', '--outputs', file], io);
    const missing = await main(['check', '--outputs', join(dir, 'none.json')], io);
    rmSync(dir, { recursive: true, force: true });
    // Assess
    expect(code, err).toBe(0);
    expect(out).toMatch(/^STATUS {2}CHECK +DETAIL\nOK {4} {2}function /);
    expect(out).toContain('PASSED: ');
    expect(missing).toBe(2);
    expect(err).toContain('--outputs must name the JSON file `npx cdk deploy --outputs-file');
  });

  it("fails when the HTTP API stage writes no access log, names the command, and passes with that command's settings", async () => {
    // Prepare: the stage without access logging.
    await recreateHttpStage();
    // Act
    const broken = await runCheck(clients, { outputs: deployed.outputs });
    // Assess
    const [failure] = failures(broken);
    expect(failures(broken)).toHaveLength(1);
    const settings = { DestinationArn: httpAccessLogArn, Format: ACCESS_LOG_FORMAT.HTTP };
    expect(failure).toEqual({
      check: `stage check-http-${suffix}/$default (HTTP ${httpApiId}) access log`,
      fix: `aws apigatewayv2 update-stage --api-id ${httpApiId} --stage-name '$default' --access-log-settings '${JSON.stringify(settings)}' --region us-east-1`,
    });
    // moto has no UpdateStage for HTTP APIs: the settings the printed command passes (as the shell hands them to
    // the AWS CLI) are given to a new stage instead, and the check passes.
    const words = execFileSync('bash', ['-c', `printf '%s\\0' ${failure?.fix?.slice(4)}`], { encoding: 'utf8' }).split(
      '\0',
    );
    const printed = JSON.parse(words[words.indexOf('--access-log-settings') + 1] ?? '');
    expect(words[words.indexOf('--stage-name') + 1]).toBe('$default');
    await recreateHttpStage(printed);
    expect(failures(await runCheck(clients, { outputs: deployed.outputs }))).toEqual([]);
  });

  it('fails when the account has no CloudWatch Logs role for API Gateway, and passes once the printed commands ran', async () => {
    // Prepare: the role taken off the account (REST stages then write no log at all).
    await apiGateway.send(
      new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: '' }] }),
    );
    // Act
    const broken = await runCheck(clients, { outputs: deployed.outputs });
    // Assess
    const [failure] = failures(broken);
    expect(failures(broken)).toHaveLength(1);
    expect(failure?.check).toBe('account CloudWatch Logs role for API Gateway (us-east-1)');
    expect(failure?.fix).toContain(
      'aws iam attach-role-policy --role-name apigateway-cloudwatch-logs --policy-arn arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
    );
    expect(failure?.fix).toMatch(
      / && aws apigateway update-account --patch-operations op=replace,path=\/cloudwatchRoleArn,value=arn:aws:iam::123456789012:role\/apigateway-cloudwatch-logs --region us-east-1$/,
    );
    // The printed commands run as printed, but for the attach-role-policy one: moto loads AWS managed policies only
    // when its IAM backend starts with MOTO_IAM_LOAD_MANAGED_POLICIES=true, which the shared local endpoint does not
    // set (every attach of arn:aws:iam::aws:policy/... fails there with NoSuchEntity).
    const commands = (failure?.fix ?? '').split(' && ');
    expect(commands).toHaveLength(3);
    runFix(commands[0]);
    runFix(commands[2]);
    const fixed = await runCheck(clients, { outputs: deployed.outputs });
    expect(failures(fixed)).toEqual([]);
    expect(fixed.rows.find((r) => r.check === failure?.check)?.detail).toBe(LOGS_ROLE);
  });
});
