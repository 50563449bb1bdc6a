import { defineConfig } from 'vitest/config';

// Two projects: everything that runs in-process (unit, type, contract tests),
// and the end-to-end suite against a real Synapse that the global setup starts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/runtimes/**', 'test/browser/**', 'node_modules/**'],
          typecheck: {
            enabled: true,
            include: ['test/**/*.test-d.ts'],
            tsconfig: './tsconfig.json',
          },
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          // The runtime suites (Chromium, Deno, Bun) run against the same Synapse.
          include: ['test/e2e/**/*.test.ts', 'test/runtimes/**/*.test.ts', 'test/browser/**/*.test.ts'],
          globalSetup: ['test/harness/global-setup.ts'],
          setupFiles: ['test/e2e/setup-engine.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // One Synapse on SQLite: files run one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});
