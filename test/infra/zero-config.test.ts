import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, type ResponderSettings, resolveResponderSettings } from '../../lib/config.js';
import { ResponderStack } from '../../lib/responder-stack.js';
import { CFN_LINT_INSTALL_HINT, findCfnLint, runCfnLint, templatesIn } from '../../scripts/cfn-lint.js';
import { projectContext, synthResponder, TWO_APIS } from './helpers/synth.js';

/** The alarms on an API's 5xx metric (the stack's self-monitoring alarms watch its own function and queues). */
function apiAlarms(template: Template): unknown[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((alarm) =>
    JSON.stringify(alarm).includes('AWS/ApiGateway'),
  );
}

/** The minimal existing-alarms configuration: where to send, and the mode. */
const MINIMAL: ResponderSettings = { apis: [], emails: ['oncall@example.com'], existingAlarms: {} };
const outdirs: string[] = [];

afterEach(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function synth(settings: ResponderSettings) {
  const out = synthResponder(settings);
  outdirs.push(out.outdir);
  return out;
}

/** Every resource string of the role's policy statements with this Sid, flattened. */
function policyResources(template: ReturnType<typeof synth>['template'], sid: string): string[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  const statements = policies.flatMap(
    (p) => (p.Properties.PolicyDocument.Statement as { Sid?: string; Resource: unknown }[]) ?? [],
  );
  const resources = statements.filter((s) => s.Sid === sid).flatMap((s) => [s.Resource].flat());
  return resources.map((r) => JSON.stringify(r));
}

describe('existing-alarms mode', () => {
  it('creates no alarm and an EventBridge rule for API Gateway 5xx alarm state changes, targeting the responder', () => {
    // Act
    const { template } = synth(MINIMAL);
    // Assess
    expect(apiAlarms(template)).toHaveLength(0);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: {
          state: { value: ['ALARM', 'OK'] },
          configuration: {
            metrics: { metricStat: { metric: { namespace: ['AWS/ApiGateway'], name: ['5XXError', '5xx'] } } },
          },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ResponderFunction'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ResponderFailedInvocations'), 'Arn'] } },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ResponderExistingAlarms'), 'Arn'] },
    });
  });

  it('synthesizes from a config file holding only emails and the mode, as `cdk synth -c config=...` reads it', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'apigw-5xx-infra-'));
    outdirs.push(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ emails: ['oncall@example.com'], existingAlarms: {} }));
    // Act
    const { template, outdir } = synthResponder(undefined, { context: { config: join(dir, 'config.json') } });
    outdirs.push(outdir);
    // Assess
    expect(apiAlarms(template)).toHaveLength(0);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  it('narrows the rule to alarm names with the prefix when one is given', () => {
    // Act
    const { template } = synth({ ...MINIMAL, existingAlarms: { alarmNamePrefix: 'orders-' } });
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ alarmName: [{ prefix: 'orders-' }] }) }),
    });
  });

  it('grants reads of every REST execution log group by its prefix, and of no other log group', () => {
    // Act
    const { template } = synth(MINIMAL);
    // Assess
    const logs = policyResources(template, 'ReadDiscoveredApiLogs');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain(':log-group:API-Gateway-Execution-Logs_*:*');
    expect(policyResources(template, 'ReadConfiguredApiLogs')).toEqual([]);
    expect(policyResources(template, 'FindApisFromAlarms').join(' ')).toContain('/restapis');
  });

  it('passes cdk-nag with only acknowledged findings, and cfn-lint', () => {
    // Prepare
    const executable = findCfnLint();
    if (executable === undefined) throw new Error(CFN_LINT_INSTALL_HINT);
    const { stack, app, outdir } = synth({ ...MINIMAL, discovery: { accessLogGroups: ['/aws/apigateway/*'] } });
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);
    app.synth();
    const lint = runCfnLint(templatesIn(outdir), executable);
    // Assess
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.description}`)).toEqual([]);
    expect(lint.output).toBe('');
    expect(lint.exitCode).toBe(0);
  });
});

describe('discovery with alarms the stack creates', () => {
  it('adds the listed access log groups to the grants and to the runtime configuration', () => {
    // Act
    const { template, stack } = synth({ ...TWO_APIS, discovery: { accessLogGroups: ['/aws/apigateway/*'] } });
    // Assess
    expect(apiAlarms(template)).toHaveLength(2);
    template.resourceCountIs('AWS::Events::Rule', 0);
    expect(policyResources(template, 'ReadDiscoveredApiLogs').join(' ')).toContain(':log-group:/aws/apigateway/*:*');
    expect(stack.responder.runtimeConfig.accessLogGroupPatterns).toEqual(['/aws/apigateway/*']);
  });

  it('grants nothing beyond the configured APIs when discovery is off', () => {
    // Act
    const { template } = synth(TWO_APIS);
    // Assess
    expect(policyResources(template, 'ReadDiscoveredApiLogs')).toEqual([]);
    expect(policyResources(template, 'FindApisFromAlarms')).toEqual([]);
  });
});

describe('zero-configuration settings', () => {
  it.each([
    ['an empty apis list without existingAlarms', { apis: [] }, 'apis must be a non-empty list'],
    [
      'an alarm name prefix with spaces',
      { existingAlarms: { alarmNamePrefix: 'a b' } },
      'existingAlarms.alarmNamePrefix',
    ],
    ['every log group', { existingAlarms: {}, discovery: { accessLogGroups: ['*'] } }, 'discovery.accessLogGroups'],
    ['a misspelt key', { existingAlarms: { prefix: 'x' } }, 'existingAlarms'],
  ])('refuses %s, saying which setting is wrong', (_case, raw, expected) => {
    // Act / Assess
    expect(() => resolveResponderSettings(raw)).toThrowError(ConfigError);
    expect(() => resolveResponderSettings(raw)).toThrowError(expected);
  });

  it('accepts emails and the mode alone', () => {
    // Act
    const settings = resolveResponderSettings({ emails: ['oncall@example.com'], existingAlarms: {} });
    // Assess
    expect(settings.apis).toEqual([]);
    expect(settings.existingAlarms).toEqual({});
    expect(settings.discovery).toEqual({ accessLogGroups: [] });
  });
});

describe('a REST API configured by id and stage alone', () => {
  const BY_ID: ResponderSettings = {
    apis: [{ type: 'REST', id: 'a1b2c3d4e5', stage: 'prod' }],
    emails: ['oncall@example.com'],
  };

  it('looks its name up at deploy time with GetRestApi, scoped to that API, for the alarm ApiName', () => {
    // Act
    const { template } = synth(BY_ID);
    // Assess
    const lookups = template.findResources('Custom::RestApiName');
    expect(Object.keys(lookups)).toHaveLength(1);
    const [lookupId, lookup] = Object.entries(lookups)[0] ?? [];
    expect(JSON.stringify(lookup?.Properties.Create)).toContain('"action\\":\\"getRestApi\\"');
    expect(JSON.stringify(lookup?.Properties.Create)).toContain('a1b2c3d4e5');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5XXError',
      Dimensions: Match.arrayWith([{ Name: 'ApiName', Value: { 'Fn::GetAtt': [lookupId, 'name'] } }]),
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
    );
    // The lookup's own statement: one resource, that API (the responder's statement lists several).
    const lookupGrant = statements.filter(
      (s) =>
        s.Action === 'apigateway:GET' &&
        !Array.isArray(s.Resource) &&
        JSON.stringify(s.Resource).endsWith('/restapis/a1b2c3d4e5"]]}'),
    );
    expect(lookupGrant).toHaveLength(1);
    expect(JSON.stringify(statements)).not.toContain('GetRestApi');
  });

  it('passes cdk-nag with only acknowledged findings, and cfn-lint', () => {
    // Prepare
    const executable = findCfnLint();
    if (executable === undefined) throw new Error(CFN_LINT_INSTALL_HINT);
    const { stack, app, outdir } = synth(BY_ID);
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);
    app.synth();
    const lint = runCfnLint(templatesIn(outdir), executable);
    // Assess
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.description}`)).toEqual([]);
    expect(lint.output).toBe('');
    expect(lint.exitCode).toBe(0);
  });

  it('makes no lookup when the name is given', () => {
    // Act
    const { template } = synth(TWO_APIS);
    // Assess
    template.resourceCountIs('Custom::RestApiName', 0);
  });
});

describe('alarms made elsewhere (cdk-monitoring-constructs, your own)', () => {
  /** A stack not yet synthesized, so alarms can be added to it as an app would. */
  function unsynthesized(settings: ResponderSettings): ResponderStack {
    const outdir = mkdtempSync(join(tmpdir(), 'apigw-5xx-infra-'));
    outdirs.push(outdir);
    // The validation report (the warnings asserted below) goes to the assembly, not to the test's output.
    const app = new App({
      outdir,
      context: {
        ...projectContext(),
        'aws:cdk:bundling-stacks': [],
        [FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT]: false,
      },
    });
    return new ResponderStack(app, 'TestResponder', { settings });
  }

  /** A REST 5XXError alarm as a monitoring library would make it: outside the responder construct. */
  function foreignAlarm(stack: ResponderStack): cloudwatch.Alarm {
    return new cloudwatch.Alarm(stack, 'TeamAlarm', {
      alarmName: 'orders-prod-5xx-by-the-team',
      metric: new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName: '5XXError',
        dimensionsMap: { ApiName: 'orders', Stage: 'prod' },
        statistic: 'Sum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
    });
  }

  it('makes the responder the ALARM and OK action through the alarm action strategy interface', () => {
    // Prepare: cdk-monitoring-constructs calls strategy.addAlarmActions({ alarm, ... }) for each alarm it creates
    // (IAlarmActionStrategy, lib/common/alarm/action in the package); the package itself is not installed here.
    const stack = unsynthesized(MINIMAL);
    const alarm = foreignAlarm(stack);
    // Act
    stack.responder.alarmActionStrategy().addAlarmActions({ alarm });
    // Assess
    const template = Template.fromStack(stack);
    const fnArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^ResponderFunction'), 'Arn'] };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'orders-prod-5xx-by-the-team',
      AlarmActions: [fnArn],
      OKActions: [fnArn],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'lambda.alarms.cloudwatch.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TeamAlarm'), 'Arn'] },
    });
  });

  it('warns at synth when discovery is off, since the responder then knows only the APIs listed in apis', () => {
    // Prepare
    const off = unsynthesized(TWO_APIS);
    const on = unsynthesized(MINIMAL);
    // Act
    off.responder.respondTo(foreignAlarm(off));
    on.responder.respondTo(foreignAlarm(on));
    // Assess
    const warning = (stack: ResponderStack) =>
      Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('with discovery off'));
    expect(warning(off)).toHaveLength(1);
    expect(warning(on)).toEqual([]);
  });
});
