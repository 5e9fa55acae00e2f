import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { interleave, restTrace } from '../../scripts/incident.js';
import { localAwsEnv } from '../../scripts/local-aws.js';
import { captureLogLines } from '../helpers/log-lines.js';
import { bundledResponderAsset } from '../infra/helpers/synth.js';
import { alarmActionEvent, LocalAwsHarness } from './responder-harness.js';

// Before the other hooks: the handler runs in beforeAll. Its JSON log lines are taken in, not printed.
captureLogLines();

// The same esbuild output the stack deploys (cdk.out asset of the NodejsFunction), run against the local endpoint.
const endpoint = inject('awsEndpoint');
const aws = new LocalAwsHarness(endpoint);
const apiId = `bndl${randomUUID().replace(/-/g, '').slice(0, 6)}`;
const api = { apiId, stage: 'prod', region: 'us-east-1', accountId: '123456789012', functionName: 'orders-get' };
const now = Date.now();
const saved = { ...process.env };
let assetDir = '';
let queueUrl = '';
let handler: (event: unknown) => Promise<unknown>;

beforeAll(async () => {
  // Prepare: synthesize the stack with bundling on, and an incident of 5 malformed responses among successes.
  assetDir = bundledResponderAsset();
  const route = { method: 'GET', resourcePath: '/orders/{id}', path: '/orders/7' };
  const traces = Array.from({ length: 8 }, (_, i) =>
    restTrace(i % 3 === 0 ? 'ok' : 'malformed', api, route, now - 300_000 + i * 1_000),
  );
  await aws.writeLogGroup(`API-Gateway-Execution-Logs_${apiId}/prod`, interleave(traces), 2);
  const topic = await aws.topicWithQueue(`bundle-${randomUUID().slice(0, 8)}`);
  queueUrl = topic.queueUrl;
  const config: RuntimeConfig = {
    apis: [{ type: 'REST', name: 'orders-api', id: apiId, stage: 'prod', alarmName: 'orders-api-prod-5xx' }],
    timeBudgetMs: 15_000,
    windowMarginMs: 60_000,
    maxPages: 10,
    maxEvents: 10_000,
  };
  Object.assign(process.env, localAwsEnv(endpoint), {
    RESPONDER_CONFIG: JSON.stringify(config),
    TOPIC_ARN: topic.topicArn,
  });
  ({ handler } = (await import(pathToFileURL(join(assetDir, 'index.mjs')).href)) as { handler: typeof handler });
}, 240_000);

afterAll(() => {
  process.env = saved;
});

describe('the deployed bundle', () => {
  it('is a small minified ES module with its source map', () => {
    const bundle = join(assetDir, 'index.mjs');
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
    expect(statSync(bundle).size).toBeLessThan(200_000);
  });

  it('loads no AWS SDK module when imported: the clients load in the first invocation', () => {
    // A fresh process: import the bundle, count the SDK's modules Node has loaded (the SDK is CommonJS).
    const probe =
      "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" +
      'const mod = await import(process.argv[1]);' +
      "const sdk = Object.keys(require.cache).filter((k) => k.includes('@aws-sdk')).length;" +
      'process.stdout.write(JSON.stringify({ handler: typeof mod.handler, sdk }));';
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', probe, pathToFileURL(join(assetDir, 'index.mjs')).href],
      { cwd: assetDir, encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual({ handler: 'function', sdk: 0 });
  });

  it('diagnoses an alarm end to end and publishes to the topic', async () => {
    await handler(
      alarmActionEvent({
        alarmName: 'orders-api-prod-5xx',
        apiName: 'orders-api',
        stage: 'prod',
        state: 'ALARM',
        at: now - 30_000,
        evaluationStart: now - 310_000,
      }),
    );
    const messages = await aws.drain(queueUrl);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Subject).toBe('[ALARM] orders-api/prod: 502 malformed Lambda proxy response (100%)');
    expect(messages[0]?.Message.split('\n')[0]).toBe(
      'Cause: 502 malformed Lambda proxy response: 5 of 5 failed requests (100%), from logs only',
    );
    expect(messages[0]?.MessageAttributes?.cause?.Value).toBe('malformed_lambda_response');
  });
});
