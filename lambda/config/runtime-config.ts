/**
 * The configuration the responder function receives from the stack (environment variable `RESPONDER_CONFIG`,
 * JSON). The CDK side (lib/config.ts) validates the user's input and writes this; the handler reads it once.
 */
export interface RuntimeApiConfig {
  /** `REST` (AWS/ApiGateway 5XXError, dimensions ApiName + Stage) or `HTTP` (5xx, dimensions ApiId + Stage). */
  readonly type: 'REST' | 'HTTP';
  /** REST API name (the alarm's ApiName dimension). HTTP APIs may leave it out. */
  readonly name?: string;
  /** API id (`a1b2c3d4e5`). */
  readonly id: string;
  readonly stage: string;
  /** REST execution log group: `API-Gateway-Execution-Logs_{id}/{stage}`. Absent for HTTP APIs. */
  readonly executionLogGroup?: string;
  /** Access log group, when the stage writes access logs. */
  readonly accessLogGroup?: string;
  /** Backend Lambda function names whose logs the responder may read (`/aws/lambda/{name}`). */
  readonly functionNames?: readonly string[];
  /** The alarm the stack created for this API stage (name), so an alarm event maps back to its API. */
  readonly alarmName?: string;
}

export interface RuntimeConfig {
  readonly apis: readonly RuntimeApiConfig[];
  /** Milliseconds the handler may spend reading logs before it must summarise and publish. */
  readonly timeBudgetMs: number;
  /** Margin added before and after the alarm's evaluation window, in ms. */
  readonly windowMarginMs: number;
  /** Upper bounds on the log read. */
  readonly maxPages: number;
  readonly maxEvents: number;
  /**
   * FilterLogEvents calls per second that all responders together may start (a share of the account's quota,
   * coordinated through the ledger table), and how many responders may run at once (reserved concurrency; without
   * the table each keeps to `perSecond / concurrency`). Absent: no limit but the service's own throttling.
   */
  readonly logReadRate?: { readonly perSecond: number; readonly concurrency: number };
  /**
   * Access log groups the responder may read for APIs it finds from an alarm (not configured): names, `*` for any
   * run of characters. The stack grants logs:FilterLogEvents on the same patterns.
   * @default - none: access logs of unconfigured APIs are not read
   */
  readonly accessLogGroupPatterns?: readonly string[];
}

/** Name of the environment variable that carries RuntimeConfig as JSON. */
export const RUNTIME_CONFIG_ENV = 'RESPONDER_CONFIG';
/** Name of the environment variable that carries the SNS topic ARN. */
export const TOPIC_ARN_ENV = 'TOPIC_ARN';
/** Name of the environment variable that carries the notification ledger's DynamoDB table name (optional). */
export const LEDGER_TABLE_ENV = 'LEDGER_TABLE';

/** What one of the responder's own alarms watches. */
export type SelfAlarmKind =
  | 'responder-failure-queue'
  | 'responder-errors'
  | 'responder-throttles'
  | 'responder-duration'
  | 'forwarder-failure-queue'
  | 'forwarder-errors'
  | 'forwarder-throttles';

/** One function the stack watches (the responder, the Slack webhook forwarder) and where its failures are kept. */
export interface WatchedFunction {
  /** Function name; the responder's own comes from `AWS_LAMBDA_FUNCTION_NAME` at run time (it cannot name itself). */
  readonly functionName?: string;
  /** URL of the SQS queue holding the events it failed to handle after its retries. */
  readonly failureQueueUrl: string;
  readonly logGroup: string;
  readonly timeoutSec: number;
  readonly reservedConcurrency: number;
}

/**
 * The responder's alarms on itself (env `SELF_MONITORING`, JSON): when one fires, the responder publishes a plain
 * message naming it and the command that replays the kept events, instead of a diagnosis.
 */
export interface SelfMonitoringConfig {
  readonly alarms: readonly { readonly alarmName: string; readonly kind: SelfAlarmKind }[];
  readonly responder: WatchedFunction;
  readonly forwarder?: WatchedFunction;
  /** The CloudFormation stack, for the `apigw-5xx check` command the message suggests. */
  readonly stackName?: string;
}

/** Name of the environment variable that carries SelfMonitoringConfig as JSON (optional). */
export const SELF_MONITORING_ENV = 'SELF_MONITORING';
