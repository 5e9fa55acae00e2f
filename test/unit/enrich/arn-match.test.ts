import { describe, expect, it } from 'vitest';
import { arnLike, arnParts, globMatch } from '../../../lambda/enrich/arn-match.js';

const API = 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5';

describe('globMatch', () => {
  it('matches literal text exactly and case-sensitively', () => {
    expect(globMatch('orders', 'orders')).toBe(true);
    expect(globMatch('orders', 'Orders')).toBe(false);
    expect(globMatch('orders', 'orders2')).toBe(false);
    expect(globMatch('', '')).toBe(true);
    expect(globMatch('', 'x')).toBe(false);
  });

  it('lets * match any run of characters, the empty one included', () => {
    expect(globMatch('*', '')).toBe(true);
    expect(globMatch('*', 'anything/at/all')).toBe(true);
    expect(globMatch('orders*', 'orders')).toBe(true);
    expect(globMatch('*/GET/orders', 'prod/GET/orders')).toBe(true);
  });

  it('matches a * in the middle and backtracks when the first guess is wrong', () => {
    expect(globMatch('prod/*/orders', 'prod/GET/orders')).toBe(true);
    expect(globMatch('prod/*/orders', 'prod/GET/v1/orders')).toBe(true);
    expect(globMatch('a*b*c', 'aXbYbZc')).toBe(true);
    expect(globMatch('a*b*c', 'aXbYbZ')).toBe(false);
    expect(globMatch('*orders/*', 'prod/GET/orders')).toBe(false);
  });

  it('lets ? match exactly one character', () => {
    expect(globMatch('pro?', 'prod')).toBe(true);
    expect(globMatch('pro?', 'pro')).toBe(false);
    expect(globMatch('pro?', 'prods')).toBe(false);
    expect(globMatch('?/GET/?', 'a/GET/b')).toBe(true);
  });

  it('ignores case only when asked (IAM action names)', () => {
    expect(globMatch('lambda:invoke*', 'lambda:InvokeFunction', true)).toBe(true);
    expect(globMatch('lambda:invoke*', 'lambda:InvokeFunction')).toBe(false);
  });

  it('stays fast on patterns that make a backtracking regular expression explode', () => {
    // Prepare
    const pattern = `${'*a'.repeat(30)}*b`;
    const value = 'a'.repeat(5_000);

    // Act
    const started = performance.now();
    const result = globMatch(pattern, value);
    const elapsedMs = performance.now() - started;

    // Assess
    expect(result).toBe(false);
    expect(elapsedMs).toBeLessThan(500);
  });
});

describe('arnParts', () => {
  it('splits six parts and keeps the colons of the resource part', () => {
    expect(arnParts('arn:aws:lambda:us-east-1:123456789012:function:orders-get:live')).toEqual([
      'arn',
      'aws',
      'lambda',
      'us-east-1',
      '123456789012',
      'function:orders-get:live',
    ]);
  });

  it('returns undefined for fewer than six parts', () => {
    expect(arnParts('arn:aws:execute-api:*')).toBeUndefined();
  });
});

describe('arnLike', () => {
  const source = `${API}/prod/GET/orders/{id}`;

  it('matches the exact ARN', () => {
    expect(arnLike(source, source)).toBe(true);
  });

  it('matches a * for the stage, the method, or the rest of the path', () => {
    expect(arnLike(`${API}/*/GET/orders/{id}`, source)).toBe(true);
    expect(arnLike(`${API}/*/*/orders/{id}`, source)).toBe(true);
    expect(arnLike(`${API}/*/GET/orders/*`, source)).toBe(true);
    expect(arnLike(`${API}/*`, source)).toBe(true);
    expect(arnLike(`${API}/*/*`, source)).toBe(true);
  });

  it('does not match another method, stage, path or API', () => {
    expect(arnLike(`${API}/*/POST/orders/{id}`, source)).toBe(false);
    expect(arnLike(`${API}/test/GET/orders/{id}`, source)).toBe(false);
    expect(arnLike(`${API}/*/GET/orders`, source)).toBe(false);
    expect(arnLike('arn:aws:execute-api:us-east-1:123456789012:zzzzzzzzzz/*', source)).toBe(false);
  });

  it('matches a path parameter literally or by a wildcard, as API Gateway sends the template', () => {
    expect(arnLike(`${API}/*/GET/orders/{id}`, source)).toBe(true);
    expect(arnLike(`${API}/*/GET/orders/{orderId}`, source)).toBe(false);
    expect(arnLike(`${API}/*/GET/orders/?id}`, source)).toBe(true);
  });

  it('matches the greedy proxy resource of an ANY method', () => {
    const proxy = `${API}/prod/ANY/{proxy+}`;
    expect(arnLike(`${API}/*/*/*`, proxy)).toBe(true);
    expect(arnLike(`${API}/*/GET/*`, proxy)).toBe(false);
  });

  it('matches wildcards in the Region and account parts without crossing a colon', () => {
    expect(arnLike('arn:aws:execute-api:*:*:a1b2c3d4e5/*', source)).toBe(true);
    expect(arnLike('arn:aws:execute-api:us-east-?:123456789012:a1b2c3d4e5/*', source)).toBe(true);
    // The * of the Region part cannot swallow the account part.
    expect(arnLike('arn:aws:execute-api:*:a1b2c3d4e5/*', source)).toBe(false);
    expect(arnLike('arn:aws:execute-api:us-east-1:999999999999:a1b2c3d4e5/*', source)).toBe(false);
  });

  it('matches the root resource, whose path is empty after the method', () => {
    expect(arnLike(`${API}/*/GET/`, `${API}/prod/GET/`)).toBe(true);
    expect(arnLike(`${API}/*/GET/*`, `${API}/prod/GET/`)).toBe(true);
  });
});
