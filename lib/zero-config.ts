/**
 * Zero configuration on the CDK side: the grants the responder needs to find and read APIs it cannot name at
 * deploy time (discovery), and the existing-alarms mode's EventBridge rule. Kept apart from lib/responder.ts so that
 * construct stays readable; it calls these two functions.
 */
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import type { ResolvedResponderSettings } from './config.js';

/** The metric names API Gateway publishes 5xx counts under: REST `5XXError`, HTTP `5xx`. */
export const API_GATEWAY_5XX_METRICS = ['5XXError', '5xx'] as const;

/**
 * Grants, read-only, what finding an API from its alarm needs (lambda/adapters/api-resolver.ts, and thin-log
 * discovery on an API the configuration does not list): `apigateway:GET` on the account's REST and HTTP APIs
 * (GetRestApis is authorised on `/restapis`), and `logs:FilterLogEvents` on every REST execution log group
 * (`API-Gateway-Execution-Logs_*`) plus the access log groups the team lists. Each wildcard is acknowledged in
 * cdk-nag with its reason. Function logs and configuration of unconfigured APIs are not granted: they get metrics.
 */
export function grantDiscovery(
  scope: Construct,
  role: iam.Role,
  discovery: NonNullable<ResolvedResponderSettings['discovery']>,
  flattenForNag: (value: unknown) => string,
): void {
  const stack = Stack.of(scope);
  const logGroupArn = (pattern: string) =>
    stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `${pattern}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  const executionLogs = logGroupArn('API-Gateway-Execution-Logs_*');
  const accessLogs = discovery.accessLogGroups.map(logGroupArn);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadDiscoveredApiLogs',
      actions: ['logs:FilterLogEvents'],
      resources: [executionLogs, ...accessLogs],
    }),
  );
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${flattenForNag(stack.resolve(executionLogs))}]`,
    reason:
      'Discovery (zero configuration): the responder diagnoses alarms on APIs it cannot name at deploy time, so it ' +
      'reads REST execution logs by the name API Gateway gives them, API-Gateway-Execution-Logs_{id}/{stage}; the ' +
      'grant is limited to that prefix and to FilterLogEvents (read-only).',
  });
  discovery.accessLogGroups.forEach((group, i) => {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenForNag(stack.resolve(accessLogs[i]))}]`,
      reason: `Discovery: access logs can go to any log group, so only the groups the team listed in discovery.accessLogGroups (${group}) are readable; FilterLogEvents is authorised on log-group:NAME:*.`,
    });
  });
  const apiPath = (path: string) =>
    stack.formatArn({ service: 'apigateway', account: '', resource: path, arnFormat: ArnFormat.NO_RESOURCE_NAME });
  const apiArns = ['/restapis', '/restapis/*', '/apis/*', '/account'].map(apiPath);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'FindApisFromAlarms', actions: ['apigateway:GET'], resources: apiArns }),
  );
  for (const arn of apiArns.filter((a) => JSON.stringify(stack.resolve(a)).includes('*'))) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenForNag(stack.resolve(arn))}]`,
      reason:
        'Discovery: the API an alarm watches is known only at run time (REST by name via GetRestApis, HTTP by id), ' +
        "so read-only apigateway:GET covers the Region's REST and HTTP APIs (stages, integrations, authorizers); " +
        'no write action is granted.',
    });
  }
}

/**
 * Existing-alarms mode: an EventBridge rule sends the state changes of the account's alarms on AWS/ApiGateway's
 * 5xx metrics (single-metric and metric-math alarms alike: the pattern matches any entry of
 * `detail.configuration.metrics`) to the responder, with the same retries and on-failure queue as the alarm
 * action. Alarm tags are not in the event, so they cannot be matched: a name prefix narrows it instead.
 * Event shape: CloudWatch User Guide, "Alarm events and EventBridge".
 */
export function routeExistingAlarms(
  scope: Construct,
  fn: lambda.IFunction,
  failureQueue: sqs.IQueue,
  existing: NonNullable<ResolvedResponderSettings['existingAlarms']>,
  on: { readonly eventBus?: events.IEventBus; readonly id?: string } = {},
): events.Rule {
  return new events.Rule(scope, on.id ?? 'ExistingAlarms', {
    ...(on.eventBus !== undefined ? { eventBus: on.eventBus } : {}),
    description: `Sends API Gateway 5xx alarm state changes${existing.alarmNamePrefix !== undefined ? ` (alarms named ${existing.alarmNamePrefix}*)` : ''}${on.eventBus !== undefined ? ' forwarded by member accounts' : ''} to the apigw-5xx-responder`,
    eventPattern: alarmEventPattern(existing),
    targets: [
      new targets.LambdaFunction(fn, {
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        deadLetterQueue: failureQueue,
      }),
    ],
  });
}

/** The state changes (ALARM, OK) of alarms on AWS/ApiGateway's 5xx metrics, optionally by alarm name prefix. */
export function alarmEventPattern(existing: { readonly alarmNamePrefix?: string }): events.EventPattern {
  return {
    source: ['aws.cloudwatch'],
    detailType: ['CloudWatch Alarm State Change'],
    detail: {
      ...(existing.alarmNamePrefix !== undefined ? { alarmName: [{ prefix: existing.alarmNamePrefix }] } : {}),
      state: { value: ['ALARM', 'OK'] },
      configuration: {
        metrics: {
          metricStat: { metric: { namespace: ['AWS/ApiGateway'], name: [...API_GATEWAY_5XX_METRICS] } },
        },
      },
    },
  };
}

/**
 * The name of REST API `id`, looked up at deploy time (a custom resource calling GetRestApi, read-only and scoped
 * to that API), for the alarm's ApiName dimension: a REST API is then configured by `id` and `stage` alone. The
 * name is read when the resource is created or its properties change, not on every deployment: after renaming
 * the API, set `name` (or change the stage) and redeploy.
 */
export function restApiName(scope: Construct, id: string): string {
  const stack = Stack.of(scope);
  const lookup = new cr.AwsCustomResource(scope, `RestApiName-${id}`, {
    resourceType: 'Custom::RestApiName',
    onUpdate: {
      service: 'APIGateway',
      action: 'getRestApi',
      parameters: { restApiId: id },
      physicalResourceId: cr.PhysicalResourceId.of(`${id}-name`),
      outputPaths: ['name'],
    },
    installLatestAwsSdk: false,
    // API Gateway authorises reads as apigateway:GET on the resource path (fromSdkCalls would write the
    // non-existent action apigateway:GetRestApi).
    policy: cr.AwsCustomResourcePolicy.fromStatements([
      new iam.PolicyStatement({
        actions: ['apigateway:GET'],
        resources: [
          stack.formatArn({
            service: 'apigateway',
            account: '',
            resource: `/restapis/${id}`,
            arnFormat: ArnFormat.NO_RESOURCE_NAME,
          }),
        ],
      }),
    ]),
  });
  acknowledgeCustomResourceProvider(scope);
  return lookup.getResponseField('name');
}

/** cdk-nag findings on the AwsCustomResource provider function CDK adds once per stack. */
function acknowledgeCustomResourceProvider(scope: Construct): void {
  const stack = Stack.of(scope);
  const provider = stack.node.tryFindChild(PROVIDER_ID);
  if (provider === undefined) return;
  Validations.of(provider).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "The deploy-time GetRestApi lookup (AwsCustomResource) runs in CDK's provider function, whose role CDK " +
        'creates with AWSLambdaBasicExecutionRole (its own logs only); it runs during deployment, not at alarm time.',
    },
    {
      id: 'AwsSolutions-L1',
      reason:
        "CDK picks the provider function's runtime for AwsCustomResource (the latest Node.js it supports); it is not " +
        'configurable per resource and runs only during deployment.',
    },
  );
}

/** The construct id CDK gives the AwsCustomResource provider singleton (one per stack). */
const PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';
