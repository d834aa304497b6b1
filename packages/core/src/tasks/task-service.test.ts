import { beforeEach, describe, expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { actor, as, createUsers, outcome, steppingClock } from '../../test/fixtures.ts';
import { isTaskpulseError } from '../errors/index.ts';
import { encodeCursor } from '../pagination/index.ts';
import { createShare } from '../sharing/index.ts';
import { createTeam } from '../teams/index.ts';
import { createTask, deleteTask, getTask, listTasks, updateTask } from './task-service.ts';

const TABLES = 'users, tasks, task_shares, teams, team_members, conversations, messages';

describeDatabases('tasks', (db) => {
  beforeEach(async () => {
    await db.tp.fork().execute(`truncate ${TABLES} cascade`);
    await createUsers(db.tp, ['alice', 'bob', 'carol']);
  });

  describe('create and get', () => {
    it('creates a pending, medium task owned by the caller at version 1', async () => {
      const at = new Date('2026-11-22T10:00:00.123Z');
      const task = await createTask(
        as(db.tp, 'alice', () => at),
        { title: 'Write docs', dueAt: '2026-11-30T09:00:00+01:00' },
      );
      expect(task).toMatchObject({
        userId: 'alice',
        teamId: null,
        title: 'Write docs',
        description: null,
        status: 'pending',
        priority: 'medium',
        dueAt: '2026-11-30T08:00:00.000Z',
        createdAt: at.toISOString(),
        updatedAt: at.toISOString(),
        completedAt: null,
        version: 1,
        access: 'owner',
      });
      expect(task.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(await getTask(as(db.tp, 'alice'), { id: task.id })).toEqual(task);
    });

    it('sets completedAt on a task created completed', async () => {
      const at = new Date('2026-11-22T10:00:00Z');
      const task = await createTask(
        as(db.tp, 'alice', () => at),
        { title: 'Done already', status: 'completed' },
      );
      expect(task.completedAt).toBe(at.toISOString());
    });

    it.each([
      [{ title: '' }, ['title']],
      [{ title: 'x'.repeat(201) }, ['title']],
      [{ title: 'ok', priority: 'urgent' }, ['priority']],
      [{ title: 'ok', dueAt: 'tomorrow' }, ['dueAt']],
      [{ title: 'ok', description: 'd'.repeat(10_001) }, ['description']],
      [{ title: 'ok', teamId: 'not-a-uuid' }, ['teamId']],
      [{ title: 'a\u0000b' }, ['title']],
      [{ title: '\ud800' }, ['title']],
      [{ title: 'ok', owner: 'bob' }, []],
      [{}, ['title']],
    ])('refuses %j naming the field, and writes nothing', async (input, path) => {
      const error = await createTask(as(db.tp, 'alice'), input as never).catch(
        (caught: unknown) => caught,
      );
      expect(isTaskpulseError(error, 'VALIDATION')).toBe(true);
      expect((error as { issues: { path: unknown[] }[] }).issues.map((i) => i.path)).toContainEqual(
        path,
      );
      expect(await db.tp.fork().execute('select id from tasks')).toEqual([]);
    });

    it('accepts a 200-character title of emoji (characters, not UTF-16 units)', async () => {
      const task = await createTask(as(db.tp, 'alice'), { title: '🚀'.repeat(200) });
      expect([...task.title]).toHaveLength(200);
    });

    it('files a task under a team of the caller only', async () => {
      const team = await createTeam(as(db.tp, 'bob'), { name: 'Bob team' });
      expect(
        await outcome(() => createTask(as(db.tp, 'alice'), { title: 't', teamId: team.id })),
      ).toBe('NOT_FOUND');
      const task = await createTask(as(db.tp, 'bob'), { title: 't', teamId: team.id });
      expect(task.teamId).toBe(team.id);
    });

    it('tells a caller who was never provisioned to provision first', async () => {
      const error = await createTask(as(db.tp, 'ghost'), { title: 't' }).catch(
        (caught: unknown) => caught,
      );
      expect(isTaskpulseError(error, 'NOT_FOUND')).toBe(true);
      expect((error as Error).message).toContain('provision');
    });
  });

  describe('update', () => {
    it('sets completedAt when completed, keeps it when completed again, clears it when reopened; version increases every time', async () => {
      let clock = new Date('2026-11-22T10:00:00Z');
      const ctx = as(db.tp, 'alice', () => clock);
      const task = await createTask(ctx, { title: 'Ship it' });
      clock = new Date('2026-11-22T11:00:00Z');
      const done = await updateTask(ctx, { id: task.id, status: 'completed' });
      expect(done).toMatchObject({
        status: 'completed',
        completedAt: clock.toISOString(),
        version: 2,
        updatedAt: clock.toISOString(),
      });
      clock = new Date('2026-11-22T12:00:00Z');
      const again = await updateTask(ctx, { id: task.id, status: 'completed', title: 'Shipped' });
      expect(again).toMatchObject({
        completedAt: '2026-11-22T11:00:00.000Z',
        version: 3,
        title: 'Shipped',
      });
      const reopened = await updateTask(ctx, { id: task.id, status: 'pending' });
      expect(reopened).toMatchObject({ status: 'pending', completedAt: null, version: 4 });
      const renamed = await updateTask(ctx, {
        id: task.id,
        description: 'now with notes',
        dueAt: null,
      });
      expect(renamed).toMatchObject({
        status: 'pending',
        completedAt: null,
        version: 5,
        description: 'now with notes',
      });
    });

    it('is a CONFLICT at a stale expectedVersion, and changes nothing', async () => {
      const ctx = as(db.tp, 'alice');
      const task = await createTask(ctx, { title: 'v1' });
      await updateTask(ctx, { id: task.id, title: 'v2', expectedVersion: 1 });
      const error = await updateTask(ctx, {
        id: task.id,
        title: 'stale',
        status: 'completed',
        expectedVersion: 1,
      }).catch((caught: unknown) => caught);
      expect(isTaskpulseError(error, 'CONFLICT')).toBe(true);
      expect((error as Error).message).toContain('version 2');
      expect(await getTask(ctx, { id: task.id })).toMatchObject({
        title: 'v2',
        status: 'pending',
        version: 2,
      });
    });

    it('refuses an update that names nothing to change', async () => {
      const task = await createTask(as(db.tp, 'alice'), { title: 't' });
      expect(
        await outcome(() => updateTask(as(db.tp, 'alice'), { id: task.id, expectedVersion: 1 })),
      ).toBe('VALIDATION');
    });
  });

  describe('delete', () => {
    it('deletes a task and its shares; then it does not exist', async () => {
      const task = await createTask(as(db.tp, 'alice'), { title: 't' });
      await createShare(as(db.tp, 'alice'), { taskId: task.id, userId: 'bob', permission: 'view' });
      expect(await deleteTask(as(db.tp, 'alice'), { id: task.id })).toEqual({ id: task.id });
      expect(await outcome(() => getTask(as(db.tp, 'alice'), { id: task.id }))).toBe('NOT_FOUND');
      expect(await db.tp.fork().execute('select id from task_shares')).toEqual([]);
    });

    it('honours expectedVersion', async () => {
      const task = await createTask(as(db.tp, 'alice'), { title: 't' });
      await updateTask(as(db.tp, 'alice'), { id: task.id, title: 'u' });
      expect(
        await outcome(() => deleteTask(as(db.tp, 'alice'), { id: task.id, expectedVersion: 1 })),
      ).toBe('CONFLICT');
      expect(
        await outcome(() => deleteTask(as(db.tp, 'alice'), { id: task.id, expectedVersion: 2 })),
      ).toBe('ok');
    });
  });

  describe('list', () => {
    it('pages newest first with no task skipped or repeated while others are inserted between pages', async () => {
      const ctx = as(db.tp, 'alice', steppingClock('2026-11-01T00:00:00Z'));
      const initial: string[] = [];
      for (let i = 0; i < 23; i += 1) initial.push((await createTask(ctx, { title: `t${i}` })).id);
      // two tasks share one created_at: the id breaks the tie
      await db.tp
        .fork()
        .execute(
          'update tasks set created_at = (select created_at from tasks where id = ?) where id = ?',
          [initial[5], initial[6]],
        );

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await listTasks(ctx, {
          scope: 'owned',
          limit: 5,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...page.items.map((t) => t.id));
        cursor = page.nextCursor ?? undefined;
        pages += 1;
        // others write between pages: new tasks, and one written behind the SDK's back
        await createTask(ctx, { title: `inserted during page ${pages}` });
        await db.tp
          .fork()
          .execute(
            "insert into tasks (id, user_id, title) values (gen_random_uuid(), 'alice', 'behind the back')",
          );
      } while (cursor);

      expect(new Set(seen).size).toBe(seen.length);
      const rows = await db.tp
        .fork()
        .execute<{ id: string }[]>(
          'select id from tasks where id = any(?::uuid[]) order by created_at desc, id desc',
          [`{${initial.join(',')}}`],
        );
      expect(seen.filter((id) => initial.includes(id))).toEqual(rows.map((row) => row.id));
      expect(pages).toBe(5);
    });

    it('accepts the forward direction that tRPC infinite queries send, and refuses backward', async () => {
      await createTask(as(db.tp, 'alice'), { title: 't' });
      const page = await listTasks(as(db.tp, 'alice'), { direction: 'forward', limit: 5 });
      expect(page.items).toHaveLength(1);
      const error = await listTasks(as(db.tp, 'alice'), { direction: 'backward' } as never).catch(
        (caught: unknown) => caught,
      );
      expect(isTaskpulseError(error, 'VALIDATION')).toBe(true);
      expect((error as { issues: { path: unknown[] }[] }).issues[0]?.path).toEqual(['direction']);
    });

    it('refuses a tampered or foreign cursor as a validation error naming cursor', async () => {
      for (const cursor of [
        'garbage',
        encodeCursor({ createdAt: 'yesterday', id: 'x' }),
        Buffer.from('{"a":1}').toString('base64url'),
      ]) {
        const error = await listTasks(as(db.tp, 'alice'), { cursor }).catch(
          (caught: unknown) => caught,
        );
        expect(isTaskpulseError(error, 'VALIDATION')).toBe(true);
        expect((error as { issues: { path: unknown[] }[] }).issues[0]?.path).toEqual(['cursor']);
      }
    });

    it('applies every filter of SPEC.md', async () => {
      const now = new Date('2026-11-22T12:00:00Z');
      const ctx = as(db.tp, 'alice', () => now);
      const mk = (title: string, extra: Record<string, unknown> = {}) =>
        createTask(ctx, { title, ...extra });
      const overdue = await mk('overdue', { dueAt: '2026-11-20T00:00:00Z', priority: 'high' });
      const future = await mk('future', { dueAt: '2026-12-20T00:00:00Z', priority: 'low' });
      const done = await mk('done', { dueAt: '2026-11-20T00:00:00Z', status: 'completed' });
      const bobs = await createTask(
        as(db.tp, 'bob', () => now),
        { title: 'bob shares' },
      );
      await createShare(as(db.tp, 'bob'), { taskId: bobs.id, userId: 'alice', permission: 'edit' });
      await createShare(ctx, { taskId: future.id, userId: 'carol', permission: 'view' });

      const ids = async (filter: Record<string, unknown>) =>
        (await listTasks(ctx, filter)).items.map((t) => t.title).sort();
      expect(await ids({})).toEqual(['bob shares', 'done', 'future', 'overdue']);
      expect(await ids({ scope: 'owned' })).toEqual(['done', 'future', 'overdue']);
      expect(await ids({ scope: 'owned', status: 'pending' })).toEqual(['future', 'overdue']);
      expect(await ids({ scope: 'owned', overdue: true })).toEqual(['overdue']);
      expect(await ids({ scope: 'owned', overdue: false })).toEqual(['done', 'future']);
      expect(await ids({ scope: 'owned', priority: 'high' })).toEqual(['overdue']);
      expect(await ids({ scope: 'shared' })).toEqual(['bob shares']);
      expect(await ids({ scope: 'shared', permission: 'edit' })).toEqual(['bob shares']);
      expect(await ids({ scope: 'shared', permission: 'view' })).toEqual([]);
      expect(await ids({ scope: 'owned', sharedByMe: true })).toEqual(['future']);
      expect(
        await ids({
          createdFrom: now.toISOString(),
          createdTo: new Date(now.getTime() + 1).toISOString(),
        }),
      ).toHaveLength(4);
      expect(
        await ids({ completedFrom: '2026-11-22T00:00:00Z', completedTo: '2026-11-23T00:00:00Z' }),
      ).toEqual(['done']);
      expect(await outcome(() => listTasks(ctx, { scope: 'owned', permission: 'view' }))).toBe(
        'VALIDATION',
      );
      expect(
        await outcome(() =>
          listTasks(ctx, {
            createdFrom: '2026-11-23T00:00:00Z',
            createdTo: '2026-11-22T00:00:00Z',
          }),
        ),
      ).toBe('VALIDATION');
      expect(await outcome(() => listTasks(ctx, { limit: 101 }))).toBe('VALIDATION');
      expect(await outcome(() => listTasks(ctx, { limit: 0 }))).toBe('VALIDATION');
      expect(overdue.access).toBe('owner');
      expect(done.completedAt).toBe(now.toISOString());
    });

    it('lists a task once in scope all when it is both in my team and shared with me', async () => {
      const team = await createTeam(as(db.tp, 'bob'), { name: 'both' });
      await db.tp
        .fork()
        .execute(
          "insert into team_members (id, team_id, user_id, role) values (gen_random_uuid(), ?, 'alice', 'member')",
          [team.id],
        );
      const task = await createTask(as(db.tp, 'bob'), {
        title: 'in team and shared',
        teamId: team.id,
      });
      await createShare(as(db.tp, 'bob'), { taskId: task.id, userId: 'alice', permission: 'edit' });
      const page = await listTasks(as(db.tp, 'alice'), {});
      expect(page.items.map((t) => t.id)).toEqual([task.id]);
      expect(page.items[0]?.access).toBe('edit');
      expect(
        (await listTasks(as(db.tp, 'alice'), { scope: 'team' })).items.map((t) => t.id),
      ).toEqual([task.id]);
    });
  });

  describe('change events', () => {
    it('publishes one event per committed write, with every affected user, and none for a refused one', async () => {
      const team = await createTeam(as(db.tp, 'carol'), { name: 'team' });
      await db.tp
        .fork()
        .execute(
          "insert into team_members (id, team_id, user_id, role) values (gen_random_uuid(), ?, 'alice', 'member')",
          [team.id],
        );
      const alice = actor(db.tp, 'alice');
      const task = await createTask(alice.ctx, { title: 't', teamId: team.id });
      await createShare(alice.ctx, { taskId: task.id, userId: 'bob', permission: 'view' });
      await updateTask(alice.ctx, { id: task.id, status: 'completed' });
      expect(
        await outcome(() => updateTask(alice.ctx, { id: task.id, title: 'x', expectedVersion: 1 })),
      ).toBe('CONFLICT');
      expect(
        await outcome(() =>
          createShare(alice.ctx, { taskId: task.id, userId: 'alice', permission: 'view' }),
        ),
      ).toBe('VALIDATION');
      await updateTask(alice.ctx, { id: task.id, teamId: null });
      await deleteTask(alice.ctx, { id: task.id });
      expect(alice.events.map((e) => [e.type, e.affectedUserIds])).toEqual([
        ['task.created', ['alice', 'carol']],
        ['share.created', ['alice', 'bob']],
        ['task.updated', ['alice', 'bob', 'carol']],
        ['task.updated', ['alice', 'bob', 'carol']],
        ['task.deleted', ['alice', 'bob']],
      ]);
      for (const event of alice.events) {
        expect(event).toMatchObject({ actorId: 'alice', taskId: task.id });
        expect(event.at).toBeInstanceOf(Date);
      }
    });
  });
});
