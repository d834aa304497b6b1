/**
 * `pnpm host-app` (or `pnpm --filter @taskpulse/host-app start`): starts the host app and prints
 * where to open it. Configuration comes from the environment:
 *
 * - `PORT` (default 3100) and `HOST` (default 127.0.0.1: the demo sign-in needs no password);
 * - `DATABASE_URL`: a PostgreSQL server instead of embedded PGlite;
 * - `HOST_APP_DATA_DIR` (default `examples/host-app/.taskpulse-data`): PGlite's data;
 * - `SESSION_SECRET`: signs the session cookies (default: a new one each start, so sessions end
 *   with the process);
 * - `TASKPULSE_LOG_LEVEL` (default `info`).
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createHostApp } from './app.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const port = Number(process.env.PORT || 3100);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number (0–65535), not "${process.env.PORT}".`);
  process.exit(2);
}
const hostname = process.env.HOST || '127.0.0.1';
const databaseUrl = process.env.DATABASE_URL || undefined;
const dataDir = process.env.HOST_APP_DATA_DIR || here('../.taskpulse-data');
const sessionSecret = process.env.SESSION_SECRET || randomBytes(32).toString('hex');

console.log(
  databaseUrl
    ? `host app: opening PostgreSQL at ${new URL(databaseUrl).host}…`
    : `host app: opening the embedded database in ${dataDir}…`,
);
const host = await createHostApp({
  database: databaseUrl ? { url: databaseUrl } : { dataDir },
  sessionSecret,
  publicDir: here('../public'),
}).catch((error: unknown) => {
  console.error(`host app: could not start: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});

const server = serve({ fetch: host.app.fetch, port, hostname }, (info) => {
  const shown = ['127.0.0.1', '::1', '0.0.0.0', '::'].includes(hostname) ? 'localhost' : hostname;
  console.log(
    `host app: open http://${shown}:${info.port} (sign in as ada@example.com or grace@example.com)`,
  );
});

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`host app: ${signal}, stopping…`);
  server.close();
  host.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('host app: could not close cleanly', error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
