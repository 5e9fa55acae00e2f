/**
 * Global setup of the whole run (both projects):
 * - the run gets a temporary folder of its own (TMPDIR for the workers and every process they start), so what
 *   a test leaves behind is found, whatever else runs on the machine; at the end the run fails, naming what was
 *   left there or in the project's cdk.out/ (and removes it either way: a folder cdk.out/ that was there before
 *   the run keeps what it held);
 * - the AWS SDK's Node.js version warning is turned off with the switch the SDK documents
 *   (AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, https://github.com/aws/aws-sdk-js-v3/issues/7983): on
 *   Node 20 every worker and process that loads a client would print it.
 */
import { existsSync, mkdtempSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CDK_OUT = fileURLToPath(new URL('../cdk.out', import.meta.url));
/**
 * Caches tools keep in the temporary folder across runs, not files a test made: tsx's compile cache, and on
 * Node 22 the module compile cache (`node-compile-cache`) that Vite and TypeScript turn on with
 * module.enableCompileCache(). Both live in the run's folder and go with it.
 */
const TOOL_CACHES = /^(tsx-\d+|node-compile-cache)$/;

function entries(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

export default function setup(): () => void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const runTmp = mkdtempSync(join(tmpdir(), 'apigw-5xx-test-run-'));
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = runTmp;
  const cdkOutExisted = existsSync(CDK_OUT);
  const cdkOutBefore = new Set(entries(CDK_OUT));

  return () => {
    const leftTmp = entries(runTmp).filter((name) => !TOOL_CACHES.test(name));
    const leftCdkOut = entries(CDK_OUT).filter((name) => !cdkOutBefore.has(name));
    rmSync(runTmp, { recursive: true, force: true });
    for (const name of leftCdkOut) rmSync(join(CDK_OUT, name), { recursive: true, force: true });
    if (!cdkOutExisted && existsSync(CDK_OUT)) rmdirSync(CDK_OUT);
    const left = [...leftTmp.map((name) => `<tmp>/${name}`), ...leftCdkOut.map((name) => `cdk.out/${name}`)];
    if (left.length > 0) {
      // Vitest reports an error thrown here but keeps the exit code of the tests: set it too.
      process.exitCode = 1;
      throw new Error(
        `The test run left ${left.length} file(s) behind: ${left.join(', ')}. ` +
          'Make them with tempDir (test/helpers/temp-dirs.ts), or remove them in afterEach/afterAll.',
      );
    }
  };
}
