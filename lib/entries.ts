/**
 * Where the Lambda handlers' entry files are. Run from the TypeScript sources (this repository: tests, `tsx`, the
 * CDK app) they are `lambda/**.ts` beside `lib/`; in the installed package they are the compiled
 * `dist/lambda/**.js` beside `dist/lib/`, which NodejsFunction's esbuild bundles just the same at the consumer's
 * synth.
 */
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const THIS_FILE = fileURLToPath(import.meta.url);

/** The folder holding `lib/` and `lambda/`: the repository root, or `dist/` of the installed package. */
export const CODE_ROOT = join(THIS_FILE, '..', '..');

/** `.ts` when this module runs from its source, `.js` when compiled: the handlers are in the same form. */
const EXTENSION = extname(THIS_FILE);

/** The entry file of a handler, from its path under `lambda/` without extension (`handler`, `forwarder/handler`). */
export function lambdaEntry(path: string): string {
  return join(CODE_ROOT, 'lambda', `${path}${EXTENSION}`);
}
