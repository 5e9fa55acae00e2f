#!/usr/bin/env node
// Entry of the `apigw-5xx` command.
// - Installed package: runs the compiled CLI, dist/bin/cli.js (no TypeScript loader at start).
// - Checkout of the repository (bin/cli.ts beside this file): runs the TypeScript source through tsx, so what runs is
//   what was edited, never a stale build. `npm run compile` builds dist/ (npm pack and npm publish do it by `prepack`).
import { existsSync } from 'node:fs';

// A reader that stopped reading (`apigw-5xx classify FILE | head`) is no error: end quietly, exit 0.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

const source = new URL('./cli.ts', import.meta.url);
const compiled = new URL('../dist/bin/cli.js', import.meta.url);

async function loadCli() {
  if (existsSync(source)) {
    let register;
    try {
      ({ register } = await import('tsx/esm/api'));
    } catch {
      if (!existsSync(compiled)) return undefined;
      return import(compiled.href);
    }
    register();
    return import(source.href);
  }
  if (existsSync(compiled)) return import(compiled.href);
  return undefined;
}

const cli = await loadCli();
if (cli === undefined) {
  process.stderr.write(
    'apigw-5xx: the compiled CLI (dist/bin/cli.js) is missing: run `npm run compile` in the package folder ' +
      '(npm pack builds it), or install the published package.\n',
  );
  process.exitCode = 2;
} else {
  try {
    process.exitCode = await cli.main(process.argv.slice(2), {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
    });
  } catch (error) {
    if (error?.code === 'EPIPE') process.exit(0);
    process.stderr.write(`apigw-5xx: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  }
}
