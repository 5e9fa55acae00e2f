import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';

/** The descriptors this process holds open on `path`. */
function fdsOn(path: string): string[] {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  });
}

function logFile(): string {
  const dir = tempDir('review-cli-');
  const file = join(dir, 'a.log');
  writeFileSync(file, '(abc) Method completed with status: 502\n');
  return file;
}

describe('CLI opens its inputs without leaking them', () => {
  it('closes the files it opened when standard input (-) turns out to be a terminal', async () => {
    const file = logFile();
    const err: string[] = [];
    const io = {
      stdin: Object.assign((async function* () {})(), { isTTY: true }),
      stdout: { write: () => true },
      stderr: { write: (t: string) => err.push(t) },
    };
    const code = await main(['diagnose', file, '-'], io);
    expect(code).toBe(2);
    expect(err.join('')).toContain('no input');
    expect(fdsOn(file)).toEqual([]);
  });

  it('closes the files not yet read when reading an earlier input fails', async () => {
    const file = logFile();
    const io = {
      stdin: Object.assign(
        (async function* () {
          yield '(abc) Method completed with status: 502\n';
          throw Object.assign(new Error('read error'), { code: 'EIO' });
        })(),
        { isTTY: false },
      ),
      stdout: { write: () => true },
      stderr: { write: () => true },
    };
    await expect(main(['diagnose', '-', file], io)).rejects.toThrow('read error');
    expect(fdsOn(file)).toEqual([]);
  });
});
