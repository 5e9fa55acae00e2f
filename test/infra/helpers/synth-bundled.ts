/**
 * Child process of synthBundled (./synth.ts): synthesizes the responder stack with real bundling into the folder
 * given as the argument, from the settings (JSON) on stdin.
 */
import { readFileSync } from 'node:fs';
import type { ResponderSettings } from '../../../lib/config.js';
import { synthResponder } from './synth.js';

const outdir = process.argv[2];
if (outdir === undefined) throw new Error('usage: synth-bundled.ts OUTDIR < settings.json');
synthResponder(JSON.parse(readFileSync(0, 'utf8')) as ResponderSettings, { bundle: true, outdir });
