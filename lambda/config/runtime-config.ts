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
