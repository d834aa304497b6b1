/**
 * The row-count definitions of `dashboard.activity` and `dashboard.trend`, for tests that
 * check the figures read from `task_activity_counts` against them: instants on and next to
 * local midnights of zones with DST days, :45 offsets and historical odd offsets, and the
 * reads that cover them.
 */
import { expect } from 'vitest';
import { getActivity, getTrend } from '../src/stats/stats-service.ts';
import type { TestDatabase } from './databases.ts';
import { as } from './fixtures.ts';

/**
 * Instants for created_at and completed_at: on and next to local midnights of the zones
 * that ACTIVITY_CHECKS read (DST days, :45 offsets, historical odd offsets), on and off
 * quarter hours.
 */
// rows of task_activity_counts that differ from a fresh grouping of the tasks by UTC day, hour
// and quarter hour of created_at and of completed_at (zero buckets must not be stored)
export const WRONG_ACTIVITY_BUCKETS = `
  with fresh as (
    select e.user_id, s.span,
      case s.span when 'quarter' then date_bin('15 minutes', e.at, timestamptz '2000-01-01 00:00:00+00')
        else date_trunc(s.span, e.at, 'UTC') end as starts_at,
      sum(e.created)::int as created, sum(e.completed)::int as completed
    from (
      select user_id, created_at as at, 1 as created, 0 as completed from tasks
      union all
      select user_id, completed_at, 0, 1 from tasks where completed_at is not null
    ) as e cross join (values ('day'), ('hour'), ('quarter')) as s(span)
    group by 1, 2, 3
  ), stored as (select user_id, span, starts_at, created, completed from task_activity_counts)
  select user_id, span, starts_at::text, created, completed from (
    (select * from fresh except all select * from stored)
    union all
    (select * from stored except all select * from fresh)
  ) as wrong`;

export const EDGE_INSTANTS = [
  '2026-11-22T11:59:59.999Z',
  '2026-11-22T00:00:00.000Z',
  '2026-11-21T23:59:59.999Z',
  '2026-11-21T18:15:00.000Z', // midnight in Asia/Kathmandu (+05:45)
  '2026-11-21T18:14:59.999Z',
  '2026-11-21T18:07:30.000Z',
  '2026-11-22T15:15:00.000Z', // midnight in Australia/Eucla (+08:45)
  '2026-11-22T15:14:59.999Z',
  '2026-11-22T15:29:00.000Z',
  '2026-11-15T15:15:00.000Z', // Monday midnight in Australia/Eucla
  '2026-10-24T22:00:00.000Z', // midnight in Europe/Berlin before the 25-hour day
  '2026-10-25T01:30:00.000Z', // inside it, after the clocks went back
  '2026-10-25T23:00:00.000Z', // midnight after it
  '2026-10-25T22:59:59.999Z',
  '2026-03-29T01:00:00.000Z', // the 23-hour day's change
  '2025-11-23T00:00:00.000Z', // the first of 366 days before NOW in UTC
  '2025-11-22T23:59:59.999Z',
  '1971-06-10T00:44:30.000Z', // midnight in Africa/Monrovia (−00:44:30)
  '1971-06-10T00:44:29.999Z',
  '1971-06-10T00:37:00.000Z',
  '1971-06-16T00:52:00.000Z',
  '1890-03-02T18:38:50.000Z', // midnight in Asia/Kolkata on Madras time (+05:21:10)
  '1890-03-02T18:38:49.999Z',
  '1890-03-02T18:31:00.000Z',
  '1890-03-01T18:40:00.000Z',
] as const;

/** The activity and trend reads checked against a plain row count. */
export const ACTIVITY_CHECKS = [
  { now: '2026-11-22T12:00:00.000Z', timeZone: 'UTC', weekStartsOn: 1, days: 366 },
  { now: '2026-11-22T12:00:00.000Z', timeZone: 'Europe/Berlin', weekStartsOn: 0, days: 60 },
  { now: '2026-11-22T12:00:00.000Z', timeZone: 'Asia/Kathmandu', weekStartsOn: 1, days: 30 },
  { now: '2026-11-22T16:00:00.000Z', timeZone: 'Australia/Eucla', weekStartsOn: 1, days: 7 },
  { now: '1971-06-16T12:00:00.000Z', timeZone: 'Africa/Monrovia', weekStartsOn: 3, days: 10 },
  { now: '1890-03-03T12:00:00.000Z', timeZone: 'Asia/Kolkata', weekStartsOn: 1, days: 3 },
] as const;

// rows of `user` created / completed on each of the `days` local days up to `now` in `zone`,
// grouped by the local date of the instant
const FRESH_TREND = `
  select to_char(g.day, 'YYYY-MM-DD') as date,
    (select count(*) from tasks t where t.user_id = ?
      and (t.created_at at time zone ?)::date = g.day::date)::int as created,
    (select count(*) from tasks t where t.user_id = ?
      and (t.completed_at at time zone ?)::date = g.day::date)::int as completed
  from generate_series((?::timestamptz at time zone ?)::date - (?::int - 1),
    (?::timestamptz at time zone ?)::date, interval '1 day') as g(day)
  order by g.day`;

// rows of `user` whose created_at / completed_at falls in [from, to)
const FRESH_IN_WINDOW = `select
    count(*) filter (where created_at >= ? and created_at < ?)::int as created,
    count(*) filter (where completed_at >= ? and completed_at < ?)::int as completed,
    count(*)::int as total, count(*) filter (where status = 'completed')::int as done
  from tasks where user_id = ?`;

/**
 * `activity` and `trend` of `user`, for every ACTIVITY_CHECKS read, equal a row count.
 * Returns how many of the counts compared were not zero.
 */
export async function expectActivityExact(db: TestDatabase, user: string): Promise<number> {
  const em = db.tp.fork();
  let nonZero = 0;
  for (const check of ACTIVITY_CHECKS) {
    const ctx = as(db.tp, user, () => new Date(check.now));
    const { timeZone, days } = check;
    const trend = await getTrend(ctx, { timeZone, days });
    const fresh = await em.execute(FRESH_TREND, [
      user,
      timeZone,
      user,
      timeZone,
      check.now,
      timeZone,
      days,
      check.now,
      timeZone,
    ]);
    expect(trend, `trend ${JSON.stringify(check)}`).toEqual(fresh);
    nonZero += trend.filter((day) => day.created > 0 || day.completed > 0).length;
    const activity = await getActivity(ctx, { timeZone, weekStartsOn: check.weekStartsOn });
    const [local] = await em.execute<{ from: string; to: string }[]>(
      `select date_trunc('day', ?::timestamptz, ?) as "from",
         (((?::timestamptz at time zone ?)::date + 1)::timestamp at time zone ?) as "to"`,
      [check.now, timeZone, check.now, timeZone, timeZone],
    );
    expect(activity.window.today, `today ${JSON.stringify(check)}`).toEqual({
      from: new Date(local!.from).toISOString(),
      to: new Date(local!.to).toISOString(),
    });
    const { today, week } = activity.window;
    const [inToday] = await em.execute<Record<string, number>[]>(FRESH_IN_WINDOW, [
      today.from,
      today.to,
      today.from,
      today.to,
      user,
    ]);
    const [inWeek] = await em.execute<Record<string, number>[]>(FRESH_IN_WINDOW, [
      week.from,
      week.to,
      week.from,
      week.to,
      user,
    ]);
    expect(activity, `activity ${JSON.stringify(check)}`).toMatchObject({
      createdToday: inToday!.created,
      completedToday: inToday!.completed,
      createdThisWeek: inWeek!.created,
      completedThisWeek: inWeek!.completed,
      completionRate: inToday!.total === 0 ? 0 : inToday!.done! / inToday!.total!,
    });
    nonZero += [inToday!.created, inToday!.completed, inWeek!.created, inWeek!.completed].filter(
      (n) => n! > 0,
    ).length;
  }
  return nonZero;
}
