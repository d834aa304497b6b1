import { beforeEach, expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { actor, createUsers } from '../../test/fixtures.ts';
import { runWrite } from '../context.ts';
import { newId } from '../schema/entities.ts';
import { InProcessChangeEventBus } from './in-process-bus.ts';

describeDatabases('change events', (db) => {
  beforeEach(async () => {
    await db.tp.fork().execute('truncate users, tasks cascade');
    await createUsers(db.tp, ['alice']);
  });

  it('publishes after the commit, so that a listener already sees the write', async () => {
    const alice = actor(db.tp, 'alice');
    const id = newId();
    let seenByListener: Promise<unknown> | undefined;
    alice.ctx.events.subscribe(() => {
      // a listener reading through another connection at once sees the committed row
      seenByListener = db.tp.fork().execute('select id from tasks where id = ?', [id]);
    });
    await runWrite(alice.ctx, async (em) => {
      await em.execute("insert into tasks (id, user_id, title) values (?, 'alice', 'x')", [id]);
      return {
        result: null,
        change: { type: 'task.created', taskId: id, affectedUserIds: ['alice'] },
      };
    });
    const rows = await db.tp.fork().execute('select id from tasks where id = ?', [id]);
    expect(rows).toEqual([{ id }]);
    expect(await seenByListener).toEqual([{ id }]);
    expect(alice.events).toHaveLength(1);
  });

  it('publishes nothing for a rolled-back write, which leaves nothing behind', async () => {
    const alice = actor(db.tp, 'alice');
    const id = newId();
    const error = await runWrite(alice.ctx, async (em) => {
      await em.execute("insert into tasks (id, user_id, title) values (?, 'alice', 'x')", [id]);
      // fails inside the transaction, after the insert
      await em.execute("insert into tasks (id, user_id, title) values (?, 'alice', '')", [newId()]);
      return {
        result: null,
        change: { type: 'task.created', taskId: id, affectedUserIds: ['alice'] },
      };
    }).catch((caught: unknown) => caught);
    expect((error as { code: string }).code).toBe('INTERNAL');
    expect((error as Error).message).not.toMatch(/insert|tasks|check/i);
    expect(alice.events).toEqual([]);
    expect(await db.tp.fork().execute('select id from tasks')).toEqual([]);
  });

  it('keeps delivering to the other listeners when one throws', () => {
    const errors: unknown[] = [];
    const bus = new InProcessChangeEventBus({ onListenerError: (error) => errors.push(error) });
    const got: string[] = [];
    bus.subscribe(() => {
      throw new Error('boom');
    });
    const off = bus.subscribe((event) => got.push(event.type));
    const event = {
      type: 'task.created' as const,
      actorId: 'a',
      affectedUserIds: ['a'],
      at: new Date(),
    };
    bus.publish(event);
    off();
    bus.publish(event);
    expect(got).toEqual(['task.created']);
    expect(errors).toHaveLength(2);
    expect(bus.listenerCount).toBe(1);
  });
});
