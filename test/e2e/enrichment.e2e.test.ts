import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { interleave, restTrace } from '../../scripts/incident.js';
import { createLocalRestApi } from '../../scripts/local-api.js';
import { captureLogLines } from '../helpers/log-lines.js';
import {
  alarmActionEvent,
  E2E_READ_LIMITS,
  LocalAwsHarness,
  localHandler,
  type SnsEnvelope,
} from './responder-harness.js';

// Before the other hooks: the handler runs in beforeAll. Its JSON log lines are taken in, not printed.
captureLogLines();

// The handler as deployed composes the read-only configuration checks: against a REST API and functions on the
// local endpoint, each cause says what the configuration showed, and the change before the first error leads.
const endpoint = inject('awsEndpoint');
const aws = new LocalAwsHarness(endpoint);
const suffix = randomUUID().slice(0, 6);
const getFn = `enrich-get-${suffix}`;
const createFn = `enrich-create-${suffix}`;
const saved = { ...process.env };
let message: SnsEnvelope;

beforeAll(async () => {
  const apiId = await createLocalRestApi(endpoint, {
    name: `enrich-${suffix}`,
    stage: 'prod',
    routes: [
      {
        method: 'GET',
        resourcePath: '/orders/{id}',
        functionName: getFn,
        integrationMethod: 'GET',
        invokePermission: true,
      },
      { method: 'POST', resourcePath: '/orders', functionName: createFn, invokePermission: false },
    ],
  });
  const start = Date.now() + 500;
  const api = { apiId, stage: 'prod', region: 'us-east-1', accountId: '123456789012', functionName: createFn };
  const traces = [0, 1, 2].map((i) =>
    restTrace('permission', api, { method: 'POST', resourcePath: '/orders', path: '/orders' }, start + i * 100),
  );
  while (Date.now() < start + 1_000) await new Promise((done) => setTimeout(done, 100));
  await aws.writeLogGroup(`API-Gateway-Execution-Logs_${apiId}/prod`, interleave(traces));
  const topic = await aws.topicWithQueue(`enrich-${suffix}`);
  const config: RuntimeConfig = {
    apis: [
      {
        type: 'REST',
        name: 'orders-api',
        id: apiId,
        stage: 'prod',
        alarmName: `enrich-${suffix}-5xx`,
        functionNames: [getFn, createFn],
      },
    ],
    ...E2E_READ_LIMITS,
  };
  const handler = await localHandler(endpoint, config, topic.topicArn);
  await handler(
    alarmActionEvent({
      alarmName: `enrich-${suffix}-5xx`,
      apiName: 'orders-api',
      stage: 'prod',
      state: 'ALARM',
      at: Date.now(),
      evaluationStart: start - 60_000,
    }),
  );
  const messages = await aws.drain(topic.queueUrl);
  expect(messages).toHaveLength(1);
  message = messages[0] as SnsEnvelope;
}, 120_000);

afterAll(() => {
  process.env = saved;
});

describe('configuration checks in the published diagnosis', () => {
  it('confirms the missing invoke permission from the function resource policy', () => {
    expect(message.Message.split('\n')[0]).toMatch(
      /^Cause: 500 missing Lambda invoke permission: 3 of 3 failed requests \(100%\), confirmed by configuration; /,
    );
    expect(message.Message).toContain(`${createFn} has no resource policy`);
  });

  it('leads with the change that came before the first error, in the first line', () => {
    // The function and the deployment were made in the same second: either may lead.
    const [cause, route] = message.Message.split('\n');
    expect(cause).toMatch(/; changed: \S+ was (?:updated|deployed) less than a minute before the first 500$/);
    expect(route).toMatch(/^Route: POST \/orders /);
    expect(message.Message).toContain('Recent changes (newest first):');
  });
});
