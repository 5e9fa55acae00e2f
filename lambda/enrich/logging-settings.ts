/**
 * Logging off is a finding: what the stage's logging settings hide from the diagnosis, and the commands that turn
 * logging on, with what it costs. Pure.
 * REST execution and access logging: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
 * HTTP API access logging: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html
 * Variables: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 */
import { type RemedyStep, shellQuote } from '../summarize/remedy.js';
import type { LoggingFinding, StageLogging } from './signal-types.js';

export interface LoggingContext {
  /**
   * The window's execution log had lines: the stage logs, whatever its settings say now (a level read as unset then
   * means the settings changed since, or are set per method).
   * @default false
   */
  readonly executionLogSeen?: boolean;
  readonly type: 'REST' | 'HTTP';
  readonly apiId: string;
  readonly stage: string;
  readonly region?: string;
  readonly accountId?: string;
}

/** The access log format the responder reads best: JSON, one object per request, with the integration's error. */
export function accessLogFormat(type: 'REST' | 'HTTP'): string {
  const fields: Record<string, string> = {
    requestId: '$context.requestId',
    requestTimeEpoch: '$context.requestTimeEpoch',
    httpMethod: '$context.httpMethod',
    ...(type === 'REST' ? { resourcePath: '$context.resourcePath' } : { routeKey: '$context.routeKey' }),
    path: '$context.path',
    status: '$context.status',
    integrationStatus: '$context.integration.status',
    integrationLatency: '$context.integration.latency',
    integrationErrorMessage: '$context.integrationErrorMessage',
    errorMessage: '$context.error.message',
    errorResponseType: '$context.error.responseType',
    authorizerError: '$context.authorizer.error',
  };
  return JSON.stringify(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v])));
}

const COST =
  'CloudWatch Logs bills ingestion per GB ($0.50 per GB in us-east-1, standard class) and storage; set a retention on the log group';

/** What the stage's logging hides and how to turn it on; undefined when execution (REST) and access logs are both on. */
export function loggingFinding(logging: StageLogging, c: LoggingContext): LoggingFinding | undefined {
  const state: string[] = [];
  const hides: string[] = [];
  const fix: RemedyStep[] = [];
  const region = c.region ?? '<region>';
  const account = c.accountId ?? '<account-id>';
  const api = shellQuote(c.apiId);
  const stage = shellQuote(c.stage);
  const level = logging.executionLevel?.toUpperCase();
  if (c.type === 'REST') {
    if (logging.cloudwatchRoleArn === null) {
      state.push(
        'The account has no CloudWatch role for API Gateway (get-account shows no cloudwatchRoleArn): REST stages write no execution or access log at all.',
      );
      fix.push({
        text: 'Give API Gateway a role to write logs (a role trusted by apigateway.amazonaws.com with the managed policy AmazonAPIGatewayPushToCloudWatchLogs), once per account and Region:',
        command: `aws apigateway update-account --region ${region} --patch-operations op=replace,path=/cloudwatchRoleArn,value=arn:aws:iam::${account}:role/<apigateway-cloudwatch-logs-role>`,
      });
    }
    const seen = c.executionLogSeen === true;
    if ((level === undefined || level === 'OFF') && !seen) {
      state.push(
        `Execution logging is off for stage ${c.stage}${level === undefined ? ' (no logging level set)' : ''}.`,
      );
      hides.push(
        'Without the execution log the responder cannot see why each request failed (the integration error message), which route failed or which function API Gateway called: the cause below comes from metrics and configuration.',
      );
    } else if (level === 'ERROR') {
      state.push(`Execution logging is at ERROR for stage ${c.stage}.`);
      hides.push(
        'ERROR level writes only the failure lines: no route (HTTP Method, Resource Path), no function (Endpoint request URI), no integration latency and no response body, so routes and functions come from metrics and configuration.',
      );
    }
    if (((level === undefined || level === 'OFF') && !seen) || level === 'ERROR') {
      fix.push({
        text: `Turn execution logging on at INFO (about 10 to 15 lines per request; ${COST}: API-Gateway-Execution-Logs_${c.apiId}/${c.stage}); leave data trace off in production, it logs request and response bodies:`,
        command: `aws apigateway update-stage --rest-api-id ${api} --stage-name ${stage} --region ${region} --patch-operations 'op=replace,path=/*/*/logging/loglevel,value=INFO'`,
      });
    }
  }
  // A REST stage logging at INFO shows each request's route, function and error: the access log adds little then.
  const executionInfo = c.type === 'REST' && (level === 'INFO' || (c.executionLogSeen === true && level !== 'ERROR'));
  if (logging.accessLogArn === undefined && !executionInfo) {
    state.push(
      c.type === 'HTTP'
        ? `Stage ${c.stage} writes no access log, and HTTP APIs write no execution log: no request of this API is logged.`
        : `Stage ${c.stage} writes no access log.`,
    );
    hides.push(
      'Without an access log there is no per-request status, route or $context.integrationErrorMessage to count failures by cause.',
    );
    const group = `/aws/apigateway/${c.apiId}/${c.stage}`;
    const arn = `arn:aws:logs:${region}:${account}:log-group:${group}`;
    const format = accessLogFormat(c.type);
    fix.push({
      text: `Create a log group for the access log (one line per request; ${COST}):`,
      command: `aws logs create-log-group --log-group-name ${shellQuote(group)} --region ${region}`,
    });
    fix.push(
      c.type === 'REST'
        ? {
            text: 'Turn the access log on with a JSON format that carries the integration error, then add the group to the responder as accessLogGroup:',
            command: `aws apigateway update-stage --rest-api-id ${api} --stage-name ${stage} --region ${region} --patch-operations ${shellQuote(`op=replace,path=/accessLogSettings/destinationArn,value=${arn}`)} ${shellQuote(`op=replace,path=/accessLogSettings/format,value=${format}`)}`,
          }
        : {
            text: 'Turn the access log on with a JSON format that carries the integration error, then add the group to the responder as accessLogGroup:',
            command: `aws apigatewayv2 update-stage --api-id ${api} --stage-name ${stage} --region ${region} --access-log-settings ${shellQuote(JSON.stringify({ DestinationArn: arn, Format: format }))}`,
          },
    );
  }
  if (state.length === 0) return undefined;
  return { state, hides, fix };
}
