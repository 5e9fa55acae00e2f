/**
 * Least privilege, pinned: the exact IAM statements of every role in the stack, the only wildcards allowed, and who
 * may invoke the functions. A change that widens a permission (a new action, a `*`, another log group, a managed
 * policy) fails here and has to say so in this file. SECURITY.md explains each statement.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResponderSettings } from '../../lib/config.js';
import type { ResponderStack } from '../../lib/responder-stack.js';
import { synthResponder, TWO_APIS } from './helpers/synth.js';

interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Condition?: unknown;
}

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** A CloudFormation value as one string: `{Ref: X}` is `<X>`, `{Fn::GetAtt: [X, Arn]}` is `<X.Arn>`, joins joined. */
function flat(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return `<${v.Ref}>`;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
    const join = v['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(flat).join(join[0]);
    }
  }
  return JSON.stringify(value);
}

const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** What a statement grants, comparable: actions and resources sorted and flattened. */
interface Grant {
  readonly sid?: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly condition?: unknown;
}

function grantOf(s: Statement): Grant {
  // Only plain Allow statements are expected in identity policies: no NotAction/NotResource tricks.
  expect(s.Effect).toBe('Allow');
  expect(s.NotAction).toBeUndefined();
  expect(s.NotResource).toBeUndefined();
  expect(s.Principal).toBeUndefined();
  return {
    ...(s.Sid !== undefined ? { sid: s.Sid } : {}),
    actions: list(s.Action).map(String).sort(),
    resources: list(s.Resource).map(flat).sort(),
    ...(s.Condition !== undefined ? { condition: s.Condition } : {}),
  };
}

function sortGrants(grants: Grant[]): Grant[] {
  return [...grants].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

function resources(template: Template, type?: string): Array<[string, Resource]> {
  const all = (template.toJSON() as { Resources: Record<string, Resource> }).Resources;
  return Object.entries(all).filter(([, r]) => type === undefined || r.Type === type);
}

function logicalId(stack: ResponderStack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/** Every AWS::IAM::Policy and AWS::IAM::ManagedPolicy that names the role, and the role's own inline/managed ones. */
function policiesOfRole(template: Template, roleId: string) {
  const attached = resources(template).filter(
    ([, r]) =>
      (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') &&
      list(r.Properties.Roles).some((ref) => flat(ref) === `<${roleId}>`),
  );
  const role = resources(template, 'AWS::IAM::Role').find(([id]) => id === roleId)?.[1];
  return { attached, role };
}

/** The role's grants; it must have exactly one policy (its default policy), no inline or managed policy. */
function grantsOfRole(template: Template, roleId: string): Grant[] {
  const { attached, role } = policiesOfRole(template, roleId);
  expect(role, `role ${roleId}`).toBeDefined();
  expect(role?.Properties.ManagedPolicyArns, 'no managed policy on the role').toBeUndefined();
  expect(role?.Properties.Policies, 'no inline policy on the role').toBeUndefined();
  expect(role?.Properties.PermissionsBoundary).toBeUndefined();
  expect(attached.map(([, r]) => r.Type)).toEqual(['AWS::IAM::Policy']);
  const doc = attached[0]?.[1].Properties.PolicyDocument as { Statement: Statement[] } | undefined;
  const statements = doc?.Statement ?? [];
  return sortGrants(statements.map(grantOf));
}

/** The ARN the stack writes for `log-group:NAME:*`, flattened. */
function logGroupArn(name: string): string {
  return `arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${name}:*`;
}

/**
 * The only places a `*` may appear in a responder resource: the trailing `:*` of a named log group, the paths below
 * one configured API (read-only `apigateway:GET`), VPC links, and the qualifiers of one configured function.
 */
const NAMED_LOG_GROUP =
  /^arn:<AWS::Partition>:(?:logs:<AWS::Region>:<AWS::AccountId>:log-group:[^*]+:\*|apigateway:<AWS::Region>::\/(?:restapis|apis)\/[a-z0-9]{10}\/\*|apigateway:<AWS::Region>::\/vpclinks\/\*|lambda:<AWS::Region>:<AWS::AccountId>:function:[A-Za-z0-9_-]+:\*)$/;

/** The read-only configuration grants for these APIs and functions (lambda/adapters/config-checks.ts). */
function configurationGrants(
  apis: ReadonlyArray<{ type: 'REST' | 'HTTP'; id: string }>,
  functions: readonly string[],
): Grant[] {
  const api = (path: string) => `arn:<AWS::Partition>:apigateway:<AWS::Region>::${path}`;
  const fn = (name: string) => `arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:${name}`;
  return [
    {
      sid: 'ReadApiConfiguration',
      actions: ['apigateway:GET'],
      resources: [
        ...[...new Set(apis.map((a) => (a.type === 'REST' ? `/restapis/${a.id}` : `/apis/${a.id}`)))].flatMap((b) => [
          api(b),
          api(`${b}/*`),
        ]),
        api('/vpclinks/*'),
        // GetAccount (the account's CloudWatch role for API Gateway): REST APIs only.
        ...(apis.some((a) => a.type === 'REST') ? [api('/account')] : []),
      ].sort(),
    },
    ...(functions.length > 0
      ? [
          {
            sid: 'ReadFunctionConfiguration',
            actions: [
              'lambda:GetAlias',
              'lambda:GetFunctionConcurrency',
              'lambda:GetFunctionConfiguration',
              'lambda:GetPolicy',
            ],
            resources: functions.flatMap((f) => [fn(f), fn(`${f}:*`)]).sort(),
          },
        ]
      : []),
  ];
}

/**
 * The only grants on "*": metric reads and CloudTrail lookups, whose actions support no resource-level permission
 * (Service Authorization Reference); acknowledged in cdk-nag with that reason.
 */
const UNSCOPABLE_GRANTS: Grant[] = [
  { sid: 'ReadMetrics', actions: ['cloudwatch:GetMetricData'], resources: ['*'] },
  { sid: 'ReadRecentChanges', actions: ['cloudtrail:LookupEvents'], resources: ['*'] },
];
const UNSCOPABLE_SIDS = new Set(UNSCOPABLE_GRANTS.map((g) => g.sid));

function responderGrants(stack: ResponderStack, groups: readonly string[]): Grant[] {
  const r = stack.responder;
  const arn = (token: string) => flat(stack.resolve(token));
  const functions = [...new Set(r.settings.apis.flatMap((a) => a.functionNames ?? []))];
  return sortGrants([
    ...configurationGrants(r.settings.apis, functions),
    ...UNSCOPABLE_GRANTS,
    ...(groups.length > 0
      ? [{ sid: 'ReadConfiguredApiLogs', actions: ['logs:FilterLogEvents'], resources: groups.map(logGroupArn).sort() }]
      : []),
    { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [arn(r.logGroup.logGroupArn)] },
    { sid: 'PublishDiagnosis', actions: ['sns:Publish'], resources: [arn(r.topic.topicArn)] },
    { sid: 'EncryptForTopic', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [arn(r.topicKey.keyArn)] },
    {
      sid: 'NotificationLedger',
      actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [arn(r.ledgerTable.tableArn)],
    },
    {
      actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
      resources: [arn(r.failureQueue.queueArn)],
    },
  ]);
}

/** Every policy document in the template, with where it is. */
function policyDocuments(template: Template): Array<{ where: string; statements: Statement[] }> {
  const out: Array<{ where: string; statements: Statement[] }> = [];
  for (const [id, r] of resources(template)) {
    const docs: Array<[string, unknown]> = [];
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
      docs.push(['', r.Properties.PolicyDocument]);
    if (r.Type === 'AWS::IAM::Role') {
      for (const p of list(r.Properties.Policies))
        docs.push([' inline', (p as { PolicyDocument: unknown }).PolicyDocument]);
    }
    if (r.Type === 'AWS::KMS::Key') docs.push([' key policy', r.Properties.KeyPolicy]);
    if (r.Type.endsWith('Policy') && r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') {
      docs.push([' resource policy', r.Properties.PolicyDocument]);
    }
    for (const [what, doc] of docs) {
      out.push({ where: `${id}${what}`, statements: (doc as { Statement: Statement[] }).Statement });
    }
  }
  return out;
}

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:apigw-5xx/slack-webhook-AbC123';
const SECRET_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Every channel configured: the most roles and policies the stack can have. */
const ALL_CHANNELS: ResponderSettings = {
  ...TWO_APIS,
  chatbot: { slackWorkspaceId: 'T07ABCDEF12', slackChannelId: 'C07ABCDEF12', name: 'apigw-5xx-orders' },
  slackWebhook: { webhookSecretArn: SECRET_ARN, webhookSecretKeyArn: SECRET_KEY_ARN },
  routes: [{ causes: ['lambda_permission'], emails: ['platform@example.com'] }],
};

describe('least privilege: the responder role', () => {
  let template: Template;
  let stack: ResponderStack;
  let roleId: string;

  beforeAll(() => {
    ({ template, stack } = synthResponder(TWO_APIS));
    roleId = logicalId(stack, stack.responder.function.role as never);
  });

  it('holds exactly these statements: read the configured logs, write its own log, publish, encrypt, ledger, DLQ', () => {
    expect(grantsOfRole(template, roleId)).toEqual(
      responderGrants(stack, [
        'API-Gateway-Execution-Logs_a1b2c3d4e5/prod',
        '/aws/apigateway/orders-access',
        '/aws/lambda/orders-create',
        '/aws/lambda/orders-get',
      ]),
    );
  });

  it('has no wildcard action and no wildcard resource but the `log-group:NAME:*` form and the two unscopable reads', () => {
    for (const grant of grantsOfRole(template, roleId)) {
      for (const action of grant.actions) expect(action, grant.sid).not.toContain('*');
      if (UNSCOPABLE_SIDS.has(grant.sid)) {
        expect(grant.resources, grant.sid).toEqual(['*']);
        expect(grant.actions).toHaveLength(1);
        continue;
      }
      for (const resource of grant.resources) {
        if (resource.includes('*')) expect(resource, grant.sid).toMatch(NAMED_LOG_GROUP);
      }
    }
  });

  it('is assumable by Lambda only, with no managed policy (not even AWSLambdaBasicExecutionRole)', () => {
    const role = resources(template, 'AWS::IAM::Role').find(([id]) => id === roleId)?.[1];
    expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      Version: '2012-10-17',
    });
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('can be invoked only by the stack alarms, each permission scoped to its alarm and account', () => {
    const fnId = logicalId(stack, stack.responder.function);
    const alarmArns = stack.responder.alarms.map((a) => flat(stack.resolve(a.alarmArn))).sort();
    const permissions = resources(template, 'AWS::Lambda::Permission').filter(
      ([, r]) => flat(r.Properties.FunctionName) === `<${fnId}.Arn>`,
    );
    expect(permissions.map(([, r]) => flat(r.Properties.SourceArn)).sort()).toEqual(alarmArns);
    for (const [, r] of permissions) {
      expect(r.Properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'lambda.alarms.cloudwatch.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
      });
    }
  });
});

describe('least privilege: logs:FilterLogEvents covers exactly the configured groups', () => {
  const cases: Array<[string, ResponderSettings, string[]]> = [
    [
      'HTTP API with an access log and no function',
      { apis: [{ type: 'HTTP', id: 'f6g7h8i9j0', stage: 'live', accessLogGroup: 'payments-access' }] },
      ['payments-access'],
    ],
    [
      'two REST stages sharing a backend function (each group once)',
      {
        apis: [
          { type: 'REST', name: 'orders', id: 'a1b2c3d4e5', stage: 'prod', functionNames: ['orders-get'] },
          { type: 'REST', name: 'orders', id: 'a1b2c3d4e5', stage: 'beta', functionNames: ['orders-get'] },
        ],
      },
      [
        'API-Gateway-Execution-Logs_a1b2c3d4e5/prod',
        'API-Gateway-Execution-Logs_a1b2c3d4e5/beta',
        '/aws/lambda/orders-get',
      ],
    ],
    [
      'HTTP API with no log group at all: no read statement',
      { apis: [{ type: 'HTTP', id: 'f6g7h8i9j0', stage: 'live' }] },
      [],
    ],
  ];

  for (const [name, settings, groups] of cases) {
    it(name, () => {
      const { template, stack } = synthResponder(settings);
      const roleId = logicalId(stack, stack.responder.function.role as never);
      expect(grantsOfRole(template, roleId)).toEqual(responderGrants(stack, groups));
    });
  }
});

describe('least privilege: the whole stack with every notification channel', () => {
  let template: Template;
  let stack: ResponderStack;

  beforeAll(() => {
    ({ template, stack } = synthResponder(ALL_CHANNELS));
  });

  it('has three roles: the responder, the webhook forwarder and the Slack channel, and no user or access key', () => {
    const notifications = stack.responder.notifications;
    const ids = [
      logicalId(stack, stack.responder.function.role as never),
      logicalId(stack, notifications?.forwarder?.role as never),
      logicalId(stack, notifications?.slackChannel?.role as never),
    ].sort();
    expect(
      resources(template, 'AWS::IAM::Role')
        .map(([id]) => id)
        .sort(),
    ).toEqual(ids);
    for (const type of ['AWS::IAM::User', 'AWS::IAM::Group', 'AWS::IAM::AccessKey', 'AWS::IAM::InstanceProfile']) {
      expect(resources(template, type), type).toEqual([]);
    }
  });

  it('gives the forwarder its secret (decrypted through Secrets Manager only), its own log and its DLQ', () => {
    const forwarder = stack.responder.notifications?.forwarder;
    const queue = stack.responder.notifications?.forwarderFailureQueue;
    const logGroup = stack.responder.notifications?.forwarderLogGroup;
    expect(forwarder && queue && logGroup).toBeTruthy();
    const roleId = logicalId(stack, forwarder?.role as never);
    expect(grantsOfRole(template, roleId)).toEqual(
      sortGrants([
        { sid: 'ReadWebhookSecret', actions: ['secretsmanager:GetSecretValue'], resources: [SECRET_ARN] },
        {
          sid: 'DecryptWebhookSecret',
          actions: ['kms:Decrypt'],
          resources: [SECRET_KEY_ARN],
          condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
        },
        {
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [flat(stack.resolve(logGroup?.logGroupArn))],
        },
        {
          actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
          resources: [flat(stack.resolve(queue?.queueArn))],
        },
      ]),
    );
  });

  it('gives the Slack channel role nothing: no policy, and a deny-all guardrail', () => {
    const channel = stack.responder.notifications?.slackChannel;
    const roleId = logicalId(stack, channel?.role as never);
    const { attached, role } = policiesOfRole(template, roleId);
    expect(attached).toEqual([]);
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role?.Properties.Policies).toBeUndefined();
    const guardrail = stack.responder.notifications?.guardrailPolicy;
    const doc = resources(template, 'AWS::IAM::ManagedPolicy').find(
      ([id]) => id === logicalId(stack, guardrail as never),
    )?.[1].Properties.PolicyDocument as { Statement: Statement[] };
    expect(doc.Statement).toEqual([{ Action: '*', Effect: 'Deny', Resource: '*', Sid: 'NotificationsOnly' }]);
  });

  it('allows a wildcard nowhere but in the key policy statement that delegates the key to IAM in this account and the two unscopable reads', () => {
    const wildcards: string[] = [];
    for (const { where, statements } of policyDocuments(template)) {
      for (const s of statements) {
        if (s.Effect !== 'Allow') continue;
        if (s.Sid !== undefined && UNSCOPABLE_SIDS.has(s.Sid)) {
          expect(list(s.Action)).toHaveLength(1);
          continue;
        }
        expect(s.NotAction, where).toBeUndefined();
        expect(s.NotResource, where).toBeUndefined();
        expect(s.NotPrincipal, where).toBeUndefined();
        const actions = list(s.Action).map(String);
        const resourcesOf = list(s.Resource).map(flat);
        const wild =
          actions.some((a) => a.includes('*')) ||
          resourcesOf.some((r) => r.includes('*') && !NAMED_LOG_GROUP.test(r)) ||
          flat(s.Principal) === '"*"' ||
          list((s.Principal as { AWS?: unknown } | undefined)?.AWS).some((p) => flat(p) === '*');
        if (wild) wildcards.push(`${where}: ${JSON.stringify(s)}`);
      }
    }
    const keyId = logicalId(stack, stack.responder.topicKey);
    expect(wildcards).toEqual([
      `${keyId} key policy: ${JSON.stringify({
        Action: 'kms:*',
        Effect: 'Allow',
        Principal: {
          AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
        },
        Resource: '*',
      })}`,
    ]);
  });

  it('lets no one publish through the topic policy: it only denies publishing without TLS', () => {
    const topicPolicies = resources(template, 'AWS::SNS::TopicPolicy');
    expect(topicPolicies).toHaveLength(1);
    const doc = topicPolicies[0]?.[1].Properties.PolicyDocument as { Statement: Statement[] } | undefined;
    expect(doc?.Statement.length).toBeGreaterThan(0);
    expect((doc?.Statement ?? []).filter((s) => s.Effect === 'Allow')).toEqual([]);
  });

  it('lets only the topic invoke the forwarder', () => {
    const fnId = logicalId(stack, stack.responder.notifications?.forwarder as never);
    const permissions = resources(template, 'AWS::Lambda::Permission').filter(
      ([, r]) => flat(r.Properties.FunctionName) === `<${fnId}.Arn>`,
    );
    expect(permissions.map(([, r]) => r.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
        Principal: 'sns.amazonaws.com',
        SourceArn: stack.resolve(stack.responder.topic.topicArn),
      },
    ]);
  });
});
