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
    // type tests (`*.test-d.ts`) are checked by tsc as part of `vitest run`, so a broken type fails
    // the run like a failing assertion; `pnpm typecheck` also covers them (each package's tsconfig)
    typecheck: {
      enabled: true,
      include: ['packages/*/src/**/*.test-d.ts', 'packages/*/test/**/*.test-d.ts'],
      tsconfig: './tsconfig.test-d.json',
    },
    // vitest's summary, then one plain "N passed, N failed, N skipped" line for log readers
    reporters: ['default', './scripts/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // database-heavy files: a fork each, at most two at a time on this 2-core machine
    pool: 'forks',
    maxWorkers: 2,
  },
});
