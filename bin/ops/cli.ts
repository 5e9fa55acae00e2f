/**
 * `apigw-5xx check` and `apigw-5xx replay`: the commands that talk to a deployed stack (bin/cli.ts dispatches here).
 * The SDK clients are built from the usual AWS environment (credentials, AWS_REGION or --region, AWS_ENDPOINT_URL).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { CliIo } from '../cli.js';
import { type CheckReport, renderCheck, runCheck } from './check.js';
import { missingSdkMessage } from './missing-sdk.js';
import { type InvokeFunction, renderReplay, replayFailureQueue } from './replay.js';

export const OPS_USAGE = `Usage:
  apigw-5xx check  (--outputs FILE [--stack-name NAME] | --function-name NAME) [--send-test] [--region REGION]
  apigw-5xx replay (--queue-url URL --function-name NAME | --outputs FILE) [--max N] [--region REGION]

  check    after a deploy: the alarms and their actions, the function, the topic and its subscriptions, each
           watched stage's logging; --send-test also publishes a notification marked TEST through the responder.
           FILE is what \`npx cdk deploy --outputs-file FILE\` writes. Exit 0 when everything passes, 1 otherwise.
  replay   re-drives the alarm events kept in a failure queue through the function, deleting each one it handled.
           Exit 0 when every kept event was handled, 1 otherwise.
`;

class OpsUsageError extends Error {}

/** The stack outputs `cdk deploy --outputs-file` wrote: `{ "<stack>": { "<output>": "<value>" } }`. */
export async function readOutputs(file: string, stackName: string | undefined): Promise<Record<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new OpsUsageError(
      `--outputs must name the JSON file \`npx cdk deploy --outputs-file ${file}\` writes, got ${file} (${(error as Error).message})`,
    );
  }
  const stacks = Object.entries(typeof parsed === 'object' && parsed !== null ? parsed : {}) as [string, unknown][];
  const chosen = stackName !== undefined ? stacks.filter(([name]) => name === stackName) : stacks;
  const withResponder = chosen.filter(
    ([, outputs]) => typeof outputs === 'object' && outputs !== null && 'ResponderFunctionName' in outputs,
  );
  if (withResponder.length !== 1) {
    throw new OpsUsageError(
      withResponder.length === 0
        ? `${file} holds no stack with a ResponderFunctionName output${stackName !== undefined ? ` named ${stackName}` : ''}: deploy with \`npx cdk deploy --outputs-file ${file}\``
        : `${file} holds several responder stacks (${withResponder.map(([n]) => n).join(', ')}): choose one with --stack-name`,
    );
  }
  return (withResponder[0] as [string, Record<string, string>])[1];
}

function lambdaInvoker(region: string | undefined, functionName: string): InvokeFunction {
  return async (payload) => {
    const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
    const lambda = new LambdaClient(region !== undefined ? { region } : {});
    const response = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: payload }),
    );
    if (response.FunctionError !== undefined) {
      const body = response.Payload !== undefined ? Buffer.from(response.Payload).toString('utf8') : '';
      return { ok: false, error: `${response.FunctionError}: ${body.slice(0, 500)}` };
    }
    return { ok: true };
  };
}

export async function runOps(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        outputs: { type: 'string' },
        'stack-name': { type: 'string' },
        'function-name': { type: 'string' },
        'queue-url': { type: 'string' },
        'send-test': { type: 'boolean' },
        max: { type: 'string' },
        region: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, ...extra] = positionals;
    if (values.help === true) {
      io.stdout.write(OPS_USAGE);
      return 0;
    }
    if (extra.length > 0) throw new OpsUsageError(`unexpected argument "${extra[0]}"`);
    const region = values.region;
    if (command === 'replay') {
      const outputs = values.outputs !== undefined ? await readOutputs(values.outputs, values['stack-name']) : {};
      const queueUrl = values['queue-url'] ?? outputs.FailureQueueUrl;
      const functionName = values['function-name'] ?? outputs.ResponderFunctionName;
      if (queueUrl === undefined || functionName === undefined) {
        throw new OpsUsageError(
          'replay needs --queue-url URL and --function-name NAME (the alarm message names both), or --outputs FILE',
        );
      }
      const max = values.max === undefined ? 100 : Number(values.max);
      if (!Number.isInteger(max) || max < 1)
        throw new OpsUsageError(`--max must be a whole number >= 1, got ${values.max}`);
      const { SQSClient } = await import('@aws-sdk/client-sqs');
      const sqs = new SQSClient(region !== undefined ? { region } : {});
      const report = await replayFailureQueue(sqs, lambdaInvoker(region, functionName), { queueUrl, max });
      io.stdout.write(renderReplay(report, queueUrl));
      return report.failed.length + report.unreadable.length === 0 ? 0 : 1;
    }
    // check
    const outputs =
      values.outputs !== undefined
        ? await readOutputs(values.outputs, values['stack-name'])
        : values['function-name'] !== undefined
          ? { ResponderFunctionName: values['function-name'] }
          : undefined;
    if (outputs === undefined) {
      throw new OpsUsageError(
        'check needs --outputs FILE (from `npx cdk deploy --outputs-file FILE`) or --function-name NAME',
      );
    }
    const report: CheckReport = await runCheck(await import('./check-clients.js').then((m) => m.awsClients(region)), {
      outputs,
      sendTest: values['send-test'] === true,
      ...(region !== undefined ? { region } : {}),
    });
    io.stdout.write(renderCheck(report));
    return report.passed ? 0 : 1;
  } catch (error) {
    if (error instanceof OpsUsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`apigw-5xx: ${(error as Error).message}\n${OPS_USAGE}`);
      return 2;
    }
    const missing = missingSdkMessage(error);
    if (missing !== undefined) {
      io.stderr.write(missing);
      return 2;
    }
    throw error;
  }
}
