/**
 * Vitest global setup for the end-to-end tests: one moto server for the whole run (installed into `.venv` on first
 * use), its endpoint given to the tests as `inject('awsEndpoint')`, stopped when the run ends.
 */
// Brings the 'vitest' module into the program so that the ProvidedContext augmentation below resolves.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startMoto } from '../../scripts/local-aws.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:PORT` of the moto server started for this run. */
    awsEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const aws = await startMoto();
  project.provide('awsEndpoint', aws.endpoint);
  return () => aws.stop();
}
