import { Routine } from '@mikro-orm/core';

/**
 * `task_counts_overdue(user_id, at)`: how many of the user's pending tasks are due before
 * `at` — the `overdue` figure — from the buckets of `task_due_counts`: the whole UTC months
 * before the one of `at`, the days of that month before its day, the hours of that day before
 * its hour, plus the tasks due in that hour before `at` (a range scan of
 * `tasks_user_pending_due_idx`). Its cost depends on how many months the user's due dates
 * span, not on how many tasks they have. A PL/pgSQL function, so that each database session
 * plans these four lookups once and reuses the plans (planning them costs more than running
 * them).
 */
export const TaskCountsOverdue = new Routine({
  name: 'task_counts_overdue',
  type: 'function',
  params: {
    p_user_id: { type: 'text', runtimeType: 'string' },
    p_at: { type: 'timestamptz', runtimeType: 'Date' },
  },
  returns: { runtimeType: 'number', columnType: 'integer' },
  // raw DDL: the schema diff then compares the function by name only (change it in a new
  // migration)
  expression: `create or replace function task_counts_overdue(p_user_id text, p_at timestamptz)
returns integer language plpgsql stable as $$
declare
  month_start timestamptz := date_trunc('month', p_at, 'UTC');
  day_start timestamptz := date_trunc('day', p_at, 'UTC');
  hour_start timestamptz := date_trunc('hour', p_at, 'UTC');
begin
  return ((select coalesce(sum(b.pending), 0) from task_due_counts b
      where b.user_id = p_user_id and b.span = 'month' and b.starts_at < month_start)
    + (select coalesce(sum(b.pending), 0) from task_due_counts b
      where b.user_id = p_user_id and b.span = 'day' and b.starts_at >= month_start and b.starts_at < day_start)
    + (select coalesce(sum(b.pending), 0) from task_due_counts b
      where b.user_id = p_user_id and b.span = 'hour' and b.starts_at >= day_start and b.starts_at < hour_start)
    + (select count(*) from tasks t
      where t.user_id = p_user_id and t.status = 'pending' and t.due_at >= hour_start and t.due_at < p_at))::integer;
end
$$`,
});

/**
 * `task_activity_at(user_id, instants)`: for each instant `x` of `instants` (in order,
 * `at_index` from 1), how many of the user's tasks were created — and completed — in
 * [`d0`, `x`), where `d0` is the UTC midnight nearest to the earliest instant (a negative
 * count when `x` is before `d0`): the count over a window [a, b) is the difference of the
 * rows of b and a.
 * Computed from `task_activity_counts` alone, whatever the instants (any zone's local
 * midnights, historical offsets included), with a cost bounded by the number of instants:
 * - the whole UTC days between the UTC midnights nearest to the instants (one range scan);
 * - from the midnight nearest to `x` to the hour nearest to `x` (at most 12 hour buckets),
 *   from that hour to the quarter hour nearest to `x` (at most 2 quarter buckets), each
 *   counted forwards or backwards;
 * - from that quarter hour to `x` (under 7.5 minutes, and nothing when `x` is on a quarter
 *   hour, as every local midnight of every zone is today): an exact count of the rows, a
 *   range scan of `tasks_user_created_idx` or `tasks_user_completed_idx`.
 * A PL/pgSQL function with a generic plan (`plan_cache_mode = force_generic_plan`), so that a
 * session plans the query once: planning it costs more than running it, and a custom plan
 * would be made again at every call.
 */
export const TaskActivityAt = new Routine({
  name: 'task_activity_at',
  type: 'function',
  params: {
    p_user_id: { type: 'text', runtimeType: 'string' },
    p_at: { type: 'timestamp with time zone[]', runtimeType: 'object' },
  },
  returns: {
    runtimeType: 'object',
    columnType: 'table(at_index integer, created integer, completed integer)',
  },
  // raw DDL: the schema diff then compares the function by name only (change it in a new
  // migration)
  expression: `create or replace function task_activity_at(p_user_id text, p_at timestamptz[])
returns table(at_index integer, created integer, completed integer)
language plpgsql stable
set plan_cache_mode = force_generic_plan as $$
begin
  return query
  with edge as (
    select e.i::integer as i, e.x,
      date_trunc('day', e.x + interval '12 hours', 'UTC') as d,
      date_trunc('hour', e.x + interval '30 minutes', 'UTC') as h,
      date_bin('15 minutes', e.x + interval '450 seconds', timestamptz '2000-01-01 00:00:00+00') as q
    from unnest(p_at) with ordinality as e(x, i)
  ), bounds as (
    select min(edge.d) as d0, max(edge.d) as d1 from edge
  ), timeline as (
    select edge.d as t, 0 as kind, edge.i, 0 as c, 0 as k from edge
    union all
    select a.starts_at, 1, null::integer, a.created, a.completed
    from task_activity_counts a, bounds b
    where a.user_id = p_user_id and a.span = 'day' and a.starts_at >= b.d0 and a.starts_at < b.d1
  ), prefix as (
    select tl.i, sum(tl.c) over w as c, sum(tl.k) over w as k
    from timeline tl
    window w as (order by tl.t, tl.kind rows unbounded preceding)
  ), residual as (
    select edge.i, hr.c + qr.c + xc.n as c, hr.k + qr.k + xk.n as k
    from edge
    cross join lateral (
      select sign(extract(epoch from edge.h - edge.d)) * coalesce(sum(a.created), 0) as c,
        sign(extract(epoch from edge.h - edge.d)) * coalesce(sum(a.completed), 0) as k
      from task_activity_counts a
      where edge.h <> edge.d and a.user_id = p_user_id and a.span = 'hour'
        and a.starts_at >= least(edge.d, edge.h) and a.starts_at < greatest(edge.d, edge.h)
    ) as hr
    cross join lateral (
      select sign(extract(epoch from edge.q - edge.h)) * coalesce(sum(a.created), 0) as c,
        sign(extract(epoch from edge.q - edge.h)) * coalesce(sum(a.completed), 0) as k
      from task_activity_counts a
      where edge.q <> edge.h and a.user_id = p_user_id and a.span = 'quarter'
        and a.starts_at >= least(edge.h, edge.q) and a.starts_at < greatest(edge.h, edge.q)
    ) as qr
    cross join lateral (
      select sign(extract(epoch from edge.x - edge.q)) * count(*) as n
      from tasks t
      where edge.x <> edge.q and t.user_id = p_user_id
        and t.created_at >= least(edge.q, edge.x) and t.created_at < greatest(edge.q, edge.x)
    ) as xc
    cross join lateral (
      select sign(extract(epoch from edge.x - edge.q)) * count(*) as n
      from tasks t
      where edge.x <> edge.q and t.user_id = p_user_id and t.completed_at is not null
        and t.completed_at >= least(edge.q, edge.x) and t.completed_at < greatest(edge.q, edge.x)
    ) as xk
  )
  select r.i, (p.c + r.c)::integer, (p.k + r.k)::integer
  from residual r join prefix p on p.i = r.i
  order by r.i;
end
$$`,
});

/**
 * Every database routine of taskpulse, to register in a MikroORM configuration beside
 * {@link entities} (`routines`), so that the schema diff knows them.
 */
export const routines: readonly [typeof TaskCountsOverdue, typeof TaskActivityAt] = [
  TaskCountsOverdue,
  TaskActivityAt,
];
