import { sql } from 'kysely';
import { queriesOf, readPathOf, runRead, type TaskpulseContext } from '../context.ts';
import { parseWith } from '../errors/index.ts';
import { toIso } from '../schema/inputs.ts';
import { counterRead, readCountersThrough } from './counters.ts';
import { activityFigures, countFiguresSql } from './figures.ts';
import {
  type Activity,
  type ActivityInput,
  activityInput,
  type Breakdown,
  noInput,
  type SharedStats,
  type Statistics,
  type TrendDay,
  type TrendInput,
  trendInput,
} from './schemas.ts';
import { assertKnownTimeZone, type WindowRow, windowSql } from './time-window.ts';

/** The counters each figure reads (no more: every column is decoded on each call). */
const STATISTICS_COUNTERS = counterRead([
  'total',
  'pending',
  'completed',
  'shared_view',
  'shared_edit',
] as const);
const BREAKDOWN_COUNTERS = counterRead([
  'total',
  'pending',
  'completed',
  'low',
  'medium',
  'high',
] as const);
const SHARED_COUNTERS = counterRead(['shared_view', 'shared_edit', 'shared_by_me'] as const);

const countOf = (row: Record<string, unknown> | undefined, name: string): number =>
  Number(row?.[name] ?? 0);

/** `dashboard.statistics`: owned tasks by status, tasks shared with me, overdue owned tasks. */
export async function getStatistics(
  ctx: TaskpulseContext,
  input?: Record<string, never>,
): Promise<Statistics> {
  parseWith(noInput, input, 'input');
  return runRead(async () => {
    const c = await readCountersThrough(
      readPathOf(ctx),
      ctx.caller.id,
      STATISTICS_COUNTERS,
      ctx.now(),
    );
    return {
      total: c.total,
      pending: c.pending,
      completed: c.completed,
      shared: c.shared_view + c.shared_edit,
      overdue: c.overdue,
    };
  });
}

/** `dashboard.breakdown`: owned tasks by status and by priority. */
export async function getBreakdown(
  ctx: TaskpulseContext,
  input?: Record<string, never>,
): Promise<Breakdown> {
  parseWith(noInput, input, 'input');
  return runRead(async () => {
    const c = await readCountersThrough(readPathOf(ctx), ctx.caller.id, BREAKDOWN_COUNTERS);
    return {
      pending: c.pending,
      completed: c.completed,
      total: c.total,
      byPriority: { low: c.low, medium: c.medium, high: c.high },
    };
  });
}

/** `dashboard.shared`: tasks shared with me by permission, and the owned tasks I shared. */
export async function getSharedStats(
  ctx: TaskpulseContext,
  input?: Record<string, never>,
): Promise<SharedStats> {
  parseWith(noInput, input, 'input');
  return runRead(async () => {
    const c = await readCountersThrough(readPathOf(ctx), ctx.caller.id, SHARED_COUNTERS);
    return {
      totalShared: c.shared_view + c.shared_edit,
      viewOnly: c.shared_view,
      canEdit: c.shared_edit,
      sharedByMe: c.shared_by_me,
    };
  });
}

/**
 * `dashboard.activity`: owned tasks created and completed today and this week in the
 * caller's time zone, the completion rate over all owned tasks, and the exact window used.
 */
export async function getActivity(ctx: TaskpulseContext, input?: ActivityInput): Promise<Activity> {
  const { timeZone, weekStartsOn } = parseWith(activityInput, input, 'input');
  return runRead(async () => {
    await assertKnownTimeZone(ctx.em, timeZone);
    const window = {
      today: { from: sql<Date>`w.today_from`, to: sql<Date>`w.today_to` },
      week: { from: sql<Date>`w.week_from`, to: sql<Date>`w.week_to` },
    };
    const now = ctx.now();
    const { rows } = await countFiguresSql(
      activityFigures(window),
      ctx.caller.id,
      now,
      windowSql(now, timeZone, weekStartsOn),
    ).execute(queriesOf(ctx));
    const row = rows[0] as (Record<string, unknown> & WindowRow) | undefined;
    if (!row) throw new Error('the activity query returned no row');
    const total = countOf(row, 'total');
    return {
      createdToday: countOf(row, 'createdToday'),
      completedToday: countOf(row, 'completedToday'),
      createdThisWeek: countOf(row, 'createdThisWeek'),
      completedThisWeek: countOf(row, 'completedThisWeek'),
      completionRate: total === 0 ? 0 : countOf(row, 'completed') / total,
      window: {
        timeZone,
        today: { from: toIso(row.today_from), to: toIso(row.today_to) },
        week: { from: toIso(row.week_from), to: toIso(row.week_to) },
      },
    };
  });
}

/**
 * `dashboard.trend`: owned tasks created and completed on each of the last `days` local
 * days (today included), oldest first, zero-filled. A local day is [local midnight, next
 * local midnight) in the zone, so it can last 23 or 25 hours.
 */
export async function getTrend(ctx: TaskpulseContext, input?: TrendInput): Promise<TrendDay[]> {
  const { days, timeZone } = parseWith(trendInput, input, 'input');
  return runRead(async () => {
    await assertKnownTimeZone(ctx.em, timeZone);
    const me = ctx.caller.id;
    const localDate = (column: string) => sql`(${sql.ref(column)} at time zone ${timeZone})::date`;
    const { rows } = await sql<{ date: string; created: number; completed: number }>`
      with span as (
        select ((${ctx.now()}::timestamptz at time zone ${timeZone})::date - ${days - 1}::int) as first_day,
               (${ctx.now()}::timestamptz at time zone ${timeZone})::date as last_day
      ), bounds as (
        select first_day, last_day,
          first_day::timestamp at time zone ${timeZone} as from_instant,
          (last_day + 1)::timestamp at time zone ${timeZone} as to_instant
        from span
      ), created as (
        select ${localDate('t.created_at')} as day, count(*)::int as n
        from tasks t, bounds b
        where t.user_id = ${me} and t.created_at >= b.from_instant and t.created_at < b.to_instant
        group by 1
      ), completed as (
        select ${localDate('t.completed_at')} as day, count(*)::int as n
        from tasks t, bounds b
        where t.user_id = ${me} and t.completed_at >= b.from_instant and t.completed_at < b.to_instant
        group by 1
      )
      select to_char(d.day, 'YYYY-MM-DD') as date, coalesce(c.n, 0) as created, coalesce(k.n, 0) as completed
      from bounds b
      cross join lateral generate_series(b.first_day, b.last_day, interval '1 day') as g(day)
      cross join lateral (select g.day::date as day) as d
      left join created c on c.day = d.day
      left join completed k on k.day = d.day
      order by d.day`.execute(queriesOf(ctx));
    return rows.map((row) => ({
      date: row.date,
      created: Number(row.created),
      completed: Number(row.completed),
    }));
  });
}
