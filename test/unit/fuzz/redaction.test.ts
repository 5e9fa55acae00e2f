/**
 * Redaction holds end to end: a credential embedded in log text, wherever in a failing request's lines it sits,
 * never appears in the email text, the Slack text, the JSON or the subject. The shapes that once leaked are
 * generated too: quotes of any kind around a JSON-shaped secret, JSON escaped inside a JSON string
 * (`\"password\":\"...\"`, a proxy event's body), and a secret cut by the 2,000-character line cap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_KEPT_LINE_CHARS } from '../../../lambda/parse/log-event.js';
import { redact } from '../../../lambda/safety/redact.js';
import { anyText, type EmbeddedSecret, embeddedSecret, logEvents, runs } from './arbitraries.js';
import { expectNoSecret } from './invariants.js';
import { diagnoseAndRender, type Renderings } from './pipeline.js';

const LAMBDA_REQUEST_ID = '591db018-2c8a-41f7-bfeb-f3c5a21bcd46';
const FUNCTION_URI =
  'https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders-get/invocations';

/** A failing request whose lines carry `text` where the renderers show it as evidence, route or error. */
type Carrier = (text: string, id: string) => string[];

/** Carriers that keep the text as written (quotes included). */
const PLAIN_CARRIERS: ReadonlyArray<readonly [string, Carrier]> = [
  [
    'malformed-response verdict',
    (t, id) => [
      `(${id}) Execution failed due to configuration error: Malformed Lambda proxy response ${t}`,
      `(${id}) Method completed with status: 502`,
    ],
  ],
  [
    'function response body',
    (t, id) => [
      `(${id}) Endpoint request URI: ${FUNCTION_URI}`,
      `(${id}) Endpoint response body before transformations: ${t}`,
      `(${id}) Execution failed due to configuration error: Malformed Lambda proxy response`,
      `(${id}) Method completed with status: 502`,
    ],
  ],
  [
    'customer function error',
    (t, id) => [
      `(${id}) Lambda execution failed with status 200 due to customer function error: ${t}. Lambda request id: ${LAMBDA_REQUEST_ID}`,
      `(${id}) Method completed with status: 502`,
    ],
  ],
  ['unexplained execution line', (t, id) => [`(${id}) ${t}`, `(${id}) Method completed with status: 500`]],
  [
    'permission failure with header maps',
    (t, id) => [
      `(${id}) Endpoint request headers: {x-amzn-apigateway-api-id=a1b2c3d4e5, ${t}, Accept=*/*}`,
      `(${id}) Execution failed due to configuration error: Invalid permissions on Lambda function ${t}`,
      `(${id}) Method completed with status: 500`,
    ],
  ],
  [
    'Python function error in its own log',
    (t, id) => [
      `(${id}) Lambda execution failed with status 200 due to customer function error: boom. Lambda request id: ${LAMBDA_REQUEST_ID}`,
      `(${id}) Method completed with status: 502`,
      `[ERROR] ValueError: ${t}`,
    ],
  ],
];

/** Carriers that put the text inside a JSON string: quotes in it arrive escaped (`\"password\":\"...\"`). */
const JSON_CARRIERS: ReadonlyArray<readonly [string, Carrier]> = [
  [
    'access log error message',
    (t, id) => [JSON.stringify({ requestId: id, status: '502', integrationErrorMessage: t, errorMessage: t })],
  ],
  [
    'Node.js function error in its own log',
    (t, id) => [
      `(${id}) Endpoint response headers: {x-amzn-RequestId=${LAMBDA_REQUEST_ID}, X-Amz-Function-Error=Unhandled}`,
      `(${id}) Method completed with status: 502`,
      `2026-11-25T16:47:18.139Z\t${LAMBDA_REQUEST_ID}\tERROR\tInvoke Error \t${JSON.stringify({ errorType: 'Error', errorMessage: t, stack: [`Error: ${t}`, '    at handler (/var/task/index.mjs:1:1)'] })}`,
    ],
  ],
];

/** Text around the secret: anything on one line, unbalanced quotes and backslashes included. */
const surrounding: fc.Arbitrary<string> = fc
  .oneof(anyText, fc.constantFrom('"', "'", '\\', '\\"', '{"note":"', "{'a': '", '"x": "unterminated'))
  .map((t) => t.replace(/[\r\n]/g, ' '));

function embedded(secrets: fc.Arbitrary<EmbeddedSecret>) {
  return fc.record({ secret: secrets, before: surrounding, after: surrounding });
}

function check(carriers: ReadonlyArray<readonly [string, Carrier]>, secrets: fc.Arbitrary<EmbeddedSecret>) {
  fc.assert(
    fc.property(
      fc.constantFrom(...carriers),
      embedded(secrets),
      fc.uuid(),
      logEvents({ maxBlocks: 2, maxNoise: 5 }),
      ([, carrier], { secret, before, after }, id, noise) => {
        const text = `${before} ${secret.fragment} ${after}`;
        const events = [...noise, ...carrier(text, id).map((message) => ({ message }))];
        const { renderings } = diagnoseAndRender(events);
        expectNoSecret(renderings, secret.secrets);
      },
    ),
    { numRuns: runs(600) },
  );
}

/** Shortest piece of a secret that counts as shown: a secret cut short still leaks what is left of it. */
const MIN_PIECE = 6;

function occurrences(text: string, piece: string): number {
  let n = 0;
  for (let at = text.indexOf(piece); at !== -1; at = text.indexOf(piece, at + 1)) n++;
  return n;
}

/**
 * No rendering shows MIN_PIECE or more consecutive characters of a secret. `baseline` is the rendering of the same
 * lines with each secret replaced by filler of its length: a piece the product's own wording holds (the secret
 * "tringiAAAA" against "JSON.stringify" in a fix) is shown only if the secret's rendering holds it more often.
 */
function expectNoSecretPiece(r: Renderings, baseline: Renderings, secrets: readonly string[]): void {
  for (const [name, out] of Object.entries(r)) {
    const plain = baseline[name as keyof Renderings];
    for (const secret of secrets) {
      for (let i = 0; i + MIN_PIECE <= secret.length; i++) {
        const piece = secret.slice(i, i + MIN_PIECE);
        const at = out.indexOf(piece);
        if (at !== -1 && occurrences(out, piece) > occurrences(plain, piece)) {
          expect.fail(
            `${name} rendering shows ${JSON.stringify(piece)} of ${JSON.stringify(secret)}: ${out.slice(Math.max(0, at - 80), at + 40)}`,
          );
        }
      }
    }
  }
}

describe('redaction, end to end', () => {
  it('hides bearer/basic tokens, JWTs, AWS keys, header-map values, header lines, JSON and query secrets', () => {
    check(PLAIN_CARRIERS, embeddedSecret);
  });

  it('hides them inside JSON string values too (access log fields, Node.js error objects)', () => {
    check(JSON_CARRIERS, embeddedSecret);
  });

  it('hides a secret at the start of a 1 MB line and one cut by the 2,000-character line cap', () => {
    fc.assert(
      fc.property(embeddedSecret, fc.uuid(), fc.nat(), (secret, id, cutAt) => {
        // Prepare: the cap counts the text after `(id) `; it falls `into` characters inside the first secret.
        const head = 'Execution failed due to configuration error: Malformed Lambda proxy response ';
        const first = secret.secrets[0] ?? '';
        const into = 1 + (cutAt % Math.max(1, first.length - 1));
        const pad = MAX_KEPT_LINE_CHARS - head.length - 1 - secret.fragment.indexOf(first) - into;
        fc.pre(pad > 0);
        const filler = 'x'.repeat(1_000_000);
        const lines = (fragment: string) =>
          [
            `(${id}) ${head}${fragment} ${filler}`,
            `(${id}) Method completed with status: 502`,
            `(${id}2) ${head}${'y'.repeat(pad)} ${fragment} ${filler}`,
            `(${id}2) Method completed with status: 502`,
          ].map((message) => ({ message }));
        const withoutSecrets = secret.secrets.reduce((f, s) => f.split(s).join('¤'.repeat(s.length)), secret.fragment);
        // Act
        const { renderings } = diagnoseAndRender(lines(secret.fragment));
        const { renderings: baseline } = diagnoseAndRender(lines(withoutSecrets));
        // Assess: not the secret, nor the part of it that came before the cap.
        expectNoSecret(renderings, secret.secrets);
        expectNoSecretPiece(renderings, baseline, secret.secrets);
      }),
      { numRuns: runs(40) },
    );
  });

  it('redact is idempotent and never grows a secret back, for arbitrary text around a secret', () => {
    fc.assert(
      fc.property(embedded(embeddedSecret), ({ secret, before, after }) => {
        const once = redact(`${before} ${secret.fragment} ${after}`);
        const twice = redact(once);
        if (twice !== once) throw new Error(`not idempotent: ${JSON.stringify(once)} -> ${JSON.stringify(twice)}`);
        for (const s of secret.secrets) {
          if (once.includes(s)) throw new Error(`${secret.kind} left in ${JSON.stringify(once)}`);
        }
      }),
      { numRuns: runs(1000) },
    );
  });
});
