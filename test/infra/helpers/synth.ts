/** Builds the responder stack the way `cdk synth` does (cdk.json feature flags), for template assertions. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
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
