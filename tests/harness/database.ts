/**
 * Plain SQL against a test database, beside the API and not through it: the oracle the suites
 * compare the API's answers with.
 */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/** Every table of the data model. */
export const TABLES = [
  'users',
  'tasks',
  'task_shares',
  'teams',
  'team_members',
  'conversations',
  'messages',
] as const;
export type Table = (typeof TABLES)[number];

/** A plain `pg` client on one database. */
export interface Sql {
  query<Row extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<Row[]>;
  /** The row count of every table. */
  counts(): Promise<Record<Table, number>>;
  /**
   * A digest of every row of every table: equal digests mean that nothing was inserted,
   * updated or deleted in between.
   */
  fingerprint(): Promise<Record<Table, string>>;
}

/** Opens a client on the database at `url()` in `beforeAll`, closes it in `afterAll`. */
export function useSql(url: () => string): Sql {
  let client: pg.Client | undefined;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: url() });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
  });
  const query = async <Row extends object>(text: string, values: unknown[] = []) => {
    if (!client) throw new Error('the SQL client is not open yet');
    return (await client.query(text, values)).rows as Row[];
  };
  return {
    query,
    counts: async () => {
      const [row] = await query<Record<Table, string>>(
        `select ${TABLES.map((table) => `(select count(*) from ${table}) as ${table}`).join(', ')}`,
      );
      return Object.fromEntries(TABLES.map((table) => [table, Number(row![table])])) as Record<
        Table,
        number
      >;
    },
    fingerprint: async () => {
      const [row] = await query<Record<Table, string>>(
        `select ${TABLES.map(
          (table) =>
            `(select count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by t.id)), '') from ${table} t) as ${table}`,
        ).join(', ')}`,
      );
      return row!;
    },
  };
}
