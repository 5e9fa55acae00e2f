import { describe, expect, it } from 'vitest';
import { enrich } from '../../../lambda/enrich/enrich.js';
import type { ConfigurationFacts, FindingRef, RouteFacts } from '../../../lambda/enrich/types.js';
import type { CauseId } from '../../../lambda/taxonomy.js';
import {
  ACCOUNT,
  API_ID,
  allowApiGateway,
  cause,
  diagnosis,
  EXECUTE_API,
  facts,
  finding,
  fn,
  functionArn,
  lambdaUri,
  plan,
  policyText,
  route,
  stage,
} from './helpers.js';

/** Runs enrich for one cause and returns its check and the problems. */
function check(id: CauseId, findings: FindingRef[], read: ConfigurationFacts, api = {}) {
  const result = enrich({ diagnosis: diagnosis([cause(id)], api), findings, plan: plan(), facts: read });
  const only = result.checks[0];
  if (only === undefined) throw new Error('no check returned');
  return { ...only, problems: result.problems };
}

const getOrder = lambdaUri(functionArn('orders-get'));

describe('enrich: integration_http_method', () => {
  const findings = [finding('integration_http_method', { functionName: 'orders-get' })];

  it('confirms when the Lambda integration uses a method other than POST', () => {
    // Prepare
    const read = facts({
      routes: [route('GET', '/orders/{id}', { integration: { type: 'AWS', httpMethod: 'GET', uri: getOrder } })],
    });

    // Act
    const result = check('integration_http_method', findings, read);

    // Assess
    expect(result.verdict).toBe('confirmed');
    expect(result.evidence).toEqual([
      "GET /orders/{id}: the Lambda integration (AWS) calls orders-get with GET; Lambda's Invoke API accepts only POST",
    ]);
  });

  it('contradicts when the integration uses POST, and says the stage serves the last deployment', () => {
    const read = facts({
      routes: [route('GET', '/orders/{id}', { integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: getOrder } })],
    });

    const result = check('integration_http_method', findings, read);

    expect(result.verdict).toBe('contradicted');
    expect(result.evidence[0]).toBe('GET /orders/{id}: the Lambda integration (AWS_PROXY) calls orders-get with POST');
    expect(result.evidence[1]).toMatch(
      /^This is the API's current definition; stage prod serves the one deployed 2026-11-22/,
    );
  });

  it('stays unknown when the integration is not a Lambda integration', () => {
    const read = facts({
      routes: [
        route('GET', '/orders/{id}', {
          integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: 'https://backend.example.com/orders' },
        }),
      ],
    });

    const result = check('integration_http_method', findings, read);

    expect(result.verdict).toBe('unknown');
    expect(result.evidence).toEqual([
      'GET /orders/{id}: the integration is HTTP_PROXY to https://backend.example.com/orders, not a Lambda integration',
    ]);
  });

  it('stays unknown without evidence when the route could not be read', () => {
    const read = facts({ routes: [{ ref: { method: 'GET', path: '/orders/{id}' }, state: 'failed' }] });

    const result = check('integration_http_method', findings, read);

    expect(result).toMatchObject({ verdict: 'unknown', evidence: [] });
  });

  it('stays unknown, saying so, when no resource serves the route any more', () => {
    const read = facts({ routes: [{ ref: { method: 'GET', path: '/orders/{id}' }, state: 'missing' }] });

    const result = check('integration_http_method', findings, read);

    expect(result.verdict).toBe('unknown');
    expect(result.evidence[0]).toMatch(/no resource and method of API a1b2c3d4e5 serves it now/);
  });

  it('stays unknown when the method has no integration', () => {
    const read = facts({ routes: [route('GET', '/orders/{id}')] });

    expect(check('integration_http_method', findings, read).evidence).toEqual([
      'GET /orders/{id}: the method has no integration',
    ]);
  });

  it('joins a finding that logged the requested path to the route read for it', () => {
    const byPath = [finding('integration_http_method', { resourcePath: undefined, path: '/orders/42' })];
    const read = facts({
      routes: [
        {
          ...route('GET', '/orders/{id}', { integration: { type: 'AWS', httpMethod: 'ANY', uri: getOrder } }),
          ref: { method: 'GET', path: '/orders/42' },
        },
      ],
    });

    expect(check('integration_http_method', byPath, read).verdict).toBe('confirmed');
  });
});

describe('enrich: lambda_permission', () => {
  const findings = [
    finding('lambda_permission', {
      method: 'POST',
      resourcePath: '/orders',
      functionName: 'orders-create',
      functionArn: functionArn('orders-create'),
    }),
  ];
  const postOrders = (extra: Partial<RouteFacts> = {}) =>
    route('POST', '/orders', {
      integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: lambdaUri(functionArn('orders-create')) },
      ...extra,
    });

  it('confirms when the function has no resource policy at all', () => {
    const read = facts({ routes: [postOrders()], functions: [fn('orders-create', { policyState: 'missing' })] });

    const result = check('lambda_permission', findings, read);

    expect(result.verdict).toBe('confirmed');
    expect(result.evidence).toEqual([
      'orders-create has no resource policy: nothing lets apigateway.amazonaws.com invoke it',
    ]);
  });

  it('confirms when the policy allows only another route, and shows that statement', () => {
    const read = facts({
      routes: [postOrders()],
      functions: [
        fn('orders-create', {
          policyState: 'found',
          policy: policyText(allowApiGateway(`${EXECUTE_API}/*/GET/orders`)),
        }),
      ],
    });

    const result = check('lambda_permission', findings, read);

    expect(result.verdict).toBe('confirmed');
    expect(result.evidence).toEqual([
      `orders-create: 1 policy statement, none lets apigateway.amazonaws.com invoke it from ${EXECUTE_API}/prod/POST/orders`,
      `orders-create: statement apigw allows only ${EXECUTE_API}/*/GET/orders`,
    ]);
  });

  it('contradicts when a statement covers the method as defined (ANY) and the resource template', () => {
    // Prepare: the logs say GET /orders/42; the API serves it with ANY /orders/{id}.
    const byPath = [
      finding('lambda_permission', { resourcePath: undefined, path: '/orders/42', functionName: 'orders-get' }),
    ];
    const read = facts({
      routes: [
        {
          ...route('ANY', '/orders/{id}', { integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: getOrder } }),
          ref: { method: 'GET', path: '/orders/42' },
        },
      ],
      functions: [
        fn('orders-get', {
          policyState: 'found',
          policy: policyText(allowApiGateway(`${EXECUTE_API}/*/ANY/orders/*`)),
        }),
      ],
    });

    // Act
    const result = check('lambda_permission', byPath, read);

    // Assess
    expect(result.verdict).toBe('contradicted');
    expect(result.evidence[0]).toBe(
      `orders-get: statement apigw lets apigateway.amazonaws.com invoke it from ${EXECUTE_API}/*/ANY/orders/*, which covers ${EXECUTE_API}/prod/ANY/orders/{id}`,
    );
    expect(result.evidence[1]).toBe(
      'orders-get: a permission takes effect at once, so it may have been added after the errors',
    );
  });

  it('reads the function from the integration URI when the logs did not name it', () => {
    const unnamed = [finding('lambda_permission', { method: 'POST', resourcePath: '/orders' })];
    const read = facts({
      routes: [postOrders()],
      functions: [{ ...fn('orders-create', { policyState: 'missing' }) }],
    });

    expect(check('lambda_permission', unnamed, read).verdict).toBe('confirmed');
  });

  it('stays unknown, with the problem, when reading the policy was denied', () => {
    const read = facts({
      routes: [postOrders()],
      functions: [fn('orders-create', { policyState: 'failed' })],
      problems: ['Could not read the resource policy of function orders-create: access denied to lambda:GetPolicy.'],
    });

    const result = check('lambda_permission', findings, read);

    expect(result.verdict).toBe('unknown');
    expect(result.evidence).toEqual([]);
    expect(result.problems).toEqual([
      'Could not read the resource policy of function orders-create: access denied to lambda:GetPolicy.',
    ]);
  });

  it('stays unknown when the function does not exist', () => {
    const read = facts({ routes: [postOrders()], functions: [fn('orders-create', { state: 'missing' })] });

    const result = check('lambda_permission', findings, read);

    expect(result.verdict).toBe('unknown');
    expect(result.evidence[0]).toMatch(
      /^orders-create does not exist in arn:aws:lambda:us-east-1:123456789012:function:orders-create/,
    );
  });

  it('stays unknown when the integration invokes with an IAM role (the resource policy does not apply)', () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/apigw-invoke`;
    const read = facts({
      routes: [
        postOrders({ integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: getOrder, credentials: role } }),
      ],
      functions: [fn('orders-create', { policyState: 'missing' })],
    });

    const result = check('lambda_permission', findings, read);

    expect(result.verdict).toBe('unknown');
    expect(result.evidence[0]).toContain(`with the IAM role ${role}`);
  });

  it("stays unknown when the API's account is not known and a statement may apply", () => {
    const noAccount = [
      finding('lambda_permission', { method: 'POST', resourcePath: '/orders', functionName: 'orders-create' }),
    ];
    const read = facts({
      routes: [postOrders({ integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: 'arn:aws:lambda:::x' } })],
      functions: [
        {
          ...fn('orders-create', { policyState: 'found', policy: policyText(allowApiGateway(`${EXECUTE_API}/*`)) }),
          ref: { name: 'orders-create', policy: true },
          arn: undefined,
        },
      ],
    });

    const result = check('lambda_permission', noAccount, read, { region: undefined, accountId: undefined });

    expect(result.verdict).toBe('unknown');
    expect(result.evidence).toEqual([
      "orders-create: statement apigw may apply, but the API's source ARN is not fully known",
    ]);
  });

  it("checks an authorizer's permission against the authorizer's source ARN", () => {
    const authorizer = [
      finding('lambda_permission', {
        target: 'authorizer',
        authorizerFunctionName: 'orders-auth',
        authorizerFunctionArn: functionArn('orders-auth'),
      }),
    ];
    const withRoute = route('GET', '/orders/{id}', {
      authorizerId: 'au1x2y',
      integration: { type: 'AWS_PROXY', uri: getOrder },
    });
    const allowed = facts({
      routes: [withRoute],
      functions: [
        fn('orders-auth', {
          policyState: 'found',
          policy: policyText(allowApiGateway(`${EXECUTE_API}/authorizers/*`)),
        }),
      ],
    });
    const other = facts({
      routes: [withRoute],
      functions: [
        fn('orders-auth', { policyState: 'found', policy: policyText(allowApiGateway(`${EXECUTE_API}/*/GET/*`)) }),
      ],
    });

    expect(check('lambda_permission', authorizer, allowed).verdict).toBe('contradicted');
    const denied = check('lambda_permission', authorizer, other);
    expect(denied.verdict).toBe('confirmed');
    expect(denied.evidence[0]).toContain(`${EXECUTE_API}/authorizers/au1x2y`);
  });

  it('stays unknown when the policy text is not JSON', () => {
    const read = facts({
      routes: [postOrders()],
      functions: [fn('orders-create', { policyState: 'found', policy: '{' })],
    });

    expect(check('lambda_permission', findings, read).evidence).toEqual([
      'orders-create: its resource policy could not be parsed',
    ]);
  });
});

describe('enrich: stage_variable_permission', () => {
  const uri = lambdaUri(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:\${stageVariables.fn}`);
  const findings = [finding('stage_variable_permission', { functionName: 'orders-get', qualifier: 'live' })];

  it('confirms, naming the stage variable and what the stage resolves it to', () => {
    const read = facts({
      stage: stage({ variables: { fn: 'orders-get:live' } }),
      routes: [route('GET', '/orders/{id}', { integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri } })],
      functions: [
        {
          ...fn('orders-get', { policyState: 'missing' }),
          ref: { name: 'orders-get', qualifier: 'live', policy: true },
        },
      ],
    });

    const result = check('stage_variable_permission', findings, read);

    expect(result.verdict).toBe('confirmed');
    expect(result.evidence).toEqual([
      `GET /orders/{id}: the integration names its function through \${stageVariables.fn}; stage prod resolves it to orders-get:live (each stage's value needs its own permission)`,
      'orders-get:live has no resource policy: nothing lets apigateway.amazonaws.com invoke it',
    ]);
  });

  it('contradicts when the alias policy allows the API', () => {
    const read = facts({
      stage: stage({ variables: { fn: 'orders-get:live' } }),
      routes: [route('GET', '/orders/{id}', { integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri } })],
      functions: [
        {
          ...fn('orders-get', {
            policyState: 'found',
            policy: policyText(allowApiGateway(`${EXECUTE_API}/*/GET/orders/{id}`)),
          }),
          ref: { name: 'orders-get', qualifier: 'live', policy: true },
        },
      ],
    });

    expect(check('stage_variable_permission', findings, read).verdict).toBe('contradicted');
  });

  it('stays unknown when the stage does not set the variable', () => {
    const read = facts({
      routes: [route('GET', '/orders/{id}', { integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri } })],
    });

    const result = check('stage_variable_permission', findings, read);

    expect(result.verdict).toBe('unknown');
    expect(result.evidence).toEqual([
      `GET /orders/{id}: the integration URI uses \${stageVariables.fn}, which stage prod does not set`,
    ]);
  });
});

describe('enrich: private_integration', () => {
  const findings = [finding('private_integration')];
  const vpc = (link: NonNullable<RouteFacts['vpcLink']>) =>
    facts({
      routes: [
        route('GET', '/orders/{id}', {
          integration: {
            type: 'HTTP_PROXY',
            connectionType: 'VPC_LINK',
            connectionId: link.id,
            uri: 'http://nlb.internal/orders',
          },
          vpcLink: link,
        }),
      ],
    });

  it('confirms when the VPC link is not AVAILABLE, with its status message', () => {
    const result = check(
      'private_integration',
      findings,
      vpc({ id: 'vl1', name: 'orders-nlb', state: 'found', status: 'FAILED', statusMessage: 'NLB ARN is malformed' }),
    );

    expect(result.verdict).toBe('confirmed');
    expect(result.evidence).toEqual(['GET /orders/{id}: VPC link vl1 (orders-nlb) is FAILED: NLB ARN is malformed']);
  });

  it('contradicts when the VPC link is AVAILABLE', () => {
    const result = check('private_integration', findings, vpc({ id: 'vl1', state: 'found', status: 'AVAILABLE' }));

    expect(result).toMatchObject({
      verdict: 'contradicted',
      evidence: ['GET /orders/{id}: VPC link vl1 is AVAILABLE'],
    });
  });

  it('confirms when the VPC link the integration names does not exist', () => {
    expect(check('private_integration', findings, vpc({ id: 'vl1', state: 'missing' })).verdict).toBe('confirmed');
  });

  it('stays unknown when reading the VPC link failed', () => {
    expect(check('private_integration', findings, vpc({ id: 'vl1', state: 'failed' }))).toMatchObject({
      verdict: 'unknown',
      evidence: [],
    });
  });

  it('stays unknown when the integration does not use a VPC link', () => {
    const read = facts({
      routes: [route('GET', '/orders/{id}', { integration: { type: 'HTTP_PROXY', uri: 'https://x' } })],
    });

    expect(check('private_integration', findings, read).evidence).toEqual([
      'GET /orders/{id}: the integration does not use a VPC link (connection type INTERNET)',
    ]);
  });
});

describe('enrich: status_code_mapping', () => {
  const findings = [finding('status_code_mapping')];
  const mapping = (responses: { statusCode: string; selectionPattern?: string }[], methodResponses = ['200', '400']) =>
    facts({
      routes: [
        route('GET', '/orders/{id}', {
          methodResponses,
          integration: { type: 'AWS', httpMethod: 'POST', uri: getOrder, responses },
        }),
      ],
    });

  it('confirms when no integration response is the default', () => {
    const result = check(
      'status_code_mapping',
      findings,
      mapping([
        { statusCode: '200', selectionPattern: '2\\d{2}' },
        { statusCode: '400', selectionPattern: '.*Bad.*' },
      ]),
    );

    expect(result.verdict).toBe('confirmed');
    expect(result.evidence).toEqual([
      'GET /orders/{id}: integration responses 200 (selection pattern 2\\d{2}), 400 (selection pattern .*Bad.*)',
      'GET /orders/{id}: none is the default mapping (empty selection pattern)',
    ]);
  });

  it('confirms when an integration response names a method response the method does not define', () => {
    const result = check(
      'status_code_mapping',
      findings,
      mapping([{ statusCode: '200' }, { statusCode: '404', selectionPattern: '.*Not.*' }]),
    );

    expect(result.verdict).toBe('confirmed');
    expect(result.evidence[1]).toBe(
      'GET /orders/{id}: integration response 404 names a method response the method does not define',
    );
  });

  it('confirms when the integration has no integration responses at all', () => {
    expect(check('status_code_mapping', findings, mapping([])).verdict).toBe('confirmed');
  });

  it('contradicts when a default mapping exists', () => {
    const result = check(
      'status_code_mapping',
      findings,
      mapping([
        { statusCode: '200', selectionPattern: '' },
        { statusCode: '400', selectionPattern: '.*Bad.*' },
      ]),
    );

    expect(result.verdict).toBe('contradicted');
    expect(result.evidence[0]).toBe(
      'GET /orders/{id}: integration response 200 is the default mapping (integration responses 200 (default), 400 (selection pattern .*Bad.*))',
    );
  });

  it("contradicts once the backend's logged error status is mapped by a selection pattern (the printed 4xx fix)", () => {
    // Prepare: SQS answered 403 and nothing mapped it; a 403 response with pattern 4\d{2} exists now, no default.
    const sqs403 = [
      finding('status_code_mapping', {
        evidence: [
          {
            source: 'execution',
            text: 'Execution failed due to configuration error: No match for output mapping and no default output mapping configured. Endpoint Response Status Code: 403',
          },
        ],
      }),
    ];
    const responses = (pattern: string) => [
      { statusCode: '200', selectionPattern: '2\\d{2}' },
      { statusCode: '403', selectionPattern: pattern },
    ];
    // Act
    const mapped = check('status_code_mapping', sqs403, mapping(responses('4\\d{2}'), ['200', '403']));
    const other = check('status_code_mapping', sqs403, mapping(responses('5\\d{2}'), ['200', '403']));
    const without = check('status_code_mapping', findings, mapping(responses('4\\d{2}'), ['200', '403']));
    // Assess: mapped only where the pattern matches the whole logged status; without a logged status, as before.
    expect(mapped.verdict).toBe('contradicted');
    expect(mapped.evidence[0]).toBe(
      "GET /orders/{id}: the backend's 403 is mapped now by integration response 403 (selection pattern 4\\d{2})",
    );
    expect(other.verdict).toBe('confirmed');
    expect(without.verdict).toBe('confirmed');
  });

  it('stays unknown for a proxy integration, which has no mappings', () => {
    const read = facts({
      routes: [route('GET', '/orders/{id}', { integration: { type: 'AWS_PROXY', uri: getOrder } })],
    });

    expect(check('status_code_mapping', findings, read).verdict).toBe('unknown');
  });

  it('stays unknown for an HTTP API', () => {
    const read = mapping([{ statusCode: '200', selectionPattern: 'x' }]);

    const http = enrich({
      diagnosis: diagnosis([cause('status_code_mapping')], { type: 'HTTP' }),
      findings,
      plan: plan({ api: { type: 'HTTP', apiId: 'a1b2c3d4e5', stage: '$default' } }),
      facts: read,
    });
    expect(http.checks[0]?.verdict).toBe('unknown');
  });
});

describe('enrich: causes and verdicts together', () => {
  it('answers every other cause from the logs only', () => {
    const result = enrich({
      diagnosis: diagnosis([
        cause('lambda_function_error', { functions: ['orders-get'] }),
        cause('integration_timeout'),
      ]),
      findings: [finding('lambda_function_error', { functionName: 'orders-get' }), finding('integration_timeout')],
      plan: plan(),
      facts: facts({ functions: [fn('orders-get')] }),
    });

    expect(result.checks).toEqual([
      { cause: 'lambda_function_error', verdict: 'unknown', evidence: [] },
      { cause: 'integration_timeout', verdict: 'unknown', evidence: [] },
    ]);
  });

  it('confirms a cause when one route confirms it and another contradicts it', () => {
    const findings = [
      finding('integration_http_method', { resourcePath: '/a' }),
      finding('integration_http_method', { resourcePath: '/b' }),
    ];
    const read = facts({
      routes: [
        route('GET', '/a', { integration: { type: 'AWS', httpMethod: 'GET', uri: getOrder } }),
        route('GET', '/b', { integration: { type: 'AWS', httpMethod: 'POST', uri: getOrder } }),
      ],
    });

    expect(check('integration_http_method', findings, read).verdict).toBe('confirmed');
  });

  it('contradicts a cause only when every route contradicts it', () => {
    const findings = [
      finding('integration_http_method', { resourcePath: '/a' }),
      finding('integration_http_method', { resourcePath: '/b' }),
    ];
    const post = { integration: { type: 'AWS', httpMethod: 'POST', uri: getOrder } };
    const both = facts({ routes: [route('GET', '/a', post), route('GET', '/b', post)] });
    const oneUnread = facts({
      routes: [route('GET', '/a', post), { ref: { method: 'GET', path: '/b' }, state: 'failed' }],
    });

    expect(check('integration_http_method', findings, both).verdict).toBe('contradicted');
    expect(check('integration_http_method', findings, oneUnread).verdict).toBe('unknown');
  });

  it('reports a check that throws as a problem and keeps the cause from the logs only', () => {
    const broken = route('GET', '/orders/{id}');
    Object.defineProperty(broken, 'integration', {
      get() {
        throw new Error('facts went bad');
      },
    });

    const result = check('integration_http_method', [finding('integration_http_method')], facts({ routes: [broken] }));

    expect(result.verdict).toBe('unknown');
    expect(result.problems).toEqual([
      'The configuration check for integration_http_method failed: facts went bad; it is reported from the logs only.',
    ]);
  });

  it('says what the plan left out to stay bounded', () => {
    const result = enrich({
      diagnosis: diagnosis([cause('lambda_permission')]),
      findings: [],
      plan: plan({ skipped: ['route GET /z', 'function zed'] }),
      facts: facts(),
    });

    expect(result.problems).toEqual([
      'Not checked, to keep the configuration checks bounded: route GET /z, function zed. They are reported from the logs only.',
    ]);
  });

  it('redacts and bounds evidence taken from the configuration', () => {
    const read = facts({
      routes: [
        route('GET', '/orders/{id}', {
          integration: { type: 'HTTP', uri: `https://x.example.com/?token=abcdefghijklmnop&pad=${'y'.repeat(400)}` },
        }),
      ],
    });

    const [line] = check('integration_http_method', [finding('integration_http_method')], read).evidence;

    expect(line).not.toContain('abcdefghijklmnop');
    expect(line?.length).toBeLessThanOrEqual(301);
  });
});

describe('enrich: HTTP API 503 and timeouts against the integration timeout', () => {
  const httpCheck = (id: CauseId, findings: FindingRef[], read: ConfigurationFacts) => {
    const api = { type: 'HTTP' as const, apiId: API_ID, stage: '$default' };
    const result = enrich({ diagnosis: diagnosis([cause(id)], api), findings, plan: plan({ api }), facts: read });
    return result.checks[0] ?? { verdict: 'none', evidence: [] };
  };
  const orders = (timeoutMs: number) =>
    facts({ routes: [route('GET', '/orders/{id}', { integration: { type: 'HTTP_PROXY', timeoutMs } })] });

  it('contradicts "service unavailable" when the 503s came at the integration timeout (6.5 s, the Serverless default)', () => {
    // Prepare
    const findings = [finding('service_unavailable', { integrationLatencyMs: 6_502, status: 503 })];

    // Act
    const result = httpCheck('service_unavailable', findings, orders(6_500));

    // Assess
    expect(result.verdict).toBe('contradicted');
    expect(result.evidence).toEqual([
      'GET /orders/{id}: integration latency reached 6502 ms and the integration times out after 6500 ms: the 503 is an integration timeout, not a lack of capacity (raise TimeoutInMillis, 30000 at most, or speed up the backend)',
    ]);
  });

  it('leaves "service unavailable" from logs only when the latency stayed below the timeout', () => {
    const findings = [finding('service_unavailable', { integrationLatencyMs: 120, status: 503 })];

    const result = httpCheck('service_unavailable', findings, orders(6_500));

    expect(result.verdict).toBe('unknown');
    expect(result.evidence).toEqual([
      'GET /orders/{id}: integration latency 120 ms stayed below the integration timeout 6500 ms',
    ]);
  });

  it('does not judge a REST 503 by the timeout (REST answers 504 at its timeout)', () => {
    const findings = [finding('service_unavailable', { integrationLatencyMs: 6_502, status: 503 })];

    const result = check('service_unavailable', findings, orders(6_500));

    expect(result.verdict).toBe('unknown');
  });

  it('confirms an integration timeout when the latency reached the configured timeout', () => {
    const findings = [finding('integration_timeout', { integrationLatencyMs: 29_001, status: 504 })];

    const result = check('integration_timeout', findings, orders(29_000));

    expect(result.verdict).toBe('confirmed');
    expect(result.evidence).toEqual([
      'GET /orders/{id}: integration latency reached 29001 ms; the integration times out after 29000 ms',
    ]);
  });
});
