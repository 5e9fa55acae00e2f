/** Builds the responder stack the way `cdk synth` does (cdk.json feature flags), for template assertions. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { ResponderSettings } from '../../../lib/config.js';
import { ResponderStack } from '../../../lib/responder-stack.js';
import { tempDir } from '../../helpers/temp-dirs.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The context of cdk.json (feature flags and CLI settings), so tests synthesize what the CLI would. */
export function projectContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return { ...cdkJson.context };
}

export interface SynthOptions {
  /** Run esbuild as `cdk synth` does; off by default, since only the bundling tests need the asset. */
  readonly bundle?: boolean;
  /** Extra context, e.g. `{ config: 'file.json' }`. */
  readonly context?: Record<string, unknown>;
  /** Where the cloud assembly goes. @default - a new temporary folder, removed after the test file */
  readonly outdir?: string;
  /** The stack's account and region. @default - environment-agnostic */
  readonly env?: Environment;
}

export interface Synthesized {
  readonly app: App;
  readonly stack: ResponderStack;
  readonly template: Template;
  readonly outdir: string;
}

/** One stack per call: `settings` given directly, or read from context when undefined. */
export function synthResponder(settings: ResponderSettings | undefined, options: SynthOptions = {}): Synthesized {
  const outdir = options.outdir ?? tempDir('apigw-5xx-infra-');
  const app = new App({
    outdir,
    context: {
      ...projectContext(),
      // The validation report (construct annotations, plugins) is written to the assembly and read below, not
      // printed by the app: tests assert what it says (see validationReport).
      [FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT]: false,
      // An empty list tells NodejsFunction to skip bundling (a placeholder asset is used).
      ...(options.bundle === true ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
  const stack = new ResponderStack(app, 'TestResponder', {
    ...(settings !== undefined ? { settings } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
  });
  const template = Template.fromStack(stack);
  const failed = validationReport(outdir).pluginReports.filter((plugin) => plugin.conclusion !== 'success');
  if (failed.length > 0) {
    throw new Error(
      `synthesis validation failed: ${failed.map((p) => `${p.pluginName}: ${p.violations.map((v) => v.ruleName).join(', ')}`).join('; ')}`,
    );
  }
  return { app, stack, template, outdir };
}

/** The validation report synthesis wrote to `outdir` (construct annotations and validation plugins). */
export interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly conclusion: 'success' | 'failure';
    readonly violations: readonly {
      readonly ruleName: string;
      readonly description: string;
      readonly severity?: string;
      readonly violatingConstructs: readonly { readonly constructPath: string }[];
    }[];
  }[];
}

export function validationReport(outdir: string): ValidationReport {
  const file = join(outdir, 'validation-report.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ValidationReport) : { pluginReports: [] };
}

/** A REST API and an HTTP API, the first with an access log group and backend functions. */
export const TWO_APIS: ResponderSettings = {
  apis: [
    {
      type: 'REST',
      name: 'orders',
      id: 'a1b2c3d4e5',
      stage: 'prod',
      accessLogGroup: '/aws/apigateway/orders-access',
      functionNames: ['orders-create', 'orders-get'],
    },
    { type: 'HTTP', id: 'f6g7h8i9j0', stage: '$default' },
  ],
  emails: ['oncall@example.com', 'lead@example.com'],
};

/**
 * Synthesizes the stack with real bundling and returns the folder of the function's asset (as deployed):
 * `index.mjs` (ES module exporting `handler`) and `index.mjs.map`. For tests that run the deployed bundle.
 * The assembly goes under the project's cdk.out/, so the bundle's `@aws-sdk/*` imports resolve from the
 * project's node_modules as they do from the Lambda runtime. The assembly is removed after the test file.
 */
export function bundledResponderAsset(settings: ResponderSettings = TWO_APIS): string {
  const outdir = tempDir('infra-test-', join(PROJECT_ROOT, 'cdk.out'));
  const assets = bundledAssets(settings, outdir);
  const first = Object.values(assets)[0];
  if (first === undefined) throw new Error('the synthesized stack has no bundled Lambda function');
  return first;
}

/**
 * Synthesizes the stack with real bundling into `outdir` and returns each Lambda function's asset folder, by the
 * function's logical id. The synthesis runs in a child process whose output is kept, and shown only when it fails:
 * the CDK announces each bundling on stderr and esbuild (a process of its own, writing straight to the inherited
 * stream) prints its summary there, which no capture inside the test process reaches.
 */
export function bundledAssets(settings: ResponderSettings, outdir: string): Record<string, string> {
  const child = spawnSync(
    join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
    [join(PROJECT_ROOT, 'test', 'infra', 'helpers', 'synth-bundled.ts'), outdir],
    { cwd: PROJECT_ROOT, input: JSON.stringify(settings), encoding: 'utf8', timeout: 240_000 },
  );
  if (child.status !== 0) {
    throw new Error(`bundled synthesis failed (exit ${child.status}):\n${child.stdout}${child.stderr}`);
  }
  const template = JSON.parse(readFileSync(join(outdir, 'TestResponder.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: { Code?: { S3Key?: string } } }>;
  };
  const out: Record<string, string> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    const key = resource.Properties?.Code?.S3Key;
    // The asset folder is named after the hash the function's S3 key carries.
    if (resource.Type === 'AWS::Lambda::Function' && key !== undefined) {
      out[id] = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
    }
  }
  return out;
}

/** Every cdk-nag acknowledgement recorded in the tree under `scope`: construct path, rule id and reason. */
export function acknowledgements(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/**
 * cdk-nag's findings on a stack. Its EventBusOpenAccess rule reads CfnEventBusPolicy's deprecated `principal` (the
 * central stack sets a policy statement, not it), and aws-cdk-lib prints a deprecation warning for that read: the
 * check runs with deprecation warnings quiet, and leaves the setting as it was.
 */
export function nagFindings(stack: IConstruct): string[] {
  const mode = process.env.JSII_DEPRECATED;
  process.env.JSII_DEPRECATED = 'quiet';
  try {
    return new AwsSolutionsChecks().validateScope(stack).violations.map((v) => `${v.ruleName}: ${v.description}`);
  } finally {
    if (mode === undefined) delete process.env.JSII_DEPRECATED;
    else process.env.JSII_DEPRECATED = mode;
  }
}
