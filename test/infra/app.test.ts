import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, projectContext, validationReport } from './helpers/synth.js';

interface AppRun {
  readonly status: number | null;
  readonly stderr: string;
  readonly outdir: string;
}

/** Folders the runs made, removed after the tests. */
const made: string[] = [];

/**
 * Runs bin/app.ts as the CDK CLI does: context in CDK_CONTEXT_JSON, output folder in CDK_OUTDIR. `preload` is a
 * module run first (`tsx --import`).
 */
function runApp(context: Record<string, unknown>, preload?: string): AppRun {
  const outdir = mkdtempSync(join(tmpdir(), 'apigw-5xx-app-'));
  made.push(outdir);
  // Environment-agnostic, as on a machine without AWS credentials.
  const { CDK_DEFAULT_ACCOUNT: _account, CDK_DEFAULT_REGION: _region, ...env } = process.env;
  const args = [...(preload !== undefined ? ['--import', preload] : []), join(PROJECT_ROOT, 'bin', 'app.ts')];
  const result = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), args, {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...env, CDK_CONTEXT_JSON: JSON.stringify({ ...projectContext(), ...context }), CDK_OUTDIR: outdir },
  });
  return { status: result.status, stderr: result.stderr, outdir };
}

describe('bin/app.ts', () => {
  let example: AppRun;

  beforeAll(() => {
    // The bundling tests cover esbuild; here the app's wiring is under test.
    example = runApp({ 'aws:cdk:bundling-stacks': [] });
  });

  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('synthesizes the example configuration when given none, and warns about it', () => {
    expect(example.stderr).not.toMatch(/Error/);
    expect(example.status).toBe(0);
    const template = JSON.parse(readFileSync(join(example.outdir, 'ApiGateway5xxResponder.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    // Two API alarms and four on the responder itself.
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm')).toHaveLength(6);
    const annotations = validationReport(example.outdir).pluginReports.find(
      (plugin) => plugin.pluginName === 'Construct Annotations',
    );
    expect(annotations?.violations.map((v) => v.ruleName)).toContain('Annotation::apigw-5xx-responder:example-config');
    expect(example.stderr).toContain('config.example.json was used');
  });

  it('reports no cdk-nag finding during synthesis', () => {
    // The AwsSolutions plugin appears in the report only when it has findings (and then fails the synthesis);
    // the next test shows it runs.
    const nag = validationReport(example.outdir).pluginReports.filter((plugin) => plugin.pluginName === 'AwsSolutions');
    expect(nag).toEqual([]);
    expect(example.stderr).not.toContain('AwsSolutions-');
  });

  it('runs cdk-nag during synthesis: a construct it flags fails the synthesis with the finding', () => {
    // Prepare: an SNS topic with no SSL-only policy is added to the app's stack just before synthesis.
    const probe = join(PROJECT_ROOT, 'test', 'infra', 'helpers', 'nag-probe.ts');
    // Act
    const run = runApp({ 'aws:cdk:bundling-stacks': [] }, probe);
    // Assess
    expect(run.status).not.toBe(0);
    const nag = validationReport(run.outdir).pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions');
    expect(nag?.violations.map((v) => v.ruleName)).toContain('AwsSolutions-SNS3');
    expect(run.stderr).toContain('ApiGateway5xxResponder/NagProbeTopic/Resource');
  });

  it('fails with every configuration problem listed and no stack trace', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'apigw-5xx-app-config-'));
    made.push(dir);
    const file = join(dir, 'bad.json');
    // An empty REST name (a missing one is looked up at deploy time since issue 13).
    writeFileSync(
      file,
      JSON.stringify({ apis: [{ type: 'REST', name: '', id: 'ABC', stage: 'prod' }], emails: ['x'] }),
    );
    // Act
    const run = runApp({ config: file, 'aws:cdk:bundling-stacks': [] });
    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Invalid apigw-5xx-responder configuration (3 problems):');
    expect(run.stderr).toContain('apis[0].id must be a 10-character API Gateway id');
    expect(run.stderr).toContain('apis[0].name must be the REST API name');
    expect(run.stderr).toContain('emails[0] must be an email address, got "x"');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
