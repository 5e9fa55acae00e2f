/**
 * The first invocation of the deployed bundle in a fresh Node.js process, for `npm run bench` section 3: import the
 * bundle, invoke its handler once with an ALARM event, and read back when each AWS SDK client was ready (the
 * handler's "AWS SDK clients loaded" log line) and how long the invocation waited for them.
 *
 * The AWS endpoint is a stand-in served by the benchmark's own process (not the child's, so its work is not
 * measured): DynamoDB and SNS accept, FilterLogEvents returns a small malformed-response incident, and every
 * API Gateway / Lambda configuration read answers 404. Each answer can be held back by a fixed delay, to model the
 * network time that the background SDK loads can overlap; with no delay there is nothing to overlap.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RuntimeConfig } from '../../lambda/config/runtime-config.js';
import { alarmActionEvent } from '../../test/e2e/responder-harness.js';
import { interleave, restTrace, type TimedLine } from '../incident.js';
import { localAwsEnv } from '../local-aws.js';

/** The six clients lambda/handler.ts loads, in the order the old static imports named them. */
export const SDK_CLIENTS = [
  '@aws-sdk/client-api-gateway',
  '@aws-sdk/client-apigatewayv2',
  '@aws-sdk/client-cloudwatch-logs',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-lambda',
  '@aws-sdk/client-sns',
] as const;

export interface ColdStartRun {
  /** Importing the six SDK clients before the bundle (the eager design only). */
  readonly preloadMs: number;
  readonly importMs: number;
  /** The first invocation, from the call to its return. */
  readonly handlerMs: number;
  /** Process start (performance.timeOrigin) to the handler's return. */
  readonly startToDoneMs: number;
  /** From the handler's start until each client was ready (its log line); empty when preloaded (ready at once). */
  readonly readyAfterMs: Readonly<Record<string, number>>;
  /** Time the invocation spent waiting for SDK clients: the part of their load that overlapped nothing. */
  readonly waitedMs: number;
  readonly outcome: string;
}

export interface FakeAws {
  readonly endpoint: string;
  delayMs: number;
  readonly calls: Map<string, number>;
  stop(): Promise<void>;
}

const API = {
  apiId: 'bench0cold',
  stage: 'prod',
  region: 'us-east-1',
  accountId: '123456789012',
  functionName: 'orders-get',
};
const ALARM = 'orders-api-prod-5xx';

/** A stand-in AWS endpoint answering what the responder's first invocation asks. */
export async function startFakeAws(now: number): Promise<FakeAws> {
  const route = { method: 'GET', resourcePath: '/orders/{id}', path: '/orders/7' };
  const lines: TimedLine[] = interleave(
    Array.from({ length: 8 }, (_, i) =>
      restTrace(i % 3 === 0 ? 'ok' : 'malformed', API, route, now - 300_000 + i * 1_000),
    ),
  );
  const events = lines.map((l, i) => ({
    logStreamName: 'stream-1',
    timestamp: l.timestamp,
    message: l.message,
    ingestionTime: l.timestamp,
    eventId: String(i),
  }));
  const calls = new Map<string, number>();
  const fake: FakeAws = { endpoint: '', delayMs: 0, calls, stop: async () => undefined };
  const answer = (res: ServerResponse, status: number, type: string, body: string, headers = {}) => {
    res.writeHead(status, { 'content-type': type, 'x-amzn-requestid': randomUUID(), ...headers });
    res.end(body);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const target = String(req.headers['x-amz-target'] ?? '');
      const call =
        target !== '' ? target : body.startsWith('Action=') ? body.split('&')[0] : `${req.method} ${req.url}`;
      calls.set(call ?? '', (calls.get(call ?? '') ?? 0) + 1);
      setTimeout(() => {
        if (target.startsWith('DynamoDB_20120810.')) return answer(res, 200, 'application/x-amz-json-1.0', '{}');
        if (target === 'Logs_20140328.FilterLogEvents') {
          const filter = String((JSON.parse(body) as { filterPattern?: string }).filterPattern ?? '');
          const counting = filter.includes('Method completed with status: 5');
          const page = counting ? events.filter((e) => e.message.includes('Method completed with status: 5')) : events;
          return answer(
            res,
            200,
            'application/x-amz-json-1.1',
            JSON.stringify({ events: page, searchedLogStreams: [] }),
          );
        }
        if (body.startsWith('Action=Publish')) {
          return answer(
            res,
            200,
            'text/xml',
            `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
          );
        }
        // API Gateway and Lambda configuration reads: nothing there (the checks report them as missing).
        return answer(res, 404, 'application/json', '{"message":"not found"}', {
          'x-amzn-errortype': req.url?.startsWith('/2015-03-31/') ? 'ResourceNotFoundException' : 'NotFoundException',
        });
      }, fake.delayMs);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  });
}

/** The child: optionally import the SDK clients (eager design), import the bundle, invoke the handler once. */
const PROBE = `
const [url, eventJson, preload] = process.argv.slice(1);
const t0 = performance.now();
if (preload === 'eager') await Promise.all(${JSON.stringify(SDK_CLIENTS)}.map((m) => import(m)));
const preloadMs = performance.now() - t0;
const t1 = performance.now();
const mod = await import(url);
const importMs = performance.now() - t1;
const lines = [];
console.log = (line) => lines.push(String(line));
console.error = (line) => lines.push(String(line));
const t2 = performance.now();
const outcome = await mod.handler(JSON.parse(eventJson), { getRemainingTimeInMillis: () => 60000 });
const handlerMs = performance.now() - t2;
const startToDoneMs = performance.now();
const sdk = lines.map((l) => { try { return JSON.parse(l); } catch { return {}; } })
  .find((l) => String(l.message).startsWith('AWS SDK clients loaded'));
process.stdout.write(JSON.stringify({ preloadMs, importMs, handlerMs, startToDoneMs,
  readyAfterMs: sdk?.readyAfterMs ?? {}, waitedMs: sdk?.waitedMs ?? 0, outcome: outcome.kind }));
`;

/** Runs one fresh process against the stand-in endpoint; rejects if it fails. */
export function coldStart(
  bundleUrl: string,
  cwd: string,
  fake: FakeAws,
  now: number,
  eager: boolean,
): Promise<ColdStartRun> {
  const config: RuntimeConfig = {
    apis: [{ type: 'REST', name: 'orders-api', id: API.apiId, stage: API.stage, alarmName: ALARM }],
    timeBudgetMs: 15_000,
    windowMarginMs: 60_000,
    maxPages: 10,
    maxEvents: 10_000,
  };
  const event = alarmActionEvent({
    alarmName: ALARM,
    apiName: 'orders-api',
    stage: API.stage,
    state: 'ALARM',
    at: now - 30_000,
    evaluationStart: now - 310_000,
  });
  const env = {
    PATH: process.env.PATH ?? '',
    ...localAwsEnv(fake.endpoint),
    RESPONDER_CONFIG: JSON.stringify(config),
    TOPIC_ARN: `arn:aws:sns:us-east-1:${API.accountId}:bench`,
    LEDGER_TABLE: 'bench-ledger',
    // As deployed (lib/responder.ts): source maps on.
    NODE_OPTIONS: '--enable-source-maps',
    AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: '1',
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', PROBE, bundleUrl, JSON.stringify(event), eager ? 'eager' : 'lazy'],
      { cwd, env },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString('utf8');
    });
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`cold-start probe exited ${code}: ${err.slice(-600)}`));
      resolvePromise(JSON.parse(out) as ColdStartRun);
    });
  });
}
