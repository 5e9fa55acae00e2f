/**
 * What Powertools for AWS Lambda (TypeScript) Logger and Metrics would cost the responder (issue 15): the deployed
 * bundle's size and its module init, with and without them. Powertools is not a dependency of this project, so it is
 * installed into a scratch folder first, and this script is not part of `npm run bench`:
 *
 *   npm install --prefix .bench/powertools @aws-lambda-powertools/logger@2.36.0 @aws-lambda-powertools/metrics@2.36.0
 *   npx tsx scripts/bench/powertools-cost.ts .bench/powertools [runs]
 *
 * Two bundles are built with the NodejsFunction options of lib/responder.ts (ESM, minified, node22, UTF-8, source
 * map without sources, `@aws-sdk/*` external): lambda/handler.ts as it is, and the same handler wrapped the way an
 * integration would use Powertools (a Logger and a Metrics instance built at init, one log line with the Lambda
 * context and one metric per invocation). Each is imported in a fresh process per run, with --enable-source-maps as
 * deployed, the two taking turns. The first invocation is not measured here (scripts/bench/cold-start.ts reads the
 * handler's own log lines from stdout, which Powertools' Logger also writes to).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..', '..');

const WRAPPED = (handler: string) => `
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { handler as inner } from ${JSON.stringify(handler)};

const logger = new Logger({ serviceName: 'apigw-5xx-responder' });
const metrics = new Metrics({ namespace: 'ApiGateway5xxResponder', serviceName: 'apigw-5xx-responder' });
export const handler = async (event, context) => {
  logger.addContext(context);
  logger.info('alarm received');
  try {
    return await inner(event, context);
  } finally {
    metrics.addMetric('diagnoses', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  }
};
`;

const PROBE =
  'const t0 = performance.now(); const m = await import(process.argv[1]); const importMs = performance.now() - t0;' +
  "if (typeof m.handler !== 'function') throw new Error('no handler export');" +
  'process.stdout.write(JSON.stringify({ importMs, startToLoadedMs: performance.now() }));';

interface Variant {
  readonly label: string;
  readonly bytes: number;
  readonly gzip: number;
  readonly importMs: number[];
  readonly startToLoadedMs: number[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const powertools = resolve(process.argv[2] ?? join(ROOT, '.bench', 'powertools'));
  const runs = Number(process.argv[3] ?? 15);
  const scratch = join(ROOT, '.bench', 'powertools-cost');
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const handler = join(ROOT, 'lambda', 'handler.ts');
  writeFileSync(join(scratch, 'plain.mjs'), `export { handler } from ${JSON.stringify(handler)};\n`);
  writeFileSync(join(scratch, 'powertools.mjs'), WRAPPED(handler));
  const variants: Variant[] = [];
  for (const [label, entry] of [
    ['lambda/handler.ts as it is', 'plain'],
    ['with Powertools Logger and Metrics', 'powertools'],
  ] as const) {
    const outfile = join(scratch, entry, 'index.mjs');
    await build({
      entryPoints: [join(scratch, `${entry}.mjs`)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      target: 'node22',
      charset: 'utf8',
      mainFields: ['module', 'main'],
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);",
      },
      external: ['@aws-sdk/*'],
      nodePaths: [join(ROOT, 'node_modules'), join(powertools, 'node_modules')],
      logLevel: 'error',
    });
    const code = readFileSync(outfile);
    variants.push({
      label,
      bytes: code.length,
      gzip: gzipSync(code, { level: 9 }).length,
      importMs: [],
      startToLoadedMs: [],
    });
  }
  for (let run = 0; run < runs; run++) {
    for (const [i, entry] of ['plain', 'powertools'].entries()) {
      const out = execFileSync(
        process.execPath,
        [
          '--enable-source-maps',
          '--input-type=module',
          '-e',
          PROBE,
          pathToFileURL(join(scratch, entry, 'index.mjs')).href,
        ],
        { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', AWS_LAMBDA_FUNCTION_NAME: 'bench' } },
      );
      const parsed = JSON.parse(out) as { importMs: number; startToLoadedMs: number };
      variants[i]?.importMs.push(parsed.importMs);
      variants[i]?.startToLoadedMs.push(parsed.startToLoadedMs);
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const ms = (v: number) => `${Math.round(v)} ms`;
  const lines = [
    `| Bundle | index.mjs | gzip -9 | Import (median) | Min–max | Start to loaded (median) |`,
    '|---|---:|---:|---:|---:|---:|',
    ...variants.map(
      (v) =>
        `| ${v.label} | ${kb(v.bytes)} | ${kb(v.gzip)} | ${ms(median(v.importMs))} | ${ms(Math.min(...v.importMs))}–${ms(Math.max(...v.importMs))} | ${ms(median(v.startToLoadedMs))} |`,
    ),
  ];
  process.stdout.write(
    `${lines.join('\n')}\n\n${runs} runs each; load average ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`powertools-cost: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
