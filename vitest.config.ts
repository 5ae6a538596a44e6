import { defineConfig } from 'vitest/config';

// Three projects: pure unit tests (no I/O), integration tests that build the app on a real database (PGlite by
// default, PostgreSQL when TEST_DATABASE_URL is set), and browser tests of the web forms (Debian's Chromium
// driven by playwright-core against a listening app on the same databases).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
