/**
 * Synthesizes the responder stack with bundling on (test/infra/helpers/synth.ts `bundledResponderAsset`, the
 * esbuild options of lib/responder.ts) and prints the asset folder as the last line of stdout. Run in a child
 * process by scripts/bench.ts so that the synthesis output stays out of the benchmark's own output.
 */
import { bundledResponderAsset } from '../../test/infra/helpers/synth.js';

process.stdout.write(`\n${bundledResponderAsset()}\n`);
