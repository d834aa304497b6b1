import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable } from '../../test/databases.ts';
import { createTaskpulse, type Taskpulse } from '../create-taskpulse.ts';
import { getMe } from '../users/index.ts';
import type { QueryEvent } from './config.ts';

function suite(kind: 'postgres' | 'pglite') {
  const seen: QueryEvent[] = [];
  let observe: (query: QueryEvent) => void = (query) => seen.push(query);
  let tp: Taskpulse | undefined;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const onQuery = (query: QueryEvent) => observe(query);
    if (kind === 'postgres') {
      const database = await createTestDatabase();
      drop = database.drop;
      tp = await createTaskpulse({ database: { url: database.url }, migrate: true, onQuery });
    } else {
      tp = await createTaskpulse({ database: { embedded: {} }, migrate: true, onQuery });
    }
  });
  afterAll(async () => {
    await tp?.close();
    await drop?.();
  });

  it('reports Kysely queries and MikroORM queries alike, with their durations', async () => {
    if (!tp) throw new Error('not open');
    seen.length = 0;
    await tp.provisionUser({ id: 'query-watcher', name: 'secret name' });
    await getMe(tp.context({ id: 'query-watcher' }));
    await tp.fork().execute('select count(*) from users where id = ?', ['query-watcher']);

    const statements = seen.map((query) => query.sql);
    expect(statements.some((sql) => /insert into users/i.test(sql))).toBe(true);
    expect(
      statements.some((sql) => /select id, email, name, created_at from users/i.test(sql)),
    ).toBe(true);
    expect(statements.some((sql) => /select count\(\*\) from users/i.test(sql))).toBe(true);
    // Kysely sends values as parameters, never inside the text
    const provisioning = statements.filter((sql) => /insert into users/i.test(sql));
    expect(provisioning.join(' ')).not.toContain('secret name');
    for (const query of seen) {
      expect(query.durationMs).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(query.durationMs)).toBe(true);
    }
  });

  it('keeps answering when the observer throws', async () => {
    if (!tp) throw new Error('not open');
    observe = () => {
      throw new Error('observer bug');
    };
    try {
      await expect(getMe(tp.context({ id: 'query-watcher' }))).resolves.toMatchObject({
        id: 'query-watcher',
      });
    } finally {
      observe = (query) => seen.push(query);
    }
  });
}

describe.skipIf(!postgresAvailable)('onQuery [postgres]', () => suite('postgres'));
describe('onQuery [pglite]', () => suite('pglite'));
