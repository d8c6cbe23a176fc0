import { defineConfig } from 'vitest/config';

// Every project runs the shared setup (temporary data directories are removed after each file).
const setupFiles = ['test/helpers/setup.ts'];

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', setupFiles } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/globalPostgres.ts'],
          environment: 'node',
          setupFiles,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Cluster mode against real Redis and PostgreSQL: several server processes per file, one file at a time.
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          globalSetup: ['test/helpers/globalPostgres.ts'],
          environment: 'node',
          setupFiles,
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // The benchmark's own tests: its verdict code, its CPU pinning and a tiny-grid smoke run of
        // both servers (about a minute). Not in `npm test`: `npm run test:bench`, and in CI.
        test: {
          name: 'bench',
          include: ['test/bench/**/*.test.ts'],
          environment: 'node',
          setupFiles,
          testTimeout: 240_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          setupFiles,
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // A page becomes live in well under a second on an idle machine, but a busy 2-core CI box
          // can take longer than expect.poll's default second; a poll that holds returns at once.
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
});
