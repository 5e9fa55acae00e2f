/**
 * The notification shown in README.md and docs/notifications.md is what `npm run demo` prints now. The demo runs as a
 * user runs it (its own local AWS endpoint), and every fenced block marked `<!-- demo: NAME -->` must equal the part
 * of its output NAME stands for, once what differs from run to run (the API id, request ids, deployment id, times)
 * is masked. A change to the demo or to the renderers that is not carried into the docs fails here:
 * `npx tsx scripts/update-docs-demo.ts` rewrites the marked blocks with the demo's current output.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoBlocks, demoSections, demoSubject, maskRunSpecific } from '../docs-helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCS = ['README.md', 'docs/notifications.md'];

describe('the demo output shown in the docs', () => {
  let output = '';

  beforeAll(() => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    if (run.status !== 0) throw new Error(`npm run demo failed (${run.status}): ${run.stderr}`);
    output = run.stdout;
  }, 300_000);

  it('shows every section the demo prints, and each block is exactly what the demo prints now', () => {
    // Prepare
    const sections = demoSections(output);
    const blocks = DOCS.flatMap((file) =>
      demoBlocks(readFileSync(join(ROOT, file), 'utf8')).map((block) => ({ file, ...block })),
    );
    // Act
    const compared = blocks.map(({ file, name, text }) => ({
      where: `${file} <!-- demo: ${name} -->`,
      shown: maskRunSpecific(text),
      printed: maskRunSpecific(sections.get(name) ?? `(the demo prints no section "${name}")`),
    }));
    // Assess
    expect(blocks.map((b) => b.name).sort()).toEqual([...sections.keys()].sort());
    for (const { where, shown, printed } of compared) expect(shown, where).toBe(printed);
  });

  it('shows the subject the demo published', () => {
    const subject = demoSubject(output);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

    expect(subject).toMatch(/^\[ALARM\] orders-api\/prod: /);
    expect(readme).toContain(`Subject: \`${subject}\``);
  });

  it('leads with the same change on every run', () => {
    expect(demoSections(output).get('email')).toMatch(
      /^Cause: .*; changed: orders-api\/prod was deployed less than a minute before the first 502\n/,
    );
  });
});
