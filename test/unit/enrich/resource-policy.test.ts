import { describe, expect, it } from 'vitest';
import { evaluatePolicy, parsePolicy } from '../../../lambda/enrich/resource-policy.js';

const API = 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5';
const request = { sourceArn: `${API}/prod/POST/orders`, sourceAccount: '123456789012' };

function policy(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements });
}

function apigw(sourceArn: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Sid: 'apigw',
    Effect: 'Allow',
    Principal: { Service: 'apigateway.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Resource: 'arn:aws:lambda:us-east-1:123456789012:function:orders-create',
    Condition: { ArnLike: { 'AWS:SourceArn': sourceArn } },
    ...extra,
  };
}

function evaluate(text: string, req: Parameters<typeof evaluatePolicy>[1] = request) {
  const statements = parsePolicy(text);
  if (statements === undefined) throw new Error('test policy did not parse');
  return evaluatePolicy(statements, req);
}

describe('parsePolicy', () => {
  it('reads the statements of a policy document', () => {
    expect(parsePolicy(policy(apigw(`${API}/*`)))?.map((s) => [s.sid, s.effect])).toEqual([['apigw', 'Allow']]);
  });

  it('accepts a single statement object', () => {
    expect(parsePolicy(JSON.stringify({ Statement: apigw(`${API}/*`) }))).toHaveLength(1);
  });

  it('returns undefined for text that is not JSON', () => {
    expect(parsePolicy('{not json')).toBeUndefined();
  });
});

describe('evaluatePolicy', () => {
  it('allows when a statement for API Gateway has a SourceArn pattern covering the request', () => {
    const outcome = evaluate(policy(apigw(`${API}/*/POST/orders`)));
    expect(outcome.kind).toBe('allowed');
    expect(outcome.kind === 'allowed' ? outcome.sourceArns : []).toEqual([`${API}/*/POST/orders`]);
  });

  it('does not allow when the only statement covers another method, and names it as a near miss', () => {
    const outcome = evaluate(policy(apigw(`${API}/*/GET/orders`)));
    expect(outcome.kind).toBe('not_allowed');
    expect(outcome.kind === 'not_allowed' ? outcome.near.map((n) => n.sourceArns) : []).toEqual([
      [`${API}/*/GET/orders`],
    ]);
  });

  it('does not allow when no statement names API Gateway', () => {
    const outcome = evaluate(
      policy({
        Sid: 's3',
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
      }),
    );
    expect(outcome).toEqual({ kind: 'not_allowed', near: [] });
  });

  it('does not count lambda:InvokeFunctionUrl as lambda:InvokeFunction', () => {
    const outcome = evaluate(policy(apigw(`${API}/*`, { Action: 'lambda:InvokeFunctionUrl' })));
    expect(outcome.kind).toBe('not_allowed');
  });

  it('accepts lambda:* and action lists, in any case', () => {
    expect(evaluate(policy(apigw(`${API}/*`, { Action: 'lambda:*' }))).kind).toBe('allowed');
    expect(evaluate(policy(apigw(`${API}/*`, { Action: ['lambda:GetFunction', 'Lambda:invokefunction'] }))).kind).toBe(
      'allowed',
    );
  });

  it('accepts the service in a principal list and the * principal', () => {
    expect(
      evaluate(
        policy(apigw(`${API}/*`, { Principal: { Service: ['events.amazonaws.com', 'apigateway.amazonaws.com'] } })),
      ).kind,
    ).toBe('allowed');
    expect(evaluate(policy(apigw(`${API}/*`, { Principal: '*' }))).kind).toBe('allowed');
  });

  it('allows a statement without conditions for any API', () => {
    const outcome = evaluate(policy(apigw(undefined, { Condition: undefined })));
    expect(outcome.kind).toBe('allowed');
  });

  it('takes any of several SourceArn values', () => {
    expect(evaluate(policy(apigw([`${API}/*/GET/orders`, `${API}/*/POST/orders`]))).kind).toBe('allowed');
  });

  it('treats ArnEquals with wildcards like ArnLike and StringLike as a whole-string glob', () => {
    expect(
      evaluate(policy(apigw(undefined, { Condition: { ArnEquals: { 'AWS:SourceArn': `${API}/*/POST/orders` } } })))
        .kind,
    ).toBe('allowed');
    expect(
      evaluate(policy(apigw(undefined, { Condition: { StringLike: { 'aws:SourceArn': `${API}/*/POST/*` } } }))).kind,
    ).toBe('allowed');
  });

  it('requires every condition to hold: a SourceAccount of another account fails the statement', () => {
    const outcome = evaluate(
      policy(
        apigw(undefined, {
          Condition: {
            ArnLike: { 'AWS:SourceArn': `${API}/*` },
            StringEquals: { 'AWS:SourceAccount': '999999999999' },
          },
        }),
      ),
    );
    expect(outcome.kind).toBe('not_allowed');
  });

  it('lets a matching Deny win over an Allow', () => {
    const outcome = evaluate(policy(apigw(`${API}/*`), apigw(`${API}/*/POST/*`, { Sid: 'no-post', Effect: 'Deny' })));
    expect(outcome.kind).toBe('not_allowed');
    expect(outcome.kind === 'not_allowed' ? outcome.deniedBy?.sid : undefined).toBe('no-post');
  });

  it('is undecided when a statement has a condition key it does not evaluate', () => {
    const outcome = evaluate(
      policy(apigw(undefined, { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } })),
    );
    expect(outcome.kind).toBe('undecided');
  });

  it('is undecided for NotAction and NotPrincipal statements', () => {
    expect(evaluate(policy(apigw(`${API}/*`, { Action: undefined, NotAction: 'lambda:GetPolicy' }))).kind).toBe(
      'undecided',
    );
    expect(
      evaluate(policy(apigw(`${API}/*`, { Principal: undefined, NotPrincipal: { AWS: 'arn:aws:iam::1:root' } }))).kind,
    ).toBe('undecided');
  });

  it('still allows when one statement surely allows and another is undecided', () => {
    const outcome = evaluate(
      policy(
        apigw(`${API}/*`),
        apigw(undefined, { Sid: 'org', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o' } } }),
      ),
    );
    expect(outcome.kind).toBe('allowed');
  });

  it('is undecided with a partial request when a statement for API Gateway may apply', () => {
    const outcome = evaluate(policy(apigw(`${API}/*/POST/orders`)), { sourceAccount: '123456789012' });
    expect(outcome).toEqual({
      kind: 'undecided',
      reason: "statement apigw may apply, but the API's source ARN is not fully known",
    });
  });

  it('is not_allowed with a partial request when no statement could apply whatever the ARN', () => {
    const outcome = evaluate(policy({ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: '*' }), {});
    expect(outcome.kind).toBe('not_allowed');
  });

  it('supports the negated operators', () => {
    expect(
      evaluate(policy(apigw(undefined, { Condition: { ArnNotLike: { 'AWS:SourceArn': `${API}/*/GET/*` } } }))).kind,
    ).toBe('allowed');
    expect(
      evaluate(policy(apigw(undefined, { Condition: { ArnNotLike: { 'AWS:SourceArn': `${API}/*/POST/*` } } }))).kind,
    ).toBe('not_allowed');
  });
});
