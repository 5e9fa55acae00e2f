/**
 * Where the diagnosis goes besides the `emails` subscriptions: a Slack channel through Amazon Q Developer in chat
 * applications (formerly AWS Chatbot), a Slack incoming webhook through a small forwarder function, and per-cause
 * email routes. The settings, their validation (problems collected for the responder's `ConfigError`) and the
 * construct that builds them on the responder's topic.
 */
import { Duration, Names, Validations } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type BundlingOptions, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { parseSecretArn, WEBHOOK_SECRET_ARN_ENV } from '../lambda/forwarder/forwarder-config.js';
import { CAUSE_IDS, type CauseId } from '../lambda/taxonomy.js';
import { lambdaEntry } from './entries.js';
import { isRecord, Problems } from './problems.js';

/** The forwarder's handler: `lambda/forwarder/handler.ts`, compiled in the installed package. */
export const FORWARDER_ENTRY = lambdaEntry('forwarder/handler');

/**
 * The `cause` message attribute of a recovery (OK) notification (lambda/respond/notification.ts `attributesOf`):
 * routes with `includeRecoveries` also match it.
 */
export const RECOVERY_CAUSE = 'recovered';

/** What the chat service writes to its CloudWatch Logs group (`/aws/chatbot/{name}`, in us-east-1). */
export type ChatbotLoggingLevel = 'ERROR' | 'INFO' | 'NONE';

/**
 * A Slack channel that receives the diagnosis through Amazon Q Developer in chat applications (formerly AWS
 * Chatbot). The Slack workspace must have been authorised once in that service's console.
 */
export interface ChatbotSettings {
  /** The Slack workspace id the chat service shows after authorising the workspace (`T07ABCDEF12`). */
  readonly slackWorkspaceId: string;
  /** The Slack channel id (channel details, at the bottom: `C07ABCDEF12`); for a private channel, invite the app. */
  readonly slackChannelId: string;
  /**
   * Name of the channel configuration (1 to 128 letters, digits, `-` or `_`), unique in the account.
   *
   * @default - a name unique to the construct's path in the app
   */
  readonly name?: string;
  /**
   * What the chat service logs about deliveries to `/aws/chatbot/{name}` in us-east-1.
   *
   * @default 'ERROR'
   */
  readonly loggingLevel?: ChatbotLoggingLevel;
  /**
   * ARNs of IAM managed policies that cap what channel members may do from Slack (channel guardrails).
   *
   * @default - one customer managed policy of the stack that denies every action: the channel only receives
   *   notifications
   */
  readonly guardrailPolicyArns?: readonly string[];
}

/** A Slack incoming webhook, fed by a forwarder function subscribed to the topic. */
export interface SlackWebhookSettings {
  /**
   * Full ARN (with the 6-character suffix) of the Secrets Manager secret whose value is the webhook URL, or
   * `{"url": "<the URL>"}`. The URL itself never goes into the configuration or the template.
   */
  readonly webhookSecretArn: string;
  /**
   * ARN of the customer managed KMS key the secret is encrypted with; the forwarder may decrypt with it through
   * Secrets Manager only.
   *
   * @default - the secret uses the AWS managed key `aws/secretsmanager`, which needs no grant
   */
  readonly webhookSecretKeyArn?: string;
  /**
   * Reserved concurrent executions of the forwarder. One posts messages one after another, which also keeps within
   * Slack's rate limit; further messages wait in Lambda's queue.
   *
   * @default 1
   */
  readonly reservedConcurrency?: number;
  /**
   * Timeout of the forwarder in seconds (10 to 900); its retries of Slack stop 2 s before it.
   *
   * @default 30
   */
  readonly timeoutSec?: number;
}

/** Extra email recipients for some causes (e.g. permission problems to the platform team). */
export interface NotificationRoute {
  /** Cause ids (lambda/taxonomy.ts) whose notifications these recipients get: the `cause` message attribute. */
  readonly causes: readonly CauseId[];
  /** Email addresses subscribed with a filter on those causes (each must confirm the subscription mail). */
  readonly emails: readonly string[];
  /**
   * Whether these recipients also get recovery (OK) notifications. A recovery carries no cause, so they then get
   * every recovery, not only those of alarms whose cause they were sent.
   *
   * @default false
   */
  readonly includeRecoveries?: boolean;
}

/** Notification settings, part of the responder's settings. */
export interface NotificationSettings {
  /**
   * A Slack channel through Amazon Q Developer in chat applications (formerly AWS Chatbot).
   *
   * @default - none
   */
  readonly chatbot?: ChatbotSettings;
  /**
   * A Slack incoming webhook, through a forwarder function.
   *
   * @default - none
   */
  readonly slackWebhook?: SlackWebhookSettings;
  /**
   * Per-cause email recipients, in addition to `emails` (which get everything).
   *
   * @default - none
   */
  readonly routes?: readonly NotificationRoute[];
}

export interface ResolvedChatbotSettings {
  readonly slackWorkspaceId: string;
  readonly slackChannelId: string;
  readonly name?: string;
  readonly loggingLevel: ChatbotLoggingLevel;
  readonly guardrailPolicyArns?: readonly string[];
}

export interface ResolvedSlackWebhookSettings {
  readonly webhookSecretArn: string;
  readonly webhookSecretKeyArn?: string;
  readonly reservedConcurrency: number;
  readonly timeoutSec: number;
}

export interface ResolvedNotificationRoute {
  readonly causes: readonly CauseId[];
  readonly emails: readonly string[];
  readonly includeRecoveries: boolean;
}

/** Notification settings with defaults applied; present only when something is configured. */
export interface ResolvedNotificationSettings {
  readonly chatbot?: ResolvedChatbotSettings;
  readonly slackWebhook?: ResolvedSlackWebhookSettings;
  readonly routes: readonly ResolvedNotificationRoute[];
}

/** The top-level configuration keys of this module. */
export const NOTIFICATION_KEYS = ['chatbot', 'slackWebhook', 'routes'] as const;

export const NOTIFICATION_DEFAULTS = {
  chatbotLoggingLevel: 'ERROR',
  forwarderReservedConcurrency: 1,
  forwarderTimeoutSec: 30,
  forwarderMemorySizeMb: 256,
} as const;

const CHATBOT_KEYS = ['slackWorkspaceId', 'slackChannelId', 'name', 'loggingLevel', 'guardrailPolicyArns'] as const;
const WEBHOOK_KEYS = ['webhookSecretArn', 'webhookSecretKeyArn', 'reservedConcurrency', 'timeoutSec'] as const;
const ROUTE_KEYS = ['causes', 'emails', 'includeRecoveries'] as const;
const LOGGING_LEVELS: readonly ChatbotLoggingLevel[] = ['ERROR', 'INFO', 'NONE'];

// Slack ids are upper-case letters and digits, 9 or more (https://api.slack.com/docs/conversations-api); the
// CloudFormation schema allows 1 to 255 (workspace) and 1 to 256 (channel) of them.
const SLACK_WORKSPACE_ID = /^[A-Z0-9]{9,255}$/;
const SLACK_CHANNEL_ID = /^[A-Z0-9]{9,256}$/;
const CHATBOT_NAME = /^[A-Za-z0-9_-]{1,128}$/;
// AWS::Chatbot::SlackChannelConfiguration GuardrailPolicies accepts `arn:aws:iam:...` policy ARNs.
const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy\/[A-Za-z0-9+=,.@_/-]{1,512}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d:\d{12}:key\/[A-Za-z0-9-]{1,64}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkChatbot(raw: unknown, problems: Problems): ResolvedChatbotSettings | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    problems.add(
      'chatbot',
      'an object like {"slackWorkspaceId":"T07ABCDEF12","slackChannelId":"C07ABCDEF12"}',
      raw,
      'give the Slack workspace and channel ids, or remove chatbot',
    );
    return undefined;
  }
  problems.unknownKeys('chatbot', raw, CHATBOT_KEYS);
  const { slackWorkspaceId, slackChannelId, name, loggingLevel, guardrailPolicyArns } = raw;
  if (typeof slackWorkspaceId !== 'string' || !SLACK_WORKSPACE_ID.test(slackWorkspaceId)) {
    problems.add(
      'chatbot.slackWorkspaceId',
      'a Slack workspace id of 9 or more upper-case letters and digits, like "T07ABCDEF12"',
      slackWorkspaceId,
      'authorise the workspace once in the Amazon Q Developer in chat applications console (https://console.aws.amazon.com/chatbot/) and copy the workspace id it shows',
    );
  }
  if (typeof slackChannelId !== 'string' || !SLACK_CHANNEL_ID.test(slackChannelId)) {
    const looksLikeName = typeof slackChannelId === 'string' && /^#|[a-z]/.test(slackChannelId);
    problems.add(
      'chatbot.slackChannelId',
      'a Slack channel id of 9 or more upper-case letters and digits, like "C07ABCDEF12"',
      slackChannelId,
      looksLikeName
        ? 'give the channel id, not its name: in Slack open the channel details; the id is at the bottom'
        : 'copy the id from the channel details in Slack (or the end of the channel link)',
    );
  }
  if (name !== undefined && (typeof name !== 'string' || !CHATBOT_NAME.test(name))) {
    problems.add(
      'chatbot.name',
      '1 to 128 letters, digits, "-" or "_"',
      name,
      'choose a name such as "apigw-5xx-orders" or remove it',
    );
  }
  let level: ChatbotLoggingLevel = NOTIFICATION_DEFAULTS.chatbotLoggingLevel;
  if (loggingLevel !== undefined) {
    if (typeof loggingLevel !== 'string' || !(LOGGING_LEVELS as readonly string[]).includes(loggingLevel)) {
      problems.add('chatbot.loggingLevel', '"ERROR", "INFO" or "NONE"', loggingLevel, 'pick one or remove it');
    } else {
      level = loggingLevel as ChatbotLoggingLevel;
    }
  }
  let guardrails: string[] | undefined;
  if (guardrailPolicyArns !== undefined) {
    if (!Array.isArray(guardrailPolicyArns) || guardrailPolicyArns.length === 0) {
      problems.add(
        'chatbot.guardrailPolicyArns',
        'a non-empty list of IAM managed policy ARNs',
        guardrailPolicyArns,
        'write it as ["arn:aws:iam::aws:policy/ReadOnlyAccess"] or remove it to deny every action from Slack',
      );
    } else {
      guardrails = [];
      guardrailPolicyArns.forEach((arn: unknown, i: number) => {
        if (typeof arn !== 'string' || !POLICY_ARN.test(arn)) {
          problems.add(
            `chatbot.guardrailPolicyArns[${i}]`,
            'an IAM managed policy ARN (arn:aws:iam::ACCOUNT-or-aws:policy/NAME)',
            arn,
            'copy the ARN from `aws iam list-policies` or remove it',
          );
        } else {
          guardrails?.push(arn);
        }
      });
    }
  }
  return {
    slackWorkspaceId: String(slackWorkspaceId),
    slackChannelId: String(slackChannelId),
    ...(typeof name === 'string' ? { name } : {}),
    loggingLevel: level,
    ...(guardrails !== undefined ? { guardrailPolicyArns: guardrails } : {}),
  };
}

function checkSlackWebhook(raw: unknown, problems: Problems): ResolvedSlackWebhookSettings | undefined {
  const d = NOTIFICATION_DEFAULTS;
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    problems.add(
      'slackWebhook',
      'an object like {"webhookSecretArn":"arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf"}',
      raw,
      'store the webhook URL in Secrets Manager and give the secret ARN, or remove slackWebhook',
    );
    return undefined;
  }
  problems.unknownKeys('slackWebhook', raw, WEBHOOK_KEYS);
  const { webhookSecretArn, webhookSecretKeyArn } = raw;
  if (typeof webhookSecretArn !== 'string' || parseSecretArn(webhookSecretArn) === undefined) {
    const isUrl = typeof webhookSecretArn === 'string' && /^https?:\/\//i.test(webhookSecretArn.trim());
    problems.add(
      'slackWebhook.webhookSecretArn',
      'the full ARN of a Secrets Manager secret, ending in the 6-character suffix Secrets Manager adds',
      webhookSecretArn,
      isUrl
        ? 'never put the webhook URL in the configuration: store it with `aws secretsmanager create-secret --name apigw-5xx/slack-webhook --secret-string "{\\"url\\":\\"$URL\\"}"` and give the ARN it prints'
        : 'give the ARN `aws secretsmanager describe-secret --secret-id NAME --query ARN --output text` prints',
    );
  }
  if (
    webhookSecretKeyArn !== undefined &&
    (typeof webhookSecretKeyArn !== 'string' || !KMS_KEY_ARN.test(webhookSecretKeyArn))
  ) {
    problems.add(
      'slackWebhook.webhookSecretKeyArn',
      'a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID)',
      webhookSecretKeyArn,
      'give the KmsKeyId `aws secretsmanager describe-secret` shows, as a key ARN, or remove it for the AWS managed key',
    );
  }
  const reservedConcurrency = problems.integer(
    'slackWebhook.reservedConcurrency',
    raw.reservedConcurrency,
    1,
    1000,
    d.forwarderReservedConcurrency,
    'set how many messages may be posted at once, e.g. 1',
  );
  const timeoutSec = problems.integer(
    'slackWebhook.timeoutSec',
    raw.timeoutSec,
    10,
    900,
    d.forwarderTimeoutSec,
    'set the forwarder timeout in seconds, e.g. 30',
  );
  return {
    webhookSecretArn: String(webhookSecretArn),
    ...(typeof webhookSecretKeyArn === 'string' ? { webhookSecretKeyArn } : {}),
    reservedConcurrency,
    timeoutSec,
  };
}

function checkRoutes(raw: unknown, emails: readonly string[], problems: Problems): ResolvedNotificationRoute[] {
  if (raw === undefined) return [];
  const example = '[{"causes":["lambda_permission"],"emails":["platform@example.com"]}]';
  if (!Array.isArray(raw)) {
    problems.add('routes', 'a list of routes', raw, `write it as ${example} or remove it`);
    return [];
  }
  const routes: ResolvedNotificationRoute[] = [];
  const routeOf = new Map<string, number>();
  raw.forEach((route: unknown, i: number) => {
    const path = `routes[${i}]`;
    if (!isRecord(route)) {
      problems.add(path, 'an object like {"causes":[...],"emails":[...]}', route, `write routes as ${example}`);
      return;
    }
    problems.unknownKeys(path, route, ROUTE_KEYS);
    const causes: CauseId[] = [];
    if (!Array.isArray(route.causes) || route.causes.length === 0) {
      problems.add(
        `${path}.causes`,
        'a non-empty list of cause ids',
        route.causes,
        `list the causes these recipients handle, from: ${CAUSE_IDS.join(', ')}`,
      );
    } else {
      route.causes.forEach((cause: unknown, j: number) => {
        if (typeof cause !== 'string' || !(CAUSE_IDS as readonly string[]).includes(cause)) {
          problems.add(
            `${path}.causes[${j}]`,
            'a cause id of the taxonomy',
            cause,
            `use one of ${CAUSE_IDS.join(', ')}`,
          );
        } else if (causes.includes(cause as CauseId)) {
          problems.add(
            `${path}.causes[${j}]`,
            'a cause not listed before in this route',
            cause,
            'remove the duplicate',
          );
        } else {
          causes.push(cause as CauseId);
        }
      });
    }
    const routeEmails: string[] = [];
    if (!Array.isArray(route.emails) || route.emails.length === 0) {
      problems.add(
        `${path}.emails`,
        'a non-empty list of email addresses',
        route.emails,
        'list who gets these causes, e.g. ["platform@example.com"]',
      );
    } else {
      route.emails.forEach((email: unknown, j: number) => {
        const where = `${path}.emails[${j}]`;
        if (typeof email !== 'string' || !EMAIL.test(email)) {
          problems.add(where, 'an email address', email, 'fix the address or remove it');
        } else if (emails.includes(email)) {
          // SNS keeps one subscription per endpoint and topic: a second, filtered one for the same address fails.
          problems.add(
            where,
            'an address not in emails',
            email,
            'remove it here (emails already get every notification) or remove it from emails to get only these causes',
          );
        } else if (routeOf.has(email)) {
          problems.add(
            where,
            'an address not listed in another route',
            email,
            `list it once: merge its causes into routes[${routeOf.get(email)}]`,
          );
        } else if (routeEmails.includes(email)) {
          problems.add(where, 'an address not listed before in this route', email, 'remove the duplicate');
        } else {
          routeEmails.push(email);
        }
      });
    }
    for (const email of routeEmails) routeOf.set(email, i);
    const { includeRecoveries } = route;
    if (includeRecoveries !== undefined && typeof includeRecoveries !== 'boolean') {
      problems.add(`${path}.includeRecoveries`, 'true or false', includeRecoveries, 'set true, false, or remove it');
    }
    routes.push({ causes, emails: routeEmails, includeRecoveries: includeRecoveries === true });
  });
  return routes;
}

/**
 * Validates the notification part of untyped settings and applies its defaults. `emails` are the already
 * validated top-level addresses (a route may not repeat one).
 *
 * @returns the resolved settings (undefined when nothing is configured) and every problem found
 */
export function checkNotificationSettings(
  raw: Readonly<Record<string, unknown>>,
  emails: readonly string[],
): { readonly settings: ResolvedNotificationSettings | undefined; readonly problems: readonly string[] } {
  const problems = new Problems();
  const chatbotSettings = checkChatbot(raw.chatbot, problems);
  const slackWebhook = checkSlackWebhook(raw.slackWebhook, problems);
  const routes = checkRoutes(raw.routes, emails, problems);
  const configured = chatbotSettings !== undefined || slackWebhook !== undefined || routes.length > 0;
  return {
    settings: configured
      ? {
          ...(chatbotSettings !== undefined ? { chatbot: chatbotSettings } : {}),
          ...(slackWebhook !== undefined ? { slackWebhook } : {}),
          routes,
        }
      : undefined,
    problems: problems.list,
  };
}

/** Properties of `ResponderNotifications`. */
export interface ResponderNotificationsProps {
  /** The topic the diagnoses are published to. */
  readonly topic: sns.ITopic;
  /** What to build. */
  readonly settings: ResolvedNotificationSettings;
  /** Retention of the forwarder's log group, in days (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
  /** The forwarder's runtime. */
  readonly runtime: lambda.Runtime;
  /** How the forwarder is bundled: the responder passes its own options, so both functions are built alike. */
  readonly bundling: BundlingOptions;
  /**
   * The project folder for local bundling.
   *
   * @default - the folder of `depsLockFilePath`
   */
  readonly projectRoot?: string;
  /**
   * The lock file for local bundling.
   *
   * @default - NodejsFunction looks for one from the working directory up
   */
  readonly depsLockFilePath?: string;
  /**
   * The forwarder's handler entry.
   *
   * @default FORWARDER_ENTRY
   */
  readonly forwarderEntry?: string;
}

/**
 * The optional notification channels on the responder's topic:
 * - a Slack channel configuration of Amazon Q Developer in chat applications, subscribed to the topic, whose role
 *   has no permissions and whose guardrail denies every action (notifications only);
 * - a Slack webhook forwarder: a function subscribed to the topic that reads the webhook URL from the given secret
 *   (GetSecretValue on that secret only), with its own log group, reserved concurrency, two async retries and an
 *   encrypted on-failure queue;
 * - per-cause email subscriptions, filtered on the `cause` message attribute.
 */
export class ResponderNotifications extends Construct {
  /** The Slack channel configuration, when `chatbot` is set. */
  readonly slackChannel?: chatbot.SlackChannelConfiguration;
  /** The deny-all channel guardrail, unless `chatbot.guardrailPolicyArns` replaces it. */
  readonly guardrailPolicy?: iam.ManagedPolicy;
  /** The webhook forwarder, when `slackWebhook` is set. */
  readonly forwarder?: NodejsFunction;
  /** The forwarder's own log group, when `slackWebhook` is set. */
  readonly forwarderLogGroup?: logs.LogGroup;
  /** Keeps the SNS events the forwarder could not post after its retries. */
  readonly forwarderFailureQueue?: sqs.Queue;
  /** One filtered email subscription per route address, in the order of `routes`. */
  readonly routeSubscriptions: readonly sns.Subscription[];

  constructor(scope: Construct, id: string, props: ResponderNotificationsProps) {
    super(scope, id);
    const { topic, settings } = props;

    if (settings.chatbot !== undefined) {
      const channel = settings.chatbot;
      let guardrails: iam.IManagedPolicy[];
      if (channel.guardrailPolicyArns !== undefined) {
        guardrails = channel.guardrailPolicyArns.map((arn, i) =>
          iam.ManagedPolicy.fromManagedPolicyArn(this, `Guardrail${i}`, arn),
        );
      } else {
        // Without guardrails the service applies AdministratorAccess; the channel only needs to receive messages.
        // https://docs.aws.amazon.com/chatbot/latest/adminguide/understanding-permissions.html#channel-guardrails
        this.guardrailPolicy = new iam.ManagedPolicy(this, 'ChannelGuardrail', {
          description: 'Guardrail of the apigw-5xx-responder Slack channel: notifications only, no action from Slack',
          statements: [
            new iam.PolicyStatement({
              sid: 'NotificationsOnly',
              effect: iam.Effect.DENY,
              actions: ['*'],
              resources: ['*'],
            }),
          ],
        });
        guardrails = [this.guardrailPolicy];
      }
      // Delivering the topic's messages needs no permission of the channel role: it gets none.
      const role = new iam.Role(this, 'ChannelRole', {
        assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
        description: 'apigw-5xx-responder Slack channel: receives notifications only, no permissions',
      });
      this.slackChannel = new chatbot.SlackChannelConfiguration(this, 'SlackChannel', {
        slackChannelConfigurationName:
          channel.name ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
        slackWorkspaceId: channel.slackWorkspaceId,
        slackChannelId: channel.slackChannelId,
        notificationTopics: [topic],
        loggingLevel: chatbot.LoggingLevel[channel.loggingLevel],
        guardrailPolicies: guardrails,
        role,
        userRoleRequired: false,
      });
    }

    if (settings.slackWebhook !== undefined) {
      const webhook = settings.slackWebhook;
      const secret = parseSecretArn(webhook.webhookSecretArn);
      this.forwarderFailureQueue = new sqs.Queue(this, 'ForwarderFailures', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(this.forwarderFailureQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is the on-failure destination of the Slack webhook forwarder: it is the dead-letter store for ' +
          'messages Slack did not take. cdk-nag only recognises redrive and DeadLetterConfig, not async-invoke destinations.',
      });
      this.forwarderLogGroup = new logs.LogGroup(this, 'ForwarderLogGroup', {
        retention: props.logRetentionDays as logs.RetentionDays,
      });
      // An own role instead of the default one, which would attach AWSLambdaBasicExecutionRole (logs on any group).
      const role = new iam.Role(this, 'ForwarderRole', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: 'apigw-5xx-responder Slack webhook forwarder: reads the webhook secret, writes its own log',
      });
      this.forwarderLogGroup.grantWrite(role);
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadWebhookSecret',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [webhook.webhookSecretArn],
        }),
      );
      if (webhook.webhookSecretKeyArn !== undefined && secret !== undefined) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'DecryptWebhookSecret',
            actions: ['kms:Decrypt'],
            resources: [webhook.webhookSecretKeyArn],
            // Only when Secrets Manager decrypts the secret for the function.
            // https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
            conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${secret.region}.amazonaws.com` } },
          }),
        );
      }
      const entry = props.forwarderEntry ?? FORWARDER_ENTRY;
      this.forwarder = new NodejsFunction(this, 'Forwarder', {
        description: 'Posts the API Gateway 5xx diagnosis to a Slack incoming webhook (URL from Secrets Manager)',
        entry,
        handler: 'handler',
        runtime: props.runtime,
        architecture: lambda.Architecture.ARM_64,
        memorySize: NOTIFICATION_DEFAULTS.forwarderMemorySizeMb,
        timeout: Duration.seconds(webhook.timeoutSec),
        reservedConcurrentExecutions: webhook.reservedConcurrency,
        role,
        logGroup: this.forwarderLogGroup,
        // The ARN only: the URL is read at run time and never written to the environment or the template.
        environment: {
          NODE_OPTIONS: '--enable-source-maps',
          [WEBHOOK_SECRET_ARN_ENV]: webhook.webhookSecretArn,
        },
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        onFailure: new SqsDestination(this.forwarderFailureQueue),
        ...(props.projectRoot !== undefined ? { projectRoot: props.projectRoot } : {}),
        ...(props.depsLockFilePath !== undefined ? { depsLockFilePath: props.depsLockFilePath } : {}),
        bundling: props.bundling,
      });
      if (props.runtime === lambda.Runtime.NODEJS_22_X) {
        Validations.of(this.forwarder).acknowledge({
          id: 'AwsSolutions-L1',
          reason:
            'nodejs22.x is chosen on purpose, as for the responder: the forwarder is built and tested for Node.js 22 ' +
            '(supported by Lambda into 2027). Pass `runtime` to move both to a newer Node.js runtime after testing.',
        });
      }
      topic.addSubscription(new LambdaSubscription(this.forwarder));
    }

    this.routeSubscriptions = settings.routes.flatMap((route) => {
      const allowlist: string[] = [...route.causes, ...(route.includeRecoveries ? [RECOVERY_CAUSE] : [])];
      return route.emails.map((email) => {
        const subscription = topic.addSubscription(
          new EmailSubscription(email, {
            filterPolicy: { cause: sns.SubscriptionFilter.stringFilter({ allowlist }) },
          }),
        );
        // The default scope, written out so that the template says what the filter looks at.
        (subscription.node.defaultChild as sns.CfnSubscription).filterPolicyScope = 'MessageAttributes';
        return subscription;
      });
    });
  }
}
