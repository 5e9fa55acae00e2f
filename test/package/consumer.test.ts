/**
 * The package as another CDK app gets it: `npm pack` (which builds dist/ by `prepack`), the tarball installed into
 * a scratch TypeScript CDK app in a temporary folder, that app type-checked and synthesized with the construct
 * (esbuild bundling the handlers from the installed package, no Docker), and the packaged CLI run on a fixture.
 *
 * No network: the tarball has no dependencies of its own, and its peers (aws-cdk-lib, constructs, esbuild) are linked
 * from this repository's node_modules (`file:` folders), so `npm install --offline` resolves everything locally.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(ROOT, 'test/fixtures/cli/mixed-incident.log');
const PACKAGE_NAME = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string }).name;

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Ran {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 240_000,
    env: { ...process.env, ...env },
  });
  if (result.error !== undefined) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a step that must succeed; its output is shown only when it fails. */
function step(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Ran {
  const ran = run(command, args, cwd, env);
  if (ran.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${ran.code}:\n${ran.stdout}\n${ran.stderr}`);
  }
  return ran;
}

const CONSUMER_APP = `import { App, Stack } from 'aws-cdk-lib';
import { ApiGateway5xxResponder, type ApiGateway5xxResponderProps, CAUSE_IDS } from '${PACKAGE_NAME}';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Consumer', { env: { account: '123456789012', region: 'eu-west-1' } });
const props: ApiGateway5xxResponderProps = {
  apis: [{ type: 'REST', name: 'orders', id: 'a1b2c3d4e5', stage: 'prod', functionNames: ['orders-handler'] }],
  emails: ['oncall@example.com'],
  slackWebhook: {
    webhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-webhook-AbCdEf',
  },
  routes: [{ causes: [CAUSE_IDS[0]], emails: ['platform@example.com'] }],
};
new ApiGateway5xxResponder(stack, 'Responder', props);
app.synth();
`;

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  },
  files: ['app.ts'],
};

interface Template {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
}

describe('the packed package in a consumer CDK app', () => {
  let scratch = '';
  let app = '';
  let packedFiles: string[] = [];

  // dist/ is what `npm pack` builds: removed afterwards unless the checkout had one before the test.
  const distBefore = existsSync(join(ROOT, 'dist'));

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'apigw-5xx-consumer-'));
    // `npm pack` runs `prepack`, which compiles dist/ from the TypeScript as a publish would.
    const packed = step('npm', ['pack', '--json', '--pack-destination', scratch], ROOT);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    if (info === undefined) throw new Error(`npm pack printed no package: ${packed.stdout}`);
    packedFiles = info.files.map((f) => f.path);

    app = join(scratch, 'app');
    mkdirSync(app);
    const linked = (name: string) => `file:${join(ROOT, 'node_modules', name)}`;
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'consumer-app',
        private: true,
        type: 'module',
        dependencies: {
          [PACKAGE_NAME]: `file:${join(scratch, info.filename)}`,
          'aws-cdk-lib': linked('aws-cdk-lib'),
          constructs: linked('constructs'),
          esbuild: linked('esbuild'),
        },
      }),
    );
    writeFileSync(join(app, 'app.ts'), CONSUMER_APP);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG));
    step('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
  }, 300_000);

  afterAll(() => {
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
    if (!distBefore) rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
  });

  it('ships the compiled library, handlers and CLI, and no TypeScript source, test or script', () => {
    // Assess
    expect(packedFiles).toEqual(
      expect.arrayContaining(['package.json', 'bin/apigw-5xx.mjs', 'dist/bin/cli.js', 'dist/bin/ops/cli.js']),
    );
    expect(packedFiles).toEqual(expect.arrayContaining(['dist/lib/index.js', 'dist/lib/index.d.ts']));
    expect(packedFiles).toEqual(expect.arrayContaining(['dist/lambda/handler.js', 'dist/lambda/forwarder/handler.js']));
    const unexpected = packedFiles.filter(
      (f) =>
        !/^(package\.json|README\.md|CHANGELOG\.md|LICENSE|bin\/apigw-5xx\.mjs|dist\/(lib|lambda)\/.+\.(js|d\.ts)|dist\/bin\/cli\.js|dist\/bin\/ops\/[a-z-]+\.js)$/.test(
          f,
        ),
    );
    expect(unexpected).toEqual([]);
  });

  it('type-checks a TypeScript app against the declarations the package exports', () => {
    // Act
    const checked = run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], app);
    // Assess
    expect(`${checked.stdout}${checked.stderr}`).toBe('');
    expect(checked.code).toBe(0);
  });

  it('synthesizes a stack with the construct, bundling both handlers from the installed package with esbuild', () => {
    // Act
    step(join(ROOT, 'node_modules/.bin/tsx'), ['app.ts'], app);
    // Assess
    const outdir = join(app, 'cdk.out');
    const template = JSON.parse(readFileSync(join(outdir, 'Consumer.template.json'), 'utf8')) as Template;
    const resources = Object.values(template.Resources);
    const alarms = resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    // One alarm on the API's 5XXError; the others watch the responder and its forwarder (self-monitoring).
    const apiAlarms = alarms.filter((a) => a.Properties?.Namespace === 'AWS/ApiGateway');
    expect(apiAlarms).toHaveLength(1);
    expect(apiAlarms[0]?.Properties).toMatchObject({ MetricName: '5XXError', Namespace: 'AWS/ApiGateway' });
    expect(alarms.length).toBeGreaterThan(1);
    const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => f.Properties?.Handler)).toEqual(['index.handler', 'index.handler']);

    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    const bundledFrom = assets.map((asset) => {
      const map = JSON.parse(readFileSync(join(outdir, asset, 'index.mjs.map'), 'utf8')) as { sources: string[] };
      return map.sources.filter((s) => s.includes(`node_modules/${PACKAGE_NAME}/dist/lambda/`)).length;
    });
    // Two bundles (responder and Slack forwarder), each built from the package's compiled handler modules.
    expect(bundledFrom).toHaveLength(2);
    for (const count of bundledFrom) expect(count).toBeGreaterThan(0);
  });

  it('bundles a responder handler that loads and exports handler', () => {
    // Prepare
    const outdir = join(app, 'cdk.out');
    const responder = readdirSync(outdir)
      .filter((d) => d.startsWith('asset.'))
      .map((d) => join(outdir, d, 'index.mjs'))
      .find((file) => readFileSync(file, 'utf8').includes('RESPONDER_CONFIG'));
    expect(responder).toBeDefined();
    // Act: a fresh Node process imports the bundle from outside any node_modules, as Lambda does.
    const loaded = step(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(responder)}); console.log(typeof m.handler)`,
      ],
      scratch,
    );
    // Assess
    expect(loaded.stdout.trim()).toBe('function');
  });

  it('runs the packaged CLI through npx, with the same diagnosis as the repository source', () => {
    // Prepare
    expect(existsSync(join(app, 'node_modules', PACKAGE_NAME, 'bin', 'cli.ts'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(false);
    // Act
    const packaged = step('npx', ['--no', 'apigw-5xx', 'diagnose', '--format', 'json', FIXTURE], app, {
      npm_config_offline: 'true',
    });
    const source = step(
      process.execPath,
      [join(ROOT, 'bin/apigw-5xx.mjs'), 'diagnose', '--format', 'json', FIXTURE],
      ROOT,
    );
    // Assess
    expect(packaged.stderr).toBe('');
    const diagnosis = JSON.parse(packaged.stdout) as { causes?: Array<{ cause: string }> };
    expect(diagnosis).toEqual(JSON.parse(source.stdout));
    expect(packaged.stdout).toContain('lambda_permission');
    expect(packaged.stdout).toContain('malformed_lambda_response');
  });

  it('says which AWS SDK clients to install when check runs where the package brought none', () => {
    // Act: the consumer app has aws-cdk-lib but no AWS SDK v3 clients (the package ships none).
    const checked = run(
      'npx',
      ['--no', 'apigw-5xx', 'check', '--function-name', 'responder', '--region', 'us-east-1'],
      app,
      {
        npm_config_offline: 'true',
      },
    );
    // Assess: a usage exit with the install command, not a stack trace.
    expect(checked.code).toBe(2);
    expect(checked.stderr).toMatch(
      /check and replay call AWS with the AWS SDK for JavaScript v3, and @aws-sdk\/client-[a-z0-9-]+ is not installed/,
    );
    expect(checked.stderr).toContain('npm install --save-dev @aws-sdk/client-api-gateway');
    expect(checked.stderr).not.toMatch(/\n\s+at /);
  });
});
