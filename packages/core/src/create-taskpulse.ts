import {
  type ResolvedTaskpulseConfig,
  type TaskpulseConfig,
  taskpulseConfigSchema,
} from './db/config.ts';
import { type MigrateResult, migrate, pendingMigrations } from './db/migrate.ts';
import {
  createOrm,
  type TaskpulseEntityManager,
  type TaskpulseOrm,
  waitForDatabase,
} from './db/open.ts';
import { parseWith } from './errors/index.ts';

/** An open taskpulse: the database, and everything built on it. Close it when done. */
export interface Taskpulse {
  /** The configuration, with defaults applied. */
  readonly config: ResolvedTaskpulseConfig;
  /** The MikroORM instance, for apps that want to run their own queries. */
  readonly orm: TaskpulseOrm;
  /** A fresh entity manager for one unit of work (one request, one job). */
  fork(): TaskpulseEntityManager;
  /** Applies pending migrations; safe to call twice, or from several processes at once. */
  migrate(): Promise<MigrateResult>;
  /** The names of migrations not applied yet. */
  pendingMigrations(): Promise<string[]>;
  /** Whether the database answers right now. */
  isHealthy(): Promise<boolean>;
  /** Closes every connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens taskpulse on a PostgreSQL server or on embedded PGlite. Validates the config (a bad
 * config is a `VALIDATION` error naming the field), waits for the database with exponential
 * backoff for `connectTimeoutMs`, and applies migrations when `migrate` is set.
 *
 * @example
 * ```ts
 * const tp = await createTaskpulse({ database: { url: process.env.DATABASE_URL! }, migrate: true });
 * // … or, in-process, data kept in ./data:
 * const tp = await createTaskpulse({ database: { embedded: { dataDir: './data' } }, migrate: true });
 * await tp.close();
 * ```
 */
export async function createTaskpulse(config: TaskpulseConfig): Promise<Taskpulse> {
  const resolved = parseWith(taskpulseConfigSchema, config, 'taskpulse config');
  const orm = await createOrm(resolved.database, resolved.debug);
  let closed = false;
  const taskpulse: Taskpulse = {
    config: resolved,
    orm,
    fork: () => orm.em.fork(),
    migrate: () => migrate(orm, { lock: 'url' in resolved.database }),
    pendingMigrations: () => pendingMigrations(orm),
    isHealthy: async () => (await orm.checkConnection()).ok,
    close: async () => {
      if (closed) return;
      closed = true;
      await orm.close(true);
    },
  };
  try {
    await waitForDatabase(orm, resolved.database, resolved.connectTimeoutMs);
    if (resolved.migrate) await taskpulse.migrate();
  } catch (error) {
    await taskpulse.close();
    throw error;
  }
  return taskpulse;
}
