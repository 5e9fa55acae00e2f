/**
 * Many accounts on the CDK side: the central responder (`central` settings: its event bus with a resource policy
 * for the member accounts and/or the organization, the rule on it, AssumeRole on the member roles, the accounts in
 * the function's environment) and the member stack (the forwarding rule, the read-only role and its trust). Both
 * synthesize from bin/app.ts with the minimal configuration, and cdk-nag and cfn-lint stay clean for both.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNTS_ENV } from '../../lambda/adapters/account-credentials.js';
import { ConfigError, type ResponderSettings, resolveResponderSettings } from '../../lib/config.js';
import { type MemberSettings, MemberStack, resolveMemberSettings } from '../../lib/member-stack.js';
import { CFN_LINT_INSTALL_HINT, findCfnLint, runCfnLint } from '../../scripts/cfn-lint.js';
import { nagFindings, PROJECT_ROOT, projectContext, synthResponder, validationReport } from './helpers/synth.js';

const MEMBER_ACCOUNT = '111122223333';
const CENTRAL_ACCOUNT = '444455556666';
const BUS_ARN = `arn:aws:events:us-east-1:${CENTRAL_ACCOUNT}:event-bus/apigw-5xx-responder`;

/** The minimal central configuration: where to send, and whose alarms. */
const CENTRAL: ResponderSettings = {
  apis: [],
  emails: ['oncall@example.com'],
  central: { memberAccounts: [MEMBER_ACCOUNT], externalId: 'apigw-5xx-demo-external-id' },
};
const SECOND_MEMBER = '777788889999';
/** The minimal member configuration. */
const MEMBER: MemberSettings = {
  centralAccount: CENTRAL_ACCOUNT,
  centralBusArn: BUS_ARN,
  externalId: 'apigw-5xx-demo-external-id',
};

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function memberStack(settings: MemberSettings): MemberStack {
  const outdir = mkdtempSync(join(tmpdir(), 'apigw-5xx-member-'));
  made.push(outdir);
  return new MemberStack(new App({ outdir, context: projectContext() }), 'Member', { settings });
}

/** All statements of the stack's IAM policies (inline role policies included). */
function statements(template: Template): { Sid?: string; Action: unknown; Resource: unknown; Condition?: unknown }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as { Sid?: string; Action: unknown; Resource: unknown }[],
  );
}

describe('the central responder', () => {
  it('has an event bus that the member accounts may put events on, and a rule on it that invokes the responder', () => {
    // Act
    const { template, stack } = synthResponder(CENTRAL);
    // Assess
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'apigw-5xx-responder' });
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      StatementId: 'cdk-MemberAccountsPutAlarmEvents',
      Statement: Match.objectLike({
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${MEMBER_ACCOUNT}:root`]] } },
      }),
    });
    const busId = stack.resolve(stack.responder.central?.eventBus.eventBusName);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: busId,
      EventPattern: Match.objectLike({ 'detail-type': ['CloudWatch Alarm State Change'] }),
      Targets: [Match.objectLike({ Arn: Match.anyValue(), DeadLetterConfig: Match.anyValue() })],
    });
    // The central account's own alarms too (existing-alarms mode on the default bus), and no alarm of its own.
    template.hasOutput('CentralBusArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('CentralBus'), 'Arn'] } });
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules.filter((r) => r.Properties.EventBusName === undefined)).toHaveLength(1);
  });

  it('may assume only the member read role, named as the member stack names it, and tells the function', () => {
    // Act
    const { template } = synthResponder(CENTRAL);
    // Assess
    const assume = statements(template).filter((s) => s.Action === 'sts:AssumeRole');
    expect(assume.map((s) => s.Sid)).toEqual(['AssumeMemberReadRoles']);
    expect(JSON.stringify(assume[0]?.Resource)).toContain(`:iam::${MEMBER_ACCOUNT}:role/apigw-5xx-responder-read-*`);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'apigw-5xx-responder-central' });
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Environment?.Variables?.[ACCOUNTS_ENV] !== undefined,
    );
    const accounts = JSON.stringify(fn?.Properties.Environment.Variables[ACCOUNTS_ENV]);
    expect(accounts).toContain(':role/apigw-5xx-responder-read-{region}');
    expect(accounts).toContain('apigw-5xx-demo-external-id');
  });

  it('with an organization id, lets the organization put events and scopes AssumeRole by aws:ResourceOrgID', () => {
    // Act
    const { template } = synthResponder({ ...CENTRAL, central: { organizationId: 'o-a1b2c3d4e5' } });
    // Assess
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Principal: { AWS: '*' },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      }),
    });
    const org = statements(template).find((s) => s.Sid === 'AssumeOrganizationReadRoles');
    expect(org?.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } });
  });

  it.each([
    ['central settings', CENTRAL],
    ['an organization', { ...CENTRAL, central: { organizationId: 'o-a1b2c3d4e5' } }],
    [
      'two member accounts and an organization',
      {
        ...CENTRAL,
        central: { memberAccounts: [MEMBER_ACCOUNT, SECOND_MEMBER], organizationId: 'o-a1b2c3d4e5' },
      },
    ],
  ] as const)('reports no cdk-nag finding with %s', (_case, settings) => {
    const { stack } = synthResponder(settings);
    expect(nagFindings(stack)).toEqual([]);
  });

  it('fails with what to set when neither member accounts nor an organization, nor an external id, is given', () => {
    const error = (() => {
      try {
        resolveResponderSettings({ ...CENTRAL, central: { memberAccounts: ['12345'] } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toContain(
      'central.memberAccounts must be a list of 12-digit account ids, got ["12345"]: write each id as a string, e.g. ["111122223333"]',
    );
    expect(problems.some((p) => p.startsWith('central must be given memberAccounts or organizationId'))).toBe(true);
    expect(problems.some((p) => p.startsWith('central.externalId must be set when organizationId is not'))).toBe(true);
  });
});

describe('the member stack', () => {
  it('forwards API Gateway 5xx alarm state changes to the central bus, keeping what it cannot deliver', () => {
    // Act
    const template = Template.fromStack(memberStack(MEMBER));
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        source: ['aws.cloudwatch'],
        detail: Match.objectLike({
          configuration: {
            metrics: { metricStat: { metric: { namespace: ['AWS/ApiGateway'], name: ['5XXError', '5xx'] } } },
          },
        }),
      }),
      Targets: [Match.objectLike({ Arn: BUS_ARN, RoleArn: Match.anyValue(), DeadLetterConfig: Match.anyValue() })],
    });
    const put = statements(template).find((s) => s.Action === 'events:PutEvents');
    expect(put?.Resource).toBe(BUS_ARN);
  });

  it("creates a read role that trusts only the central responder's role, with the external id", () => {
    // Act
    const template = Template.fromStack(memberStack(MEMBER));
    // Assess
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: { 'Fn::Join': ['', ['apigw-5xx-responder-read-', { Ref: 'AWS::Region' }]] },
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Principal: {
              AWS: Match.objectLike({
                'Fn::Join': Match.arrayWith([Match.arrayWith([`:iam::${CENTRAL_ACCOUNT}:root`])]),
              }),
            },
            Condition: {
              ArnEquals: {
                'aws:PrincipalArn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, `:iam::${CENTRAL_ACCOUNT}:role/apigw-5xx-responder-central`],
                  ],
                },
              },
              StringEquals: { 'sts:ExternalId': 'apigw-5xx-demo-external-id' },
            },
          }),
        ],
      },
    });
  });

  it('grants the read role read-only actions only', () => {
    const template = Template.fromStack(memberStack({ ...MEMBER, organizationId: 'o-a1b2c3d4e5' }));
    const role = Object.values(template.findResources('AWS::IAM::Role')).find((r) =>
      JSON.stringify(r.Properties.RoleName ?? '').includes('read'),
    );
    expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain('"aws:PrincipalOrgID":"o-a1b2c3d4e5"');
    const actions = statements(template)
      .filter((s) => s.Sid !== undefined && s.Action !== 'events:PutEvents')
      .flatMap((s) => [s.Action].flat() as string[]);
    expect(actions.sort()).toEqual([
      'apigateway:GET',
      'cloudtrail:LookupEvents',
      'cloudwatch:GetMetricData',
      'logs:FilterLogEvents',
    ]);
  });

  it('needs no CDK bootstrap in the member account (a StackSet can deploy its template anywhere)', () => {
    const template = Template.fromStack(memberStack(MEMBER)).toJSON() as Record<string, Record<string, unknown>>;
    expect(Object.keys(template.Parameters ?? {})).not.toContain('BootstrapVersion');
    expect(JSON.stringify(template)).not.toContain('cdk-bootstrap');
  });

  it('reports no cdk-nag finding', () => {
    const report = new AwsSolutionsChecks().validateScope(
      memberStack({ ...MEMBER, accessLogGroups: ['/aws/apigateway/*'] }),
    );
    expect(report.violations.map((v) => `${v.ruleName}: ${v.description}`)).toEqual([]);
  });

  it('fails with what to fix when the bus is not in the central account or nothing scopes the trust', () => {
    expect(() =>
      resolveMemberSettings({
        centralAccount: CENTRAL_ACCOUNT,
        centralBusArn: BUS_ARN.replace(CENTRAL_ACCOUNT, MEMBER_ACCOUNT),
      }),
    ).toThrow(
      `member.centralBusArn must be a bus in the central account "${CENTRAL_ACCOUNT}", got "arn:aws:events:us-east-1:${MEMBER_ACCOUNT}:event-bus/apigw-5xx-responder": use the CentralBusArn output of the central stack, or fix centralAccount`,
    );
    expect(() => resolveMemberSettings({ centralAccount: CENTRAL_ACCOUNT, centralBusArn: BUS_ARN })).toThrow(
      'member must be given externalId or organizationId',
    );
  });
});

/** Runs bin/app.ts as the CDK CLI does (context in CDK_CONTEXT_JSON), environment-agnostic, without bundling. */
function runApp(context: Record<string, unknown>): { status: number | null; stderr: string; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'apigw-5xx-app-'));
  made.push(outdir);
  const { CDK_DEFAULT_ACCOUNT: _account, CDK_DEFAULT_REGION: _region, ...env } = process.env;
  const result = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), [join(PROJECT_ROOT, 'bin', 'app.ts')], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...env,
      CDK_CONTEXT_JSON: JSON.stringify({ ...projectContext(), 'aws:cdk:bundling-stacks': [], ...context }),
      CDK_OUTDIR: outdir,
    },
  });
  return { status: result.status, stderr: result.stderr, outdir };
}

describe('cdk synth of the central and member stacks (bin/app.ts, minimal configuration)', () => {
  const runs: Record<string, { status: number | null; stderr: string; outdir: string }> = {};
  beforeAll(() => {
    runs.central = runApp({ emails: 'oncall@example.com', central: JSON.stringify(CENTRAL.central) });
    runs.member = runApp({ member: JSON.stringify(MEMBER) });
  }, 240_000);

  it.each([
    ['central', 'ApiGateway5xxResponder'],
    ['member', 'ApiGateway5xxResponderMember'],
  ])('synthesizes the %s stack with no cdk-nag finding, and cfn-lint passes it', (which, stackName) => {
    const run = runs[which];
    expect(run?.stderr).not.toMatch(/Error|AwsSolutions-/);
    expect(run?.status).toBe(0);
    const file = join(run?.outdir ?? '', `${stackName}.template.json`);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).Resources).length).toBeGreaterThan(3);
    expect(validationReport(run?.outdir ?? '').pluginReports.filter((p) => p.pluginName === 'AwsSolutions')).toEqual(
      [],
    );
    const cfnLint = findCfnLint();
    if (cfnLint === undefined) throw new Error(CFN_LINT_INSTALL_HINT);
    const lint = runCfnLint([file], cfnLint);
    expect(lint.output).toBe('');
    expect(lint.exitCode).toBe(0);
  });

  it('fails the member synth with the problem when its settings are wrong', () => {
    const run = runApp({ member: JSON.stringify({ centralAccount: 'central' }) });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('member.centralAccount must be a 12-digit account id, got "central"');
  });
});
