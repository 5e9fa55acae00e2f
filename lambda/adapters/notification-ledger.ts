import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The SDK module, loaded when first used (lambda/adapters/lazy-clients.ts): importing this module loads none of it. */
const sdk = () => import('@aws-sdk/client-dynamodb');

/**
 * Remembers which alarm state changes were already notified, so that Lambda's async retry of an invocation whose
 * message went out does not publish it twice. One item per state change (a deterministic key: alarm, state, time),
 * in a DynamoDB table with a TTL.
 *
 * The protocol: `claim` takes a lease on the key with a conditional write (it fails if the change is published, or
 * claimed by a live invocation); after publishing, `markPublished`; if publishing fails, `release`, so the retry can
 * claim again. A lease that outlives a crashed invocation expires (leaseUntil), and the retry claims it then.
 * Failures of the ledger itself never stop a notification: the caller publishes anyway (a duplicate is better than
 * a lost alarm).
 */
export type ClaimResult =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'already_published'; readonly messageId?: string }
  | { readonly kind: 'in_progress'; readonly leaseUntil?: number };

export interface NotificationLedgerOptions {
  readonly now?: () => number;
  /** How long a published record is kept (TTL), default 7 days. */
  readonly retentionMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export class DynamoDbNotificationLedger {
  private readonly now: () => number;
  private readonly retentionMs: number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: NotificationLedgerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.retentionMs = options.retentionMs ?? 7 * DAY_MS;
  }

  private expiresAt(): { N: string } {
    return { N: String(Math.floor((this.now() + this.retentionMs) / 1000)) };
  }

  /** Takes the lease on `key` for `leaseMs`, unless the change is published or another live invocation holds it. */
  async claim(key: string, leaseMs: number): Promise<ClaimResult> {
    const { ConditionalCheckFailedException, GetItemCommand, PutItemCommand } = await sdk();
    const now = this.now();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: key },
            status: { S: 'claimed' },
            leaseUntil: { N: String(now + leaseMs) },
            expiresAt: this.expiresAt(),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :claimed AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claimed': { S: 'claimed' }, ':now': { N: String(now) } },
        }),
      );
      return { kind: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: key } }, ConsistentRead: true }),
    );
    if (Item?.status?.S === 'published') {
      return { kind: 'already_published', ...(Item.messageId?.S !== undefined ? { messageId: Item.messageId.S } : {}) };
    }
    const leaseUntil = Item?.leaseUntil?.N !== undefined ? Number(Item.leaseUntil.N) : undefined;
    return { kind: 'in_progress', ...(leaseUntil !== undefined ? { leaseUntil } : {}) };
  }

  async markPublished(key: string, messageId: string): Promise<void> {
    const { UpdateItemCommand } = await sdk();
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: key } },
        UpdateExpression:
          'SET #status = :published, messageId = :messageId, publishedAt = :now, expiresAt = :expiresAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':published': { S: 'published' },
          ':messageId': { S: messageId },
          ':now': { N: String(this.now()) },
          ':expiresAt': this.expiresAt(),
        },
      }),
    );
  }

  /** Gives the lease back after a failed publish, so the retry need not wait for it to expire. */
  async release(key: string): Promise<void> {
    const { DeleteItemCommand } = await sdk();
    await this.client.send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: key } },
        ConditionExpression: '#status = :claimed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':claimed': { S: 'claimed' } },
      }),
    );
  }
}
