import { beforeEach, expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { actor, as, createUsers, outcome, steppingClock } from '../../test/fixtures.ts';
import { createTask, getTask, listTasks } from '../tasks/index.ts';
import { createShare, deleteShare, listShares } from './share-service.ts';

describeDatabases('shares', (db) => {
  let taskId: string;
  beforeEach(async () => {
    await db.tp.fork().execute('truncate users, tasks, task_shares cascade');
    await createUsers(db.tp, ['alice', 'bob', 'carol']);
    taskId = (await createTask(as(db.tp, 'alice'), { title: 'shared task' })).id;
  });

  it('shares by id or email, and sharing again changes the permission without a duplicate', async () => {
    const alice = actor(db.tp, 'alice');
    const first = await createShare(alice.ctx, { taskId, userId: 'bob', permission: 'view' });
    expect(first).toMatchObject({
      taskId,
      permission: 'view',
      sharedByUserId: 'alice',
      sharedWith: { id: 'bob', name: 'bob', email: 'bob@example.com' },
    });
    expect((await getTask(as(db.tp, 'bob'), { id: taskId })).access).toBe('view');
    const again = await createShare(alice.ctx, {
      taskId,
      email: 'bob@example.com',
      permission: 'edit',
    });
    expect(again).toMatchObject({ id: first.id, permission: 'edit', createdAt: first.createdAt });
    expect((await getTask(as(db.tp, 'bob'), { id: taskId })).access).toBe('edit');
    expect(alice.events.map((e) => e.type)).toEqual(['share.created', 'share.updated']);
    expect(await db.tp.fork().execute('select count(*)::int as n from task_shares')).toEqual([
      { n: 1 },
    ]);
  });

  it('refuses to share with the owner (VALIDATION) or with an unknown user (NOT_FOUND), changing nothing', async () => {
    expect(
      await outcome(() =>
        createShare(as(db.tp, 'alice'), { taskId, userId: 'alice', permission: 'view' }),
      ),
    ).toBe('VALIDATION');
    expect(
      await outcome(() =>
        createShare(as(db.tp, 'alice'), { taskId, userId: 'nobody', permission: 'view' }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      await outcome(() =>
        createShare(as(db.tp, 'alice'), {
          taskId,
          email: 'nobody@example.com',
          permission: 'view',
        }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      await outcome(() => createShare(as(db.tp, 'alice'), { taskId, permission: 'view' } as never)),
    ).toBe('VALIDATION');
    expect(
      await outcome(() =>
        createShare(as(db.tp, 'alice'), {
          taskId,
          userId: 'bob',
          email: 'bob@example.com',
          permission: 'view',
        }),
      ),
    ).toBe('VALIDATION');
    expect(await db.tp.fork().execute('select id from task_shares')).toEqual([]);
  });

  it('regression (issue 20, unverified email claims): share by email finds only a verified address', async () => {
    // mallory claimed dave's address unverified (stored so before verification was required)
    await db.tp
      .fork()
      .execute(
        "insert into users (id, email, email_verified) values ('mallory', 'dave@example.com', false)",
      );
    expect(
      await outcome(() =>
        createShare(as(db.tp, 'alice'), { taskId, email: 'dave@example.com', permission: 'view' }),
      ),
    ).toBe('NOT_FOUND');
    expect(await db.tp.fork().execute('select id from task_shares')).toEqual([]);
    expect((await listTasks(as(db.tp, 'mallory'), { scope: 'shared' })).items).toEqual([]);
    // dave signs in with the address verified: it is his, and the share reaches him only
    await db.tp.provisionUser({ id: 'dave', email: 'dave@example.com', emailVerified: true });
    const share = await createShare(as(db.tp, 'alice'), {
      taskId,
      email: 'dave@example.com',
      permission: 'view',
    });
    expect(share.sharedWith.id).toBe('dave');
    expect((await listTasks(as(db.tp, 'mallory'), { scope: 'shared' })).items).toEqual([]);
  });

  it('unshares: the task disappears from the recipient, and a second unshare is NOT_FOUND', async () => {
    await createShare(as(db.tp, 'alice'), { taskId, userId: 'bob', permission: 'view' });
    expect((await listTasks(as(db.tp, 'bob'), { scope: 'shared' })).items).toHaveLength(1);
    expect(await deleteShare(as(db.tp, 'alice'), { taskId, userId: 'bob' })).toEqual({
      taskId,
      userId: 'bob',
    });
    expect((await listTasks(as(db.tp, 'bob'), { scope: 'shared' })).items).toHaveLength(0);
    expect(await outcome(() => getTask(as(db.tp, 'bob'), { id: taskId }))).toBe('NOT_FOUND');
    expect(await outcome(() => deleteShare(as(db.tp, 'alice'), { taskId, userId: 'bob' }))).toBe(
      'NOT_FOUND',
    );
  });

  it('lists the shares of a task oldest first, paged', async () => {
    const ctx = as(db.tp, 'alice', steppingClock('2026-11-01T00:00:00Z'));
    await createShare(ctx, { taskId, userId: 'bob', permission: 'view' });
    await createShare(ctx, { taskId, userId: 'carol', permission: 'edit' });
    const first = await listShares(ctx, { taskId, limit: 1 });
    expect(first.items.map((s) => s.sharedWith.id)).toEqual(['bob']);
    const second = await listShares(ctx, { taskId, limit: 1, cursor: first.nextCursor! });
    expect(second.items.map((s) => s.sharedWith.id)).toEqual(['carol']);
    expect(second.nextCursor).toBeNull();
  });
});
