/**
 * Temporary folders for tests. Each one is removed after its test file (test/setup/remove-temp-dirs.ts runs
 * removeTempDirs in afterAll); test/global-setup.ts fails the run if anything is left behind.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

/** A new folder named `<prefix><random>` under `parent` (the system's temporary folder by default). */
export function tempDir(prefix: string, parent: string = tmpdir()): string {
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, prefix));
  made.add(dir);
  return dir;
}

/** Removes every folder tempDir made in this test file. */
export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
