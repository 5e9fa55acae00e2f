/**
 * Typed configuration of the responder, its defaults, and the validation that turns untyped input (CDK context,
 * a JSON config file, or construct props) into settings the construct can use, or one `ConfigError` that lists
 * every problem.
 */
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { RuntimeApiConfig, RuntimeConfig } from '../lambda/config/runtime-config.js';
import { type CentralSettings, checkCentral, type ResolvedCentralSettings } from './central.js';
import {
  checkNotificationSettings,
  NOTIFICATION_KEYS,
  type NotificationSettings,
  type ResolvedNotificationSettings,
} from './notifications.js';
import { isRecord, Problems, show } from './problems.js';

/**
 * Thrown when the configuration is invalid. The message lists every problem, one per line; `problems` holds them
 * for code that wants to show them differently.
 */
export class ConfigError extends Error {
  /** Each problem: what is wrong, the bad value, what is allowed and what to change. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: ErrorOptions) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(
      `Invalid apigw-5xx-responder configuration (${count}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      options,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

interface ApiCommonConfig {
  /** The 10-character API id (`a1b2c3d4e5`). */
  readonly id: string;
  /** The stage name (`prod`; HTTP APIs may use `$default`). */
  readonly stage: string;
  /**
   * Name of the CloudWatch Logs group the stage writes access logs to.
   *
   * @default - no access log is read
   */
  readonly accessLogGroup?: string;
  /**
   * Names of the backend Lambda functions behind the API; the responder reads `/aws/lambda/{name}` to show what the
   * backend said.
   *
   * @default - no backend function log is read
   */
  readonly functionNames?: readonly string[];
}

/** A REST API (API Gateway v1): alarm on `AWS/ApiGateway` `5XXError` with dimensions ApiName + Stage. */
export interface RestApiConfig extends ApiCommonConfig {
  /** `REST` for a REST API (API Gateway v1). */
  readonly type: 'REST';
  /**
   * The API's name: the `ApiName` dimension of its CloudWatch metrics.
   *
   * @default - looked up by `id` at deploy time (a custom resource calling GetRestApi)
   */
  readonly name?: string;
}

/** An HTTP API (API Gateway v2): alarm on `AWS/ApiGateway` `5xx` with dimensions ApiId + Stage. */
export interface HttpApiConfig extends ApiCommonConfig {
  /** `HTTP` for an HTTP API (API Gateway v2). */
  readonly type: 'HTTP';
  /**
   * A display name used in the alarm description.
   *
   * @default - the API id
   */
  readonly name?: string;
}

export type ApiConfig = RestApiConfig | HttpApiConfig;

/** When an alarm looks and how many breaching periods it needs. */
export interface AlarmTiming {
  /**
   * Length of one alarm period in seconds, a multiple of 60 (API Gateway publishes one-minute metrics).
   *
   * @default 60
   */
  readonly periodSec?: number;
  /**
   * Number of periods the alarm looks at.
   *
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /**
   * Number of breaching periods within `evaluationPeriods` that put the alarm into ALARM.
   *
   * @default - equal to `evaluationPeriods`
   */
  readonly datapointsToAlarm?: number;
}

/** Alarm when the number of 5xx responses in a period reaches `thresholdCount`. */
export interface CountThreshold {
  /**
   * Number of 5xx responses in one period that breaches the alarm.
   *
   * @default 5
   */
  readonly thresholdCount?: number;
  /** Not with `thresholdCount`: a count threshold has no error rate. */
  readonly errorRatePercent?: never;
  /** Not with `thresholdCount`: a count threshold has no request floor. */
  readonly minRequestCount?: never;
}

/** Alarm when the share of 5xx responses reaches `errorRatePercent`, once at least `minRequestCount` requests came. */
export interface RateThreshold {
  /** Not with `errorRatePercent`: a rate threshold has no count. */
  readonly thresholdCount?: never;
  /** Percentage of requests in one period answered with a 5xx that breaches the alarm (0 < x <= 100). */
  readonly errorRatePercent: number;
  /**
   * Fewest requests in a period before the rate counts; below it the period is not breaching, so two failures out
   * of three requests at night do not page anyone.
   *
   * @default 10
   */
  readonly minRequestCount?: number;
}

/** Alarm settings: a count threshold or an error-rate threshold (mutually exclusive), plus timing. */
export type AlarmSettings = AlarmTiming & (CountThreshold | RateThreshold);

/**
 * Everything a team configures about the responder. Every field except `apis` has a default. The notification
 * channels (`chatbot`, `slackWebhook`, `routes`) are described in lib/notifications.ts.
 */
export interface ResponderSettings extends NotificationSettings {
  /** The API stages to watch: one alarm each. */
  readonly apis: readonly ApiConfig[];
  /**
   * Email addresses subscribed to the diagnosis topic (each must confirm the subscription mail).
   *
   * @default - no email subscription; subscribe Slack (AWS Chatbot) or others to the topic yourself
   */
  readonly emails?: readonly string[];
  /**
   * When the alarms fire.
   *
   * @default - 5 or more 5xx responses in one 60-second period
   */
  readonly alarm?: AlarmSettings;
  /**
   * Timeout of the responder function in seconds (30 to 900).
   *
   * @default 60
   */
  readonly timeoutSec?: number;
  /**
   * Seconds the responder may spend reading logs before it summarises and publishes; must leave at least 10 s of
   * the timeout for publishing.
   *
   * @default - `timeoutSec` minus 15
   */
  readonly timeBudgetSec?: number;
  /**
   * Memory of the responder function in MB (128 to 10240).
   *
   * @default 512
   */
  readonly memorySizeMb?: number;
  /**
   * Retention of the responder's own log group in days (a value CloudWatch Logs accepts, e.g. 7, 30, 90, 365).
   *
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Reserved concurrent executions of the responder, so an alarm storm cannot starve other functions. The
   * responders' FilterLogEvents rate is bounded by `logReadsPerSecond` however many run, so this only decides how
   * many alarms are answered at once: an alarm beyond it waits for Lambda's retry of a throttled invocation, after a
   * backoff of Lambda's own. In the benchmark (BENCHMARKS.md, section 4) ten alarms at once were notified within
   * 60 s with 10 and with 5 in one run (45.5 s and 44.2 s), and after 49.6 s and 61.4 s in an earlier one; the
   * benchmark starts a waiting alarm as soon as a responder ends, which flatters 5.
   *
   * @default 10
   */
  readonly reservedConcurrency?: number;
  /**
   * Seconds added before and after the alarm's evaluation window when reading logs (0 to 3600).
   *
   * @default 60
   */
  readonly windowMarginSec?: number;
  /**
   * Most FilterLogEvents pages read per log group and alarm (1 to 1000).
   *
   * @default 20
   */
  readonly maxLogPages?: number;
  /**
   * Most log events kept per log group and alarm (1 to 100000).
   *
   * @default 10000
   */
  readonly maxLogEvents?: number;
  /**
   * FilterLogEvents calls per second that all the responder's invocations together may start (0.1 to 100). The
   * account's quota is 5 per second per Region by default, shared with everyone searching logs in the console
   * during the same incident: the responders coordinate through the ledger table to keep to this share and leave
   * the rest to people. AWS answers that this quota does not qualify for an increase
   * (https://repost.aws/knowledge-center/cloudwatch-logs-throttling): set more than 5 only if Service Quotas shows
   * a higher FilterLogEvents quota for your account.
   *
   * @default 3
   */
  readonly logReadsPerSecond?: number;
  /**
   * Prefix of the alarm names (`{prefix}-{apiId}-{stage}-5xx`).
   *
   * @default - a name unique to the construct's path in the app
   */
  readonly alarmNamePrefix?: string;
  /**
   * Find APIs the configuration does not list from their alarm's dimensions at run time (zero configuration):
   * grants read-only `apigateway:GET` on the account's APIs and `logs:FilterLogEvents` on every
   * `API-Gateway-Execution-Logs_*` group, plus the access log groups matching `accessLogGroups`.
   *
   * @default - off, unless `existingAlarms` is set (which turns it on)
   */
  readonly discovery?: DiscoverySettings;
  /**
   * Existing-alarms mode: the stack creates no alarm; an EventBridge rule sends the state changes of the account's
   * alarms on AWS/ApiGateway 5XXError or 5xx (optionally only those whose name starts with `alarmNamePrefix`) to
   * the responder. `apis` becomes optional (overrides only).
   *
   * @default - off: the stack creates one alarm per API in `apis`
   */
  readonly existingAlarms?: ExistingAlarmsSettings;
  /**
   * Central mode (many accounts): the responder also diagnoses the alarms member accounts forward to its event bus,
   * reading each member account through the read-only role the member stack creates there (lib/central.ts,
   * lib/member-stack.ts). Implies existing-alarms mode for the central account's own alarms.
   *
   * @default - off: the responder serves its own account
   */
  readonly central?: CentralSettings;
}

/** Zero-configuration discovery. */
export interface DiscoverySettings {
  /**
   * Access log group names (or patterns with `*`) the responder may read for APIs it finds at run time, e.g.
   * `/aws/apigateway/*`. Access logs can go anywhere, so nothing is granted unless listed.
   *
   * @default - none
   */
  readonly accessLogGroups?: readonly string[];
}

/** Existing-alarms mode. */
export interface ExistingAlarmsSettings {
  /**
   * Only alarms whose name starts with this prefix. (Tags cannot be matched: the alarm state change event does
   * not carry them.)
   *
   * @default - every alarm on AWS/ApiGateway 5XXError or 5xx in the account and Region
   */
  readonly alarmNamePrefix?: string;
}

/** The alarm threshold after defaults: a count, or a rate with its request floor. */
export type ResolvedThreshold =
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'rate'; readonly percent: number; readonly minRequestCount: number };

export interface ResolvedAlarmSettings {
  readonly threshold: ResolvedThreshold;
  readonly periodSec: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/** Settings with every default applied; produced only by `resolveResponderSettings`. */
export interface ResolvedResponderSettings {
  readonly apis: readonly ApiConfig[];
  readonly emails: readonly string[];
  readonly alarm: ResolvedAlarmSettings;
  readonly timeoutSec: number;
  readonly timeBudgetSec: number;
  readonly memorySizeMb: number;
  readonly logRetentionDays: number;
  readonly reservedConcurrency: number;
  readonly windowMarginSec: number;
  readonly maxLogPages: number;
  readonly maxLogEvents: number;
  readonly logReadsPerSecond: number;
  readonly alarmNamePrefix?: string;
  /** Zero-configuration discovery; absent when off. */
  readonly discovery?: { readonly accessLogGroups: readonly string[] };
  /** Existing-alarms mode; absent when the stack creates the alarms. */
  readonly existingAlarms?: { readonly alarmNamePrefix?: string };
  /** Central mode (many accounts); absent when the responder serves its own account. */
  readonly central?: ResolvedCentralSettings;
  /** Slack (chat service, webhook) and per-cause email routes; absent when none is configured. */
  readonly notifications?: ResolvedNotificationSettings;
}

/** The defaults, in one place (docs/deploying.md's "What the stack creates" comes from here). */
export const RESPONDER_DEFAULTS = {
  thresholdCount: 5,
  minRequestCount: 10,
  periodSec: 60,
  evaluationPeriods: 1,
  timeoutSec: 60,
  /** The time budget is the timeout minus this many seconds. */
  timeBudgetHeadroomSec: 15,
  memorySizeMb: 512,
  logRetentionDays: 30,
  reservedConcurrency: 10,
  windowMarginSec: 60,
  maxLogPages: 20,
  maxLogEvents: 10_000,
  /** 3 of the account's default 5 FilterLogEvents requests per second. */
  logReadsPerSecond: 3,
} as const;

/** Retention values CloudWatch Logs accepts (`PutRetentionPolicy`), in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Lambda allows 4 KB for all environment variables together; keep RESPONDER_CONFIG well inside it. */
export const MAX_RUNTIME_CONFIG_BYTES = 3500;

const API_ID = /^[a-z0-9]{10}$/;
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
// https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html (the plain name form)
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ALARM_NAME_PREFIX = /^[A-Za-z0-9._-]{1,100}$/;

const TOP_LEVEL_KEYS = [
  'apis',
  'emails',
  'alarm',
  'timeoutSec',
  'timeBudgetSec',
  'memorySizeMb',
  'logRetentionDays',
  'reservedConcurrency',
  'windowMarginSec',
  'maxLogPages',
  'maxLogEvents',
  'logReadsPerSecond',
  'alarmNamePrefix',
  'discovery',
  'existingAlarms',
  'central',
  ...NOTIFICATION_KEYS,
] as const;
const API_KEYS = ['type', 'name', 'id', 'stage', 'accessLogGroup', 'functionNames'] as const;
const ALARM_KEYS = [
  'thresholdCount',
  'errorRatePercent',
  'minRequestCount',
  'periodSec',
  'evaluationPeriods',
  'datapointsToAlarm',
] as const;

function checkApi(raw: unknown, path: string, problems: Problems): ApiConfig | undefined {
  if (!isRecord(raw)) {
    problems.add(
      path,
      'an object like {"type":"REST","name":"orders","id":"a1b2c3d4e5","stage":"prod"}',
      raw,
      'write the API as an object with type, id and stage (and name for REST APIs)',
    );
    return undefined;
  }
  problems.unknownKeys(path, raw, API_KEYS);
  const type = raw.type;
  if (type !== 'REST' && type !== 'HTTP') {
    problems.add(
      `${path}.type`,
      '"REST" or "HTTP"',
      type,
      'set it to "REST" for a REST API (API Gateway v1) or "HTTP" for an HTTP API (API Gateway v2)',
    );
  }
  const listCommand = type === 'HTTP' ? 'aws apigatewayv2 get-apis' : 'aws apigateway get-rest-apis';
  const id = raw.id;
  if (typeof id !== 'string' || !API_ID.test(id)) {
    problems.add(
      `${path}.id`,
      'a 10-character API Gateway id of lower-case letters and digits',
      id,
      `set it to the id shown by \`${listCommand}\``,
    );
  }
  const stage = raw.stage;
  const stageOk = typeof stage === 'string' && (STAGE_NAME.test(stage) || (type === 'HTTP' && stage === '$default'));
  if (!stageOk) {
    const stagesCommand =
      type === 'HTTP' ? 'aws apigatewayv2 get-stages --api-id <id>' : 'aws apigateway get-stages --rest-api-id <id>';
    problems.add(
      `${path}.stage`,
      `a stage name of 1 to 128 letters, digits, "-" or "_"${type === 'HTTP' ? ' (or "$default")' : ''}`,
      stage,
      `set it to a stage shown by \`${stagesCommand}\``,
    );
  }
  const name = raw.name;
  if (type === 'REST') {
    // Optional: left out, the stack looks it up at deploy time (GetRestApi by id) for the alarm's ApiName.
    if (name !== undefined && (typeof name !== 'string' || name.trim() === '' || name.length > 1024)) {
      problems.add(
        `${path}.name`,
        'the REST API name (the ApiName dimension of its 5XXError metric), 1 to 1024 characters, or nothing (looked up by id at deploy time)',
        name,
        `set it to the "name" shown by \`${listCommand}\` for id ${show(id)}`,
      );
    }
  } else if (name !== undefined && (typeof name !== 'string' || name.trim() === '' || name.length > 1024)) {
    problems.add(`${path}.name`, 'a display name of 1 to 1024 characters', name, 'set a short name or remove it');
  }
  const accessLogGroup = raw.accessLogGroup;
  if (accessLogGroup !== undefined && (typeof accessLogGroup !== 'string' || !LOG_GROUP_NAME.test(accessLogGroup))) {
    const isArn = typeof accessLogGroup === 'string' && accessLogGroup.startsWith('arn:');
    problems.add(
      `${path}.accessLogGroup`,
      'a CloudWatch Logs group name (1 to 512 of letters, digits and . - _ / #)',
      accessLogGroup,
      isArn
        ? 'give the log group name, not its ARN (the part after "log-group:")'
        : 'set it to the destination of the stage\'s access logging (`aws apigateway get-stage` shows "accessLogSettings") or remove it',
    );
  }
  const functionNames = raw.functionNames;
  if (functionNames !== undefined) {
    if (!Array.isArray(functionNames)) {
      problems.add(
        `${path}.functionNames`,
        'a list of Lambda function names',
        functionNames,
        'write it as ["fn-a", "fn-b"] or remove it',
      );
    } else {
      functionNames.forEach((fn: unknown, j: number) => {
        if (typeof fn !== 'string' || !FUNCTION_NAME.test(fn)) {
          const isArn = typeof fn === 'string' && fn.startsWith('arn:');
          problems.add(
            `${path}.functionNames[${j}]`,
            'a Lambda function name (1 to 64 letters, digits, "-" or "_")',
            fn,
            isArn
              ? 'give the function name, not its ARN'
              : 'set it to a name shown by `aws lambda list-functions` or remove it',
          );
        }
      });
    }
  }
  return raw as unknown as ApiConfig;
}

function checkApis(raw: unknown, problems: Problems, optional = false): ApiConfig[] {
  const example = '[{"type":"REST","name":"orders","id":"a1b2c3d4e5","stage":"prod"}]';
  if (optional && (raw === undefined || (Array.isArray(raw) && raw.length === 0))) return [];
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.add(
      'apis',
      'a non-empty list of API stages to watch',
      raw,
      `list them in the config file's "apis" or pass -c apis='${example}'`,
    );
    return [];
  }
  const apis: ApiConfig[] = [];
  const seen = new Map<string, number>();
  raw.forEach((item: unknown, i: number) => {
    const api = checkApi(item, `apis[${i}]`, problems);
    if (api === undefined) return;
    apis.push(api);
    const key = `${String(api.type)} ${String(api.id)} ${String(api.stage)}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.add(
        `apis[${i}]`,
        'a stage not listed before',
        `${api.id}/${api.stage}`,
        `remove it: apis[${first}] already watches the same API stage`,
      );
    } else {
      seen.set(key, i);
    }
  });
  return apis;
}

function checkEmails(raw: unknown, problems: Problems): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.add('emails', 'a list of email addresses', raw, 'write it as ["oncall@example.com"] or remove it');
    return [];
  }
  const emails: string[] = [];
  raw.forEach((email: unknown, i: number) => {
    if (typeof email !== 'string' || !EMAIL.test(email)) {
      problems.add(`emails[${i}]`, 'an email address', email, 'fix the address or remove it');
    } else if (emails.includes(email)) {
      problems.add(`emails[${i}]`, 'an address not listed before', email, 'remove the duplicate');
    } else {
      emails.push(email);
    }
  });
  return emails;
}

function checkAlarm(raw: unknown, problems: Problems): ResolvedAlarmSettings {
  const d = RESPONDER_DEFAULTS;
  const fallback: ResolvedAlarmSettings = {
    threshold: { kind: 'count', count: d.thresholdCount },
    periodSec: d.periodSec,
    evaluationPeriods: d.evaluationPeriods,
    datapointsToAlarm: d.evaluationPeriods,
  };
  if (raw === undefined) return fallback;
  if (!isRecord(raw)) {
    problems.add('alarm', 'an object like {"thresholdCount": 5}', raw, 'write the alarm settings as an object');
    return fallback;
  }
  problems.unknownKeys('alarm', raw, ALARM_KEYS);

  let threshold: ResolvedThreshold = fallback.threshold;
  const { thresholdCount, errorRatePercent, minRequestCount } = raw;
  if (thresholdCount !== undefined && errorRatePercent !== undefined) {
    problems.add(
      'alarm',
      'either thresholdCount or errorRatePercent, not both',
      { thresholdCount, errorRatePercent },
      'keep thresholdCount to alarm on a number of 5xx responses, or errorRatePercent to alarm on their share',
    );
  } else if (errorRatePercent !== undefined) {
    if (typeof errorRatePercent !== 'number' || !(errorRatePercent > 0 && errorRatePercent <= 100)) {
      problems.add(
        'alarm.errorRatePercent',
        'a percentage greater than 0 and at most 100',
        errorRatePercent,
        'set e.g. 5 to alarm when 5% of requests fail',
      );
    } else {
      const min = problems.integer(
        'alarm.minRequestCount',
        minRequestCount,
        1,
        1_000_000_000,
        d.minRequestCount,
        'set the fewest requests per period for the rate to count, e.g. 10',
      );
      threshold = { kind: 'rate', percent: errorRatePercent, minRequestCount: min };
    }
  } else {
    if (minRequestCount !== undefined) {
      problems.add(
        'alarm.minRequestCount',
        'used only with errorRatePercent',
        minRequestCount,
        'remove it, or set alarm.errorRatePercent to alarm on an error rate',
      );
    }
    const count = problems.integer(
      'alarm.thresholdCount',
      thresholdCount,
      1,
      1_000_000_000,
      d.thresholdCount,
      'set the number of 5xx responses per period that should alarm, e.g. 5',
    );
    threshold = { kind: 'count', count };
  }

  const periodSec = raw.periodSec;
  let period: number = d.periodSec;
  if (periodSec !== undefined) {
    if (typeof periodSec !== 'number' || !Number.isInteger(periodSec) || periodSec % 60 !== 0 || periodSec < 60) {
      problems.add(
        'alarm.periodSec',
        'a multiple of 60 seconds from 60 to 86400 (API Gateway publishes one-minute metrics)',
        periodSec,
        'set 60, 300 or another multiple of 60',
      );
    } else if (periodSec > 86_400) {
      problems.add('alarm.periodSec', 'at most 86400 (one day)', periodSec, 'set a shorter period');
    } else {
      period = periodSec;
    }
  }
  const evaluationPeriods = problems.integer(
    'alarm.evaluationPeriods',
    raw.evaluationPeriods,
    1,
    10_080,
    d.evaluationPeriods,
    'set how many periods the alarm evaluates, e.g. 1 or 3',
  );
  const datapointsToAlarm = problems.integer(
    'alarm.datapointsToAlarm',
    raw.datapointsToAlarm,
    1,
    evaluationPeriods,
    evaluationPeriods,
    `set a number from 1 to alarm.evaluationPeriods (${evaluationPeriods}) or remove it`,
  );
  // CloudWatch caps the evaluation range: one day, or seven days for periods of an hour or more.
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
  const maxRange = period >= 3600 ? 604_800 : 86_400;
  if (period * evaluationPeriods > maxRange) {
    problems.add(
      'alarm.periodSec x alarm.evaluationPeriods',
      `at most ${maxRange} seconds`,
      period * evaluationPeriods,
      'lower evaluationPeriods or periodSec',
    );
  }
  return { threshold, periodSec: period, evaluationPeriods, datapointsToAlarm };
}

/**
 * Validates untyped settings (context, a JSON file, or construct props) and applies the defaults.
 *
 * @throws ConfigError listing every problem found
 */
export function resolveResponderSettings(
  raw: unknown,
  earlierProblems: readonly string[] = [],
): ResolvedResponderSettings {
  const problems = new Problems();
  problems.list.push(...earlierProblems);
  const d = RESPONDER_DEFAULTS;
  if (!isRecord(raw)) {
    problems.add('the configuration', 'an object with at least "apis"', raw, 'see config.example.json');
    throw new ConfigError(problems.list);
  }
  problems.unknownKeys('', raw, TOP_LEVEL_KEYS);
  const central = checkCentral(raw.central, problems);
  // Central mode answers the central account's own API Gateway 5xx alarms too, as existing-alarms mode does.
  const existingAlarms = checkExistingAlarms(raw.existingAlarms, problems) ?? (central !== undefined ? {} : undefined);
  const discovery = checkDiscovery(raw.discovery, problems, existingAlarms !== undefined);
  const apis = checkApis(raw.apis, problems, existingAlarms !== undefined);
  const emails = checkEmails(raw.emails, problems);
  const alarm = checkAlarm(raw.alarm, problems);
  const timeoutSec = problems.integer(
    'timeoutSec',
    raw.timeoutSec,
    30,
    900,
    d.timeoutSec,
    'set the responder timeout in seconds, e.g. 60',
  );
  const defaultBudget = timeoutSec - d.timeBudgetHeadroomSec;
  const timeBudgetSec = problems.integer(
    'timeBudgetSec',
    raw.timeBudgetSec,
    5,
    timeoutSec - 10,
    defaultBudget,
    `leave at least 10 s of timeoutSec (${timeoutSec}) for publishing, e.g. ${defaultBudget}, or remove it`,
  );
  const memorySizeMb = problems.integer(
    'memorySizeMb',
    raw.memorySizeMb,
    128,
    10_240,
    d.memorySizeMb,
    'set the function memory in MB, e.g. 512',
  );
  let logRetentionDays: number = d.logRetentionDays;
  if (raw.logRetentionDays !== undefined) {
    if (!(LOG_RETENTION_DAYS as readonly unknown[]).includes(raw.logRetentionDays)) {
      problems.add(
        'logRetentionDays',
        `one of ${LOG_RETENTION_DAYS.join(', ')}`,
        raw.logRetentionDays,
        'pick the nearest value CloudWatch Logs accepts, e.g. 30',
      );
    } else {
      logRetentionDays = raw.logRetentionDays as number;
    }
  }
  const reservedConcurrency = problems.integer(
    'reservedConcurrency',
    raw.reservedConcurrency,
    1,
    1000,
    d.reservedConcurrency,
    'set how many alarms may be diagnosed at once, e.g. 10',
  );
  const windowMarginSec = problems.integer(
    'windowMarginSec',
    raw.windowMarginSec,
    0,
    3600,
    d.windowMarginSec,
    'set the seconds of log read before and after the alarm window, e.g. 60',
  );
  const maxLogPages = problems.integer(
    'maxLogPages',
    raw.maxLogPages,
    1,
    1000,
    d.maxLogPages,
    'set the most FilterLogEvents pages per log group, e.g. 20',
  );
  const maxLogEvents = problems.integer(
    'maxLogEvents',
    raw.maxLogEvents,
    1,
    100_000,
    d.maxLogEvents,
    'set the most log events kept per log group, e.g. 10000',
  );
  let logReadsPerSecond: number = d.logReadsPerSecond;
  if (raw.logReadsPerSecond !== undefined) {
    const value = raw.logReadsPerSecond;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0.1 || value > 100) {
      problems.add(
        'logReadsPerSecond',
        'a number from 0.1 to 100 (FilterLogEvents calls per second for all responders together)',
        value,
        `set a share of the account's FilterLogEvents quota (5 per second by default), e.g. ${d.logReadsPerSecond}, or remove it`,
      );
    } else {
      logReadsPerSecond = value;
    }
  }
  const alarmNamePrefix = raw.alarmNamePrefix;
  if (
    alarmNamePrefix !== undefined &&
    (typeof alarmNamePrefix !== 'string' || !ALARM_NAME_PREFIX.test(alarmNamePrefix))
  ) {
    problems.add(
      'alarmNamePrefix',
      '1 to 100 letters, digits, ".", "-" or "_"',
      alarmNamePrefix,
      'set a short prefix such as "orders-prod" or remove it',
    );
  }
  const notifications = checkNotificationSettings(raw, emails);
  problems.list.push(...notifications.problems);
  if (problems.list.length > 0) throw new ConfigError(problems.list);
  return {
    apis,
    emails,
    alarm,
    timeoutSec,
    timeBudgetSec,
    memorySizeMb,
    logRetentionDays,
    reservedConcurrency,
    windowMarginSec,
    maxLogPages,
    maxLogEvents,
    logReadsPerSecond,
    ...(typeof alarmNamePrefix === 'string' ? { alarmNamePrefix } : {}),
    ...(discovery !== undefined ? { discovery } : {}),
    ...(existingAlarms !== undefined ? { existingAlarms } : {}),
    ...(central !== undefined ? { central } : {}),
    ...(notifications.settings !== undefined ? { notifications: notifications.settings } : {}),
  };
}

/** `existingAlarms`: an object, with at most an alarm name prefix. */
function checkExistingAlarms(raw: unknown, problems: Problems): ResolvedResponderSettings['existingAlarms'] {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    problems.add(
      'existingAlarms',
      'an object such as {} or {"alarmNamePrefix":"orders-"}',
      raw,
      'use {} for every API Gateway 5xx alarm of the account',
    );
    return undefined;
  }
  problems.unknownKeys('existingAlarms', raw, ['alarmNamePrefix']);
  const prefix = raw.alarmNamePrefix;
  if (prefix !== undefined && (typeof prefix !== 'string' || !ALARM_NAME_PREFIX.test(prefix))) {
    problems.add(
      'existingAlarms.alarmNamePrefix',
      '1 to 100 letters, digits, ".", "-" or "_"',
      prefix,
      'set the prefix your 5xx alarm names share, or remove it',
    );
    return {};
  }
  return typeof prefix === 'string' ? { alarmNamePrefix: prefix } : {};
}

// Log group names, with `*` for any run of characters (IAM resource ARN wildcard).
const LOG_GROUP_PATTERN = /^[.\-_/#A-Za-z0-9*]{1,512}$/;

/** `discovery`: on when given (or in existing-alarms mode), with the access log groups it may read. */
function checkDiscovery(raw: unknown, problems: Problems, implied: boolean): ResolvedResponderSettings['discovery'] {
  if (raw === undefined) return implied ? { accessLogGroups: [] } : undefined;
  if (!isRecord(raw)) {
    problems.add(
      'discovery',
      'an object such as {} or {"accessLogGroups":["/aws/apigateway/*"]}',
      raw,
      'use {} to find unconfigured APIs from their alarms',
    );
    return undefined;
  }
  problems.unknownKeys('discovery', raw, ['accessLogGroups']);
  const groups = raw.accessLogGroups;
  if (groups === undefined) return { accessLogGroups: [] };
  if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string' || !LOG_GROUP_PATTERN.test(g) || g === '*')) {
    problems.add(
      'discovery.accessLogGroups',
      'a list of log group names or patterns with "*" (not "*" alone: that would be every log group)',
      groups,
      'e.g. ["/aws/apigateway/*"]',
    );
    return { accessLogGroups: [] };
  }
  return { accessLogGroups: [...new Set(groups as string[])] };
}

/** The REST execution log group API Gateway writes to when execution logging is on. */
export function executionLogGroupName(apiId: string, stage: string): string {
  return `API-Gateway-Execution-Logs_${apiId}/${stage}`;
}

/** The log group of a Lambda function. */
export function functionLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** Every log group the responder may read for one API stage, without duplicates. */
export function logGroupsOf(api: ApiConfig): string[] {
  const groups = [
    ...(api.type === 'REST' ? [executionLogGroupName(api.id, api.stage)] : []),
    ...(api.accessLogGroup !== undefined ? [api.accessLogGroup] : []),
    ...(api.functionNames ?? []).map(functionLogGroupName),
  ];
  return [...new Set(groups)];
}

/** Builds the handler's RuntimeConfig (env `RESPONDER_CONFIG`) from resolved settings and the alarm names. */
export function toRuntimeConfig(
  settings: ResolvedResponderSettings,
  alarmNameOf: (api: ApiConfig) => string,
): RuntimeConfig {
  const apis: RuntimeApiConfig[] = settings.apis.map((api) => ({
    type: api.type,
    ...(api.name !== undefined ? { name: api.name } : {}),
    id: api.id,
    stage: api.stage,
    ...(api.type === 'REST' ? { executionLogGroup: executionLogGroupName(api.id, api.stage) } : {}),
    ...(api.accessLogGroup !== undefined ? { accessLogGroup: api.accessLogGroup } : {}),
    ...(api.functionNames !== undefined && api.functionNames.length > 0
      ? { functionNames: [...api.functionNames] }
      : {}),
    alarmName: alarmNameOf(api),
  }));
  return {
    apis,
    timeBudgetMs: settings.timeBudgetSec * 1000,
    windowMarginMs: settings.windowMarginSec * 1000,
    maxPages: settings.maxLogPages,
    maxEvents: settings.maxLogEvents,
    logReadRate: { perSecond: settings.logReadsPerSecond, concurrency: settings.reservedConcurrency },
    ...(settings.discovery !== undefined && settings.discovery.accessLogGroups.length > 0
      ? { accessLogGroupPatterns: [...settings.discovery.accessLogGroups] }
      : {}),
  };
}

/** Reads context values; `Node` of a construct fits. */
export interface ContextReader {
  tryGetContext(key: string): unknown;
}

/** Context keys read by `loadResponderSettings`, besides `config` (the path of a JSON config file). */
export const CONTEXT_KEYS = {
  /** JSON list of APIs; replaces the file's `apis`. */
  apis: 'apis',
  /** JSON list or comma-separated email addresses; replaces the file's `emails`. */
  emails: 'emails',
  /** JSON object merged over the file's `alarm`. */
  alarm: 'alarm',
  /** Plain numbers that replace the file's value. */
  numbers: [
    'timeoutSec',
    'timeBudgetSec',
    'memorySizeMb',
    'logRetentionDays',
    'reservedConcurrency',
    'windowMarginSec',
    'maxLogPages',
    'maxLogEvents',
    'logReadsPerSecond',
  ],
  alarmNamePrefix: 'alarmNamePrefix',
  /** JSON objects that replace the file's `existingAlarms`, `discovery` and `central` (lib/zero-config.ts, lib/central.ts). */
  modes: ['existingAlarms', 'discovery', 'central'],
  /** JSON values that replace the file's (lib/notifications.ts). */
  notifications: NOTIFICATION_KEYS,
  config: 'config',
} as const;

/** `-c key=value` arrives as a string; cdk.json context may already be JSON. */
function parseJsonContext(key: string, value: unknown, problems: string[], example: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (error) {
    problems.push(
      `context \`${key}\` must be JSON, got ${show(value)} (${(error as Error).message}): pass e.g. -c ${key}='${example}'`,
    );
    return undefined;
  }
}

function parseNumberContext(key: string, value: unknown, problems: string[]): unknown {
  if (typeof value !== 'string') return value;
  const number = Number(value);
  if (value.trim() === '' || Number.isNaN(number)) {
    problems.push(`context \`${key}\` must be a number, got ${show(value)}: pass e.g. -c ${key}=60`);
    return undefined;
  }
  return number;
}

/**
 * Lays context `alarm` over the file's `alarm`, key by key, except the threshold: a context that names a threshold
 * mode (`thresholdCount`, or `errorRatePercent`) replaces the file's threshold, so `-c alarm='{"errorRatePercent":5}'`
 * switches a count-mode file to an error rate (and back) instead of failing as "both"; the period settings merge.
 */
function overrideAlarm(file: Record<string, unknown>, context: Record<string, unknown>): Record<string, unknown> {
  const base = { ...file };
  if (context.errorRatePercent !== undefined) delete base.thresholdCount;
  if (context.thresholdCount !== undefined) {
    delete base.errorRatePercent;
    delete base.minRequestCount;
  }
  return { ...base, ...context };
}

/**
 * Reads the settings from CDK context: the JSON file named by context `config` (relative to `baseDir`), with
 * context `apis`, `emails`, `alarm`, `alarmNamePrefix` and the numeric keys laid over it, and validates them.
 * Returns the settings as given (defaults are applied by the construct).
 *
 * @throws ConfigError listing every problem (unreadable file, bad JSON, invalid values)
 */
export function loadResponderSettings(context: ContextReader, baseDir: string = process.cwd()): ResponderSettings {
  const problems: string[] = [];
  let settings: Record<string, unknown> = {};
  const configPath = context.tryGetContext(CONTEXT_KEYS.config);
  if (configPath !== undefined) {
    if (typeof configPath !== 'string' || configPath.trim() === '') {
      problems.push(
        `context \`config\` must be the path of a JSON config file, got ${show(configPath)}: pass -c config=config.json`,
      );
    } else {
      const file = resolvePath(baseDir, configPath);
      let text: string | undefined;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        problems.push(
          `context \`config\` must name a readable file, got ${show(configPath)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message} at ${file}): copy config.example.json to ${configPath} or fix the path`,
        );
      }
      if (text !== undefined) {
        try {
          const parsed: unknown = JSON.parse(text);
          if (isRecord(parsed)) {
            settings = { ...parsed };
          } else {
            problems.push(
              `config file ${configPath} must hold a JSON object, got ${show(parsed)}: start from config.example.json`,
            );
          }
        } catch (error) {
          problems.push(
            `config file ${configPath} must be valid JSON, got a parse error (${(error as Error).message}): fix the syntax`,
          );
        }
      }
    }
  }

  const apis = context.tryGetContext(CONTEXT_KEYS.apis);
  if (apis !== undefined) {
    const example = '[{"type":"REST","name":"orders","id":"a1b2c3d4e5","stage":"prod"}]';
    const parsed = parseJsonContext('apis', apis, problems, example);
    if (parsed !== undefined) settings.apis = parsed;
  }
  const emails = context.tryGetContext(CONTEXT_KEYS.emails);
  if (emails !== undefined) {
    const parsed =
      typeof emails === 'string' && !emails.trim().startsWith('[')
        ? emails
            .split(',')
            .map((e) => e.trim())
            .filter((e) => e !== '')
        : parseJsonContext('emails', emails, problems, '["oncall@example.com"]');
    if (parsed !== undefined) settings.emails = parsed;
  }
  const alarm = context.tryGetContext(CONTEXT_KEYS.alarm);
  if (alarm !== undefined) {
    const parsed = parseJsonContext('alarm', alarm, problems, '{"errorRatePercent":5,"minRequestCount":20}');
    if (parsed !== undefined) {
      settings.alarm = isRecord(settings.alarm) && isRecord(parsed) ? overrideAlarm(settings.alarm, parsed) : parsed;
    }
  }
  for (const key of CONTEXT_KEYS.numbers) {
    const value = context.tryGetContext(key);
    const parsed = value === undefined ? undefined : parseNumberContext(key, value, problems);
    if (parsed !== undefined) settings[key] = parsed;
  }
  const prefix = context.tryGetContext(CONTEXT_KEYS.alarmNamePrefix);
  if (prefix !== undefined) settings.alarmNamePrefix = prefix;
  const modeExamples: Record<(typeof CONTEXT_KEYS.modes)[number], string> = {
    existingAlarms: '{"alarmNamePrefix":"prod-"}',
    discovery: '{"accessLogGroups":["/aws/apigateway/*"]}',
    central: '{"memberAccounts":["111122223333"],"externalId":"..."}',
  };
  for (const key of CONTEXT_KEYS.modes) {
    const value = context.tryGetContext(key);
    const parsed = value === undefined ? undefined : parseJsonContext(key, value, problems, modeExamples[key]);
    if (parsed !== undefined) settings[key] = parsed;
  }
  const notificationExamples: Record<(typeof NOTIFICATION_KEYS)[number], string> = {
    chatbot: '{"slackWorkspaceId":"T07ABCDEF12","slackChannelId":"C07ABCDEF12"}',
    slackWebhook: '{"webhookSecretArn":"arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf"}',
    routes: '[{"causes":["lambda_permission"],"emails":["platform@example.com"]}]',
  };
  for (const key of CONTEXT_KEYS.notifications) {
    const value = context.tryGetContext(key);
    const parsed = value === undefined ? undefined : parseJsonContext(key, value, problems, notificationExamples[key]);
    if (parsed !== undefined) settings[key] = parsed;
  }

  resolveResponderSettings(settings, problems);
  // Validated just above: every field has the type ResponderSettings declares.
  return settings as unknown as ResponderSettings;
}
