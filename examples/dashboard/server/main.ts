/**
 * `pnpm demo` / `pnpm --filter @taskpulse/dashboard start`: starts the reference app and
 * prints where to open it. Configuration comes from the environment:
 *
 * - `PORT` (default 3000) and `HOST` (default 127.0.0.1: the demo sign-in trusts anyone who
 *   can reach it, so it listens on this machine only unless told otherwise);
 * - `DATABASE_URL`: a PostgreSQL server instead of the embedded PGlite;
 * - `TASKPULSE_DATA_DIR` (default `examples/dashboard/.taskpulse-data`): PGlite's data and the
 *   generated token secret;
 * - `TASKPULSE_JWT_SECRET`: the HS256 secret of the demo tokens (at least 32 characters);
 * - `TASKPULSE_LOG_LEVEL` (default `warn`).
 */
import { fileURLToPath } from 'node:url';
import { startDashboard } from './app.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

function port(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    console.error(`PORT must be a port number (0–65535), not "${value}".`);
    process.exit(2);
  }
  return parsed;
}

const started = performance.now();
const dataDir = process.env.TASKPULSE_DATA_DIR || here('../.taskpulse-data');
const databaseUrl = process.env.DATABASE_URL || undefined;
console.log(
  databaseUrl
    ? `taskpulse dashboard: opening PostgreSQL at ${new URL(databaseUrl).host}…`
    : `taskpulse dashboard: opening the embedded database in ${dataDir}…`,
);

let app: Awaited<ReturnType<typeof startDashboard>>;
try {
  app = await startDashboard({
    port: port(process.env.PORT),
    host: process.env.HOST || '127.0.0.1',
    dataDir,
    databaseUrl,
    jwtSecret: process.env.TASKPULSE_JWT_SECRET || undefined,
    webRoot: here('../web/dist'),
  });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    console.error(
      `Port ${process.env.PORT ?? 3000} is in use. Start on another one, e.g. PORT=3001 pnpm demo.`,
    );
  } else {
    console.error('The dashboard could not start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
}

if (app.seeded) console.log('  the database was empty: migrated and filled with the demo data');
if (app.secretSource === 'generated') {
  console.log(`  generated a token secret in ${dataDir}/jwt-secret (demo only)`);
}
console.log(
  `\n  taskpulse dashboard is ready on ${app.database === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'} (${Math.round(performance.now() - started)} ms):\n\n    ${app.url}\n\n  Sign in as Alice, Bob or Charlie (demo sign-in, no password).\n  API reference: ${app.url}/docs (OpenAPI document: ${app.url}/openapi.json). Ctrl+C stops it.\n`,
);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) {
    console.log(`${signal} again: exiting at once.`);
    process.exit(1);
  }
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  app.close().then(
    () => {
      console.log('Stopped.');
      process.exit(0);
    },
    (error: unknown) => {
      console.error('Stopping failed:', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
