import { defineConfig } from 'vitest/config';

// Three projects: pure unit tests (no I/O), integration tests that build the app on a real database (PGlite by
// default, PostgreSQL when TEST_DATABASE_URL is set), and browser tests of the web forms (Debian's Chromium
// driven by playwright-core against a listening app on the same databases).
export default defineConfig({
  test: {
    projects: [
      // Property-based suites run hundreds of cases: 5 s is too tight on a loaded 2-core machine.
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 30_000 } },
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
        // Database faults, hostile input (seeded fuzz), secrets in logs. Fast cases run on PGlite as well; the
        // PostgreSQL-only ones (backend kill, network cut) skip themselves when TEST_DATABASE_URL is unset.
        test: {
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          environment: 'node',
          // The fuzz run caps itself at 150 s; set-up builds a round on a possibly busy machine.
          testTimeout: 240_000,
          hookTimeout: 180_000,
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
