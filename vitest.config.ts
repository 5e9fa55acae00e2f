import { defineConfig } from 'vitest/config';

// Three projects: fast unit and infrastructure tests; end-to-end tests against a local AWS endpoint (moto), which the
// e2e project's global setup starts once per run and stops afterwards; the packed package in a scratch consumer app.
// A green run is quiet: the dot reporter prints a dot per test and the summary (failures in full); the run-wide
// global setup gives the run its own temporary folder and fails the run if a test leaves files there or in cdk.out/.
// For one test per line while working: `npx vitest run <file> --reporter=default`.
export default defineConfig({
  test: {
    reporters: ['dot'],
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/infra/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['test/setup/remove-temp-dirs.ts'],
          testTimeout: 60_000,
          hookTimeout: 240_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          setupFiles: ['test/setup/remove-temp-dirs.ts'],
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'package',
          include: ['test/package/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
