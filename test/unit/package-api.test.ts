import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_DOC, type ApiType, collectApi, PROJECT_ROOT, renderApi } from '../../scripts/api-doc.js';

/** `@default 60`, `@default 'ERROR'` or `@default - a sentence about the behaviour`, as aws-cdk-lib writes them. */
const CDK_DEFAULT = /^(- \S.*|[^\s-].*)$/;

describe('the package API (lib/index.ts)', () => {
  let api: ApiType[] = [];

  beforeAll(() => {
    api = collectApi();
  }, 120_000);

  it('lists the construct, its props and the settings types the props reach', () => {
    // Assess
    const names = api.map((t) => `${t.kind} ${t.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'construct ApiGateway5xxResponder',
        'props ApiGateway5xxResponderProps',
        'settings RestApiConfig',
        'settings HttpApiConfig',
        'settings CountThreshold',
        'settings RateThreshold',
        'settings ChatbotSettings',
        'settings SlackWebhookSettings',
        'settings NotificationRoute',
      ]),
    );
  });

  it('documents every prop, and names the default of every optional one as aws-cdk-lib does', () => {
    // Act
    const undocumented = api.flatMap((t) => t.members.filter((m) => m.doc === '').map((m) => `${t.name}.${m.name}`));
    const withoutDefault = api
      .filter((t) => t.kind !== 'construct')
      .flatMap((t) =>
        t.members
          .filter((m) => m.optional && !m.never && !CDK_DEFAULT.test(m.default ?? ''))
          .map((m) => `${t.name}.${m.name} (@default ${JSON.stringify(m.default)})`),
      );
    // Assess
    expect(undocumented).toEqual([]);
    expect(withoutDefault).toEqual([]);
  });

  it('keeps docs/API.md as the source generates it', () => {
    // Assess
    expect(readFileSync(API_DOC, 'utf8'), 'run `npx tsx scripts/api-doc.ts`').toBe(renderApi(api));
  });

  it('exports the construct from the entry that package.json names for consumers', async () => {
    // Prepare
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
    };
    // Act
    const entry = await import('../../lib/index.js');
    // Assess
    expect(manifest.exports['.']).toEqual({ types: './dist/lib/index.d.ts', default: './dist/lib/index.js' });
    expect(typeof entry.ApiGateway5xxResponder).toBe('function');
    expect(typeof entry.ResponderStack).toBe('function');
    expect(entry.DEFAULT_HANDLER_ENTRY).toBe(join(PROJECT_ROOT, 'lambda', 'handler.ts'));
  });
});
