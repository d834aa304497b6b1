import { CompiledQuery, sql } from 'kysely';
import { type ReadPath, readPathOfEm } from '../context.ts';
import { toTaskpulseError } from '../db/errors.ts';
import type { TaskpulseDB } from '../db/kysely.ts';
import type { TaskpulseEntityManager } from '../db/open.ts';
import { TaskpulseError } from '../errors/index.ts';
import {
  ACTIVITY_SPANS,
  activityBucketSql,
  TASK_COUNT_COLUMNS,
  type TaskCountColumn,
} from '../schema/counter-triggers.ts';

/**
 * Key of the transaction-scoped advisory lock that serialises {@link rebuildCounters} runs:
 * the first 8 bytes of sha1('taskpulse:rebuild-counters') as a signed bigint.
 */
const REBUILD_LOCK_KEY = '-944298123808599182';

/** What {@link rebuildCounters} did. */
export interface RebuildCountersResult {
  /** Users whose counters were recomputed. */
  users: number;
  /**
   * Users whose stored counters (in `task_counts`, `task_due_counts` or
   * `task_activity_counts`) were wrong and are now fixed.
   */
  corrected: number;
}

/** A user's counters, as {@link readCounters} returns them. */
export type Counters = Record<TaskCountColumn | 'overdue', number>;

/** A read of some columns of a user's counters: its SQL, written once. */
export interface CounterRead<C extends TaskCountColumn> {
  readonly columns: readonly C[];
  readonly text: string;
  /** The same, with `overdue` through `task_counts_overdue`. */
  readonly textWithOverdue: string;
}

/** The read of `columns` of a user's counters (a figure's: fewer columns, less to decode). */
export function counterRead<C extends TaskCountColumn>(columns: readonly C[]): CounterRead<C> {
  const list = columns.join(', ');
  return {
    columns,
    text: `select ${list} from task_counts where user_id = ?`,
    textWithOverdue: `select ${list}, task_counts_overdue(?, ?::timestamptz) as overdue
  from task_counts where user_id = ?`,
  };
}

const ALL_COUNTERS = counterRead(TASK_COUNT_COLUMNS);

/**
 * Reads `me`'s row of `task_counts` — and `overdue` at `now` when given, through
 * `task_counts_overdue` — in one round trip that costs the same for ten tasks as for a
 * million. No row means no tasks and no shares: all zero (the triggers write a row with a
 * user's first task or share).
 *
 * The SQL text is fixed and MikroORM's platform escapes the values into it, so the query goes
 * as one simple-protocol message (no separate parse and bind) and PostgreSQL plans a
 * primary-key lookup.
 */
export async function readCounters(
  em: TaskpulseEntityManager,
  me: string,
  now?: Date,
): Promise<Counters> {
  return readCountersThrough(readPathOfEm(em), me, ALL_COUNTERS, now);
}

/** {@link readCounters} of the columns of `read`, through a given read path (see `readPathOf`). */
export async function readCountersThrough<C extends TaskCountColumn>(
  { kysely, platform }: ReadPath,
  me: string,
  read: CounterRead<C>,
  now?: Date,
): Promise<Record<C | 'overdue', number>> {
  const text =
    now === undefined
      ? platform.formatQuery(read.text, [me])
      : platform.formatQuery(read.textWithOverdue, [me, now.toISOString(), me]);
  // through the Kysely connection, where the `onQuery` option observes every statement
  const { rows } = await kysely.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text));
  const row = rows[0];
  const counters = { overdue: Number(row?.overdue ?? 0) } as Record<C | 'overdue', number>;
  for (const column of read.columns) counters[column] = Number(row?.[column] ?? 0);
  return counters;
}

const scope = (column: string, userIds: readonly string[] | undefined) =>
  userIds === undefined ? sql`true` : sql`${sql.ref(column)} = any(${userIds}::text[])`;

/**
 * Recomputes the counters that the triggers keep (`task_counts`, `task_due_counts`,
 * `task_activity_counts`) from the
 * rows, for `userIds` or for every user, and fixes those that differ. The counters are exact
 * by construction; this is the repair tool for a database whose triggers were disabled, or
 * whose counter tables were edited or restored on their own.
 *
 * It runs in one transaction that holds a SHARE lock on `tasks` and `task_shares` (writes
 * wait for it, reads do not), so it never races a write; concurrent rebuilds take turns.
 * Inside a transaction (`em` of `em.transactional()`), it joins it: its corrections commit or
 * roll back with it, and the locks are held until it ends.
 *
 * @example
 * ```ts
 * const { corrected } = await rebuildCounters(tp.fork());          // every user
 * await rebuildCounters(tp.fork(), ['user-1', 'user-2']);          // a few
 * ```
 */
export async function rebuildCounters(
  em: TaskpulseEntityManager,
  userIds?: readonly string[],
): Promise<RebuildCountersResult> {
  if (
    userIds !== undefined &&
    (!Array.isArray(userIds) || userIds.some((id) => typeof id !== 'string'))
  ) {
    throw new TaskpulseError('VALIDATION', 'userIds must be an array of user ids.', {
      issues: [{ path: ['userIds'], message: 'must be an array of strings' }],
    });
  }
  const ids = userIds === undefined ? undefined : [...new Set(userIds)];
  try {
    // in the caller's transaction, a savepoint of it: the locks are then held until it ends
    return await (em.isInTransaction() ? em : em.fork()).transactional(async (tx) => {
      const db = tx.getKysely<TaskpulseDB>();
      await sql`select pg_advisory_xact_lock(${sql.raw(REBUILD_LOCK_KEY)})`.execute(db);
      await sql`lock table tasks, task_shares in share mode`.execute(db);
      const { rows: counted } = await sql<{ n: number }>`
        select count(*)::int as n from users u where ${scope('u.id', ids)}`.execute(db);
      const { rows: fixed } = await sql<{ user_id: string }>`
        with fresh as (
          select u.id as user_id,
            coalesce(o.total, 0) as total, coalesce(o.pending, 0) as pending,
            coalesce(o.completed, 0) as completed, coalesce(o.low, 0) as low,
            coalesce(o.medium, 0) as medium, coalesce(o.high, 0) as high,
            coalesce(r.shared_view, 0) as shared_view, coalesce(r.shared_edit, 0) as shared_edit,
            coalesce(o.shared_by_me, 0) as shared_by_me
          from users u
          left join (
            select t.user_id, count(*)::int as total,
              count(*) filter (where t.status = 'pending')::int as pending,
              count(*) filter (where t.status = 'completed')::int as completed,
              count(*) filter (where t.priority = 'low')::int as low,
              count(*) filter (where t.priority = 'medium')::int as medium,
              count(*) filter (where t.priority = 'high')::int as high,
              count(*) filter (where sh.task_id is not null)::int as shared_by_me
            from tasks t
            left join (select distinct task_id from task_shares) as sh on sh.task_id = t.id
            where ${scope('t.user_id', ids)}
            group by t.user_id
          ) as o on o.user_id = u.id
          left join (
            select s.shared_with_user_id as user_id,
              count(*) filter (where s.permission = 'view')::int as shared_view,
              count(*) filter (where s.permission = 'edit')::int as shared_edit
            from task_shares s join tasks t on t.id = s.task_id
            where t.user_id <> s.shared_with_user_id and ${scope('s.shared_with_user_id', ids)}
            group by s.shared_with_user_id
          ) as r on r.user_id = u.id
          where ${scope('u.id', ids)}
        ), wrong as (
          select f.* from fresh f left join task_counts tc on tc.user_id = f.user_id
          where (f.total, f.pending, f.completed, f.low, f.medium, f.high, f.shared_view, f.shared_edit, f.shared_by_me)
            is distinct from (coalesce(tc.total, 0), coalesce(tc.pending, 0), coalesce(tc.completed, 0),
              coalesce(tc.low, 0), coalesce(tc.medium, 0), coalesce(tc.high, 0),
              coalesce(tc.shared_view, 0), coalesce(tc.shared_edit, 0), coalesce(tc.shared_by_me, 0))
        ), counts as (
          insert into task_counts as tc (user_id, total, pending, completed, low, medium, high, shared_view, shared_edit, shared_by_me)
          select * from wrong order by user_id
          on conflict (user_id) do update set total = excluded.total, pending = excluded.pending,
            completed = excluded.completed, low = excluded.low, medium = excluded.medium,
            high = excluded.high, shared_view = excluded.shared_view,
            shared_edit = excluded.shared_edit, shared_by_me = excluded.shared_by_me
          returning tc.user_id
        ), fresh_due as (
          select t.user_id, s.span, date_trunc(s.span, t.due_at, 'UTC') as starts_at, count(*)::int as pending
          from tasks t cross join (values ('month'), ('day'), ('hour')) as s(span)
          where t.status = 'pending' and t.due_at is not null and ${scope('t.user_id', ids)}
          group by 1, 2, 3
        ), stored_due as (
          select user_id, span, starts_at, pending from task_due_counts where ${scope('user_id', ids)}
        ), removed as (
          delete from task_due_counts b using stored_due d
          where b.user_id = d.user_id and b.span = d.span and b.starts_at = d.starts_at
            and not exists (select 1 from fresh_due f
              where f.user_id = d.user_id and f.span = d.span and f.starts_at = d.starts_at)
          returning b.user_id
        ), due as (
          insert into task_due_counts as b (user_id, span, starts_at, pending)
          select f.user_id, f.span, f.starts_at, f.pending from fresh_due f
          left join stored_due d on d.user_id = f.user_id and d.span = f.span and d.starts_at = f.starts_at
          where d.pending is distinct from f.pending
          order by 1, 2, 3
          on conflict (user_id, span, starts_at) do update set pending = excluded.pending
          returning b.user_id
        ), fresh_activity as (
          select e.user_id, s.span, ${sql.raw(activityBucketSql('s.span', 'e.at'))} as starts_at,
            sum(e.created)::int as created, sum(e.completed)::int as completed
          from (
            select t.user_id, t.created_at as at, 1 as created, 0 as completed
            from tasks t where ${scope('t.user_id', ids)}
            union all
            select t.user_id, t.completed_at, 0, 1
            from tasks t where t.completed_at is not null and ${scope('t.user_id', ids)}
          ) as e
          cross join (values ${sql.raw(ACTIVITY_SPANS.map((span) => `('${span}')`).join(', '))}) as s(span)
          group by 1, 2, 3
        ), stored_activity as (
          select user_id, span, starts_at, created, completed from task_activity_counts
          where ${scope('user_id', ids)}
        ), removed_activity as (
          delete from task_activity_counts a using stored_activity d
          where a.user_id = d.user_id and a.span = d.span and a.starts_at = d.starts_at
            and not exists (select 1 from fresh_activity f
              where f.user_id = d.user_id and f.span = d.span and f.starts_at = d.starts_at)
          returning a.user_id
        ), activity as (
          insert into task_activity_counts as a (user_id, span, starts_at, created, completed)
          select f.user_id, f.span, f.starts_at, f.created, f.completed from fresh_activity f
          left join stored_activity d on d.user_id = f.user_id and d.span = f.span and d.starts_at = f.starts_at
          where (d.created, d.completed) is distinct from (f.created, f.completed)
            and exists (select 1 from users u where u.id = f.user_id)
          order by 1, 2, 3
          on conflict (user_id, span, starts_at) do update
            set created = excluded.created, completed = excluded.completed
          returning a.user_id
        )
        select user_id from counts union select user_id from removed union select user_id from due
        union select user_id from removed_activity union select user_id from activity`.execute(db);
      return { users: counted[0]?.n ?? 0, corrected: fixed.length };
    });
  } catch (error) {
    throw toTaskpulseError(error);
  }
}
