/**
 * Test plumbing for "apply the printed fix": read the fix steps out of a rendered notification, split each printed
 * command into argv the way a POSIX shell would (without running a shell on log-derived text), fill the
 * `<placeholders>` an engineer fills from the printed lookup steps, and run it with the AWS CLI against the local
 * endpoint with fake credentials and no user configuration.
 */
import { spawnSync } from 'node:child_process';
import { LOCAL_REGION } from '../../scripts/local-aws.js';

/** One step of a cause's fix as the text notification prints it. */
export interface PrintedStep {
  readonly text: string;
  readonly command?: string;
}

/** Characters a POSIX shell treats specially outside quotes: printed commands must quote them. */
const UNQUOTED_SPECIAL = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`', '*', '?', '[', ']', '"', '\n', '\t']);

/**
 * Splits a command line into words as a POSIX shell would for the forms the responder prints: unquoted words,
 * single-quoted strings (no escapes inside), and backslash escapes outside quotes. Double quotes and every other
 * shell-special character outside single quotes are refused with an error naming them, since a shell would expand,
 * redirect or glob them: a printed command that needs them is not safe to paste.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote at ${i} in: ${line}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '\\') {
      if (i + 1 >= line.length) throw new Error(`trailing backslash in: ${line}`);
      word += line[i + 1];
      inWord = true;
      i++;
    } else if (ch === ' ') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (UNQUOTED_SPECIAL.has(ch) || (ch === '#' && !inWord) || (ch === '~' && !inWord)) {
      throw new Error(`unquoted shell-special character ${JSON.stringify(ch)} at ${i} in: ${line}`);
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * The fix steps of one cause from a text notification (lambda/render/text.ts): the numbered lines after `Fix:` in
 * the section `== N. ... [cause]: ...`, each with the `$ command` line under it.
 */
export function printedFix(text: string, cause: string): PrintedStep[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^== \d+\. /.test(l) && l.includes(`[${cause}]`));
  if (start < 0) throw new Error(`no section for ${cause} in the notification:\n${text}`);
  const fix = lines.findIndex((l, i) => i > start && l === 'Fix:');
  if (fix < 0) throw new Error(`the ${cause} section has no Fix:`);
  const steps: Array<{ text: string; command?: string }> = [];
  for (const line of lines.slice(fix + 1)) {
    const step = /^ {2}\d+\. (.*)$/.exec(line);
    const command = /^ {5}\$ (.*)$/.exec(line);
    if (step?.[1] !== undefined) steps.push({ text: step[1] });
    else if (command?.[1] !== undefined && steps.length > 0)
      (steps[steps.length - 1] as { command?: string }).command = command[1];
    else break;
  }
  return steps;
}

/**
 * Replaces each `<name>` in a printed command with the value an engineer would paste; fails when one is left.
 */
export function fillPlaceholders(command: string, values: Readonly<Record<string, string>>): string {
  const filled = command.replace(/<([a-z][a-z-]*)>/g, (whole, name: string) => values[name] ?? whole);
  const left = /<[a-z][a-z-]*>/.exec(filled);
  if (left !== null) throw new Error(`the printed command needs ${left[0]}, which no printed step finds: ${command}`);
  return filled;
}

export interface AwsRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `aws ARGS --endpoint-url ENDPOINT` with fake credentials and no user configuration, so nothing real is read
 * or reached. `argv[0]` must be `aws`.
 */
export function runAws(
  awsPath: string,
  argv: readonly string[],
  endpoint: string,
  extra: readonly string[] = [],
): AwsRun {
  if (argv[0] !== 'aws') throw new Error(`not an AWS CLI command: ${argv.join(' ')}`);
  const out = spawnSync(awsPath, [...argv.slice(1), ...extra, '--endpoint-url', endpoint], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      // One attempt: a local endpoint that refuses a call refuses it again.
      AWS_MAX_ATTEMPTS: '1',
    },
  });
  return { status: out.status, stdout: out.stdout ?? '', stderr: out.stderr ?? '' };
}
