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
 * Every database routine of taskpulse, to register in a MikroORM configuration beside
 * {@link entities} (`routines`), so that the schema diff knows them.
 */
export const routines: readonly [typeof TaskCountsOverdue] = [TaskCountsOverdue];
