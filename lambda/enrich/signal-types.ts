/**
 * Evidence beyond the logs, pure types: what the responder discovers of the API at run time (stage logging settings,
 * integrations, routes, authorizers and the functions behind them), what CloudTrail says changed, and the verdicts
 * that join logs, metrics, configuration and CloudTrail. The adapters (lambda/adapters/api-discovery.ts,
 * metrics-reader.ts, cloudtrail-reader.ts) fill these; lambda/enrich/signals.ts judges them.
 */
import type { RemedyStep } from '../summarize/remedy.js';
import type { CauseId } from '../taxonomy.js';

/** Where a verdict comes from. */
export type EvidenceSource = 'logs' | 'metrics' | 'configuration' | 'cloudtrail';

/** The stage's logging as configured: what the responder can and cannot see. */
export interface StageLogging {
  /**
   * REST execution logging level of the stage (`*\/*` method settings): `OFF`, `ERROR`, `INFO`; absent when the stage
   * sets none (API Gateway then writes no execution log). HTTP APIs have no execution log.
   */
  readonly executionLevel?: string;
  readonly dataTrace?: boolean;
  /** Detailed (per-method or per-route) CloudWatch metrics. */
  readonly detailedMetrics?: boolean;
  /** Access log destination (log group ARN), when the stage writes an access log. */
  readonly accessLogArn?: string;
  readonly accessLogFormat?: string;
  /**
   * The account's CloudWatch role for API Gateway (REST execution and access logs need it): the ARN, `null` when the
   * account has none, absent when not read.
   */
  readonly cloudwatchRoleArn?: string | null;
}

/** A Lambda function found behind the API: an integration's or an authorizer's. */
export interface DiscoveredFunction {
  /** Unqualified function name. */
  readonly name: string;
  readonly arn?: string;
  readonly qualifier?: string;
  /** `GET /orders/{id}` (REST method or HTTP route) or `authorizer jwt-check`. */
  readonly via: readonly string[];
  readonly authorizer: boolean;
  /** `found`, `missing` (does not exist), `failed` (see problems), `not_readable` (not in functionNames: metrics only). */
  readonly state: 'found' | 'missing' | 'failed' | 'not_readable';
  readonly timeoutSec?: number;
  /** Reserved concurrency; `null` = none reserved; absent = not read. */
  readonly reservedConcurrency?: number | null;
  /** Epoch ms of LastModified. */
  readonly lastModified?: number;
  /** GetPolicy: `missing` = no resource policy at all; absent = not read. */
  readonly policyState?: 'found' | 'missing' | 'failed';
  readonly policy?: string;
  /**
   * The execute-api ARN API Gateway presents when it invokes the function for its first route
   * (`arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/orders/{id}`), when known.
   */
  readonly sourceArn?: string;
  /** The first route's method and resource, for the fix commands. */
  readonly route?: { readonly method: string; readonly resource: string };
}

/** What discovery found of the API. */
export interface ApiDiscovery {
  readonly api: { readonly type: 'REST' | 'HTTP'; readonly apiId: string; readonly stage: string };
  /** Absent when the stage could not be read. */
  readonly logging?: StageLogging;
  readonly deploymentId?: string;
  /** Routes (REST `GET /orders/{id}`, HTTP route keys) with a Lambda behind them. */
  readonly routes: readonly { readonly method: string; readonly resource: string }[];
  readonly functions: readonly DiscoveredFunction[];
  /** The smallest integration timeout set on the API's integrations (HTTP API timeoutInMillis), ms. */
  readonly integrationTimeoutMs?: number;
  /** Reads that failed, each with what to do about it. */
  readonly problems: readonly string[];
}

/** A management event CloudTrail recorded for one of the API's resources. */
export interface TrailEvent {
  /** `RemovePermission20150331v2`, `UpdateFunctionConfiguration20150331v2`, `CreateDeployment`, `UpdateStage`. */
  readonly eventName: string;
  /** `lambda.amazonaws.com`, `apigateway.amazonaws.com`. */
  readonly eventSource?: string;
  /** Epoch ms. */
  readonly at: number;
  /** Who: the IAM ARN or user name (`arn:aws:sts::123456789012:assumed-role/deployer/ci-4711`). */
  readonly principal?: string;
  /** The resource it changed: a function name, an API id, a stage. */
  readonly resource: string;
  /** A short detail from the request (statement id, alias, version, concurrency), already bounded. */
  readonly detail?: string;
  readonly eventId?: string;
}

/** What the CloudTrail reader brings back. */
export interface TrailReading {
  readonly events: readonly TrailEvent[];
  /** Lookups made, for the record (LookupEvents allows two per second per account and Region). */
  readonly calls: number;
  readonly problems: readonly string[];
}

/** One cause's verdict across sources. */
export interface SourcedVerdict {
  readonly cause: CauseId;
  /** The sources that back the cause, logs first. */
  readonly sources: readonly EvidenceSource[];
  /** What the non-log sources showed (redacted, bounded). */
  readonly evidence: readonly string[];
  /** Set when the sources disagree: says so, and what each says. */
  readonly disagreement?: string;
  /** The function it concerns, when known. */
  readonly functionName?: string;
  /** The route that function serves, as discovered (`GET /orders/{id}`), for causes the logs did not name. */
  readonly route?: string;
  /** A fix, for causes the logs did not name (the log causes carry their own). */
  readonly remedy?: readonly RemedyStep[];
  /** The change CloudTrail recorded that best explains it, as one sentence. */
  readonly change?: string;
}

/** What the stage's logging hides, and how to turn it on. */
export interface LoggingFinding {
  /** "Execution logging is off for stage prod": one line each. */
  readonly state: readonly string[];
  /** What that hides from the diagnosis. */
  readonly hides: readonly string[];
  /** Commands to turn it on, with the cost note in the text. */
  readonly fix: readonly RemedyStep[];
}

/** Evidence beyond the logs, judged: attached to the diagnosis as `signals`. */
export interface Signals {
  /** Verdicts for the log causes (same order), then for causes only the other sources show. */
  readonly verdicts: readonly SourcedVerdict[];
  /** Causes the logs did not show but metrics and configuration do, strongest first. */
  readonly inferred: readonly SourcedVerdict[];
  readonly logging?: LoggingFinding;
  /** Metric lines about the stage and functions. */
  readonly metrics: readonly string[];
  /** Changes CloudTrail recorded before the first failure, newest first, as lines. */
  readonly changes: readonly string[];
  /** The change that best explains the top cause, by resource and timing: leads the message. */
  readonly lead?: string;
  /** Reads that failed, each with what to do about it. */
  readonly problems: readonly string[];
}
