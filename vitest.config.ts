import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run from source: the `@taskpulse/source` export condition points each workspace package at its
// src/index.ts, so no build is needed before `pnpm test`.

export default defineConfig({
  resolve: { conditions: ['@taskpulse/source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['@taskpulse/source', ...defaultServerConditions] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'tests/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
    ],
    // vitest's summary, then one plain "N passed, N failed, N skipped" line for log readers
    reporters: ['default', './scripts/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // database-heavy files: a fork each, at most two at a time on this 2-core machine
    pool: 'forks',
    maxWorkers: 2,
  },
});
