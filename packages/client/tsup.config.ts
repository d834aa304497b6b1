import { existsSync } from 'node:fs';
import { defineConfig } from 'tsup';

// Without trpc-server's declarations the bundler would leave an import of it in ours, and the
// package would need the server's packages to type-check: fail instead.
if (!existsSync(new URL('../trpc-server/dist/index.d.ts', import.meta.url))) {
  throw new Error(
    "Build @taskpulse/trpc-server first (the root's `pnpm build` builds the packages in order): the client's declarations copy its router type from trpc-server's.",
  );
}

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
