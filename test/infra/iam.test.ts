import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResponderStack } from '../../lib/responder-stack.js';
import { synthResponder, TWO_APIS } from './helpers/synth.js';

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Actions and resources in a stable order (the minimizePolicies feature flag sorts them). */
function normalized(statement: Statement | undefined): unknown {
  if (statement === undefined) return undefined;
  const sortedList = (value: unknown) =>
    Array.isArray(value) ? [...value].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : value;
  return { ...statement, Action: sortedList(statement.Action), Resource: sortedList(statement.Resource) };
}

/** `arn:${Partition}:logs:${Region}:${Account}:log-group:NAME:*` as the template writes it. */
function logGroupArn(name: string): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':logs:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:log-group:${name}:*`,
      ],
    ],
  };
}

describe('ApiGateway5xxResponder permissions', () => {
  let template: Template;
  let stack: ResponderStack;
  let statements: Statement[];

  beforeAll(() => {
    ({ template, stack } = synthResponder(TWO_APIS));
    const roleId = stack.getLogicalId(stack.responder.function.role?.node.defaultChild as never);
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.Roles).toEqual([{ Ref: roleId }]);
    statements = policies[0]?.Properties.PolicyDocument.Statement as Statement[];
  });

  it('reads logs only from the configured groups: execution, access and backend function logs', () => {
    const read = statements.filter((s) => s.Action === 'logs:FilterLogEvents');
    expect(read).toHaveLength(1);
    expect(normalized(read[0])).toEqual(
      normalized({
        Sid: 'ReadConfiguredApiLogs',
        Effect: 'Allow',
        Action: 'logs:FilterLogEvents',
        Resource: [
          logGroupArn('API-Gateway-Execution-Logs_a1b2c3d4e5/prod'),
          logGroupArn('/aws/apigateway/orders-access'),
          logGroupArn('/aws/lambda/orders-create'),
          logGroupArn('/aws/lambda/orders-get'),
        ],
      }),
    );
  });

  it('publishes only to its topic and uses only the topic key', () => {
    expect(statements.find((s) => s.Sid === 'PublishDiagnosis')).toEqual({
      Sid: 'PublishDiagnosis',
      Effect: 'Allow',
      Action: 'sns:Publish',
      Resource: stack.resolve(stack.responder.topic.topicArn),
    });
    expect(normalized(statements.find((s) => s.Sid === 'EncryptForTopic'))).toEqual(
      normalized({
        Sid: 'EncryptForTopic',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: stack.resolve(stack.responder.topicKey.keyArn),
      }),
    );
  });

  it('writes only its own log group and sends only to its failure queue', () => {
    expect(statements.map(normalized)).toContainEqual(
      normalized({
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: stack.resolve(stack.responder.logGroup.logGroupArn),
      }),
    );
    expect(statements.map(normalized)).toContainEqual(
      normalized({
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Resource: stack.resolve(stack.responder.failureQueue.queueArn),
      }),
    );
  });

  it('reads and writes only its own notification ledger, item by item', () => {
    expect(normalized(statements.find((s) => s.Sid === 'NotificationLedger'))).toEqual(
      normalized({
        Sid: 'NotificationLedger',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: stack.resolve(stack.responder.ledgerTable.tableArn),
      }),
    );
  });

  it('reads the configured APIs and functions read-only, for the configuration checks', () => {
    const read = statements.find((s) => s.Sid === 'ReadApiConfiguration');
    expect(read?.Action).toBe('apigateway:GET');
    expect(JSON.stringify(read?.Resource)).toContain('::/restapis/a1b2c3d4e5/*');
    expect(JSON.stringify(read?.Resource)).toContain('::/apis/f6g7h8i9j0/*');
    const fns = statements.find((s) => s.Sid === 'ReadFunctionConfiguration');
    expect([fns?.Action].flat().sort()).toEqual([
      'lambda:GetAlias',
      'lambda:GetFunctionConcurrency',
      'lambda:GetFunctionConfiguration',
      'lambda:GetPolicy',
    ]);
    expect(JSON.stringify(read?.Resource)).toContain('::/account');
    expect(JSON.stringify(fns?.Resource)).toContain(':function:orders-get:*');
  });

  it('grants nothing else: no wildcard action, "*" only for the metric and CloudTrail reads, no managed policy', () => {
    expect(statements).toHaveLength(10);
    for (const statement of statements) {
      const actions = [statement.Action].flat();
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
      if (statement.Sid === 'ReadMetrics' || statement.Sid === 'ReadRecentChanges') continue;
      expect([statement.Resource].flat()).not.toContain('*');
    }
    expect(statements.filter((s) => [s.Resource].flat().includes('*')).map((s) => [s.Action].flat())).toEqual([
      ['cloudwatch:GetMetricData'],
      ['cloudtrail:LookupEvents'],
    ]);
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    expect(roles[0]?.Properties.ManagedPolicyArns).toBeUndefined();
    expect(roles[0]?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
  });

  it('reads no execution log for an HTTP API (it has none) but does read its access log', () => {
    // Prepare / Act
    const { template: http } = synthResponder({
      apis: [{ type: 'HTTP', id: 'f6g7h8i9j0', stage: 'live', accessLogGroup: 'payments-access' }],
    });
    // Assess
    const policy = Object.values(http.findResources('AWS::IAM::Policy'))[0];
    const read = ((policy?.Properties.PolicyDocument.Statement ?? []) as Statement[]).find(
      (s) => s.Action === 'logs:FilterLogEvents',
    );
    expect([read?.Resource].flat()).toEqual([logGroupArn('payments-access')]);
  });
});
