/** createTaskpulse({ orm }): taskpulse on an app's own MikroORM instance, its pool and its migrations. */
import { MikroORM as PgliteOrm } from '@mikro-orm/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable } from '../test/databases.ts';
import { appConfig, appMigrations, type Kind, openAppOrm, Project } from '../test/host-orm.ts';
import {
  type ChangeEvent,
  createTask,
  createTaskpulse,
  listTasks,
  migrationsList,
  type Taskpulse,
  type TaskpulseConfig,
  type TaskpulseError,
  type TaskpulseOrm,
  User,
} from './index.ts';

async function failure(config: unknown): Promise<TaskpulseError> {
  return createTaskpulse(config as TaskpulseConfig).then(
    () => {
      throw new Error('createTaskpulse should have failed');
    },
    (caught: unknown) => caught as TaskpulseError,
  );
}

function suite(kind: Kind) {
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  let orm: TaskpulseOrm;
  let tp: Taskpulse;
  beforeAll(async () => {
    if (kind === 'postgres') ({ url, drop } = await createTestDatabase());
    orm = await openAppOrm(kind, url);
    tp = await createTaskpulse({ orm, migrate: true });
  });
  afterAll(async () => {
    await tp?.close();
    await orm?.close(true);
    await drop?.();
  });

  it("applies taskpulse's migrations, then the app's, in one list, and uses the app's ORM itself", async () => {
    expect(tp.orm).toBe(orm);
    const applied = await orm.em
      .fork()
      .execute<{ name: string }[]>('select name from mikro_orm_migrations order by id');
    expect(applied.map((row) => row.name)).toEqual([
      ...migrationsList.map((migration) => migration.name),
      'Migration20261201000000_projects',
    ]);
    expect(await tp.pendingMigrations()).toEqual([]);
    expect(await tp.migrate()).toEqual({ applied: [] });
  });

  it("creates the app's row and taskpulse's in one transaction of the app's ORM, and rolls both back together", async () => {
    await tp.provisionUser({ id: 'alice', name: 'Alice' });
    const events: ChangeEvent[] = [];
    const off = tp.events.subscribe((event) => events.push(event));
    try {
      const rollback = orm.em.fork().transactional(async (em) => {
        em.create(Project, { id: crypto.randomUUID(), name: 'Launch', owner: 'alice' });
        await em.flush();
        await createTask(tp.context({ id: 'alice' }, { em }), { title: 'Write the post' });
        throw new Error('the app changes its mind');
      });
      await expect(rollback).rejects.toThrow('changes its mind');
      expect(await orm.em.fork().count(Project, {})).toBe(0);
      expect((await listTasks(tp.context({ id: 'alice' }), {})).items).toEqual([]);
      expect(events).toEqual([]);

      const task = await orm.em.fork().transactional(async (em) => {
        em.create(Project, { id: crypto.randomUUID(), name: 'Launch', owner: 'alice' });
        return createTask(tp.context({ id: 'alice' }, { em }), { title: 'Write the post' });
      });
      expect(await orm.em.fork().count(Project, {})).toBe(1);
      expect(events.map((event) => event.taskId)).toEqual([task.id]);
    } finally {
      off();
    }
  });

  it('refuses an entity manager of another ORM', async () => {
    const other = await openAppOrm('pglite', undefined); // not connected: forking costs nothing
    try {
      expect(() => tp.context({ id: 'alice' }, { em: other.em.fork() })).toThrow(
        expect.objectContaining({
          code: 'VALIDATION',
          message: expect.stringContaining('another MikroORM'),
        }),
      );
    } finally {
      await other.close(true);
    }
  });

  // each of these opens a fresh ORM: a new PGlite takes seconds to start on a busy machine
  it('times the statements of an ORM it was opened on before its first query', async () => {
    const fresh = await openAppOrm(kind, url);
    const seen: string[] = [];
    const timed = await createTaskpulse({ orm: fresh, onQuery: ({ sql }) => seen.push(sql) });
    try {
      expect(seen).toContain('select 1'); // the readiness check of createTaskpulse
      await timed.fork().execute('select 2 as two');
      expect(seen).toContain('select 2 as two');
    } finally {
      await timed.close();
      await fresh.close(true);
    }
  }, 90_000);

  it('says onQuery cannot work on an ORM that connected before', async () => {
    const used = await openAppOrm(kind, url);
    try {
      await used.em.fork().execute('select 1');
      const error = await failure({ orm: used, onQuery: () => {} });
      expect(error).toMatchObject({ code: 'VALIDATION' });
      expect(error.issues.map((issue) => issue.path)).toEqual([['onQuery']]);
      expect(error.message).toContain('right after MikroORM.init()');
      // without onQuery, the same ORM opens fine (only unmetered), and is still the app's after
      const untimed = await createTaskpulse({ orm: used });
      await untimed.close();
      expect(await used.em.fork().execute('select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await used.close(true);
    }
  }, 90_000);

  // PGlite has one connection: opening taskpulse (its `select 1`) would wait for that transaction
  it.skipIf(kind === 'pglite')(
    'refuses a write in a transaction that began before taskpulse was opened on the ORM',
    async () => {
      const early = await openAppOrm(kind, url);
      const em = early.em.fork();
      await em.begin();
      try {
        const late = await createTaskpulse({ orm: early });
        try {
          const error = await createTask(late.context({ id: 'alice' }, { em }), {
            title: 'x',
          }).catch((caught: unknown) => caught);
          expect(error).toMatchObject({
            code: 'INTERNAL',
            message: expect.stringContaining('began before taskpulse was opened'),
          });
        } finally {
          await late.close();
        }
      } finally {
        await em.rollback();
        await early.close(true);
      }
    },
  );
}

describe.skipIf(!postgresAvailable)('taskpulse on the app’s own ORM [postgres]', () =>
  suite('postgres'),
);
describe('taskpulse on the app’s own ORM [pglite]', () => suite('pglite'));

describe.skipIf(!postgresAvailable)('one pool: the app’s [postgres]', () => {
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ url, drop } = await createTestDatabase());
  });
  afterAll(async () => {
    await drop?.();
  });

  const sessions = async (admin: pg.Client) => {
    const { rows } = await admin.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where datname = $1',
      [new URL(url).pathname.slice(1)],
    );
    return rows[0]?.n ?? 0;
  };

  it('never opens more connections than the app’s pool, under concurrent writes and reads', async () => {
    const orm = await openAppOrm('postgres', url); // pool: { max: 3 }
    const tp = await createTaskpulse({ orm, migrate: true, changeEvents: 'local' });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await tp.provisionUser({ id: 'alice' });
      let most = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          // minus the admin session itself
          most = Math.max(most, (await sessions(admin)) - 1);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 2
            ? createTask(tp.context({ id: 'alice' }), { title: `task ${i}` })
            : orm.em.fork().transactional(async (em) => {
                em.create(Project, { id: crypto.randomUUID(), name: `p${i}`, owner: 'alice' });
                await createTask(tp.context({ id: 'alice' }, { em }), { title: `in project ${i}` });
              }),
        ),
      );
      sampling = false;
      await sampler;
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(3);
    } finally {
      await admin.end();
      await tp.close();
      await orm.close(true);
    }
  });

  it('shares change events through the LISTEN session made from the app’s pool options', async () => {
    const orm = await openAppOrm('postgres', url);
    const tp = await createTaskpulse({ orm, changeEvents: 'postgres' });
    const other = await createTaskpulse({ database: { url }, changeEvents: 'postgres' });
    try {
      const received: ChangeEvent[] = [];
      tp.events.subscribe((event) => received.push(event));
      const task = await createTask(other.context({ id: 'alice' }), { title: 'from the other' });
      const deadline = Date.now() + 3_000;
      while (received.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(received.map((event) => event.taskId)).toEqual([task.id]);
    } finally {
      await other.close();
      await tp.close();
      await orm.close(true);
    }
  });
});

describe('createTaskpulse({ orm }) config', () => {
  let orm: TaskpulseOrm;
  beforeAll(async () => {
    orm = await openAppOrm('pglite', undefined);
  });
  afterAll(async () => {
    await orm?.close(true);
  });

  it.each([
    ['something that is no ORM', () => ({ orm: 42 }), ['orm'], 'MikroORM instance'],
    [
      'both a database and an ORM',
      () => ({ orm, database: { embedded: {} } }),
      ['database'],
      'not both',
    ],
    ['debug, which is the ORM’s own option', () => ({ orm, debug: true }), [], 'ORM'],
  ])('names the bad field for %s', async (_, config, path, hint) => {
    const error = await failure(config());
    expect(error.code).toBe('VALIDATION');
    expect(error.issues.map((issue) => issue.path)).toContainEqual(path);
    expect(error.message).toContain(hint);
  });

  it("says which of taskpulse's parts an ORM lacks, and where to add them", async () => {
    const noEntities = await PgliteOrm.init({ ...appConfig(), entities: [Project, User] });
    const noRoutines = await PgliteOrm.init({ ...appConfig(), routines: [] });
    const noMigrations = await PgliteOrm.init({
      ...appConfig(),
      migrations: { migrationsList: appMigrations },
    });
    try {
      expect(await failure({ orm: noEntities })).toMatchObject({
        code: 'VALIDATION',
        message: expect.stringMatching(/entities Team, Task.*\.\.\.entities/),
      });
      expect(await failure({ orm: noRoutines })).toMatchObject({
        code: 'VALIDATION',
        message: expect.stringContaining('task_counts_overdue'),
      });
      expect(await failure({ orm: noMigrations, migrate: true })).toMatchObject({
        code: 'VALIDATION',
        message: expect.stringContaining('migrationsList'),
      });
    } finally {
      await Promise.all([noEntities.close(true), noRoutines.close(true), noMigrations.close(true)]);
    }
  }, 90_000);
});
