/** Builds the responder stack the way `cdk synth` does (cdk.json feature flags), for template assertions. */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { ResponderSettings } from '../../../lib/config.js';
import { ResponderStack } from '../../../lib/responder-stack.js';

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
  /** Where the cloud assembly goes. @default - a new temporary folder */
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
  const outdir = options.outdir ?? mkdtempSync(join(tmpdir(), 'apigw-5xx-infra-'));
  const app = new App({
    outdir,
    context: {
      ...projectContext(),
      // An empty list tells NodejsFunction to skip bundling (a placeholder asset is used).
      ...(options.bundle === true ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
  const stack = new ResponderStack(app, 'TestResponder', {
    ...(settings !== undefined ? { settings } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
  });
  return { app, stack, template: Template.fromStack(stack), outdir };
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
 * project's node_modules as they do from the Lambda runtime.
 */
export function bundledResponderAsset(settings: ResponderSettings = TWO_APIS): string {
  const parent = join(PROJECT_ROOT, 'cdk.out');
  mkdirSync(parent, { recursive: true });
  const outdir = mkdtempSync(join(parent, 'infra-test-'));
  const { template } = synthResponder(settings, { bundle: true, outdir });
  const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
  const code = fn?.Properties.Code as { S3Key?: string } | undefined;
  if (code?.S3Key === undefined) throw new Error('the synthesized stack has no bundled Lambda function');
  // The asset folder is named after the hash the function's S3 key carries.
  return join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
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
