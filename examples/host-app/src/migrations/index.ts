import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261201120000_projects } from './Migration20261201120000_projects.ts';

/**
 * The app's own migrations, in order. They run after taskpulse's (see `orm.ts`), since their
 * tables refer to taskpulse's; each has a fixed name, as recorded in `mikro_orm_migrations`.
 */
export const appMigrations: MigrationObject[] = [
  { name: 'Migration20261201120000_projects', class: Migration20261201120000_projects },
];
