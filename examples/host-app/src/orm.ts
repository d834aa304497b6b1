/**
 * The app's one MikroORM instance: its own entities and migrations, and taskpulse's beside
 * them (taskpulse's migrations first, since the app's tables refer to taskpulse's users and
 * tasks). taskpulse is then opened on it (`createTaskpulse({ orm })`): one ORM, one pool.
 */
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM as PgliteMikroORM } from '@mikro-orm/pglite';
import { MikroORM as PostgresMikroORM } from '@mikro-orm/postgresql';
import {
  entities as taskpulseEntities,
  migrationsList as taskpulseMigrations,
  routines as taskpulseRoutines,
} from '@taskpulse/core';
import { appMigrations } from './migrations/index.ts';
import { appEntities } from './schema.ts';

/** Where the app keeps its data: a PostgreSQL server, or embedded PGlite (in memory without a folder). */
export type AppDatabase = { url: string; poolSize?: number } | { dataDir?: string };

/** The options both drivers share. */
const shared = {
  entities: [...taskpulseEntities, ...appEntities],
  routines: [...taskpulseRoutines],
  extensions: [Migrator],
  migrations: {
    migrationsList: [...taskpulseMigrations, ...appMigrations],
    // the entities and the listed migrations describe the schema; no snapshot file
    snapshot: false,
    silent: true,
  },
  // every request works on a fork of its own
  allowGlobalContext: false,
};

/** Opens the app's ORM (without connecting: MikroORM connects on the first query). */
export async function openOrm(database: AppDatabase) {
  if ('url' in database) {
    return PostgresMikroORM.init({
      ...shared,
      clientUrl: database.url,
      pool: { max: database.poolSize ?? 10 },
      // a statement must not hang a request: the server cancels it after 30 s
      driverOptions: { statement_timeout: 30_000, connectionTimeoutMillis: 5_000 },
    });
  }
  return PgliteMikroORM.init({
    ...shared,
    ...(database.dataDir === undefined ? {} : { dbName: database.dataDir }),
  });
}

/** The app's ORM, whichever driver it runs on. */
export type AppOrm = Awaited<ReturnType<typeof openOrm>>;
