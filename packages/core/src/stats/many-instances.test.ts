/**
 * Two taskpulse instances in one process, on one PostgreSQL database and one Redis: a write
 * on A, then a read on B returns the fresh figure within one second.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable } from '../../test/databases.ts';
import { as, createUsers } from '../../test/fixtures.ts';
import { describeRedis } from '../../test/redis.ts';
import { createTaskpulse, type Taskpulse } from '../create-taskpulse.ts';
import { createTask, updateTask } from '../tasks/index.ts';

describeRedis('two instances sharing Redis', (redis) => {
  let a: Taskpulse;
  let b: Taskpulse;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (!postgresAvailable) return;
    const database = await createTestDatabase();
    drop = database.drop;
    const cache = { redis: { url: redis.url, keyPrefix: redis.keyPrefix } };
    a = await createTaskpulse({ database: { url: database.url }, cache, migrate: true });
    b = await createTaskpulse({ database: { url: database.url }, cache });
    await createUsers(a, ['alice']);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  // without PostgreSQL (the reason is printed at start by test/databases.ts) there is nothing to share
  it.skipIf(!postgresAvailable)('a write on A shows on B within one second', async () => {
    // B has the figure cached
    expect((await b.dashboard.statistics(as(b, 'alice'))).total).toBe(0);
    expect((await b.dashboard.statistics(as(b, 'alice'))).total).toBe(0);
    const task = await createTask(as(a, 'alice'), { title: 'on A' });
    const fresh = async (check: (total: number, completed: number) => boolean) => {
      const deadline = Date.now() + 1_000;
      for (;;) {
        const figures = await b.dashboard.statistics(as(b, 'alice'));
        if (check(figures.total, figures.completed)) return figures;
        if (Date.now() > deadline)
          throw new Error(`B still answers ${JSON.stringify(figures)} after one second`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await fresh((total) => total === 1);
    await updateTask(as(a, 'alice'), { id: task.id, status: 'completed' });
    await fresh((total, completed) => total === 1 && completed === 1);
    expect(b.cache?.stats().redis).toBe('up');
  });
});
