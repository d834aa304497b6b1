/**
 * The oracle test: random sequences of writes by several users through the domain
 * functions; after each write, every figure of every user, read through the cache, equals a
 * count this test computes itself with plain SQL.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { createUsers, outcome } from '../../test/fixtures.ts';
import type { TaskpulseContext } from '../context.ts';
import type { Taskpulse } from '../create-taskpulse.ts';
import { createShare, deleteShare } from '../sharing/index.ts';
import { createTask, deleteTask, updateTask } from '../tasks/index.ts';
import { addMember, createTeam, removeMember } from '../teams/index.ts';

const USERS = ['o0', 'o1', 'o2', 'o3'];
const NOW = new Date('2026-11-22T15:30:00Z');
const ZONE = 'Europe/Berlin';

const user = fc.nat({ max: USERS.length - 1 });
const ref = fc.nat({ max: 1000 });
const opArb = fc.oneof(
  fc.record({
    op: fc.constant('create' as const),
    user,
    status: fc.constantFrom('pending', 'completed'),
    priority: fc.constantFrom('low', 'medium', 'high'),
    dueInHours: fc.option(fc.integer({ min: -72, max: 72 }), { nil: null }),
    inTeam: fc.option(ref, { nil: null }),
  }),
  fc.record({
    op: fc.constantFrom('complete' as const, 'reopen' as const, 'delete' as const),
    user,
    task: ref,
  }),
  fc.record({
    op: fc.constant('reprioritise' as const),
    user,
    task: ref,
    priority: fc.constantFrom('low', 'medium', 'high'),
  }),
  fc.record({
    op: fc.constant('redue' as const),
    user,
    task: ref,
    dueInHours: fc.option(fc.integer({ min: -72, max: 72 }), { nil: null }),
  }),
  fc.record({
    op: fc.constant('share' as const),
    user,
    task: ref,
    to: user,
    permission: fc.constantFrom('view', 'edit'),
  }),
  fc.record({ op: fc.constant('unshare' as const), user, task: ref, to: user }),
  fc.record({ op: fc.constant('team' as const), user }),
  fc.record({
    op: fc.constant('join' as const),
    user,
    team: ref,
    member: user,
    role: fc.constantFrom('admin', 'member'),
  }),
  fc.record({ op: fc.constant('leave' as const), user, team: ref, member: user }),
);

/** Every figure of `userId`, counted with plain SQL, independently of the SDK. */
async function oracle(tp: Taskpulse, userId: string) {
  const one = async (query: string, params: unknown[]) => {
    const [row] = await tp.fork().execute<Record<string, number>[]>(query, params);
    return row ?? {};
  };
  const owned = await one(
    `select count(*)::int as total,
       count(*) filter (where status = 'pending')::int as pending,
       count(*) filter (where status = 'completed')::int as completed,
       count(*) filter (where status = 'pending' and due_at < ?)::int as overdue,
       count(*) filter (where priority = 'low')::int as low,
       count(*) filter (where priority = 'medium')::int as medium,
       count(*) filter (where priority = 'high')::int as high,
       count(*) filter (where created_at >= date_trunc('day', ?::timestamptz, ?) and created_at < date_trunc('day', ?::timestamptz, ?) + interval '1 day')::int as created_today,
       count(*) filter (where completed_at >= date_trunc('day', ?::timestamptz, ?) and completed_at < date_trunc('day', ?::timestamptz, ?) + interval '1 day')::int as completed_today
     from tasks where user_id = ?`,
    [NOW, NOW, ZONE, NOW, ZONE, NOW, ZONE, NOW, ZONE, userId],
  );
  const shared = await one(
    `select count(*)::int as total_shared,
       count(*) filter (where s.permission = 'view')::int as view_only,
       count(*) filter (where s.permission = 'edit')::int as can_edit
     from task_shares s join tasks t on t.id = s.task_id
     where s.shared_with_user_id = ? and t.user_id <> ?`,
    [userId, userId],
  );
  const byMe = await one(
    'select count(distinct t.id)::int as n from tasks t join task_shares s on s.task_id = t.id where t.user_id = ?',
    [userId],
  );
  return { owned, shared, byMe: byMe.n ?? 0 };
}

describeDatabases('oracle', (db) => {
  it('every figure of every user, read through the cache after each write, equals a plain SQL count', async () => {
    const tp = db.tp;
    await createUsers(tp, USERS);
    const ctx = (index: number): TaskpulseContext => ({
      ...tp.context({ id: USERS[index]! }),
      now: () => NOW,
    });
    let reads = 0;

    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 25 }), async (ops) => {
        await tp.fork().execute('delete from tasks');
        await tp.fork().execute('delete from teams');
        await tp.cache?.invalidateUsers(USERS);
        const tasks: string[] = [];
        const teams: string[] = [];
        const pick = (list: string[], index: number) =>
          list[index % Math.max(1, list.length)] ?? '00000000-0000-7000-8000-000000000000';
        for (const op of ops) {
          const c = ctx(op.user);
          const due = (hours: number | null) =>
            hours === null ? null : new Date(NOW.getTime() + hours * 3_600_000).toISOString();
          await outcome(async () => {
            switch (op.op) {
              case 'create': {
                const teamId =
                  op.inTeam === null || teams.length === 0 ? null : pick(teams, op.inTeam);
                const task = await createTask(c, {
                  title: 'task',
                  status: op.status,
                  priority: op.priority,
                  dueAt: due(op.dueInHours),
                  teamId,
                });
                tasks.push(task.id);
                return;
              }
              case 'complete':
                return updateTask(c, { id: pick(tasks, op.task), status: 'completed' });
              case 'reopen':
                return updateTask(c, { id: pick(tasks, op.task), status: 'pending' });
              case 'delete':
                return deleteTask(c, { id: pick(tasks, op.task) });
              case 'reprioritise':
                return updateTask(c, { id: pick(tasks, op.task), priority: op.priority });
              case 'redue':
                return updateTask(c, { id: pick(tasks, op.task), dueAt: due(op.dueInHours) });
              case 'share':
                return createShare(c, {
                  taskId: pick(tasks, op.task),
                  userId: USERS[op.to]!,
                  permission: op.permission,
                });
              case 'unshare':
                return deleteShare(c, { taskId: pick(tasks, op.task), userId: USERS[op.to]! });
              case 'team':
                teams.push((await createTeam(c, { name: 'team' })).id);
                return;
              case 'join':
                return addMember(c, {
                  teamId: pick(teams, op.team),
                  userId: USERS[op.member]!,
                  role: op.role,
                });
              case 'leave':
                return removeMember(c, { teamId: pick(teams, op.team), userId: USERS[op.member]! });
            }
          });

          for (const [index, id] of USERS.entries()) {
            const c2 = ctx(index);
            const expected = await oracle(tp, id);
            const [statistics, breakdown, shared, activity] = await Promise.all([
              tp.dashboard.statistics(c2),
              tp.dashboard.breakdown(c2),
              tp.dashboard.shared(c2),
              tp.dashboard.activity(c2, { timeZone: ZONE }),
            ]);
            reads += 4;
            const { owned } = expected;
            expect(statistics).toEqual({
              total: owned.total,
              pending: owned.pending,
              completed: owned.completed,
              shared: expected.shared.total_shared,
              overdue: owned.overdue,
            });
            expect(breakdown).toEqual({
              pending: owned.pending,
              completed: owned.completed,
              total: owned.total,
              byPriority: { low: owned.low, medium: owned.medium, high: owned.high },
            });
            expect(shared).toEqual({
              totalShared: expected.shared.total_shared,
              viewOnly: expected.shared.view_only,
              canEdit: expected.shared.can_edit,
              sharedByMe: expected.byMe,
            });
            expect(activity).toMatchObject({
              createdToday: owned.created_today,
              completedToday: owned.completed_today,
            });
          }
        }
      }),
      { numRuns: db.kind === 'postgres' ? 20 : 8, endOnFailure: true },
    );
    const counters = tp.cache!.stats();
    // the reads went through the cache: every figure once computed, and re-read figures hit
    expect(counters.hits + counters.misses + counters.coalesced).toBeGreaterThanOrEqual(reads);
    expect(counters.invalidations).toBeGreaterThan(0);
  });
});
