import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { acknowledgements, synthResponder, TWO_APIS } from './helpers/synth.js';

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['count threshold with two APIs', TWO_APIS],
    ['error-rate threshold', { ...TWO_APIS, alarm: { errorRatePercent: 5, minRequestCount: 20 } }],
    ['an HTTP API without logs and no emails', { apis: [{ type: 'HTTP', id: 'f6g7h8i9j0', stage: 'live' }] }],
  ] as const)('reports no unacknowledged finding for %s', (_case, settings) => {
    // Prepare
    const { stack } = synthResponder(settings);
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);
    // Assess
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.description}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only the expected rules, each with a specific reason', () => {
    // Prepare
    const { stack } = synthResponder(TWO_APIS);
    // Act
    const acks = acknowledgements(stack);
    // Assess
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual(
      [
        'TestResponder/Responder/FailedInvocations AwsSolutions-SQS3',
        'TestResponder/Responder/Function AwsSolutions-L1',
        ...[
          'API-Gateway-Execution-Logs_a1b2c3d4e5/prod',
          '/aws/apigateway/orders-access',
          '/aws/lambda/orders-create',
          '/aws/lambda/orders-get',
        ].map(
          (group) =>
            `TestResponder/Responder/Role AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${group}:*]`,
        ),
        // Metric reads and CloudTrail lookups: actions without resource-level permissions.
        'TestResponder/Responder/Role AwsSolutions-IAM5[Resource::*]',
        // Read-only configuration checks: paths below each API, VPC links, function qualifiers.
        ...['/restapis/a1b2c3d4e5/*', '/apis/f6g7h8i9j0/*', '/vpclinks/*'].map(
          (path) =>
            `TestResponder/Responder/Role AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::${path}]`,
        ),
        ...['orders-create', 'orders-get'].map(
          (fn) =>
            `TestResponder/Responder/Role AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:${fn}:*]`,
        ),
      ].sort(),
    );
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(60);
  });

  it('still reports a finding nobody acknowledged', () => {
    // Prepare: a wildcard action added next to the responder (its "*" resource is acknowledged on the role for the
    // metric and CloudTrail reads; the wildcard action is not)
    const { stack } = synthResponder(TWO_APIS);
    stack.responder.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['logs:*'], resources: ['*'] }));
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);
    // Assess
    expect(report.violations.map((v) => v.ruleName).sort()).toEqual(['AwsSolutions-IAM5[Action::logs:*]']);
  });

  it('reports nothing for a stack in a concrete account and region', () => {
    // Prepare: ARNs are plain strings then, so the acknowledgements must name them as such
    const { stack } = synthResponder(undefined, {
      context: { apis: JSON.stringify(TWO_APIS.apis) },
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);
    // Assess
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
