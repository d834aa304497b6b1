/**
 * Every dashboard figure of a user, counted with plain SQL written here from SPEC.md — not with
 * core's definitions — and the same figures as the API serves them (through its cache), so
 * that the two can be compared.
 */
import type { Sql } from './database.ts';
import { query } from './wire.ts';

/** Options of the time-dependent figures. */
export interface FigureOptions {
  timeZone: string;
  /** Monday: the week `date_trunc('week', …)` starts on. */
  weekStartsOn: 1;
  days: number;
}

export interface Figures {
  statistics: {
    total: number;
    pending: number;
    completed: number;
    shared: number;
    overdue: number;
  };
  breakdown: {
    pending: number;
    completed: number;
    total: number;
    byPriority: { low: number; medium: number; high: number };
  };
  shared: { totalShared: number; viewOnly: number; canEdit: number; sharedByMe: number };
  activity: {
    createdToday: number;
    completedToday: number;
    createdThisWeek: number;
    completedThisWeek: number;
    completionRate: number;
    window: {
      timeZone: string;
      today: { from: string; to: string };
      week: { from: string; to: string };
    };
  };
  trend: { date: string; created: number; completed: number }[];
}

const iso = (value: Date | string) => new Date(value).toISOString();

/** The figures of `userId`, counted with plain SQL. */
export async function countFigures(
  sql: Sql,
  userId: string,
  options: FigureOptions,
): Promise<Figures> {
  const { timeZone: tz, days } = options;
  const [row] = await sql.query<Record<string, string | Date>>(
    `with w as (
       select ((now() at time zone $2)::date)::timestamp at time zone $2 as today_from,
              ((now() at time zone $2)::date + 1)::timestamp at time zone $2 as today_to,
              date_trunc('week', now() at time zone $2) at time zone $2 as week_from,
              (date_trunc('week', now() at time zone $2) + interval '7 days') at time zone $2 as week_to
     ), mine as (select * from tasks where user_id = $1)
     select w.*,
       (select count(*) from mine) as total,
       (select count(*) from mine where status = 'pending') as pending,
       (select count(*) from mine where status = 'completed') as completed,
       (select count(*) from mine where status = 'pending' and due_at < now()) as overdue,
       (select count(*) from mine where priority = 'low') as low,
       (select count(*) from mine where priority = 'medium') as medium,
       (select count(*) from mine where priority = 'high') as high,
       (select count(*) from task_shares where shared_with_user_id = $1) as shared,
       (select count(*) from task_shares where shared_with_user_id = $1 and permission = 'view') as view_only,
       (select count(*) from task_shares where shared_with_user_id = $1 and permission = 'edit') as can_edit,
       (select count(distinct s.task_id) from task_shares s join mine t on t.id = s.task_id) as shared_by_me,
       (select count(*) from mine where created_at >= w.today_from and created_at < w.today_to) as created_today,
       (select count(*) from mine where completed_at >= w.today_from and completed_at < w.today_to) as completed_today,
       (select count(*) from mine where created_at >= w.week_from and created_at < w.week_to) as created_week,
       (select count(*) from mine where completed_at >= w.week_from and completed_at < w.week_to) as completed_week
     from w`,
    [userId, tz],
  );
  if (!row) throw new Error('the oracle returned no row');
  const n = (key: string) => Number(row[key]);
  const trend = await sql.query<{ date: string; created: string; completed: string }>(
    `with d as (
       select generate_series((now() at time zone $2)::date - ($3::int - 1), (now() at time zone $2)::date, interval '1 day')::date as day
     ), mine as (select * from tasks where user_id = $1)
     select to_char(d.day, 'YYYY-MM-DD') as date,
       (select count(*) from mine where (created_at at time zone $2)::date = d.day) as created,
       (select count(*) from mine where (completed_at at time zone $2)::date = d.day) as completed
     from d order by d.day`,
    [userId, tz, days],
  );
  return {
    statistics: {
      total: n('total'),
      pending: n('pending'),
      completed: n('completed'),
      shared: n('shared'),
      overdue: n('overdue'),
    },
    breakdown: {
      pending: n('pending'),
      completed: n('completed'),
      total: n('total'),
      byPriority: { low: n('low'), medium: n('medium'), high: n('high') },
    },
    shared: {
      totalShared: n('shared'),
      viewOnly: n('view_only'),
      canEdit: n('can_edit'),
      sharedByMe: n('shared_by_me'),
    },
    activity: {
      createdToday: n('created_today'),
      completedToday: n('completed_today'),
      createdThisWeek: n('created_week'),
      completedThisWeek: n('completed_week'),
      completionRate: n('total') === 0 ? 0 : n('completed') / n('total'),
      window: {
        timeZone: tz,
        today: { from: iso(row.today_from!), to: iso(row.today_to!) },
        week: { from: iso(row.week_from!), to: iso(row.week_to!) },
      },
    },
    trend: trend.map((day) => ({
      date: day.date,
      created: Number(day.created),
      completed: Number(day.completed),
    })),
  };
}

/** The figures of the token's user, as the API serves them. */
export async function servedFigures(
  base: string,
  token: string,
  options: FigureOptions,
): Promise<Figures> {
  const [statistics, breakdown, shared, activity, trend] = await Promise.all([
    query<Figures['statistics']>(base, 'dashboard.statistics', token),
    query<Figures['breakdown']>(base, 'dashboard.breakdown', token),
    query<Figures['shared']>(base, 'dashboard.shared', token),
    query<Figures['activity']>(base, 'dashboard.activity', token, {
      timeZone: options.timeZone,
      weekStartsOn: options.weekStartsOn,
    }),
    query<Figures['trend']>(base, 'dashboard.trend', token, {
      days: options.days,
      timeZone: options.timeZone,
    }),
  ]);
  return { statistics, breakdown, shared, activity, trend };
}
