/**
 * A local AWS endpoint for the end-to-end tests and the demo: moto's server (https://docs.getmoto.org/en/latest/docs/server_mode.html)
 * in a project-local Python virtual environment (`.venv`), on a free loopback port, with fake credentials.
 *
 * CLI:
 *   npx tsx scripts/local-aws.ts ensure   create `.venv` and install moto[server] and cfn-lint when missing
 *   npx tsx scripts/local-aws.ts start    start moto, print its endpoint and the env to use, stop on Ctrl-C
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in `scripts/`). */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * What `ensureMoto` installs into the venv: moto's server for the e2e tests and demo, cfn-lint for the infra tests,
 * and the AWS CLI, so the e2e tests can run the fix commands exactly as a notification prints them.
 */
export const PYTHON_REQUIREMENTS: readonly string[] = ['moto[server]>=5.1,<6', 'cfn-lint>=1,<2', 'awscli>=1.36,<2'];

/** The region the local endpoint answers for. */
export const LOCAL_REGION = 'us-east-1';

const LOOPBACK = '127.0.0.1';
const TAIL_CHARS = 4_000;

export interface EnsureMotoOptions {
  /**
   * Folder that holds (or will hold) the `.venv`.
   * @default - the repository root
   */
  readonly projectRoot?: string;
  /**
   * Where progress lines go (one-time install notices).
   * @default - standard error
   */
  readonly log?: (line: string) => void;
}

export interface MotoInstallation {
  /** The venv's Python interpreter, which can `import moto.server`. */
  readonly python: string;
  /** The venv's `cfn-lint` command. */
  readonly cfnLint: string;
  /** The venv's `aws` command (AWS CLI v1 from PyPI). */
  readonly aws: string;
  /** The venv folder. */
  readonly venv: string;
}

const PYTHON_MISSING_HELP =
  'Python 3 is required to run the local AWS endpoint (moto server), but `python3` was not found on PATH. ' +
  'Install it with your package manager, e.g. `sudo apt-get install python3 python3-venv` (Debian/Ubuntu), ' +
  '`brew install python` (macOS), or from https://www.python.org/downloads/, then run the command again.';

function venvCommand(venv: string, name: string): string {
  return process.platform === 'win32' ? join(venv, 'Scripts', `${name}.exe`) : join(venv, 'bin', name);
}

/** True when the venv's Python has everything {@link PYTHON_REQUIREMENTS} installs. */
function hasRequirements(python: string): boolean {
  if (!existsSync(python)) return false;
  const probe = spawnSync(python, ['-c', 'import moto.server, cfnlint, awscli'], { stdio: 'ignore' });
  return probe.status === 0;
}

/**
 * Makes sure a Python with moto's server (and cfn-lint) is available: creates `.venv` with `python3 -m venv` when
 * missing and installs {@link PYTHON_REQUIREMENTS} into it when `import moto.server, cfnlint, awscli` fails. pip runs
 * quietly; its errors are shown.
 *
 * Only this install step reaches the network (PyPI); once installed, nothing here does.
 *
 * @throws Error when Python 3 is missing (saying how to install it), or when the venv or the install fails.
 */
export function ensureMoto(options: EnsureMotoOptions = {}): MotoInstallation {
  const root = options.projectRoot ?? PROJECT_ROOT;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const venv = join(root, '.venv');
  const python = venvCommand(venv, 'python');
  const installation = { python, cfnLint: venvCommand(venv, 'cfn-lint'), aws: venvCommand(venv, 'aws'), venv };

  if (hasRequirements(python)) return installation;

  const version = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (version.error !== undefined || version.status !== 0) {
    throw new Error(PYTHON_MISSING_HELP, version.error === undefined ? {} : { cause: version.error });
  }

  if (!existsSync(python)) {
    log(`Creating a Python virtual environment in ${venv} (${version.stdout.trim()}) ...`);
    const created = spawnSync('python3', ['-m', 'venv', venv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (created.status !== 0) {
      throw new Error(
        `Could not create the Python virtual environment ${venv}: ${(created.stderr || created.stdout).trim()}\n` +
          'On Debian/Ubuntu install the venv module with `sudo apt-get install python3-venv`, then run the command again.',
      );
    }
  }

  log(`Installing ${PYTHON_REQUIREMENTS.join(' and ')} into ${venv} (one time, from PyPI) ...`);
  // -qq: pip prints errors only; stderr is inherited so an install failure is visible as pip reports it.
  const installed = spawnSync(
    python,
    ['-m', 'pip', 'install', '-qq', '--disable-pip-version-check', ...PYTHON_REQUIREMENTS],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (installed.status !== 0 || !hasRequirements(python)) {
    throw new Error(
      `Installing ${PYTHON_REQUIREMENTS.join(' ')} into ${venv} failed (pip exit code ${installed.status}); ` +
        `see pip's error above. Retry with \`${python} -m pip install ${PYTHON_REQUIREMENTS.map((r) => `"${r}"`).join(' ')}\`.`,
    );
  }
  return installation;
}

/** A running moto server. */
export interface LocalAws {
  /** `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL` or an SDK client's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

export interface StartMotoOptions extends EnsureMotoOptions {
  /**
   * How long to wait for the server to answer.
   * @default 60_000
   */
  readonly startTimeoutMs?: number;
}

/** Asks the OS for a free loopback port: listen on port 0, read the port, close. */
export function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`Could not read the port of a loopback listener: ${String(address)}`));
        return;
      }
      server.close(() => resolvePort(address.port));
    });
  });
}

/** Keeps the last `max` characters written to it. */
class Tail {
  private text = '';
  constructor(private readonly max = TAIL_CHARS) {}
  push(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.max);
  }
  toString(): string {
    return this.text.trim();
  }
}

// Runs moto's server and exits when standard input closes, i.e. when the Node parent is gone however it ended
// (even SIGKILL, where no 'exit' handler of ours runs).
const MOTO_LAUNCHER = [
  'import os, sys, threading',
  'def _exit_with_parent():',
  '    sys.stdin.read()',
  '    os._exit(0)',
  'threading.Thread(target=_exit_with_parent, daemon=True).start()',
  'from moto.server import main',
  'main(sys.argv[1:])',
].join('\n');

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      done(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      done(true);
    };
    child.once('exit', onExit);
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

async function startOnce(python: string, port: number, timeoutMs: number): Promise<LocalAws> {
  const endpoint = `http://${LOOPBACK}:${port}`;
  const child = spawn(python, ['-c', MOTO_LAUNCHER, '-H', LOOPBACK, '-p', String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const output = new Tail();
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  // A forgotten stop() must not keep the parent alive, and the server must not outlive the parent.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as { unref?: () => void } | null)?.unref?.();
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, 5_000))) {
          child.kill('SIGKILL');
          await waitForExit(child, 5_000);
        }
      }
      child.stdin?.destroy();
      process.off('exit', killOnExit);
    })();
    return stopping;
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (spawnError !== undefined) {
      await stop();
      throw new Error(`Could not start moto's server with ${python}: ${spawnError.message}`, { cause: spawnError });
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new MotoExitedError(
        `moto's server exited before answering on ${endpoint} (exit code ${child.exitCode}, signal ${child.signalCode}). ` +
          `Its output ended with:\n${output.toString() || '(nothing)'}`,
        output.toString(),
      );
    }
    if (await answers(`${endpoint}/moto-api/`)) return { endpoint, port, stop };
    await delay(150);
  }
  await stop();
  throw new Error(
    `moto's server did not answer on ${endpoint}/moto-api/ within ${timeoutMs} ms. ` +
      `Its output ended with:\n${output.toString() || '(nothing)'}`,
  );
}

class MotoExitedError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'MotoExitedError';
  }
}

/**
 * Starts moto's server on a free loopback port (installing it first when needed, see {@link ensureMoto}) and
 * resolves once it answers `GET /moto-api/`. The server is killed when this process exits.
 *
 * @throws Error with the tail of the server's output when it exits early or does not answer in time.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<LocalAws> {
  const { python } = ensureMoto(options);
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  // Another process can take the port between our probe and moto's bind; a few fresh ports settle that race.
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    try {
      return await startOnce(python, port, timeoutMs);
    } catch (error) {
      const portTaken = error instanceof MotoExitedError && /address already in use/i.test(error.output);
      if (!portTaken || attempt >= 3) throw error;
    }
  }
}

/** Fake credentials and endpoint for a child process or the AWS CLI talking to the local endpoint. */
export function localAwsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ENDPOINT_URL: endpoint,
  };
}

/** Configuration for an AWS SDK v3 client talking to the local endpoint with fake credentials. */
export function clientConfig(endpoint: string): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
} {
  return {
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' },
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const command = argv[0];
  if (command === 'ensure') {
    const { python } = ensureMoto();
    process.stdout.write(`moto server available: ${python} -m moto.server\n`);
    return 0;
  }
  if (command === 'start') {
    const aws = await startMoto();
    process.stdout.write(`moto server listening on ${aws.endpoint} (Ctrl-C to stop)\n`);
    for (const [name, value] of Object.entries(localAwsEnv(aws.endpoint))) {
      process.stdout.write(`export ${name}=${value}\n`);
    }
    // Signal listeners do not keep Node running (the server process is unref'd), a timer does.
    const keepAlive = setInterval(() => {}, 60_000);
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    clearInterval(keepAlive);
    await aws.stop();
    return 0;
  }
  process.stderr.write('usage: tsx scripts/local-aws.ts ensure|start\n');
  return 2;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
