import type { RuleHint } from '../classify/rules.js';
import type { CauseId } from '../taxonomy.js';

/** One step of a fix: what to do, and the exact command when there is one. */
export interface RemedyStep {
  readonly text: string;
  readonly command?: string;
}

/** What the remedy can name: everything is optional, a placeholder stands in for what the logs did not show. */
export interface RemedyContext {
  readonly apiType?: 'REST' | 'HTTP';
  readonly apiId?: string;
  readonly stage?: string;
  readonly region?: string;
  readonly accountId?: string;
  readonly method?: string;
  readonly resourcePath?: string;
  readonly functionName?: string;
  readonly functionArn?: string;
  readonly qualifier?: string;
  readonly authorizerFunctionName?: string;
  readonly authorizerFunctionArn?: string;
  readonly hints: ReadonlySet<RuleHint>;
  /** Epoch ms of the first failure, to start log queries there. */
  readonly firstSeen?: number;
  readonly maxIntegrationLatencyMs?: number;
  /** A sample request id, to pull one full trace. */
  readonly sampleRequestId?: string;
  /** What the backend log said, one line (already redacted). */
  readonly backendSummary?: string;
  readonly timeoutSeconds?: number;
  /** HTTP API: the route as defined (`ANY /orders/{id}`, `$default`), from `$context.routeKey`. */
  readonly routeKey?: string;
  /** Which call failed: the integration's or the Lambda authorizer's. */
  readonly target?: 'integration' | 'authorizer';
  /** The status an integration response maps to that the method does not define ("invalid method response: 200"). */
  readonly methodResponseStatus?: string;
  /** The backend's status no integration response mapped ("No match for output mapping ... Status Code: 403"). */
  readonly endpointStatus?: string;
  /**
   * The function failed before its handler ran, as its error type or message says (`Runtime.ImportModuleError`,
   * `Cannot find module ...`, `Unable to import module ...`): a packaging or configuration fault, not handler code.
   */
  readonly initError?: string;
}

/**
 * Shell-quotes a value for a POSIX shell command line. Values taken from logs (paths, stage names) are
 * attacker-influenced and end up in commands an engineer pastes at 3 a.m.: everything but a safe set is quoted.
 */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@,+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function names(c: RemedyContext) {
  const apiId = c.apiId ?? (c.apiType === 'HTTP' ? '<api-id>' : '<rest-api-id>');
  const region = c.region ?? '<region>';
  const account = c.accountId ?? '<account-id>';
  const stage = c.stage ?? '<stage>';
  const method = c.method ?? '<http-method>';
  const resource = c.resourcePath ?? '<resource-path>';
  const fn = c.functionArn ?? c.functionName ?? '<function-name>';
  const fnName = c.functionName ?? '<function-name>';
  return { apiId, region, account, stage, method, resource, fn, fnName };
}

/**
 * The ARN partition (`aws`, `aws-cn`, `aws-us-gov`): from an ARN the logs named, else from the Region's prefix. Never
 * hard-coded: a China or GovCloud account pasting `arn:aws:` gets a permission that matches nothing.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
export function partitionOf(c: Pick<RemedyContext, 'functionArn' | 'authorizerFunctionArn' | 'region'>): string {
  for (const arn of [c.functionArn, c.authorizerFunctionArn]) {
    const p = arn !== undefined ? /^arn:(aws[a-z-]*):/.exec(arn)?.[1] : undefined;
    if (p !== undefined) return p;
  }
  const region = c.region ?? '';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

function executeApiPrefix(c: RemedyContext): string {
  const n = names(c);
  return `arn:${partitionOf(c)}:execute-api:${n.region}:${n.account}:${n.apiId}`;
}

/**
 * The execute-api ARN a permission should allow, scoped to the API, the stage and the route the logs name
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html):
 * - HTTP API `$default` route: `API/STAGE/$default`, the form API Gateway presents for the catch-all route (the
 *   `API/STAGE/GET/` form never matches it; AWS SAM fixed the same bug, aws/serverless-application-model PR 2574).
 * - HTTP API route: its method as defined in the route key (`ANY` becomes `*`), path parameters `*`.
 * - REST API: the method segment is `*`, because the logs show the request's verb while the method may be defined
 *   as `ANY` (API Gateway then presents `ANY`, which a `GET` permission does not match); path parameters `*`.
 */
function sourceArn(c: RemedyContext): string {
  const prefix = executeApiPrefix(c);
  const stage = c.stage ?? '*';
  const routeKey = c.apiType === 'HTTP' ? c.routeKey : undefined;
  if (routeKey === '$default' || (c.apiType === 'HTTP' && c.resourcePath === '$default')) {
    return `${prefix}/${stage}/$default`;
  }
  const space = routeKey?.indexOf(' ') ?? -1;
  const definedMethod = routeKey !== undefined && space > 0 ? routeKey.slice(0, space) : undefined;
  const path = routeKey !== undefined && space > 0 ? routeKey.slice(space + 1) : c.resourcePath;
  if (path === undefined) return `${prefix}/${stage}/*`;
  const method = c.apiType === 'HTTP' ? (definedMethod ?? c.method ?? '*') : '*';
  const resource = path.replace(/^\//, '').replace(/\{[^}]*\}/g, '*');
  return `${prefix}/${stage}/${method === 'ANY' ? '*' : method}/${resource}`;
}

/** A statement id unique per API, stage and route, so a second fix for another route does not collide. */
function statementId(c: RemedyContext, what: string): string {
  const n = names(c);
  const route = (c.routeKey ?? `${c.resourcePath ?? ''}`).replace(/\$default/, 'default');
  const raw = ['apigateway', n.apiId, c.stage ?? '', what, route].filter((p) => p !== '').join('-');
  const cleaned = raw
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/-$/, '');
  return cleaned.slice(0, 100);
}

function resourceIdLookup(c: RemedyContext): RemedyStep {
  const n = names(c);
  return {
    text: 'Find the resource id (<resource-id>) of the failing route:',
    command: `aws apigateway get-resources --rest-api-id ${n.apiId} --region ${n.region} --query ${shellQuote(`items[?path=='${n.resource}'].id`)} --output text`,
  };
}

function deploy(c: RemedyContext): RemedyStep {
  const n = names(c);
  return {
    text: 'Deploy the change to the stage (REST API changes take effect only after a deployment):',
    command: `aws apigateway create-deployment --rest-api-id ${n.apiId} --stage-name ${n.stage} --region ${n.region}`,
  };
}

function functionLogs(c: RemedyContext, functionName: string): RemedyStep {
  const n = names(c);
  const start = c.firstSeen !== undefined ? ` --start-time ${c.firstSeen - 60_000}` : '';
  return {
    text: `Read what ${functionName} logged:`,
    command: `aws logs filter-log-events --log-group-name /aws/lambda/${functionName} --region ${n.region}${start} --filter-pattern ${shellQuote('?ERROR ?"Task timed out" ?"Runtime exited" ?"Status: error"')}`,
  };
}

function addPermission(c: RemedyContext, fn: string, arn: string, sid: string): RemedyStep {
  const n = names(c);
  const shown = fn.startsWith('arn:') ? (fn.split(':function:')[1] ?? fn) : fn;
  return {
    text: `Allow API Gateway to invoke ${shown} (takes effect at once, no redeployment):`,
    command: `aws lambda add-permission --function-name ${shellQuote(fn)} --statement-id ${sid} --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn ${shellQuote(arn)} --region ${n.region}`,
  };
}

function routeToChange(c: RemedyContext): RemedyStep[] {
  return c.resourcePath !== undefined ? [{ text: `Route to change: ${c.method ?? ''} ${c.resourcePath}`.trim() }] : [];
}

type RemedyBuilder = (c: RemedyContext) => RemedyStep[];

const REMEDIES: Readonly<Record<CauseId, RemedyBuilder>> = {
  lambda_function_error: (c) => {
    const n = names(c);
    if (c.initError !== undefined) {
      // Runtime.ImportModuleError and its kin: the handler never ran; redeploying the same package fails the same way.
      // https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-deployment.html
      return [
        {
          text: `${n.fnName} fails before its handler runs (${c.initError}): a module, the handler file or its entry point is missing from the deployment package or misnamed in the handler setting. Fix the package or the setting; the code in the handler is not at fault.`,
        },
        {
          text: 'Read the handler setting and runtime the function starts with:',
          command: `aws lambda get-function-configuration --function-name ${n.fnName} --query '[Handler,Runtime,PackageType,CodeSize]' --region ${n.region}`,
        },
        functionLogs(c, n.fnName),
        {
          text: 'Deploy a package that holds the module and the handler (bundle dependencies; build native modules for the Lambda runtime), or roll back to the last good version.',
        },
      ];
    }
    const timeout: RemedyStep | undefined =
      c.timeoutSeconds !== undefined
        ? {
            text: `It timed out after ${c.timeoutSeconds} s: make the slow call faster, or raise the function timeout (API Gateway still stops waiting at its integration timeout):`,
            command: `aws lambda update-function-configuration --function-name ${n.fnName} --timeout ${Math.min(900, Math.ceil(c.timeoutSeconds * 2))} --region ${n.region}`,
          }
        : undefined;
    const steps: RemedyStep[] = [];
    if (c.backendSummary !== undefined) steps.push({ text: `Fix the error ${n.fnName} reports: ${c.backendSummary}` });
    else if (timeout !== undefined) steps.push({ ...timeout, text: `${n.fnName} ${timeout.text.slice(3)}` });
    else steps.push({ text: `Fix the unhandled error in ${n.fnName}; its own log shows the exception and stack.` });
    steps.push(functionLogs(c, n.fnName));
    if (timeout !== undefined && c.backendSummary !== undefined) steps.push(timeout);
    steps.push({
      text: 'Deploy the fix; if the errors started with a deployment, roll back to the previous version first.',
    });
    if (c.qualifier !== undefined && c.qualifier !== '$LATEST') {
      steps.push({
        text: `Roll back the alias ${c.qualifier} to the last good version:`,
        command: `aws lambda update-alias --function-name ${n.fnName} --name ${shellQuote(c.qualifier)} --function-version <previous-version> --region ${n.region}`,
      });
    }
    return steps;
  },
  stage_variable_permission: (c) => {
    const n = names(c);
    const fn = c.qualifier !== undefined ? `${n.fn.replace(/:[^:]+$/, '')}:${c.qualifier}` : n.fn;
    return [
      {
        text: `The integration names its function through a stage variable; API Gateway may not invoke ${fn}. Add the permission for every function (and alias) the stage variable resolves to on every stage:`,
      },
      addPermission(c, fn, sourceArn(c), statementId(c, `invoke-${c.qualifier ?? ''}`)),
      {
        text: 'Repeat for each other value of the stage variable (see the stage variables of each stage):',
        command: `aws apigateway get-stages --rest-api-id ${n.apiId} --region ${n.region} --query 'item[].[stageName,variables]'`,
      },
    ];
  },
  status_code_mapping: (c) => {
    const n = names(c);
    const where = `--rest-api-id ${n.apiId} --resource-id <resource-id> --http-method ${n.method} --region ${n.region}`;
    // put-integration-response and put-method-response create or REPLACE the response with that status code (its
    // templates, parameters and models are lost): read what exists first.
    // https://docs.aws.amazon.com/cli/latest/reference/apigateway/put-integration-response.html
    const readMethodResponses: RemedyStep = {
      text: 'Read the method responses that exist (a put for a status that exists replaces it, with its models and parameters):',
      command: `aws apigateway get-method ${where} --query 'methodResponses'`,
    };
    const steps: RemedyStep[] = [resourceIdLookup(c)];
    if (c.hints.has('invalid_method_response')) {
      const status = c.methodResponseStatus ?? '<status>';
      steps.push(readMethodResponses, {
        text: `An integration response maps to status ${status}, which the method does not define: add that method response (only if the read above does not list it):`,
        command: `aws apigateway put-method-response ${where.replace(` --region ${n.region}`, '')} --status-code ${shellQuote(status)} --region ${n.region}`,
      });
    } else if (c.hints.has('mapping_template')) {
      steps.push({
        text: "The integration response's mapping template failed to transform the response: fix the template (or set contentHandling for binary bodies).",
      });
    } else if (c.endpointStatus !== undefined && /^[45]\d\d$/.test(c.endpointStatus)) {
      // The backend refused (SQS 403 for a message over 256 KB, Step Functions 400 for a bad request): a default
      // mapping to 200 would turn its error into a success. Map the error to an error status instead.
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-integration-settings-integration-response.html
      const status = c.endpointStatus;
      const pattern = `${status[0]}\\d{2}`;
      return [
        {
          text: `The backend answered ${status} and no integration response maps it, so clients got 500: map the backend's ${status[0]}xx answers to an error status, and find why it refused (the logged "Endpoint response body before transformations"). Do not make 200 the default mapping: it would turn the error into a success.`,
        },
        steps[0] ?? resourceIdLookup(c),
        {
          text: 'Read the integration responses that exist (a put for a status that exists replaces it, with its templates):',
          command: `aws apigateway get-integration ${where} --query 'integrationResponses'`,
        },
        readMethodResponses,
        {
          text: `If ${status} is not listed there, add the method response:`,
          command: `aws apigateway put-method-response ${where.replace(` --region ${n.region}`, '')} --status-code ${status} --region ${n.region}`,
        },
        {
          text: `If no integration response is listed for ${status}, map the backend's ${status[0]}xx statuses to it (the selection pattern is matched against the backend's status code):`,
          command: `aws apigateway put-integration-response ${where.replace(` --region ${n.region}`, '')} --status-code ${status} --selection-pattern ${shellQuote(pattern)} --region ${n.region}`,
        },
        deploy(c),
      ];
    } else {
      steps.push(
        {
          text: 'Read the integration responses that exist (a put for a status that exists replaces it, with its templates):',
          command: `aws apigateway get-integration ${where} --query 'integrationResponses'`,
        },
        {
          text: 'If no integration response is listed for 200, add it as the default mapping (no selection pattern):',
          command: `aws apigateway put-integration-response ${where.replace(` --region ${n.region}`, '')} --status-code 200 --region ${n.region}`,
        },
        {
          text: 'If 200 is listed with a selection pattern, make it the default without touching its templates:',
          command: `aws apigateway update-integration-response ${where.replace(` --region ${n.region}`, '')} --status-code 200 --patch-operations op=replace,path=/selectionPattern,value= --region ${n.region}`,
        },
        readMethodResponses,
        {
          text: 'If 200 is not listed there, add the method response the default mapping needs:',
          command: `aws apigateway put-method-response ${where.replace(` --region ${n.region}`, '')} --status-code 200 --region ${n.region}`,
        },
      );
    }
    steps.push(deploy(c));
    return steps;
  },
  throttling: (c) => {
    const n = names(c);
    return [
      {
        text: `Check whether ${n.fnName} is capped by reserved concurrency (or the account's concurrency is exhausted):`,
        command: `aws lambda get-function-concurrency --function-name ${n.fnName} --region ${n.region}`,
      },
      {
        text: 'Raise the reserved concurrency (or remove it) if it is the cap:',
        command: `aws lambda put-function-concurrency --function-name ${n.fnName} --reserved-concurrent-executions <higher-limit> --region ${n.region}`,
      },
      {
        text: 'If the account limit is the cap, request a quota increase for "Concurrent executions":',
        command: `aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value <new-limit> --region ${n.region}`,
      },
      {
        text: 'Have clients retry with exponential backoff and jitter; consider API Gateway stage or usage-plan throttling to shed load before the backend.',
      },
    ];
  },
  integration_http_method: (c) => {
    const n = names(c);
    const where = `--rest-api-id ${n.apiId} --resource-id <resource-id> --http-method ${n.method}`;
    return [
      { text: 'Lambda integrations must call the Lambda Invoke API with POST, whatever the method clients use.' },
      resourceIdLookup(c),
      {
        text: 'Read the integration as it is (type, URI, credentials, timeout and templates stay as they are):',
        command: `aws apigateway get-integration ${where} --region ${n.region}`,
      },
      {
        // A patch of one field: put-integration would replace the whole integration, resetting its credentials role,
        // timeout, mapping templates, content handling and response transfer mode.
        // https://docs.aws.amazon.com/apigateway/api-reference/link-relation/integration-update/
        text: 'Change only the integration request method to POST:',
        command: `aws apigateway update-integration ${where} --patch-operations op=replace,path=/httpMethod,value=POST --region ${n.region}`,
      },
      deploy(c),
    ];
  },
  lambda_permission: (c) => {
    const n = names(c);
    if (c.hints.has('credentials_role')) {
      return [
        {
          text: "The integration's IAM credentials role cannot be assumed by API Gateway: its trust policy must allow apigateway.amazonaws.com, and it needs lambda:InvokeFunction on the function.",
        },
        {
          text: 'Check the trust policy of the role named in the evidence:',
          command: 'aws iam get-role --role-name <role-name> --query Role.AssumeRolePolicyDocument',
        },
      ];
    }
    const authorizer =
      c.target === 'authorizer' || c.authorizerFunctionName !== undefined || c.authorizerFunctionArn !== undefined;
    if (authorizer) {
      const fn = c.authorizerFunctionArn ?? c.authorizerFunctionName ?? '<authorizer-function>';
      const steps: RemedyStep[] = [];
      if (fn === '<authorizer-function>') {
        const uriText =
          "Find the authorizer's function (<authorizer-function>): its URI names it, after functions/ and before /invocations:";
        if (c.apiType === 'HTTP' && c.routeKey !== undefined) {
          // HTTP API access logs name the route, not the authorizer: the route names its authorizer.
          steps.push(
            {
              text: `Find the authorizer (<authorizer-id>) of route ${c.routeKey}:`,
              command: `aws apigatewayv2 get-routes --api-id ${n.apiId} --region ${n.region} --query ${shellQuote(`Items[?RouteKey=='${c.routeKey}'].AuthorizerId`)} --output text`,
            },
            {
              text: uriText,
              command: `aws apigatewayv2 get-authorizer --api-id ${n.apiId} --authorizer-id <authorizer-id> --region ${n.region} --query AuthorizerUri --output text`,
            },
          );
        } else {
          steps.push({
            text: uriText,
            command:
              c.apiType === 'HTTP'
                ? `aws apigatewayv2 get-authorizers --api-id ${n.apiId} --region ${n.region} --query 'Items[].AuthorizerUri' --output text`
                : `aws apigateway get-authorizers --rest-api-id ${n.apiId} --region ${n.region} --query 'items[].authorizerUri' --output text`,
          });
        }
      }
      // REST and HTTP APIs present API/authorizers/AUTHORIZER_ID for authorizer calls.
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
      steps.push(
        addPermission(
          c,
          fn,
          `${executeApiPrefix(c)}/authorizers/*`,
          statementId({ ...c, routeKey: '', resourcePath: '', stage: '' }, 'authorizers'),
        ),
        {
          text: 'Check the policy afterwards:',
          command: `aws lambda get-policy --function-name ${shellQuote(fn)} --region ${n.region}`,
        },
      );
      return steps;
    }
    // HTTP API access logs do not name the function: the route's integration does.
    const lookup: RemedyStep[] =
      c.apiType === 'HTTP' && c.functionArn === undefined && c.functionName === undefined
        ? [
            {
              text: "Find the function (<function-name>) the API's Lambda integrations call (their URI is the function's ARN):",
              command: `aws apigatewayv2 get-integrations --api-id ${n.apiId} --region ${n.region} --query ${shellQuote("Items[?IntegrationType=='AWS_PROXY'].IntegrationUri")} --output text`,
            },
          ]
        : [];
    return [
      ...lookup,
      addPermission(c, n.fn, sourceArn(c), statementId(c, 'invoke')),
      {
        text: 'Check the policy afterwards:',
        command: `aws lambda get-policy --function-name ${shellQuote(n.fn)} --region ${n.region}`,
      },
    ];
  },
  malformed_lambda_response: (c) => {
    const n = names(c);
    // REST and payload 1.0: statusCode, headers, multiValueHeaders, body (a string), isBase64Encoded; HTTP API payload
    // 2.0 also takes cookies. https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
    const shape =
      c.apiType === 'HTTP'
        ? '{"statusCode": <number>, "headers": {...}, "multiValueHeaders": {...} (payload 1.0), "cookies": [...] (payload 2.0), "body": "<string>", "isBase64Encoded": false}'
        : '{"statusCode": <number>, "headers": {...}, "multiValueHeaders": {...}, "body": "<string>", "isBase64Encoded": false}';
    return [
      {
        text: `Make ${n.fnName} return ${shape}: body must be a string (JSON.stringify objects), statusCode a number, header values strings; nothing else at the top level.${c.apiType === 'HTTP' ? ' An HTTP API answers a malformed response with 500 (a REST API with 502).' : ''}`,
      },
      {
        text: 'Invoke it directly and look at what it returns:',
        command: `aws lambda invoke --function-name ${n.fnName} --cli-binary-format raw-in-base64-out --payload ${shellQuote(JSON.stringify({ httpMethod: c.method ?? 'GET', path: c.resourcePath ?? '/' }))} --region ${n.region} /dev/stdout`,
      },
    ];
  },
  payload_too_large: (c) => {
    const n = names(c);
    if (c.hints.has('lambda_response_limit')) {
      return [
        { text: 'The function returned more than the 6 MB Lambda synchronous response limit.' },
        { text: 'Page the result, compress it, or return a pre-signed Amazon S3 URL for large objects.' },
        ...routeToChange(c),
      ];
    }
    const steps: RemedyStep[] = [
      {
        text: 'The backend returned more than the 10 MB API Gateway response payload limit (a buffered response cannot exceed it).',
      },
      { text: 'Page the result, compress it, or return a pre-signed Amazon S3 URL for large objects.' },
    ];
    if (c.apiType !== 'HTTP') {
      // Since November 2025 REST proxy integrations (AWS_PROXY, HTTP_PROXY) can stream the response, which lifts the
      // 10 MB limit (data past 10 MB is sent at up to 2 MB/s; no VTL response transformation, no caching).
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html
      steps.push(
        {
          text: 'Or, for a proxy integration (AWS_PROXY or HTTP_PROXY), stream the response: responseTransferMode STREAM lifts the 10 MB limit (past 10 MB at up to 2 MB/s; no caching or response mapping templates; a Lambda backend must stream too). See the integration first:',
          command: `aws apigateway get-integration --rest-api-id ${n.apiId} --resource-id <resource-id> --http-method ${n.method} --region ${n.region}`,
        },
        {
          text: 'Switch it to streaming (a patch of that one field), then deploy:',
          command: `aws apigateway update-integration --rest-api-id ${n.apiId} --resource-id <resource-id> --http-method ${n.method} --patch-operations op=replace,path=/responseTransferMode,value=STREAM --region ${n.region}`,
        },
      );
    }
    steps.push(...routeToChange(c));
    return steps;
  },
  private_integration: (c) => {
    const n = names(c);
    // REST APIs use VPC links V2 (ALB or NLB targets) since November 2025, V1 links (NLB only) are legacy; HTTP APIs
    // use V2 only, which `aws apigateway get-vpc-links` never lists.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/private-integration.html
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/vpc-links-v1.html
    const steps: RemedyStep[] = [
      {
        text: 'Check that the VPC link is AVAILABLE and read its status message (VPC links V2, used by HTTP APIs and by REST APIs since November 2025):',
        command: `aws apigatewayv2 get-vpc-links --region ${n.region} --query 'Items[].[VpcLinkId,Name,VpcLinkStatus,VpcLinkStatusMessage]'`,
      },
    ];
    if (c.apiType !== 'HTTP') {
      steps.push({
        text: 'A REST API may still use a legacy VPC link V1 (Network Load Balancer only):',
        command: `aws apigateway get-vpc-links --region ${n.region} --query 'items[].[id,name,status,statusMessage]'`,
      });
    }
    steps.push(
      {
        text: 'Check the health of the load balancer targets (Application or Network Load Balancer) behind it:',
        command: `aws elbv2 describe-target-health --target-group-arn <target-group-arn> --region ${n.region}`,
      },
      {
        text: 'Check that security groups and network ACLs allow the VPC link to reach the load balancer on the listener port, and the load balancer the targets.',
      },
    );
    if (c.hints.has('certificate_mismatch')) {
      steps.unshift({
        text: "The private endpoint's TLS certificate does not match the host name in the integration URI: use a certificate for that name, or the name the certificate is for.",
      });
    }
    return steps;
  },
  internal_service_failure: (c) => {
    const n = names(c);
    return [
      { text: 'This is an AWS-side error: retry with exponential backoff and wait for the service to recover.' },
      {
        text: 'Check the public AWS Health Dashboard (https://health.aws.amazon.com/health/status) for an ongoing event.',
      },
      {
        // https://docs.aws.amazon.com/health/latest/ug/supported-operations.html
        text: "With a Business, Enterprise On-Ramp or Enterprise Support plan (others get SubscriptionRequiredException), list your account's open events:",
        command: `aws health describe-events --region us-east-1 --filter services=APIGATEWAY,LAMBDA,eventStatusCodes=open,regions=${n.region}`,
      },
      {
        text: `If it lasts, open an AWS Support case with the request ids below${c.sampleRequestId !== undefined ? ` (e.g. ${c.sampleRequestId})` : ''}.`,
      },
    ];
  },
  bad_gateway: (c) => {
    const n = names(c);
    return [
      {
        text: "The integration answered 502 or its response could not be processed: check the backend's health and logs, and the integration response settings.",
      },
      ...(c.apiType !== 'HTTP'
        ? [
            resourceIdLookup(c),
            {
              text: 'Call the integration from API Gateway and read the full response:',
              command: `aws apigateway test-invoke-method --rest-api-id ${n.apiId} --resource-id <resource-id> --http-method ${n.method} --region ${n.region}`,
            },
          ]
        : []),
    ];
  },
  service_unavailable: (c) => {
    const n = names(c);
    const steps: RemedyStep[] = [];
    if (c.apiType === 'HTTP' && !c.hints.has('backend_passthrough')) {
      // HTTP APIs answer 503 when the integration's own timeout (50 ms to 30 s) is reached, which can be far below
      // 30 s (the Serverless Framework sets 6.5 s). https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations-integrationid.html
      steps.push(
        {
          text: `An HTTP API also answers 503 when the integration's timeout (TimeoutInMillis, 50 ms to 30 s) is reached${c.maxIntegrationLatencyMs !== undefined ? `: integration latency reached ${c.maxIntegrationLatencyMs} ms` : ''}. Compare it with the route's integration timeout:`,
        },
        {
          text: 'Read the timeout of the integrations:',
          command: `aws apigatewayv2 get-integrations --api-id ${n.apiId} --region ${n.region} --query 'Items[].[IntegrationId,IntegrationUri,TimeoutInMillis]'`,
        },
      );
    }
    steps.push(
      {
        text: 'If the backend is overloaded or in maintenance: add capacity (scale out, raise limits) and check its health checks.',
      },
      { text: 'Have clients retry with exponential backoff and jitter.' },
    );
    return steps;
  },
  integration_timeout: (c) => {
    const n = names(c);
    const steps: RemedyStep[] = [];
    if (c.hints.has('network_error')) {
      steps.push({
        text: "The connection to the backend failed (reset or closed) rather than timing out: check the backend is up, and that its keep-alive idle timeout is longer than API Gateway's.",
      });
    }
    if (c.hints.has('http_api_timeout_503')) {
      steps.push({
        text: "HTTP APIs answer 503 when the integration's timeout (TimeoutInMillis, 50 ms to 30 s, 30 s by default) is reached.",
      });
    }
    steps.push({
      text: `Find the slow backend call${c.maxIntegrationLatencyMs !== undefined ? ` (integration latency reached ${c.maxIntegrationLatencyMs} ms)` : ''}${c.functionName !== undefined ? ` in ${c.functionName}` : ''}.`,
    });
    if (c.apiType === 'HTTP') {
      steps.push({
        text: "Read the integrations' timeouts (an HTTP API integration can wait 30 s at most):",
        command: `aws apigatewayv2 get-integrations --api-id ${n.apiId} --region ${n.region} --query 'Items[].[IntegrationId,IntegrationUri,TimeoutInMillis]'`,
      });
    } else {
      // The default and the ceiling without a quota increase are both 29 s: setting 29000 changes nothing. Regional and
      // private REST APIs can go up to 300 s after a quota increase, which may lower the account's throttle quota;
      // edge-optimized APIs cannot. https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
      // https://aws.amazon.com/about-aws/whats-new/2024/06/amazon-api-gateway-integration-timeout-limit-29-seconds/
      steps.push(resourceIdLookup(c), {
        text: 'Read the integration timeout (timeoutInMillis; 29000, the default, is also the most without a quota increase):',
        command: `aws apigateway get-integration --rest-api-id ${n.apiId} --resource-id <resource-id> --http-method ${n.method} --region ${n.region} --query timeoutInMillis`,
      });
      steps.push({
        text: 'To wait longer: a Regional or private REST API can raise "Maximum integration timeout in milliseconds" up to 300000 through Service Quotas (AWS may lower the account throttle quota in exchange; edge-optimized APIs cannot), then patch timeoutInMillis and deploy. A proxy integration can instead stream its response (responseTransferMode STREAM), which is not bound by the 29 s limit.',
      });
    }
    steps.push({
      text: 'For work that cannot finish in time, answer 202 at once and do it asynchronously (SQS, Step Functions).',
    });
    return steps;
  },
  authorizer_error: (c) => {
    const n = names(c);
    const fn = c.authorizerFunctionName ?? '<authorizer-function>';
    // REST: an IAM policy; HTTP API: the same policy (payload 1.0 or simple responses off) or, with simple responses
    // on, {"isAuthorized": true|false, "context": {...}}.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
    const policyShape =
      '{"principalId": "...", "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow|Deny", "Resource": "..."}]}, "context": {string, number or boolean values only}}';
    return [
      ...(c.hints.has('credentials_role')
        ? [
            {
              text: "API Gateway cannot assume the authorizer's credentials role: its trust policy must allow apigateway.amazonaws.com.",
            },
          ]
        : []),
      c.apiType === 'HTTP'
        ? {
            text: `The authorizer must not throw and must return, with simple responses on, {"isAuthorized": true|false, "context": {...}}; otherwise ${policyShape}.`,
          }
        : { text: `The authorizer must return ${policyShape} and must not throw.` },
      functionLogs(c, fn),
      c.apiType === 'HTTP'
        ? {
            text: 'Check which format the authorizer expects (EnableSimpleResponses, AuthorizerPayloadFormatVersion):',
            command: `aws apigatewayv2 get-authorizers --api-id ${n.apiId} --region ${n.region} --query 'Items[].[AuthorizerId,Name,EnableSimpleResponses,AuthorizerPayloadFormatVersion]'`,
          }
        : {
            text: 'Test it from API Gateway:',
            command: `aws apigateway test-invoke-authorizer --rest-api-id ${n.apiId} --authorizer-id <authorizer-id> --headers Authorization=<token> --region ${n.region}`,
          },
    ];
  },
  unknown: (c) => {
    const n = names(c);
    return [
      { text: 'No rule explains these requests: read the most frequent messages below, then one full trace:' },
      {
        text: c.apiType === 'HTTP' ? "One request's access log line:" : "One request's execution log:",
        command:
          c.apiType === 'HTTP'
            ? `aws logs filter-log-events --log-group-name <access-log-group> --region ${n.region} --filter-pattern ${shellQuote(`"${c.sampleRequestId ?? '<request-id>'}"`)}`
            : `aws logs filter-log-events --log-group-name API-Gateway-Execution-Logs_${n.apiId}/${n.stage} --region ${n.region} --filter-pattern ${shellQuote(`"${c.sampleRequestId ?? '<request-id>'}"`)}`,
      },
    ];
  },
};

export function remedyFor(cause: CauseId, context: RemedyContext): RemedyStep[] {
  return REMEDIES[cause](context);
}
