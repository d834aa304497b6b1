import { TaskpulseError } from '../errors/index.ts';
import { entities } from '../schema/entities.ts';
import { routines } from '../schema/routines.ts';
import { migrationsList } from './migrations/index.ts';
import type { TaskpulseOrm } from './open.ts';

function invalid(message: string, issue: string): TaskpulseError {
  return new TaskpulseError('VALIDATION', `taskpulse config: orm: ${message}`, {
    issues: [{ path: ['orm'], message: issue }],
  });
}

/**
 * Checks that an app's ORM knows taskpulse's schema: its entities (so that its own entities can
 * refer to them, and schema diffs keep its tables) and its routines (or a schema diff would drop
 * the functions its figures use).
 */
export function assertTaskpulseSchema(orm: TaskpulseOrm): void {
  const metadata = orm.getMetadata();
  const missing = entities
    .map((entity) => entity.meta.className)
    .filter((name) => !metadata.getByClassName(name, false));
  if (missing.length > 0) {
    throw invalid(
      `the ORM does not know taskpulse's entities ${missing.join(', ')}: add \`...entities\` from @taskpulse/core to the \`entities\` of its config.`,
      'lacks taskpulse entities',
    );
  }
  const known = new Set(orm.config.getRoutines().map((routine) => routine.name));
  const missingRoutines = routines.filter((routine) => !known.has(routine.name));
  if (missingRoutines.length > 0) {
    throw invalid(
      `the ORM does not know taskpulse's routines ${missingRoutines.map((routine) => routine.name).join(', ')}: add \`routines\` from @taskpulse/core to the \`routines\` of its config.`,
      'lacks taskpulse routines',
    );
  }
}

/**
 * Checks that an app's ORM can apply taskpulse's migrations: the Migrator extension is
 * registered and every taskpulse migration is in its `migrations.migrationsList`.
 */
export function assertTaskpulseMigrations(orm: TaskpulseOrm): void {
  if (!orm.config.getExtension('@mikro-orm/migrator')) {
    throw invalid(
      'the ORM has no Migrator: add `extensions: [Migrator]` (from @mikro-orm/migrations) to its config.',
      'has no Migrator extension',
    );
  }
  const listed = orm.config.get('migrations').migrationsList ?? [];
  const names = new Set(
    listed.map((migration) => (typeof migration === 'function' ? migration.name : migration.name)),
  );
  const missing = migrationsList.filter((migration) => !names.has(migration.name));
  if (missing.length > 0) {
    throw invalid(
      `the ORM's migrations do not include taskpulse's (${missing.map((migration) => migration.name).join(', ')}): set \`migrations.migrationsList\` to \`[...migrationsList, ...yourMigrations]\`, with migrationsList from @taskpulse/core.`,
      'lacks taskpulse migrations',
    );
  }
}
