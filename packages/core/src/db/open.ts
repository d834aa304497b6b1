import type { MikroORM } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import type { EntityManager } from '@mikro-orm/sql';
import type { DatabaseConnection } from 'kysely';
import { TaskpulseError } from '../errors/index.ts';
import { entities } from '../schema/entities.ts';
import { routines } from '../schema/routines.ts';
import type { DatabaseConfig, QueryEvent } from './config.ts';
import { type GuardablePool, releaseLostConnections } from './lost-connections.ts';
import { migrationsList } from './migrations/index.ts';

/** The SQL entity manager taskpulse works with (PostgreSQL and PGlite share it). */
export type TaskpulseEntityManager = EntityManager;
/** The MikroORM instance taskpulse opens. */
export type TaskpulseOrm = MikroORM & { em: TaskpulseEntityManager };

/**
 * Times every statement on a new connection. Both MikroORM's own queries and those built with
 * `em.getKysely()` run through the Kysely connection (MikroORM's logger never sees the latter),
 * so this is the one place that sees them all; Kysely's own query logging wraps it the same way.
 */
function timeQueries(onQuery: (query: QueryEvent) => void) {
  const report = (sql: string, started: number) => {
    try {
      onQuery({ sql, durationMs: performance.now() - started });
    } catch {
      // an observer's bug must not fail the query it observed
    }
  };
  return async (connection: unknown) => {
    const target = connection as DatabaseConnection;
    const executeQuery = target.executeQuery.bind(target);
    const streamQuery = target.streamQuery.bind(target);
    target.executeQuery = async (query, options) => {
      const started = performance.now();
      try {
        return await executeQuery(query, options);
      } finally {
        report(query.sql, started);
      }
    };
    target.streamQuery = async function* (query, chunkSize, options) {
      const started = performance.now();
      try {
        yield* streamQuery(query, chunkSize, options);
      } finally {
        report(query.sql, started);
      }
    };
  };
}

/** The statement timer of one ORM: who is told of each statement, and whether one was seen. */
export interface StatementTimer {
  /** Called with every statement of the ORM's timed connections. */
  readonly observers: Set<(query: QueryEvent) => void>;
  /** Whether a statement was timed yet: false after one ran means the connections are not timed. */
  readonly timing: boolean;
}

const timers = new WeakMap<object, StatementTimer>();

/**
 * The statement timer of `orm`, installed the first time as its `onCreateConnection` hook (after
 * the app's own, if it has one). MikroORM reads that hook when it creates its database client,
 * on the first query: an ORM that ran queries before keeps its connections untimed.
 */
export function statementTimer(orm: TaskpulseOrm): StatementTimer {
  let timer = timers.get(orm.config);
  if (!timer) {
    const observers = new Set<(query: QueryEvent) => void>();
    const state = { observers, timing: false };
    const time = timeQueries((query) => {
      state.timing = true;
      for (const observe of observers) observe(query);
    });
    const previous = orm.config.get('onCreateConnection');
    orm.config.set('onCreateConnection', async (connection: unknown) => {
      await previous?.(connection);
      await time(connection);
    });
    timer = state;
    timers.set(orm.config, timer);
  }
  return timer;
}

/** Which PostgreSQL an ORM runs on: a server through node-postgres, or embedded PGlite. */
export type DatabaseKind = 'postgres' | 'pglite';

/** The database `orm` runs on, or a `VALIDATION` error for a driver taskpulse does not support. */
export function databaseKindOf(orm: TaskpulseOrm): DatabaseKind {
  const driver = orm.driver.constructor.name;
  if (/pglite/i.test(driver)) return 'pglite';
  if (/postgre/i.test(driver)) return 'postgres';
  throw new TaskpulseError(
    'VALIDATION',
    `taskpulse config: orm: runs on ${driver}; taskpulse needs PostgreSQL (@mikro-orm/postgresql) or PGlite (@mikro-orm/pglite).`,
    { issues: [{ path: ['orm'], message: 'must use @mikro-orm/postgresql or @mikro-orm/pglite' }] },
  );
}

/** Where an ORM's database is, for error messages (never with its password), and how to redact it. */
export interface DatabaseTarget {
  readonly kind: DatabaseKind;
  /** E.g. `PostgreSQL at db:5432 (database "app")`. */
  readonly where: string;
  /** Removes secrets (the password, the URL) from a driver message. */
  redact(message: string): string;
}

/** The {@link DatabaseTarget} of a configured database, or of an app's ORM. */
export function databaseTarget(orm: TaskpulseOrm, database?: DatabaseConfig): DatabaseTarget {
  if (database && 'embedded' in database) {
    return { kind: 'pglite', where: 'the embedded database (PGlite)', redact: (text) => text };
  }
  const kind = database ? 'postgres' : databaseKindOf(orm);
  if (kind === 'pglite') {
    return { kind, where: 'the embedded database (PGlite)', redact: (text) => text };
  }
  const url = database?.url ?? orm.config.get('clientUrl');
  const secrets: string[] = [];
  if (url) {
    secrets.push(url);
    const { password } = new URL(url);
    if (password) secrets.push(decodeURIComponent(password), password);
  }
  const password = orm.config.get('password');
  if (typeof password === 'string' && password !== '') secrets.push(password);
  const where = url
    ? describeServer(url)
    : `PostgreSQL at ${orm.config.get('host') ?? 'localhost'}:${orm.config.get('port') ?? 5432} (database "${orm.config.get('dbName') ?? 'postgres'}")`;
  return {
    kind,
    where,
    redact: (text) =>
      secrets.reduce(
        (redacted, secret) => redacted.split(secret).join(secret === url ? '<url>' : '***'),
        text,
      ),
  };
}

/** Options shared by both drivers, as MikroORM takes them. */
function sharedOptions(debug: boolean) {
  return {
    entities: [...entities],
    routines: [...routines],
    extensions: [Migrator],
    migrations: {
      migrationsList,
      // the schema is described by the entities and the committed migrations; no snapshot file
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
    debug,
    // every unit of work runs on a fork; using the global manager is a bug
    allowGlobalContext: false,
  };
}

/** Where a PostgreSQL URL points, for error messages: never the password. */
export function describeServer(url: string): string {
  const { hostname, port, pathname } = new URL(url);
  const database = decodeURIComponent(pathname.replace(/^\//, '')) || 'postgres';
  return `PostgreSQL at ${hostname || 'localhost'}:${port || '5432'} (database "${database}")`;
}

/** Opens MikroORM on the configured database, without connecting yet. */
export async function createOrm(
  database: DatabaseConfig,
  debug = false,
  /** Options for `PGlite.create()` (embedded only), e.g. `loadDataDir` to restore a backup. */
  pgliteOptions?: Record<string, unknown>,
): Promise<TaskpulseOrm> {
  if ('url' in database) {
    const { MikroORM } = await import('@mikro-orm/postgresql').catch((cause: unknown) => {
      throw missingDriver('@mikro-orm/postgresql', cause);
    });
    return (await MikroORM.init({
      ...sharedOptions(debug),
      clientUrl: database.url,
      pool: { max: database.poolSize ?? 10 },
      driverOptions: {
        // a server that is down must not hang a request: fail the checkout and let callers retry
        connectionTimeoutMillis: 5_000,
        // a statement must not hang a request either: the server cancels it, and should the
        // server not answer at all, the client stops waiting a little later
        ...queryTimeouts(database.queryTimeoutMs ?? 30_000),
        // a connection lost in the middle of a transaction must go back to the pool, not leak
        onPoolCreated: (pool: GuardablePool) => releaseLostConnections(pool),
      },
    })) as unknown as TaskpulseOrm;
  }
  const { MikroORM } = await import('@mikro-orm/pglite').catch((cause: unknown) => {
    throw missingDriver('@mikro-orm/pglite', cause);
  });
  const { dataDir } = database.embedded;
  return (await MikroORM.init({
    ...sharedOptions(debug),
    ...(dataDir === undefined ? {} : { dbName: dataDir }),
    // a function: MikroORM deep-copies an options object, which breaks a Blob in it (loadDataDir)
    ...(pgliteOptions && { driverOptions: () => pgliteOptions }),
  })) as unknown as TaskpulseOrm;
}

function queryTimeouts(ms: number) {
  return ms === 0 ? {} : { statement_timeout: ms, query_timeout: ms + 5_000 };
}

function missingDriver(name: string, cause: unknown): TaskpulseError {
  return new TaskpulseError(
    'VALIDATION',
    `The database driver ${name} is not installed: add it to your dependencies (pnpm add ${name}@7.2.1).`,
    { cause },
  );
}

/**
 * Waits until the database answers, retrying with exponential backoff (100 ms doubling to
 * 2 s) for at most `timeoutMs`, then fails with an `UNAVAILABLE` error that names the
 * server but never its password.
 */
export async function waitForDatabase(
  orm: TaskpulseOrm,
  target: DatabaseTarget,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const check = await checkConnection(orm);
    if (check.ok) return;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new TaskpulseError(
        'UNAVAILABLE',
        `Cannot reach ${target.where} after ${attempts} attempt${attempts === 1 ? '' : 's'} over ${Math.round(timeoutMs / 100) / 10} s: ${target.redact(check.reason)}. Check that the server is running and accepts connections.`,
        { cause: check.error },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, remaining)));
    delay = Math.min(delay * 2, 2_000);
  }
}

/** Connects when not connected yet (the pool is lazy), then runs `select 1`. */
async function checkConnection(orm: TaskpulseOrm) {
  try {
    if (!(await orm.isConnected())) await orm.connect();
  } catch (error) {
    return {
      ok: false as const,
      reason: error instanceof Error ? error.message : String(error),
      error,
    };
  }
  return orm.checkConnection();
}
