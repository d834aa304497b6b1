import { sql } from 'kysely';
import { queriesOf, readPathOf, runRead, type TaskpulseContext } from '../context.ts';
import { parseWith } from '../errors/index.ts';
import { toIso } from '../schema/inputs.ts';
import { counterRead, readCountersThrough } from './counters.ts';
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
 * One statement: the window's four instants go to `task_activity_at`, which counts from
 * `task_activity_counts` (each count is the difference of two of its rows), and the rate
 * comes from `task_counts`; its cost does not grow with the user's tasks.
 */
export async function getActivity(ctx: TaskpulseContext, input?: ActivityInput): Promise<Activity> {
  const { timeZone, weekStartsOn } = parseWith(activityInput, input, 'input');
  return runRead(async () => {
    await assertKnownTimeZone(ctx.em, timeZone);
    const me = ctx.caller.id;
    const { rows } = await sql<
      WindowRow & Record<'created' | 'completed' | 'total' | 'done', number[] | number>
    >`
      with w as (${windowSql(ctx.now(), timeZone, weekStartsOn)}),
      c as (
        select c.at_index, c.created, c.completed
        from w, task_activity_at(${me}, array[w.today_from, w.today_to, w.week_from, w.week_to]) as c
      )
      select w.today_from, w.today_to, w.week_from, w.week_to,
        (select array_agg(c.created order by c.at_index) from c) as created,
        (select array_agg(c.completed order by c.at_index) from c) as completed,
        coalesce((select tc.total from task_counts tc where tc.user_id = ${me}), 0) as total,
        coalesce((select tc.completed from task_counts tc where tc.user_id = ${me}), 0) as done
      from w`.execute(queriesOf(ctx));
    const row = rows[0];
    if (!row) throw new Error('the activity query returned no row');
    const created = (row.created as number[]).map(Number);
    const completed = (row.completed as number[]).map(Number);
    const total = Number(row.total);
    return {
      createdToday: created[1]! - created[0]!,
      completedToday: completed[1]! - completed[0]!,
      createdThisWeek: created[3]! - created[2]!,
      completedThisWeek: completed[3]! - completed[2]!,
      completionRate: total === 0 ? 0 : Number(row.done) / total,
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
 * local midnight) in the zone, so it can last 23 or 25 hours. The `days + 1` local
 * midnights go to `task_activity_at` (one statement): a day's count is the difference of
 * the rows of its two midnights, so the cost depends on `days`, not on the user's tasks.
 */
export async function getTrend(ctx: TaskpulseContext, input?: TrendInput): Promise<TrendDay[]> {
  const { days, timeZone } = parseWith(trendInput, input, 'input');
  return runRead(async () => {
    await assertKnownTimeZone(ctx.em, timeZone);
    const me = ctx.caller.id;
    const { rows } = await sql<{ first_day: string; created: number[]; completed: number[] }>`
      with span as (
        select ((${ctx.now()}::timestamptz at time zone ${timeZone})::date - ${days - 1}::int) as first_day
      ), c as (
        select c.at_index, c.created, c.completed
        from span s, task_activity_at(${me}, array(
          select (s.first_day + g.n)::timestamp at time zone ${timeZone}
          from generate_series(0, ${days}::int) as g(n) order by g.n
        )) as c
      )
      select to_char(s.first_day, 'YYYY-MM-DD') as first_day,
        (select array_agg(c.created order by c.at_index) from c) as created,
        (select array_agg(c.completed order by c.at_index) from c) as completed
      from span s`.execute(queriesOf(ctx));
    const row = rows[0];
    if (!row) throw new Error('the trend query returned no row');
    const created = row.created.map(Number);
    const completed = row.completed.map(Number);
    const first = Date.parse(`${row.first_day}T00:00:00Z`);
    return Array.from({ length: days }, (_, i) => ({
      date: new Date(first + i * 86_400_000).toISOString().slice(0, 10),
      created: created[i + 1]! - created[i]!,
      completed: completed[i + 1]! - completed[i]!,
    }));
  });
}
