/**
 * Many accounts: the central responder's side. In a monitoring account, the responder gets an event bus that member
 * accounts forward their API Gateway 5xx alarm state changes to (resource policy: the listed member accounts and/or
 * the organization), a rule on it, and the right to assume the read-only role the member stack creates in each
 * member account and Region (lib/member-stack.ts). The function learns the accounts from `RESPONDER_ACCOUNTS`
 * (lambda/adapters/account-credentials.ts). Settings are checked here; lib/config.ts calls `checkCentral`.
 */
import { ArnFormat, Aws, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ACCOUNTS_ENV, type AccountsConfig } from '../lambda/adapters/account-credentials.js';
import { isRecord, type Problems } from './problems.js';
import { routeExistingAlarms } from './zero-config.js';

/** Central mode: one responder for many accounts (and Regions). */
export interface CentralSettings {
  /**
   * Member account ids: they may put events on the central bus, and the responder may assume their read role.
   *
   * @default - none; then `organizationId` must be set
   */
  readonly memberAccounts?: readonly string[];
  /**
   * AWS Organizations id (`o-...`): every account of the organization may put events on the central bus, and the
   * responder may assume the read role in any account of the organization (`aws:ResourceOrgID`).
   *
   * @default - none; then `memberAccounts` must be set
   */
  readonly organizationId?: string;
  /**
   * ExternalId the responder passes to AssumeRole; the member stacks must be given the same. Required unless
   * `organizationId` is set (the member role's trust then checks `aws:PrincipalOrgID` instead).
   *
   * @default - none
   */
  readonly externalId?: string;
  /**
   * Name of the central event bus the member stacks forward to.
   *
   * @default 'apigw-5xx-responder'
   */
  readonly eventBusName?: string;
  /**
   * Name of the read-only role in each member account, `{region}` standing for the Region it reads.
   *
   * @default 'apigw-5xx-responder-read-{region}'
   */
  readonly memberRoleName?: string;
  /**
   * Name of the responder's own role, which the member roles trust (`aws:PrincipalArn`).
   *
   * @default 'apigw-5xx-responder-central'
   */
  readonly responderRoleName?: string;
  /**
   * Read member accounts' logs through CloudWatch cross-account observability: this (monitoring) account has an OAM
   * sink, the member accounts are linked to it sharing `AWS::Logs::LogGroup`, and the responder reads their log
   * groups with its own role (logs:FilterLogEvents on the member accounts' log groups). API Gateway configuration,
   * metrics and CloudTrail are still read through the member role.
   *
   * @default false - everything through the member role
   */
  readonly logsThroughObservability?: boolean;
}

/** Central settings with defaults applied. */
export interface ResolvedCentralSettings {
  readonly memberAccounts: readonly string[];
  readonly organizationId?: string;
  readonly externalId?: string;
  readonly eventBusName: string;
  readonly memberRoleName: string;
  readonly responderRoleName: string;
  readonly logsThroughObservability: boolean;
}

export const CENTRAL_DEFAULTS = {
  eventBusName: 'apigw-5xx-responder',
  memberRoleName: 'apigw-5xx-responder-read-{region}',
  responderRoleName: 'apigw-5xx-responder-central',
} as const;

export const ACCOUNT_ID = /^\d{12}$/;
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (ExternalId)
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
// IAM role names: 1 to 64 of [\w+=,.@-]; `{region}` is replaced by up to 14 characters.
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const MEMBER_ROLE_NAME = /^[\w+=,.@-]*(\{region\})?[\w+=,.@-]*$/;
const BUS_NAME = /^[.\-_A-Za-z0-9]{1,256}$/;

/** Validates `central` (untyped input); problems are added, the defaults applied. */
export function checkCentral(raw: unknown, problems: Problems): ResolvedCentralSettings | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    problems.add(
      'central',
      'an object such as {"memberAccounts":["111122223333"],"externalId":"..."} or {"organizationId":"o-..."}',
      raw,
      'see docs/deploying.md, "Many accounts"',
    );
    return undefined;
  }
  problems.unknownKeys('central', raw, [
    'memberAccounts',
    'organizationId',
    'externalId',
    'eventBusName',
    'memberRoleName',
    'responderRoleName',
    'logsThroughObservability',
  ]);
  let memberAccounts: string[] = [];
  if (raw.memberAccounts !== undefined) {
    const list = raw.memberAccounts;
    if (!Array.isArray(list) || list.some((a) => typeof a !== 'string' || !ACCOUNT_ID.test(a))) {
      problems.add(
        'central.memberAccounts',
        'a list of 12-digit account ids',
        list,
        'write each id as a string, e.g. ["111122223333"]',
      );
    } else {
      memberAccounts = [...new Set(list as string[])];
    }
  }
  const organizationId = raw.organizationId;
  if (organizationId !== undefined && (typeof organizationId !== 'string' || !ORGANIZATION_ID.test(organizationId))) {
    problems.add(
      'central.organizationId',
      'an AWS Organizations id like "o-a1b2c3d4e5"',
      organizationId,
      'copy it from `aws organizations describe-organization --query Organization.Id`',
    );
  }
  if (memberAccounts.length === 0 && organizationId === undefined) {
    problems.add(
      'central',
      'given memberAccounts or organizationId (whose alarms reach the central bus)',
      raw,
      'list the member account ids, or set the organization id',
    );
  }
  const externalId = raw.externalId;
  if (externalId !== undefined && (typeof externalId !== 'string' || !EXTERNAL_ID.test(externalId))) {
    problems.add(
      'central.externalId',
      '2 to 1224 letters, digits or +=,.@:/-',
      externalId,
      'pick a random string and give the same to the member stacks',
    );
  }
  if (externalId === undefined && organizationId === undefined) {
    problems.add(
      'central.externalId',
      'set when organizationId is not (the member roles trust the responder on the external id or the organization)',
      externalId,
      'set an external id and give the same to every member stack, or set organizationId',
    );
  }
  const eventBusName = raw.eventBusName ?? CENTRAL_DEFAULTS.eventBusName;
  if (typeof eventBusName !== 'string' || !BUS_NAME.test(eventBusName) || eventBusName === 'default') {
    problems.add(
      'central.eventBusName',
      'an event bus name of 1 to 256 letters, digits, ".", "-" or "_" (not "default")',
      eventBusName,
      `remove it for "${CENTRAL_DEFAULTS.eventBusName}"`,
    );
  }
  const memberRoleName = raw.memberRoleName ?? CENTRAL_DEFAULTS.memberRoleName;
  if (
    typeof memberRoleName !== 'string' ||
    !MEMBER_ROLE_NAME.test(memberRoleName) ||
    !ROLE_NAME.test(memberRoleName.replace('{region}', 'ap-southeast-2'))
  ) {
    problems.add(
      'central.memberRoleName',
      'an IAM role name (letters, digits, +=,.@-_) of at most 64 characters once {region} is replaced',
      memberRoleName,
      `use the member stacks' role name, or remove it for "${CENTRAL_DEFAULTS.memberRoleName}"`,
    );
  }
  const responderRoleName = raw.responderRoleName ?? CENTRAL_DEFAULTS.responderRoleName;
  if (typeof responderRoleName !== 'string' || !ROLE_NAME.test(responderRoleName)) {
    problems.add(
      'central.responderRoleName',
      'an IAM role name of 1 to 64 letters, digits or +=,.@-_',
      responderRoleName,
      `remove it for "${CENTRAL_DEFAULTS.responderRoleName}"`,
    );
  }
  const logsThroughObservability = raw.logsThroughObservability ?? false;
  if (typeof logsThroughObservability !== 'boolean') {
    problems.add(
      'central.logsThroughObservability',
      'true or false',
      logsThroughObservability,
      'set true only when the member accounts are linked to this account with CloudWatch cross-account ' +
        'observability (OAM, sharing AWS::Logs::LogGroup); otherwise remove it to read logs through the member role',
    );
  }
  return {
    memberAccounts,
    ...(typeof organizationId === 'string' ? { organizationId } : {}),
    ...(typeof externalId === 'string' ? { externalId } : {}),
    eventBusName: String(eventBusName),
    memberRoleName: String(memberRoleName),
    responderRoleName: String(responderRoleName),
    logsThroughObservability: logsThroughObservability === true,
  };
}

/** What `wireCentral` made. */
export interface CentralResources {
  /** The bus member accounts forward their alarm state changes to. */
  readonly eventBus: events.EventBus;
  /** The rule on that bus that invokes the responder. */
  readonly rule: events.Rule;
}

/**
 * The central responder's event bus (with its resource policy), the rule on it, the right to assume the member
 * roles, and `RESPONDER_ACCOUNTS` in the function's environment.
 */
export function wireCentral(
  scope: Construct,
  fn: lambda.Function,
  role: iam.Role,
  failureQueue: sqs.IQueue,
  central: ResolvedCentralSettings,
  flattenForNag: (value: unknown) => string,
): CentralResources {
  const stack = Stack.of(scope);
  const eventBus = new events.EventBus(scope, 'CentralBus', {
    eventBusName: central.eventBusName,
    description: 'apigw-5xx-responder: API Gateway 5xx alarm state changes forwarded by member accounts',
  });
  // Who may put events: each listed member account, and every account of the organization.
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html
  if (central.memberAccounts.length > 0) {
    eventBus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'MemberAccountsPutAlarmEvents',
        principals: central.memberAccounts.map((a) => new iam.AccountPrincipal(a)),
        actions: ['events:PutEvents'],
        resources: [eventBus.eventBusArn],
      }),
    );
  }
  if (central.organizationId !== undefined) {
    eventBus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationPutsAlarmEvents',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [eventBus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': central.organizationId } },
      }),
    );
  }
  const rule = routeExistingAlarms(scope, fn, failureQueue, {}, { eventBus, id: 'MemberAlarms' });

  // AssumeRole on the member roles: each listed account's (the central account's own too, for its other Regions),
  // and any account's in the organization (aws:ResourceOrgID).
  const roleArn = (account: string) =>
    stack.formatArn({
      service: 'iam',
      region: '',
      account,
      resource: 'role',
      resourceName: central.memberRoleName.replace('{region}', '*'),
    });
  const accountArns = [...new Set([...central.memberAccounts, Aws.ACCOUNT_ID])].map(roleArn);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'AssumeMemberReadRoles', actions: ['sts:AssumeRole'], resources: accountArns }),
  );
  if (central.organizationId !== undefined) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeOrganizationReadRoles',
        actions: ['sts:AssumeRole'],
        resources: [roleArn('*')],
        conditions: { StringEquals: { 'aws:ResourceOrgID': central.organizationId } },
      }),
    );
  }
  const arns = [...accountArns, ...(central.organizationId !== undefined ? [roleArn('*')] : [])];
  for (const arn of arns.filter((a) => flattenForNag(stack.resolve(a)).includes('*'))) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenForNag(stack.resolve(arn))}]`,
      reason:
        'Many accounts: the responder assumes only the read-only role the member stack creates, one per Region ' +
        '("*" stands for the Region in the role name, and for the account only under an aws:ResourceOrgID ' +
        'condition); that role can read API Gateway, CloudWatch Logs, metrics and CloudTrail, nothing else.',
    });
  }

  if (central.logsThroughObservability) grantObservabilityLogReads(stack, role, central, flattenForNag);

  // Tokens (account, Region, partition) inside JSON: toJsonString resolves them at deploy time.
  const accounts: AccountsConfig = {
    homeAccount: Aws.ACCOUNT_ID,
    homeRegion: Aws.REGION,
    roleArn: `arn:${Aws.PARTITION}:iam::{account}:role/${central.memberRoleName}`,
    ...(central.externalId !== undefined ? { externalId: central.externalId } : {}),
    ...(central.logsThroughObservability ? { logsThroughObservability: true } : {}),
  };
  fn.addEnvironment(ACCOUNTS_ENV, stack.toJsonString(accounts));
  return { eventBus, rule };
}

/**
 * FilterLogEvents on the member accounts' log groups (any Region), read from this monitoring account through
 * CloudWatch cross-account observability: each listed account's, and any account's in the organization
 * (aws:ResourceOrgID). The OAM link decides which groups are shared at all.
 */
function grantObservabilityLogReads(
  stack: Stack,
  role: iam.Role,
  central: ResolvedCentralSettings,
  flattenForNag: (value: unknown) => string,
): void {
  const logGroups = (account: string) =>
    stack.formatArn({
      service: 'logs',
      region: '*',
      account,
      resource: 'log-group',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  const accountArns = central.memberAccounts.map(logGroups);
  if (accountArns.length > 0) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadMemberLogsThroughObservability',
        actions: ['logs:FilterLogEvents'],
        resources: accountArns,
      }),
    );
  }
  if (central.organizationId !== undefined) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadOrganizationLogsThroughObservability',
        actions: ['logs:FilterLogEvents'],
        resources: [logGroups('*')],
        conditions: { StringEquals: { 'aws:ResourceOrgID': central.organizationId } },
      }),
    );
  }
  for (const arn of [...accountArns, ...(central.organizationId !== undefined ? [logGroups('*')] : [])]) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenForNag(stack.resolve(arn))}]`,
      reason:
        "logsThroughObservability: the responder reads member accounts' API Gateway and Lambda log groups, which it " +
        'cannot name in advance, through CloudWatch cross-account observability; read-only (FilterLogEvents), in the ' +
        'listed member accounts or under an aws:ResourceOrgID condition, and only what the OAM links share.',
    });
  }
}

/** The ARN of the central responder's role, as the member roles' trust names it. */
export function responderRoleArn(partition: string, account: string, roleName: string): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}
