/**
 * Count = list: for every figure of the dashboard, the `tasks.list` filter behind it lists
 * exactly that many tasks — checked on random data with fast-check.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { as, createUsers } from '../../test/fixtures.ts';
import type { TaskpulseContext } from '../context.ts';
import { newId } from '../schema/entities.ts';
import { listTasks, type TaskFilterInput } from '../tasks/index.ts';
import { type FigureName, figureListFilters } from './figures.ts';
import {
  getActivity,
  getBreakdown,
  getSharedStats,
  getStatistics,
  getTrend,
} from './stats-service.ts';

const USERS = ['u0', 'u1', 'u2', 'u3'];
const ZONES = [
  'UTC',
  'America/New_York',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'Australia/Lord_Howe',
];

const taskArb = fc.record({
  owner: fc.nat({ max: USERS.length - 1 }),
  createdAgoMin: fc.integer({ min: 0, max: 20 * 24 * 60 }),
  completedAfterMin: fc.option(fc.integer({ min: 0, max: 5 * 24 * 60 }), { nil: null }),
  dueInMin: fc.option(fc.integer({ min: -10 * 24 * 60, max: 10 * 24 * 60 }), { nil: null }),
  priority: fc.constantFrom('low', 'medium', 'high'),
  inTeam: fc.boolean(),
});
const scenarioArb = fc.record({
  now: fc.date({
    min: new Date('2026-01-01T00:00:00Z'),
    max: new Date('2027-01-01T00:00:00Z'),
    noInvalidDate: true,
  }),
  timeZone: fc.constantFrom(...ZONES),
  weekStartsOn: fc.integer({ min: 0, max: 6 }),
  tasks: fc.array(taskArb, { maxLength: 40 }),
  shares: fc.array(
    fc.record({
      task: fc.nat(),
      recipient: fc.nat({ max: USERS.length - 1 }),
      permission: fc.constantFrom('view', 'edit'),
    }),
    { maxLength: 25 },
  ),
});

async function countByList(ctx: TaskpulseContext, filter: TaskFilterInput): Promise<number> {
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await listTasks(ctx, { ...filter, limit: 100, ...(cursor ? { cursor } : {}) });
    total += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return total;
}

describeDatabases('count = list', (db) => {
  it('holds for every figure on random data', async () => {
    await createUsers(db.tp, USERS);
    const teamId = newId();
    await db.tp
      .fork()
      .execute("insert into teams (id, name, owner_id) values (?, 'team', 'u1')", [teamId]);
    await db.tp.fork().execute(
      `insert into team_members (id, team_id, user_id, role) values ${USERS.map(() => "(gen_random_uuid(), ?, ?, 'member')").join(', ')}`,
      USERS.flatMap((user) => [teamId, user]),
    );

    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const em = db.tp.fork();
        await em.execute('delete from tasks');
        const now = scenario.now.getTime();
        const ids: string[] = [];
        for (const task of scenario.tasks) {
          const created = now - task.createdAgoMin * 60_000;
          const completed =
            task.completedAfterMin === null
              ? null
              : Math.min(now, created + task.completedAfterMin * 60_000);
          const id = newId();
          ids.push(id);
          await em.execute(
            'insert into tasks (id, user_id, team_id, title, status, priority, due_at, created_at, updated_at, completed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [
              id,
              USERS[task.owner],
              task.inTeam ? teamId : null,
              'task',
              completed === null ? 'pending' : 'completed',
              task.priority,
              task.dueInMin === null ? null : new Date(now + task.dueInMin * 60_000),
              new Date(created),
              new Date(created),
              completed === null ? null : new Date(completed),
            ],
          );
        }
        for (const share of scenario.shares) {
          const index = share.task % Math.max(1, ids.length);
          const task = scenario.tasks[index];
          if (!task || task.owner === share.recipient) continue;
          await em.execute(
            'insert into task_shares (id, task_id, shared_with_user_id, shared_by_user_id, permission) values (?, ?, ?, ?, ?) on conflict do nothing',
            [newId(), ids[index], USERS[share.recipient], USERS[task.owner], share.permission],
          );
        }

        for (const user of USERS.slice(0, 2)) {
          const ctx = as(db.tp, user, () => new Date(now));
          const { timeZone, weekStartsOn } = scenario;
          const statistics = await getStatistics(ctx);
          const breakdown = await getBreakdown(ctx);
          const shared = await getSharedStats(ctx);
          const activity = await getActivity(ctx, { timeZone, weekStartsOn });
          const filters = figureListFilters(activity.window);
          const figures: Record<string, number> = {
            ...Object.fromEntries(
              Object.entries(statistics).map(([k, v]) => [`statistics.${k}`, v]),
            ),
            'breakdown.pending': breakdown.pending,
            'breakdown.completed': breakdown.completed,
            'breakdown.total': breakdown.total,
            ...Object.fromEntries(
              Object.entries(breakdown.byPriority).map(([k, v]) => [
                `breakdown.byPriority.${k}`,
                v,
              ]),
            ),
            ...Object.fromEntries(Object.entries(shared).map(([k, v]) => [`shared.${k}`, v])),
            'activity.createdToday': activity.createdToday,
            'activity.completedToday': activity.completedToday,
            'activity.createdThisWeek': activity.createdThisWeek,
            'activity.completedThisWeek': activity.completedThisWeek,
          };
          expect(Object.keys(figures).sort()).toEqual(Object.keys(filters).sort());
          for (const [name, value] of Object.entries(figures)) {
            expect([name, await countByList(ctx, filters[name as FigureName])]).toEqual([
              name,
              value,
            ]);
          }
          expect(activity.completionRate).toBeCloseTo(
            statistics.total === 0 ? 0 : statistics.completed / statistics.total,
            12,
          );

          // every trend day equals the list of tasks created / completed in that local day
          const trend = await getTrend(ctx, { days: 7, timeZone });
          for (const day of trend) {
            const [bounds] = await em.execute<{ from: Date; to: Date }[]>(
              'select (?::date::timestamp at time zone ?) as "from", ((?::date + 1)::timestamp at time zone ?) as "to"',
              [day.date, timeZone, day.date, timeZone],
            );
            const from = new Date(bounds!.from).toISOString();
            const to = new Date(bounds!.to).toISOString();
            expect(
              await countByList(ctx, { scope: 'owned', createdFrom: from, createdTo: to }),
            ).toBe(day.created);
            expect(
              await countByList(ctx, { scope: 'owned', completedFrom: from, completedTo: to }),
            ).toBe(day.completed);
          }
          expect(trend.reduce((sum, day) => sum + day.created, 0)).toBeLessThanOrEqual(
            statistics.total,
          );
        }
      }),
      { numRuns: db.kind === 'postgres' ? 25 : 12, endOnFailure: true },
    );
  });
});
