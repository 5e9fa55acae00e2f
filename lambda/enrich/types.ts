/**
 * Configuration checks: what the responder reads of the live API Gateway and Lambda configuration (read-only), and
 * what it concludes about each cause the logs suggested. Pure types: the adapter (lambda/adapters/config-checks.ts)
 * fills {@link ConfigurationFacts}; the pure functions in this folder turn them into an {@link Enrichment}.
 */
import type { Finding } from '../classify/classify.js';
import type { CauseSummary, Diagnosis } from '../summarize/diagnosis.js';
import type { CauseId } from '../taxonomy.js';

/**
 * What the configuration says about a cause: rendered as "confirmed by configuration", "contradicted by
 * configuration" or "from logs only".
 */
export type Verdict = 'confirmed' | 'contradicted' | 'unknown';

/** How each verdict reads in a notification. */
export const VERDICT_LABELS: Readonly<Record<Verdict, string>> = {
  confirmed: 'confirmed by configuration',
  contradicted: 'contradicted by configuration',
  unknown: 'from logs only',
};

export interface CauseCheck {
  readonly cause: CauseId;
  readonly verdict: Verdict;
  /** What the configuration showed, one line each (redacted, bounded). Empty when nothing could be checked. */
  readonly evidence: readonly string[];
}

/** A change to the API stage or a function, with when it happened. */
export interface ChangeFact {
  readonly what: 'deployment' | 'function';
  /** `orders-api/prod` for a deployment, the function name for a function. */
  readonly name: string;
  /** Epoch ms. */
  readonly at: number;
  /** `deployment d7noqdk2lo`, `version $LATEST, 128 MB, timeout 3 s`, `alias live -> version 7`. */
  readonly detail: string;
}

export interface Enrichment {
  /** One per cause of the diagnosis, in the diagnosis's order. */
  readonly checks: readonly CauseCheck[];
  /** Changes read from the configuration, most recent first. */
  readonly changes: readonly ChangeFact[];
  /**
   * "orders-get was updated 4 minutes before the first 502": the most recent change within the lead window before
   * the first error it could explain; absent when none.
   */
  readonly lead?: string;
  /** Checks that failed or were denied (each degraded to "from logs only"), each with what to do about it. */
  readonly problems: readonly string[];
}

// ---- what the core hands over ----------------------------------------------------------------------------------

/** The parts of a cause summary the checks use (a {@link CauseSummary} is one). */
export type CauseRef = Pick<CauseSummary, 'cause' | 'firstSeen' | 'statuses' | 'functions' | 'authorizerFunctions'>;

/** The parts of a diagnosis the checks use (a {@link Diagnosis} is one). */
export interface DiagnosisRef {
  readonly api: Diagnosis['api'];
  readonly firstSeen?: number;
  readonly causes: readonly CauseRef[];
}

/** The parts of a finding the checks use (a {@link Finding} is one). */
export type FindingRef = Pick<
  Finding,
  | 'cause'
  | 'status'
  | 'method'
  | 'resourcePath'
  | 'path'
  | 'routeKey'
  | 'firstSeen'
  | 'functionName'
  | 'functionArn'
  | 'qualifier'
  | 'authorizerFunctionName'
  | 'authorizerFunctionArn'
  | 'target'
  | 'integrationLatencyMs'
> &
  Partial<Pick<Finding, 'evidence'>>;

// ---- what to read ----------------------------------------------------------------------------------------------

/** A route the logs named: the method as requested and the resource template (or, when not logged, the path). */
export interface RouteRef {
  readonly method: string;
  /** `/orders/{id}` (template) or `/orders/42` (requested path: matched against the templates). */
  readonly path: string;
  /**
   * Read the function the integration names (its URI) even when the logs did not name one: `policy` for a
   * permission check (configuration, policy, alias), `configuration` for the change history only.
   * @default - the function is not resolved from the integration
   */
  readonly resolveFunction?: 'policy' | 'configuration';
  /**
   * Read the route's Lambda authorizer (its URI names the function) and that function's policy: an authorizer
   * permission failure whose logs do not name the function (HTTP API access logs never do).
   * @default false
   */
  readonly resolveAuthorizer?: boolean;
}

/** A Lambda function to read. */
export interface FunctionRef {
  /** Function name (no qualifier). */
  readonly name: string;
  /** Unqualified function ARN when known: used as FunctionName so another account's function is addressed right. */
  readonly arn?: string;
  /** Version or alias the API invokes. */
  readonly qualifier?: string;
  /** Read the resource policy too (permission checks), not only the configuration. */
  readonly policy: boolean;
}

/** Everything one enrichment reads; bounded by {@link planChecks}. */
export interface CheckPlan {
  readonly api?: {
    readonly type: 'REST' | 'HTTP';
    readonly apiId: string;
    readonly stage: string;
  };
  readonly routes: readonly RouteRef[];
  readonly functions: readonly FunctionRef[];
  /**
   * Functions the responder is allowed to read (the API's configured `functionNames`); others are not called and
   * reported as a problem with the fix.
   * @default - every function may be read
   */
  readonly readableFunctions?: readonly string[];
  /** Routes, functions or lookups left out to stay inside the bounds, said in the problems. */
  readonly skipped: readonly string[];
}

// ---- what was read ---------------------------------------------------------------------------------------------

/** One integration response of a REST (non-proxy) integration. */
export interface IntegrationResponseFacts {
  readonly statusCode: string;
  /** Absent or empty: the default mapping. */
  readonly selectionPattern?: string;
}

export interface IntegrationFacts {
  /** `AWS`, `AWS_PROXY`, `HTTP`, `HTTP_PROXY`, `MOCK`. */
  readonly type?: string;
  /** The method API Gateway calls the backend with (REST `httpMethod`, HTTP API `IntegrationMethod`). */
  readonly httpMethod?: string;
  readonly uri?: string;
  /** `INTERNET` or `VPC_LINK`. */
  readonly connectionType?: string;
  /** The VPC link id, possibly `${stageVariables.x}`. */
  readonly connectionId?: string;
  /** The IAM role API Gateway assumes to call the backend, when the integration has one. */
  readonly credentials?: string;
  /** REST only; undefined when not read. */
  readonly responses?: readonly IntegrationResponseFacts[];
  /**
   * The integration timeout (REST `timeoutInMillis`, HTTP API `TimeoutInMillis`): 50 ms to 29 s for REST (up to 300 s
   * after a quota increase), 50 ms to 30 s for HTTP APIs, where reaching it answers 503.
   */
  readonly timeoutMs?: number;
  /** REST private integrations through a VPC link V2: the load balancer ARN (`integrationTarget`). */
  readonly target?: string;
}

export interface VpcLinkFacts {
  readonly id: string;
  readonly name?: string;
  /** REST: AVAILABLE | PENDING | DELETING | FAILED; HTTP API: also INACTIVE. */
  readonly status?: string;
  readonly statusMessage?: string;
}

/** How a read ended: `found`, `missing` (the service said it does not exist) or `failed` (see the problems). */
export type ReadState = 'found' | 'missing' | 'failed';

export interface RouteFacts {
  readonly ref: RouteRef;
  /** `missing`: no resource (REST) or route (HTTP API) matches; `failed`: not read. */
  readonly state: ReadState;
  /** The resource template (REST) or the route key's path (HTTP API) that matched. */
  readonly resourcePath?: string;
  /** The method as defined: the logged one, or `ANY` when that is what serves it. */
  readonly method?: string;
  readonly resourceId?: string;
  readonly authorizerId?: string;
  /** The authorizer's URI (`arn:...:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations`), when read. */
  readonly authorizerUri?: string;
  /** Status codes of the method responses (REST), when read. */
  readonly methodResponses?: readonly string[];
  readonly integration?: IntegrationFacts;
  /** The VPC link the integration uses, when it uses one. */
  readonly vpcLink?: VpcLinkFacts & { readonly state: ReadState };
}

export interface FunctionFacts {
  readonly ref: FunctionRef;
  /** Of GetFunctionConfiguration. */
  readonly state: ReadState;
  readonly arn?: string;
  /** Epoch ms of LastModified. */
  readonly lastModified?: number;
  readonly version?: string;
  readonly timeoutSec?: number;
  readonly memoryMb?: number;
  /** `Active`, `Pending`, `Inactive`, `Failed`. */
  readonly functionState?: string;
  readonly alias?: { readonly name: string; readonly functionVersion?: string };
  /** Of GetPolicy: `missing` means the function (or alias) has no resource policy at all. Absent when not asked. */
  readonly policyState?: ReadState;
  /** The policy document as GetPolicy returned it (JSON text). */
  readonly policy?: string;
}

export interface StageFacts {
  readonly state: ReadState;
  readonly name: string;
  readonly deploymentId?: string;
  /** Epoch ms. */
  readonly lastUpdated?: number;
  readonly created?: number;
  /** Epoch ms the stage's current deployment was created. */
  readonly deploymentCreated?: number;
  readonly variables?: Readonly<Record<string, string>>;
}

/** What the reader found; failed reads leave a `failed` state and a line in `problems`. */
export interface ConfigurationFacts {
  readonly routes: readonly RouteFacts[];
  readonly functions: readonly FunctionFacts[];
  readonly stage?: StageFacts;
  readonly problems: readonly string[];
}

/** How long the reader may take. */
export interface ConfigurationReadLimits {
  /** Epoch ms by which every call must be over. */
  readonly deadlineMs: number;
  /**
   * The clock the deadline is measured with.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** The reader as the responder uses it (lambda/adapters/config-checks.ts); never throws for read problems. */
export interface ConfigurationReaderPort {
  read(plan: CheckPlan, limits: ConfigurationReadLimits): Promise<ConfigurationFacts>;
}
