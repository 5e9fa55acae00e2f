/**
 * Every command in README.md and docs/*.md runs, as written, so the docs cannot drift. A command is a line of a
 * fenced shell block (continuations joined, comments dropped) or an inline code span of the prose that starts
 * with a command (`aws `, `npx `, `npm `, `apigw-5xx `, `cdk `, `cp `, `jq `):
 * - placeholders (ID, STAGE, F, SID, NAME, URL, ROLE_ARN, PREVIOUS_ID, FILE) and the ids of the docs' example
 *   messages are replaced with what the local deployment has (PLACEHOLDERS below); `[--flag]` runs without and with;
 * - `aws ...` runs with the project's AWS CLI against a local AWS endpoint (moto) of this file's own (the documented
 *   `update-account` changes account-wide settings other files read), which holds what the commands read;
 * - `npx apigw-5xx ...` runs the project's command (bin/apigw-5xx.mjs) in bash with pipefail; `check` and `replay`
 *   run against the stack's resources deployed into moto (test/e2e/deploy-template.ts), from the cdk-outputs.json
 *   such a deploy writes;
 * - `npx cdk deploy|synth ...` synthesizes bin/app.ts with exactly those context values (as the CDK CLI hands them
 *   over), so every documented configuration and override is valid; deploying needs an AWS account;
 * - a command written as an excerpt (`...`), a command named without arguments (`aws sns subscribe`,
 *   `apigw-5xx check --send-test`), or one moto cannot answer (HELP_ONLY) is checked against its help: the command
 *   exists and every flag written is one of its options;
 * - what truly cannot run here is in NOT_RUN_HERE, each with its reason.
 * A command none of these covers fails the test, so a new documented command needs a way to be run here.
 * The CLI example outputs in docs/cli.md are compared with what the command prints.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APIGatewayClient,
  GetDeploymentsCommand,
  UpdateAccountCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { GetPolicyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interleave, restTrace } from '../../scripts/incident.js';
import { createLocalRestApi } from '../../scripts/local-api.js';
import { clientConfig, localAwsEnv, startMoto } from '../../scripts/local-aws.js';
import { fencedBlocks } from '../docs-helpers.js';
import { PROJECT_ROOT, projectContext, synthResponder } from '../infra/helpers/synth.js';
import { type CfnTemplate, deployTemplate } from './deploy-template.js';
import { LocalAwsHarness } from './responder-harness.js';

// The documented `aws apigateway update-account` sets the account's CloudWatch Logs role, which thin-logs.e2e reads
// (as absent) from the run's shared endpoint: this file has a local endpoint of its own.
const local = await startMoto();
const endpoint = local.endpoint;
const DOCS = ['README.md', ...readdirSync(join(PROJECT_ROOT, 'docs')).map((f) => `docs/${f}`)];
const AWS_CLI = join(PROJECT_ROOT, '.venv', 'bin', 'aws');
const CLI = join(PROJECT_ROOT, 'bin', 'apigw-5xx.mjs');
const BACKSPACE = String.fromCharCode(8);
const FIXTURE_LOG = join(PROJECT_ROOT, 'test', 'fixtures', 'cli', 'mixed-incident.log');

/** Documented commands that cannot run in a test, by their first words, each with the reason. */
const NOT_RUN_HERE: Readonly<Record<string, string>> = {
  'npm install': 'installs packages from the registry (no network in tests)',
  // test/package/consumer.test.ts installs the packed tarball into a scratch CDK app instead.
  'npm install apigw-5xx-responder': 'installs the published package (the consumer test installs the packed one)',
  'npm ci': 'installs packages from the registry (no network in tests)',
  'npm run demo': 'run and compared with the docs by test/e2e/docs-demo.e2e.test.ts',
  'npm run bench': 'the benchmark: minutes of full CPU; BENCHMARKS.md records its runs',
  'npm test': 'this very run',
  'npx cdk bootstrap': 'creates the CDKToolkit stack in a real AWS account and region',
  'npx tsx scripts/cfn-lint.ts':
    "test/infra/cfn-lint.test.ts runs the same script's cfn-lint on the synthesized templates",
  'aws logs tail':
    "AWS CLI v2 only; the project's CLI is v1 (awscli<2 from PyPI); its output forms are parsed from test/fixtures/forms",
};

/** Documented AWS CLI commands moto cannot answer: checked against the CLI's help (command and flags) instead. */
const HELP_ONLY: Readonly<Record<string, string>> = {
  'aws cloudtrail lookup-events': 'moto has no CloudTrail LookupEvents',
  'aws oam': 'moto has no CloudWatch Observability Access Manager (sinks, links)',
};

/** What the placeholders and the example messages' names stand for in the local deployment (set in beforeAll). */
const PLACEHOLDERS: Record<string, string> = {};

interface Documented {
  readonly where: string;
  readonly command: string;
}

/** The commands of the fenced sh blocks: continuations joined, comment lines and trailing comments dropped. */
function blockCommands(file: string, markdown: string): Documented[] {
  const out: Documented[] = [];
  for (const block of fencedBlocks(markdown)) {
    if (!['sh', 'bash', 'shell'].includes(block.lang)) continue;
    const joined = block.text.replace(/\\\n\s*/g, '');
    for (const line of joined.split('\n')) {
      const command = line.replace(/\s{2,}#\s.*$/, '').trim();
      if (command === '' || command.startsWith('#')) continue;
      out.push({ where: `${file}:${block.line}`, command });
    }
  }
  return out;
}

// `apigw-5xx` alone names the command; `aws` alone is the partition.
const COMMAND_START = /^(?:(?:aws|npx|npm|cdk|cp|jq) |apigw-5xx(?: |$))/;

/**
 * The inline code spans that start with a command, line breaks as spaces: in the prose, and in plain-text blocks
 * (example messages and errors, where a span is the command as the reader copies it). Shell blocks are read line by
 * line above; JSON and other blocks hold escaped text, not commands as typed.
 */
function inlineCommands(file: string, markdown: string): Documented[] {
  const fenced = new Set<number>();
  for (const block of fencedBlocks(markdown)) {
    if (block.lang === '' || block.lang === 'text') continue;
    const lines = block.text === '' ? 0 : block.text.split('\n').length;
    for (let i = block.line - 1; i <= block.line + lines; i++) fenced.add(i);
  }
  const prose = markdown
    .split('\n')
    .map((line, i) => (fenced.has(i) ? '' : line))
    .join('\n');
  const out: Documented[] = [];
  for (const match of prose.matchAll(/(?<!`)`((?:[^`\n]|\n(?!\s*\n))+)`(?!`)/g)) {
    const span = (match[1] ?? '').replace(/\s*\n\s*/g, ' ').replaceAll('\\|', '|');
    if (!COMMAND_START.test(span)) continue;
    out.push({ where: `${file}:${prose.slice(0, match.index).split('\n').length}`, command: span });
  }
  return out;
}

/** Every documented command, file by file, in the order of the text (the README's commands first). */
function documentedCommands(): Documented[] {
  return DOCS.flatMap((file) => {
    const markdown = readFileSync(join(PROJECT_ROOT, file), 'utf8');
    const line = (d: Documented) => Number(d.where.split(':')[1]);
    return [...blockCommands(file, markdown), ...inlineCommands(file, markdown)].sort((a, b) => line(a) - line(b));
  });
}

/** `apigw-5xx x` is `npx apigw-5xx x`, `cdk x` is `npx cdk x`; `[--flag]` gives the command without and with it. */
function variants(command: string): string[] {
  const full = command.replace(/^apigw-5xx(?= |$)/, 'npx apigw-5xx').replace(/^cdk /, 'npx cdk ');
  const optional = /\s?\[(--[^\]]+)\]/.exec(full);
  if (optional === null) return [full];
  return [full.replace(optional[0], ''), full.replace(optional[0], ` ${optional[1]}`)];
}

/** The placeholders replaced, as whole words (a shell variable such as `$URL` stays). */
function substitute(command: string): string {
  let out = command;
  for (const [name, value] of Object.entries(PLACEHOLDERS)) {
    const word = name.replace(/[.*+?^${}()|[\]\\<>-]/g, '\\$&');
    out = out.replace(new RegExp(`(?<![$\\w-])${word}(?![\\w-])`, 'g'), value);
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
  // The `$URL` of the documented `create-secret` (the webhook URL the reader has).
  URL: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  NODE_NO_WARNINGS: '1',
  // The documented `aws configure set` writes here, not to the machine's ~/.aws/config.
  AWS_CONFIG_FILE: join(work, 'aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(work, 'aws-credentials'),
});

function run(command: string, input?: string): { status: number | null; stdout: string; stderr: string } {
  // `npx apigw-5xx-responder` (the package from the registry) and `npx apigw-5xx` (installed) run the same CLI.
  const shell = command
    .replaceAll('npx apigw-5xx-responder', `${process.execPath} ${CLI}`)
    .replaceAll('npx apigw-5xx', `${process.execPath} ${CLI}`)
    .replace(/^aws /, `${AWS_CLI} `);
  const result = spawnSync('bash', ['-o', 'pipefail', '-c', shell], {
    cwd: work,
    env: env(),
    encoding: 'utf8',
    timeout: 120_000,
    ...(input !== undefined ? { input } : {}),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The help of an AWS CLI command (`aws SERVICE OPERATION help`) or of the project's (`apigw-5xx [COMMAND] --help`). */
function helpOf(command: string): { status: number | null; text: string } {
  const words = command.replace(/\s\.\.\.(?=\s|$)/g, '').split(/\s+/);
  const result = command.startsWith('aws ')
    ? spawnSync(AWS_CLI, [...words.slice(1, 3), 'help'], {
        env: { ...env(), PAGER: 'cat', MANPAGER: 'cat' },
        encoding: 'utf8',
      })
    : spawnSync(process.execPath, [CLI, ...words.slice(2, 3).filter((w) => !w.startsWith('-')), '--help'], {
        env: env(),
        encoding: 'utf8',
      });
  // The AWS CLI's help is rendered for a terminal: bold as overstrike (N, backspace, N), undone here.
  const text: string[] = [];
  for (const char of `${result.stdout}${result.stderr}`) {
    if (char === BACKSPACE) text.pop();
    else text.push(char);
  }
  return { status: result.status, text: text.join('') };
}

/** `npx cdk deploy|synth ARGS`: bin/app.ts synthesized with the -c values of ARGS, in the working folder. */
function synthWith(args: string): { status: number | null; stderr: string; outdir: string } {
  const words = args.trim() === '' ? [] : shellWords(args);
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
  // `cdk synth` without a configuration reads config.example.json from the project folder, as in a checkout.
  copyFileSync(join(PROJECT_ROOT, 'config.example.json'), join(work, 'config.example.json'));
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
  // A deployment for `apigw-5xx check` and `replay`: the stack's resources in moto, a stage with logging on, the
  // account's CloudWatch Logs role for API Gateway set.
  const config = { ...clientConfig(endpoint), maxAttempts: 1 };
  const apiGateway = new APIGatewayClient(config);
  const apiId = await createLocalRestApi(endpoint, {
    name: 'docs-api',
    stage: 'prod',
    routes: [{ method: 'GET', resourcePath: '/orders', functionName: 'docs-orders', invokePermission: true }],
  });
  await apiGateway.send(
    new UpdateStageCommand({
      restApiId: apiId,
      stageName: 'prod',
      patchOperations: [{ op: 'replace', path: '/*/*/logging/loglevel', value: 'ERROR' }],
    }),
  );
  const roleArn = 'arn:aws:iam::123456789012:role/apigateway-cloudwatch-logs';
  await apiGateway.send(
    new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: roleArn }] }),
  );
  const synthesized = synthResponder({
    apis: [{ type: 'REST', name: 'docs-api', id: apiId, stage: 'prod' }],
    emails: ['oncall@example.com'],
    alarmNamePrefix: 'docs',
  });
  const deployed = await deployTemplate(endpoint, synthesized.template.toJSON() as CfnTemplate, 'docs');
  rmSync(synthesized.outdir, { recursive: true, force: true });
  writeFileSync(join(work, 'cdk-outputs.json'), JSON.stringify({ ApiGateway5xxResponder: deployed.outputs }));
  // The test fixtures, where a checkout has them (`npx apigw-5xx diagnose test/fixtures/...`).
  symlinkSync(join(PROJECT_ROOT, 'test'), join(work, 'test'));
  const policy = await new LambdaClient(config).send(new GetPolicyCommand({ FunctionName: 'docs-orders' }));
  const sid = (JSON.parse(policy.Policy ?? '{}') as { Statement?: { Sid?: string }[] }).Statement?.[0]?.Sid;
  const { items: deployments = [] } = await apiGateway.send(new GetDeploymentsCommand({ restApiId: apiId }));
  Object.assign(PLACEHOLDERS, {
    ID: apiId,
    STAGE: 'prod',
    F: 'docs-orders',
    SID: sid ?? 'no-statement',
    NAME: deployed.functionName,
    URL: deployed.outputs.FailureQueueUrl ?? 'no-queue',
    ROLE_ARN: roleArn,
    PREVIOUS_ID: deployments[0]?.id ?? 'no-deployment',
    FILE: FIXTURE_LOG,
    // The names in docs/notifications.md's example messages.
    cpw3v4tbtt: apiId,
    'payments-charge': 'docs-orders',
  });
}, 180_000);

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await local.stop();
});

/** Runs (or checks, or confirms the reason for not running) one documented command. */
function exercise(where: string, command: string): void {
  const what = `${where}: ${command}`;
  const segments = command.split(' && ').map((c) => c.trim());
  if (segments.some((c) => Object.keys(NOT_RUN_HERE).some((p) => c === p || c.startsWith(`${p} `)))) {
    // Every part of the line is one that cannot run here, each with its reason.
    for (const c of segments)
      expect(
        Object.keys(NOT_RUN_HERE).some((p) => c === p || c.startsWith(`${p} `)),
        what,
      ).toBe(true);
    return;
  }
  const helpOnly = Object.keys(HELP_ONLY).some((p) => command.startsWith(`${p} `));
  const excerpt = /\s\.\.\.(?=\s|$)/.test(command);
  let named = /^aws [a-z0-9-]+ [a-z0-9-]+$/.test(command) || /^npx apigw-5xx(?: [a-z]+)?(?: --[a-z-]+)*$/.test(command);
  if (named && /^aws [a-z0-9-]+ (?:get|list|describe)-/.test(command)) {
    // A read named alone runs when it needs no argument (`aws apigateway get-rest-apis`); one the CLI refuses for
    // its missing required arguments, like any other command named alone in the prose, is checked against its help.
    const result = run(command);
    if (result.status === 0) return;
    expect(result.stderr, `${what}\n${result.stderr}`).toMatch(/the following arguments are required/);
    named = true;
  }
  if (helpOnly || excerpt || named) {
    const help = helpOf(command);
    expect(help.status, `${what}\n${help.text.slice(0, 2000)}`).toBe(0);
    for (const flag of (command.match(/(?<=\s)--[a-z][a-z0-9-]*/g) ?? []).filter((f) => f !== '--help')) {
      expect(help.text, `${what}: ${flag} is not an option of the command`).toMatch(new RegExp(`${flag}(?![a-z0-9-])`));
    }
    return;
  }
  if (command === 'cp config.example.json my-config.json') {
    copyFileSync(join(PROJECT_ROOT, 'config.example.json'), join(work, 'my-config.json'));
    return;
  }
  const cdk = /^npx cdk (?:deploy|synth)(?: (.*))?$/.exec(command);
  if (cdk !== null) {
    if (!existsSync(join(work, 'my-config.json')))
      copyFileSync(join(PROJECT_ROOT, 'config.example.json'), join(work, 'my-config.json'));
    const synth = synthWith(cdk[1] ?? '');
    expect(synth.stderr, what).not.toMatch(/Invalid apigw-5xx-responder configuration/);
    expect(synth.status, synth.stderr).toBe(0);
    expect(readdirSync(synth.outdir).some((f) => f.endsWith('.template.json'))).toBe(true);
    return;
  }
  if (command === 'npx tsx scripts/api-doc.ts') {
    // It writes docs/API.md; `--check` generates the same text and compares it with docs/API.md instead.
    const result = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/api-doc.ts', '--check'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(result.status, `${what}\n${result.stdout}${result.stderr}`).toBe(0);
    return;
  }
  if (command.startsWith('jq ')) {
    // A filter for what `aws logs filter-log-events` printed (the README's logs.json): one JSON line per event.
    const result = run(command, readFileSync(join(work, 'logs.json'), 'utf8'));
    expect(result.status, `${what}\n${result.stderr}`).toBe(0);
    for (const line of result.stdout.trim().split('\n')) expect(JSON.parse(line)).toHaveProperty('message');
    return;
  }
  if (command.startsWith('aws ') || command.includes('npx apigw-5xx')) {
    const result = run(substitute(command));
    if (command.includes('--send-test')) {
      // moto stores functions without running them: the invoke fails there, and only that row fails
      // (test/e2e/check.e2e.test.ts runs the handler itself for this row).
      expect(result.stdout).toMatch(/\nFAIL {2,}test notification {2,}/);
      expect(result.stdout.match(/^FAIL /gm)).toHaveLength(1);
      return;
    }
    expect(result.status, `${what}\n${result.stdout}\n${result.stderr}`).toBe(0);
    if (command.startsWith('aws secretsmanager create-secret')) {
      // Documented twice (the guide and a configuration error's fix): each runs as on an account without it.
      run(`aws secretsmanager delete-secret --secret-id apigw-5xx/slack-webhook --force-delete-without-recovery`);
    }
    return;
  }
  throw new Error(`${what}: the docs test does not know how to run this command: teach it in this file`);
}

describe('the commands in README.md and docs/', () => {
  const commands = documentedCommands();

  it('finds the documented commands', () => {
    expect(commands.length).toBeGreaterThan(10);
  });

  it('keeps no exception or placeholder that no documented command uses', () => {
    // Prepare
    const texts = commands.map((c) =>
      c.command.replace(/^apigw-5xx(?= |$)/, 'npx apigw-5xx').replace(/^cdk /, 'npx cdk '),
    );
    const used = (prefix: string) =>
      texts.some((t) => t.split(' && ').some((c) => c === prefix || c.startsWith(`${prefix} `)));
    const named = (word: string) => texts.some((t) => new RegExp(`(?<![$\\w-])${word}(?![\\w-])`).test(t));
    // Act
    const unused = [
      ...Object.keys(NOT_RUN_HERE).filter((p) => !used(p)),
      ...Object.keys(HELP_ONLY).filter((p) => !used(p)),
      ...Object.keys(PLACEHOLDERS).filter((w) => !named(w)),
    ];
    // Assess
    expect(unused).toEqual([]);
  });

  it.each(commands.map((c) => [c.where, c.command] as const))(
    '%s runs: %s',
    (where, command) => {
      for (const variant of variants(command)) exercise(where, variant);
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
