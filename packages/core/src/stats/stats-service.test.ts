import { beforeEach, expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { as, createUsers, outcome } from '../../test/fixtures.ts';
import { createShare } from '../sharing/index.ts';
import { createTask, deleteTask, updateTask } from '../tasks/index.ts';
import { getActivity, getBreakdown, getSharedStats, getStatistics } from './stats-service.ts';

const NOW = new Date('2026-11-22T12:00:00Z');

describeDatabases('statistics', (db) => {
  beforeEach(async () => {
    await db.tp.fork().execute('truncate users, tasks, task_shares cascade');
    await createUsers(db.tp, ['alice', 'bob', 'carol']);
  });

  const alice = () => as(db.tp, 'alice', () => NOW);
  const bob = () => as(db.tp, 'bob', () => NOW);

  it('are all zero for a new user, with a completion rate of 0', async () => {
    expect(await getStatistics(alice())).toEqual({
      total: 0,
      pending: 0,
      completed: 0,
      shared: 0,
      overdue: 0,
    });
    expect(await getBreakdown(alice())).toEqual({
      pending: 0,
      completed: 0,
      total: 0,
      byPriority: { low: 0, medium: 0, high: 0 },
    });
    expect(await getSharedStats(alice())).toEqual({
      totalShared: 0,
      viewOnly: 0,
      canEdit: 0,
      sharedByMe: 0,
    });
    expect((await getActivity(alice())).completionRate).toBe(0);
  });

  it('count exactly what SPEC.md defines', async () => {
    const a = alice();
    const overdue = await createTask(a, {
      title: 'overdue',
      dueAt: '2026-11-21T00:00:00Z',
      priority: 'high',
    });
    await createTask(a, { title: 'due later', dueAt: '2026-11-23T00:00:00Z', priority: 'low' });
    await createTask(a, { title: 'due exactly now', dueAt: NOW.toISOString() });
    const doneLate = await createTask(a, { title: 'done late', dueAt: '2026-11-20T00:00:00Z' });
    await updateTask(a, { id: doneLate.id, status: 'completed' });
    await createShare(a, { taskId: overdue.id, userId: 'bob', permission: 'view' });
    await createShare(a, { taskId: overdue.id, userId: 'carol', permission: 'edit' });
    await createShare(a, { taskId: doneLate.id, userId: 'bob', permission: 'edit' });
    const bobs = await createTask(bob(), { title: 'bob view', dueAt: '2026-11-01T00:00:00Z' });
    const bobs2 = await createTask(bob(), { title: 'bob edit' });
    await createShare(bob(), { taskId: bobs.id, userId: 'alice', permission: 'view' });
    await createShare(bob(), { taskId: bobs2.id, userId: 'alice', permission: 'edit' });

    // bob's overdue task shared with alice counts for bob, not for alice
    expect(await getStatistics(a)).toEqual({
      total: 4,
      pending: 3,
      completed: 1,
      shared: 2,
      overdue: 1,
    });
    expect(await getBreakdown(a)).toEqual({
      pending: 3,
      completed: 1,
      total: 4,
      byPriority: { low: 1, medium: 2, high: 1 },
    });
    expect(await getSharedStats(a)).toEqual({
      totalShared: 2,
      viewOnly: 1,
      canEdit: 1,
      sharedByMe: 2,
    });
    expect(await getStatistics(bob())).toEqual({
      total: 2,
      pending: 2,
      completed: 0,
      shared: 2,
      overdue: 1,
    });
    const activity = await getActivity(a, { timeZone: 'UTC' });
    expect(activity).toMatchObject({
      createdToday: 4,
      completedToday: 1,
      createdThisWeek: 4,
      completedThisWeek: 1,
      completionRate: 0.25,
    });

    await deleteTask(a, { id: overdue.id });
    expect(await getStatistics(a)).toEqual({
      total: 3,
      pending: 2,
      completed: 1,
      shared: 2,
      overdue: 0,
    });
    expect(await getSharedStats(as(db.tp, 'carol', () => NOW))).toEqual({
      totalShared: 0,
      viewOnly: 0,
      canEdit: 0,
      sharedByMe: 0,
    });
  });

  it('never count another user’s tasks, shares or teams for a stranger', async () => {
    await createTask(alice(), { title: 'x', dueAt: '2026-01-01T00:00:00Z' });
    const stranger = as(db.tp, 'carol', () => NOW);
    expect(await getStatistics(stranger)).toEqual({
      total: 0,
      pending: 0,
      completed: 0,
      shared: 0,
      overdue: 0,
    });
    expect((await getActivity(stranger)).createdToday).toBe(0);
  });

  it('refuse input they do not take', async () => {
    expect(await outcome(() => getStatistics(alice(), { extra: 1 } as never))).toBe('VALIDATION');
    expect(await outcome(() => getActivity(alice(), { timeZone: 'UTC', days: 3 } as never))).toBe(
      'VALIDATION',
    );
  });
});
