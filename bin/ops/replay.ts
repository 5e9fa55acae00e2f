/**
 * Re-drives the events kept in a failure queue through their function: each message is the record Lambda's
 * on-failure destination writes after the retries (`requestPayload` holds the original event,
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html); the event is sent to the
 * function again and the message deleted once the function handled it. A message that fails again, or that is
 * not such a record, is kept (visible again when the replay ends) and reported. The SQS client and the invoke
 * function are given, so tests run the real handler against a local endpoint.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** Sends one event to the function and says whether it was handled. */
export type InvokeFunction = (payload: string) => Promise<{ readonly ok: boolean; readonly error?: string }>;

export interface ReplayOptions {
  readonly queueUrl: string;
  /** Most messages replayed in one run. */
  readonly max?: number;
  /** Seconds a received message stays hidden while it is replayed (longer than the function's timeout). */
  readonly visibilityTimeoutSec?: number;
}

export interface ReplayReport {
  readonly replayed: number;
  readonly failed: readonly { readonly messageId: string; readonly error: string }[];
  /** Messages that are not on-failure records: kept, with what was wrong. */
  readonly unreadable: readonly { readonly messageId: string; readonly error: string }[];
}

/** The original event of an on-failure destination record, or why the body is not one. */
export function originalEvent(body: string): { payload: string } | { error: string } {
  let record: unknown;
  try {
    record = JSON.parse(body);
  } catch {
    return { error: 'not JSON: not a Lambda on-failure record' };
  }
  if (typeof record !== 'object' || record === null || !('requestPayload' in record)) {
    return { error: 'no requestPayload: not a Lambda on-failure record' };
  }
  return { payload: JSON.stringify((record as { requestPayload: unknown }).requestPayload) };
}

export async function replayFailureQueue(
  sqs: SQSClient,
  invoke: InvokeFunction,
  options: ReplayOptions,
): Promise<ReplayReport> {
  const { queueUrl, max = 100, visibilityTimeoutSec = 960 } = options;
  let replayed = 0;
  const failed: { messageId: string; error: string }[] = [];
  const unreadable: { messageId: string; error: string }[] = [];
  const keep: string[] = [];
  try {
    while (replayed + failed.length + unreadable.length < max) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, max - replayed - failed.length - unreadable.length),
          VisibilityTimeout: visibilityTimeoutSec,
          WaitTimeSeconds: 1,
        }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        const messageId = message.MessageId ?? '(no id)';
        const event = originalEvent(message.Body ?? '');
        if ('error' in event) {
          unreadable.push({ messageId, error: event.error });
          if (message.ReceiptHandle !== undefined) keep.push(message.ReceiptHandle);
          continue;
        }
        const result = await invoke(event.payload).catch((error: unknown) => ({
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        }));
        if (result.ok) {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
          replayed++;
        } else {
          failed.push({ messageId, error: result.error ?? 'the function reported an error' });
          if (message.ReceiptHandle !== undefined) keep.push(message.ReceiptHandle);
        }
      }
    }
  } finally {
    // Kept messages become visible again now rather than after the visibility timeout, for the next attempt.
    for (const handle of keep) {
      await sqs
        .send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 }))
        .catch(() => undefined);
    }
  }
  return { replayed, failed, unreadable };
}

/** The report as a few lines for a terminal. */
export function renderReplay(report: ReplayReport, queueUrl: string): string {
  const lines = [`Replayed ${report.replayed} event(s) from ${queueUrl}.`];
  for (const f of report.failed) lines.push(`  FAILED again, kept: ${f.messageId}: ${f.error}`);
  for (const u of report.unreadable) lines.push(`  UNREADABLE, kept: ${u.messageId}: ${u.error}`);
  if (report.failed.length > 0) lines.push('Fix what the function reports, then run the replay again.');
  return `${lines.join('\n')}\n`;
}
