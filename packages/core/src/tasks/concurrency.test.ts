/** Concurrency on a real server, where transactions truly run in parallel. */
import { beforeEach, expect, it } from 'vitest';
import { describePostgres } from '../../test/databases.ts';
import { as, createUsers, outcome } from '../../test/fixtures.ts';
import { createShare, deleteShare } from '../sharing/index.ts';
import { createTask, getTask, updateTask } from './task-service.ts';

describePostgres('concurrency', (db) => {
  beforeEach(async () => {
    await db.tp.fork().execute('truncate users, tasks, task_shares cascade');
    await createUsers(db.tp, ['alice', 'bob']);
  });

  it('lets exactly one of 20 parallel updates at one expectedVersion win, for each version', async () => {
    const task = await createTask(as(db.tp, 'alice'), { title: 'contended' });
    for (let version = 1; version <= 3; version += 1) {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          outcome(() =>
            updateTask(as(db.tp, 'alice'), {
              id: task.id,
              title: `v${version}-${i}`,
              expectedVersion: version,
            }),
          ),
        ),
      );
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'CONFLICT')).toHaveLength(19);
      expect((await getTask(as(db.tp, 'alice'), { id: task.id })).version).toBe(version + 1);
    }
  });

  it('keeps completed_at consistent with status under parallel completes and reopens', async () => {
    const task = await createTask(as(db.tp, 'alice'), { title: 'flip-flop' });
    await createShare(as(db.tp, 'alice'), { taskId: task.id, userId: 'bob', permission: 'edit' });
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        outcome(() =>
          updateTask(as(db.tp, i % 2 ? 'alice' : 'bob'), {
            id: task.id,
            status: i % 3 ? 'completed' : 'pending',
          }),
        ),
      ),
    );
    expect(outcomes.every((o) => o === 'ok')).toBe(true);
    const final = await getTask(as(db.tp, 'alice'), { id: task.id });
    expect(final.version).toBe(41);
    expect(final.completedAt === null).toBe(final.status === 'pending');
  });

  it('leaves no duplicate share under parallel share and unshare', async () => {
    const task = await createTask(as(db.tp, 'alice'), { title: 'shared a lot' });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        outcome(() =>
          i % 3 === 2
            ? deleteShare(as(db.tp, 'alice'), { taskId: task.id, userId: 'bob' })
            : createShare(as(db.tp, 'alice'), {
                taskId: task.id,
                userId: 'bob',
                permission: i % 2 ? 'view' : 'edit',
              }),
        ),
      ),
    );
    expect(results.every((o) => o === 'ok' || o === 'NOT_FOUND')).toBe(true);
    const rows = await db.tp
      .fork()
      .execute<{ n: number }[]>(
        'select count(*)::int as n from task_shares where task_id = ? group by shared_with_user_id',
        [task.id],
      );
    expect(rows.every((row) => row.n === 1)).toBe(true);
  });
});
