/**
 * The responder end to end against the local AWS endpoint (moto server): the generated ERROR-level incident is
 * written into a log group, the alarm event goes through `respond` (lambda/respond/respond.ts) composed exactly as
 * lambda/handler.ts composes it (CloudWatchLogsReader on a CloudWatchLogsClient with maxAttempts 1, SnsPublisher),
 * but on clients this benchmark builds, so that every AWS API call, its time and its bytes can be counted with an
 * SDK middleware. The topic has an SQS queue subscribed, as in test/e2e/responder.e2e.test.ts.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient } from '@aws-sdk/client-sns';
import { CloudWatchLogsReader, type LogReadLimits, type LogReadRequest } from '../../lambda/adapters/log-reader.js';
import { SnsPublisher } from '../../lambda/adapters/publisher.js';
import type { RuntimeApiConfig, RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { type RespondDeps, respond } from '../../lambda/respond/respond.js';
import { alarmActionEvent, LocalAwsHarness } from '../../test/e2e/responder-harness.js';
import { clientConfig } from '../local-aws.js';
import { CorpusGenerator, type CorpusTruth, shareDeviation, truthMismatches } from './corpus.js';

export interface CallStats {
  calls: Record<string, number>;
  /** Milliseconds spent in each command (SDK send to parsed output: client, network and server). */
  callMs: Record<string, number>;
  /** Response bytes on the wire (Content-Length) per command. */
  responseBytes: Record<string, number>;
}

function newStats(): CallStats {
  return { calls: {}, callMs: {}, responseBytes: {} };
}

type Stack = {
  add: (
    mw: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => unknown,
    options: { step: 'initialize' | 'deserialize'; name: string },
  ) => void;
};

/** Counts calls, time and response bytes per command on a client. `stats()` reads the current counters. */
function instrument(client: { middlewareStack: unknown }, holder: { stats: CallStats }): void {
  const stack = client.middlewareStack as Stack;
  stack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      const stats = holder.stats;
      stats.calls[name] = (stats.calls[name] ?? 0) + 1;
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        stats.callMs[name] = (stats.callMs[name] ?? 0) + performance.now() - started;
      }
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
  stack.add(
    (next, context) => async (args) => {
      const result = (await next(args)) as { response?: { headers?: Record<string, string> } };
      const length = Number(result.response?.headers?.['content-length'] ?? 0);
      const name = context.commandName ?? 'unknown';
      holder.stats.responseBytes[name] =
        (holder.stats.responseBytes[name] ?? 0) + (Number.isFinite(length) ? length : 0);
      return result;
    },
    { step: 'deserialize', name: 'benchByteCounter' },
  );
}

export interface IncidentCase {
  readonly label: string;
  readonly failed: number;
  readonly api: RuntimeApiConfig;
  readonly truth: CorpusTruth;
  readonly alarmAt: number;
  readonly evaluationStart: number;
  /** Time to write the lines into the local endpoint (setup, not measured as the handler's). */
  readonly writeMs: number;
}

export interface HandlerRun {
  readonly wallMs: number;
  readonly readMs: number;
  readonly publishMs: number;
  /** Wall time minus the log reads and the publish: diagnosis, rendering and orchestration in the function. */
  readonly computeMs: number;
  readonly calls: Record<string, number>;
  readonly pages: number;
  readonly events: number;
  /** Characters of the messages read (ASCII here, so bytes), as the reader counts them. */
  readonly messageBytes: number;
  /** FilterLogEvents response bytes on the wire (JSON, with timestamps, stream names and event ids). */
  readonly wireBytes: number;
  readonly stoppedBy: string;
  readonly diagnosedFailed: number;
  readonly causes: Record<string, number>;
  /** Differences from the generated truth (exact counts); empty when the diagnosis matched exactly. */
  readonly mismatches: readonly string[];
  /** Largest gap between a cause's share of the diagnosed failures and its share in the truth, percentage points. */
  readonly shareDeviationPp: number;
  /** What the diagnosis says about sampling, when the responder sampled a huge incident. */
  readonly sampling?: {
    readonly totalFailed: number;
    readonly exact: boolean;
    readonly slices?: number;
    readonly stride?: number;
  };
}

/** The local endpoint, a topic with a queue, and the clients the responder uses, instrumented. */
export class HandlerBench {
  private readonly harness: LocalAwsHarness;
  private readonly holder = { stats: newStats() };
  private readonly reader: CloudWatchLogsReader;
  private publisher: SnsPublisher | undefined;
  private queueUrl = '';
  private readonly cases: IncidentCase[] = [];

  constructor(readonly endpoint: string) {
    this.harness = new LocalAwsHarness(endpoint);
    const logs = new CloudWatchLogsClient({ ...clientConfig(endpoint), maxAttempts: 1 });
    instrument(logs, this.holder);
    this.reader = new CloudWatchLogsReader(logs);
  }

  async setUp(): Promise<void> {
    const topic = await this.harness.topicWithQueue(`bench-${Date.now().toString(36)}`);
    this.queueUrl = topic.queueUrl;
    const sns = new SNSClient(clientConfig(this.endpoint));
    instrument(sns, this.holder);
    this.publisher = new SnsPublisher(sns, topic.topicArn);
  }

  /** Generates an ERROR-level incident of `failed` failed requests and writes it into its own log group. */
  async addIncident(label: string, failed: number, seed: number): Promise<IncidentCase> {
    const apiId = `bh${label.replace(/[^a-z0-9]/g, '')}${seed.toString(36)}`.padEnd(10, '0').slice(0, 10);
    const now = Date.now();
    // About 2.3 lines per failed request, one line per millisecond: the incident fits well inside the window.
    const span = Math.ceil(failed * 2.5);
    const generator = new CorpusGenerator({
      seed,
      targetFailures: failed,
      level: 'ERROR',
      failureRate: 1,
      startMs: now - span - 5 * 60_000,
      msPerLine: 1,
      api: { apiId, stage: 'prod', region: 'us-east-1', accountId: '123456789012' },
    });
    const lines: { message: string; timestamp: number }[] = [];
    for (;;) {
      const chunk = generator.nextChunk();
      if (chunk.length === 0) break;
      for (const e of chunk) lines.push({ message: e.message, timestamp: e.timestamp ?? 0 });
    }
    const truth = generator.truth;
    const started = performance.now();
    await this.harness.writeLogGroup(generator.logGroupName, lines, 6);
    const writeMs = performance.now() - started;
    const incident: IncidentCase = {
      label,
      failed,
      api: { type: 'REST', name: `bench-${label}`, id: apiId, stage: 'prod', alarmName: `bench-${label}-prod-5xx` },
      truth,
      alarmAt: (truth.lastTimestamp ?? now) + 1_000,
      evaluationStart: truth.firstTimestamp ?? now,
      writeMs,
    };
    this.cases.push(incident);
    return incident;
  }

  /** One alarm through `respond` with the given read limits; the published message is drained from the queue. */
  async run(incident: IncidentCase, limits: Pick<RuntimeConfig, 'maxPages' | 'maxEvents' | 'timeBudgetMs'>) {
    const publisher = this.publisher;
    if (publisher === undefined) throw new Error('setUp() first');
    const config: RuntimeConfig = { apis: this.cases.map((c) => c.api), windowMarginMs: 60_000, ...limits };
    const reads: { pages: number; events: number; bytes: number; stoppedBy: string }[] = [];
    let readMs = 0;
    let publishMs = 0;
    const deps: RespondDeps = {
      config,
      now: Date.now,
      log: () => {},
      reader: {
        read: async (request: LogReadRequest, readLimits: LogReadLimits) => {
          const started = performance.now();
          const result = await this.reader.read(request, readLimits);
          readMs += performance.now() - started;
          reads.push({
            pages: result.pages,
            events: result.events.length,
            bytes: result.bytes,
            stoppedBy: result.stoppedBy,
          });
          return result;
        },
      },
      publisher: {
        publish: async (notification) => {
          const started = performance.now();
          const out = await publisher.publish(notification);
          publishMs += performance.now() - started;
          return out;
        },
      },
    };
    const event = alarmActionEvent({
      alarmName: incident.api.alarmName ?? '',
      apiName: incident.api.name ?? '',
      stage: 'prod',
      state: 'ALARM',
      at: incident.alarmAt,
      evaluationStart: incident.evaluationStart,
    });
    this.holder.stats = newStats();
    const started = performance.now();
    const outcome = await respond(event, deps);
    const wallMs = performance.now() - started;
    const stats = this.holder.stats;
    await this.harness.drain(this.queueUrl);
    if (outcome.kind !== 'published' || outcome.diagnosis === undefined)
      throw new Error(`the responder did not publish a diagnosis for ${incident.label}`);
    const diagnosis = outcome.diagnosis;
    const causes = Object.fromEntries(diagnosis.causes.map((c) => [c.cause, c.count]));
    // Read loosely: the sampling summary is newer than some versions of Diagnosis.
    const sampling = (diagnosis as { sampling?: HandlerRun['sampling'] }).sampling;
    const run: HandlerRun = {
      wallMs,
      readMs,
      publishMs,
      computeMs: wallMs - readMs - publishMs,
      calls: { ...stats.calls },
      pages: reads.reduce((s, r) => s + r.pages, 0),
      events: reads.reduce((s, r) => s + r.events, 0),
      messageBytes: reads.reduce((s, r) => s + r.bytes, 0),
      wireBytes: stats.responseBytes.FilterLogEventsCommand ?? 0,
      stoppedBy: reads.map((r) => r.stoppedBy).join(','),
      diagnosedFailed: diagnosis.classifiedRequests,
      causes,
      mismatches: truthMismatches(incident.truth, diagnosis, { checkSucceeded: false }),
      shareDeviationPp: shareDeviation(incident.truth, causes),
      ...(sampling !== undefined ? { sampling } : {}),
    };
    return run;
  }
}
