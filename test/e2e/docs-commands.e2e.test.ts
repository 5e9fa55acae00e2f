/**
 * Every command in a fenced shell block of README.md and docs/*.md runs, as written, so the docs cannot drift:
 * - `aws ...` runs with the project's AWS CLI against the local AWS endpoint (moto), which holds what the command
 *   needs (the execution log group it reads);
 * - `npx apigw-5xx ...` runs the project's command (bin/apigw-5xx.mjs) in a shell, pipes included; `check` and
 *   `replay` run against the stack's resources deployed into moto (test/e2e/deploy-template.ts), from the
 *   cdk-outputs.json such a deploy writes;
 * - `npx cdk deploy|synth -c ...` synthesizes bin/app.ts with exactly those context values (as the CDK CLI hands
 *   them over), so every documented configuration and override is valid; deploying needs an AWS account;
 * - the npm commands are run elsewhere (`npm test` is this run; the demo by docs-demo.e2e.test.ts).
 * A command none of these covers fails the test, so a new documented command needs a way to be run here.
 * The CLI example outputs in docs/cli.md are compared with what the command prints.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayClient, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { interleave, restTrace } from '../../scripts/incident.js';
import { createLocalRestApi } from '../../scripts/local-api.js';
import { clientConfig, localAwsEnv } from '../../scripts/local-aws.js';
import { fencedBlocks } from '../docs-helpers.js';
import { PROJECT_ROOT, projectContext, synthResponder } from '../infra/helpers/synth.js';
import { type CfnTemplate, deployTemplate } from './deploy-template.js';
import { LocalAwsHarness } from './responder-harness.js';

const endpoint = inject('awsEndpoint');
const DOCS = ['README.md', ...readdirSync(join(PROJECT_ROOT, 'docs')).map((f) => `docs/${f}`)];
const AWS_CLI = join(PROJECT_ROOT, '.venv', 'bin', 'aws');
const CLI = join(PROJECT_ROOT, 'bin', 'apigw-5xx.mjs');
const NOT_RUN_HERE: Readonly<Record<string, string>> = {
  'npm install': 'installs packages from the registry (no network in tests)',
  // test/package/consumer.test.ts installs the packed tarball into a scratch CDK app instead.
  'npm install apigw-5xx-responder': 'installs the published package (the consumer test installs the packed one)',
  'npm run demo': 'run and compared with the docs by test/e2e/docs-demo.e2e.test.ts',
  'npm test': 'this very run',
};

interface Documented {
  readonly where: string;
  readonly command: string;
}

/** The commands of the fenced sh blocks: continuations joined, comment lines and trailing comments dropped. */
function documentedCommands(): Documented[] {
  const out: Documented[] = [];
  for (const file of DOCS) {
    for (const block of fencedBlocks(readFileSync(join(PROJECT_ROOT, file), 'utf8'))) {
      if (!['sh', 'bash', 'shell'].includes(block.lang)) continue;
      const joined = block.text.replace(/\\\n\s*/g, '');
      for (const line of joined.split('\n')) {
        const command = line.replace(/\s{2,}#\s.*$/, '').trim();
        if (command === '' || command.startsWith('#')) continue;
        out.push({ where: `${file}:${block.line}`, command });
      }
    }
  }
  return out;
}

/** The words a shell makes of an argument string (quotes removed), without running anything. */
function shellWords(args: string): string[] {
  const out = execFileSync('bash', ['-c', `printf '%s\\0' ${args}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

let work = '';
const env = (): NodeJS.ProcessEnv => ({
  ...process.env,
  ...localAwsEnv(endpoint),
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  NODE_NO_WARNINGS: '1',
});

function run(command: string): { status: number | null; stdout: string; stderr: string } {
  // `npx apigw-5xx-responder` (the package from the registry) and `npx apigw-5xx` (installed) run the same CLI.
  const shell = command
    .replaceAll('npx apigw-5xx-responder', `${process.execPath} ${CLI}`)
    .replaceAll('npx apigw-5xx', `${process.execPath} ${CLI}`)
    .replace(/^aws /, `${AWS_CLI} `);
  const result = spawnSync('bash', ['-c', shell], { cwd: work, env: env(), encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `npx cdk deploy|synth ARGS`: bin/app.ts synthesized with the -c values of ARGS, in the working folder. */
function synthWith(args: string): { status: number | null; stderr: string; outdir: string } {
  const words = shellWords(args);
  const context: Record<string, unknown> = { ...projectContext(), 'aws:cdk:bundling-stacks': [] };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '-c' || word === '--context') {
      const [key, ...value] = (words[++i] ?? '').split('=');
      context[key ?? ''] = value.join('=');
    } else if (word === '--outputs-file') {
      i++;
    } else {
      throw new Error(`the docs test does not know the cdk argument ${word}`);
    }
  }
  const outdir = mkdtempSync(join(work, 'cdk.out-'));
  const { CDK_DEFAULT_ACCOUNT: _a, CDK_DEFAULT_REGION: _r, ...rest } = process.env;
  const result = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), [join(PROJECT_ROOT, 'bin', 'app.ts')], {
    cwd: work,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...rest, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
  });
  return { status: result.status, stderr: result.stderr, outdir };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'apigw-5xx-docs-'));
  // What the documented `aws logs filter-log-events` reads: the execution log of a1b2c3d4e5/prod, this last hour.
  const now = Date.now();
  const target = {
    apiId: 'a1b2c3d4e5',
    stage: 'prod',
    region: 'us-east-1',
    accountId: '123456789012',
    functionName: 'orders-get',
  };
  await new LocalAwsHarness(endpoint).writeLogGroup(
    'API-Gateway-Execution-Logs_a1b2c3d4e5/prod',
    interleave([
      restTrace('malformed', target, { method: 'GET', resourcePath: '/orders/{id}', path: '/orders/1' }, now - 60_000),
    ]),
  );
  // A deployment for `apigw-5xx check` and `replay`: the stack's resources in moto, a stage with logging on.
  const apiId = await createLocalRestApi(endpoint, {
    name: 'docs-api',
    stage: 'prod',
    routes: [{ method: 'GET', resourcePath: '/orders', functionName: 'docs-orders', invokePermission: true }],
  });
  await new APIGatewayClient({ ...clientConfig(endpoint), maxAttempts: 1 }).send(
    new UpdateStageCommand({
      restApiId: apiId,
      stageName: 'prod',
      patchOperations: [{ op: 'replace', path: '/*/*/logging/loglevel', value: 'ERROR' }],
    }),
  );
  const synthesized = synthResponder({
    apis: [{ type: 'REST', name: 'docs-api', id: apiId, stage: 'prod' }],
    emails: ['oncall@example.com'],
    alarmNamePrefix: 'docs',
  });
  const deployed = await deployTemplate(endpoint, synthesized.template.toJSON() as CfnTemplate, 'docs');
  rmSync(synthesized.outdir, { recursive: true, force: true });
  writeFileSync(join(work, 'cdk-outputs.json'), JSON.stringify({ ApiGateway5xxResponder: deployed.outputs }));
}, 180_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the commands in README.md and docs/', () => {
  const commands = documentedCommands();

  it('finds the documented commands', () => {
    expect(commands.length).toBeGreaterThan(10);
  });

  it.each(commands.map((c) => [c.where, c.command] as const))(
    '%s runs: %s',
    (where, command) => {
      const skipped = Object.keys(NOT_RUN_HERE).filter((prefix) => command.includes(prefix));
      if (skipped.length > 0) {
        // Only npm commands are run elsewhere, and each one has its reason.
        expect(
          command
            .replace(/npm (install apigw-5xx-responder|install|run demo|test)/g, '')
            .replace(/&&/g, '')
            .trim(),
          where,
        ).toBe('');
        return;
      }
      if (command === 'cp config.example.json my-config.json') {
        copyFileSync(join(PROJECT_ROOT, 'config.example.json'), join(work, 'my-config.json'));
        return;
      }
      const cdk = /^npx cdk (?:deploy|synth) (.*)$/.exec(command);
      if (cdk !== null) {
        if (!existsSync(join(work, 'my-config.json')))
          copyFileSync(join(PROJECT_ROOT, 'config.example.json'), join(work, 'my-config.json'));
        const synth = synthWith(cdk[1] ?? '');
        expect(synth.stderr, `${where}: ${command}`).not.toMatch(/Invalid apigw-5xx-responder configuration/);
        expect(synth.status, synth.stderr).toBe(0);
        expect(readdirSync(synth.outdir).some((f) => f.endsWith('.template.json'))).toBe(true);
        return;
      }
      if (command.startsWith('aws ') || command.includes('npx apigw-5xx')) {
        const result = run(command);
        if (command.includes('--send-test')) {
          // moto stores functions without running them: the invoke fails there, and only that row fails
          // (test/e2e/check.e2e.test.ts runs the handler itself for this row).
          expect(result.stdout).toMatch(/\nFAIL {2,}test notification {2,}/);
          expect(result.stdout.match(/^FAIL /gm)).toHaveLength(1);
          return;
        }
        expect(result.status, `${where}: ${command}\n${result.stdout}\n${result.stderr}`).toBe(0);
        return;
      }
      throw new Error(`${where}: the docs test does not know how to run "${command}": teach it in this file`);
    },
    180_000,
  );

  it('prints what docs/cli.md shows for its diagnose and classify examples', () => {
    // Prepare
    const docs = readFileSync(join(PROJECT_ROOT, 'docs', 'cli.md'), 'utf8');
    const diagnose = 'npx apigw-5xx diagnose test/fixtures/cli/mixed-incident.log --api-name orders-api';
    const shown = fencedBlocks(docs).find(
      (b) => b.line > docs.split('\n').findIndex((l) => l.includes(`\`${diagnose}\` prints:`)),
    );
    const classify = commands.find(
      (c) => c.command.startsWith("echo '") && c.command.endsWith('| npx apigw-5xx classify'),
    );
    const shownClassify = /^`(\{"cause".*\})`$/m.exec(docs)?.[1];
    // Act
    const printed = spawnSync('bash', ['-c', diagnose.replace('npx apigw-5xx', `${process.execPath} ${CLI}`)], {
      cwd: PROJECT_ROOT,
      env: env(),
      encoding: 'utf8',
    });
    const classified = run(classify?.command ?? 'false');
    // Assess
    expect(printed.status).toBe(0);
    expect(shown?.text).toBe(printed.stdout.replace(/\n$/, ''));
    expect(classified.stdout.trim()).toBe(shownClassify);
  });
});
