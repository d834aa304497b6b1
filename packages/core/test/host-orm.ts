/**
 * A host app's MikroORM instance for tests: its own entity (`projects`, owned by taskpulse's
 * users) and migration, registered beside taskpulse's entities, routines and migrations.
 */
import { defineEntity, type MigrationObject, p } from '@mikro-orm/core';
import { Migration, Migrator } from '@mikro-orm/migrations';
import { MikroORM as PgliteOrm } from '@mikro-orm/pglite';
import { MikroORM as PostgresOrm } from '@mikro-orm/postgresql';
import { entities, migrationsList, routines, type TaskpulseOrm, User } from '../src/index.ts';

/** The app's own entity: a project, owned by one of taskpulse's users. */
export const Project = defineEntity({
  name: 'Project',
  tableName: 'projects',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    owner: () => p.manyToOne(User).fieldName('owner_id').deleteRule('cascade'),
  },
});

/** The app's own migration, after taskpulse's: its table refers to taskpulse's users. */
class Migration20261201000000_projects extends Migration {
  override name = 'Migration20261201000000_projects';
  override up(): void {
    this.addSql(
      `create table "projects" ("id" uuid not null, "name" text not null, "owner_id" text not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "projects" add constraint "projects_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete cascade;`,
    );
  }
}

export const appMigrations: MigrationObject[] = [
  { name: 'Migration20261201000000_projects', class: Migration20261201000000_projects },
];

export type Kind = 'postgres' | 'pglite';

/** The app's MikroORM config, with taskpulse's parts registered beside its own. */
export function appConfig(overrides: Record<string, unknown> = {}) {
  return {
    entities: [...entities, Project],
    routines: [...routines],
    extensions: [Migrator],
    migrations: {
      migrationsList: [...migrationsList, ...appMigrations],
      // no snapshot file: the entities and the listed migrations describe the schema
      snapshot: false,
      silent: true,
    },
    allowGlobalContext: false,
    ...overrides,
  };
}

/** The app's ORM on `url` (PostgreSQL, a pool of 3) or in-memory PGlite; not connected yet. */
export async function openAppOrm(
  kind: Kind,
  url: string | undefined,
  overrides: Record<string, unknown> = {},
): Promise<TaskpulseOrm> {
  const orm =
    kind === 'postgres'
      ? await PostgresOrm.init({ ...appConfig(overrides), clientUrl: url, pool: { max: 3 } })
      : await PgliteOrm.init(appConfig(overrides));
  return orm as unknown as TaskpulseOrm;
}
