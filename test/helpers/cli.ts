import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The command's entry, as `npx apigw-5xx` runs it. */
export const CLI_BIN = join(import.meta.dirname, '../../bin/apigw-5xx.mjs');

/** Runs the real command as a separate process, as `npx apigw-5xx` would, with `input` on its standard input. */
export function runCli(args: readonly string[], input?: string | Buffer) {
  const result = spawnSync(process.execPath, [CLI_BIN, ...args], { input: input ?? '', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
}
