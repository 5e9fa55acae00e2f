/**
 * Evidence beyond the logs for one alarm: discover the API (logging settings, functions), then read its metrics (one
 * GetMetricData call) and its recent changes (CloudTrail) side by side, and judge them with the log causes. The only
 * composition the responder needs; it never throws, so this evidence can never cost the notification.
 */
import type { ApiDiscoveryPort } from '../adapters/api-discovery.js';
import type { TrailReaderPort } from '../adapters/cloudtrail-reader.js';
import type { MetricsReaderPort } from '../adapters/metrics-reader.js';
import { planMetrics } from './metrics-evidence.js';
import type { ApiDiscovery, Signals, TrailReading } from './signal-types.js';
import { judgeSignals, type LogCauseRef, type SignalsInput, TRAIL_LOOKBACK_MS } from './signals.js';

export interface SignalPorts {
  /**
   * Makes the readers ready (loads their SDK clients) before the time budget starts: loading code is not reading.
   * @default - nothing to prepare
   */
  readonly prepare?: () => Promise<unknown>;
  readonly discovery?: ApiDiscoveryPort;
  readonly metrics?: MetricsReaderPort;
  readonly trail?: TrailReaderPort;
}

export interface GatherInput {
  readonly api: SignalsInput['api'] & { readonly name?: string };
  readonly causes: readonly LogCauseRef[];
  readonly firstSeen?: number;
  readonly window: { readonly start: number; readonly end: number };
  /** The window's execution log had lines. */
  readonly executionLogSeen?: boolean;
  /** The API's configured functionNames: read in full; others found behind the API get metrics only. */
  readonly readableFunctions?: readonly string[];
  /** Epoch ms by which every read must be over. */
  readonly deadlineMs: number;
  readonly now: () => number;
}

/** Reads through the ports and judges; every failure becomes a problem line. */
export async function gatherSignals(ports: SignalPorts, input: GatherInput): Promise<Signals> {
  const problems: string[] = [];
  const guard = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      problems.push(
        `${what} failed (${error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : String(error)}); the diagnosis goes on without it.`,
      );
      return undefined;
    }
  };
  const { api } = input;
  const discovery: ApiDiscovery | undefined =
    ports.discovery !== undefined
      ? await guard('Discovering the API', () =>
          (ports.discovery as ApiDiscoveryPort).discover({
            api: { type: api.type, apiId: api.apiId, stage: api.stage },
            ...(api.region !== undefined ? { region: api.region } : {}),
            ...(api.accountId !== undefined ? { accountId: api.accountId } : {}),
            ...(input.readableFunctions !== undefined ? { readableFunctions: input.readableFunctions } : {}),
            // Discovery leads: metrics and CloudTrail need its functions. It gets half of what is left.
            deadlineMs: input.now() + Math.max(0, Math.floor((input.deadlineMs - input.now()) / 2)),
            now: input.now,
          }),
        )
      : undefined;
  const logged = input.causes.flatMap((c) => [...c.functions, ...c.authorizerFunctions]);
  const found = discovery?.functions.map((f) => f.name) ?? [];
  const functions = [...new Set([...logged, ...found, ...(input.readableFunctions ?? [])])];
  const plan = planMetrics(
    {
      api: {
        type: api.type,
        ...(api.name !== undefined ? { name: api.name } : {}),
        apiId: api.apiId,
        stage: api.stage,
      },
      functions,
      ...(discovery?.logging?.detailedMetrics === true ? { routes: discovery.routes.slice(0, 10) } : {}),
    },
    input.window,
  );
  const firstFailure = input.firstSeen ?? input.window.start;
  // The most implicated first: the logs' functions, then the API's, the configured ones, then the API itself.
  const resources = functions;
  const [reading, trail] = await Promise.all([
    ports.metrics !== undefined
      ? guard('Reading metrics', () =>
          (ports.metrics as MetricsReaderPort).read(plan, { deadlineMs: input.deadlineMs, now: input.now }),
        )
      : undefined,
    ports.trail !== undefined
      ? guard('Reading CloudTrail', () =>
          (ports.trail as TrailReaderPort).read({
            resources: [...resources, api.apiId],
            apiId: api.apiId,
            startTime: firstFailure - TRAIL_LOOKBACK_MS,
            endTime: input.window.end,
            deadlineMs: input.deadlineMs,
            now: input.now,
          }),
        )
      : undefined,
  ]);
  try {
    return judgeSignals({
      api,
      causes: input.causes,
      ...(input.firstSeen !== undefined ? { firstSeen: input.firstSeen } : {}),
      window: input.window,
      ...(input.executionLogSeen === true ? { executionLogSeen: true } : {}),
      ...(discovery !== undefined ? { discovery } : {}),
      ...(reading !== undefined ? { metrics: { plan, reading } } : {}),
      ...(trail !== undefined ? { trail: trail as TrailReading } : {}),
      problems,
    });
  } catch (error) {
    return {
      verdicts: [],
      inferred: [],
      metrics: [],
      changes: [],
      problems: [
        ...problems,
        `Judging metrics, configuration and CloudTrail failed (${error instanceof Error ? error.message : String(error)}); the diagnosis is from the logs only.`,
      ],
    };
  }
}
