/** What the dashboard's tests share: building the page, starting the app, a typed API client. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TaskpulseRouter } from '@taskpulse/trpc-server';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import { pino } from 'pino';
import { type RunningDashboard, startDashboard } from '../server/app.ts';

export const packageDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * Builds the web page into `outDir` as `pnpm demo` does: Vite's command line with the
 * package's config, in a process of its own (vitest's NODE_ENV=test would give React's
 * development JSX transform).
 */
export async function buildPage(outDir: string): Promise<void> {
  const vite = join(
    dirname(createRequire(import.meta.url).resolve('vite/package.json')),
    'bin',
    'vite.js',
  );
  const { NODE_ENV: _, ...env } = process.env;
  await promisify(execFile)(
    process.execPath,
    [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: packageDir, env },
  );
}

/** A temporary folder, removed by the returned function. */
export async function tempDir(
  prefix: string,
): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Starts the app on a free port (on PGlite in `dataDir` unless `databaseUrl`), quiet but for warnings. */
export function startTestDashboard(options: {
  dataDir: string;
  webRoot: string;
  port?: number;
  jwtSecret?: string;
  databaseUrl?: string;
}): Promise<RunningDashboard> {
  return startDashboard({
    port: options.port ?? 0,
    dataDir: options.dataDir,
    webRoot: options.webRoot,
    jwtSecret: options.jwtSecret,
    databaseUrl: options.databaseUrl,
    logger: pino({ level: 'warn' }),
  });
}

/** A demo session from the app's sign-in endpoint. */
export async function demoSignIn(base: string, userId: string): Promise<{ token: string }> {
  const response = await fetch(`${base}/demo/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { token: string };
}

/** A typed API client of the app at `base`, signed in as the demo user `userId`. */
export async function apiAs(base: string, userId: string): Promise<TRPCClient<TaskpulseRouter>> {
  const { token } = await demoSignIn(base, userId);
  return createTRPCClient<TaskpulseRouter>({
    links: [
      httpBatchLink({ url: `${base}/trpc`, headers: () => ({ authorization: `Bearer ${token}` }) }),
    ],
  });
}

/** Where Debian's Chromium is (`TASKPULSE_CHROMIUM` to point elsewhere). */
export const chromiumPath = process.env.TASKPULSE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run. Without Chromium they are skipped with the reason
 * printed, unless `TASKPULSE_REQUIRE_BROWSER=1` (as CI sets), which makes that a failure.
 */
export function browserAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  const reason = `Chromium is not at ${chromiumPath} (install it with \`apt-get install chromium\`, or set TASKPULSE_CHROMIUM)`;
  if (process.env.TASKPULSE_REQUIRE_BROWSER === '1') {
    throw new Error(`${reason}, and TASKPULSE_REQUIRE_BROWSER=1 requires it.`);
  }
  console.warn(`${reason}: skipping the dashboard's browser tests.`);
  return false;
}

/**
 * Chromium's flags here: headless, no sandbox (containers), and none of its own network
 * traffic (updates, sync, QUIC), which a closed network refuses.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
