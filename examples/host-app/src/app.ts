/**
 * The host app: one Hono server (on Node through @hono/node-server) with the app's sign-in,
 * its tRPC API at /api/trpc (its own procedures, and taskpulse's under `taskpulse.`), its
 * readiness check and its static files — on one MikroORM instance and one pool, shared with
 * taskpulse.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { trpcServer } from '@hono/trpc-server';
import { createTaskpulse, type Taskpulse } from '@taskpulse/core';
import {
  createTaskpulseRuntime,
  type TaskpulseLogger,
  type TaskpulseRuntime,
} from '@taskpulse/trpc-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import { type AppDatabase, type AppOrm, openOrm } from './orm.ts';
import { type AppContext, createAppRouter } from './router.ts';
import { ACCOUNTS, createSessions } from './session.ts';

/** Options of {@link createHostApp}. */
export interface HostAppOptions {
  /** The app's database: `{ url }` for PostgreSQL, `{ dataDir? }` for embedded PGlite. */
  database: AppDatabase;
  /** The secret session cookies are signed with (at least 32 characters). */
  sessionSecret: string;
  /** The folder of the static files. */
  publicDir: string;
  /** Where log lines go. @default taskpulse's pino logger on stdout */
  logger?: TaskpulseLogger;
}

/** The app, ready to serve: its Hono app, and what it opened. */
export interface HostApp {
  /** The Hono app: `serve({ fetch: app.fetch })`, or `app.request()` in tests. */
  readonly app: Hono;
  /** The app's one MikroORM instance. */
  readonly orm: AppOrm;
  /** taskpulse, opened on that ORM. */
  readonly taskpulse: Taskpulse;
  /** The runtime of taskpulse's procedures (auth, rate limits, metrics). */
  readonly runtime: TaskpulseRuntime;
  /** Closes what the app opened: the runtime, taskpulse, then the ORM and its pool. */
  close(): Promise<void>;
}

/**
 * Opens the app's ORM, migrates it (taskpulse's migrations, then the app's), opens taskpulse on
 * it and builds the Hono app.
 */
export async function createHostApp(options: HostAppOptions): Promise<HostApp> {
  const sessions = createSessions(options.sessionSecret);
  const orm = await openOrm(options.database);
  let taskpulse: Taskpulse | undefined;
  let runtime: TaskpulseRuntime | undefined;
  try {
    // right after MikroORM.init(): taskpulse follows every transaction and times every statement
    taskpulse = await createTaskpulse({ orm, migrate: true });
    runtime = createTaskpulseRuntime({
      taskpulse,
      // the app's own sign-in, mapped to the identity taskpulse provisions its user from
      auth: {
        resolveUser: async ({ headers }) => {
          const session = await sessions.read(headers);
          return session && { sub: session.id, email: session.email, name: session.name };
        },
        // the app's accounts have addresses it verified itself
        emailsAlwaysVerified: true,
      },
      ...(options.logger ? { logger: options.logger } : {}),
    });
  } catch (error) {
    await taskpulse?.close();
    await orm.close(true);
    throw error;
  }
  const tp = taskpulse;
  const api = runtime;
  const router = createAppRouter(tp, api);

  const app = new Hono();
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
  );
  // writes must come from the app's own pages (forms and text bodies from elsewhere are refused)
  app.use('/auth/*', csrf());
  app.use('/api/*', csrf(), bodyLimit({ maxSize: 1024 * 1024 }));

  app.get('/auth/accounts', (c) => c.json({ accounts: ACCOUNTS }));
  app.post('/auth/sign-in', async (c) => {
    const body = await c.req.json<{ email?: unknown }>().catch(() => null);
    const account = ACCOUNTS.find((candidate) => candidate.email === body?.email);
    if (!account) {
      return c.json(
        { error: `Sign in as one of: ${ACCOUNTS.map((known) => known.email).join(', ')}.` },
        400,
      );
    }
    const session = await sessions.start(c, account);
    return c.json({ id: session.id, email: session.email, name: session.name });
  });
  app.post('/auth/sign-out', (c) => {
    sessions.end(c);
    return c.body(null, 204);
  });

  app.get('/health/ready', async (c) => {
    const ready = await api.isReady();
    return c.json({ status: ready ? 'ok' : 'unavailable' }, ready ? 200 : 503);
  });

  app.use(
    '/api/trpc/*',
    trpcServer({
      endpoint: '/api/trpc',
      router,
      createContext: async ({ info }, c): Promise<AppContext & Record<string, unknown>> => ({
        session: await sessions.read(c.req.raw.headers),
        em: orm.em.fork(),
        // once per request: one authentication and one entity manager for a whole batch
        taskpulse: api.createContext({
          headers: c.req.raw.headers,
          ip: getConnInfo(c).remote.address,
          info,
        }),
      }),
    }),
  );

  app.use('/*', serveStatic({ root: options.publicDir }));
  app.notFound((c) => c.json({ error: `Not found: ${c.req.path}` }, 404));

  let closing: Promise<void> | undefined;
  return {
    app,
    orm,
    taskpulse: tp,
    runtime: api,
    close: () => {
      closing ??= (async () => {
        await api.close();
        await tp.close();
        await orm.close(true);
      })();
      return closing;
    },
  };
}
