import { execFileSync } from 'node:child_process';

/**
 * The arguments `aws` would receive if a user pasted `command` (a command the project prints) into bash with
 * the given variables set: bash does the quoting and expansion, a shell function named `aws` stands in for the
 * CLI and prints each argument NUL-terminated. Nothing runs but bash.
 */
export function awsArgumentsOf(command: string, variables: Record<string, string> = {}): string[] {
  const script = `aws() { printf '%s\\0' "$@"; }\n${command}\n`;
  // --norc: with its standard input a socket (how Node gives a child its pipes) bash takes itself for a remote
  // shell and would read ~/.bashrc.
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', script], {
    env: { PATH: process.env.PATH ?? '', ...variables },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out.toString('utf8').split('\0').slice(0, -1);
}

/** The value that follows `option` in `args`, or undefined. */
export function optionValue(args: string[], option: string): string | undefined {
  const at = args.indexOf(option);
  return at >= 0 ? args[at + 1] : undefined;
}

/** The text of the first backtick span in `message` that starts with `aws `. */
export function firstAwsCommand(message: string): string {
  const found = /`(aws [^`]+)`/.exec(message);
  if (found?.[1] === undefined) throw new Error(`no \`aws ...\` command in: ${message}`);
  return found[1];
}
