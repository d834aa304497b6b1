import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', react: 'src/react/index.ts' },
  format: ['esm'],
  target: 'es2022',
  platform: 'neutral',
  // the React entry imports the main one by its package name: it stays an import, not a copy
  external: ['@taskpulse/client'],
  dts: {
    // The router's types come from trpc-server's declarations (and the two interfaces they use
    // from core's), copied in so that a consumer type-checks without the server packages.
    resolve: ['@taskpulse/trpc-server', '@taskpulse/core'],
  },
  sourcemap: true,
  clean: true,
});
