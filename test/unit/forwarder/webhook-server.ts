/**
 * A real HTTP server on loopback (ephemeral port) standing in for Slack's incoming webhook: it answers with the
 * scripted responses in order (the last one repeats) and records every request it receives.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** @default 'ok' for 2xx, '' otherwise */
  readonly body?: string;
  /** Never answer (the client's timeout must end the request). */
  readonly hang?: boolean;
}

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface WebhookServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly received: ReceivedRequest[];
  /** Replaces the scripted responses. */
  script(...responses: ScriptedResponse[]): void;
  close(): Promise<void>;
}

export async function startWebhookServer(): Promise<WebhookServer> {
  const received: ReceivedRequest[] = [];
  let responses: ScriptedResponse[] = [{ status: 200 }];
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const next = responses.length > 1 ? (responses.shift() as ScriptedResponse) : (responses[0] as ScriptedResponse);
      if (next.hang === true) {
        hanging.push(res);
        return;
      }
      res.writeHead(next.status, { 'content-type': 'text/plain', ...next.headers });
      res.end(next.body ?? (next.status >= 200 && next.status < 300 ? 'ok' : ''));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    script(...next: ScriptedResponse[]) {
      responses = next.length > 0 ? next : [{ status: 200 }];
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A clock that moves only when the code under test sleeps; records every sleep. */
export function fakeTime(start = Date.UTC(2026, 10, 25, 16, 50)) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance(ms: number) {
      now += ms;
    },
    sleeps,
  };
}
