#!/usr/bin/env node
// Entry of the `apigw-5xx` command: runs the TypeScript CLI through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

// A reader that stopped reading (`apigw-5xx classify FILE | head`) is no error: end quietly, exit 0.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

register();
const { main } = await import('./cli.ts');
try {
  process.exitCode = await main(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  });
} catch (error) {
  if (error?.code === 'EPIPE') process.exit(0);
  process.stderr.write(`apigw-5xx: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
}
