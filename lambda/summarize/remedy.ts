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

/** The execute-api ARN a permission should allow: path parameters become `*`. */
function sourceArn(c: RemedyContext): string {
  const n = names(c);
  if (c.method === undefined || c.resourcePath === undefined)
    return `arn:aws:execute-api:${n.region}:${n.account}:${n.apiId}/*`;
  const path = c.resourcePath.replace(/^\//, '').replace(/\{[^}]*\}/g, '*');
  const method = c.method === 'ANY' ? '*' : c.method;
  return `arn:aws:execute-api:${n.region}:${n.account}:${n.apiId}/*/${method}/${path}`;
}

function resourceIdLookup(c: RemedyContext): RemedyStep {
  const n = names(c);
  return {
    text: 'Find the resource id of the failing route:',
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

type RemedyBuilder = (c: RemedyContext) => RemedyStep[];

const REMEDIES: Readonly<Record<CauseId, RemedyBuilder>> = {
  lambda_function_error: (c) => {
    const n = names(c);
    const steps: RemedyStep[] = [
      c.backendSummary !== undefined
        ? { text: `Fix the error ${n.fnName} reports: ${c.backendSummary}` }
        : { text: `Fix the unhandled error in ${n.fnName}; its own log shows the exception and stack.` },
    ];
    steps.push(functionLogs(c, n.fnName));
    if (c.timeoutSeconds !== undefined) {
      steps.push({
        text: `It timed out after ${c.timeoutSeconds} s: make the slow call faster, or raise the function timeout (API Gateway still stops waiting at its integration timeout):`,
        command: `aws lambda update-function-configuration --function-name ${n.fnName} --timeout ${Math.min(900, Math.ceil(c.timeoutSeconds * 2))} --region ${n.region}`,
      });
    }
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
      addPermission(
        c,
        fn,
        sourceArn(c),
        `apigateway-${n.apiId}-${(c.qualifier ?? n.stage).replace(/[^A-Za-z0-9_-]/g, '')}`,
      ),
      {
        text: 'Repeat for each other value of the stage variable (see the stage variables of each stage):',
        command: `aws apigateway get-stages --rest-api-id ${n.apiId} --region ${n.region} --query 'item[].[stageName,variables]'`,
      },
    ];
  },
  status_code_mapping: (c) => {
    const n = names(c);
    const steps: RemedyStep[] = [resourceIdLookup(c)];
    if (c.hints.has('invalid_method_response')) {
      steps.push({
        text: 'An integration response maps to a status that has no method response: add the method response for that status:',
        command: `aws apigateway put-method-response --rest-api-id ${n.apiId} --resource-id <resource-id> --http-method ${n.method} --status-code <status> --region ${n.region}`,
      });
    } else if (c.hints.has('mapping_template')) {
      steps.push({
        text: "The integration response's mapping template failed to transform the response: fix the template (or set contentHandling for binary bodies).",
      });
    } else {
      steps.push({
        text: 'Add a default integration response (no selection pattern) and integration responses with selection patterns for the error statuses the backend returns:',
        command: `aws apigateway put-integration-response --rest-api-id ${n.apiId} --resource-id <resource-id> --http-method ${n.method} --status-code 200 --region ${n.region}`,
      });
      steps.push({
        text: 'Make sure a method response exists for each status code you map to:',
        command: `aws apigateway put-method-response --rest-api-id ${n.apiId} --resource-id <resource-id> --http-method ${n.method} --status-code 500 --region ${n.region}`,
      });
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
    const arn = c.functionArn ?? `arn:aws:lambda:${n.region}:${n.account}:function:${n.fnName}`;
    return [
      { text: 'Lambda integrations must call the Lambda Invoke API with POST, whatever the method clients use.' },
      resourceIdLookup(c),
      {
        text: 'Set the integration request method to POST (use --type AWS instead of AWS_PROXY for a non-proxy integration):',
        command: `aws apigateway put-integration --rest-api-id ${n.apiId} --resource-id <resource-id> --http-method ${n.method} --type AWS_PROXY --integration-http-method POST --uri arn:aws:apigateway:${n.region}:lambda:path/2015-03-31/functions/${arn}/invocations --region ${n.region}`,
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
    if (c.authorizerFunctionName !== undefined || c.authorizerFunctionArn !== undefined) {
      const fn = c.authorizerFunctionArn ?? c.authorizerFunctionName ?? '<authorizer-function>';
      return [
        addPermission(
          c,
          fn,
          `arn:aws:execute-api:${n.region}:${n.account}:${n.apiId}/authorizers/*`,
          `apigateway-${n.apiId}-authorizer`,
        ),
        {
          text: 'Check the policy afterwards:',
          command: `aws lambda get-policy --function-name ${shellQuote(fn)} --region ${n.region}`,
        },
      ];
    }
    return [
      addPermission(c, n.fn, sourceArn(c), `apigateway-${n.apiId}-invoke`),
      {
        text: 'Check the policy afterwards:',
        command: `aws lambda get-policy --function-name ${shellQuote(n.fn)} --region ${n.region}`,
      },
    ];
  },
  malformed_lambda_response: (c) => {
    const n = names(c);
    return [
      {
        text: `Make ${n.fnName} return exactly {"statusCode": <number>, "headers": {...}, "body": "<string>", "isBase64Encoded": false}: body must be a string (JSON.stringify objects), statusCode a number, no other top-level keys.`,
      },
      {
        text: 'Invoke it directly and look at what it returns:',
        command: `aws lambda invoke --function-name ${n.fnName} --cli-binary-format raw-in-base64-out --payload ${shellQuote(JSON.stringify({ httpMethod: c.method ?? 'GET', path: c.resourcePath ?? '/' }))} --region ${n.region} /dev/stdout`,
      },
    ];
  },
  payload_too_large: (c) => [
    c.hints.has('lambda_response_limit')
      ? { text: 'The function returned more than the 6 MB Lambda synchronous response limit.' }
      : { text: 'The backend returned more than the 10 MB API Gateway payload limit; the limit cannot be raised.' },
    { text: 'Page the result, compress it, or return a pre-signed Amazon S3 URL for large objects.' },
    ...(c.resourcePath !== undefined ? [{ text: `Route to change: ${c.method ?? ''} ${c.resourcePath}`.trim() }] : []),
  ],
  private_integration: (c) => {
    const n = names(c);
    const steps: RemedyStep[] = [
      c.apiType === 'HTTP'
        ? {
            text: 'Check that the VPC link is AVAILABLE and read its status message:',
            command: `aws apigatewayv2 get-vpc-links --region ${n.region} --query 'Items[].[VpcLinkId,Name,VpcLinkStatus,VpcLinkStatusMessage]'`,
          }
        : {
            text: 'Check that the VPC link is AVAILABLE and read its status message:',
            command: `aws apigateway get-vpc-links --region ${n.region} --query 'items[].[id,name,status,statusMessage]'`,
          },
      {
        text: 'Check the health of the Network Load Balancer targets behind it:',
        command: `aws elbv2 describe-target-health --target-group-arn <target-group-arn> --region ${n.region}`,
      },
      {
        text: 'Check that security groups and network ACLs allow the NLB to reach the targets on the listener port, and that the targets listen on it.',
      },
    ];
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
        text: 'Check the AWS Health Dashboard for an ongoing event:',
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
  service_unavailable: () => [
    {
      text: 'The backend is overloaded or in maintenance: add capacity (scale out, raise limits) and check its health checks.',
    },
    { text: 'Have clients retry with exponential backoff and jitter.' },
  ],
  integration_timeout: (c) => {
    const n = names(c);
    const steps: RemedyStep[] = [];
    if (c.hints.has('network_error')) {
      steps.push({
        text: "The connection to the backend failed (reset or closed) rather than timing out: check the backend is up, and that its keep-alive idle timeout is longer than API Gateway's.",
      });
    }
    if (c.hints.has('http_api_timeout_503')) {
      steps.push({ text: 'HTTP APIs answer 503 when the 30-second integration timeout is reached.' });
    }
    steps.push({
      text: `Find the slow backend call${c.maxIntegrationLatencyMs !== undefined ? ` (integration latency reached ${c.maxIntegrationLatencyMs} ms)` : ''}${c.functionName !== undefined ? ` in ${c.functionName}` : ''}.`,
    });
    if (c.apiType !== 'HTTP') {
      steps.push(resourceIdLookup(c));
      steps.push({
        text: 'Set the integration timeout (29 s default; Regional and private REST APIs can go higher after a quota increase):',
        command: `aws apigateway update-integration --rest-api-id ${n.apiId} --resource-id <resource-id> --http-method ${n.method} --patch-operations op=replace,path=/timeoutInMillis,value=29000 --region ${n.region}`,
      });
      steps.push(deploy(c));
    }
    steps.push({
      text: 'For work that cannot finish in time, answer 202 at once and do it asynchronously (SQS, Step Functions).',
    });
    return steps;
  },
  authorizer_error: (c) => {
    const n = names(c);
    const fn = c.authorizerFunctionName ?? '<authorizer-function>';
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
            // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
            text: 'An HTTP API Lambda authorizer must return {"isAuthorized": true|false, "context": {...}} (simple responses, payload format 2.0) or an IAM policy {"principalId": "...", "policyDocument": {...}}, and must not throw.',
          }
        : {
            text: `The authorizer must return {"principalId": "...", "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow|Deny", "Resource": "..."}]}, "context": {string, number or boolean values only}} and must not throw.`,
          },
      functionLogs(c, fn),
      // HTTP APIs have no test-invoke-authorizer: the function's own log is where to look.
      ...(c.apiType === 'HTTP'
        ? []
        : [
            {
              text: 'Test it from API Gateway:',
              command: `aws apigateway test-invoke-authorizer --rest-api-id ${n.apiId} --authorizer-id <authorizer-id> --headers Authorization=<token> --region ${n.region}`,
            },
          ]),
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
