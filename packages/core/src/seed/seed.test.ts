import { beforeEach, describe, expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { createTaskpulse } from '../create-taskpulse.ts';
import { isTaskpulseError } from '../errors/index.ts';
import { seedBulk } from './bulk.ts';
import { DEMO_USERS, seedDemo } from './demo.ts';

const NOW = new Date('2026-11-22T12:00:00Z');
const TABLES = 'users, tasks, task_shares, teams, team_members, conversations, messages';

describeDatabases('seed', (db) => {
  const rows = <T>(query: string, params: unknown[] = []) =>
    db.tp.fork().execute<T[]>(query, params);

  beforeEach(async () => {
    await rows(`truncate ${TABLES} cascade`);
  });

  describe('seedDemo', () => {
    it('covers every status, priority, role and permission, with past and future due dates', async () => {
      const summary = await seedDemo(db.tp.fork(), { now: NOW });
      expect(summary.users).toBe(3);
      const users = await rows<{ id: string; name: string }>(
        'select id, name from users order by id',
      );
      expect(users.map((user) => user.name)).toEqual(['Alice', 'Bob', 'Charlie']);

      const combos = await rows<{ status: string; priority: string }>(
        'select distinct status, priority from tasks order by 1, 2',
      );
      expect(combos).toHaveLength(6);
      const [due] = await rows<{ past: number; future: number; none: number; overdue: number }>(
        `select count(*) filter (where due_at < ?)::int as past, count(*) filter (where due_at > ?)::int as future,
                count(*) filter (where due_at is null)::int as none,
                count(*) filter (where due_at < ? and status = 'pending')::int as overdue from tasks`,
        [NOW, NOW, NOW],
      );
      expect(due!.past).toBeGreaterThan(0);
      expect(due!.future).toBeGreaterThan(0);
      expect(due!.none).toBeGreaterThan(0);
      expect(due!.overdue).toBeGreaterThan(0);

      const [span] = await rows<{ oldest: Date; newest: Date; completed_span: number }>(
        `select min(created_at) as oldest, max(created_at) as newest,
                count(distinct date_trunc('week', completed_at))::int as completed_span from tasks`,
      );
      expect(NOW.getTime() - new Date(span!.oldest).getTime()).toBeGreaterThan(21 * 86_400_000);
      expect(new Date(span!.newest).getTime()).toBeLessThanOrEqual(NOW.getTime());
      expect(span!.completed_span).toBeGreaterThan(2);
      const [future] = await rows<{ n: number }>(
        'select count(*)::int as n from tasks where completed_at > ? or created_at > ?',
        [NOW, NOW],
      );
      expect(future!.n).toBe(0);

      const roles = await rows<{ role: string }>('select role from team_members order by role');
      expect(roles.map((row) => row.role)).toEqual(['admin', 'member', 'owner']);
      const permissions = await rows<{ permission: string }>(
        'select distinct permission from task_shares order by 1',
      );
      expect(permissions.map((row) => row.permission)).toEqual(['edit', 'view']);
      const [shares] = await rows<{ own: number }>(
        'select count(*)::int as own from task_shares s join tasks t on t.id = s.task_id where t.user_id = s.shared_with_user_id or t.user_id <> s.shared_by_user_id',
      );
      expect(shares!.own).toBe(0);
      const [chat] = await rows<{ conversations: number; messages: number; roles: number }>(
        'select (select count(*)::int from conversations) as conversations, count(*)::int as messages, count(distinct role)::int as roles from messages',
      );
      expect(chat).toEqual({ conversations: 3, messages: summary.messages, roles: 4 });
    });

    it('gives the same rows, ids included, for the same instant', async () => {
      const dump = async () =>
        rows<Record<string, unknown>>(
          'select id, user_id, team_id, title, status, priority, due_at, created_at, completed_at from tasks order by id',
        );
      await seedDemo(db.tp.fork(), { now: NOW });
      const first = await dump();
      const other = await createTaskpulse({ database: { embedded: {} }, migrate: true });
      try {
        await seedDemo(other.fork(), { now: NOW });
        const second = await other
          .fork()
          .execute<Record<string, unknown>[]>(
            'select id, user_id, team_id, title, status, priority, due_at, created_at, completed_at from tasks order by id',
          );
        expect(second).toEqual(first);
      } finally {
        await other.close();
      }
    });

    it('refuses to seed twice, and changes nothing', async () => {
      await seedDemo(db.tp.fork(), { now: NOW });
      const [before] = await rows<{ n: number }>('select count(*)::int as n from tasks');
      const error = await seedDemo(db.tp.fork(), { now: NOW }).catch((caught: unknown) => caught);
      expect(isTaskpulseError(error, 'CONFLICT')).toBe(true);
      const [after] = await rows<{ n: number }>('select count(*)::int as n from tasks');
      expect(after).toEqual(before);
      expect(DEMO_USERS.map((user) => user.name)).toEqual(['Alice', 'Bob', 'Charlie']);
    });
  });

  describe('seedBulk', () => {
    it('inserts users × tasks plus heavy users, with progress, realistic spread and UUIDv7 ids', async () => {
      const progress: [number, number][] = [];
      const result = await seedBulk(db.tp.fork(), {
        users: 40,
        tasksPerUser: 50,
        heavyUsers: [3_000],
        batchSize: 1_000,
        now: NOW,
        onProgress: (done, total) => progress.push([done, total]),
      });
      expect(result).toMatchObject({ users: 41, tasks: 5_000, teams: 2, teamMembers: 40 });
      expect(result.heavyUserIds).toEqual(['bulk-heavy-1']);
      expect(progress.at(-1)).toEqual([5_000, 5_000]);
      expect(progress.length).toBeGreaterThanOrEqual(5);
      expect(progress.map(([done]) => done)).toEqual(
        [...progress.map(([done]) => done)].sort((a, b) => a - b),
      );

      const [stats] = await rows<Record<string, number>>(
        `select count(*)::int as total,
           count(*) filter (where user_id = 'bulk-heavy-1')::int as heavy,
           count(distinct user_id)::int as owners,
           avg((status = 'completed')::int)::float as completed,
           avg((priority = 'high')::int)::float as high,
           avg((due_at is not null)::int)::float as due,
           avg((team_id is not null)::int)::float as in_team,
           min(created_at) >= ?::timestamptz - interval '90 days' as within_90_days,
           bool_and(completed_at is null or (completed_at >= created_at and completed_at <= ?)) as completed_ok,
           bool_and(substring(id::text from 15 for 1) = '7') as v7,
           bool_and(abs(extract(epoch from created_at) * 1000 - ('x' || substring(replace(id::text, '-', '') from 1 for 12))::bit(48)::bigint) < 1) as v7_time
         from tasks`,
        [NOW, NOW],
      );
      expect(stats).toMatchObject({
        total: 5_000,
        heavy: 3_000,
        owners: 41,
        within_90_days: true,
        completed_ok: true,
        v7: true,
        v7_time: true,
      });
      expect(stats!.completed).toBeGreaterThan(0.45);
      expect(stats!.completed).toBeLessThan(0.65);
      expect(stats!.high).toBeGreaterThan(0.12);
      expect(stats!.high).toBeLessThan(0.28);
      expect(stats!.due).toBeGreaterThan(0.6);
      expect(stats!.in_team).toBeGreaterThan(0.03);
      const [shares] = await rows<{ n: number; bad: number }>(
        `select count(*)::int as n, count(*) filter (where t.user_id = s.shared_with_user_id)::int as bad
         from task_shares s join tasks t on t.id = s.task_id`,
      );
      expect(shares!.n).toBe(result.taskShares);
      expect(shares!.n).toBeGreaterThan(100);
      expect(shares!.bad).toBe(0);
    });

    it('refuses bad options by name, and inserts nothing', async () => {
      const error = await seedBulk(db.tp.fork(), { users: -1, tasksPerUser: 1.5 }).catch(
        (caught: unknown) => caught,
      );
      expect(isTaskpulseError(error, 'VALIDATION')).toBe(true);
      expect((error as Error).message).toContain('users');
      expect((error as Error).message).toContain('tasksPerUser');
      const [users] = await rows<{ n: number }>('select count(*)::int as n from users');
      expect(users!.n).toBe(0);
    });
  });
});
