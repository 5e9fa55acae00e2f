/**
 * Many accounts: the small stack each member account (and Region) deploys. It forwards the account's API Gateway
 * 5xx alarm state changes to the central responder's event bus, and creates the read-only role the central
 * responder assumes to read this account's API Gateway configuration, CloudWatch Logs, metrics and CloudTrail.
 * Environment-agnostic (account and Region are the deploying one's), so one template serves a StackSet.
 */
import {
  Arn,
  ArnFormat,
  Aws,
  CfnOutput,
  DefaultStackSynthesizer,
  Duration,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ACCOUNT_ID, CENTRAL_DEFAULTS, EXTERNAL_ID, ORGANIZATION_ID } from './central.js';
import { ConfigError, type ContextReader } from './config.js';
import { isRecord, Problems, show } from './problems.js';
import { flattenForNag } from './responder.js';
import { alarmEventPattern } from './zero-config.js';

/** What a member stack needs to know about the central responder. */
export interface MemberSettings {
  /** The central (monitoring) account's id. */
  readonly centralAccount: string;
  /** ARN of the central event bus (the central stack's `CentralBusArn` output). */
  readonly centralBusArn: string;
  /**
   * ExternalId the central responder passes (its `central.externalId`). Required unless `organizationId` is set.
   *
   * @default - none
   */
  readonly externalId?: string;
  /**
   * The organization both accounts belong to: the read role then trusts the responder only from inside it
   * (`aws:PrincipalOrgID`).
   *
   * @default - none
   */
  readonly organizationId?: string;
  /**
   * Name of the central responder's role (its `central.responderRoleName`).
   *
   * @default 'apigw-5xx-responder-central'
   */
  readonly responderRoleName?: string;
  /**
   * Name of the read role, `{region}` standing for the Region deployed to (the central `central.memberRoleName`).
   *
   * @default 'apigw-5xx-responder-read-{region}'
   */
  readonly roleName?: string;
  /**
   * Forward only alarms whose name starts with this prefix.
   *
   * @default - every alarm on AWS/ApiGateway 5XXError or 5xx
   */
  readonly alarmNamePrefix?: string;
  /**
   * Access log groups (names or patterns with `*`) the central responder may read, as `discovery.accessLogGroups`.
   *
   * @default - none: execution logs only
   */
  readonly accessLogGroups?: readonly string[];
}

const KEYS = [
  'centralAccount',
  'centralBusArn',
  'externalId',
  'organizationId',
  'responderRoleName',
  'roleName',
  'alarmNamePrefix',
  'accessLogGroups',
] as const;
const BUS_ARN = /^arn:aws[a-z-]*:events:[a-z]{2}(?:-[a-z]+)+-\d:(\d{12}):event-bus\/[.\-_A-Za-z0-9]{1,256}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const PREFIX = /^[A-Za-z0-9._-]{1,100}$/;
const LOG_GROUP_PATTERN = /^[.\-_/#A-Za-z0-9*]{1,512}$/;

/**
 * Validates member settings (untyped: context or a JSON file).
 *
 * @throws ConfigError listing every problem
 */
export function resolveMemberSettings(raw: unknown): MemberSettings {
  const p = new Problems();
  if (!isRecord(raw)) {
    p.add(
      'member',
      'an object like {"centralAccount":"111122223333","centralBusArn":"arn:aws:events:...","externalId":"..."}',
      raw,
      'see docs/deploying.md, "Many accounts"',
    );
    throw new ConfigError(p.list);
  }
  p.unknownKeys('member', raw, KEYS);
  const { centralAccount, centralBusArn, externalId, organizationId } = raw;
  if (typeof centralAccount !== 'string' || !ACCOUNT_ID.test(centralAccount)) {
    p.add('member.centralAccount', 'a 12-digit account id', centralAccount, "set the central account's id");
  }
  const busAccount = typeof centralBusArn === 'string' ? BUS_ARN.exec(centralBusArn)?.[1] : undefined;
  if (busAccount === undefined) {
    p.add(
      'member.centralBusArn',
      'an event bus ARN like arn:aws:events:us-east-1:111122223333:event-bus/apigw-5xx-responder',
      centralBusArn,
      "copy the central stack's CentralBusArn output",
    );
  } else if (busAccount !== centralAccount) {
    p.add(
      'member.centralBusArn',
      `a bus in the central account ${show(centralAccount)}`,
      centralBusArn,
      'use the CentralBusArn output of the central stack, or fix centralAccount',
    );
  }
  if (externalId !== undefined && (typeof externalId !== 'string' || !EXTERNAL_ID.test(externalId))) {
    p.add('member.externalId', '2 to 1224 letters, digits or +=,.@:/-', externalId, "use the central's externalId");
  }
  if (organizationId !== undefined && (typeof organizationId !== 'string' || !ORGANIZATION_ID.test(organizationId))) {
    p.add('member.organizationId', 'an AWS Organizations id like "o-a1b2c3d4e5"', organizationId, 'fix or remove it');
  }
  if (externalId === undefined && organizationId === undefined) {
    p.add(
      'member',
      'given externalId or organizationId (the read role trusts the central responder on one of them)',
      raw,
      "set the central's externalId, or the organization id",
    );
  }
  for (const key of ['responderRoleName', 'roleName'] as const) {
    const v = raw[key];
    if (v !== undefined && (typeof v !== 'string' || !ROLE_NAME.test(v.replace('{region}', 'ap-southeast-2')))) {
      p.add(`member.${key}`, 'an IAM role name of at most 64 letters, digits or +=,.@-_', v, 'fix or remove it');
    }
  }
  const prefix = raw.alarmNamePrefix;
  if (prefix !== undefined && (typeof prefix !== 'string' || !PREFIX.test(prefix))) {
    p.add('member.alarmNamePrefix', '1 to 100 letters, digits, ".", "-" or "_"', prefix, 'fix or remove it');
  }
  const groups = raw.accessLogGroups;
  if (
    groups !== undefined &&
    (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string' || !LOG_GROUP_PATTERN.test(g) || g === '*'))
  ) {
    p.add(
      'member.accessLogGroups',
      'a list of log group names or patterns (not "*" alone)',
      groups,
      'e.g. ["/aws/apigateway/*"]',
    );
  }
  if (p.list.length > 0) throw new ConfigError(p.list);
  return raw as unknown as MemberSettings;
}

/** Reads `-c member='{...}'` (JSON) from CDK context; undefined when not given. */
export function loadMemberSettings(context: ContextReader): MemberSettings | undefined {
  const value = context.tryGetContext('member');
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return resolveMemberSettings(value);
  try {
    return resolveMemberSettings(JSON.parse(value));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([
      `context \`member\` must be JSON, got ${show(value)} (${(error as Error).message}): pass e.g. -c member='{"centralAccount":"111122223333","centralBusArn":"arn:aws:events:us-east-1:111122223333:event-bus/apigw-5xx-responder","externalId":"..."}'`,
    ]);
  }
}

export interface MemberStackProps extends StackProps {
  /** The central responder this member forwards to and lets read (checked by `resolveMemberSettings`). */
  readonly settings: MemberSettings;
}

/** A member account's part: the forwarding rule and the central responder's read-only role. */
export class MemberStack extends Stack {
  /** Forwards API Gateway 5xx alarm state changes to the central bus. */
  readonly rule: events.Rule;
  /** What EventBridge could not deliver to the central bus (after its retries). */
  readonly deadLetterQueue: sqs.Queue;
  /** The read-only role the central responder assumes. */
  readonly readRole: iam.Role;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    const { settings, ...stackProps } = props;
    super(scope, id, {
      // No bootstrap version rule: the template has no asset, and StackSet targets need not be bootstrapped.
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      ...stackProps,
      description:
        stackProps.description ??
        'apigw-5xx-responder member: forwards API Gateway 5xx alarms to the central responder and lets it read',
    });
    const s = resolveMemberSettings(settings);
    const partition = Aws.PARTITION;

    // (a) Forwarding: EventBridge puts the event on the central bus with a role CDK creates (events:PutEvents on
    // that bus only); the event keeps its account and Region, which is how the responder knows where to read.
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html
    this.deadLetterQueue = new sqs.Queue(this, 'UndeliveredAlarms', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the forwarding rule: it keeps alarm events EventBridge could not put ' +
        'on the central bus, so no alarm is lost; it needs no dead-letter queue of its own.',
    });
    this.rule = new events.Rule(this, 'ForwardAlarms', {
      description: 'Forwards API Gateway 5xx alarm state changes to the central apigw-5xx-responder',
      eventPattern: alarmEventPattern(s.alarmNamePrefix !== undefined ? { alarmNamePrefix: s.alarmNamePrefix } : {}),
      targets: [
        new targets.EventBus(events.EventBus.fromEventBusArn(this, 'CentralBus', s.centralBusArn), {
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });

    // (b) The read-only role. Trust: the central account, and within it only the responder's role (aws:PrincipalArn,
    // so the member stack may be deployed before the central one), with the external id and/or from the organization.
    const responderRoleArn = `arn:${partition}:iam::${s.centralAccount}:role/${s.responderRoleName ?? CENTRAL_DEFAULTS.responderRoleName}`;
    const roleName = (s.roleName ?? CENTRAL_DEFAULTS.memberRoleName).replace('{region}', Aws.REGION);
    this.readRole = new iam.Role(this, 'ReadRole', {
      roleName,
      description: 'apigw-5xx-responder: the central responder reads API Gateway, logs, metrics and CloudTrail',
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.AccountPrincipal(s.centralAccount).withConditions({
        ArnEquals: { 'aws:PrincipalArn': responderRoleArn },
        ...(s.externalId !== undefined || s.organizationId !== undefined
          ? {
              StringEquals: {
                ...(s.externalId !== undefined ? { 'sts:ExternalId': s.externalId } : {}),
                ...(s.organizationId !== undefined ? { 'aws:PrincipalOrgID': s.organizationId } : {}),
              },
            }
          : {}),
      }),
    });
    const role = this.readRole;
    const logGroupArn = (pattern: string) =>
      this.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: `${pattern}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const groups = [logGroupArn('API-Gateway-Execution-Logs_*'), ...(s.accessLogGroups ?? []).map(logGroupArn)];
    const apiArns = ['/restapis', '/restapis/*', '/apis/*', '/account'].map((path) =>
      Arn.format({ service: 'apigateway', account: '', resource: path, arnFormat: ArnFormat.NO_RESOURCE_NAME }, this),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadApiLogs', actions: ['logs:FilterLogEvents'], resources: groups }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'FindApisFromAlarms', actions: ['apigateway:GET'], resources: apiArns }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadMetricsAndChanges',
        actions: ['cloudwatch:GetMetricData', 'cloudtrail:LookupEvents'],
        resources: ['*'],
      }),
    );
    const reasons: [unknown, string][] = [
      ...groups.map((g): [unknown, string] => [
        g,
        'The central responder reads the logs of APIs it finds from their alarms: REST execution logs by the name ' +
          'API Gateway gives them (API-Gateway-Execution-Logs_{id}/{stage}) and the access log groups listed in ' +
          'accessLogGroups; FilterLogEvents only, authorised on log-group:NAME:*.',
      ]),
      ...apiArns.map((a): [unknown, string] => [
        a,
        "Read-only apigateway:GET on the Region's REST and HTTP APIs: the API an alarm watches is known only at run " +
          'time (REST by name via GetRestApis, HTTP by id); no write action is granted.',
      ]),
      [
        '*',
        'Only cloudwatch:GetMetricData and cloudtrail:LookupEvents (read-only) are granted on "*": neither action ' +
          'supports resource-level permissions (Service Authorization Reference), so they cannot be scoped.',
      ],
    ];
    for (const [arn, reason] of reasons) {
      const name = flattenForNag(this.resolve(arn));
      if (name.includes('*')) Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${name}]`, reason });
    }

    new CfnOutput(this, 'ReadRoleArn', { value: role.roleArn, description: 'The role the central responder assumes' });
    new CfnOutput(this, 'ForwardingRuleArn', { value: this.rule.ruleArn, description: 'Forwards 5xx alarm events' });
  }
}
