/** The API on a taskpulse opened on an app's own ORM: one pool, one cache, one event bus. */
import { createTask, createTaskpulse, type Taskpulse, type TaskpulseOrm } from '@taskpulse/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../core/test/databases.ts';
import { openAppOrm, Project } from '../../../core/test/host-orm.ts';
import { call, postgresAvailable } from '../../test/api.ts';
import { captureLogs } from '../../test/logs.ts';
import { signHs256, TEST_SECRET } from '../../test/tokens.ts';
import { createTaskpulseServer, type TaskpulseServer } from '../index.ts';

describe.skipIf(!postgresAvailable)('the API on the app’s own ORM [postgres]', () => {
  const logs = captureLogs('warn');
  let drop: () => Promise<void>;
  let orm: TaskpulseOrm;
  let tp: Taskpulse;
  let server: TaskpulseServer;
  let url: string;
  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    orm = await openAppOrm('postgres', database.url);
    tp = await createTaskpulse({ orm, migrate: true });
    server = createTaskpulseServer({
      taskpulse: tp,
      auth: { secret: TEST_SECRET },
      logger: logs.logger,
    });
    ({ url } = await server.listen(0, '127.0.0.1'));
  });
  afterAll(async () => {
    await server?.close();
    await tp?.close();
    await orm?.close(true);
    await drop?.();
  });

  it('serves figures that a write in the app’s own transaction refreshes at once', async () => {
    const token = await signHs256({ sub: 'ines', name: 'Ines' });
    const before = await call(url, 'dashboard.statistics', { token });
    expect(before.body.result.data.total).toBe(0); // cached from here on (5 s)
    await orm.em.fork().transactional(async (em) => {
      em.create(Project, { id: crypto.randomUUID(), name: 'Garden', owner: 'ines' });
      await createTask(tp.context({ id: 'ines' }, { em }), { title: 'Plant the roses' });
      await createTask(tp.context({ id: 'ines' }, { em }), { title: 'Water them' });
    });
    const after = await call(url, 'dashboard.statistics', { token });
    expect(after.body.result.data).toMatchObject({ total: 2, pending: 2 });
    expect(await orm.em.fork().count(Project, {})).toBe(1);
  });

  it('is ready, and meters its queries on the app’s pool', async () => {
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    const token = await signHs256({ sub: 'ines' });
    await call(url, 'tasks.list', { token });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(
      /taskpulse_db_query_duration_seconds_count\{procedure="tasks\.list"\} [1-9]/,
    );
  });
});
