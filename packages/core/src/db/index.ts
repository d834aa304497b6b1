export {
  type DatabaseConfig,
  type DatabaseConfigInput,
  databaseConfigSchema,
  type ResolvedTaskpulseConfig,
  type TaskpulseConfig,
  taskpulseConfigSchema,
} from './config.ts';
export { backupEmbeddedDatabase, restoreEmbeddedDatabase } from './embedded-backup.ts';
export { type MigrateOptions, type MigrateResult, migrate, pendingMigrations } from './migrate.ts';
export { migrationsList } from './migrations/index.ts';
export { describeServer, type TaskpulseEntityManager, type TaskpulseOrm } from './open.ts';
