/**
 * CLI start (issue 15): how long `apigw-5xx diagnose` takes on a two-line file, against a bare `node -e 0`.
 *
 * The package is packed as it would be published (`npm pack`, which compiles dist/ by `prepack`) and unpacked into a
 * scratch app's node_modules with its `.bin/apigw-5xx` link, as `npm install` lays it out; the command then runs in a
 * fresh process per run: through Node directly (`node_modules/.bin/apigw-5xx`, the launcher and the compiled CLI),
 * through `npx` (npm's own start added), and, for comparison, the repository checkout's launcher, which runs the
 * TypeScript source through tsx. The scenarios take turns, so a load spike on the shared machine hits all of them.
 * The two lines are taken from test/fixtures/cli/mixed-incident.log (a lambda_permission failure and its status line).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface CliStartScenario {
  readonly label: string;
  /** The command line, for the table. */
  readonly command: string;
  readonly timesMs: readonly number[];
}

export interface CliStartResults {
  readonly runs: number;
  /** `node -e 0` first, then the packaged CLI through node, through npx, then the checkout's launcher. */
  readonly scenarios: readonly CliStartScenario[];
  /** Bytes of the packed tarball and files in it. */
  readonly tarballBytes: number;
  readonly tarballFiles: number;
}

/** The two fixture lines: the failure and the status line of one request. */
export function twoLineInput(root: string): string {
  const lines = readFileSync(join(root, 'test/fixtures/cli/mixed-incident.log'), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('#'));
  const failure = lines.find((l) => l.includes('Invalid permissions on Lambda function'));
  const id = failure?.slice(0, failure.indexOf(')') + 1);
  const status = lines.find((l) => id !== undefined && l.startsWith(id) && l.includes('Method completed with status'));
  if (failure === undefined || status === undefined)
    throw new Error('the CLI fixture lost its lambda_permission request');
  return `${failure}\n${status}\n`;
}

export function packInto(root: string, dir: string): { app: string; bytes: number; files: number } {
  const packed = spawnSync('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', dir], {
    cwd: root,
    encoding: 'utf8',
  });
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{
    filename: string;
    name: string;
    size: number;
    entryCount: number;
  }>;
  if (info === undefined) throw new Error(`npm pack printed no package: ${packed.stdout}`);
  const app = join(dir, 'app');
  const installed = join(app, 'node_modules', info.name);
  mkdirSync(installed, { recursive: true });
  const untar = spawnSync('tar', ['-xzf', join(dir, info.filename), '-C', installed, '--strip-components=1']);
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  mkdirSync(join(app, 'node_modules', '.bin'));
  symlinkSync(join('..', info.name, 'bin', 'apigw-5xx.mjs'), join(app, 'node_modules', '.bin', 'apigw-5xx'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'cli-start-bench', private: true }));
  return { app, bytes: info.size, files: info.entryCount };
}

export function benchCliStart(root: string, scratch: string, runs: number): CliStartResults {
  const dir = join(scratch, 'cli-start');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const { app, bytes, files } = packInto(root, dir);
    const input = join(dir, 'two-lines.log');
    writeFileSync(input, twoLineInput(root));
    const bin = join(app, 'node_modules', '.bin', 'apigw-5xx');
    const scenarios = [
      { label: 'bare Node.js', command: 'node -e 0', file: process.execPath, args: ['-e', '0'], cwd: app },
      {
        label: 'packaged CLI (compiled JavaScript)',
        command: 'node_modules/.bin/apigw-5xx diagnose two-lines.log',
        file: bin,
        args: ['diagnose', input],
        cwd: app,
      },
      {
        label: 'packaged CLI through npx (npm start included)',
        command: 'npx apigw-5xx diagnose two-lines.log',
        file: 'npx',
        args: ['--no', 'apigw-5xx', 'diagnose', input],
        cwd: app,
      },
      {
        label: 'repository checkout (TypeScript through tsx, as before)',
        command: 'node bin/apigw-5xx.mjs diagnose two-lines.log',
        file: process.execPath,
        args: [join(root, 'bin', 'apigw-5xx.mjs'), 'diagnose', input],
        cwd: root,
      },
    ];
    const times = scenarios.map(() => [] as number[]);
    const outputs = scenarios.map(() => new Set<string>());
    for (let run = 0; run < runs; run++) {
      scenarios.forEach((s, i) => {
        const started = performance.now();
        const result = spawnSync(s.file, s.args, {
          cwd: s.cwd,
          encoding: 'utf8',
          env: { ...process.env, npm_config_offline: 'true' },
        });
        times[i]?.push(performance.now() - started);
        if (result.status !== 0) throw new Error(`${s.command} exited ${result.status}: ${result.stderr}`);
        outputs[i]?.add(result.stdout);
      });
    }
    // Every CLI run must have printed the same diagnosis, naming the fixture's cause.
    const diagnoses = new Set(outputs.slice(1).flatMap((o) => [...o]));
    const [diagnosis] = diagnoses;
    if (diagnoses.size !== 1 || diagnosis === undefined || !diagnosis.includes('missing Lambda invoke permission')) {
      throw new Error(`the CLI runs disagree or miss the cause:\n${[...diagnoses].join('\n---\n')}`);
    }
    return {
      runs,
      scenarios: scenarios.map((s, i) => ({ label: s.label, command: s.command, timesMs: times[i] ?? [] })),
      tarballBytes: bytes,
      tarballFiles: files,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const ms = (v: number) => `${Math.round(v)} ms`;

/** The packaged CLI's median over the bare Node.js median: the target is at most 2. */
export function cliStartRatio(results: CliStartResults): number {
  const [bare, packaged] = results.scenarios;
  return median(packaged?.timesMs ?? []) / median(bare?.timesMs ?? [1]);
}

export function renderCliStart(p: (line?: string) => void, results: CliStartResults): void {
  const bareMs = median(results.scenarios[0]?.timesMs ?? []);
  p('## 7. CLI start');
  p();
  p(
    'A two-line file (the failure and the status line of one request from test/fixtures/cli/mixed-incident.log) ' +
      'diagnosed by `apigw-5xx diagnose`, a fresh process per run, against a bare `node -e 0` ' +
      '(scripts/bench/cli-start.ts). The package is packed as published (`npm pack`, dist/ compiled by `npm run compile`: ' +
      `${(results.tarballBytes / 1024).toFixed(1)} KB, ${results.tarballFiles} files) and unpacked into a scratch ` +
      "app's node_modules. The scenarios take turns, " +
      `${results.runs} runs each; wall time from spawn to exit.`,
  );
  p();
  p('| Scenario | Command | Median | Min–max | × `node -e 0` |');
  p('|---|---|---:|---:|---:|');
  for (const s of results.scenarios) {
    const med = median(s.timesMs);
    p(
      `| ${s.label} | \`${s.command}\` | ${ms(med)} | ${ms(Math.min(...s.timesMs))}–${ms(Math.max(...s.timesMs))} | ${(med / bareMs).toFixed(2)} |`,
    );
  }
  p();
  const ratio = cliStartRatio(results);
  p(
    `- Target: the packaged CLI within 2× a bare \`node -e 0\`: ${ratio.toFixed(2)}×, **${ratio <= 2 ? 'met' : 'not met'}**. ` +
      'The installed package has no TypeScript source and no loader: its launcher (bin/apigw-5xx.mjs) imports ' +
      'dist/bin/cli.js, compiled by tsc.',
  );
  p(
    '- `npx` adds npm’s own start (it resolves node_modules/.bin before running the same launcher); run ' +
      '`node_modules/.bin/apigw-5xx` or an npm script to leave it out.',
  );
  p(
    '- The repository checkout keeps running the TypeScript source through tsx, so what runs there is what was ' +
      'edited, never a stale build.',
  );
  p();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = join(import.meta.dirname, '..', '..');
  const runs = Number(process.argv[2] ?? 15);
  const results = benchCliStart(root, join(root, '.bench'), runs);
  const out: string[] = [];
  renderCliStart((line = '') => out.push(line), results);
  process.stdout.write(`${out.join('\n')}\n`);
}
