import type { TaskpulseOrm } from './open.ts';

/**
 * Key of the PostgreSQL advisory lock that serialises migrations: the first 8 bytes of
 * sha1('taskpulse:migrate') as a signed bigint, a fixed value no other tool is likely to use.
 */
const MIGRATION_LOCK_KEY = '-6416814120651293882';

/** Result of {@link migrate}: the names of the migrations it applied, in order. */
export interface MigrateResult {
  applied: string[];
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /**
   * Serialise concurrent migrations with an advisory lock. Needed on a server that several
   * processes share; PGlite has one connection and one process, and the lock's transaction
   * would wait on the migrator's own queries there.
   * @default true
   */
  lock?: boolean;
}

/**
 * Applies every pending migration in one transaction. Safe to run twice (nothing is pending
 * the second time) and from several processes at once: a transaction-scoped advisory lock
 * lets one process migrate while the others wait, then find nothing pending.
 */
export async function migrate(
  orm: TaskpulseOrm,
  { lock = true }: MigrateOptions = {},
): Promise<MigrateResult> {
  if (!lock) {
    const applied = await orm.migrator.up();
    return { applied: applied.map((migration) => migration.name) };
  }
  return orm.em.fork().transactional(async (em) => {
    await em.execute(`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    const applied = await orm.migrator.up({ transaction: em.getTransactionContext() });
    return { applied: applied.map((migration) => migration.name) };
  });
}

/** The names of the migrations not yet applied. */
export async function pendingMigrations(orm: TaskpulseOrm): Promise<string[]> {
  const pending = await orm.migrator.getPending();
  return pending.map((migration) => migration.name);
}
