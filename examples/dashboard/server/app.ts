/**
 * The reference app's server: one Node HTTP server on one port serving the taskpulse tRPC API
 * (`/trpc`), `/health/*`, `/metrics`, the OpenAPI document (`/openapi.json`) and the API
 * reference page (`/docs`) (all from @taskpulse/trpc-server), the MCP endpoint for AI agents
 * (`/mcp` and its protected-resource metadata, from @taskpulse/mcp), the demo sign-in
 * (`/demo/*`) and the built web page (everything else).
 */
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createTaskpulse, DEMO_USERS, seedDemo, type Taskpulse, User } from '@taskpulse/core';
import { LOCAL_HOSTNAMES, taskpulseMcp } from '@taskpulse/mcp';
import {
  createTaskpulseRuntime,
  createTaskpulseServer,
  type TaskpulseLogger,
} from '@taskpulse/trpc-server';
import { pino } from 'pino';
import {
  DEMO_AUDIENCE,
  DEMO_ISSUER,
  type DemoSession,
  demoUsers,
  loadOrCreateSecret,
  signDemoToken,
} from './demo-auth.ts';
import { createStaticHandler } from './web-page.ts';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** The port to listen on; 0 picks a free one. @default 3000 */
  port?: number;
  /** The interface to listen on. @default '127.0.0.1' (this machine only: the demo sign-in trusts anyone) */
  host?: string;
  /** Where PGlite keeps its data (in `pglite/`) and the generated token secret (`jwt-secret`). */
  dataDir: string;
  /** A PostgreSQL URL: the data then lives there instead of in PGlite. */
  databaseUrl?: string | undefined;
  /** The HS256 secret of the demo tokens. @default generated once and kept in `dataDir` */
  jwtSecret?: string | undefined;
  /** The folder of the built web page (Vite's output). */
  webRoot: string;
  /** Where log lines go. @default pino at `TASKPULSE_LOG_LEVEL` or `warn` */
  logger?: TaskpulseLogger;
}

/** A running dashboard. */
export interface RunningDashboard {
  /** The address to open in a browser. */
  readonly url: string;
  readonly port: number;
  /** Which database the data is in. */
  readonly database: 'pglite' | 'postgres';
  /** Whether this start filled an empty database with the demo data. */
  readonly seeded: boolean;
  /** Where the token secret came from. */
  readonly secretSource: 'env' | 'file' | 'generated';
  /** The open taskpulse (for tests and scripts). */
  readonly taskpulse: Taskpulse;
  /** Stops listening, ends open connections (live streams too) and closes the database. */
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(JSON.stringify(body));
};

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new Error('too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** `GET /demo/users` and `POST /demo/sign-in`: the demo sign-in, for the demo users only. */
async function demoRoute(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  secret: string,
): Promise<void> {
  if (pathname === '/demo/users') {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      json(res, 405, { error: { message: 'Use GET for /demo/users.' } });
      return;
    }
    json(res, 200, { users: demoUsers });
    return;
  }
  if (pathname === '/demo/sign-in') {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      json(res, 405, { error: { message: 'Use POST for /demo/sign-in.' } });
      return;
    }
    // a JSON content type cannot be sent cross-site without a preflight, which this server refuses
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      json(res, 415, { error: { message: 'Send JSON: {"userId": "demo-alice"}.' } });
      return;
    }
    let body: unknown;
    try {
      body = await readJson(req, 1024);
    } catch {
      json(res, 400, { error: { message: 'Send JSON: {"userId": "demo-alice"}.' } });
      return;
    }
    const userId = (body as { userId?: unknown } | null)?.userId;
    const user = demoUsers.find((candidate) => candidate.id === userId);
    if (!user) {
      json(res, 400, {
        error: {
          message: `Pick a demo user: ${demoUsers.map((candidate) => candidate.id).join(', ')}.`,
        },
      });
      return;
    }
    const session: DemoSession = await signDemoToken(user, secret);
    json(res, 200, session);
    return;
  }
  json(res, 404, { error: { message: `Not found: ${pathname}` } });
}

/** Fills an empty database with the demo data; says whether it did. */
async function seedWhenEmpty(taskpulse: Taskpulse, logger: TaskpulseLogger): Promise<boolean> {
  const em = taskpulse.fork();
  if ((await em.count(User, {})) === 0) {
    await seedDemo(em, { now: taskpulse.now() });
    return true;
  }
  const demo = await em.count(User, { id: { $in: DEMO_USERS.map((user) => user.id) } });
  if (demo === 0) {
    logger.warn(
      'The database holds data but no demo users: the demo users will start with empty dashboards.',
    );
  }
  return false;
}

/**
 * Starts the reference app: opens the database (PGlite in `dataDir`, or `databaseUrl`),
 * migrates it, fills it with the demo data when it is empty, and serves the API, the demo
 * sign-in and the page on one port.
 *
 * @example
 * ```ts
 * const app = await startDashboard({ dataDir: '.taskpulse-data', webRoot: 'web/dist' });
 * console.log(`open ${app.url}`);
 * process.once('SIGTERM', () => void app.close());
 * ```
 */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const logger =
    options.logger ??
    pino({ name: 'taskpulse-dashboard', level: process.env.TASKPULSE_LOG_LEVEL ?? 'warn' });
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const { secret, source: secretSource } = await loadOrCreateSecret(dataDir, options.jwtSecret);

  const taskpulse = await createTaskpulse({
    database: options.databaseUrl
      ? { url: options.databaseUrl }
      : { embedded: { dataDir: resolve(dataDir, 'pglite') } },
    migrate: true,
    // on a server, writes of other processes (another instance, an agent's taskpulse-mcp)
    // reach this one's live dashboards through LISTEN/NOTIFY
    changeEvents: options.databaseUrl ? 'postgres' : 'local',
  });
  let closeServer: (() => Promise<void>) | undefined;
  let runtime: ReturnType<typeof createTaskpulseRuntime> | undefined;
  try {
    const seeded = await seedWhenEmpty(taskpulse, logger);
    runtime = createTaskpulseRuntime({
      taskpulse,
      auth: { secret, issuer: DEMO_ISSUER, audience: DEMO_AUDIENCE },
      logger,
    });
    const host = options.host ?? '127.0.0.1';
    const loopback = ['127.0.0.1', '::1', 'localhost'].includes(host);
    const api = createTaskpulseServer({
      runtime,
      openapi: { info: { title: 'taskpulse demo API' } },
      // this server listens itself (the API's handler only answers for it), so it names the
      // hosts an agent may reach /mcp by: on this machine only, against DNS rebinding
      routes: [taskpulseMcp(loopback ? { allowedHosts: [...LOCAL_HOSTNAMES] } : {})],
    });
    const serveStatic = createStaticHandler(resolve(options.webRoot));

    const server = createServer((req, res) => {
      let pathname: string;
      try {
        pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
      } catch {
        pathname = '/';
      }
      if (api.serves(pathname)) {
        api.handler(req, res);
        return;
      }
      const answer = pathname.startsWith('/demo/')
        ? demoRoute(req, res, pathname, secret)
        : serveStatic(req, res, pathname);
      answer.catch((error: unknown) => {
        logger.error({ err: error, path: pathname }, 'request failed');
        if (!res.headersSent) json(res, 500, { error: { message: 'Something went wrong.' } });
        else res.destroy();
      });
    });

    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(options.port ?? 3000, host, () => {
        server.off('error', fail);
        done();
      });
    });
    closeServer = async () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
    };
    const { port } = server.address() as AddressInfo;
    const local = loopback || ['0.0.0.0', '::'].includes(host);
    const url = `http://${local ? 'localhost' : host.includes(':') ? `[${host}]` : host}:${port}`;

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      database: options.databaseUrl ? 'postgres' : 'pglite',
      seeded,
      secretSource,
      taskpulse,
      close: () => {
        closing ??= (async () => {
          await closeServer?.();
          await runtime?.close();
          await taskpulse.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await closeServer?.();
    await runtime?.close();
    await taskpulse.close();
    throw error;
  }
}
