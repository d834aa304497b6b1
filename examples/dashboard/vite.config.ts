import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';

/**
 * The web page: built into `web/dist`, which the server serves. Workspace packages resolve to
 * their sources (the `@taskpulse/source` condition), so the page builds without building them.
 * Beside each text file the build writes its brotli (`.br`) and gzip (`.gz`) forms, which the
 * server sends to browsers that accept them. `pnpm dev:web` serves it with hot reload and
 * proxies the API to a server on :3000.
 */
export default defineConfig({
  root: 'web',
  plugins: [
    react(),
    compression({ algorithms: ['brotliCompress', 'gzip'], threshold: 512, logLevel: 'silent' }),
  ],
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
