import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { alarmActionEvent } from '../e2e/responder-harness.js';

/**
 * What the handler tests share: the stack's runtime configuration for one REST API, the environment the stack
 * gives the function (fake credentials, nothing reaches AWS), and an alarm event for that API.
 */
export const HANDLER_CONFIG: RuntimeConfig = {
  apis: [{ type: 'REST', name: 'orders-api', id: 'a1b2c3d4e5', stage: 'prod', alarmName: 'orders-api-prod-5xx' }],
  timeBudgetMs: 20_000,
  windowMarginMs: 120_000,
  maxPages: 10,
  maxEvents: 1_000,
};

/** Sets the function's environment (LEDGER_TABLE empty: no ledger, unless given); returns a restore function. */
export function setHandlerEnv(extra: Record<string, string> = {}): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, {
    RESPONDER_CONFIG: JSON.stringify(HANDLER_CONFIG),
    TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:responder',
    LEDGER_TABLE: '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    ...extra,
  });
  return () => {
    process.env = saved;
  };
}

/** The orders-api alarm changing state a minute ago. */
export function handlerAlarm(state: 'ALARM' | 'OK', now = Date.now()): unknown {
  return alarmActionEvent({
    alarmName: 'orders-api-prod-5xx',
    apiName: 'orders-api',
    stage: 'prod',
    state,
    at: now - 60_000,
    evaluationStart: now - 360_000,
  });
}
