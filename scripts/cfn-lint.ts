/**
 * Runs cfn-lint (a Python tool) on synthesized CloudFormation templates.
 *
 *   npx tsx scripts/cfn-lint.ts [TEMPLATE...]      (default: cdk.out/*.template.json)
 *
 * cfn-lint is taken from the project's `.venv/bin/cfn-lint` when present, else from PATH.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What to do when cfn-lint is missing. */
export const CFN_LINT_INSTALL_HINT =
  'cfn-lint was not found in .venv/bin or on PATH: run `.ci/run`, or `python3 -m venv .venv && .venv/bin/pip install cfn-lint`';

/**
 * Checks skipped, each with the reason. Everything else cfn-lint reports fails the lint.
 */
export const IGNORED_CHECKS: Readonly<Record<string, string>> = {
  // aws-cdk-lib's Function adds a construct dependency on its role so that the role's policy exists before the
  // function; the DependsOn it renders also names the role itself, which `Role: Fn::GetAtt` already orders.
  // Harmless, and not removable without overriding CDK's rendering. https://github.com/aws/aws-cdk/issues/24578
  W3005: 'redundant DependsOn on the Lambda role rendered by aws-cdk-lib',
};

/** The cfn-lint executable to run, or undefined when there is none. */
export function findCfnLint(root: string = PROJECT_ROOT): string | undefined {
  const venv = join(root, '.venv', 'bin', 'cfn-lint');
  if (existsSync(venv)) return venv;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, 'cfn-lint'))) return join(dir, 'cfn-lint');
  }
  return undefined;
}

export interface CfnLintResult {
  /** cfn-lint's exit code: 0 clean; 2 errors, 4 warnings, 8 informational (bits combined). */
  readonly exitCode: number;
  /** What cfn-lint printed (findings, or why it could not run). */
  readonly output: string;
}

/** Lints the templates with the project's ignore list. */
export function runCfnLint(templates: readonly string[], executable: string): CfnLintResult {
  const result = spawnSync(executable, ['--ignore-checks', ...Object.keys(IGNORED_CHECKS), '--', ...templates], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.error !== undefined) {
    return { exitCode: -1, output: `could not run ${executable}: ${result.error.message}` };
  }
  return { exitCode: result.status ?? -1, output: `${result.stdout}${result.stderr}`.trim() };
}

/** The CloudFormation templates in a cloud assembly folder. */
export function templatesIn(outdir: string): string[] {
  return readdirSync(outdir)
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => join(outdir, file));
}

function main(argv: readonly string[]): number {
  const executable = findCfnLint();
  if (executable === undefined) {
    console.error(CFN_LINT_INSTALL_HINT);
    return 1;
  }
  const outdir = join(PROJECT_ROOT, 'cdk.out');
  const templates = argv.length > 0 ? [...argv] : existsSync(outdir) ? templatesIn(outdir) : [];
  if (templates.length === 0) {
    console.error('no templates to lint: run `npx cdk synth` first, or name the template files');
    return 1;
  }
  const { exitCode, output } = runCfnLint(templates, executable);
  if (output !== '') console.log(output);
  console.log(exitCode === 0 ? `cfn-lint: ${templates.length} template(s) clean` : `cfn-lint: exit code ${exitCode}`);
  return exitCode === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
