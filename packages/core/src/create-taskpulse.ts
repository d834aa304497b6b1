import { LRUCache } from 'lru-cache';
import { StatsCache } from './cache/index.ts';
import { type Caller, createContext, runRead, type TaskpulseContext } from './context.ts';
import {
  type DatabaseConfig,
  type QueryEvent,
  type ResolvedTaskpulseConfig,
  type TaskpulseConfig,
  taskpulseConfigSchema,
} from './db/config.ts';
import { assertTaskpulseMigrations, assertTaskpulseSchema } from './db/host-orm.ts';
import { type GuardablePool, releaseLostConnections } from './db/lost-connections.ts';
import { type MigrateResult, migrate, pendingMigrations } from './db/migrate.ts';
import {
  createOrm,
  databaseKindOf,
  databaseTarget,
  statementTimer,
  type TaskpulseEntityManager,
  type TaskpulseOrm,
  waitForDatabase,
} from './db/open.ts';
import { trackTransactions } from './db/transactions.ts';
import { parseWith, TaskpulseError } from './errors/index.ts';
import {
  type ChangeEventBus,
  InProcessChangeEventBus,
  listenSessionFor,
  PostgresChangeEventBus,
} from './events/index.ts';
import { deleteExpiredIdempotencyKeys } from './idempotency/index.ts';
import { createDashboard, type Dashboard } from './stats/dashboard.ts';
import { assertKnownTimeZone } from './stats/time-window.ts';
import { provisionUser, type UserClaims, type UserDto } from './users/index.ts';

/** An open taskpulse: the database, and everything built on it. Close it when done. */
export interface Taskpulse {
  /** The configuration, with defaults applied. */
  readonly config: ResolvedTaskpulseConfig;
  /** The MikroORM instance (the app's own, when opened with `orm`), for the app's own queries. */
  readonly orm: TaskpulseOrm;
  /** Where change events are published after every committed write. */
  readonly events: ChangeEventBus;
  /** The statistics cache (null when `cache: false`); its `stats()` gives hit/miss counters. */
  readonly cache: StatsCache | null;
  /** The dashboard figures through the cache, and the live stream. */
  readonly dashboard: Dashboard;
  /** The clock every context uses (the `clock` option). */
  readonly now: () => Date;
  /** A fresh entity manager for one unit of work (one request, one job). */
  fork(): TaskpulseEntityManager;
  /**
   * Calls `observer` with every SQL statement and its duration (like the `onQuery` option,
   * but attachable later, e.g. by metrics); returns the function that detaches it.
   */
  observeQueries(observer: (query: QueryEvent) => void): () => void;
  /**
   * The context for one unit of work of `caller`: a forked entity manager (forked when first
   * used), the event bus and the clock. Pass it to the domain functions.
   *
   * With `options.em` (an entity manager of this ORM, e.g. the one `em.transactional()` gives
   * its callback), the context works on it: inside its transaction, reads see the
   * transaction's rows and writes join it, publishing their change events after the
   * outermost commit (see `runWrite`). An entity manager of another ORM is a `VALIDATION`
   * error.
   *
   * @example
   * ```ts
   * await orm.em.fork().transactional(async (em) => {
   *   em.create(Project, { owner: userId, name: 'Launch' });
   *   await createTask(tp.context({ id: userId }, { em }), { title: 'Write the post' });
   * }); // both rows commit together; the task's change event is published after the commit
   * ```
   */
  context(caller: Caller, options?: { em?: TaskpulseEntityManager }): TaskpulseContext;
  /**
   * Just-in-time provisioning from verified identity claims: creates the user on first
   * sight and keeps name and email current; an email is stored only with
   * `emailVerified: true` (see `provisionUser`). Remembers recent claims so that repeated calls
   * with unchanged claims cost no query. Always writes on its own, outside any transaction
   * (`provisionUser(em, claims)` joins `em`'s).
   */
  provisionUser(claims: UserClaims): Promise<UserDto>;
  /**
   * Applies pending migrations in one transaction; safe to call twice, or from several
   * processes at once. On an app's own ORM: every pending migration of its
   * `migrations.migrationsList`, the app's included, in that order.
   */
  migrate(): Promise<MigrateResult>;
  /** The names of migrations not applied yet. */
  pendingMigrations(): Promise<string[]>;
  /**
   * Deletes the idempotency keys older than 24 hours, and returns how many. Writes already delete
   * a few expired keys each, so this is only for a periodic clean-up (e.g. after a quiet day).
   */
  deleteExpiredIdempotencyKeys(): Promise<number>;
  /** Whether the database answers right now. */
  isHealthy(): Promise<boolean>;
  /**
   * Closes what taskpulse opened: the LISTEN session, the cache's Redis connection, and the
   * ORM with its pool — unless it is the app's own (`orm`), which the app closes. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Opens taskpulse on a PostgreSQL server, on embedded PGlite, or on an app's own MikroORM
 * instance. Validates the config (a bad config is a `VALIDATION` error naming the field),
 * waits for the database with exponential backoff for `connectTimeoutMs`, and applies
 * migrations when `migrate` is set.
 *
 * With `orm`, taskpulse uses that ORM and its pool (one ORM, one pool, the app's config:
 * pool size and timeouts are the app's) and never closes it; the ORM must know taskpulse's
 * `entities` and `routines`, and list its `migrationsList` before the app's migrations that
 * refer to its tables. Open it right after `MikroORM.init()`: transactions that began before
 * cannot carry taskpulse writes, and statements are timed (`onQuery`, the API's metrics) only
 * on connections the ORM opens afterwards.
 *
 * @example
 * ```ts
 * const tp = await createTaskpulse({ database: { url: process.env.DATABASE_URL! }, migrate: true });
 * // … or, in-process, data kept in ./data:
 * const tp = await createTaskpulse({ database: { embedded: { dataDir: './data' } }, migrate: true });
 * // … or on the app's own ORM (entities, routines and migrationsList from @taskpulse/core in its config):
 * const tp = await createTaskpulse({ orm, migrate: true });
 * await tp.close();
 * ```
 */
export async function createTaskpulse(config: TaskpulseConfig): Promise<Taskpulse> {
  const resolved = parseWith(taskpulseConfigSchema, config, 'taskpulse config');
  // the app's own ORM (checked for taskpulse's schema), or one of our own on `database`
  let orm: TaskpulseOrm;
  let hostOrm: TaskpulseOrm | undefined;
  let database: DatabaseConfig | undefined;
  if ('orm' in resolved) {
    orm = hostOrm = resolved.orm;
    databaseKindOf(orm);
    assertTaskpulseSchema(orm);
  } else {
    database = resolved.database;
    orm = await createOrm(resolved.database, resolved.debug);
  }
  const target = databaseTarget(orm, database);
  // every statement is timed; observers come from the config and from observeQueries()
  const timer = statementTimer(orm);
  const queryObservers = new Set<(query: QueryEvent) => void>();
  if (resolved.onQuery) queryObservers.add(resolved.onQuery);
  const observeQuery = (query: QueryEvent) => {
    for (const observe of queryObservers) observe(query);
  };
  timer.observers.add(observeQuery);
  // writes inside the app's transactions publish their events after the outermost commit
  trackTransactions(orm);
  const now = resolved.clock ?? (() => new Date());
  const events =
    resolved.changeEvents === 'postgres'
      ? new PostgresChangeEventBus({ listen: listenSessionFor(orm, target.kind) })
      : new InProcessChangeEventBus();
  const cache = resolved.cache === false ? null : new StatsCache(resolved.cache);
  cache?.attach(events);
  const dashboard = createDashboard({ cache, events });
  // claims seen recently, so that provisioning on every request does not query every time
  // by user id: the claims last provisioned from (as a key) and the user they gave
  const provisioned = new LRUCache<string, { claims: string; user: UserDto }>({
    max: 10_000,
    ttl: 60_000,
  });
  // a deleted account is provisioned afresh on its next call, on every instance
  const forgetDeleted = events.subscribe((event) => {
    if (event.type === 'user.deleted') provisioned.delete(event.actorId);
    else if (event.type === 'resync') provisioned.clear();
  });
  let closed = false;
  let warnedUntimed = false;
  const taskpulse: Taskpulse = {
    config: resolved,
    orm,
    events,
    cache,
    dashboard,
    now,
    fork: () => orm.em.fork(),
    observeQueries: (observer) => {
      if (!timer.timing && !warnedUntimed && hostOrm) {
        warnedUntimed = true;
        console.warn(
          'taskpulse: the ORM connected before createTaskpulse({ orm }), so its statements are not timed (no query metrics): open taskpulse right after MikroORM.init().',
        );
      }
      queryObservers.add(observer);
      return () => {
        queryObservers.delete(observer);
      };
    },
    context: (caller, options = {}) => {
      if (options.em && options.em.config !== orm.config) {
        throw new TaskpulseError(
          'VALIDATION',
          'context: `em` belongs to another MikroORM instance than this taskpulse: pass an entity manager of the ORM taskpulse was opened on.',
          { issues: [{ path: ['em'], message: 'belongs to another MikroORM instance' }] },
        );
      }
      return createContext(orm, { caller, events, now }, options.em);
    },
    provisionUser: async (claims) => {
      const key = JSON.stringify([
        claims.email ?? null,
        claims.emailVerified === true,
        claims.name || null,
      ]);
      const known = provisioned.get(claims.id);
      if (known?.claims === key) return known.user;
      const { user } = await provisionUser(orm.em.fork(), claims, now());
      provisioned.set(user.id, { claims: key, user });
      return user;
    },
    migrate: () => {
      if (hostOrm) assertTaskpulseMigrations(hostOrm);
      return migrate(orm, { lock: target.kind === 'postgres' });
    },
    pendingMigrations: () => {
      if (hostOrm) assertTaskpulseMigrations(hostOrm);
      return pendingMigrations(orm);
    },
    deleteExpiredIdempotencyKeys: () =>
      runRead(() => deleteExpiredIdempotencyKeys(orm.em.fork().getKysely(), now())),
    isHealthy: async () => (await orm.checkConnection()).ok,
    close: async () => {
      if (closed) return;
      closed = true;
      timer.observers.delete(observeQuery);
      forgetDeleted();
      if (events instanceof PostgresChangeEventBus) await events.close();
      await cache?.close();
      // the app's ORM is the app's to close
      if (!hostOrm) await orm.close(true);
    },
  };
  try {
    await waitForDatabase(orm, target, resolved.connectTimeoutMs);
    if (hostOrm && target.kind === 'postgres') {
      // a connection the app's pool loses mid-transaction must go back to it, as on our own pool
      const connection = orm.driver.getConnection() as unknown as {
        getNativeClient(): Promise<GuardablePool>;
      };
      releaseLostConnections(await connection.getNativeClient());
    }
    if (resolved.onQuery && !timer.timing) {
      throw new TaskpulseError(
        'VALIDATION',
        'taskpulse config: onQuery: the ORM connected before createTaskpulse({ orm }), so its statements cannot be timed: open taskpulse right after MikroORM.init(), before the first query.',
        {
          issues: [{ path: ['onQuery'], message: 'the ORM connected before taskpulse was opened' }],
        },
      );
    }
    if (resolved.migrate) await taskpulse.migrate();
    if (events instanceof PostgresChangeEventBus) await events.start();
    // read the time zone names now rather than in the first activity request (~100 ms)
    assertKnownTimeZone(orm.em, 'UTC').catch(() => {});
  } catch (error) {
    await taskpulse.close();
    throw error;
  }
  return taskpulse;
}
