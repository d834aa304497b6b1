import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

/**
 * The web page: built into `web/dist`, which the server serves. Workspace packages resolve to
 * their sources (the `@taskpulse/source` condition), so the page builds without building them.
 * `pnpm dev:web` serves it with hot reload and proxies the API to a server on :3000.
 */
export default defineConfig({
  root: 'web',
  plugins: [react()],
  resolve: { conditions: ['@taskpulse/source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/trpc': 'http://127.0.0.1:3000', '/demo': 'http://127.0.0.1:3000' },
  },
});
