import { describe, expect, it } from 'vitest';
import {
  functionOfUri,
  isLambdaUri,
  parseFunctionArn,
  resolveStageVariables,
} from '../../../lambda/enrich/integration-uri.js';
import { MAX_FUNCTIONS, MAX_ROUTES, planChecks, routeOf, targetsOf } from '../../../lambda/enrich/plan.js';
import { matchTemplate } from '../../../lambda/enrich/resource-match.js';
import { ACCOUNT, API_ID, cause, diagnosis, finding, functionArn, lambdaUri } from './helpers.js';

describe('routeOf', () => {
  it('prefers the resource template, then the path', () => {
    expect(routeOf(finding('unknown'))).toEqual({ method: 'GET', path: '/orders/{id}' });
    expect(routeOf(finding('unknown', { resourcePath: undefined, path: '/orders/42' }))).toEqual({
      method: 'GET',
      path: '/orders/42',
    });
  });

  it('splits an HTTP API route key and keeps $default as the catch-all', () => {
    expect(routeOf(finding('unknown', { routeKey: 'POST /orders' }))).toEqual({ method: 'POST', path: '/orders' });
    expect(routeOf(finding('unknown', { routeKey: '$default', method: 'PUT' }))).toEqual({
      method: 'PUT',
      path: '$default',
    });
  });

  it('gives nothing without a method', () => {
    expect(routeOf(finding('unknown', { method: undefined }))).toBeUndefined();
  });
});

describe('targetsOf', () => {
  it('groups a cause’s findings by route and function, most frequent first, qualifier from the ARN', () => {
    const findings = [
      finding('lambda_permission', { method: 'POST', resourcePath: '/orders', functionName: 'orders-create' }),
      finding('lambda_permission', { functionName: 'orders-get', functionArn: `${functionArn('orders-get')}:live` }),
      finding('lambda_permission', { functionName: 'orders-get', functionArn: `${functionArn('orders-get')}:live` }),
      finding('lambda_function_error', { functionName: 'other' }),
    ];

    expect(targetsOf('lambda_permission', findings)).toEqual([
      {
        cause: 'lambda_permission',
        authorizer: false,
        count: 2,
        route: { method: 'GET', path: '/orders/{id}' },
        fn: { name: 'orders-get', arn: functionArn('orders-get'), qualifier: 'live' },
      },
      {
        cause: 'lambda_permission',
        authorizer: false,
        count: 1,
        route: { method: 'POST', path: '/orders' },
        fn: { name: 'orders-create' },
      },
    ]);
  });

  it('takes the authorizer function for an authorizer finding', () => {
    const [target] = targetsOf('lambda_permission', [
      finding('lambda_permission', {
        target: 'authorizer',
        functionName: 'orders-get',
        authorizerFunctionName: 'auth',
      }),
    ]);
    expect(target?.fn).toEqual({ name: 'auth' });
    expect(target?.authorizer).toBe(true);
  });
});

describe('planChecks', () => {
  it("reads the checkable causes' routes, every named function, and policies only for permission causes", () => {
    // Prepare
    const d = diagnosis([cause('lambda_function_error'), cause('lambda_permission'), cause('integration_http_method')]);
    const findings = [
      finding('lambda_function_error', { functionName: 'orders-get' }),
      finding('lambda_permission', { method: 'POST', resourcePath: '/orders', functionName: 'orders-create' }),
      finding('integration_http_method', { method: 'PUT', resourcePath: '/orders/{id}' }),
    ];

    // Act
    const plan = planChecks(d, findings, { readableFunctions: ['orders-get'] });

    // Assess
    expect(plan).toEqual({
      api: { type: 'REST', apiId: API_ID, stage: 'prod' },
      routes: [
        { method: 'POST', path: '/orders' },
        { method: 'PUT', path: '/orders/{id}', resolveFunction: 'configuration' },
      ],
      functions: [
        { name: 'orders-get', policy: false },
        { name: 'orders-create', policy: true },
      ],
      readableFunctions: ['orders-get'],
      skipped: [],
    });
  });

  it('asks the reader to resolve the function from the integration for a permission cause without one', () => {
    const plan = planChecks(diagnosis([cause('lambda_permission')]), [finding('lambda_permission')]);

    expect(plan.routes).toEqual([{ method: 'GET', path: '/orders/{id}', resolveFunction: 'policy' }]);
  });

  it('reads no route when the API is not known, and the configured API wins over the logs', () => {
    const findings = [finding('integration_http_method')];
    const unknownApi = planChecks(diagnosis([cause('integration_http_method')], { type: undefined }), findings);
    const configured = planChecks(diagnosis([cause('integration_http_method')]), findings, {
      api: { type: 'HTTP', apiId: 'zzzzzzzzzz', stage: '$default' },
    });

    expect(unknownApi.api).toBeUndefined();
    expect(unknownApi.routes).toEqual([]);
    expect(configured.api).toEqual({ type: 'HTTP', apiId: 'zzzzzzzzzz', stage: '$default' });
  });

  it('stays inside the route and function bounds and says what it left out', () => {
    const causes = (['integration_http_method', 'status_code_mapping', 'private_integration'] as const).map((c) =>
      cause(c),
    );
    const findings = causes.flatMap((c, i) =>
      [0, 1, 2].map((j) => finding(c.cause, { resourcePath: `/r${i}${j}`, functionName: `fn${i}${j}` })),
    );

    const plan = planChecks(diagnosis(causes), findings);

    expect(plan.routes).toHaveLength(MAX_ROUTES);
    expect(plan.functions).toHaveLength(MAX_FUNCTIONS);
    expect(plan.skipped).toEqual([
      'route GET /r20',
      'function fn20',
      'route GET /r21',
      'function fn21',
      'route GET /r22',
      'function fn22',
    ]);
  });
});

describe('matchTemplate', () => {
  const templates = ['/', '/orders', '/orders/{id}', '/orders/latest', '/orders/{id}/items', '/{proxy+}'];

  it('returns a template as itself', () => {
    expect(matchTemplate(templates, '/orders/{id}')).toBe('/orders/{id}');
    expect(matchTemplate(templates, '/')).toBe('/');
  });

  it('prefers a literal segment over a parameter, and a parameter over a greedy proxy', () => {
    expect(matchTemplate(templates, '/orders/latest')).toBe('/orders/latest');
    expect(matchTemplate(templates, '/orders/42')).toBe('/orders/{id}');
    expect(matchTemplate(templates, '/orders/42/items')).toBe('/orders/{id}/items');
    expect(matchTemplate(templates, '/customers/7/orders')).toBe('/{proxy+}');
  });

  it('matches nothing when no template serves the path', () => {
    expect(matchTemplate(['/orders', '/orders/{id}'], '/orders/42/items')).toBeUndefined();
    expect(matchTemplate(['/orders/{id}'], '/orders')).toBeUndefined();
  });
});

describe('functionOfUri', () => {
  it('reads the function and qualifier of a REST Lambda URI', () => {
    const result = functionOfUri(lambdaUri(`${functionArn('orders-get')}:live`), undefined);

    expect(result).toEqual({
      kind: 'function',
      fn: {
        name: 'orders-get',
        arn: functionArn('orders-get'),
        qualifier: 'live',
        region: 'us-east-1',
        accountId: ACCOUNT,
        stageVariables: [],
      },
    });
  });

  it('reads an HTTP API integration that gives the function ARN itself', () => {
    const result = functionOfUri(functionArn('orders-get'), undefined);
    expect(result.kind === 'function' ? result.fn.name : undefined).toBe('orders-get');
  });

  it('resolves stage variables, or says which are not set', () => {
    const uri = lambdaUri(functionArn(`\${stageVariables.fn}`));

    const resolved = functionOfUri(uri, { fn: 'orders-get:v2' });
    const unresolved = functionOfUri(uri, {});

    expect(
      resolved.kind === 'function' ? [resolved.fn.name, resolved.fn.qualifier, resolved.fn.stageVariables] : [],
    ).toEqual(['orders-get', 'v2', ['fn']]);
    expect(unresolved).toEqual({ kind: 'unresolved', stageVariables: ['fn'], missing: ['fn'] });
  });

  it('says not_lambda for other integrations', () => {
    expect(functionOfUri('https://backend.example.com', undefined)).toEqual({ kind: 'not_lambda' });
    expect(functionOfUri('arn:aws:apigateway:us-east-1:dynamodb:action/GetItem', undefined)).toEqual({
      kind: 'not_lambda',
    });
    expect(isLambdaUri('arn:aws:apigateway:us-east-1:dynamodb:action/GetItem')).toBe(false);
  });

  it('replaces every stage variable of a value', () => {
    expect(resolveStageVariables(`\${stageVariables.a}-\${stageVariables.b}`, { a: 'x', b: 'y' })).toBe('x-y');
  });
});

describe('parseFunctionArn', () => {
  it('splits qualified and unqualified ARNs and refuses others', () => {
    expect(parseFunctionArn(`${functionArn('f')}:7`)).toEqual({
      partition: 'aws',
      region: 'us-east-1',
      accountId: ACCOUNT,
      name: 'f',
      qualifier: '7',
    });
    expect(parseFunctionArn(functionArn('f'))?.qualifier).toBeUndefined();
    expect(parseFunctionArn('arn:aws:lambda:us-east-1:1:function:f')).toBeUndefined();
  });
});
