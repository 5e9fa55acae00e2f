/**
 * The fix commands the responder prints, checked over the whole remedy table against the safety rules in
 * docs/fixes.md: no fix deletes anything; no create-or-replace call where AWS has a patch, and every remaining PUT is
 * preceded by the read that shows what it would replace; permissions scoped to the API, stage and route the logs name;
 * partitions taken from the ARNs or the Region, never a hard-coded `arn:aws:`. Plus the facts issue 17 corrected.
 */
import { describe, expect, it } from 'vitest';
import type { RuleHint } from '../../lambda/classify/rules.js';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import { partitionOf, type RemedyContext, remedyFor } from '../../lambda/summarize/remedy.js';
import { CAUSE_IDS, type CauseId } from '../../lambda/taxonomy.js';

const HINTS: readonly RuleHint[] = [
  'credentials_role',
  'network_error',
  'http_api_timeout_503',
  'lambda_response_limit',
  'certificate_mismatch',
  'lambda_service_error',
  'mapping_template',
  'invalid_method_response',
  'backend_passthrough',
  'no_execution_log',
];

const REST: RemedyContext = {
  apiType: 'REST',
  apiId: 'a1b2c3d4e5',
  stage: 'prod',
  region: 'eu-west-1',
  accountId: '123456789012',
  method: 'GET',
  resourcePath: '/orders/{id}',
  functionName: 'orders-get',
  functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-get',
  hints: new Set(),
};

const HTTP: RemedyContext = {
  ...REST,
  apiType: 'HTTP',
  stage: '$default',
  routeKey: 'ANY /orders/{id}',
  functionName: undefined,
  functionArn: undefined,
};

const CHINA: RemedyContext = {
  ...REST,
  region: 'cn-north-1',
  functionArn: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:orders-get',
};

const GOV_NO_ARN: RemedyContext = { ...REST, region: 'us-gov-west-1', functionArn: undefined };

const MINIMAL: RemedyContext = { hints: new Set() };

/** Every cause under every context and every single hint: the whole table. */
function everyRemedy(): Array<{ cause: CauseId; label: string; context: RemedyContext }> {
  const contexts: Array<[string, RemedyContext]> = [
    ['REST', REST],
    ['HTTP', HTTP],
    ['China', CHINA],
    ['GovCloud without ARN', GOV_NO_ARN],
    ['minimal', MINIMAL],
    ['REST authorizer', { ...REST, target: 'authorizer', authorizerFunctionName: 'authz' }],
    ['HTTP authorizer', { ...HTTP, target: 'authorizer' }],
    ['REST, the backend answered 403', { ...REST, endpointStatus: '403' }],
    ['REST, the function failed at init', { ...REST, initError: 'Runtime.ImportModuleError' }],
  ];
  const out: Array<{ cause: CauseId; label: string; context: RemedyContext }> = [];
  for (const cause of CAUSE_IDS) {
    for (const [label, context] of contexts) {
      out.push({ cause, label, context });
      for (const hint of HINTS)
        out.push({ cause, label: `${label} + ${hint}`, context: { ...context, hints: new Set([hint]) } });
    }
  }
  return out;
}

const commandsOf = (cause: CauseId, c: RemedyContext) =>
  remedyFor(cause, c).flatMap((s) => (s.command !== undefined ? [s.command] : []));

describe('remedy safety rules over the whole table', () => {
  const table = everyRemedy();

  it('prints no command that deletes or removes anything', () => {
    for (const { cause, label, context } of table) {
      for (const command of commandsOf(cause, context)) {
        expect(command, `${cause} (${label})`).not.toMatch(/\b(?:delete|remove)-[a-z-]+|op=remove\b|\bderegister-/);
      }
    }
  });

  it('never replaces a whole integration: put-integration is not printed, update-integration patches fields', () => {
    for (const { cause, label, context } of table) {
      for (const command of commandsOf(cause, context)) {
        expect(command, `${cause} (${label})`).not.toMatch(/\bput-integration (?!-)/);
        if (command.includes('update-integration ')) expect(command).toMatch(/--patch-operations op=replace,path=\//);
      }
    }
  });

  it('precedes every remaining PUT with the read of what it would replace', () => {
    const reads: Record<string, RegExp> = {
      'put-integration-response': /\bapigateway get-integration .*integrationResponses/,
      'put-method-response': /\bapigateway get-method .*methodResponses/,
      'put-function-concurrency': /\blambda get-function-concurrency\b/,
    };
    for (const { cause, label, context } of table) {
      const commands = commandsOf(cause, context);
      commands.forEach((command, i) => {
        const put = /\b(put-[a-z-]+)/.exec(command)?.[1];
        if (put === undefined) return;
        const read = reads[put];
        expect(read, `${cause} (${label}): ${put} has no documented read`).toBeDefined();
        expect(
          commands.slice(0, i).some((c) => read?.test(c) === true),
          `${cause} (${label}): ${put} without a read before it`,
        ).toBe(true);
      });
    }
  });

  it('takes the partition from the ARNs or the Region, never a hard-coded arn:aws: outside the aws partition', () => {
    for (const { cause, label, context } of table.filter(
      (t) => t.label.startsWith('China') || t.label.startsWith('GovCloud'),
    )) {
      for (const command of commandsOf(cause, context)) {
        expect(command, `${cause} (${label})`).not.toMatch(/\barn:aws:/);
      }
    }
    expect(partitionOf(CHINA)).toBe('aws-cn');
    expect(partitionOf(GOV_NO_ARN)).toBe('aws-us-gov');
    expect(partitionOf({ region: 'us-east-1', functionArn: 'arn:aws-iso:lambda:us-iso-east-1:1:function:f' })).toBe(
      'aws-iso',
    );
  });

  it('scopes every invoke permission to the API and, when the logs name them, its stage and route', () => {
    for (const { cause, label, context } of table) {
      for (const command of commandsOf(cause, context)) {
        if (!command.includes('lambda add-permission')) continue;
        const arn = /--source-arn '?([^' ]+)'?/.exec(command)?.[1] ?? '';
        expect(arn, `${cause} (${label})`).toMatch(/^arn:aws[a-z-]*:execute-api:/);
        if (context.apiId === undefined) continue;
        expect(arn).toContain(`:${context.apiId}/`);
        if (/\/authorizers\/\*$/.test(arn)) continue;
        if (context.stage !== undefined) expect(arn, `${cause} (${label})`).toContain(`/${context.stage}/`);
        if (context.resourcePath !== undefined) expect(arn, `${cause} (${label})`).toMatch(/\/orders\/\*$/);
      }
    }
  });
});

describe('remedy facts (issue 17)', () => {
  const permission = (c: RemedyContext) =>
    /--source-arn '?([^' ]+)'?/.exec(
      commandsOf('lambda_permission', c).find((x) => x.includes('add-permission')) ?? '',
    )?.[1];

  it('allows the $default route as API/STAGE/$default, the form API Gateway presents for it', () => {
    expect(permission({ ...HTTP, routeKey: '$default', resourcePath: '$default' })).toBe(
      'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/$default/$default',
    );
  });

  it('uses the method of the HTTP route as defined, ANY as *, and * for REST where the logs show only the verb', () => {
    expect(permission(HTTP)).toBe('arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/$default/*/orders/*');
    expect(permission({ ...HTTP, routeKey: 'POST /orders/{id}' })).toBe(
      'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/$default/POST/orders/*',
    );
    expect(permission(REST)).toBe('arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/*/orders/*');
  });

  it('gives the HTTP API authorizer permission error the add-permission fix for API/authorizers/*', () => {
    const steps = remedyFor('lambda_permission', { ...HTTP, target: 'authorizer' });
    expect(steps[0]?.command).toBe(
      "aws apigatewayv2 get-routes --api-id a1b2c3d4e5 --region eu-west-1 --query 'Items[?RouteKey=='\\''ANY /orders/{id}'\\''].AuthorizerId' --output text",
    );
    expect(steps[1]?.command).toBe(
      'aws apigatewayv2 get-authorizer --api-id a1b2c3d4e5 --authorizer-id <authorizer-id> --region eu-west-1 --query AuthorizerUri --output text',
    );
    expect(steps[2]?.command).toContain(
      "--function-name '<authorizer-function>' --statement-id apigateway-a1b2c3d4e5-authorizers --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/authorizers/*'",
    );
  });

  it('tells HTTP API authorizers about {"isAuthorized": ...} and gives them no REST-only command', () => {
    const http = remedyFor('authorizer_error', HTTP);
    expect(http.map((s) => s.text).join(' ')).toContain('{"isAuthorized": true|false');
    expect(http.flatMap((s) => (s.command !== undefined ? [s.command] : [])).join(' ')).not.toContain(
      'test-invoke-authorizer',
    );
    expect(commandsOf('authorizer_error', REST).join(' ')).toContain('aws apigateway test-invoke-authorizer');
  });

  it('changes only the integration method, with update-integration on /httpMethod', () => {
    expect(commandsOf('integration_http_method', REST)).toEqual([
      "aws apigateway get-resources --rest-api-id a1b2c3d4e5 --region eu-west-1 --query 'items[?path=='\\''/orders/{id}'\\''].id' --output text",
      'aws apigateway get-integration --rest-api-id a1b2c3d4e5 --resource-id <resource-id> --http-method GET --region eu-west-1',
      'aws apigateway update-integration --rest-api-id a1b2c3d4e5 --resource-id <resource-id> --http-method GET --patch-operations op=replace,path=/httpMethod,value=POST --region eu-west-1',
      'aws apigateway create-deployment --rest-api-id a1b2c3d4e5 --stage-name prod --region eu-west-1',
    ]);
  });

  it('says a function that failed before its handler ran is a packaging fault, not handler code', () => {
    const steps = remedyFor('lambda_function_error', { ...REST, initError: 'Runtime.ImportModuleError' });
    expect(steps[0]?.text).toMatch(/^orders-get fails before its handler runs \(Runtime\.ImportModuleError\)/);
    expect(steps[1]?.command).toBe(
      "aws lambda get-function-configuration --function-name orders-get --query '[Handler,Runtime,PackageType,CodeSize]' --region eu-west-1",
    );
    expect(steps.some((s) => s.text.startsWith('Fix the unhandled error'))).toBe(false);
  });

  it('leads with the timeout and the init failure API Gateway relayed (real published lines)', () => {
    // Prepare: an HTTP API access log's integration error (Dynatrace's docs quote it, GitHub index id 16993668887),
    // and a console Test line of a function whose module is missing (JulianCazaux/cu-challenge backend/README.md).
    const timedOut = JSON.stringify({
      requestId: 'b1c2d3e4f5g6h7i=',
      routeKey: 'GET /items',
      status: '500',
      integrationErrorMessage:
        'The Lambda function returned the following error: RequestId: 01fe3839-4974-40d5-960a-173fcb5ec786 Error: Task timed out after 5.00 seconds. Check your Lambda function code and try again.',
    });
    const initFailed =
      "(7097a698-d600-46fe-b5bc-38df32f3c557) Lambda execution failed with status 200 due to customer function error: Error: Cannot find module '.prisma/client/default'";
    // Act
    const fix = (message: string) =>
      diagnoseEvents([
        { message },
        { message: '(7097a698-d600-46fe-b5bc-38df32f3c557) Method completed with status: 502' },
      ]).diagnosis.causes[0]?.remedy[0];
    // Assess
    expect(fix(timedOut)?.text).toMatch(/timed out after 5 s: make the slow call faster/);
    expect(fix(timedOut)?.command).toMatch(/update-function-configuration .* --timeout 10 /);
    expect(fix(initFailed)?.text).toMatch(/fails before its handler runs \(Cannot find module\)/);
  });

  it("maps a backend's error status instead of making 200 the default (status_code_mapping, SQS 403)", () => {
    // Act
    const error = remedyFor('status_code_mapping', { ...REST, endpointStatus: '403' });
    const ok = remedyFor('status_code_mapping', { ...REST, endpointStatus: '200' });
    // Assess: the first line says the backend refused and warns off the default 200; the 4xx are mapped to 403.
    expect(error[0]?.text).toMatch(/^The backend answered 403 .*Do not make 200 the default mapping/);
    expect(error.flatMap((s) => (s.command !== undefined ? [s.command] : []))).toEqual([
      "aws apigateway get-resources --rest-api-id a1b2c3d4e5 --region eu-west-1 --query 'items[?path=='\\''/orders/{id}'\\''].id' --output text",
      "aws apigateway get-integration --rest-api-id a1b2c3d4e5 --resource-id <resource-id> --http-method GET --region eu-west-1 --query 'integrationResponses'",
      "aws apigateway get-method --rest-api-id a1b2c3d4e5 --resource-id <resource-id> --http-method GET --region eu-west-1 --query 'methodResponses'",
      'aws apigateway put-method-response --rest-api-id a1b2c3d4e5 --resource-id <resource-id> --http-method GET --status-code 403 --region eu-west-1',
      "aws apigateway put-integration-response --rest-api-id a1b2c3d4e5 --resource-id <resource-id> --http-method GET --status-code 403 --selection-pattern '4\\d{2}' --region eu-west-1",
      'aws apigateway create-deployment --rest-api-id a1b2c3d4e5 --stage-name prod --region eu-west-1',
    ]);
    // A backend that answered 200 with no mapping still gets the default mapping.
    expect(
      ok.some((s) => s.command?.includes('put-integration-response') && s.command.includes('--status-code 200')),
    ).toBe(true);
  });

  it('allows multiValueHeaders and cookies in a proxy response, and says an HTTP API answers 500', () => {
    const rest = remedyFor('malformed_lambda_response', REST)[0]?.text ?? '';
    const http = remedyFor('malformed_lambda_response', HTTP)[0]?.text ?? '';
    expect(rest).toContain('"multiValueHeaders"');
    expect(rest).not.toContain('no other top-level keys');
    expect(http).toContain('"cookies"');
    expect(http).toContain('An HTTP API answers a malformed response with 500');
  });

  it('offers response streaming for REST responses over 10 MB instead of "cannot be raised"', () => {
    const steps = remedyFor('payload_too_large', REST);
    expect(steps.map((s) => s.text).join(' ')).not.toContain('cannot be raised');
    expect(commandsOf('payload_too_large', REST)).toContain(
      'aws apigateway update-integration --rest-api-id a1b2c3d4e5 --resource-id <resource-id> --http-method GET --patch-operations op=replace,path=/responseTransferMode,value=STREAM --region eu-west-1',
    );
  });

  it('names the quota increase (up to 300 s, Regional and private) instead of setting 29000 again', () => {
    const rest = remedyFor('integration_timeout', REST);
    expect(commandsOf('integration_timeout', REST).join(' ')).not.toContain('value=29000');
    expect(rest.map((s) => s.text).join(' ')).toMatch(
      /up to 300000 through Service Quotas.*edge-optimized APIs cannot/,
    );
    const http = remedyFor('service_unavailable', HTTP);
    expect(http[0]?.text).toContain("integration's timeout (TimeoutInMillis, 50 ms to 30 s)");
    expect(http[1]?.command).toContain('aws apigatewayv2 get-integrations --api-id a1b2c3d4e5');
  });

  it('reads VPC links V2 with apigatewayv2, and V1 only for REST APIs', () => {
    expect(commandsOf('private_integration', HTTP).join(' ')).not.toMatch(/aws apigateway get-vpc-links/);
    expect(commandsOf('private_integration', HTTP)[0]).toMatch(/^aws apigatewayv2 get-vpc-links /);
    expect(commandsOf('private_integration', REST)[1]).toMatch(/^aws apigateway get-vpc-links /);
  });

  it('says the AWS Health API needs a Business, Enterprise On-Ramp or Enterprise Support plan, and gives the status page', () => {
    const text = remedyFor('internal_service_failure', REST)
      .map((s) => s.text)
      .join(' ');
    expect(text).toContain('https://health.aws.amazon.com/health/status');
    expect(text).toContain('Business, Enterprise On-Ramp or Enterprise Support plan');
  });
});
