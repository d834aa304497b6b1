/** taskpulse writes inside a caller's own transaction: they join it, and publish after its commit. */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeDatabases, describePostgres } from '../../test/databases.ts';
import { createUsers } from '../../test/fixtures.ts';
import { runWrite } from '../context.ts';
import { createTaskpulse, type Taskpulse } from '../create-taskpulse.ts';
import type { ChangeEvent } from '../events/index.ts';
import { newId } from '../schema/entities.ts';
import { getStatistics, rebuildCounters } from '../stats/index.ts';
import { createTask, listTasks, updateTask } from '../tasks/index.ts';
import { provisionUser } from '../users/index.ts';
import type { TaskpulseEntityManager } from './open.ts';

class HostFailure extends Error {}

describeDatabases('writes inside the caller’s transaction', (db) => {
  let events: ChangeEvent[];
  let stopRecording: () => void;
  beforeAll(async () => {
    // a table of the host app's own, that refers to taskpulse's users
    await db.tp
      .fork()
      .execute(
        'create table host_notes (id uuid primary key, user_id text not null references users (id) on delete cascade, body text not null)',
      );
  });
  beforeEach(async () => {
    await db.tp.fork().execute('truncate users, host_notes cascade');
    await createUsers(db.tp, ['alice', 'bob']);
    await db.tp.cache?.invalidateUsers(['alice', 'bob']);
    events = [];
    stopRecording?.();
    stopRecording = db.tp.events.subscribe((event) => events.push(event));
  });

  const count = async (table: 'tasks' | 'host_notes') => {
    const [row] = await db.tp
      .fork()
      .execute<{ n: number }[]>(`select count(*)::int as n from ${table}`);
    return row?.n;
  };
  const addNote = (em: TaskpulseEntityManager, body: string) =>
    em.execute("insert into host_notes (id, user_id, body) values (?, 'alice', ?)", [
      newId(),
      body,
    ]);

  it('rolls the host row and the task back together, and publishes nothing', async () => {
    const outcome = db.tp.fork().transactional(async (em) => {
      await addNote(em, 'first project');
      const task = await createTask(db.tp.context({ id: 'alice' }, { em }), {
        title: 'first task',
      });
      // the transaction sees its own write, through taskpulse too
      expect((await listTasks(db.tp.context({ id: 'alice' }, { em }), {})).items).toEqual([
        expect.objectContaining({ id: task.id }),
      ]);
      throw new HostFailure('the host gives up');
    });
    await expect(outcome).rejects.toBeInstanceOf(HostFailure);
    expect([await count('host_notes'), await count('tasks')]).toEqual([0, 0]);
    expect(events).toEqual([]);
  });

  it('commits both, and publishes the change only after the commit', async () => {
    const alice = db.tp.context({ id: 'alice' });
    expect((await db.tp.dashboard.statistics(alice)).total).toBe(0); // now cached
    let seenInside: ChangeEvent[] = [];
    const task = await db.tp.fork().transactional(async (em) => {
      await addNote(em, 'project');
      const inside = db.tp.context({ id: 'alice' }, { em });
      const created = await createTask(inside, { title: 'task of the project' });
      await updateTask(inside, { id: created.id, status: 'completed' });
      // figures read inside the transaction include its writes, and are not cached
      expect(await db.tp.dashboard.statistics(inside)).toMatchObject({ total: 1, completed: 1 });
      seenInside = [...events];
      return created;
    });
    expect(seenInside).toEqual([]);
    expect(events.map((event) => [event.type, event.taskId])).toEqual([
      ['task.created', task.id],
      ['task.updated', task.id],
    ]);
    expect([await count('host_notes'), await count('tasks')]).toEqual([1, 1]);
    // the commit invalidated the cached figures at once
    expect(await db.tp.dashboard.statistics(db.tp.context({ id: 'alice' }))).toMatchObject({
      total: 1,
      completed: 1,
    });
  });

  it('never caches figures read inside a transaction that then rolls back', async () => {
    await db.tp
      .fork()
      .transactional(async (em) => {
        await createTask(db.tp.context({ id: 'alice' }, { em }), { title: 'never committed' });
        expect(
          (await db.tp.dashboard.statistics(db.tp.context({ id: 'alice' }, { em }))).total,
        ).toBe(1);
        throw new HostFailure();
      })
      .catch(() => {});
    expect((await db.tp.dashboard.statistics(db.tp.context({ id: 'alice' }))).total).toBe(0);
  });

  it('keeps what a rolled-back savepoint did out, and the rest in, events included', async () => {
    const kept = await db.tp.fork().transactional(async (em) => {
      const outer = await createTask(db.tp.context({ id: 'alice' }, { em }), { title: 'kept' });
      await em
        .transactional(async (nested) => {
          await addNote(nested, 'dropped');
          await createTask(db.tp.context({ id: 'alice' }, { em: nested }), { title: 'dropped' });
          throw new HostFailure();
        })
        .catch((error: unknown) => {
          if (!(error instanceof HostFailure)) throw error;
        });
      const released = await em.transactional(async (nested) => {
        // two levels deep: released into the savepoint around it, then into the transaction
        return nested.transactional((deeper) =>
          createTask(db.tp.context({ id: 'alice' }, { em: deeper }), { title: 'kept, nested' }),
        );
      });
      expect(events).toEqual([]); // released savepoints publish nothing yet
      return [outer, released];
    });
    const titles = (await db.tp.fork().execute<{ title: string }[]>('select title from tasks'))
      .map((row) => row.title)
      .sort();
    expect(titles).toEqual(['kept', 'kept, nested']);
    expect(await count('host_notes')).toBe(0);
    expect(events.map((event) => event.taskId)).toEqual(kept.map((task) => task.id));
  });

  it('drops the events of a rolled-back savepoint even when the savepoint around it is released', async () => {
    await db.tp.fork().transactional(async (em) => {
      await em.transactional(async (nested) => {
        await nested
          .transactional(async (deeper) => {
            await createTask(db.tp.context({ id: 'alice' }, { em: deeper }), { title: 'gone' });
            throw new HostFailure();
          })
          .catch(() => {});
      });
    });
    expect(await count('tasks')).toBe(0);
    expect(events).toEqual([]);
  });

  it('lets the caller go on after a taskpulse write failed in its transaction', async () => {
    await db.tp.fork().transactional(async (em) => {
      const alice = db.tp.context({ id: 'alice' }, { em });
      await addNote(em, 'before');
      // a database error inside the write: only the write's savepoint is rolled back
      const failed = await runWrite(alice, async (tx) => {
        await tx.execute("insert into tasks (id, user_id, title) values (?, 'alice', '')", [
          newId(),
        ]);
        return { result: null, change: { type: 'task.created', affectedUserIds: ['alice'] } };
      }).catch((error: unknown) => error);
      expect(failed).toMatchObject({ code: 'INTERNAL' });
      await expect(updateTask(alice, { id: newId(), title: 'no such task' })).rejects.toMatchObject(
        { code: 'NOT_FOUND' },
      );
      await createTask(alice, { title: 'after' });
      await addNote(em, 'after');
    });
    expect([await count('host_notes'), await count('tasks')]).toEqual([2, 1]);
    expect(events.map((event) => event.type)).toEqual(['task.created']);
  });

  it('keeps concurrent host transactions apart: each commits or rolls back its own writes and events', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        db.tp
          .fork()
          .transactional(async (em) => {
            const task = await createTask(db.tp.context({ id: i % 2 ? 'bob' : 'alice' }, { em }), {
              title: `transaction ${i}`,
            });
            await addNote(em, `transaction ${i}`);
            if (i % 3 === 0) throw new HostFailure();
            return task.id;
          })
          .catch((error: unknown) => {
            if (error instanceof HostFailure) return null;
            throw error;
          }),
      ),
    );
    const committed = outcomes.filter((id): id is string => id !== null);
    expect(committed).toHaveLength(5);
    const rows = await db.tp.fork().execute<{ id: string }[]>('select id from tasks');
    expect(rows.map((row) => row.id).sort()).toEqual([...committed].sort());
    expect(events.map((event) => event.taskId).sort()).toEqual([...committed].sort());
    expect(await count('host_notes')).toBe(5);
    // and the counters the triggers keep inside those transactions are exact
    expect(await rebuildCounters(db.tp.fork())).toMatchObject({ corrected: 0 });
  });

  it('provisions a user in the caller’s transaction, so that rows referring to it commit or roll back with it', async () => {
    await db.tp
      .fork()
      .transactional(async (em) => {
        await provisionUser(em, {
          id: 'carol',
          email: 'alice@example.com',
          emailVerified: true,
          name: 'Carol',
        });
        await em.execute("insert into host_notes (id, user_id, body) values (?, 'carol', 'x')", [
          newId(),
        ]);
        throw new HostFailure();
      })
      .catch(() => {});
    expect(await db.tp.fork().execute("select id from users where id = 'carol'")).toEqual([]);
    const { user } = await db.tp.fork().transactional(async (em) => {
      // alice holds the email verified: the retries run in savepoints, the transaction goes on
      const provisioned = await provisionUser(em, {
        id: 'carol',
        email: 'alice@example.com',
        emailVerified: true,
        name: 'Carol',
      });
      await em.execute("insert into host_notes (id, user_id, body) values (?, 'carol', 'x')", [
        newId(),
      ]);
      return provisioned;
    });
    expect(user).toMatchObject({ id: 'carol', email: null, name: 'Carol' });
    expect(await count('host_notes')).toBe(1);
  });

  it('refuses a live stream on a transaction’s context, naming why', async () => {
    await db.tp.fork().transactional(async (em) => {
      const stream = db.tp.dashboard.live(db.tp.context({ id: 'alice' }, { em }));
      await expect(stream.next()).rejects.toMatchObject({
        code: 'VALIDATION',
        message: expect.stringContaining('transaction'),
      });
      // the uncached reads still work in it
      expect((await getStatistics(db.tp.context({ id: 'alice' }, { em }))).total).toBe(0);
    });
  });
});

describePostgres('change events of host transactions across instances', (db) => {
  let other: Taskpulse;
  const received: ChangeEvent[] = [];
  beforeAll(async () => {
    other = await createTaskpulse({ database: { url: db.url! }, changeEvents: 'postgres' });
    other.events.subscribe((event) => received.push(event));
  });
  afterAll(async () => {
    await other?.close();
  });

  it('sends NOTIFY with the outermost commit, and nothing for a rolled-back savepoint or transaction', async () => {
    const tp = await createTaskpulse({ database: { url: db.url! }, changeEvents: 'postgres' });
    try {
      await createUsers(tp, ['alice']);
      const committed = await tp.fork().transactional(async (em) => {
        const task = await createTask(tp.context({ id: 'alice' }, { em }), { title: 'sent' });
        await em
          .transactional(async (nested) => {
            await createTask(tp.context({ id: 'alice' }, { em: nested }), { title: 'not sent' });
            throw new HostFailure();
          })
          .catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(received).toEqual([]); // nothing before the commit
        return task;
      });
      await tp
        .fork()
        .transactional(async (em) => {
          await createTask(tp.context({ id: 'alice' }, { em }), { title: 'rolled back' });
          throw new HostFailure();
        })
        .catch(() => {});
      const deadline = Date.now() + 3_000;
      while (received.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received.map((event) => event.taskId)).toEqual([committed.id]);
    } finally {
      await tp.close();
    }
  });
});
