/**
 * The counters (`task_counts`, `task_due_counts`, `task_activity_counts`) that the statistics
 * read are kept by triggers: after any sequence of writes — through the domain functions or in
 * raw SQL behind the SDK's back, cascades and TRUNCATE included — they equal a fresh count of
 * the rows, written below as plainly as possible.
 */
import fc from 'fast-check';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import {
  EDGE_INSTANTS,
  expectActivityExact,
  WRONG_ACTIVITY_BUCKETS,
} from '../../test/activity-oracle.ts';
import { describeDatabases, describePostgres, type TestDatabase } from '../../test/databases.ts';
import { as, createUsers, outcome } from '../../test/fixtures.ts';
import type { TaskpulseEntityManager } from '../db/open.ts';
import { createShare, deleteShare } from '../sharing/index.ts';
import { createTask, deleteTask, listTasks, updateTask } from '../tasks/index.ts';
import { readCounters, rebuildCounters } from './counters.ts';
import { getBreakdown, getSharedStats, getStatistics } from './stats-service.ts';

// ---------------------------------------------------------------------------------------------
// The oracle: every counter as a fresh count(*) of the rows, by its SPEC.md definition.

const FRESH_COUNTS = `
  select u.id as user_id,
    (select count(*) from tasks t where t.user_id = u.id)::int as total,
    (select count(*) from tasks t where t.user_id = u.id and t.status = 'pending')::int as pending,
    (select count(*) from tasks t where t.user_id = u.id and t.status = 'completed')::int as completed,
    (select count(*) from tasks t where t.user_id = u.id and t.priority = 'low')::int as low,
    (select count(*) from tasks t where t.user_id = u.id and t.priority = 'medium')::int as medium,
    (select count(*) from tasks t where t.user_id = u.id and t.priority = 'high')::int as high,
    (select count(*) from tasks t where t.user_id <> u.id and exists (select 1 from task_shares s
      where s.task_id = t.id and s.shared_with_user_id = u.id and s.permission = 'view'))::int as shared_view,
    (select count(*) from tasks t where t.user_id <> u.id and exists (select 1 from task_shares s
      where s.task_id = t.id and s.shared_with_user_id = u.id and s.permission = 'edit'))::int as shared_edit,
    (select count(*) from tasks t where t.user_id = u.id
      and exists (select 1 from task_shares s where s.task_id = t.id))::int as shared_by_me
  from users u order by u.id`;

const STORED_COUNTS = `
  select u.id as user_id,
    coalesce(c.total, 0) as total, coalesce(c.pending, 0) as pending,
    coalesce(c.completed, 0) as completed, coalesce(c.low, 0) as low,
    coalesce(c.medium, 0) as medium, coalesce(c.high, 0) as high,
    coalesce(c.shared_view, 0) as shared_view, coalesce(c.shared_edit, 0) as shared_edit,
    coalesce(c.shared_by_me, 0) as shared_by_me
  from users u left join task_counts c on c.user_id = u.id order by u.id`;

// rows of task_due_counts that differ from a fresh grouping of the pending tasks by UTC
// month, day and hour of their due date (zero buckets must not be stored)
const WRONG_DUE_BUCKETS = `
  with fresh as (
    select t.user_id, s.span, date_trunc(s.span, t.due_at, 'UTC') as starts_at, count(*)::int as pending
    from tasks t cross join (values ('month'), ('day'), ('hour')) as s(span)
    where t.status = 'pending' and t.due_at is not null
    group by 1, 2, 3
  ), stored as (select user_id, span, starts_at, pending from task_due_counts)
  select user_id, span, starts_at::text, pending from (
    (select * from fresh except all select * from stored)
    union all
    (select * from stored except all select * from fresh)
  ) as wrong`;

const FRESH_OVERDUE = `select count(*)::int as n from tasks
  where user_id = ? and status = 'pending' and due_at < ?`;

/** The instants at which `overdue` is checked: bucket boundaries and the times around them. */
const NOWS = [
  '2026-11-22T12:00:00.000Z',
  '2026-11-22T12:30:00.001Z',
  '2026-11-22T12:59:59.999Z',
  '2026-11-22T00:00:00.000Z',
  '2026-11-01T00:00:00.000Z',
  '2026-12-01T00:00:00.000Z',
  '2026-01-01T00:00:00.000Z',
  '2027-03-01T00:00:00.000Z',
].map((iso) => new Date(iso));

async function expectCountersExact(em: TaskpulseEntityManager, context = ''): Promise<void> {
  const fresh = await em.execute<Record<string, unknown>[]>(FRESH_COUNTS);
  const stored = await em.execute<Record<string, unknown>[]>(STORED_COUNTS);
  expect(stored, `task_counts ${context}`).toEqual(fresh);
  expect(await em.execute(WRONG_DUE_BUCKETS), `task_due_counts ${context}`).toEqual([]);
  expect(await em.execute(WRONG_ACTIVITY_BUCKETS), `task_activity_counts ${context}`).toEqual([]);
  for (const { user_id } of fresh as { user_id: string }[]) {
    for (const now of NOWS) {
      const [counted] = await em.execute<{ n: number }[]>('select task_counts_overdue(?, ?) as n', [
        user_id,
        now,
      ]);
      const [expected] = await em.execute<{ n: number }[]>(FRESH_OVERDUE, [user_id, now]);
      expect([user_id, now.toISOString(), counted?.n], `overdue ${context}`).toEqual([
        user_id,
        now.toISOString(),
        expected?.n,
      ]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Random writes.

const USERS = ['u0', 'u1', 'u2', 'u3'];
const NOW_ISO = '2026-11-22T12:00:00.000Z';
const NOW = new Date(NOW_ISO);
/** Due dates around the bucket boundaries; the infinities only through raw SQL. */
const DUES = [
  null,
  '2026-09-15T08:00:00.000Z',
  '2026-11-01T00:00:00.000Z',
  '2026-11-21T23:59:59.999Z',
  '2026-11-22T00:00:00.000Z',
  '2026-11-22T11:59:59.999Z',
  '2026-11-22T12:00:00.000Z',
  '2026-11-22T12:30:00.000Z',
  '2026-11-22T13:00:00.000Z',
  '2026-12-01T00:00:00.000Z',
  '2027-02-01T00:00:00.000Z',
] as const;
const RAW_DUES = [...DUES, 'infinity', '-infinity'] as const;

const user = fc.nat({ max: USERS.length - 1 });
const status = fc.constantFrom('pending', 'completed');
const priority = fc.constantFrom('low', 'medium', 'high');
const permission = fc.constantFrom('view', 'edit');
const pick = fc.nat({ max: 1_000 });
const mask = fc.nat({ max: 2 ** 12 - 1 });
const taskFields = fc.record({
  status,
  priority,
  due: fc.nat({ max: DUES.length - 1 }),
  inTeam: fc.boolean(),
});

const commandArb = fc.oneof(
  // through the domain functions
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('sdk create'), owner: user, task: taskFields }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('sdk update'),
      pick,
      status: fc.option(status, { nil: undefined }),
      priority: fc.option(priority, { nil: undefined }),
      due: fc.option(fc.nat({ max: DUES.length - 1 }), { nil: undefined }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sdk delete'), pick }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('sdk share'), pick, recipient: user, permission }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sdk unshare'), pick }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('delete a shared task'), pick, sdk: fc.boolean() }),
  },
  // behind the SDK's back
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('raw insert'),
      owner: user,
      tasks: fc.array(
        fc.record({
          status,
          priority,
          due: fc.nat({ max: RAW_DUES.length - 1 }),
          inTeam: fc.boolean(),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('raw status flip'), mask }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('raw set'),
      mask,
      column: fc.constantFrom('priority', 'due_at', 'user_id', 'team_id'),
      value: fc.nat({ max: 100 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('raw share upsert'),
      shares: fc.array(fc.record({ pick, recipient: user, permission }), {
        minLength: 1,
        maxLength: 5,
      }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('raw share update'),
      pick,
      column: fc.constantFrom('task_id', 'shared_with_user_id', 'permission'),
      value: fc.nat({ max: 1_000 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('raw set instant'),
      mask,
      column: fc.constantFrom('created_at', 'completed_at'),
      value: fc.nat({ max: EDGE_INSTANTS.length - 1 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('raw give to recipient'), pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('raw share delete'), mask }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('raw task delete'), mask }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('user delete'), user }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('truncate'),
      tables: fc.constantFrom('task_shares', 'tasks, task_shares', 'users cascade'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('team delete') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rolled back'), mask }) },
);
type Command = typeof commandArb extends fc.Arbitrary<infer T> ? T : never;

interface TaskRef {
  id: string;
  user_id: string;
}
interface ShareRef {
  id: string;
  task_id: string;
  shared_with_user_id: string;
}

/** Runs SQL with `?` placeholders through Kysely, which passes arrays as array parameters. */
function raw(em: TaskpulseEntityManager, query: string, params: unknown[] = []) {
  let n = 0;
  const text = query.replace(/\?/g, () => `$${++n}`);
  return em.getKysely().executeQuery(CompiledQuery.raw(text, params));
}

/** Runs one command against the database. Refusals by the SDK (NOT_FOUND, …) are fine. */
async function run(db: TestDatabase, command: Command, teamId: () => string): Promise<void> {
  const em = db.tp.fork();
  const exec = (query: string, params: unknown[] = []) => raw(em, query, params);
  const tasks = await em.execute<TaskRef[]>('select id, user_id from tasks order by id');
  const shares = await em.execute<ShareRef[]>(
    'select id, task_id, shared_with_user_id from task_shares order by id',
  );
  const nth = <T>(list: T[], n: number): T | undefined => list[n % Math.max(1, list.length)];
  const subset = <T>(list: T[], bits: number): T[] => list.filter((_, i) => (bits >> (i % 12)) & 1);
  const ids = (list: { id: string }[]) => list.map((row) => row.id);
  const ctx = (owner: string) => as(db.tp, owner, () => NOW);
  const ignore = (fn: () => Promise<unknown>) => outcome(fn).then(() => undefined);

  switch (command.kind) {
    case 'sdk create': {
      const owner = USERS[command.owner]!;
      const due = DUES[command.task.due] ?? null;
      await createTask(ctx(owner), {
        title: 'sdk task',
        status: command.task.status,
        priority: command.task.priority,
        ...(due ? { dueAt: due } : {}),
        ...(command.task.inTeam ? { teamId: teamId() } : {}),
      });
      return;
    }
    case 'sdk update': {
      const task = nth(tasks, command.pick);
      if (!task) return;
      await ignore(() =>
        updateTask(ctx(task.user_id), {
          id: task.id,
          ...(command.status ? { status: command.status } : {}),
          ...(command.priority ? { priority: command.priority } : {}),
          ...(command.due === undefined ? {} : { dueAt: DUES[command.due] ?? null }),
        }),
      );
      return;
    }
    case 'sdk delete': {
      const task = nth(tasks, command.pick);
      if (task) await ignore(() => deleteTask(ctx(task.user_id), { id: task.id }));
      return;
    }
    case 'sdk share': {
      const task = nth(tasks, command.pick);
      if (!task) return;
      await ignore(() =>
        createShare(ctx(task.user_id), {
          taskId: task.id,
          userId: USERS[command.recipient]!,
          permission: command.permission,
        }),
      );
      return;
    }
    case 'sdk unshare': {
      const share = nth(shares, command.pick);
      const task = share && tasks.find((t) => t.id === share.task_id);
      if (!share || !task) return;
      await ignore(() =>
        deleteShare(ctx(task.user_id), { taskId: task.id, userId: share.shared_with_user_id }),
      );
      return;
    }
    case 'delete a shared task': {
      const share = nth(shares, command.pick);
      const task = share && tasks.find((t) => t.id === share.task_id);
      if (!task) return;
      if (command.sdk) await deleteTask(ctx(task.user_id), { id: task.id });
      else await exec('delete from tasks where id = ?', [task.id]);
      return;
    }
    case 'raw insert': {
      const values = command.tasks.map(
        () =>
          `(gen_random_uuid(), ?, ?, 'raw task', ?, ?, ?::timestamptz, case when ? = 'completed' then now() end)`,
      );
      await exec(
        `insert into tasks (id, user_id, team_id, title, status, priority, due_at, completed_at) values ${values.join(', ')}`,
        command.tasks.flatMap((task) => [
          USERS[command.owner],
          task.inTeam ? teamId() : null,
          task.status,
          task.priority,
          RAW_DUES[task.due],
          task.status,
        ]),
      );
      return;
    }
    case 'raw status flip': {
      await exec(
        `update tasks set status = case status when 'pending' then 'completed' else 'pending' end,
           completed_at = case status when 'pending' then now() end, version = version + 1
         where id = any(?::uuid[])`,
        [ids(subset(tasks, command.mask))],
      );
      return;
    }
    case 'raw set': {
      const targets = ids(subset(tasks, command.mask));
      const value = {
        priority: ['low', 'medium', 'high'][command.value % 3],
        due_at: RAW_DUES[command.value % RAW_DUES.length],
        user_id: USERS[command.value % USERS.length],
        team_id: command.value % 2 ? teamId() : null,
      }[command.column];
      const cast = { priority: '', due_at: '::timestamptz', user_id: '', team_id: '::uuid' };
      await exec(
        `update tasks set ${command.column} = ?${cast[command.column]} where id = any(?::uuid[])`,
        [value, targets],
      );
      return;
    }
    case 'raw share upsert': {
      const rows = command.shares.flatMap((share) => {
        const task = nth(tasks, share.pick);
        // a share with the owner is refused by the SDK, not by the database: it must not
        // count for anyone but the owner's "shared by me"
        return task ? [[task.id, USERS[share.recipient], task.user_id, share.permission]] : [];
      });
      const unique = [...new Map(rows.map((row) => [`${row[0]}:${row[1]}`, row])).values()];
      if (unique.length === 0) return;
      await exec(
        `insert into task_shares (id, task_id, shared_with_user_id, shared_by_user_id, permission)
         values ${unique.map(() => '(gen_random_uuid(), ?, ?, ?, ?)').join(', ')}
         on conflict (task_id, shared_with_user_id) do update set permission = excluded.permission`,
        unique.flat(),
      );
      return;
    }
    case 'raw share update': {
      const share = nth(shares, command.pick);
      if (!share) return;
      const value = {
        task_id: nth(tasks, command.value)?.id,
        shared_with_user_id: USERS[command.value % USERS.length],
        permission: command.value % 2 ? 'view' : 'edit',
      }[command.column];
      // moving a share onto a (task, recipient) pair that already exists is refused: fine
      await ignore(() =>
        exec(`update task_shares set ${command.column} = ? where id = ?`, [value, share.id]),
      );
      return;
    }
    case 'raw set instant': {
      // completed_at only where a task is completed (a check ties it to the status)
      await exec(
        `update tasks set ${command.column} = ?::timestamptz where id = any(?::uuid[])${command.column === 'completed_at' ? ` and status = 'completed'` : ''}`,
        [EDGE_INSTANTS[command.value], ids(subset(tasks, command.mask))],
      );
      return;
    }
    case 'raw give to recipient': {
      // the task changes owner to one of the users it is shared with: that user's share no
      // longer counts as "shared with me", the old owner's would if they had one
      const share = nth(shares, command.pick);
      if (share) {
        await exec('update tasks set user_id = ? where id = ?', [
          share.shared_with_user_id,
          share.task_id,
        ]);
      }
      return;
    }
    case 'raw share delete':
      await exec('delete from task_shares where id = any(?::uuid[])', [
        ids(subset(shares, command.mask)),
      ]);
      return;
    case 'raw task delete':
      await exec('delete from tasks where id = any(?::uuid[])', [ids(subset(tasks, command.mask))]);
      return;
    case 'user delete': {
      const id = USERS[command.user]!;
      await exec('delete from users where id = ?', [id]);
      await createUsers(db.tp, [id]);
      return;
    }
    case 'truncate':
      await exec(`truncate ${command.tables}`);
      await createUsers(db.tp, USERS);
      return;
    case 'team delete':
      await exec('delete from teams');
      return;
    case 'rolled back': {
      const rollback = new Error('roll back');
      await em
        .transactional(async (tx) => {
          const targets = ids(subset(tasks, command.mask));
          await raw(
            tx as TaskpulseEntityManager,
            `update tasks set user_id = 'u0', status = 'pending', completed_at = null, due_at = now() - interval '1 day' where id = any(?::uuid[])`,
            [targets],
          );
          await raw(
            tx as TaskpulseEntityManager,
            `delete from task_shares where task_id = any(?::uuid[])`,
            [targets],
          );
          await tx.execute(
            `insert into tasks (id, user_id, title, due_at) values (gen_random_uuid(), 'u1', 'rolled back', now())`,
          );
          throw rollback;
        })
        .catch((error: unknown) => {
          if (error !== rollback) throw error;
        });
      return;
    }
  }
}

describeDatabases('counters', (db) => {
  let team = '';
  const teamId = () => team;

  beforeEach(async () => {
    await db.tp.fork().execute('truncate users cascade');
  });

  /** The one team every user belongs to; recreated when a command deletes it or its members. */
  async function ensureTeam(): Promise<void> {
    const em = db.tp.fork();
    const [row] = await em.execute<{ id: string }[]>('select id from teams limit 1');
    const [created] = row
      ? [row]
      : await em.execute<{ id: string }[]>(
          "insert into teams (id, name, owner_id) values (gen_random_uuid(), 'team', 'u0') returning id",
        );
    team = created!.id;
    // a deleted and recreated user joins again
    await em.execute(
      `insert into team_members (id, team_id, user_id, role)
       select gen_random_uuid(), ?, u.id, case when u.id = 'u0' then 'owner' else 'member' end
       from users u on conflict do nothing`,
      [team],
    );
  }

  it('are kept by triggers on tasks and task_shares, TRUNCATE ones included', async () => {
    const rows = await db.tp.fork().execute(
      `select c.relname as table, t.tgname as trigger from pg_trigger t
       join pg_class c on c.oid = t.tgrelid
       where not t.tgisinternal and c.relname in ('tasks', 'task_shares') order by 1, 2`,
    );
    const names = [
      'task_counts_delete',
      'task_counts_insert',
      'task_counts_truncate',
      'task_counts_update',
    ];
    expect(rows).toEqual([
      ...names.map((trigger) => ({ table: 'task_shares', trigger })),
      ...[...names, 'task_counts_before_delete']
        .sort()
        .map((trigger) => ({ table: 'tasks', trigger })),
    ]);
  });

  it('rebuildCounters repairs deliberately corrupted counters, and says for how many users', async () => {
    await createUsers(db.tp, USERS);
    const em = db.tp.fork();
    const u = (i: number) => as(db.tp, USERS[i]!, () => NOW);
    for (const [i, due] of DUES.entries()) {
      const task = await createTask(u(i % 4), {
        title: `t${i}`,
        priority: i % 2 ? 'high' : 'low',
        ...(due ? { dueAt: due } : {}),
      });
      if (i % 3 === 0) {
        await createShare(u(i % 4), {
          taskId: task.id,
          userId: USERS[(i + 1) % 4]!,
          permission: 'edit',
        });
      }
    }
    expect(await rebuildCounters(em)).toEqual({ users: 4, corrected: 0 });
    await expectCountersExact(em);

    await em.execute(
      `update task_counts set total = total + 7, shared_by_me = 0 where user_id = 'u0'`,
    );
    await em.execute(`delete from task_counts where user_id = 'u1'`);
    await em.execute(
      `insert into task_due_counts (user_id, span, starts_at, pending) values ('u2', 'hour', '2030-01-01T00:00:00Z', 3)`,
    );
    await em.execute(`update task_due_counts set pending = pending + 1 where user_id = 'u3'`);
    await em.execute(
      `insert into task_activity_counts (user_id, span, starts_at, created, completed) values ('u2', 'quarter', '2030-01-01T00:15:00Z', 1, 0)`,
    );
    await em.execute(
      `update task_activity_counts set completed = completed + 2 where user_id = 'u3'`,
    );
    await expect(expectCountersExact(em)).rejects.toThrow();

    // a few users: only theirs
    expect(await rebuildCounters(em, ['u0', 'u0', 'nobody'])).toEqual({ users: 1, corrected: 1 });
    const [u0] = await em.execute(`${FRESH_COUNTS.replace('order by u.id', "where u.id = 'u0'")}`);
    const [stored] = await em.execute(
      `${STORED_COUNTS.replace('order by u.id', "where u.id = 'u0'")}`,
    );
    expect(stored).toEqual(u0);
    await expect(expectCountersExact(em)).rejects.toThrow();

    expect(await rebuildCounters(em)).toEqual({ users: 4, corrected: 3 });
    await expectCountersExact(em);
    expect(await rebuildCounters(em)).toEqual({ users: 4, corrected: 0 });
  });

  it('are read inside a transaction through that transaction (its own writes count)', async () => {
    await createUsers(db.tp, USERS);
    await db.tp.fork().transactional(async (tx) => {
      await tx.execute(
        `insert into tasks (id, user_id, title, due_at) values (gen_random_uuid(), 'u0', 'in tx', ?)`,
        [new Date(NOW.getTime() - 60_000)],
      );
      expect(await readCounters(tx, 'u0', NOW)).toMatchObject({ total: 1, pending: 1, overdue: 1 });
      // the figures of a context made on the transaction's entity manager read through it too
      const inTx = db.tp.context({ id: 'u0' }, { em: tx as TaskpulseEntityManager });
      expect(await getStatistics(inTx)).toMatchObject({ total: 1, pending: 1 });
      expect(await getBreakdown(inTx)).toMatchObject({ total: 1, byPriority: { medium: 1 } });
      if (db.kind === 'postgres') {
        // another session does not see it yet (PGlite has one session: it would wait on ours)
        expect(await readCounters(db.tp.fork(), 'u0', NOW)).toMatchObject({ total: 0, overdue: 0 });
        // nor does a fresh context, which reads through the pool without forking
        expect(await getStatistics(db.tp.context({ id: 'u0' }))).toMatchObject({ total: 0 });
      }
    });
    expect(await readCounters(db.tp.fork(), 'u0', NOW)).toMatchObject({ total: 1, overdue: 1 });
    expect(await getBreakdown(db.tp.context({ id: 'u0' }))).toMatchObject({ total: 1 });
  });

  it('a context forks its entity manager on first use only, and keeps that one', async () => {
    await createUsers(db.tp, USERS);
    const fork = vi.spyOn(db.tp.orm.em, 'fork');
    try {
      const ctx = db.tp.context({ id: 'u0' });
      // figures read from the counters need no unit of work, nor do reads of rows
      await getStatistics(ctx);
      await getBreakdown(ctx);
      await getSharedStats(ctx);
      expect((await listTasks(ctx, {})).items).toEqual([]);
      expect(fork).not.toHaveBeenCalled();
      // a write takes one, and every later call of the context uses that same one
      await createTask(ctx, { title: 'after the reads' });
      const em = ctx.em;
      expect(fork).toHaveBeenCalledTimes(1);
      expect(ctx.em).toBe(em);
      expect(await getBreakdown(ctx)).toMatchObject({ total: 1, pending: 1 });
      expect(fork).toHaveBeenCalledTimes(1);
      // a given entity manager is used as it is
      const given = db.tp.fork();
      fork.mockClear();
      expect(db.tp.context({ id: 'u0' }, { em: given }).em).toBe(given);
      expect(fork).not.toHaveBeenCalled();
    } finally {
      fork.mockRestore();
    }
  });

  it('rebuildCounters catches up with writes made while the triggers were disabled', async () => {
    await createUsers(db.tp, USERS);
    const em = db.tp.fork();
    // as a restore with triggers off would do
    await em.transactional(async (tx) => {
      await tx.execute('alter table tasks disable trigger user');
      await tx.execute(
        `insert into tasks (id, user_id, title, status, due_at)
         select gen_random_uuid(), 'u' || (n % 4), 'restored', 'pending', now() - n * interval '1 hour'
         from generate_series(1, 50) as g(n)`,
      );
      await tx.execute('alter table tasks enable trigger user');
    });
    await expect(expectCountersExact(em)).rejects.toThrow();
    expect(await rebuildCounters(em)).toEqual({ users: 4, corrected: 4 });
    await expectCountersExact(em);
  });

  it('equal a fresh count after random writes through the SDK and behind its back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 20 }), async (commands) => {
        await db.tp.fork().execute('truncate users cascade');
        await createUsers(db.tp, USERS);
        for (const [index, command] of commands.entries()) {
          await ensureTeam();
          await run(db, command, teamId);
          await expectCountersExact(db.tp.fork(), `after command ${index} (${command.kind})`);
        }
        // and the statistics read from them are the fresh counts
        const [fresh] = await db.tp
          .fork()
          .execute<Record<string, number>[]>(
            `${FRESH_COUNTS.replace('order by u.id', "where u.id = 'u1'")}`,
          );
        const me = as(db.tp, 'u1', () => NOW);
        const [overdue] = await db.tp.fork().execute<{ n: number }[]>(FRESH_OVERDUE, ['u1', NOW]);
        expect(await getStatistics(me)).toEqual({
          total: fresh!.total,
          pending: fresh!.pending,
          completed: fresh!.completed,
          shared: fresh!.shared_view! + fresh!.shared_edit!,
          overdue: overdue!.n,
        });
        expect(await getBreakdown(me)).toEqual({
          total: fresh!.total,
          pending: fresh!.pending,
          completed: fresh!.completed,
          byPriority: { low: fresh!.low, medium: fresh!.medium, high: fresh!.high },
        });
        expect(await getSharedStats(me)).toEqual({
          totalShared: fresh!.shared_view! + fresh!.shared_edit!,
          viewOnly: fresh!.shared_view,
          canEdit: fresh!.shared_edit,
          sharedByMe: fresh!.shared_by_me,
        });
        for (const id of USERS) await expectActivityExact(db, id);
      }),
      { numRuns: db.kind === 'postgres' ? 40 : 25, endOnFailure: true },
    );
  }, 240_000);
});

// ---------------------------------------------------------------------------------------------
// Concurrency: transactions that truly overlap, on a real server.

describePostgres('counters under concurrent writes', (db) => {
  let pool: pg.Pool;
  const RECIPIENTS = Array.from({ length: 8 }, (_, i) => `r${i}`);

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: db.url, max: 12 });
    // an idle client's error (its session ended by the server) is the pool's 'error' event,
    // fatal without a listener; the queries of the tests reject on their own
    pool.on('error', () => {});
  });
  afterAll(async () => {
    await pool.end();
  });
  beforeEach(async () => {
    await db.tp.fork().execute('truncate users cascade');
    await createUsers(db.tp, ['alice', 'bob', ...RECIPIENTS]);
  });

  /**
   * Runs `work` in a transaction at `isolation` that stays open `holdMs` after it, so that
   * parallel ones overlap; retries it when the server refuses it as a serialization failure
   * or a deadlock, as an application would. Returns how many attempts were refused.
   */
  async function transaction(
    work: (client: pg.PoolClient) => Promise<unknown>,
    { isolation = 'read committed', holdMs = 50 } = {},
  ): Promise<number> {
    for (let refused = 0; ; refused += 1) {
      const client = await pool.connect();
      try {
        await client.query(`begin isolation level ${isolation}`);
        await work(client);
        await client.query('select pg_sleep($1)', [holdMs / 1000]);
        await client.query('commit');
        return refused;
      } catch (error) {
        await client.query('rollback');
        const code = (error as { code?: string }).code;
        if (code !== '40001' && code !== '40P01') throw error;
      } finally {
        client.release();
      }
    }
  }

  async function insertTask(owner: string, fields: Record<string, unknown> = {}): Promise<string> {
    const { rows } = await pool.query<{ id: string }>(
      `insert into tasks (id, user_id, title, status, priority, due_at, completed_at)
       values (gen_random_uuid(), $1, 'task', $2, $3, $4, $5) returning id`,
      [
        owner,
        fields.status ?? 'pending',
        fields.priority ?? 'medium',
        fields.due_at ?? null,
        fields.status === 'completed' ? new Date() : null,
      ],
    );
    return rows[0]!.id;
  }

  const share = (client: pg.PoolClient, taskId: string, recipient: string, permission = 'view') =>
    client.query(
      `insert into task_shares (id, task_id, shared_with_user_id, shared_by_user_id, permission)
       select gen_random_uuid(), t.id, $2, t.user_id, $3 from tasks t where t.id = $1`,
      [taskId, recipient, permission],
    );
  const sharedByMe = async (userId: string) => {
    const { rows } = await pool.query<{ n: number }>(
      'select coalesce((select shared_by_me from task_counts where user_id = $1), 0) as n',
      [userId],
    );
    return rows[0]!.n;
  };

  it('counts a task once in shared_by_me when its first shares are added in parallel', async () => {
    const taskId = await insertTask('alice');
    await Promise.all(RECIPIENTS.map((r) => transaction((client) => share(client, taskId, r))));
    expect(await sharedByMe('alice')).toBe(1);
    await expectCountersExact(db.tp.fork());
  });

  it('takes a task out of shared_by_me once when its last shares are removed in parallel', async () => {
    const taskId = await insertTask('alice');
    await transaction(async (client) => {
      for (const r of RECIPIENTS) await share(client, taskId, r);
    });
    await Promise.all(
      RECIPIENTS.map((r) =>
        transaction((client) =>
          client.query('delete from task_shares where task_id = $1 and shared_with_user_id = $2', [
            taskId,
            r,
          ]),
        ),
      ),
    );
    expect(await sharedByMe('alice')).toBe(0);
    await expectCountersExact(db.tp.fork());
  });

  it('stays exact under parallel status flips, of one task and of many', async () => {
    const ids = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        insertTask('alice', { due_at: new Date(Date.now() - (i - 3) * 3_600_000) }),
      ),
    );
    const flip = `update tasks set status = case status when 'pending' then 'completed' else 'pending' end,
      completed_at = case status when 'pending' then now() end where id = any($1::uuid[])`;
    await Promise.all([
      ...Array.from({ length: 10 }, () =>
        transaction((client) => client.query(flip, [[ids[0]]]), { holdMs: 10 }),
      ),
      ...Array.from({ length: 6 }, (_, i) =>
        transaction((client) => client.query(flip, [ids.slice(i)]), { holdMs: 10 }),
      ),
      ...Array.from({ length: 6 }, (_, i) =>
        updateTask(as(db.tp, 'alice'), { id: ids[i]!, status: i % 2 ? 'completed' : 'pending' }),
      ),
    ]);
    await expectCountersExact(db.tp.fork());
  });

  it('stays exact when one task changes owner while its shares change', async () => {
    const taskId = await insertTask('alice');
    await transaction((client) => share(client, taskId, 'bob'));
    await Promise.all([
      ...RECIPIENTS.map((r, i) =>
        transaction((client) =>
          i % 3 === 2
            ? client.query('delete from task_shares where task_id = $1', [taskId])
            : share(client, taskId, r, i % 2 ? 'view' : 'edit'),
        ),
      ),
      ...['bob', 'r0', 'alice', 'r3'].map((owner) =>
        transaction((client) =>
          client.query('update tasks set user_id = $2 where id = $1', [taskId, owner]),
        ),
      ),
      transaction(async (client) => {
        await client.query('delete from task_shares where shared_with_user_id = $1', ['r1']);
      }),
    ]);
    await expectCountersExact(db.tp.fork());
  });

  it('stays exact through the SDK under parallel shares, unshares and completions', async () => {
    const alice = () => as(db.tp, 'alice');
    const tasks = await Promise.all(
      Array.from({ length: 3 }, (_, i) => createTask(alice(), { title: `t${i}` })),
    );
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const task = tasks[i % tasks.length]!;
        const userId = RECIPIENTS[i % RECIPIENTS.length]!;
        if (i % 5 === 4) return outcome(() => deleteShare(alice(), { taskId: task.id, userId }));
        if (i % 5 === 3)
          return outcome(() =>
            updateTask(alice(), { id: task.id, status: i % 2 ? 'completed' : 'pending' }),
          );
        return outcome(() =>
          createShare(alice(), { taskId: task.id, userId, permission: i % 2 ? 'view' : 'edit' }),
        );
      }),
    );
    await expectCountersExact(db.tp.fork());
  });

  it('refuses rather than miscounts under REPEATABLE READ (first and last shares in parallel)', async () => {
    const taskId = await insertTask('alice');
    const isolation = 'repeatable read';
    const firsts = await Promise.all(
      RECIPIENTS.map((r) => transaction((client) => share(client, taskId, r), { isolation })),
    );
    expect(await sharedByMe('alice')).toBe(1);
    await expectCountersExact(db.tp.fork());
    const lasts = await Promise.all(
      RECIPIENTS.map((r) =>
        transaction(
          (client) =>
            client.query(
              'delete from task_shares where task_id = $1 and shared_with_user_id = $2',
              [taskId, r],
            ),
          { isolation },
        ),
      ),
    );
    expect(await sharedByMe('alice')).toBe(0);
    await expectCountersExact(db.tp.fork());
    // the overlapping transactions were refused (and retried), not silently miscounted
    expect(firsts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(lasts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
