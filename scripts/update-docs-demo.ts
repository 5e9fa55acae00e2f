/**
 * Rewrites the demo output shown in README.md and docs/notifications.md (the blocks marked `<!-- demo: NAME -->`
 * and the README's `Subject:` line) with what `npm run demo` prints now. Run it after changing the demo or a
 * renderer; test/e2e/docs-demo.e2e.test.ts fails until the docs show the current output.
 *
 *   npx tsx scripts/update-docs-demo.ts
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoSections, demoSubject } from '../test/docs-helpers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
  cwd: ROOT,
  encoding: 'utf8',
  env: { ...process.env, NODE_NO_WARNINGS: '1' },
});
if (run.status !== 0) {
  process.stderr.write(`the demo failed (${run.status}):\n${run.stderr}`);
  process.exit(1);
}
const sections = demoSections(run.stdout);
const subject = demoSubject(run.stdout);
for (const file of ['README.md', 'docs/notifications.md']) {
  const path = join(ROOT, file);
  let text = readFileSync(path, 'utf8').replace(
    /(<!-- demo: ([a-z]+) -->\n```[a-z]*\n)([\s\S]*?)(\n```\n)/g,
    (whole, open: string, name: string, _body: string, close: string) => {
      const printed = sections.get(name);
      return printed === undefined ? whole : `${open}${printed}${close}`;
    },
  );
  if (subject !== undefined) text = text.replace(/^Subject: `\[ALARM\] .*`$/m, `Subject: \`${subject}\``);
  writeFileSync(path, text);
  process.stdout.write(`updated ${file}\n`);
}
