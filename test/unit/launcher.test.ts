import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const LAUNCHER = join(import.meta.dirname, '../../bin/apigw-5xx.mjs');

/** The launcher as the installed package lays it out: bin/apigw-5xx.mjs beside dist/, no bin/cli.ts, no tsx. */
describe('bin/apigw-5xx.mjs in the installed layout', () => {
  let pkg = '';

  beforeEach(() => {
    pkg = mkdtempSync(join(tmpdir(), 'apigw-5xx-launcher-'));
    mkdirSync(join(pkg, 'bin'));
    copyFileSync(LAUNCHER, join(pkg, 'bin', 'apigw-5xx.mjs'));
  });

  afterEach(() => {
    rmSync(pkg, { recursive: true, force: true });
  });

  const run = (...args: string[]) =>
    spawnSync(process.execPath, [join(pkg, 'bin', 'apigw-5xx.mjs'), ...args], { encoding: 'utf8', timeout: 30_000 });

  it('runs the compiled CLI from dist/bin/cli.js with the arguments and exits with its code', () => {
    // Prepare: a stand-in compiled CLI that echoes its arguments.
    mkdirSync(join(pkg, 'dist', 'bin'), { recursive: true });
    writeFileSync(
      join(pkg, 'dist', 'bin', 'cli.js'),
      'export async function main(args, io) { io.stdout.write(JSON.stringify(args)); return 3; }\n',
    );
    // Act
    const result = run('diagnose', 'logs.json');
    // Assess
    expect(result.stdout).toBe('["diagnose","logs.json"]');
    expect(result.status).toBe(3);
  });

  it('fails with exit code 2 and says how to build when dist/ is missing', () => {
    // Act
    const result = run('diagnose', 'logs.json');
    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('dist/bin/cli.js) is missing: run `npm run compile`');
    expect(result.stdout).toBe('');
  });
});
