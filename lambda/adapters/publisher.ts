/**
 * Publishes the responder's notification to its SNS topic: one message with a text per protocol
 * (MessageStructure `json`), a subject for email, and string message attributes that subscribers filter on.
 * A failure throws {@link PublishError}, so that the invocation fails and the async retries and the on-failure
 * destination keep the alarm.
 */
import type { MessageAttributeValue, SNSClient } from '@aws-sdk/client-sns';

/** One notification, already rendered. */
export interface Notification {
  /** Email subject; made ASCII and cut to {@link MAX_SUBJECT_CHARS} if it is not already. */
  readonly subject: string;
  /** Text for every protocol without its own entry (SQS, Lambda, HTTP, ...). */
  readonly defaultText: string;
  /** Text for email subscribers. */
  readonly emailText: string;
  /** Message attributes (`cause`, `api`, `stage`, `status`); empty values are left out. */
  readonly attributes: Readonly<Record<string, string>>;
  /**
   * More per-protocol texts (`https` for the Chatbot JSON, ...). They cannot redefine `default` or `email`.
   * @default - none
   */
  readonly extraProtocols?: Readonly<Record<string, string>>;
}

/** SNS subjects: ASCII, no line breaks or control characters, at most 100 characters. */
export const MAX_SUBJECT_CHARS = 100;

/** A notification that could not be published; `cause` holds the SDK error. */
export class PublishError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublishError';
  }
}

/**
 * Makes a subject SNS accepts (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html): accents dropped,
 * other non-ASCII characters replaced by `?`, whitespace runs (line breaks included) made one space, and cut to
 * {@link MAX_SUBJECT_CHARS} with `...`. Returns undefined when nothing is left, so SNS uses its default subject.
 */
export function toSnsSubject(subject: string): string | undefined {
  const ascii = subject
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/\s+/gu, ' ')
    .replace(/[^\x20-\x7e]/gu, '?')
    .trim();
  if (ascii === '') return undefined;
  return ascii.length <= MAX_SUBJECT_CHARS ? ascii : `${ascii.slice(0, MAX_SUBJECT_CHARS - 3).trimEnd()}...`;
}

export class SnsPublisher {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  /**
   * Publishes `notification` to the topic.
   * @throws PublishError when SNS rejects or cannot be reached, or when `extraProtocols` redefines `default`/`email`.
   */
  async publish(notification: Notification): Promise<{ messageId: string }> {
    const extra = notification.extraProtocols ?? {};
    const clashing = ['default', 'email'].filter((key) => Object.hasOwn(extra, key));
    if (clashing.length > 0) {
      throw new PublishError(
        `extraProtocols must not redefine ${clashing.map((key) => `'${key}'`).join(' or ')}: ` +
          'pass that text as defaultText or emailText instead',
      );
    }

    const subject = toSnsSubject(notification.subject);
    const messageAttributes: Record<string, MessageAttributeValue> = {};
    for (const [name, value] of Object.entries(notification.attributes)) {
      // SNS rejects an attribute with an empty value.
      if (value !== '') messageAttributes[name] = { DataType: 'String', StringValue: value };
    }

    // Loaded when first used (lambda/adapters/lazy-clients.ts): importing this module loads no AWS SDK code.
    const { PublishCommand } = await import('@aws-sdk/client-sns');
    const command = new PublishCommand({
      TopicArn: this.topicArn,
      MessageStructure: 'json',
      Message: JSON.stringify({ ...extra, default: notification.defaultText, email: notification.emailText }),
      ...(subject === undefined ? {} : { Subject: subject }),
      ...(Object.keys(messageAttributes).length === 0 ? {} : { MessageAttributes: messageAttributes }),
    });

    let messageId: string | undefined;
    try {
      messageId = (await this.client.send(command)).MessageId;
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new PublishError(`Publishing the notification to ${this.topicArn} failed: ${reason}`, { cause: error });
    }
    if (messageId === undefined || messageId === '') {
      throw new PublishError(`Publishing the notification to ${this.topicArn} returned no MessageId`);
    }
    return { messageId };
  }
}
