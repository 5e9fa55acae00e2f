import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWebhookSecret } from '../../lambda/forwarder/webhook-url.js';
import {
  ConfigError,
  type ContextReader,
  loadResponderSettings,
  type ResponderSettings,
  resolveResponderSettings,
} from '../../lib/config.js';
import type { ResponderStack } from '../../lib/responder-stack.js';
import { CFN_LINT_INSTALL_HINT, findCfnLint, runCfnLint, templatesIn } from '../../scripts/cfn-lint.js';
import { awsArgumentsOf, firstAwsCommand, optionValue } from '../helpers/printed-command.js';
import { acknowledgements, bundledAssets, PROJECT_ROOT, synthResponder, TWO_APIS } from './helpers/synth.js';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:apigw-5xx/slack-webhook-AbC123';
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const WEBHOOK_URL = 'https://hooks.slack.com/services/T0001/B0001/Zq9sEcReTwEbHoOkToKeN';

const ALL_CHANNELS: ResponderSettings = {
  ...TWO_APIS,
  chatbot: { slackWorkspaceId: 'T07ABCDEF12', slackChannelId: 'C07ABCDEF12', name: 'apigw-5xx-orders' },
  slackWebhook: { webhookSecretArn: SECRET_ARN },
  routes: [
    { causes: ['lambda_permission', 'stage_variable_permission'], emails: ['platform@example.com'] },
    {
      causes: ['integration_timeout'],
      emails: ['backend@example.com', 'db@example.com'],
      includeRecoveries: true,
    },
  ],
};

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

function logicalId(stack: ResponderStack, construct: IConstruct | undefined): string {
  if (construct === undefined) throw new Error('the construct under test was not created');
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/** The statements of the inline policies attached to a role. */
function statementsOf(template: Template, roleLogicalId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

function configErrorOf(act: () => unknown): ConfigError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('notifications: Slack channel through Amazon Q Developer in chat applications', () => {
  let template: Template;
  let stack: ResponderStack;

  beforeAll(() => {
    ({ template, stack } = synthResponder(ALL_CHANNELS));
  });

  it('subscribes the configured Slack channel to the diagnosis topic', () => {
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 1);
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      ConfigurationName: 'apigw-5xx-orders',
      SlackWorkspaceId: 'T07ABCDEF12',
      SlackChannelId: 'C07ABCDEF12',
      SnsTopicArns: [{ Ref: logicalId(stack, stack.responder.topic) }],
      LoggingLevel: 'ERROR',
      UserRoleRequired: false,
    });
  });

  it('guards the channel with a policy that denies every action, so nothing can be run from Slack', () => {
    const notifications = stack.responder.notifications;
    const guardrailId = logicalId(stack, notifications?.guardrailPolicy);
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      GuardrailPolicies: [{ Ref: guardrailId }],
    });
    const guardrail = template.findResources('AWS::IAM::ManagedPolicy')[guardrailId];
    expect(guardrail?.Properties.PolicyDocument.Statement).toEqual([
      { Sid: 'NotificationsOnly', Effect: 'Deny', Action: '*', Resource: '*' },
    ]);
    // Not attached to any principal: it only caps the channel.
    expect(guardrail?.Properties.Roles).toBeUndefined();
  });

  it('gives the channel role no permissions at all', () => {
    const roleId = logicalId(stack, stack.responder.notifications?.slackChannel?.role);
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      IamRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
    });
    const role = template.findResources('AWS::IAM::Role')[roleId];
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' } },
    ]);
    expect(role?.Properties.Policies).toBeUndefined();
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    expect(statementsOf(template, roleId)).toEqual([]);
  });

  it('uses the given guardrail policies instead of the deny-all one', () => {
    // Prepare
    const readOnly = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    const { template: t, stack: s } = synthResponder({
      ...TWO_APIS,
      chatbot: { slackWorkspaceId: 'T07ABCDEF12', slackChannelId: 'C07ABCDEF12', guardrailPolicyArns: [readOnly] },
    });
    // Assess
    t.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', { GuardrailPolicies: [readOnly] });
    t.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(s.responder.notifications?.guardrailPolicy).toBeUndefined();
  });

  it('names the configuration after the construct path when no name is given', () => {
    // Prepare
    const { template: t } = synthResponder({
      ...TWO_APIS,
      chatbot: { slackWorkspaceId: 'T07ABCDEF12', slackChannelId: 'C07ABCDEF12', loggingLevel: 'INFO' },
    });
    // Assess
    const [channel] = Object.values(t.findResources('AWS::Chatbot::SlackChannelConfiguration'));
    expect(channel?.Properties.ConfigurationName).toMatch(/^TestResponder-[A-Za-z0-9_-]+$/);
    expect(channel?.Properties.ConfigurationName.length).toBeLessThanOrEqual(128);
    expect(channel?.Properties.LoggingLevel).toBe('INFO');
  });

  it('creates no notification resources when none is configured', () => {
    const { template: t, stack: s } = synthResponder(TWO_APIS);
    expect(s.responder.notifications).toBeUndefined();
    t.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    t.resourceCountIs('AWS::Lambda::Function', 1);
  });
});

describe('notifications: Slack webhook forwarder', () => {
  let template: Template;
  let stack: ResponderStack;
  let forwarderId: string;

  beforeAll(() => {
    ({ template, stack } = synthResponder(ALL_CHANNELS));
    forwarderId = logicalId(stack, stack.responder.notifications?.forwarder);
  });

  it('runs like the responder: nodejs22.x, arm64, its own memory, timeout and reserved concurrency', () => {
    const fn = template.findResources('AWS::Lambda::Function')[forwarderId];
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 30,
      ReservedConcurrentExecutions: 1,
    });
  });

  it('gets the secret ARN, never the URL, in its environment', () => {
    const fn = template.findResources('AWS::Lambda::Function')[forwarderId];
    expect(fn?.Properties.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      WEBHOOK_SECRET_ARN: SECRET_ARN,
    });
  });

  it('logs to its own log group with the configured retention', () => {
    const logGroup = stack.responder.notifications?.forwarderLogGroup;
    const fn = template.findResources('AWS::Lambda::Function')[forwarderId];
    expect(fn?.Properties.LoggingConfig).toEqual({ LogGroup: stack.resolve(logGroup?.logGroupName) });
    const group = template.findResources('AWS::Logs::LogGroup')[logicalId(stack, logGroup)];
    expect(group?.Properties.RetentionInDays).toBe(30);
  });

  it('is subscribed to the topic, which may invoke it', () => {
    const topicRef = { Ref: logicalId(stack, stack.responder.topic) };
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: topicRef,
      Endpoint: { 'Fn::GetAtt': [forwarderId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [forwarderId, 'Arn'] },
      Principal: 'sns.amazonaws.com',
      SourceArn: topicRef,
    });
  });

  it('retries twice, then keeps the message in an encrypted, HTTPS-only failure queue', () => {
    const queueId = logicalId(stack, stack.responder.notifications?.forwarderFailureQueue);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: forwarderId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21_600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    const queue = template.findResources('AWS::SQS::Queue')[queueId];
    expect(queue?.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('may read exactly the configured secret, write its own log and send to its failure queue, nothing else', () => {
    const roleId = logicalId(stack, stack.responder.notifications?.forwarder?.role);
    const statements = statementsOf(template, roleId);
    const read = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager'));
    expect(read).toEqual([
      { Sid: 'ReadWebhookSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN },
    ]);
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
    expect(actions).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
    for (const statement of statements) expect(statement.Resource).not.toBe('*');
    const role = template.findResources('AWS::IAM::Role')[roleId];
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('grants no other principal access to the secret', () => {
    const grants = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('secretsmanager'),
    );
    expect(grants).toHaveLength(1);
  });

  it('may decrypt with the secret’s own KMS key only through Secrets Manager, when one is given', () => {
    // Prepare
    const { template: t, stack: s } = synthResponder({
      ...TWO_APIS,
      slackWebhook: {
        webhookSecretArn: SECRET_ARN,
        webhookSecretKeyArn: KEY_ARN,
        reservedConcurrency: 2,
        timeoutSec: 60,
      },
    });
    const roleId = logicalId(s, s.responder.notifications?.forwarder?.role);
    // Assess
    expect(statementsOf(t, roleId)).toContainEqual({
      Sid: 'DecryptWebhookSecret',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: KEY_ARN,
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    });
    t.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 2, Timeout: 60 });
  });

  it('puts no webhook URL anywhere in the template', () => {
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toMatch(/hooks\.slack/i);
    expect(text).toContain(SECRET_ARN);
  });
});

describe('notifications: the forwarder as deployed (esbuild bundle)', () => {
  let assetDir: string;
  let outdir: string;

  beforeAll(() => {
    // Under cdk.out/, so the bundle's @aws-sdk imports resolve from the project's node_modules as from the runtime.
    const parent = join(PROJECT_ROOT, 'cdk.out');
    mkdirSync(parent, { recursive: true });
    outdir = mkdtempSync(join(parent, 'infra-test-forwarder-'));
    const settings = { ...TWO_APIS, slackWebhook: { webhookSecretArn: SECRET_ARN } };
    // The forwarder's logical id from a synthesis without bundling; its asset from one with (a quiet child process).
    const { stack } = synthResponder(settings);
    const forwarderId = logicalId(stack, stack.responder.notifications?.forwarder);
    const asset = bundledAssets(settings, outdir)[forwarderId];
    if (asset === undefined) throw new Error(`no bundled asset for the forwarder ${forwarderId}`);
    assetDir = asset;
  });

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it('is a minified ES module with a source map, leaving the AWS SDK to the runtime', async () => {
    expect(existsSync(join(assetDir, 'index.mjs'))).toBe(true);
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
    const { readFileSync } = await import('node:fs');
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(code).toMatch(/from\s*"@aws-sdk\/client-secrets-manager"/);
    expect(code).not.toMatch(/hooks\.slack\.com\/services\/T[A-Z0-9]/);
  });

  it('loads and exports a handler that refuses to run without its secret ARN', async () => {
    // Prepare
    const bundle = (await import(pathToFileURL(join(assetDir, 'index.mjs')).href)) as {
      handler: (event: unknown) => Promise<unknown>;
    };
    const saved = process.env.WEBHOOK_SECRET_ARN;
    delete process.env.WEBHOOK_SECRET_ARN;
    // Act / Assess
    try {
      await expect(bundle.handler({ Records: [] })).rejects.toThrow(/WEBHOOK_SECRET_ARN is not set/);
    } finally {
      if (saved !== undefined) process.env.WEBHOOK_SECRET_ARN = saved;
    }
  });
});

describe('notifications: per-cause email routes', () => {
  let template: Template;

  beforeAll(() => {
    ({ template } = synthResponder(ALL_CHANNELS));
  });

  it('subscribes each route address with a filter on the cause message attribute', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'platform@example.com',
      FilterPolicy: { cause: ['lambda_permission', 'stage_variable_permission'] },
      FilterPolicyScope: 'MessageAttributes',
    });
    for (const email of ['backend@example.com', 'db@example.com']) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        FilterPolicy: { cause: ['integration_timeout', 'recovered'] },
        FilterPolicyScope: 'MessageAttributes',
      });
    }
  });

  it('leaves the emails subscriptions unfiltered: they get every notification', () => {
    const subscriptions = Object.values(
      template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } }),
    );
    const unfiltered = subscriptions
      .filter((s) => s.Properties.FilterPolicy === undefined)
      .map((s) => s.Properties.Endpoint);
    expect(unfiltered.sort()).toEqual(['lead@example.com', 'oncall@example.com']);
    expect(subscriptions).toHaveLength(5);
  });
});

describe('notifications: configuration', () => {
  const base = { apis: TWO_APIS.apis, emails: ['oncall@example.com'] };

  it('applies the defaults', () => {
    // Act
    const settings = resolveResponderSettings({
      ...base,
      chatbot: { slackWorkspaceId: 'T07ABCDEF12', slackChannelId: 'C07ABCDEF12' },
      slackWebhook: { webhookSecretArn: SECRET_ARN },
      routes: [{ causes: ['throttling'], emails: ['platform@example.com'] }],
    });
    // Assess
    expect(settings.notifications).toEqual({
      chatbot: { slackWorkspaceId: 'T07ABCDEF12', slackChannelId: 'C07ABCDEF12', loggingLevel: 'ERROR' },
      slackWebhook: { webhookSecretArn: SECRET_ARN, reservedConcurrency: 1, timeoutSec: 30 },
      routes: [{ causes: ['throttling'], emails: ['platform@example.com'], includeRecoveries: false }],
    });
  });

  it('lists every problem at once, each with the bad value and the fix', () => {
    // Act
    const error = configErrorOf(() =>
      resolveResponderSettings({
        ...base,
        chatbot: { slackWorkspaceId: 'my-workspace', slackChannelId: '#alerts', loggingLevel: 'DEBUG' },
        slackWebhook: { webhookSecretArn: 'apigw-5xx/slack-webhook', reservedConcurrency: 0 },
        routes: [
          { causes: ['lambda_permission', 'permissions'], emails: ['oncall@example.com', 'platform@example.com'] },
          { causes: [], emails: ['platform@example.com'] },
        ],
      }),
    );
    // Assess
    expect(error.problems).toEqual([
      'chatbot.slackWorkspaceId must be a Slack workspace id of 9 or more upper-case letters and digits, like "T07ABCDEF12", got "my-workspace": authorise the workspace once in the Amazon Q Developer in chat applications console (https://console.aws.amazon.com/chatbot/) and copy the workspace id it shows',
      'chatbot.slackChannelId must be a Slack channel id of 9 or more upper-case letters and digits, like "C07ABCDEF12", got "#alerts": give the channel id, not its name: in Slack open the channel details; the id is at the bottom',
      'chatbot.loggingLevel must be "ERROR", "INFO" or "NONE", got "DEBUG": pick one or remove it',
      'slackWebhook.webhookSecretArn must be the full ARN of a Secrets Manager secret, ending in the 6-character suffix Secrets Manager adds, got "apigw-5xx/slack-webhook": give the ARN `aws secretsmanager describe-secret --secret-id NAME --query ARN --output text` prints',
      'slackWebhook.reservedConcurrency must be an integer from 1 to 1000, got 0: set how many messages may be posted at once, e.g. 1',
      expect.stringMatching(
        /^routes\[0\]\.causes\[1\] must be a cause id of the taxonomy, got "permissions": use one of lambda_function_error, stage_variable_permission, /,
      ),
      'routes[0].emails[0] must be an address not in emails, got "oncall@example.com": remove it here (emails already get every notification) or remove it from emails to get only these causes',
      expect.stringMatching(/^routes\[1\]\.causes must be a non-empty list of cause ids, got \[\]: list the causes/),
      'routes[1].emails[0] must be an address not listed in another route, got "platform@example.com": list it once: merge its causes into routes[0]',
    ]);
  });

  it('never repeats a webhook URL given where the secret ARN belongs, and says what to do instead', () => {
    // Act
    const error = configErrorOf(() =>
      resolveResponderSettings({ ...base, slackWebhook: { webhookSecretArn: WEBHOOK_URL } }),
    );
    // Assess
    expect(error.message).not.toContain('Zq9sEcReTwEbHoOkToKeN');
    expect(error.message).toContain('got "<webhook-url>"');
    expect(error.message).toContain('never put the webhook URL in the configuration');
    expect(error.message).toContain('aws secretsmanager create-secret');
  });

  it('names a create-secret command that, pasted into bash, stores JSON the forwarder reads back as the URL', () => {
    // Prepare
    const error = configErrorOf(() =>
      resolveResponderSettings({ ...base, slackWebhook: { webhookSecretArn: WEBHOOK_URL } }),
    );
    // Act: the command as printed, through bash, with the URL in $URL
    const args = awsArgumentsOf(firstAwsCommand(error.message), { URL: WEBHOOK_URL });
    // Assess
    const stored = optionValue(args, '--secret-string');
    expect(stored).toBe(`{"url":"${WEBHOOK_URL}"}`);
    expect(parseWebhookSecret(stored ?? '').href).toBe(WEBHOOK_URL);
  });

  it('never repeats a webhook URL pasted under an unknown setting', () => {
    const error = configErrorOf(() =>
      resolveResponderSettings({ ...base, slackWebhookUrl: WEBHOOK_URL, slackWebhook: { url: WEBHOOK_URL } }),
    );
    expect(error.problems.some((p) => p.startsWith('slackWebhookUrl is not a known setting'))).toBe(true);
    expect(error.problems.some((p) => p.startsWith('slackWebhook.url is not a known setting'))).toBe(true);
    expect(error.message).not.toContain('Zq9sEcReTwEbHoOkToKeN');
  });

  it('rejects guardrail and key ARNs that are not ARNs of their kind', () => {
    const error = configErrorOf(() =>
      resolveResponderSettings({
        ...base,
        chatbot: {
          slackWorkspaceId: 'T07ABCDEF12',
          slackChannelId: 'C07ABCDEF12',
          guardrailPolicyArns: ['ReadOnlyAccess'],
        },
        slackWebhook: { webhookSecretArn: SECRET_ARN, webhookSecretKeyArn: 'alias/aws/secretsmanager' },
      }),
    );
    expect(error.problems).toEqual([
      expect.stringMatching(/^chatbot\.guardrailPolicyArns\[0\] must be an IAM managed policy ARN/),
      expect.stringMatching(/^slackWebhook\.webhookSecretKeyArn must be a KMS key ARN/),
    ]);
  });

  it('reads chatbot, slackWebhook and routes from context as JSON', () => {
    // Prepare
    const values: Record<string, unknown> = {
      apis: JSON.stringify(TWO_APIS.apis),
      chatbot: '{"slackWorkspaceId":"T07ABCDEF12","slackChannelId":"C07ABCDEF12"}',
      slackWebhook: JSON.stringify({ webhookSecretArn: SECRET_ARN }),
      routes: '[{"causes":["lambda_permission"],"emails":["platform@example.com"]}]',
    };
    const context: ContextReader = { tryGetContext: (key) => values[key] };
    // Act
    const settings = loadResponderSettings(context);
    // Assess
    expect(settings.chatbot).toEqual({ slackWorkspaceId: 'T07ABCDEF12', slackChannelId: 'C07ABCDEF12' });
    expect(settings.slackWebhook).toEqual({ webhookSecretArn: SECRET_ARN });
    expect(settings.routes).toEqual([{ causes: ['lambda_permission'], emails: ['platform@example.com'] }]);
  });

  it('reports context that is not JSON', () => {
    const values: Record<string, unknown> = { apis: JSON.stringify(TWO_APIS.apis), routes: 'lambda_permission' };
    const error = configErrorOf(() => loadResponderSettings({ tryGetContext: (key) => values[key] }));
    expect(error.problems[0]).toMatch(
      /^context `routes` must be JSON, got "lambda_permission" .*: pass e\.g\. -c routes='\[/,
    );
  });
});

describe('notifications: cdk-nag and cfn-lint', () => {
  it('reports no unacknowledged cdk-nag finding with every channel configured', () => {
    // Prepare
    const { stack } = synthResponder(ALL_CHANNELS);
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);
    // Assess
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.description}`)).toEqual([]);
  });

  it('reports none either in a concrete account and region, with a KMS-encrypted secret', () => {
    const { stack } = synthResponder(
      { ...ALL_CHANNELS, slackWebhook: { webhookSecretArn: SECRET_ARN, webhookSecretKeyArn: KEY_ARN } },
      { env: { account: '123456789012', region: 'eu-west-1' } },
    );
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('acknowledges only the forwarder’s runtime and failure queue, each with a reason', () => {
    // Prepare
    const { stack } = synthResponder(ALL_CHANNELS);
    // Act
    const acks = acknowledgements(stack).filter((a) => a.path.includes('/Notifications/'));
    // Assess
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual([
      'TestResponder/Responder/Notifications/Forwarder AwsSolutions-L1',
      'TestResponder/Responder/Notifications/ForwarderFailures AwsSolutions-SQS3',
    ]);
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(60);
  });

  it('passes cfn-lint with every channel configured', () => {
    // Prepare
    const executable = findCfnLint();
    if (executable === undefined) throw new Error(CFN_LINT_INSTALL_HINT);
    const { app, outdir } = synthResponder({
      ...ALL_CHANNELS,
      slackWebhook: { webhookSecretArn: SECRET_ARN, webhookSecretKeyArn: KEY_ARN },
    });
    app.synth();
    // Act
    const { exitCode, output } = runCfnLint(templatesIn(outdir), executable);
    // Assess
    expect(output).toBe('');
    expect(exitCode).toBe(0);
  });
});
