/**
 * The shared database test harness: one suite body runs against a real PostgreSQL server (a
 * fresh database per suite, created from TASKPULSE_TEST_DATABASE_URL) and against embedded
 * PGlite (in memory). When PostgreSQL cannot be reached its half is skipped with a printed
 * reason, unless TASKPULSE_REQUIRE_POSTGRES=1 turns that into a failure.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { createTaskpulse, type Taskpulse } from '../src/index.ts';

/** Which database a suite runs on. */
export type DatabaseKind = 'postgres' | 'pglite';

/** The server the PostgreSQL half runs on; each suite gets a fresh database on it. */
export const testServerUrl =
  process.env.TASKPULSE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const requirePostgres = process.env.TASKPULSE_REQUIRE_POSTGRES === '1';

async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: testServerUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

const unreachable = await probePostgres();
if (unreachable !== undefined) {
  const message = `PostgreSQL at ${new URL(testServerUrl).host} cannot be reached (${unreachable})`;
  if (requirePostgres) throw new Error(`${message}, and TASKPULSE_REQUIRE_POSTGRES=1 requires it.`);
  console.warn(`${message}: skipping the PostgreSQL half of the database tests.`);
}

/** Whether the PostgreSQL half runs. */
export const postgresAvailable = unreachable === undefined;

/** A fresh, migrated, empty database on PostgreSQL, and the URL to reach it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `taskpulse_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testServerUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testServerUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: testServerUrl });
      await client.connect();
      try {
        // Sessions of pools that were just closed are on their way out: let them leave. Forcing
        // one out sends its client a FATAL error that nobody listens for any more (pg-pool stops
        // listening when it ends a client), which fails the run as an uncaught exception.
        // Sessions still there after 10 s are a leak, and are forced out.
        for (let waited = 0; waited < 10_000; waited += 50) {
          const { rows } = await client.query<{ n: number }>(
            'select count(*)::int as n from pg_stat_activity where datname = $1',
            [name],
          );
          if (rows[0]?.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** What a suite body receives: the open taskpulse of its database, once `beforeAll` ran. */
export interface TestDatabase {
  readonly kind: DatabaseKind;
  /** The migrated taskpulse on this suite's own database. */
  readonly tp: Taskpulse;
  /** The PostgreSQL URL of this suite's database (PostgreSQL only). */
  readonly url: string | undefined;
}

/** Opens a migrated taskpulse for the suite in `beforeAll` and closes it in `afterAll`. */
export function useTestDatabase(kind: DatabaseKind): TestDatabase {
  let tp: Taskpulse | undefined;
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (kind === 'postgres') {
      ({ url, drop } = await createTestDatabase());
      tp = await createTaskpulse({ database: { url }, migrate: true });
    } else {
      tp = await createTaskpulse({ database: { embedded: {} }, migrate: true });
    }
  });
  afterAll(async () => {
    await tp?.close();
    await drop?.();
  });
  return {
    kind,
    get tp() {
      if (!tp) throw new Error('the test database is not open yet: use it inside a test or hook');
      return tp;
    },
    get url() {
      return url;
    },
  };
}

/**
 * Runs `body` once per database: `"<title> [postgres]"` and `"<title> [pglite]"`. The
 * PostgreSQL run is skipped, with the reason printed at start, when no server answers.
 */
export function describeDatabases(title: string, body: (db: TestDatabase) => void): void {
  describe.skipIf(!postgresAvailable)(`${title} [postgres]`, () =>
    body(useTestDatabase('postgres')),
  );
  describe(`${title} [pglite]`, () => body(useTestDatabase('pglite')));
}

/** Runs `body` on PostgreSQL only (concurrency, several connections). */
export function describePostgres(title: string, body: (db: TestDatabase) => void): void {
  describe.skipIf(!postgresAvailable)(`${title} [postgres]`, () =>
    body(useTestDatabase('postgres')),
  );
}
