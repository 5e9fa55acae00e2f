/**
 * A local stand-in for AWS's request quotas and network time, in front of the local AWS endpoint (moto server), for
 * the alarm-storm benchmark and the quota test.
 *
 * - Every call is answered `latencyMs` later than moto answers it: a modelled round trip of an AWS API call from a
 *   Lambda function in the same Region (an assumption, stated in BENCHMARKS.md; moto itself answers in about a
 *   millisecond for small requests).
 * - FilterLogEvents (JSON protocol, `X-Amz-Target: Logs_20140328.FilterLogEvents`) is throttled for the whole
 *   "account" (every client of the proxy) with a token bucket of `filterLogEventsPerSecond` tokens per second and
 *   `burst` tokens at most, the default quota of 5 requests per second per account and Region
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits.html). A throttled call is answered
 *   the way CloudWatch Logs answers it: HTTP 400, `Content-Type: application/x-amz-json-1.1`, body
 *   `{"__type":"ThrottlingException","message":"Rate exceeded"}` (as reported verbatim in
 *   https://github.com/maxbanton/cwh/issues/120 and, with its headers, content-length 58 and this content type, in
 *   https://github.com/aws-robotics/cloudwatchlogs-ros1/issues/21). AWS does not publish its bucket's burst size;
 *   one second's worth is assumed.
 * - Every FilterLogEvents call is recorded with its arrival time and whether it was let through, so a test or the
 *   benchmark can measure the rate the responders used over any window.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface QuotaProxyOptions {
  /** `http://127.0.0.1:PORT` of the moto server. */
  readonly target: string;
  /**
   * Time added to every answer, in ms.
   * @default 100
   */
  readonly latencyMs?: number;
  /**
   * FilterLogEvents requests per second for the whole account.
   * @default 5
   */
  readonly filterLogEventsPerSecond?: number;
  /**
   * Most tokens the bucket holds (calls that may arrive at once after a quiet spell).
   * @default - one second's worth (`filterLogEventsPerSecond`)
   */
  readonly burst?: number;
}

export interface QuotaCall {
  /** Arrival at the proxy, epoch ms (performance.timeOrigin + now(), sub-millisecond). */
  readonly at: number;
  readonly throttled: boolean;
}

export interface QuotaProxy {
  readonly endpoint: string;
  /** Every FilterLogEvents call so far, in arrival order. */
  readonly calls: QuotaCall[];
  /** Calls answered so far by operation (`FilterLogEvents`, `PutItem`, ...). */
  readonly operations: Map<string, number>;
  /** Forgets the calls recorded so far (between benchmark scenarios). */
  reset(): void;
  stop(): Promise<void>;
}

/** The body CloudWatch Logs answers a throttled call with (see the module comment). */
export const THROTTLING_BODY = '{"__type":"ThrottlingException","message":"Rate exceeded"}';

const clock = () => performance.timeOrigin + performance.now();

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const delay = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Starts the proxy on a free loopback port. */
export async function startQuotaProxy(options: QuotaProxyOptions): Promise<QuotaProxy> {
  const latencyMs = options.latencyMs ?? 100;
  const rate = options.filterLogEventsPerSecond ?? 5;
  const burst = options.burst ?? rate;
  const target = new URL(options.target);
  const calls: QuotaCall[] = [];
  const operations = new Map<string, number>();
  let tokens = burst;
  let refilledAt = clock();

  const takeToken = (now: number): boolean => {
    tokens = Math.min(burst, tokens + ((now - refilledAt) * rate) / 1000);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const server: Server = createServer((req, res) => {
    const arrived = clock();
    const amzTarget = String(req.headers['x-amz-target'] ?? '');
    const operation = amzTarget.includes('.') ? amzTarget.slice(amzTarget.lastIndexOf('.') + 1) : 'other';
    operations.set(operation, (operations.get(operation) ?? 0) + 1);
    const throttled = operation === 'FilterLogEvents' && !takeToken(arrived);
    if (operation === 'FilterLogEvents') calls.push({ at: arrived, throttled });
    void (async () => {
      const body = await readBody(req);
      if (throttled) {
        await delay(latencyMs);
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.1',
          'content-length': Buffer.byteLength(THROTTLING_BODY),
          'x-amzn-requestid': randomUUID(),
        });
        res.end(THROTTLING_BODY);
        return;
      }
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            void delay(latencyMs).then(() => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(Buffer.concat(chunks));
            });
          });
        },
      );
      upstream.on('error', (error) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`quota proxy: ${error.message}`);
      });
      upstream.end(body);
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`quota proxy: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    operations,
    reset: () => {
      calls.length = 0;
      operations.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Most calls whose arrival falls in any window `[t, t + windowMs)`. */
export function maxInWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while ((sorted[last] ?? 0) - (sorted[first] ?? 0) >= windowMs) first++;
    best = Math.max(best, last - first + 1);
  }
  return best;
}
