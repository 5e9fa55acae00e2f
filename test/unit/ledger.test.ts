import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoDbNotificationLedger } from '../../lambda/adapters/notification-ledger.js';
import type { Notification } from '../../lambda/adapters/publisher.js';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { parseAlarmEvent } from '../../lambda/respond/alarm-event.js';
import { changeKey, type NotificationLedgerPort, respond } from '../../lambda/respond/respond.js';
import { alarmActionEvent } from '../e2e/responder-harness.js';

const NOW = Date.parse('2026-11-25T03:20:00.000Z');
const EVENT = alarmActionEvent({
  alarmName: 'orders-api-prod-5xx',
  apiName: 'orders-api',
  stage: 'prod',
  state: 'OK',
  at: NOW - 60_000,
});
const CONFIG: RuntimeConfig = {
  apis: [{ type: 'REST', name: 'orders-api', id: 'a1b2c3d4e5', stage: 'prod', alarmName: 'orders-api-prod-5xx' }],
  timeBudgetMs: 20_000,
  windowMarginMs: 60_000,
  maxPages: 5,
  maxEvents: 100,
};

function ledger(overrides: Partial<NotificationLedgerPort> = {}) {
  const calls: string[] = [];
  const port: NotificationLedgerPort = {
    claim: async (key) => {
      calls.push(`claim ${key}`);
      return { kind: 'claimed' };
    },
    markPublished: async (key, id) => void calls.push(`published ${key} ${id}`),
    release: async (key) => void calls.push(`release ${key}`),
    ...overrides,
  };
  return { port, calls };
}

function deps(l: NotificationLedgerPort, publish: (n: Notification) => Promise<{ messageId: string }>) {
  return {
    reader: { read: async () => ({ events: [], pages: 0, bytes: 0, matched: 0, stoppedBy: 'end' as const }) },
    publisher: { publish },
    config: CONFIG,
    now: () => NOW,
    log: vi.fn(),
    ledger: l,
  };
}

const KEY = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api-prod-5xx#OK#${NOW - 60_000}`;

describe('respond with a notification ledger', () => {
  it('uses one deterministic key per alarm state change', () => {
    expect(changeKey(parseAlarmEvent(EVENT))).toBe(KEY);
  });

  it('claims, publishes, then records the message id', async () => {
    const { port, calls } = ledger();
    await respond(
      EVENT,
      deps(port, async () => ({ messageId: 'm-1' })),
    );
    expect(calls).toEqual([`claim ${KEY}`, `published ${KEY} m-1`]);
  });

  it('does not publish a state change that was already published', async () => {
    const { port } = ledger({ claim: async () => ({ kind: 'already_published', messageId: 'm-0' }) });
    const publish = vi.fn();
    const outcome = await respond(EVENT, deps(port, publish));
    expect(outcome).toEqual({ kind: 'ignored', reason: 'already published as m-0' });
    expect(publish).not.toHaveBeenCalled();
  });

  it('releases the claim and fails when publishing fails, so the retry can publish', async () => {
    const { port, calls } = ledger();
    await expect(
      respond(
        EVENT,
        deps(port, async () => Promise.reject(new Error('SNS throttled'))),
      ),
    ).rejects.toThrow('SNS throttled');
    expect(calls).toEqual([`claim ${KEY}`, `release ${KEY}`]);
  });

  it('publishes anyway when the ledger itself fails (a duplicate beats a lost alarm)', async () => {
    const { port } = ledger({ claim: async () => Promise.reject(new Error('AccessDeniedException')) });
    const publish = vi.fn(async () => ({ messageId: 'm-2' }));
    const d = deps(port, publish);
    const outcome = await respond(EVENT, d);
    expect(outcome.kind).toBe('published');
    expect(d.log).toHaveBeenCalledWith('warn', 'notification ledger claim failed; going on without de-duplication', {
      error: 'Error: AccessDeniedException',
    });
  });
});

describe('DynamoDbNotificationLedger', () => {
  const dynamo = mockClient(DynamoDBClient);
  beforeEach(() => dynamo.reset());
  const l = new DynamoDbNotificationLedger(new DynamoDBClient({ region: 'us-east-1' }), 'ledger', { now: () => NOW });

  it('claims with a conditional write that a live lease or a published record refuses', async () => {
    dynamo.on(PutItemCommand).resolves({});
    expect(await l.claim('k', 30_000)).toEqual({ kind: 'claimed' });
    const input = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe('attribute_not_exists(pk) OR (#status = :claimed AND leaseUntil < :now)');
    expect(input?.Item?.leaseUntil).toEqual({ N: String(NOW + 30_000) });
  });

  it('reads why a claim was refused', async () => {
    dynamo
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    dynamo
      .on(GetItemCommand)
      .resolves({ Item: { pk: { S: 'k' }, status: { S: 'published' }, messageId: { S: 'm-9' } } });
    expect(await l.claim('k', 30_000)).toEqual({ kind: 'already_published', messageId: 'm-9' });
  });

  it('throws other errors to the caller (which publishes anyway)', async () => {
    dynamo
      .on(PutItemCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'Throughput exceeded', $metadata: {} }));
    await expect(l.claim('k', 30_000)).rejects.toThrow('Throughput exceeded');
  });

  it('releases only a claim, never a published record', async () => {
    dynamo.on(DeleteItemCommand).resolves({});
    await l.release('k');
    expect(dynamo.commandCalls(DeleteItemCommand)[0]?.args[0].input.ConditionExpression).toBe('#status = :claimed');
  });
});
